"""Every report of SPEC section 8, registered with reports.base.register.

Each report scopes to the user's customers first (the rule every page follows), filters in
the database and yields its rows lazily. Totals are added up in Python as the rows pass —
exact Decimals, where SQLite would sum floats — so `ReportResult.totals` is complete once the
last row has been read: the page, the print view and the export read it after the rows.
A report too long to read for every page (the sales detail) also offers `ReportResult.page`:
the database counts and adds up in whole cents, and only the page's rows are read.

Salesperson and assistant are those of the customer (whose customer it is, the same rule
that scopes the rows), except in the sales register, where each order names its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import CustomerPrice, Product, RebatePrice
from salesdesk.catalog.selectors import price_list_for_user, rebate_list_for_user
from salesdesk.commissions.models import StatementLine
from salesdesk.commissions.selectors import accrual_list, with_states
from salesdesk.core.money import CENT, QUANTITY_PLACES, UNIT_PRICE_PLACES, to_amount
from salesdesk.core.roles import scope_to_user, sees_prices
from salesdesk.core.spreadsheets import Column
from salesdesk.customers.models import Customer
from salesdesk.orders.models import Channel, OrderLine, OrderStatus, ShipMethod
from salesdesk.orders.selectors import OrderFilter, order_list
from salesdesk.receivables.models import PaymentMethod
from salesdesk.receivables.selectors import (
    BUCKETS,
    LedgerRow,
    cents,
    ledger_customers,
    ledger_rows,
    receipt_list,
    salesperson_name,
)
from salesdesk.reports.base import Filters, Report, ReportPage, ReportResult, register
from salesdesk.reports.cells import Cells, Made, from_units, held, held_day
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundLine, OutboundStatus
from salesdesk.warehouse.selectors import CourierLogFilter, courier_log

MONEY = "#,##0.00"
QUANTITY = "#,##0.###"
UNIT_PRICE = "#,##0.00##"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
CHUNK = 2000  # rows fetched at a time when a report streams
PEOPLE = ("salesperson_name", "assistant_name")  # annotated by _names
AS_OF = ("date_to", "customer", "salesperson", "assistant")  # reports of one day, not a period
PERIOD_CUSTOMERS = ("date_from", "date_to", "customer", "salesperson", "assistant")

# The index page's groups, in the order a day's work flows.
GROUPS = [
    ("sales", gettext_lazy("Sales"), ("sales_outbound", "sales_detail", "sales_register", "courier_log")),
    ("money", gettext_lazy("Money"), ("sales_receipts", "summary", "ar_detail", "ar_aging")),
    ("prices", gettext_lazy("Prices"), ("customer_prices", "rebate_settings")),
    ("commissions", gettext_lazy("Commissions"), ("commission_statement",)),
]


# --- shared pieces --------------------------------------------------------------------------


def _text(field: str, header: str, width: int = 14) -> Column:
    return Column(field, header, width=width)


def _date(field: str, header: str) -> Column:
    return Column(field, header, number_format=DATE, width=12)


def _money(field: str, header: str) -> Column:
    return Column(field, header, number_format=MONEY, width=14)


def _customer_columns(*, assistant: bool = False) -> list[Column]:
    columns = [
        _text("customer_code", _("customer code"), 10),
        _text("customer", _("customer"), 30),
        _text("salesperson", _("salesperson"), 10),
    ]
    return [*columns, _text("assistant", _("sales assistant"), 10)] if assistant else columns


def _tally(
    rows: Iterable[Sequence], columns: Sequence[Column], fields: Sequence[str], totals: dict
) -> Iterator:
    """Pass the rows through, adding up `fields`; `totals` is filled in after the last row."""
    where = [(i, c.field, c.number_format == MONEY) for i, c in enumerate(columns) if c.field in fields]
    sums = {field: Decimal("0") for _i, field, _is_money in where}
    for row in rows:
        for i, field, _is_money in where:
            sums[field] += row[i] or 0
        yield row
    totals.update(
        {field: to_amount(sums[field]) if is_money else sums[field] for _i, field, is_money in where}
    )


def _result(columns: list[Column], rows: Iterable[Sequence], totalled: Sequence[str] = ()) -> ReportResult:
    result = ReportResult(columns, iter(()))
    result.rows = _tally(rows, columns, totalled, result.totals)
    return result


def _at(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def _names(path: str) -> dict:
    """`salesperson_name` and `assistant_name`: the names of those `path` names, as the pages show people."""
    return {
        f"{who}_name": Coalesce(
            NullIf(F(_at(path, f"{who}__first_name")), Value("")), F(_at(path, f"{who}__username"))
        )
        for who in ("salesperson", "assistant")
    }


def _match(f: Filters, customer: str, people: str | None = None) -> Q:
    """The customer, salesperson and assistant filters. `customer` leads to the customer;
    `people` to whoever holds salesperson and assistant (the customer unless given)."""
    people = customer if people is None else people
    q = Q()
    text = _clean(f.customer)
    if text:
        q &= Q(**{_at(customer, "code__iexact"): text}) | Q(**{_at(customer, "name__icontains"): text})
    if f.salesperson:
        q &= Q(**{_at(people, "salesperson_id"): f.salesperson})
    if f.assistant:
        q &= Q(**{_at(people, "assistant_id"): f.assistant})
    return q


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query; nobody types it


def _product_q(text: str, path: str = "product") -> Q:
    text = _clean(text)
    return Q(**{f"{path}__model_code__iexact": text}) | Q(**{f"{path}__name__icontains": text})


def _period(qs: QuerySet, field: str, f: Filters) -> QuerySet:
    if f.date_from:
        qs = qs.filter(**{f"{field}__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{field}__lte": f.date_to})
    return qs


def _stream(qs: QuerySet, *fields: str) -> Iterator:
    """Rows as named tuples, fetched a chunk at a time: a long period never sits in memory."""
    return qs.values_list(*fields, named=True).iterator(chunk_size=CHUNK)


def _signed_units(field: str, places: Decimal, *, negative: Q) -> Sum:
    """The sum of `field` in whole units of `places` (cents for amounts), negated where `negative`:
    whole numbers, because SQLite would add the decimals up as floats. Each value is rounded to
    `places` first, as the rows are."""
    units = Cast(Round(F(field) * Value(10 ** -places.as_tuple().exponent)), BigIntegerField())
    sign = Case(When(negative, then=Value(-1)), default=Value(1), output_field=BigIntegerField())
    return Sum(sign * units)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


# --- sales ----------------------------------------------------------------------------------


def sales_outbound(user, f: Filters) -> ReportResult:
    """销售出库报表: every posted outbound of the period — sales, returns and write-offs."""
    columns = [
        _date("posting_date", _("posting date")),
        _text("number", _("outbound number"), 16),
        _text("kind", _("kind"), 8),
        *_customer_columns(assistant=True),
        _text("order", _("order"), 16),
        _money("amount", _("amount")),
    ]
    qs = scope_to_user(Outbound.objects.filter(status=OutboundStatus.POSTED), user, "customer")
    qs = _period(qs, "posting_date", f).filter(_match(f, "customer"))
    if f.product.strip():
        qs = qs.filter(Exists(OutboundLine.objects.filter(_product_q(f.product), outbound=OuterRef("pk"))))
    qs = qs.annotate(**_names("customer")).order_by("posting_date", "number")
    fields = ("posting_date", "number", "kind", "customer__code", "customer__name", *PEOPLE)
    kinds = _labels(OutboundKind)
    rows = (
        (*r[:2], kinds[r.kind], *r[3:7], r.order__number or "", r.amount)
        for r in _stream(qs, *fields, "order__number", "amount")
    )
    return _result(columns, rows, ["amount"])


def sales_detail(user, f: Filters) -> ReportResult:
    """销售明细: every posted outbound line, streamed; returns count negative."""
    columns = [
        _date("posting_date", _("posting date")),
        _text("number", _("outbound number"), 16),
        _text("kind", _("kind"), 8),
        *_customer_columns(),
        _text("model_code", _("model code"), 12),
        _text("product", _("product name"), 24),
        Column("quantity", _("quantity"), number_format=QUANTITY, width=10),
        Column("unit_price", _("unit price"), number_format=UNIT_PRICE, width=12),
        _money("amount", _("amount")),
    ]
    lines = OutboundLine.objects.filter(outbound__status=OutboundStatus.POSTED)
    lines = scope_to_user(lines, user, "outbound__customer").filter(_match(f, "outbound__customer"))
    lines = _period(lines, "outbound__posting_date", f)
    if f.product.strip():
        lines = lines.filter(_product_q(f.product))
    # Customers and products by id, their names from two small reads rather than joined onto
    # every line: a month's 22,000 lines name a few hundred of each.
    vendor = connections[lines.db].vendor
    qs = lines.order_by("outbound__posting_date", "outbound__number", "id").values_list(
        held_day("outbound__posting_date", vendor),
        "outbound__number",
        "outbound__kind",
        "outbound__customer_id",
        "product_id",
        held("quantity"),
        held("unit_price"),
        held("amount"),
    )
    kinds = _labels(OutboundKind)
    sale = OutboundKind.SALE

    def made(fetched: Iterable[tuple], names: _Names, totals: dict, cells: Cells) -> Iterator[tuple]:
        # Plain tuples by position, added up here rather than by `_tally`: this runs once for
        # every line of the period.
        customers, products = names
        days, amount_cell = Made(cells.day()), cells.number(CENT)
        quantities, prices = Made(cells.number(QUANTITY_PLACES)), Made(cells.number(UNIT_PRICE_PLACES))
        quantity_units, amount_units = Made(cells.units(QUANTITY_PLACES)), cells.units(CENT)
        total_quantity = total_amount = count = 0
        for day, number, kind, customer, product, quantity, price, amount in fetched:
            if kind != sale:
                quantity = -quantity
                amount = -amount if amount else amount  # a float's -0.0 would write -0.00
            total_quantity += quantity_units[quantity]
            total_amount += amount_units(amount)
            count += 1
            yield (
                days[day],
                number,
                kinds[kind],
                *customers[customer],
                *products[product],
                quantities[quantity],
                prices[price],
                amount_cell(amount),
            )
        totals.update(
            quantity=cells.total(total_quantity, QUANTITY_PLACES, any_rows=count > 0),
            amount=to_amount(cells.total(total_amount, CENT, any_rows=count > 0)),
        )

    def page(offset: int, limit: int, *, as_text: bool = False) -> ReportPage:
        returned = ~Q(outbound__kind=sale)
        summary = lines.aggregate(
            count=Count("pk"),
            quantity=_signed_units("quantity", QUANTITY_PLACES, negative=returned),
            amount=_signed_units("amount", CENT, negative=returned),
        )
        totals = {
            "quantity": from_units(summary["quantity"], QUANTITY_PLACES),
            "amount": to_amount(from_units(summary["amount"], CENT)),
        }
        fetched = list(qs[offset : offset + limit])
        names = _line_names(user, {row[3] for row in fetched}, {row[4] for row in fetched})
        rows = list(made(fetched, names, {}, Cells(vendor, as_text=as_text)))
        return ReportPage(rows, summary["count"], totals)

    def every_row(*, as_text: bool) -> Iterator[tuple]:
        # A generator: the names are read when the first row is, never for a page.
        names = _line_names(user)
        yield from made(qs.iterator(chunk_size=CHUNK), names, result.totals, Cells(vendor, as_text=as_text))

    result = ReportResult(columns, iter(()), page=page, text_rows=lambda: every_row(as_text=True))
    result.rows = every_row(as_text=False)
    return result


_Names = tuple[dict[int, tuple[str, str, str]], dict[int, tuple[str, str]]]


def _line_names(user, customer_ids: set[int] | None = None, product_ids: set[int] | None = None) -> _Names:
    """Code, name and salesperson of the user's customers, and model code and name of the
    products: those of `customer_ids` and `product_ids`, or all (a few thousand at most)."""
    customers = scope_to_user(Customer.objects.all(), user)
    products = Product.objects.all()
    if customer_ids is not None:
        customers = customers.filter(pk__in=customer_ids)
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    customers = customers.annotate(person=_names("")["salesperson_name"])
    return (
        {row[0]: row[1:] for row in customers.values_list("pk", "code", "name", "person")},
        {row[0]: row[1:] for row in products.values_list("pk", "model_code", "name")},
    )


def sales_register(user, f: Filters) -> ReportResult:
    """《销售记录本》: every order registered in the period; amounts only for those who see prices."""
    show_money = sees_prices(user)
    columns = [
        _text("number", _("register number"), 16),
        Column("registered_at", _("registered at"), number_format=DATETIME, width=16),
        *_customer_columns(assistant=True),
        _text("channel", _("channel"), 12),
        _text("ship_method", _("ship method"), 10),
        _text("status", _("status"), 10),
        *([_money("total", _("amount"))] if show_money else []),
    ]
    qs = order_list(user=user, filters=OrderFilter(date_from=f.date_from, date_to=f.date_to))
    qs = qs.filter(_match(f, "customer", people=""), number__isnull=False)
    if f.product.strip():
        qs = qs.filter(Exists(OrderLine.objects.filter(_product_q(f.product), order=OuterRef("pk"))))
    qs = qs.annotate(**_names("")).order_by("registered_at", "number")
    fields = ("number", "registered_at", "customer__code", "customer__name", *PEOPLE)
    labels = {"channel": _labels(Channel), "ship_method": _labels(ShipMethod), "status": _labels(OrderStatus)}

    def rows() -> Iterator[list]:
        for r in _stream(qs, *fields, *labels, "total"):
            row = [*r[:6], *(labels[name][getattr(r, name)] for name in labels)]
            yield [*row, cents(r.total)] if show_money else row

    return _result(columns, rows(), ["total"])


def courier_log_report(user, f: Filters) -> ReportResult:
    """《快递记录本》: shipments of the period; the COD amount only for those who see money."""
    show_money = sees_prices(user)
    columns = [
        _date("shipped_on", _("shipped on")),
        _text("carrier", _("carrier"), 16),
        _text("tracking_number", _("tracking number"), 20),
        _text("outbound", _("outbound number"), 16),
        *_customer_columns()[:2],
        *([_money("cod_amount", _("COD amount"))] if show_money else []),
        _date("cod_returned_on", _("COD returned on")),
        _text("note_required", _("signed note required"), 8),
        _date("note_returned_on", _("signed note returned on")),
    ]
    period = CourierLogFilter(date_from=f.date_from, date_to=f.date_to)
    qs = courier_log(user=user, filters=period, on=timezone.localdate()).filter(
        _match(f, "outbound__customer")
    )
    if f.product.strip():
        lines = OutboundLine.objects.filter(_product_q(f.product), outbound=OuterRef("outbound"))
        qs = qs.filter(Exists(lines))
    fields = ("shipped_on", "carrier__name", "driver", "tracking_number", "outbound__number")
    more = ("outbound__customer__code", "outbound__customer__name", "cod_amount", "cod_returned_on")
    own, yes = _("Own delivery"), _("yes")

    def rows() -> Iterator[list]:
        for r in _stream(qs, *fields, *more, "note_required", "note_returned_on"):
            row = [r.shipped_on, r.carrier__name or f"{own}: {r.driver}", *r[3:7]]
            row += [r.cod_amount] if show_money else []
            yield [*row, r.cod_returned_on, yes if r.note_required else "", r.note_returned_on]

    return _result(columns, rows(), ["cod_amount"])


# --- money ----------------------------------------------------------------------------------


def sales_receipts(user, f: Filters) -> ReportResult:
    """销售收款报表: money received in the period, what it settled, and what finance must see."""
    columns = [
        _date("received_on", _("received on")),
        _text("number", _("receipt number"), 16),
        *_customer_columns(),
        _text("method", _("payment method"), 12),
        _money("amount", _("amount")),
        _money("applied", _("applied")),
        _money("difference", _("difference")),
        _text("note", _("note"), 30),
        _text("entered_late", _("entered late"), 8),
        _date("reached_finance_on", _("money reached finance on")),
    ]
    qs = _period(receipt_list(user), "received_on", f).filter(_match(f, "customer"))
    qs = qs.annotate(**_names("customer")).order_by("received_on", "number")
    fields = ("received_on", "number", "customer__code", "customer__name", "salesperson_name", "method")
    methods, yes = _labels(PaymentMethod), _("yes")

    def rows() -> Iterator[list]:
        for r in _stream(
            qs, *fields, "amount", "applied", "difference", "note", "entered_late", "reached_finance_on"
        ):
            row = [*r[:5], methods[r.method], r.amount, cents(r.applied), r.difference, r.note]
            yield [*row, yes if r.entered_late else "", r.reached_finance_on]

    return _result(columns, rows(), ["amount", "applied", "difference"])


def _ledger(user, f: Filters, date_from: dt.date, date_to: dt.date, *, aging: bool = True) -> list[LedgerRow]:
    customers = scope_to_user(Customer.objects.all(), user).filter(_match(f, ""))
    return ledger_rows(ledger_customers(customers), date_from, date_to, aging=aging)


def _bucket_columns() -> list[Column]:
    return [_money(key, str(label)) for key, label, _low, _high in BUCKETS]


def _buckets(row: LedgerRow) -> list[Decimal]:
    return [row.buckets[key] for key, *_rest in BUCKETS]


def _customer_cells(row: LedgerRow) -> list:
    c = row.customer  # a row of `ledger_customers`
    return [c.code, c.name, salesperson_name(c)]


def _ledger_columns() -> list[Column]:
    return [
        *_customer_columns(),
        _money("opening", _("opening balance")),
        _money("sales", _("sales")),
        _money("returns", _("returns")),
        _money("receipts", _("receipts")),
        _money("write_offs", _("write-offs")),
        _money("closing", _("closing balance")),
    ]


def _ledger_cells(row: LedgerRow) -> list:
    return [
        *_customer_cells(row),
        row.opening,
        row.sales,
        row.returns,
        row.receipts,
        row.write_offs,
        row.closing,
    ]


def _money_fields(columns: list[Column]) -> list[str]:
    return [c.field for c in columns if c.number_format == MONEY]


def summary(user, f: Filters) -> ReportResult:
    """报表汇总: per customer, opening, the period's movements and closing."""
    columns = _ledger_columns()
    rows = _ledger(user, f, f.date_from or dt.date.min, f.date_to or timezone.localdate(), aging=False)
    return _result(columns, (_ledger_cells(row) for row in rows), _money_fields(columns))


