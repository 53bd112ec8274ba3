"""Reads of commissions: the state of each accrual and why, statements, what would be missed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.commissions.models import CommissionAccrual, CommissionStatement, PayoutItem, StatementLine
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.receivables.models import Allocation
from salesdesk.receivables.selectors import cents, open_items
from salesdesk.warehouse.models import OutboundKind

ZERO = Decimal("0.00")


class State:
    WAITING = "waiting"  # the customer has not paid the outbound in full yet
    PAYABLE = "payable"  # 款到: may go on the month's statement
    ON_STATEMENT = "on_statement"  # on a statement submitted or approved, not yet paid
    PAID = "paid"
    CANCELLED = "cancelled"  # returned before anything was paid: nothing to pay, nothing to claw back

    LABELS = {
        WAITING: gettext_lazy("Waiting for the customer's payment"),
        PAYABLE: gettext_lazy("Payable"),
        ON_STATEMENT: gettext_lazy("On a statement"),
        PAID: gettext_lazy("Paid"),
        CANCELLED: gettext_lazy("Cancelled by a return"),
    }


def accrual_list(user) -> QuerySet[CommissionAccrual]:
    return scope_to_user(
        CommissionAccrual.objects.select_related(
            "outbound", "customer", "salesperson", "outbound_line__product"
        ),
        user,
        "customer",
    )


def unpaid_accruals(user, *, bare: bool = False) -> QuerySet[CommissionAccrual]:
    """The user's accruals no payout has taken yet, read `lean`: a busy salesperson has hundreds,
    and building each with its whole outbound and customer was most of the workbench's time.

    NOT EXISTS, not the outer join that `payout_item__isnull` writes: PostgreSQL then skips the
    accruals already paid by the payout items' index instead of joining every payout item.

    The ids are found first, by a subquery: with the outbound and customer joined in to be read,
    SQLite scanned all 30,000 accruals to find a salesperson's few dozen (7 ms at scale 1); asked
    for ids alone it goes from the user's customers through the accruals' customer index (0.5).

    `bare`: the accruals alone, without their outbounds and customers, for a sum of states
    (`with_states(..., reasons=False)`): a third of the objects to build.
    """
    paid = PayoutItem.objects.filter(accrual=OuterRef("pk"))
    unpaid = scope_to_user(CommissionAccrual.objects.filter(~Exists(paid)), user, "customer")
    accruals = CommissionAccrual.objects.filter(pk__in=unpaid.values("pk"))
    return accruals.only(*BARE) if bare else lean(accruals)


def _loaded(accrual: CommissionAccrual) -> bool:
    """Whether the original of a clawback came with it, outbound and all."""
    return CommissionAccrual.original.is_cached(accrual) and CommissionAccrual.outbound.is_cached(
        accrual.original
    )


def with_states(accruals, *, reasons: bool = True) -> list[CommissionAccrual]:
    """Each accrual with `.state` and `.reason`, from its outbound's settlement and its statements.

    A fixed number of queries for any number of accruals. Without `reasons` every reason is
    empty, and the accruals' outbounds are not read (`unpaid_accruals(bare=True)`).
    """
    accruals = list(accruals)
    if not accruals:
        return []
    missing = {a.original_id for a in accruals if a.original_id} - {a.pk for a in accruals}
    # Originals read with select_related("original__outbound") need no query of their own.
    originals = {a.original_id: a.original for a in accruals if a.original_id in missing and _loaded(a)}
    if missing - originals.keys():
        fetched = CommissionAccrual.objects.filter(pk__in=missing - originals.keys()).select_related(
            "outbound"
        )
        originals.update((a.pk, a) for a in fetched)
    everything = accruals + list(originals.values())
    by_id = {a.pk: a for a in everything}
    # Thousands of ids for finance's lists: `any_of` sends each list as one array to PostgreSQL.
    # Each read below is unordered: told to sort the accruals by posting date, SQLite walked that
    # index through every accrual ever made rather than look the few clawbacks up by their
    # original (4.1 ms for a salesperson's 645 unpaid accruals, 1.3 unsorted).
    ids = list(by_id)
    sale_ids = {a.outbound_id for a in everything if a.amount > 0}
    open_amount = {
        pk: cents(left)
        for pk, left in open_items().filter(pk__any_of=sale_ids).order_by().values_list("pk", "amount")
    }
    # What settled these sales by credit (returns and write-offs: a few a sale at most), read by
    # the sales' index: asked for the write-offs' allocations alone, PostgreSQL walked every
    # allocation by its credit (18 ms for an assistant's hundred sales, now 1).
    settled_by_credit = Allocation.objects.filter(sale_id__any_of=sale_ids, credit__isnull=False).order_by()
    written_off = {
        sale_id
        for sale_id, kind in settled_by_credit.values_list("sale_id", "credit__kind")
        if kind == OutboundKind.BAD_DEBT
    }
    paid = set(
        CommissionAccrual.objects.filter(pk__any_of=ids, payout_item__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    live = set(
        StatementLine.objects.filter(accrual_id__any_of=ids, active=True)
        .order_by()
        .values_list("accrual_id", flat=True)
    )
    clawed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    clawbacks = CommissionAccrual.objects.filter(original_id__any_of=ids).order_by()
    for original_id, amount in clawbacks.values_list("original_id", "amount"):
        clawed[original_id] += amount

    def positive_state(a) -> tuple[str, str]:
        if a.pk in paid:
            return State.PAID, ""
        if a.pk in live:
            return State.ON_STATEMENT, ""
        if a.amount + clawed[a.pk] <= 0:
            return State.CANCELLED, ""
        if a.outbound_id in written_off:
            if not reasons:
                return State.WAITING, ""
            return State.WAITING, _("Part of %(n)s was written off as a bad debt.") % {"n": a.outbound.number}
        left = open_amount.get(a.outbound_id, ZERO)
        if left > 0:
            if not reasons:
                return State.WAITING, ""
            return State.WAITING, _("%(amount)s of %(n)s is still unpaid.") % {
                "amount": left,
                "n": a.outbound.number,
            }
        return State.PAYABLE, ""

    for accrual in everything:
        if accrual.amount > 0:
            accrual.state, accrual.reason = positive_state(accrual)
    for accrual in everything:
        if accrual.amount > 0:
            continue
        original = by_id[accrual.original_id]
        if accrual.pk in paid:
            accrual.state, accrual.reason = State.PAID, ""
        elif accrual.pk in live:
            accrual.state, accrual.reason = State.ON_STATEMENT, ""
        elif original.state == State.CANCELLED:
            accrual.state, accrual.reason = State.CANCELLED, ""
        elif original.state in {State.PAID, State.PAYABLE}:
            # Deducted from the payee's next statement (after payment), or netted on the same one.
            accrual.state, accrual.reason = State.PAYABLE, ""
        else:
            accrual.state, accrual.reason = State.WAITING, ""
            if reasons:
                accrual.reason = _("Deducted once the commission of %(n)s it takes back is paid.") % {
                    "n": original.outbound.number
                }
    for accrual in accruals:
        accrual.state_label = State.LABELS[accrual.state]
    return accruals


def payable_until(day: dt.date, customers=None) -> list[CommissionAccrual]:
    """Accruals posted up to `day` that may go on a statement now."""
    qs = CommissionAccrual.objects.filter(posting_date__lte=day, payout_item__isnull=True).select_related(
        "outbound", "customer"
    )
    if customers is not None:
        qs = qs.filter(customer__in=customers)
    return [
        a
        for a in with_states(qs.order_by("customer_id", "payee_name", "posting_date", "id"))
        if a.state == State.PAYABLE
    ]


# What `with_states` and the summary by customer read of an accrual, and nothing more. Working
# out the states of the two thousand unpaid accruals of a busy year built six whole objects for
# each (250 of the missed page's 300 ms); the rows a page shows are read whole by `in_full`.
BARE = ("id", "customer_id", "outbound_id", "original_id", "amount")
LEAN = (
    "id",
    "customer_id",
    "outbound_id",
    "original_id",
    "amount",
    "posting_date",
    "payee_name",
    "outbound__number",
    "customer__code",
    "customer__name",
)


def lean(accruals: QuerySet[CommissionAccrual]) -> QuerySet[CommissionAccrual]:
    """`accruals` read with only what working out their states needs."""
    bare = accruals.select_related(None).prefetch_related(None)
    return bare.select_related("outbound", "customer").only(*LEAN)


def in_full(rows: list[CommissionAccrual], accruals: QuerySet[CommissionAccrual]) -> list[CommissionAccrual]:
    """`rows`, read lean, read again whole from `accruals` in their order, with their states."""
    whole = accruals.in_bulk([a.pk for a in rows])
    for accrual in rows:
        full = whole[accrual.pk]
        full.state, full.reason, full.state_label = accrual.state, accrual.reason, accrual.state_label
    return [whole[a.pk] for a in rows]


def missed(user) -> list[CommissionAccrual]:
    """What would otherwise be forgotten: payable but on no statement, and not yet payable with why.

    Read lean: `in_full` reads the rows shown.
    """
    unpaid = lean(accrual_list(user)).filter(payout_item__isnull=True).order_by("posting_date", "id")
    return [a for a in with_states(unpaid) if a.state in {State.PAYABLE, State.WAITING}]


@dataclass
class MissedOfCustomer:
    """One customer's line in the summary of what would be missed."""

    customer: Customer
    payees: list[str] = field(default_factory=list)
    payable_count: int = 0
    payable_amount: Decimal = ZERO
    waiting_count: int = 0
    waiting_amount: Decimal = ZERO
    oldest: dt.date | None = None


