"""The database refuses to rewrite commissions: accruals, payouts and their items never change,
and the lines of a paid statement stay as they were paid. On PostgreSQL none of them can be
deleted either; SQLite gets no DELETE triggers because Django's test flush empties tables with
DELETE (the foreign keys keep paid rows in place there)."""

from django.db import migrations

FROZEN = "commissions are immutable once accrued or paid"
TABLES = ["commissions_commissionaccrual", "commissions_commissionpayout", "commissions_payoutitem"]
PAID_LINE = (
    "(SELECT status FROM commissions_commissionstatement WHERE id = OLD.statement_id) = 'paid'"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
            )
        schema_editor.execute(
            "CREATE TRIGGER commissions_statementline_frozen BEFORE UPDATE ON commissions_statementline "
            f"WHEN {PAID_LINE} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION salesdesk_commission_frozen() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{FROZEN}'; END $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION salesdesk_commission_frozen()"
            )
        schema_editor.execute(
            f"""CREATE FUNCTION salesdesk_statementline_frozen() RETURNS trigger AS $$
            BEGIN
                IF {PAID_LINE} THEN RAISE EXCEPTION '{FROZEN}'; END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql"""
        )
        schema_editor.execute(
            "CREATE TRIGGER commissions_statementline_frozen BEFORE UPDATE OR DELETE "
            "ON commissions_statementline FOR EACH ROW EXECUTE FUNCTION salesdesk_statementline_frozen()"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in [*TABLES, "commissions_statementline"]:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS salesdesk_commission_frozen()")
        schema_editor.execute("DROP FUNCTION IF EXISTS salesdesk_statementline_frozen()")


class Migration(migrations.Migration):
    dependencies = [("commissions", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
