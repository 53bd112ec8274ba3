"""The database refuses to rewrite money: an allocation never changes, and of a receipt only
finance's tick-offs (checked, reached finance) may be filled in later. On PostgreSQL neither
can be deleted; SQLite gets no DELETE triggers because Django's test flush empties tables
with DELETE (the foreign keys from allocations keep receipts in place there)."""

from django.db import migrations

FROZEN = "receipts and allocations are immutable: enter a correction instead"
MONEY = [
    "number",
    "customer_id",
    "received_on",
    "amount",
    "method",
    "carrier_id",
    "shipment_id",
    "order_id",
    "note",
    "difference",
    "entered_late",
    "created_by_id",
    "created_at",
]


def _changed(column: str) -> str:
    return f"OLD.{column} IS NOT NEW.{column}"


def create(apps, schema_editor):
    create_with(schema_editor, MONEY)


def create_with(schema_editor, columns):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        changed = " OR ".join(_changed(c) for c in columns)
        schema_editor.execute(
            "CREATE TRIGGER receipt_frozen_update BEFORE UPDATE ON receivables_receipt "
            f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
        )
        schema_editor.execute(
            "CREATE TRIGGER allocation_frozen_update BEFORE UPDATE ON receivables_allocation "
            f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
        )
    elif vendor == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        schema_editor.execute(
            f"""CREATE FUNCTION salesdesk_receipt_frozen() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR {changed} THEN RAISE EXCEPTION '{FROZEN}'; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql"""
        )
        schema_editor.execute(
            "CREATE TRIGGER receipt_frozen BEFORE UPDATE OR DELETE ON receivables_receipt "
            "FOR EACH ROW EXECUTE FUNCTION salesdesk_receipt_frozen()"
        )
        schema_editor.execute(
            f"""CREATE FUNCTION salesdesk_allocation_frozen() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{FROZEN}'; END $$ LANGUAGE plpgsql"""
        )
        schema_editor.execute(
            "CREATE TRIGGER allocation_frozen BEFORE UPDATE OR DELETE ON receivables_allocation "
            "FOR EACH ROW EXECUTE FUNCTION salesdesk_allocation_frozen()"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS receipt_frozen_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS allocation_frozen_update")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS receipt_frozen ON receivables_receipt")
        schema_editor.execute("DROP TRIGGER IF EXISTS allocation_frozen ON receivables_allocation")
        schema_editor.execute("DROP FUNCTION IF EXISTS salesdesk_receipt_frozen()")
        schema_editor.execute("DROP FUNCTION IF EXISTS salesdesk_allocation_frozen()")


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
