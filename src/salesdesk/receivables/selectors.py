"""Reads of the receivables: balances, open items, aging, statements and month-end figures.

Every figure is computed from posted outbounds, receipts and allocations, so a balance can
never drift from its documents. Per-customer figures for many customers are computed in a
fixed number of GROUP BY queries, not one query per customer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from salesdesk.core.money import AMOUNT, to_amount
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.receivables.models import (
    Allocation,
    Invoice,
    OpenItem,
    Receipt,
    ReceiptSlip,
    Statement,
    StatementStatus,
    ToInvoice,
    UnappliedReceipt,
    WriteOffItem,
)
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus

ZERO = Decimal("0.00")
MONEY = DecimalField(**AMOUNT)

# Aging buckets by days past the due date: (key, label, lowest day, highest day).
BUCKETS = [
    ("not_due", gettext_lazy("Not due"), None, 0),
    ("d1_30", gettext_lazy("1–30 days overdue"), 1, 30),
    ("d31_60", gettext_lazy("31–60 days overdue"), 31, 60),
    ("d61_90", gettext_lazy("61–90 days overdue"), 61, 90),
    ("over_90", gettext_lazy("Over 90 days overdue"), 91, None),
]


def bucket_of(days_overdue: int) -> str:
    for key, _label, low, high in BUCKETS:
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return key
    return "over_90"


_NO_OUTBOUNDS = dict.fromkeys(("before", "sales", "returns", "write_offs"), ZERO)
_NO_RECEIPTS = dict.fromkeys(("before", "receipts"), ZERO)


# Settled documents are left out in SQL, the rest decided to the cent in Python (see `cents`):
# a customer's years of settled history are not read to find the few open items.
HALF_CENT = Decimal("0.005")


def cents(value) -> Decimal:
    """A sum read back from the database, to the cent.

    SQLite adds decimals as binary floats (3210.8 comes back as 3210.8000000000000); every
    amount is a whole number of cents, so rounding the sum to the cent restores it exactly.
    """
    return to_amount(value or 0)


def _sum(qs: QuerySet, column: str = "amount") -> Decimal:
    return cents(qs.aggregate(total=Coalesce(Sum(column), Value(ZERO), output_field=MONEY))["total"])


def _settled_subquery(as_of: dt.date | None = None, *, side: str = "sale", after: dt.date | None = None):
    allocations = Allocation.objects.filter(**{side: OuterRef("pk")}).order_by()
    if as_of is not None:
        allocations = allocations.filter(date__lte=as_of)
    if after is not None:
        allocations = allocations.filter(date__gt=after)
    # SUM as a plain function: the same one row, without the GROUP BY (and its sorter, run once
    # per document) that an aggregate in a subquery brings.
    total = allocations.annotate(total=Func("amount", function="SUM", output_field=MONEY)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def posted_sales(customer: Customer | None = None) -> QuerySet[Outbound]:
    qs = Outbound.objects.filter(kind=OutboundKind.SALE, status=OutboundStatus.POSTED)
    return qs.filter(customer=customer) if customer is not None else qs


def sales_with_open(customer: Customer | None = None, as_of: dt.date | None = None) -> QuerySet[Outbound]:
    """Posted sales with `settled` and `open_amount` annotated, oldest due first."""
    qs = posted_sales(customer)
    if as_of is not None:
        qs = qs.filter(posting_date__lte=as_of)
    settled = _settled_subquery(as_of)
    return qs.annotate(settled=settled).order_by("due_date", "posting_date", "id")


def is_now(as_of: dt.date | None) -> bool:
    """Whether a figure as of `as_of` is today's: nothing is posted, received or settled with a
    later date, so today's figures are what the open items say."""
    return as_of is None or as_of >= timezone.localdate()


def open_items(customer: Customer | None = None) -> QuerySet[OpenItem]:
    """The sales still owed now (未核销), from the open items the database keeps."""
    qs = OpenItem.objects.filter(amount__gt=0)
    return qs.filter(customer=customer) if customer is not None else qs


