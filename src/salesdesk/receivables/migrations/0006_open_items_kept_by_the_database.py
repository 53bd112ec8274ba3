"""Open items and unapplied receipts are kept by the database, from the documents themselves.

A posted outbound that moves money opens an item (a sale for its amount, a return or write-off
for its negative credit); a receipt opens its money as unapplied; each allocation takes its
amount off both sides and removes what it settles in full. Being triggers, they hold for every
write path — services, the bulk data generator, a restore — and they refuse an allocation
beyond what is open on either side, whatever the code above them does.

SQLite adds decimals as floats, so there each result is rounded back to the cent; amounts are
whole cents, which makes that exact. The existing books are read into the tables once.
"""

from django.db import migrations

from salesdesk.core.migration_ops import kept_by_triggers

OVER = "an allocation cannot exceed what is open on the sale, the receipt or the credit"

# Which posted outbounds carry money to settle or apply: sales that cost something, credits.
MOVES_MONEY = "((NEW.kind = 'sale' AND NEW.amount > 0) OR (NEW.kind <> 'sale' AND NEW.amount < 0))"
OPEN_ITEM = (
    "INSERT INTO receivables_openitem (outbound_id, customer_id, amount, due_date) "
    "VALUES (NEW.id, NEW.customer_id, NEW.amount, NEW.due_date)"
)
UNAPPLIED = (
    "INSERT INTO receivables_unappliedreceipt (receipt_id, customer_id, amount) "
    "VALUES (NEW.id, NEW.customer_id, NEW.amount)"
)

# Per allocation: refuse it beyond what is open, then take it off (deleting what it settles in
# full first, so that no row ever holds a zero).
ALLOCATE = [
    "SELECT RAISE(ABORT, '{over}') WHERE NOT EXISTS (SELECT 1 FROM receivables_openitem "
    "WHERE outbound_id = NEW.sale_id AND amount >= NEW.amount - 0.005)",
    "SELECT RAISE(ABORT, '{over}') WHERE NEW.receipt_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "receivables_unappliedreceipt WHERE receipt_id = NEW.receipt_id AND amount >= NEW.amount - 0.005)",
    "SELECT RAISE(ABORT, '{over}') WHERE NEW.credit_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "receivables_openitem WHERE outbound_id = NEW.credit_id AND -amount >= NEW.amount - 0.005)",
    "DELETE FROM receivables_openitem WHERE outbound_id = NEW.sale_id AND ABS(amount - NEW.amount) < 0.005",
    "UPDATE receivables_openitem SET amount = ROUND(amount - NEW.amount, 2) WHERE outbound_id = NEW.sale_id",
    "DELETE FROM receivables_openitem WHERE outbound_id = NEW.credit_id AND ABS(amount + NEW.amount) < 0.005",
    "UPDATE receivables_openitem SET amount = ROUND(amount + NEW.amount, 2) WHERE outbound_id = NEW.credit_id",
    "DELETE FROM receivables_unappliedreceipt WHERE receipt_id = NEW.receipt_id "
    "AND ABS(amount - NEW.amount) < 0.005",
    "UPDATE receivables_unappliedreceipt SET amount = ROUND(amount - NEW.amount, 2) "
    "WHERE receipt_id = NEW.receipt_id",
]

SQLITE = [
    "CREATE TRIGGER open_item_posted_insert AFTER INSERT ON warehouse_outbound "
    f"WHEN NEW.status = 'posted' AND {MOVES_MONEY} BEGIN {OPEN_ITEM}; END",
    "CREATE TRIGGER open_item_posted AFTER UPDATE OF status ON warehouse_outbound "
    f"WHEN NEW.status = 'posted' AND OLD.status <> 'posted' AND {MOVES_MONEY} BEGIN {OPEN_ITEM}; END",
    f"CREATE TRIGGER unapplied_receipt AFTER INSERT ON receivables_receipt BEGIN {UNAPPLIED}; END",
    "CREATE TRIGGER open_item_allocated AFTER INSERT ON receivables_allocation BEGIN "
    + " ".join(f"{statement.format(over=OVER)};" for statement in ALLOCATE)
    + " END",
]

