"""What waits to be invoiced (待开票) is kept by the database, from the documents themselves.

A posted sale or return of a customer who takes invoices waits until an invoice item names it;
switching the customer's `invoice_required` on or off adds or removes its waiting outbounds.
Being triggers, they hold for every write path — services, the bulk data generator, a restore.
Invoices are never cancelled, so no trigger brings an invoiced outbound back. The existing
books are read into the table once, in one statement.
"""

from django.db import migrations

from salesdesk.core.migration_ops import kept_by_triggers

# A posted outbound that an invoice would cover: not a write-off, not invoiced yet.
INVOICEABLE = (
    "o.status = 'posted' AND o.kind <> 'bad_debt' "
    "AND NOT EXISTS (SELECT 1 FROM receivables_invoiceitem i WHERE i.outbound_id = o.id)"
)
COLUMNS = "INSERT INTO receivables_toinvoice (outbound_id, customer_id, amount, posting_date) "
# The outbound just posted, if its customer takes invoices.
POSTED = (
    f"{COLUMNS}SELECT o.id, o.customer_id, o.amount, o.posting_date FROM warehouse_outbound o "
    f"JOIN customers_customer c ON c.id = o.customer_id WHERE o.id = NEW.id AND c.invoice_required "
    f"AND {INVOICEABLE}"
)
INVOICED = "DELETE FROM receivables_toinvoice WHERE outbound_id = NEW.outbound_id"
# The customer now takes invoices: what it was sent and not invoiced waits from now on.
SWITCHED_ON = (
    f"{COLUMNS}SELECT o.id, o.customer_id, o.amount, o.posting_date FROM warehouse_outbound o "
    f"WHERE o.customer_id = NEW.id AND {INVOICEABLE}"
)
SWITCHED_OFF = "DELETE FROM receivables_toinvoice WHERE customer_id = NEW.id"

SQLITE = [
    "CREATE TRIGGER to_invoice_posted_insert AFTER INSERT ON warehouse_outbound "
    f"WHEN NEW.status = 'posted' AND NEW.kind <> 'bad_debt' BEGIN {POSTED}; END",
    "CREATE TRIGGER to_invoice_posted AFTER UPDATE OF status ON warehouse_outbound "
    f"WHEN NEW.status = 'posted' AND OLD.status <> 'posted' AND NEW.kind <> 'bad_debt' BEGIN {POSTED}; END",
    f"CREATE TRIGGER to_invoice_invoiced AFTER INSERT ON receivables_invoiceitem BEGIN {INVOICED}; END",
    "CREATE TRIGGER to_invoice_customer_on AFTER UPDATE OF invoice_required ON customers_customer "
    f"WHEN NEW.invoice_required AND NOT OLD.invoice_required BEGIN {SWITCHED_ON}; END",
    "CREATE TRIGGER to_invoice_customer_off AFTER UPDATE OF invoice_required ON customers_customer "
    f"WHEN OLD.invoice_required AND NOT NEW.invoice_required BEGIN {SWITCHED_OFF}; END",
]

POSTGRESQL = [
    f"""CREATE FUNCTION salesdesk_to_invoice_posted() RETURNS trigger AS $$
    BEGIN
        IF NEW.status = 'posted' AND NEW.kind <> 'bad_debt'
           AND (TG_OP = 'INSERT' OR OLD.status <> 'posted') THEN
            {POSTED};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER to_invoice_posted AFTER INSERT OR UPDATE OF status ON warehouse_outbound "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_to_invoice_posted()",
    f"""CREATE FUNCTION salesdesk_to_invoice_invoiced() RETURNS trigger AS $$
    BEGIN {INVOICED}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER to_invoice_invoiced AFTER INSERT ON receivables_invoiceitem "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_to_invoice_invoiced()",
    f"""CREATE FUNCTION salesdesk_to_invoice_customer() RETURNS trigger AS $$
    BEGIN
        IF NEW.invoice_required AND NOT OLD.invoice_required THEN
            {SWITCHED_ON};
        ELSIF OLD.invoice_required AND NOT NEW.invoice_required THEN
            {SWITCHED_OFF};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER to_invoice_customer AFTER UPDATE OF invoice_required ON customers_customer "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_to_invoice_customer()",
]

# What waits now, read once from the books (the same rule `salesdesk check` counts by).
FILL = (
    f"{COLUMNS}SELECT o.id, o.customer_id, o.amount, o.posting_date FROM warehouse_outbound o "
    f"JOIN customers_customer c ON c.id = o.customer_id WHERE c.invoice_required AND {INVOICEABLE}"
)

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS to_invoice_posted_insert",
        "DROP TRIGGER IF EXISTS to_invoice_posted",
        "DROP TRIGGER IF EXISTS to_invoice_invoiced",
        "DROP TRIGGER IF EXISTS to_invoice_customer_on",
        "DROP TRIGGER IF EXISTS to_invoice_customer_off",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS to_invoice_posted ON warehouse_outbound",
        "DROP TRIGGER IF EXISTS to_invoice_invoiced ON receivables_invoiceitem",
        "DROP TRIGGER IF EXISTS to_invoice_customer ON customers_customer",
        "DROP FUNCTION IF EXISTS salesdesk_to_invoice_posted()",
        "DROP FUNCTION IF EXISTS salesdesk_to_invoice_invoiced()",
        "DROP FUNCTION IF EXISTS salesdesk_to_invoice_customer()",
    ],
}


class Migration(migrations.Migration):
    dependencies = [("receivables", "0009_to_invoice")]

    operations = [
        kept_by_triggers(
            triggers={"sqlite": SQLITE, "postgresql": POSTGRESQL},
            fill=[FILL],
            drop=DROP,
            tables=["receivables_toinvoice"],
        )
    ]