def missed_by_customer(rows: list[CommissionAccrual]) -> list[MissedOfCustomer]:
    """`missed` summed by customer, the customer with the oldest accrual first.

    Finance draws statements up customer by customer, and two thousand rows on one page hide
    which customer is behind; the rows stay a click away.
    """
    summary: dict[int, MissedOfCustomer] = {}
    for accrual in rows:
        line = summary.get(accrual.customer_id)
        if line is None:
            line = summary[accrual.customer_id] = MissedOfCustomer(accrual.customer)
        if accrual.payee_name and accrual.payee_name not in line.payees:
            line.payees.append(accrual.payee_name)
        if accrual.state == State.PAYABLE:
            line.payable_count += 1
            line.payable_amount += accrual.amount
        else:
            line.waiting_count += 1
            line.waiting_amount += accrual.amount
        if line.oldest is None or accrual.posting_date < line.oldest:
            line.oldest = accrual.posting_date
    return sorted(summary.values(), key=lambda line: (line.oldest, line.customer.code))


def statement_list(user) -> QuerySet[CommissionStatement]:
    return scope_to_user(CommissionStatement.objects.select_related("customer"), user, "customer")


def statement_lines(statement: CommissionStatement) -> QuerySet[StatementLine]:
    return statement.lines.filter(active=True).select_related(
        "accrual", "accrual__outbound", "accrual__outbound_line__product"
    )


def paid_not_confirmed(user) -> QuerySet[CommissionStatement]:
    """Paid statements whose salesperson has not yet confirmed with the customer."""
    return statement_list(user).filter(status="paid", confirmed_at__isnull=True)