def open_sales(customer: Customer, as_of: dt.date | None = None) -> list[Outbound]:
    """The open items (未核销的销售出库): posted sales not yet settled in full, oldest due first."""
    if is_now(as_of):
        qs = Outbound.objects.filter(open_item__customer=customer, open_item__amount__gt=0)
        qs = qs.annotate(open_amount=F("open_item__amount")).order_by("due_date", "posting_date", "id")
        rows = list(qs)
        for sale in rows:
            sale.open_amount = cents(sale.open_amount)
            sale.settled = sale.amount - sale.open_amount
        return rows
    rows = []
    for sale in sales_with_open(customer, as_of).filter(amount__gt=F("settled") + HALF_CENT):
        sale.settled = cents(sale.settled)
        sale.open_amount = sale.amount - sale.settled
        if sale.open_amount > 0:
            rows.append(sale)
    return rows


def open_amounts(customer: Customer, sale_ids: list[int]) -> dict[int, Decimal]:
    """What is still open on each of the customer's `sale_ids` that is open at all."""
    rows = open_items(customer).filter(pk__in=sale_ids).values_list("pk", "amount")
    return {sale_id: cents(amount) for sale_id, amount in rows}


def open_amount(sale: Outbound) -> Decimal:
    """What is still open on one posted sale (0 when settled or not a posted sale)."""
    left = open_items().filter(outbound=sale).values_list("amount", flat=True).first()
    return cents(left) if left is not None else ZERO


def receipts_with_unapplied(customer: Customer) -> list[Receipt]:
    """Receipts with money not yet applied to a sale (预收/未核销), oldest first."""
    qs = Receipt.objects.filter(unapplied_money__customer=customer).annotate(
        left=F("unapplied_money__amount")
    )
    rows = list(qs.order_by("received_on", "id"))
    for receipt in rows:
        receipt.unapplied = cents(receipt.left)
        receipt.applied = receipt.amount - receipt.unapplied
    return rows


def has_unapplied(customer: Customer) -> bool:
    """Whether the customer has money or a credit not yet applied to a sale (one read; usually not)."""
    return (
        UnappliedReceipt.objects.filter(customer=customer)
        .values("pk")
        .union(OpenItem.objects.filter(customer=customer, amount__lt=0).values("pk"))
        .exists()
    )


def credits_with_unapplied(customer: Customer) -> list[Outbound]:
    """Posted returns and write-offs whose credit is not yet applied to a sale, oldest first."""
    qs = Outbound.objects.filter(open_item__customer=customer, open_item__amount__lt=0)
    rows = list(qs.annotate(left=F("open_item__amount")).order_by("posting_date", "id"))
    for credit in rows:
        credit.unapplied = -cents(credit.left)
        credit.applied = -credit.amount - credit.unapplied
    return rows


def balance(customer: Customer, as_of: dt.date | None = None) -> Decimal:
    """What the customer owes at the end of `as_of` (today when None): Σ posted outbounds − Σ receipts.

    Negative means the customer has paid in advance. Today's balance is the same sum read from
    what is open (every allocation takes as much off a sale as off a receipt or credit).
    """
    if is_now(as_of):
        return _sum(OpenItem.objects.filter(customer=customer)) - _sum(
            UnappliedReceipt.objects.filter(customer=customer)
        )
    outbounds = Outbound.objects.filter(customer=customer, status=OutboundStatus.POSTED)
    receipts = Receipt.objects.filter(customer=customer)
    if as_of is not None:
        outbounds = outbounds.filter(posting_date__lte=as_of)
        receipts = receipts.filter(received_on__lte=as_of)
    return _sum(outbounds) - _sum(receipts)


@dataclass
class CustomerAR:
    customer: Customer
    as_of: dt.date
    balance: Decimal
    buckets: dict[str, Decimal]
    unapplied: Decimal  # money and credits received but not yet applied to a sale
    open_items: list[Outbound] = field(default_factory=list)

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.buckets.items() if k != "not_due"), ZERO)

    @property
    def open_total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def bucket_rows(self) -> list[tuple[str, str, Decimal]]:
        return [(key, label, self.buckets[key]) for key, label, _lo, _hi in BUCKETS]


