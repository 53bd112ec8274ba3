"""The COD money still to enter (代收货款) is kept by the database, from the documents themselves.

A shipment with cash on delivery waits until a receipt names it. Its COD amount is set when it
is recorded; should it change, the row follows it, and a shipment removed takes its row along.
A receipt is never changed (migration 0002), and on PostgreSQL never deleted; should SQLite
delete one, its shipment waits again. Being triggers, they hold for every write path —
services, the bulk data generator, a restore. The existing books are read into the table once.
"""

import django.db.models.deletion
from django.db import migrations, models

from salesdesk.core.migration_ops import kept_by_triggers

# The shipment `ref` has COD money and no receipt names it.
WAITS = (
    "{ref}.cod_amount > 0 AND NOT EXISTS (SELECT 1 FROM receivables_receipt r WHERE r.shipment_id = {ref}.id)"
)
ADD = "INSERT INTO receivables_codwaiting (shipment_id) SELECT s.id FROM warehouse_shipment s WHERE "
SHIPMENT_WAITS = f"{ADD}s.id = NEW.id AND {WAITS.format(ref='s')}"
SHIPMENT_GONE = "DELETE FROM receivables_codwaiting WHERE shipment_id = OLD.id"
ENTERED = "DELETE FROM receivables_codwaiting WHERE shipment_id = NEW.shipment_id"
RECEIPT_GONE = f"{ADD}s.id = OLD.shipment_id AND {WAITS.format(ref='s')}"

SQLITE = [
    f"CREATE TRIGGER cod_waiting_shipped AFTER INSERT ON warehouse_shipment BEGIN {SHIPMENT_WAITS}; END",
    "CREATE TRIGGER cod_waiting_amount AFTER UPDATE OF cod_amount ON warehouse_shipment "
    f"BEGIN {SHIPMENT_GONE}; {SHIPMENT_WAITS}; END",
    f"CREATE TRIGGER cod_waiting_shipment_gone AFTER DELETE ON warehouse_shipment BEGIN {SHIPMENT_GONE}; END",
    "CREATE TRIGGER cod_waiting_entered AFTER INSERT ON receivables_receipt "
    f"WHEN NEW.shipment_id IS NOT NULL BEGIN {ENTERED}; END",
    "CREATE TRIGGER cod_waiting_receipt_gone AFTER DELETE ON receivables_receipt "
    f"WHEN OLD.shipment_id IS NOT NULL BEGIN {RECEIPT_GONE}; END",
]

POSTGRESQL = [
    f"""CREATE FUNCTION salesdesk_cod_waiting_shipment() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            {SHIPMENT_GONE};
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {SHIPMENT_WAITS};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER cod_waiting_shipment AFTER INSERT OR UPDATE OF cod_amount OR DELETE "
    "ON warehouse_shipment FOR EACH ROW EXECUTE FUNCTION salesdesk_cod_waiting_shipment()",
    f"""CREATE FUNCTION salesdesk_cod_waiting_receipt() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {ENTERED};
        ELSE
            {RECEIPT_GONE};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER cod_waiting_receipt AFTER INSERT OR DELETE ON receivables_receipt "
    "FOR EACH ROW EXECUTE FUNCTION salesdesk_cod_waiting_receipt()",
]

# What waits now, read once from the books (the same rule `salesdesk check` counts by).
FILL = f"{ADD}{WAITS.format(ref='s')}"

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS cod_waiting_shipped",
        "DROP TRIGGER IF EXISTS cod_waiting_amount",
        "DROP TRIGGER IF EXISTS cod_waiting_shipment_gone",
        "DROP TRIGGER IF EXISTS cod_waiting_entered",
        "DROP TRIGGER IF EXISTS cod_waiting_receipt_gone",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS cod_waiting_shipment ON warehouse_shipment",
        "DROP TRIGGER IF EXISTS cod_waiting_receipt ON receivables_receipt",
        "DROP FUNCTION IF EXISTS salesdesk_cod_waiting_shipment()",
        "DROP FUNCTION IF EXISTS salesdesk_cod_waiting_receipt()",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0012_no_index_another_index_serves"),
        ("warehouse", "0012_write_offs_by_their_own_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CodWaiting",
            fields=[
                (
                    "shipment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="cod_waiting",
                        serialize=False,
                        to="warehouse.shipment",
                    ),
                ),
            ],
        ),
        kept_by_triggers(
            triggers={"sqlite": SQLITE, "postgresql": POSTGRESQL},
            fill=[FILL],
            drop=DROP,
            tables=["receivables_codwaiting"],
        ),
    ]
