"""Database housekeeping that is not business."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Field, Func, Q
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


def refresh_statistics() -> None:
    """Let the query planner know how big the tables are now.

    SQLite keeps no statistics of its own: without them it may read every line ever sold of a
    product to find the few on open orders (reserved stock took 12 ms instead of 0.3 ms on a
    year of history). PostgreSQL's autovacuum does this too; running it once more is harmless.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")  # a sample per index: quick at any size
        cursor.execute("ANALYZE")


class _SQLitePlannerHint(Func):
    """Words for SQLite's planner around one expression; PostgreSQL gets the expression as it is."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


class Rare(_SQLitePlannerHint):
    """A condition few rows meet, said so to SQLite's planner (`likelihood`).

    SQLite's statistics give each index key its average share of the table: two order statuses
    of seven look like two thirds of the orders, so it walks the ship-date index through every
    order ever shipped to find the hundred still open (22 ms at scale 1, not 0.1). PostgreSQL
    keeps each value's own share and is given the condition as it is, with its values written in.
    """

    template = "likelihood(%(expressions)s, 0.001)"
    output_field = BooleanField()

    def __init__(self, condition: Q) -> None:
        super().__init__(ExpressionWrapper(condition, output_field=BooleanField()))

    def as_postgresql(self, compiler, connection, **extra_context):
        """The condition with its values written into the statement, not bound.

        A statement the connection runs more than five times may get PostgreSQL's generic plan,
        made without the values (`prepare_threshold`, docs/decisions.md). Four statuses of seven
        then looked like most of the orders: the salesperson's open orders were found by walking
        every order ever registered, 68 ms instead of 1. Written in, the statuses are part of the
        statement, and its plan knows their share. The values are the business's own states,
        never what a user typed; psycopg quotes them.
        """
        sql, params = compiler.compile(self.source_expressions[0])
        return connection.ops.compose_sql(sql, params).replace("%", "%%"), ()


class NotFromIndex(_SQLitePlannerHint):
    """A column SQLite must not read through an index to group or sort by (its unary `+`).

    Summing a year of outbounds by customer, SQLite skipped through the (customer, status, date)
    index once per customer to have the groups in order: every posted outbound ever, 65 ms at
    scale 1, where reading the year by its dates and sorting 2,000 sums takes 25. PostgreSQL is
    given the column as it is.
    """

    template = "+%(expressions)s"


class CheckedInOrder(_SQLitePlannerHint):
    """A condition SQLite checks on each row as it walks the list's order, not one it gathers from
    its indexes (a unary `+` over the whole condition hides its `OR` from the planner).

    An assistant sees the calls they answered, those they owe a follow-up on, their customers'
    and every prospect's: four indexes. Gathered and sorted, the newest 25 of an assistant's
    31,000 took 18 ms at scale 1; walking the calls newest first finds them among the first
    hundred or so, 0.2 ms. Counting them all still wants the indexes, so only a page's cut says
    this. PostgreSQL is given the condition as it is.
    """

    template = "+(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, condition: Q) -> None:
        super().__init__(ExpressionWrapper(condition, output_field=BooleanField()))


class _AsOneArray:
    """`as_postgresql` of `AnyOf`: the values as one array parameter."""

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        values = list(dict.fromkeys(v for v in self.rhs if v is not None))
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        array = [field.get_db_prep_value(v, connection, prepared=True) for v in values]
        return f"{lhs} = ANY(%s)", (*lhs_params, array)


@Field.register_lookup
class AnyOf(_AsOneArray, In):
    """`field__any_of=values`: `field__in`, with the values sent to PostgreSQL as one array.

    A list of thousands of ids (the sales behind finance's 2,268 unpaid accruals) written out as
    `IN (%s, %s, …)` is a statement of its own for every length: psycopg splits it in Python and
    PostgreSQL plans it afresh, 12 ms for 2,000 ids where `= ANY(%s)` takes 3. SQLite gets the
    `IN` list as before. Registered on every field (and below on every relation) when the core
    app loads.
    """

    lookup_name = "any_of"


@ForeignObject.register_lookup
class RelatedAnyOf(_AsOneArray, RelatedIn):
    """`any_of` on a foreign key or one-to-one field: its values made ids as `__in` makes them."""

    lookup_name = "any_of"
