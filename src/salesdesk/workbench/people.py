"""The sections only one role has: the salesperson's customers' orders and commissions (read on a
phone), the manager's approvals waiting and the company's day at a glance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.commissions import selectors as commissions
from salesdesk.commissions.selectors import State
from salesdesk.core.calendar import day_span
from salesdesk.core.money import AMOUNT, to_amount
from salesdesk.core.roles import remember_roles, scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.orders import review
from salesdesk.orders.models import OrderStatus
from salesdesk.orders.selectors import held_orders, open_orders, order_list
from salesdesk.receivables import selectors as ar
from salesdesk.receivables.models import Receipt
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, Shipment
from salesdesk.workbench.items import FIGURES, Item, Section, link

ZERO = Decimal("0.00")
MONEY = DecimalField(**AMOUNT)


def _amount(value: Decimal) -> str:
    return f"{to_amount(value):,}"


# --- the salesperson ----------------------------------------------------------------------


def customer_orders(user, *, limit: int) -> Section:
    """The user's customers' orders not yet shipped in full: where each stands, and why it is held."""
    section = Section("customer_orders", str(_("My customers' open orders")))
    for order in open_orders(user=user, limit=limit + 1):
        detail = order.get_status_display()
        if order.status == OrderStatus.ON_HOLD:
            detail += ": " + "；".join(c.reason for c in order.failed_checks)
        elif order.ship_date:
            detail += f" · {order.ship_date:%m-%d} {order.get_ship_slot_display()}"
        section.items.append(
            Item(
                f"{order.number} {order.customer.name}",
                detail,
                link("orders:order-detail", order.reference),
            )
        )
    return section


def commissions_by_customer(user) -> Section:
    """Commissions not yet paid, per customer: what may go on this month's statement and what
    waits for the customer's payment (款到才付佣金)."""
    section = Section("commissions", str(_("Commissions not yet paid")))
    totals: dict[int, dict] = defaultdict(lambda: dict.fromkeys(State.LABELS, ZERO))
    # Read unordered, the customers sorted here: asked to sort by customer, SQLite walked the
    # customer index of all 30,000 accruals to find a salesperson's few dozen (7 ms at scale 1;
    # 0.5 unordered). Bare, and their customers read once each: a busy salesperson has hundreds of
    # accruals on a few dozen customers, and building each accrual with its own outbound and
    # customer took most of this section's time.
    rows = commissions.with_states(commissions.unpaid_accruals(user, bare=True).order_by(), reasons=False)
    for accrual in rows:
        totals[accrual.customer_id][accrual.state] += accrual.amount
    customers = Customer.objects.only("code", "name").in_bulk(totals)
    for customer_id, row in sorted(totals.items()):
        parts = [
            f"{State.LABELS[state]} {_amount(row[state])}"
            for state in (State.PAYABLE, State.ON_STATEMENT, State.WAITING)
            if row[state]
        ]
        if parts:
            customer = customers[customer_id]
            section.items.append(
                Item(
                    str(customer),
                    " · ".join(parts),
                    reverse("commissions:accrual-list") + f"?customer={customer.code}",
                )
            )
    return section


# --- the manager --------------------------------------------------------------------------


def overrides_waiting(user) -> Section:
    """Held orders with a check that only the manager may accept: neither the order's assistant
    nor its salesperson can override it."""
    section = Section("overrides", str(_("Held orders waiting for your override")))
    orders = held_orders(user=user, oldest_first=True)
    # The people who could accept instead, read once each, with their roles and quoting.
    ids = {pk for order in orders for pk in (order.assistant_id, order.customer.salesperson_id) if pk}
    known = {person.pk: person for person in get_user_model().objects.filter(pk__in=ids)}
    remember_roles(known.values())
    for order in orders:
        people = [known[pk] for pk in (order.assistant_id, order.customer.salesperson_id) if pk in known]
        waiting = []
        for row in order.failed_checks:
            check = review.check_by_code(row.code)
            if check is None or not check.may_override(user, order):
                continue
            if not any(check.may_override(person, order) for person in people):
                waiting.append(row.reason or str(check.label))
        if waiting:
            section.items.append(
                Item(
                    f"{order.number} {order.customer.name}",
                    "；".join(waiting),
                    link("orders:order-detail", order.reference),
                )
            )
    return section


def _count_and_sum(qs) -> tuple[int, Decimal]:
    row = qs.aggregate(n=Count("pk"), total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))
    return row["n"], ar.cents(row["total"])


def day_at_a_glance(user, today: dt.date) -> Section:
    """The company's day in five figures, each linking to the list behind it."""
    section = Section("day_at_a_glance", str(_("The company's day at a glance")), kind=FIGURES)
    day = f"{today:%Y-%m-%d}"
    start, end = day_span(today)
    registered = order_list(user=user).filter(registered_at__gte=start, registered_at__lt=end).count()
    posted = scope_to_user(
        Outbound.objects.filter(kind=OutboundKind.SALE, status=OutboundStatus.POSTED, posting_date=today),
        user,
        "customer",
    )
    receipts = scope_to_user(
        Receipt.objects.filter(created_at__gte=start, created_at__lt=end), user, "customer"
    )
    cod = scope_to_user(
        # Only a posted outbound is shipped (shipment_record): no need to join the outbounds.
        Shipment.objects.filter(cod_amount__gt=0, cod_returned_on__isnull=True),
        user,
        "outbound__customer",
    ).aggregate(n=Count("pk"), total=Coalesce(Sum("cod_amount"), Value(ZERO), output_field=MONEY))
    overdue = ar.cents(
        scope_to_user(ar.open_items().filter(due_date__lt=today), user, "customer").aggregate(
            t=Sum("amount")
        )["t"]
    )
    n_posted, posted_total = _count_and_sum(posted)
    n_receipts, receipts_total = _count_and_sum(receipts)
    section.items = [
        Item(
            str(_("Orders registered today")),
            str(registered),
            reverse("orders:order-list") + f"?date_from={day}&date_to={day}",
        ),
        Item(
            str(_("Sales outbounds posted today")),
            str(_("%(n)s, %(amount)s")) % {"n": n_posted, "amount": _amount(posted_total)},
            reverse("warehouse:outbound-list") + f"?day={day}&kind={OutboundKind.SALE}",
        ),
        Item(
            str(_("Receipts entered today")),
            str(_("%(n)s, %(amount)s")) % {"n": n_receipts, "amount": _amount(receipts_total)},
            reverse("receivables:receipt-list"),
        ),
        Item(
            str(_("COD money still with carriers")),
            str(_("%(n)s, %(amount)s")) % {"n": cod["n"], "amount": _amount(ar.cents(cod["total"]))},
            reverse("warehouse:courier-log") + "?state=outstanding",
        ),
        Item(
            str(_("Receivables overdue")),
            _amount(overdue),
            reverse("receivables:collection"),
        ),
    ]
    return section
