"""Every index of the database serves a lookup that no other index of its table serves.

An index whose columns begin another index (or a unique constraint) answers nothing the longer
one does not, and costs every insert and every update of its columns. Django adds one to each
foreign key unless told `db_index=False`, so they creep in.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


class TableIndex(NamedTuple):
    name: str
    columns: tuple[str, ...]
    unique: bool
    partial: bool  # covers only the rows of its WHERE: not a stand-in for a full index


def table_indexes(table: str) -> list[TableIndex]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")
            found = []
            for _seq, name, unique, _origin, partial in cursor.fetchall():
                cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(name)})")
                columns = tuple(column for _rank, _cid, column in sorted(cursor.fetchall()))
                found.append(TableIndex(name, columns, bool(unique), bool(partial)))
            return found
        # PostgreSQL. A pattern-ops copy (Django's `_like` for LIKE 'x%' on a text field) is a
        # different kind of index: it is not compared.
        cursor.execute(
            """
            SELECT index.relname, ix.indisunique, ix.indpred IS NOT NULL,
                   array(SELECT attribute.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(num, rank)
                         JOIN pg_attribute AS attribute
                           ON attribute.attrelid = ix.indrelid AND attribute.attnum = k.num
                         ORDER BY k.rank)
            FROM pg_index AS ix
            JOIN pg_class AS index ON index.oid = ix.indexrelid
            WHERE ix.indrelid = %s::regclass
              AND pg_get_indexdef(ix.indexrelid) NOT LIKE '%%pattern_ops%%'
            """,
            [connection.ops.quote_name(table)],
        )
        return [
            TableIndex(name, tuple(columns), unique, partial) for name, unique, partial, columns in cursor
        ]


def our_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model.__module__.startswith("salesdesk.") and model._meta.managed
        }
    )


def redundant(indexes: list[TableIndex]) -> list[tuple[str, str]]:
    """(index, the index that already serves it) for each plain index that begins another."""
    return [
        (short.name, long.name)
        for short in indexes
        if not short.unique and not short.partial
        for long in indexes
        if long.name != short.name
        and not long.partial
        and long.columns[: len(short.columns)] == short.columns
    ]


def test_no_index_of_ours_is_the_start_of_another_index_of_its_table():
    tables = our_tables()
    assert "orders_salesorder" in tables and "warehouse_outbound" in tables
    found = {table: redundant(table_indexes(table)) for table in tables}
    assert {table: pairs for table, pairs in found.items() if pairs} == {}


def test_the_check_finds_an_index_that_begins_another():
    # The test above passes on an empty list too: it must be able to see one.
    indexes = table_indexes("orders_salesorder")
    assert any(index.columns == ("customer_id", "status") for index in indexes)
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "extra_customer" ON "orders_salesorder" ("customer_id")')
        try:
            assert ("extra_customer", "orders_sale_custome_bd83cb_idx") in redundant(
                table_indexes("orders_salesorder")
            )
        finally:
            cursor.execute('DROP INDEX "extra_customer"')


def test_a_unique_or_partial_index_is_never_taken_for_redundant():
    indexes = [
        TableIndex("a", ("x",), unique=True, partial=False),
        TableIndex("b", ("x", "y"), unique=False, partial=False),
        TableIndex("c", ("y",), unique=False, partial=True),
        TableIndex("d", ("y", "z"), unique=False, partial=False),
        TableIndex("e", ("z",), unique=False, partial=False),
        TableIndex("f", ("z", "w"), unique=False, partial=True),
    ]
    assert redundant(indexes) == []