def customer_ar(customer: Customer, as_of: dt.date | None = None) -> CustomerAR:
    """Balance, aging and open items of one customer as of a day (today by default).

    The aging buckets hold the open sales by days past due; money received but not applied
    is shown apart, so that buckets − unapplied = balance, to the cent.
    """
    day = as_of or timezone.localdate()
    buckets = {key: ZERO for key, *_rest in BUCKETS}
    items = open_sales(customer, as_of=day)
    for sale in items:
        sale.days_overdue = (day - sale.due_date).days if sale.due_date else 0
        sale.bucket = bucket_of(sale.days_overdue)
        buckets[sale.bucket] += sale.open_amount
    total = balance(customer, as_of=day)
    unapplied = sum(buckets.values(), ZERO) - total
    return CustomerAR(customer, day, total, buckets, unapplied, items)


def overdue_amount(customer: Customer, as_of: dt.date | None = None) -> Decimal:
    day = as_of or timezone.localdate()
    if is_now(as_of):
        return _sum(open_items(customer).filter(due_date__lt=day))
    settled = _settled_subquery(day)
    rows = (
        posted_sales(customer)
        .filter(posting_date__lte=day, due_date__lt=day)
        .annotate(settled=settled)
        .filter(amount__gt=F("settled") + HALF_CENT)
        .values_list("amount", "settled")
    )
    return sum((amount - cents(paid) for amount, paid in rows), ZERO)


# --- many customers at once ---------------------------------------------------------------


@dataclass
class LedgerRow:
    """One customer's movements over a period (报表汇总 / 累计应收账款明细表)."""

    customer: Customer
    opening: Decimal = ZERO
    sales: Decimal = ZERO
    returns: Decimal = ZERO  # negative
    write_offs: Decimal = ZERO  # negative
    receipts: Decimal = ZERO
    buckets: dict[str, Decimal] = field(default_factory=lambda: {k: ZERO for k, *_r in BUCKETS})

    @property
    def closing(self) -> Decimal:
        return self.opening + self.sales + self.returns + self.write_offs - self.receipts

    @property
    def unapplied(self) -> Decimal:
        return sum(self.buckets.values(), ZERO) - self.closing


def _by_customer(qs: QuerySet, column: str = "amount") -> dict[int, Decimal]:
    rows = qs.values("customer_id").annotate(t=Sum(column)).values_list("customer_id", "t")
    return {customer_id: cents(total) for customer_id, total in rows}


def _sums_by_customer(qs: QuerySet, **parts: Q | tuple) -> dict[int, dict[str, Decimal]]:
    """Per customer, the sum of `amount` over the rows each Q selects — or of an expression, for a
    part given as (expression, Q): one GROUP BY, one scan."""
    sums = {}
    for name, part in parts.items():
        expression, condition = part if isinstance(part, tuple) else ("amount", part)
        sums[name] = Sum(expression, filter=condition)
    rows = qs.values("customer_id").annotate(**sums).order_by()
    return {row.pop("customer_id"): {name: cents(v) for name, v in row.items()} for row in rows}


def bucket_conditions(day: dt.date, due: str) -> dict[str, Q]:
    """Per aging bucket at `day`, the sales (whose due date is at `due`) that fall in it, as `bucket_of`
    puts them. No due date counts as due today: not yet overdue."""
    conditions = {}
    for key, _label, low, high in BUCKETS:
        condition = Q() if low is not None else Q(**{f"{due}__isnull": True})
        in_range = Q()
        if low is not None:  # at least `low` days past due
            in_range &= Q(**{f"{due}__lte": day - dt.timedelta(days=low)})
        if high is not None:
            in_range &= Q(**{f"{due}__gte": day - dt.timedelta(days=high)})
        conditions[key] = condition | in_range
    return conditions


def bucket_case(day: dt.date, due: str) -> Case:
    """The aging bucket of a sale at `day` in SQL."""
    whens = [When(q, then=Value(key)) for key, q in bucket_conditions(day, due).items()]
    return Case(*whens, default=Value(BUCKETS[0][0]), output_field=CharField())


