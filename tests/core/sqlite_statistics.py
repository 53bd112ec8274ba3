"""Scale 1's planner statistics written into a test database, so that SQLite chooses its plans
there as it does on three years of a busy distributor."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def load_statistics(
    per_table: dict[str, dict], *, unlisted: str = "500"
) -> dict[str, dict[tuple[str, ...], str]]:
    """Write `per_table` into `sqlite_stat1` and have SQLite read it again.

    Each table's stats are keyed by an index's columns, or by its name (for a partial index); the
    first one gives the table's row count, which an index not listed (added since) gets with
    `unlisted` rows per key. Returns, per table, the name of the index on each list of columns,
    in the order SQLite lists them.
    """
    names: dict[str, dict[tuple[str, ...], str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for table, stats in per_table.items():
            rows = next(iter(stats.values())).split()[0]
            names[table] = {}
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])
            for row in cursor.execute(f"PRAGMA index_list({table})").fetchall():
                columns = tuple(c[2] for c in cursor.execute(f"PRAGMA index_info({row[1]})").fetchall())
                names[table][columns] = row[1]
                stat = stats.get(row[1], stats.get(columns, " ".join([rows, *[unlisted] * len(columns)])))
                cursor.execute("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", [table, row[1], stat])
        cursor.execute("ANALYZE sqlite_schema")  # read the statistics again
    return names


def plans_of(read: Callable[[], object], *, table: str | None = None) -> list[str]:
    """The plan of each statement `read` sends (only those reading `table`, if given), in order."""
    with CaptureQueriesContext(connection) as statements:
        read()
    plans = []
    with connection.cursor() as cursor:
        for statement in statements:
            if table is None or f'FROM "{table}"' in statement["sql"]:
                cursor.execute("EXPLAIN QUERY PLAN " + statement["sql"])
                plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    return plans
