"""Migration operations Django lacks."""

from __future__ import annotations

from django.db import migrations


class AlterFieldIndex(migrations.AlterField):
    """An AlterField that only turns a field's own index off or on.

    Django's SQLite engine remakes the whole table for any AlterField: it copies every row into a
    new table and drops the old one, and SQLite drops a table's triggers with it — those that
    freeze posted documents and keep open items. Here SQLite only drops or creates the index by
    its name; other databases alter the field in place as usual (PostgreSQL also drops the
    `_like` copy of a text field's index).
    """

    # AlterField.database_backwards calls this with the states swapped: one way serves both.
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        old_model = from_state.apps.get_model(app_label, self.model_name)
        new_model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, new_model):
            return
        old, new = old_model._meta.get_field(self.name), new_model._meta.get_field(self.name)
        if _without_index(old) != _without_index(new):
            raise ValueError(
                f"AlterFieldIndex changes only db_index; {self.model_name}.{self.name} differs more."
            )
        was, is_now = (
            schema_editor._field_should_be_indexed(old_model, old),
            schema_editor._field_should_be_indexed(new_model, new),
        )
        if was and not is_now:
            name = schema_editor._create_index_name(old_model._meta.db_table, [old.column])
            schema_editor.execute(schema_editor._delete_index_sql(old_model, name))
        elif is_now and not was:
            for sql in schema_editor._field_indexes_sql(new_model, new):
                schema_editor.execute(sql)


def _without_index(field) -> tuple:
    _name, path, args, kwargs = field.deconstruct()
    kwargs.pop("db_index", None)
    return path, args, kwargs


def kept_by_triggers(
    *, triggers: dict[str, list[str]], fill: list[str], drop: dict[str, list[str]], tables: list[str]
) -> migrations.RunPython:
    """Triggers that keep `tables` from the documents, and the statements that fill them once.

    `triggers` and `drop` are by database vendor ("sqlite", "postgresql"); going back drops the
    triggers and empties the tables.
    """

    def create(apps, schema_editor):
        for statement in triggers.get(schema_editor.connection.vendor, []) + fill:
            schema_editor.execute(statement)

    def remove(apps, schema_editor):
        for statement in drop.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
        for table in tables:  # the migration's own names, never input
            schema_editor.execute(f"DELETE FROM {schema_editor.quote_name(table)}")  # noqa: S608

    return migrations.RunPython(create, remove)