def ar_detail(user, f: Filters) -> ReportResult:
    """《累计应收账款明细表》: the summary, with the aging at the period's end and unapplied credit."""
    columns = [*_ledger_columns(), *_bucket_columns(), _money("unapplied", _("unapplied credit"))]
    rows = _ledger(user, f, f.date_from or dt.date.min, f.date_to or timezone.localdate())
    cells = ([*_ledger_cells(row), *_buckets(row), row.unapplied] for row in rows)
    return _result(columns, cells, _money_fields(columns))


def ar_aging(user, f: Filters) -> ReportResult:
    """账龄分析: per customer on a day, the balance by days overdue; buckets − unapplied = balance."""
    day = f.date_to or timezone.localdate()
    columns = [
        *_customer_columns(),
        _money("balance", _("balance")),
        *_bucket_columns(),
        _money("unapplied", _("unapplied credit")),
    ]
    rows = [row for row in _ledger(user, f, day, day) if row.closing or any(row.buckets.values())]
    cells = ([*_customer_cells(row), row.closing, *_buckets(row), row.unapplied] for row in rows)
    return _result(columns, cells, _money_fields(columns))


# --- prices ---------------------------------------------------------------------------------


def _in_force(qs: QuerySet, model, on: dt.date) -> QuerySet:
    """Per customer × product, the row in force on `on`: the latest that started by then."""
    latest = (
        model.objects.filter(customer=OuterRef("customer"), product=OuterRef("product"), valid_from__lte=on)
        .order_by("-valid_from", "-pk")
        .values("pk")[:1]
    )
    return qs.filter(valid_from__lte=on, pk=Subquery(latest))