def _aging_by_customer(ids: QuerySet, day: dt.date) -> dict[int, dict[str, Decimal]]:
    """Per customer and aging bucket at `day`, what its sales posted by then had open that day.

    A sale's open amount on `day` is what is open now (its `OpenItem`, which the database keeps)
    plus what settled it after `day`; a sale settled in full by `day` has neither. So the aging
    reads what is open and the allocations dated after `day` — both as small as what is open or
    recent — instead of every sale ever posted, each with its settlement.
    """
    # An open sale is an open item with something owed, dated as its sale. Those posted after `day`
    # (this month's, for last month's end) are left out by their ids, found by the posting dates'
    # index: joined to every outbound for its posting date, PostgreSQL hashed all 210,000.
    posted_later = Outbound.objects.filter(posting_date__gt=day).values("pk")
    open_now = open_items().filter(customer__in=ids).exclude(outbound__in=posted_later)
    aged = _sums_by_customer(open_now, **bucket_conditions(day, "due_date"))
    # The sales settled after `day`, found from those allocations (the date index), each summed
    # on the sale index: joined, SQLite would walk every sale and look up its allocations.
    touched = Allocation.objects.filter(date__gt=day).values("sale_id")
    later = posted_sales().filter(customer__in=ids, posting_date__lte=day, pk__in=touched)
    since = _settled_subquery(after=day)
    settled_later = _sums_by_customer(
        later, **{key: (since, q) for key, q in bucket_conditions(day, "due_date").items()}
    )
    for customer_id, settled in settled_later.items():
        mine = aged.setdefault(customer_id, dict.fromkeys(settled, ZERO))
        for key, amount in settled.items():
            mine[key] += amount
    return aged


def _movements_from_documents(ids: QuerySet, date_from: dt.date, date_to: dt.date) -> tuple[dict, dict]:
    """Per customer, the outbounds and the receipts before and during the period, summed from
    every document up to `date_to`."""
    during = Q(posting_date__gte=date_from)
    moved = _sums_by_customer(
        Outbound.objects.filter(customer__in=ids, status=OutboundStatus.POSTED, posting_date__lte=date_to),
        before=Q(posting_date__lt=date_from),
        sales=during & Q(kind=OutboundKind.SALE),
        returns=during & Q(kind=OutboundKind.RETURN),
        write_offs=during & Q(kind=OutboundKind.BAD_DEBT),
    )
    paid = _sums_by_customer(
        Receipt.objects.filter(customer__in=ids, received_on__lte=date_to),
        before=Q(received_on__lt=date_from),
        receipts=Q(received_on__gte=date_from),
    )
    return moved, paid


def _balances_now(ids: QuerySet) -> defaultdict[int, Decimal]:
    """What each customer owes now, as `balance` reads it for one: its open items less the money
    received and not yet applied. Customers who owe nothing and have nothing open are absent."""
    balances = defaultdict(lambda: ZERO, _by_customer(OpenItem.objects.filter(customer__in=ids)))
    for customer_id, unapplied in _by_customer(UnappliedReceipt.objects.filter(customer__in=ids)).items():
        balances[customer_id] -= unapplied
    return balances


# How far back a period may begin and still be worked back from what is open: the documents read
# are those from its first day to today, against every one before its last day summed from the first.
WORK_BACK_DAYS = 366


