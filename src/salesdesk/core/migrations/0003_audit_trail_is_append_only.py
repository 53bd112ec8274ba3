"""The database refuses to rewrite the audit trail: events and status changes are appended,
never updated (and, on PostgreSQL, never deleted). SQLite gets no DELETE trigger because
Django's test flush empties tables with DELETE."""

from django.db import migrations

APPEND_ONLY = "the audit trail is append-only"
TABLES = ["core_auditevent", "core_statuschange"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_workflow_and_calendar")]
    operations = [migrations.RunPython(create, drop)]
