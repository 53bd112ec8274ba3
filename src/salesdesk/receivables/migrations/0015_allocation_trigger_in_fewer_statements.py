"""PostgreSQL's allocation trigger does its work in one or two statements a side instead of three.

The trigger of migration 0006 asked first whether enough was open on the sale, the receipt and
the credit, then ran a DELETE and an UPDATE for each side, nine statements for every allocation,
the credit's and the receipt's even when the allocation had none. Now each side it has is one
DELETE of what it settles in full or, failing that, one UPDATE of what it settles in part; when
neither finds its row, the allocation is beyond what is open and is refused with the same
message. An exception undoes what the trigger did before it, so checking as it goes refuses
the same allocations the checks up front did.

Allocations are the generator's slowest rows to write (170 µs each at scale 0.1) and every
receipt writes at least one. SQLite's trigger stays: its statements run inside the engine, with
no round trip and no planning to save.
"""

import importlib

from django.db import migrations

# Migration 0006 wrote the trigger and its message; going back restores its body as it wrote it.
KEPT_BY_TRIGGERS = importlib.import_module(
    "salesdesk.receivables.migrations.0006_open_items_kept_by_the_database"
)
OVER = KEPT_BY_TRIGGERS.OVER

# What it takes off one side: the row it settles in full goes, else the row holding more
# shrinks, else the allocation is refused.
SIDE = """
        DELETE FROM {table} WHERE {key} = {id} AND {amount} = NEW.amount;
        IF NOT FOUND THEN
            UPDATE {table} SET amount = amount {sign} NEW.amount WHERE {key} = {id} AND {amount} > NEW.amount;
            IF NOT FOUND THEN
                RAISE EXCEPTION '{over}';
            END IF;
        END IF;"""


def _side(table: str, key: str, id_: str, *, credit: bool = False) -> str:
    amount, sign = ("-amount", "+") if credit else ("amount", "-")
    return SIDE.format(table=table, key=key, id=id_, amount=amount, sign=sign, over=OVER)


FEWER = f"""CREATE OR REPLACE FUNCTION salesdesk_open_item_allocated() RETURNS trigger AS $$
    BEGIN
        {_side("receivables_openitem", "outbound_id", "NEW.sale_id")}
        IF NEW.receipt_id IS NOT NULL THEN
            {_side("receivables_unappliedreceipt", "receipt_id", "NEW.receipt_id")}
        END IF;
        IF NEW.credit_id IS NOT NULL THEN
            {_side("receivables_openitem", "outbound_id", "NEW.credit_id", credit=True)}
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql"""

CHECKS_FIRST = next(
    statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    for statement in KEPT_BY_TRIGGERS.POSTGRESQL
    if statement.startswith("CREATE FUNCTION salesdesk_open_item_allocated()")
)


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("receivables", "0014_invoices_not_received_indexed")]

    operations = [migrations.RunPython(_on_postgresql(FEWER), _on_postgresql(CHECKS_FIRST))]