def _movements_worked_back(ids: QuerySet, date_from: dt.date, date_to: dt.date) -> tuple[dict, dict]:
    """The same sums from what is open now and the documents from `date_from` on.

    Today's balance is what is open less what is received and not applied (`balance`), and
    nothing is dated later than today (`is_now`). The balance at the end of the period is today's
    less what came after it; the balance before the period is that less what the period added.
    So the outbounds and receipts since the period began, found by their date index, and the
    open items replace a sum over the whole history: the month's ledger no longer grows with
    the years behind it. The opening goes in as the outbounds' "before"; receipts' is 0.
    """
    during, later = Q(posting_date__lte=date_to), Q(posting_date__gt=date_to)
    moved = _sums_by_customer(
        Outbound.objects.filter(customer__in=ids, status=OutboundStatus.POSTED, posting_date__gte=date_from),
        sales=during & Q(kind=OutboundKind.SALE),
        returns=during & Q(kind=OutboundKind.RETURN),
        write_offs=during & Q(kind=OutboundKind.BAD_DEBT),
        later=later,
    )
    paid = _sums_by_customer(
        Receipt.objects.filter(customer__in=ids, received_on__gte=date_from),
        receipts=Q(received_on__lte=date_to),
        later=Q(received_on__gt=date_to),
    )
    closing = _balances_now(ids)
    for customer_id in closing.keys() | moved.keys() | paid.keys():
        out = moved.setdefault(customer_id, {**_NO_OUTBOUNDS, "later": ZERO})
        came = paid.setdefault(customer_id, {**_NO_RECEIPTS, "later": ZERO})
        at_the_end = closing[customer_id] - out.pop("later") + came.pop("later")
        came["before"] = ZERO
        out["before"] = at_the_end - out["sales"] - out["returns"] - out["write_offs"] + came["receipts"]
    return moved, paid


def ledger_rows(
    customers: QuerySet[Customer],
    date_from: dt.date,
    date_to: dt.date,
    *,
    aging: bool = True,
    from_documents: bool = False,
) -> list[LedgerRow]:
    """Opening, movements, closing and (unless `aging` is False) aging at `date_to` for each
    customer: one GROUP BY over the outbounds, one over the receipts (and for the aging, one over
    the open items and one over the allocations after `date_to`).

    For a period that began within the last `WORK_BACK_DAYS`, the balances are worked back from
    what the open items say today (as `balance` reads it) through the documents since the period
    began, not summed from every one since the first (see `_movements_worked_back`).
    `from_documents` sums every document instead, for the books check that holds the two equal.

    The aging sums, by bucket, what each sale had open at `date_to` (see `_aging_by_customer`),
    as `customer_ar` ages the open items one by one, without reading each sale into Python.
    Customers without any balance or movement are left out.
    """
    ids = customers.values("pk")
    recent = timezone.localdate() - date_from <= dt.timedelta(days=WORK_BACK_DAYS)
    if recent and not from_documents:
        moved, paid = _movements_worked_back(ids, date_from, date_to)
    else:
        moved, paid = _movements_from_documents(ids, date_from, date_to)
    aged = _aging_by_customer(ids, date_to) if aging else {}
    rows = []
    for customer in customers.order_by("code"):
        out, came = moved.get(customer.pk), paid.get(customer.pk)
        if out is None and came is None:
            continue
        out, came = out or _NO_OUTBOUNDS, came or _NO_RECEIPTS
        row = LedgerRow(
            customer,
            opening=out["before"] - came["before"],
            sales=out["sales"],
            returns=out["returns"],
            write_offs=out["write_offs"],
            receipts=came["receipts"],
        )
        if customer.pk in aged:
            row.buckets.update(aged[customer.pk])
        if row.opening or row.closing or row.sales or row.returns or row.write_offs or row.receipts:
            rows.append(row)
    return rows


def customers_in_scope(user) -> QuerySet[Customer]:
    return scope_to_user(Customer.objects.all(), user).select_related("salesperson", "assistant")


def ledger_customers(customers: QuerySet[Customer]) -> QuerySet:
    """What a ledger row shows of its customer, as plain rows for `ledger_rows`: `ledger_rows` reads
    nothing of a customer but its pk, and a model instance (and its salesperson's) for every
    customer in scope cost more than the month's own arithmetic."""
    return customers.values_list(
        "pk", "code", "name", "salesperson__first_name", "salesperson__username", named=True
    )


def salesperson_name(customer) -> str:
    """The salesperson of a `ledger_customers` row, as lists name people."""
    return customer.salesperson__first_name or customer.salesperson__username or ""


# --- statements ----------------------------------------------------------------------------


@dataclass
class StatementLine:
    date: dt.date
    kind: str  # sale / return / bad_debt / receipt
    number: str
    text: str
    debit: Decimal  # raises what is owed
    credit: Decimal  # lowers it
    balance: Decimal = ZERO
    document: object = None