def _prices_in_force(qs: QuerySet, model, f: Filters, *fields: str) -> Iterator:
    qs = _in_force(qs, model, f.date_to or timezone.localdate()).filter(_match(f, "customer"))
    if f.product.strip():
        qs = qs.filter(_product_q(f.product))
    qs = qs.annotate(**_names("customer")).order_by("customer__code", "product__model_code")
    head = ("customer__code", "customer__name", "salesperson_name", "product__model_code", "product__name")
    return _stream(qs, *head, *fields)


def _product_columns() -> list[Column]:
    return [_text("model_code", _("model code"), 12), _text("product", _("product name"), 24)]


def customer_prices(user, f: Filters) -> ReportResult:
    """客户价格管理: the agreed price in force per customer and product."""
    columns = [
        *_customer_columns(),
        *_product_columns(),
        Column("unit_price", _("agreed unit price"), number_format=UNIT_PRICE, width=12),
        _date("valid_from", _("valid from")),
        _text("note", _("note"), 24),
    ]
    rows = _prices_in_force(
        price_list_for_user(user=user), CustomerPrice, f, "unit_price", "valid_from", "note"
    )
    return _result(columns, rows)


def rebate_settings(user, f: Filters) -> ReportResult:
    """客户回扣设置: the rebate price in force per customer and product, and to whom it is paid."""
    columns = [
        *_customer_columns(),
        *_product_columns(),
        Column("rebate_unit_price", _("rebate unit price"), number_format=UNIT_PRICE, width=12),
        _date("valid_from", _("valid from")),
        _text("payee", _("payee"), 10),
        _text("payee_bank", _("payee bank"), 20),
        _text("payee_account", _("payee account"), 22),
    ]
    fields = ("rebate_unit_price", "valid_from", "payee_name", "payee_bank", "payee_account")
    return _result(columns, _prices_in_force(rebate_list_for_user(user=user), RebatePrice, f, *fields))


