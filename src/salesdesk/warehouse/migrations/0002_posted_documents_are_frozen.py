"""The database itself refuses to change a posted outbound, its lines or a stock move.

The models refuse it too; these triggers close the paths that bypass them
(QuerySet.update, raw SQL, another program on the same database). SQLite gets no DELETE
triggers because Django's test flush empties tables with DELETE; there the foreign keys
from stock moves keep posted outbounds in place.
"""

from django.db import migrations

FROZEN = "posted documents are immutable: post a correction instead"

SQLITE = [
    f"""CREATE TRIGGER outbound_frozen_update BEFORE UPDATE ON warehouse_outbound
        WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER outboundline_frozen_update BEFORE UPDATE ON warehouse_outboundline
        WHEN (SELECT status FROM warehouse_outbound WHERE id = OLD.outbound_id) = 'posted'
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER outboundline_frozen_insert BEFORE INSERT ON warehouse_outboundline
        WHEN (SELECT status FROM warehouse_outbound WHERE id = NEW.outbound_id) = 'posted'
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER stockmove_frozen_update BEFORE UPDATE ON warehouse_stockmove
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
]

POSTGRES = [
    f"""CREATE FUNCTION salesdesk_outbound_frozen() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'posted' THEN RAISE EXCEPTION '{FROZEN}'; END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER outbound_frozen BEFORE UPDATE OR DELETE ON warehouse_outbound
        FOR EACH ROW EXECUTE FUNCTION salesdesk_outbound_frozen()""",
    f"""CREATE FUNCTION salesdesk_outboundline_frozen() RETURNS trigger AS $$
    DECLARE parent_status text;
    BEGIN
        SELECT status INTO parent_status FROM warehouse_outbound
         WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.outbound_id ELSE OLD.outbound_id END;
        IF parent_status = 'posted' THEN RAISE EXCEPTION '{FROZEN}'; END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER outboundline_frozen BEFORE INSERT OR UPDATE OR DELETE ON warehouse_outboundline
        FOR EACH ROW EXECUTE FUNCTION salesdesk_outboundline_frozen()""",
    f"""CREATE FUNCTION salesdesk_stockmove_frozen() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{FROZEN}'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER stockmove_frozen BEFORE UPDATE OR DELETE ON warehouse_stockmove
        FOR EACH ROW EXECUTE FUNCTION salesdesk_stockmove_frozen()""",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ["outbound_frozen_update", "outboundline_frozen_update", "outboundline_frozen_insert", "stockmove_frozen_update"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        for table, name in [("warehouse_outbound", "outbound_frozen"), ("warehouse_outboundline", "outboundline_frozen"), ("warehouse_stockmove", "stockmove_frozen")]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ["salesdesk_outbound_frozen", "salesdesk_outboundline_frozen", "salesdesk_stockmove_frozen"]:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