@dataclass
class StatementView:
    customer: Customer
    period_from: dt.date
    period_to: dt.date
    opening: Decimal
    lines: list[StatementLine]

    @property
    def debit_total(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit_total(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit_total - self.credit_total


def statement_view(customer: Customer, period_from: dt.date, period_to: dt.date) -> StatementView:
    """对账单: opening balance, every document of the period in date order, closing balance."""
    opening = balance(customer, as_of=period_from - dt.timedelta(days=1))
    lines: list[StatementLine] = []
    outbounds = (
        Outbound.objects.filter(
            customer=customer,
            status=OutboundStatus.POSTED,
            posting_date__gte=period_from,
            posting_date__lte=period_to,
        )
        .select_related("order")
        .prefetch_related("lines__product")
    )
    for doc in outbounds:
        what = "，".join(
            f"{line.product.model_code} {line.product.name} × {line.quantity.normalize():f}"
            for line in doc.lines.all()
        )
        text = what or doc.reason
        amount = doc.amount
        lines.append(
            StatementLine(
                doc.posting_date,
                doc.kind,
                doc.number,
                text[:200],
                debit=amount if amount > 0 else ZERO,
                credit=-amount if amount < 0 else ZERO,
                document=doc,
            )
        )
    for receipt in Receipt.objects.filter(
        customer=customer, received_on__gte=period_from, received_on__lte=period_to
    ):
        lines.append(
            StatementLine(
                receipt.received_on,
                "receipt",
                receipt.number,
                receipt.get_method_display(),
                debit=ZERO,
                credit=receipt.amount,
                document=receipt,
            )
        )
    lines.sort(key=lambda line: (line.date, 0 if line.debit else 1, line.number))
    running = opening
    for line in lines:
        running += line.debit - line.credit
        line.balance = running
    return StatementView(customer, period_from, period_to, opening, lines)


def statement_list(user) -> QuerySet[Statement]:
    return scope_to_user(Statement.objects.select_related("customer"), user, "customer")


def statements_waiting(user) -> QuerySet[Statement]:
    """Statements drawn up but not sent, or sent and not yet signed back."""
    return statement_list(user).exclude(status=StatementStatus.SIGNED).order_by("period_to", "id")


def last_statements(customer_ids) -> dict[int, Statement]:
    """Each customer's latest statement, read alone: a customer gets one a month, for years."""
    newest = Statement.objects.filter(customer_id=OuterRef("customer_id")).order_by("-period_to", "-id")
    newest_only = Subquery(newest.values("pk")[:1])
    statements = Statement.objects.filter(customer_id__any_of=customer_ids, pk=newest_only)
    return {statement.customer_id: statement for statement in statements.order_by()}


# --- receipts, invoices, slips -------------------------------------------------------------


def receipt_rows(receipts: QuerySet[Receipt]) -> QuerySet[Receipt]:
    """What a list shows of each receipt: its customer, who entered it, the carrier and what is applied.

    A list pages through its receipts' ids first and adds these to the page's alone (`CutOnIds`):
    sorted with them, every receipt ever entered had its applied amount summed before the cut."""
    return receipts.select_related("customer", "created_by", "carrier").annotate(
        applied=_settled_subquery(side="receipt")
    )


def receipts_seen_by(user) -> QuerySet[Receipt]:
    """The user's receipts, bare: what a list shows of each is added by `receipt_rows`."""
    return scope_to_user(Receipt.objects.all(), user, "customer")


def receipt_list(user, *, q: str = "", customer: Customer | None = None) -> QuerySet[Receipt]:
    qs = receipts_seen_by(user)
    if customer is not None:
        qs = qs.filter(customer=customer)
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__code__iexact=q)
            | Q(reference__icontains=q)
        )
    return receipt_rows(qs)


def receipts_for_finance(user) -> QuerySet[Receipt]:
    """知会财务: receipts that differ from what they settle or were entered late, not yet seen.
    Bare, as the workbench reads a few of their columns; a list adds `receipt_rows`."""
    return receipts_seen_by(user).filter(
        Q(finance_checked_at__isnull=True) & (~Q(difference=0) | Q(entered_late=True))
    )