# --- commissions ----------------------------------------------------------------------------


def commission_statement(user, f: Filters) -> ReportResult:
    """佣金明细: accruals posted in the period, where each stands, on which statement, paid when."""
    columns = [
        _date("posting_date", _("posting date")),
        _text("payee", _("payee"), 10),
        *_customer_columns()[:2],
        _text("outbound", _("outbound number"), 16),
        *_product_columns(),
        Column("quantity", _("quantity"), number_format=QUANTITY, width=10),
        Column("rebate_unit_price", _("rebate unit price"), number_format=UNIT_PRICE, width=12),
        _money("amount", _("commission")),
        _text("state", _("state"), 14),
        _text("statement", _("statement number"), 16),
        _date("paid_on", _("paid on")),
    ]
    on_statement = StatementLine.objects.filter(accrual=OuterRef("pk"), active=True).values(
        "statement__number"
    )
    qs = _period(accrual_list(user), "posting_date", f).filter(_match(f, "customer"))
    if f.product.strip():
        qs = qs.filter(_product_q(f.product, "outbound_line__product"))
    qs = qs.annotate(statement_number=Subquery(on_statement[:1]), paid_on=F("payout_item__payout__paid_on"))
    rows = (
        [a.posting_date, a.payee_name, a.customer.code, a.customer.name, a.outbound.number]
        + [a.outbound_line.product.model_code, a.outbound_line.product.name, a.quantity, a.rebate_unit_price]
        + [a.amount, str(a.state_label), a.statement_number or "", a.paid_on]
        for a in with_states(qs.order_by("posting_date", "id"))
    )
    return _result(columns, rows, ["amount"])