POSTGRESQL = [
    f"""CREATE FUNCTION salesdesk_open_item() RETURNS trigger AS $$
    BEGIN
        IF NEW.status = 'posted' AND {MOVES_MONEY}
           AND (TG_OP = 'INSERT' OR OLD.status <> 'posted') THEN
            {OPEN_ITEM};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER open_item_posted AFTER INSERT OR UPDATE OF status ON warehouse_outbound "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_open_item()",
    f"""CREATE FUNCTION salesdesk_unapplied_receipt() RETURNS trigger AS $$
    BEGIN {UNAPPLIED}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER unapplied_receipt AFTER INSERT ON receivables_receipt "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_unapplied_receipt()",
    f"""CREATE FUNCTION salesdesk_open_item_allocated() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM receivables_openitem
                       WHERE outbound_id = NEW.sale_id AND amount >= NEW.amount)
           OR (NEW.receipt_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receivables_unappliedreceipt
                       WHERE receipt_id = NEW.receipt_id AND amount >= NEW.amount))
           OR (NEW.credit_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receivables_openitem
                       WHERE outbound_id = NEW.credit_id AND -amount >= NEW.amount)) THEN
            RAISE EXCEPTION '{OVER}';
        END IF;
        DELETE FROM receivables_openitem WHERE outbound_id = NEW.sale_id AND amount = NEW.amount;
        UPDATE receivables_openitem SET amount = amount - NEW.amount WHERE outbound_id = NEW.sale_id;
        DELETE FROM receivables_openitem WHERE outbound_id = NEW.credit_id AND amount = -NEW.amount;
        UPDATE receivables_openitem SET amount = amount + NEW.amount WHERE outbound_id = NEW.credit_id;
        DELETE FROM receivables_unappliedreceipt WHERE receipt_id = NEW.receipt_id AND amount = NEW.amount;
        UPDATE receivables_unappliedreceipt SET amount = amount - NEW.amount WHERE receipt_id = NEW.receipt_id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER open_item_allocated AFTER INSERT ON receivables_allocation "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_open_item_allocated()",
]

# What is open now, read once from the books (the same sums `salesdesk check` makes).
FILL = [
    """INSERT INTO receivables_openitem (outbound_id, customer_id, amount, due_date)
    SELECT id, customer_id, open_amount, due_date FROM (
        SELECT o.id, o.customer_id, o.due_date, o.kind, ROUND(o.amount
            - COALESCE((SELECT SUM(a.amount) FROM receivables_allocation a WHERE a.sale_id = o.id), 0)
            + COALESCE((SELECT SUM(a.amount) FROM receivables_allocation a WHERE a.credit_id = o.id), 0),
            2) AS open_amount
        FROM warehouse_outbound o WHERE o.status = 'posted'
    ) AS opened
    WHERE (kind = 'sale' AND open_amount >= 0.005) OR (kind <> 'sale' AND open_amount <= -0.005)""",
    """INSERT INTO receivables_unappliedreceipt (receipt_id, customer_id, amount)
    SELECT id, customer_id, unapplied FROM (
        SELECT r.id, r.customer_id, ROUND(r.amount
            - COALESCE((SELECT SUM(a.amount) FROM receivables_allocation a WHERE a.receipt_id = r.id), 0),
            2) AS unapplied
        FROM receivables_receipt r
    ) AS received
    WHERE unapplied >= 0.005""",
]

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS open_item_posted_insert",
        "DROP TRIGGER IF EXISTS open_item_posted",
        "DROP TRIGGER IF EXISTS unapplied_receipt",
        "DROP TRIGGER IF EXISTS open_item_allocated",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS open_item_posted ON warehouse_outbound",
        "DROP TRIGGER IF EXISTS unapplied_receipt ON receivables_receipt",
        "DROP TRIGGER IF EXISTS open_item_allocated ON receivables_allocation",
        "DROP FUNCTION IF EXISTS salesdesk_open_item()",
        "DROP FUNCTION IF EXISTS salesdesk_unapplied_receipt()",
        "DROP FUNCTION IF EXISTS salesdesk_open_item_allocated()",
    ],
}


class Migration(migrations.Migration):
    dependencies = [("receivables", "0005_open_items")]

    operations = [
        kept_by_triggers(
            triggers={"sqlite": SQLITE, "postgresql": POSTGRESQL},
            fill=FILL,
            drop=DROP,
            tables=["receivables_openitem", "receivables_unappliedreceipt"],
        )
    ]