def receipts_not_reconciled(user) -> QuerySet[Receipt]:
    """Money received whose arrival at finance (消账) is not yet recorded; bare, as above."""
    return receipts_seen_by(user).filter(reached_finance_on__isnull=True)


def receipt_get_for_user(user, number: str) -> Receipt:
    return receipt_list(user).get(number=number)


def allocations_of_receipt(receipt: Receipt) -> QuerySet[Allocation]:
    return receipt.allocations.select_related("sale").order_by("id")


def settlements_of_sale(sale: Outbound) -> QuerySet[Allocation]:
    return sale.settled_by.select_related("receipt", "credit").order_by("date", "id")


def invoice_rows(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """What a list shows of each invoice beside its own fields: the customer and the carrier."""
    return invoices.select_related("customer", "carrier")


def invoice_list(user, *, customer: Customer | None = None) -> QuerySet[Invoice]:
    qs = invoice_rows(scope_to_user(Invoice.objects.all(), user, "customer"))
    return qs.filter(customer=customer) if customer is not None else qs


def uninvoiced_outbounds(customer: Customer, up_to: dt.date | None = None) -> QuerySet[Outbound]:
    """Posted outbounds (sales and returns) of an invoice-requiring customer not yet on an invoice."""
    qs = (
        Outbound.objects.filter(customer=customer, status=OutboundStatus.POSTED, invoice_item__isnull=True)
        .exclude(kind=OutboundKind.BAD_DEBT)
        .order_by("posting_date", "id")
    )
    return qs.filter(posting_date__lte=up_to) if up_to is not None else qs


def invoice_due_day(customer: Customer, year: int, month: int) -> dt.date:
    """The customer's invoice day in that month; a 31st falls on the month's last day."""
    import calendar

    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(customer.invoice_day or last, last))


@dataclass
class InvoiceDue:
    customer: Customer
    due_on: dt.date
    amount: Decimal
    outbounds: int
    invoiced_this_month: bool