# --- the register ---------------------------------------------------------------------------

MONEY_PERMISSION = "receivables.view_receipt"  # amounts are money: the warehouse may not open these

register(Report("sales_outbound", gettext_lazy("Sales outbound report"), sales_outbound, MONEY_PERMISSION))
register(
    Report(
        "sales_receipts",
        gettext_lazy("Sales receipts report"),
        sales_receipts,
        MONEY_PERMISSION,
        PERIOD_CUSTOMERS,
    )
)
register(
    Report(
        "rebate_settings",
        gettext_lazy("Customer rebate settings"),
        rebate_settings,
        "catalog.view_rebateprice",
        (*AS_OF, "product"),
        default_period="",
    )
)
register(
    Report(
        "customer_prices",
        gettext_lazy("Customer price management"),
        customer_prices,
        "catalog.view_customerprice",
        (*AS_OF, "product"),
        default_period="",
    )
)
register(Report("summary", gettext_lazy("Summary"), summary, MONEY_PERMISSION, PERIOD_CUSTOMERS))
register(Report("sales_detail", gettext_lazy("Sales detail"), sales_detail, MONEY_PERMISSION))
# The same rule as the sales register page: everyone with a role, the warehouse without amounts.
register(Report("sales_register", gettext_lazy("Sales register"), sales_register, "customers.view_customer"))
register(Report("courier_log", gettext_lazy("Courier log"), courier_log_report, "warehouse.view_outbound"))
register(
    Report("ar_detail", gettext_lazy("Cumulative AR detail"), ar_detail, MONEY_PERMISSION, PERIOD_CUSTOMERS)
)
register(Report("ar_aging", gettext_lazy("AR aging"), ar_aging, MONEY_PERMISSION, AS_OF, default_period=""))
register(
    Report(
        "commission_statement",
        gettext_lazy("Commission detail"),
        commission_statement,
        "commissions.view_commissionaccrual",
    )
)