def invoices_due(user, year: int, month: int, *, due_by: dt.date | None = None) -> list[InvoiceDue]:
    """开票: invoice-requiring customers with posted outbounds not yet invoiced, by their day.

    Read from what waits to be invoiced (`ToInvoice`), so it costs what is waiting, not years of
    outbounds already invoiced. `due_by`: only the customers not yet invoiced this month whose
    day falls on or before it (what the workbench reminds of), left out by the database.
    """
    customers = customers_in_scope(user).filter(invoice_required=True)
    month_start = dt.date(year, month, 1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    issued = Invoice.objects.filter(issued_on__gte=month_start, issued_on__lt=next_month)
    if due_by is not None:
        customers = customers.exclude(pk__in=issued.values("customer_id"))
        if due_by < next_month - dt.timedelta(days=1):
            # Days after it are not due yet; a customer without a day is due on the last one.
            customers = customers.filter(invoice_day__lte=due_by.day)
    sums = (
        ToInvoice.objects.filter(customer__in=customers.values("pk"), posting_date__lt=next_month)
        .values("customer_id")
        .annotate(total=Sum("amount"), n=Count("*"))
    )
    # A return that cancels its sale leaves nothing to invoice.
    waiting = {row["customer_id"]: row for row in sums if row["total"] != 0}
    # With `due_by` the customers invoiced this month are already left out.
    invoiced = (
        set()
        if due_by is not None
        else set(issued.filter(customer__in=customers.values("pk")).values_list("customer_id", flat=True))
    )
    # A row names the customer and its day: neither its salesperson nor its assistant.
    listed = customers.filter(pk__in=waiting).select_related(None).only("code", "name", "invoice_day")
    rows = [
        InvoiceDue(
            customer,
            invoice_due_day(customer, year, month),
            cents(waiting[customer.pk]["total"]),
            waiting[customer.pk]["n"],
            customer.pk in invoiced,
        )
        for customer in listed
    ]
    if due_by is not None:
        rows = [row for row in rows if row.due_on <= due_by]
    rows.sort(key=lambda r: (r.due_on, r.customer.code))
    return rows


def slip_list(user) -> QuerySet[ReceiptSlip]:
    return scope_to_user(
        ReceiptSlip.objects.select_related("receipt", "receipt__customer"), user, "receipt__customer"
    )


# --- write-offs and returns ----------------------------------------------------------------


def write_offs_pending(user) -> QuerySet[Outbound]:
    return scope_to_user(
        Outbound.objects.filter(kind=OutboundKind.BAD_DEBT, status=OutboundStatus.DRAFT).select_related(
            "customer", "created_by"
        ),
        user,
        "customer",
    ).order_by("created_at", "id")


def write_off_items(write_off: Outbound) -> QuerySet[WriteOffItem]:
    return write_off.write_off_items.select_related("sale").order_by("id")


def returnable_lines(original: Outbound) -> list:
    """The lines of a posted sale with `returned` and `returnable` quantities."""
    lines = list(original.lines.select_related("product").order_by("id"))
    returned = dict(
        Outbound.objects.filter(original=original, kind=OutboundKind.RETURN, status=OutboundStatus.POSTED)
        .values("lines__original_line")
        .annotate(total=Sum("lines__quantity"))
        .values_list("lines__original_line", "total")
    )
    for line in lines:
        line.returned = returned.get(line.pk) or Decimal("0")
        line.returnable = line.quantity - line.returned
    return lines


# --- collection -----------------------------------------------------------------------------


@dataclass
class CollectionRow:
    customer: Customer
    balance: Decimal
    overdue: Decimal
    oldest_open: dt.date | None
    last_statement: Statement | None


def collection_list(
    user, as_of: dt.date | None = None, *, from_documents: bool = False
) -> dict[object, list[CollectionRow]]:
    """催款名单: per salesperson, the customers who owe, since when, and their last statement.

    `from_documents` sums every document even for today, as the books check does.
    """
    day = as_of or timezone.localdate()
    customers = customers_in_scope(user)
    ids = customers.values("pk")
    if is_now(day) and not from_documents:
        # Today's figures are what is open (`is_now`): the few open items and unapplied
        # receipts, not every sale ever posted with what has been allocated to it.
        totals = _balances_now(ids)
        open_rows = (
            open_items()
            .filter(customer__in=ids)
            .order_by()
            .values_list("customer_id", "amount", "due_date", "outbound__posting_date")
        )
    else:
        owed = _by_customer(
            Outbound.objects.filter(customer__in=ids, status=OutboundStatus.POSTED, posting_date__lte=day)
        )
        paid = _by_customer(Receipt.objects.filter(customer__in=ids, received_on__lte=day))
        totals = {pk: amount - paid.get(pk, ZERO) for pk, amount in owed.items()}
        open_rows = (
            posted_sales()
            .filter(customer__in=ids, posting_date__lte=day)
            .annotate(settled=_settled_subquery(day))
            .annotate(left=F("amount") - F("settled"))
            .filter(left__gt=HALF_CENT)
            .values_list("customer_id", "left", "due_date", "posting_date")
        )
    overdue: dict[int, Decimal] = defaultdict(lambda: ZERO)
    oldest: dict[int, dt.date] = {}
    for customer_id, left, due, posted in open_rows:
        left = cents(left)
        if left <= 0:
            continue
        oldest[customer_id] = min(oldest.get(customer_id, posted), posted)
        if due and due < day:
            overdue[customer_id] += left
    owing = [pk for pk, total in totals.items() if total > 0]
    latest = last_statements(owing)
    grouped: dict[object, list[CollectionRow]] = defaultdict(list)
    # A row shows the customer's code and name under its salesperson's name: a whole customer,
    # and its assistant, for each of the 1,278 who owe cost a third of the list's reading.
    shown = (
        customers.filter(pk__any_of=owing)
        .select_related(None)
        .select_related("salesperson")
        .only("code", "name", "salesperson__username", "salesperson__first_name")
    )
    for customer in shown.order_by("salesperson__username", "code"):
        pk = customer.pk
        row = CollectionRow(customer, totals[pk], overdue[pk], oldest.get(pk), latest.get(pk))
        grouped[customer.salesperson].append(row)
    return dict(grouped)
