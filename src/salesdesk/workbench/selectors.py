"""What needs doing now, per user: each item links to the page where it is done.

Each role has its own list of sections (SPEC section 9): the assistant's day in full; the
warehouse's queue by ship slot (never money); finance's receipts, commission statements and
month-end; the manager's approvals and the company's day at a glance; the salesperson's
customers' orders, overdue money and commissions, readable on a phone.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.calls.selectors import follow_ups_for
from salesdesk.catalog.models import Carrier, CarrierStatus
from salesdesk.core.calendar import is_workday
from salesdesk.core.money import quantity_text, to_amount
from salesdesk.core.people import name_of
from salesdesk.core.roles import Role, role_of, scope_to_user
from salesdesk.customers.models import ApplicationStatus, CreditTermApplication, Customer
from salesdesk.customers.selectors import customer_missing_fields, incomplete
from salesdesk.orders.selectors import OPEN_ORDERS, held_orders, orders_to_release
from salesdesk.orders.slots import cutoff
from salesdesk.warehouse.models import ProductionDemand, ProductionStatus
from salesdesk.warehouse.selectors import carriers_flagged, returns_by_carrier, warehouse_queue
from salesdesk.workbench.items import FIGURES, MAX_ITEMS, TASKS, Item, Section, link

__all__ = ["FIGURES", "TASKS", "Item", "Section", "workbench_items"]

NEAR_CUTOFF = dt.timedelta(minutes=30)  # express orders are flagged this long before the cut-off

# Where each section's whole list is, for a section with more than the page shows.
PAGES_BEHIND = {
    "orders_on_hold": ("orders:order-list", "?status=on_hold"),
    "overrides": ("orders:order-list", "?status=on_hold"),
    "express_cutoff": ("orders:order-list", "?status=registered"),
    "orders_to_release": ("orders:order-list", "?status=registered"),
    "customer_orders": ("orders:order-list", ""),
    "stock_shortfalls": ("warehouse:production-list", ""),
    "warehouse_today": ("warehouse:queue", ""),
    "returns_due": ("warehouse:courier-log", ""),
    "carriers_flagged": ("warehouse:carriers-flagged", ""),
    "invoices_due": ("receivables:invoice-due", ""),
    "statements": ("receivables:statement-list", ""),
    "receivables_due": ("receivables:collection", ""),
    "receipts_for_finance": ("receivables:finance-list", ""),
    "write_offs": ("receivables:credit-list", ""),
    "commissions": ("commissions:accrual-list", ""),
    "commission_statements": ("commissions:statement-list", ""),
    "follow_ups": ("calls:follow-up-list", ""),
    "incomplete_customers": ("customers:customer-list", "?incomplete=on"),
}


def workbench_items(*, user, now: dt.datetime | None = None, limit: int = MAX_ITEMS) -> list[Section]:
    """The user's sections as of `now` (this moment by default), each with at most `limit` items
    and the page that has them all; a user without a role gets none."""
    sections_for = {
        Role.ASSISTANT: _assistant_day,
        Role.SALESPERSON: _salesperson_day,
        Role.WAREHOUSE: _warehouse_day,
        Role.FINANCE: _finance_day,
        Role.MANAGER: _manager_day,
    }.get(role_of(user))
    # A section whose rows are its items reads `limit + 1` of them, to learn whether there are
    # more; the others read what they need to choose theirs. Each is cut here, to `limit`.
    sections = sections_for(user, timezone.localtime(now), limit) if sections_for else []
    for section in sections:
        if section.kind == TASKS:  # the day's figures are shown whole
            section.cut(limit)
        if section.key in PAGES_BEHIND:
            name, query = PAGES_BEHIND[section.key]
            section.more_url = reverse(name) + query
    return sections


def _assistant_day(
    user, now: dt.datetime, limit: int, carrier_returns: list | None = None, *, in_approvals: bool = False
) -> list[Section]:
    """The whole of SPEC section 9, the most pressing first. `carrier_returns`: the user's COD money
    and signed notes still out per carrier, when the caller has read them already. `in_approvals`:
    the caller lists the credit applications and commission statements among its approvals."""
    from salesdesk.workbench import money  # it builds on the sections of this module

    today = now.date()
    approvals = [] if in_approvals else [money.commission_statements(user)]
    closing = [] if in_approvals else [_credit_applications(user)]
    return [
        _orders_on_hold(user, limit),
        _express_cutoff(user, now, limit),
        _orders_to_release(user, now, limit),
        _stock_shortfalls(user, limit),
        _returns_due(user, today, carrier_returns),
        money.invoices_due(user, today=today, limit=limit),
        money.statements_open(user, today=today),
        money.receivables_due(user, today=today, limit=limit),
        _follow_ups(user, limit),
        money.receipts_for_finance(user, limit=limit),
        money.month_end(user, today=today),
        *approvals,
        _incomplete_customers(user, limit=limit),
        *closing,
        _suspended_carriers(),
    ]


def _salesperson_day(user, now: dt.datetime, limit: int) -> list[Section]:
    """On the road: the customers' orders (held ones with why), money owed, commissions."""
    from salesdesk.workbench import money, people

    today = now.date()
    return [
        people.customer_orders(user, limit=limit),
        money.receivables_due(user, today=today, limit=limit),
        people.commissions_by_customer(user),
        money.commission_statements(user),
        _follow_ups(user, limit),
        money.statements_open(user, today=today),
        _incomplete_customers(user, limit=limit),
        _credit_applications(user),
        _suspended_carriers(),
    ]


def _warehouse_day(user, now: dt.datetime, limit: int) -> list[Section]:
    """Today's queue by ship slot, and no money at all."""
    return [_warehouse_today(user, now.date(), limit), _suspended_carriers()]


def _finance_day(user, now: dt.datetime, limit: int) -> list[Section]:
    """Receipts with notes or late, commission statements to approve and pay, small write-offs to
    approve, month-end."""
    from salesdesk.workbench import money

    today = now.date()
    return [
        money.receipts_for_finance(user, limit=limit),
        money.commission_statements(user),
        money.write_offs_to_approve(user),
        money.month_end(user, today=today),
        money.invoices_due(user, today=today, limit=limit),
        money.statements_open(user, today=today),
        money.receivables_due(user, today=today, limit=limit),
        _credit_applications(user),
        _suspended_carriers(),
    ]


def _manager_day(user, now: dt.datetime, limit: int) -> list[Section]:
    """The day in figures, the approvals waiting, then everything the assistants see."""
    from salesdesk.workbench import money, people

    today = now.date()
    approvals = [
        _credit_applications(user),
        money.write_offs_to_approve(user),
        people.overrides_waiting(user),
        money.commission_statements(user),
    ]
    # The manager sees every customer's shipments: one reading serves "due back" and the flagged carriers.
    carrier_returns = returns_by_carrier(on=today, user=user)
    return [
        people.day_at_a_glance(user, today),
        *approvals,
        *_assistant_day(user, now, limit, carrier_returns, in_approvals=True),
        _carriers_flagged(today, carrier_returns),
    ]


def _incomplete_customers(user, *, limit: int) -> Section:
    """The newest customers whose master data lacks something, found by the database: every
    customer, however old, not only among the newest."""
    section = Section("incomplete_customers", str(_("Customers with incomplete master data")))
    customers = incomplete(scope_to_user(Customer.objects.exclude(status="closed"), user))
    for customer in customers.order_by("-created_at", "-id")[: limit + 1]:
        section.items.append(
            Item(
                str(customer),
                "、".join(m.label for m in customer_missing_fields(customer)),
                link("customers:customer-detail", customer.code),
            )
        )
    return section


def _credit_applications(user) -> Section:
    section = Section("credit_applications", str(_("Credit-term applications waiting for approval")))
    qs = scope_to_user(
        CreditTermApplication.objects.filter(status=ApplicationStatus.PENDING), user, "customer"
    ).select_related("customer", "applicant")
    for application in qs:
        section.items.append(
            Item(
                str(application.customer),
                _("%(days)s days, applied by %(who)s")
                % {
                    "days": application.credit_days,
                    "who": name_of(application.applicant),
                },
                link("customers:customer-detail", application.customer.code) + "#credit",
            )
        )
    return section


def _suspended_carriers() -> Section:
    section = Section("suspended_carriers", str(_("Suspended carriers")))
    for carrier in Carrier.objects.filter(status=CarrierStatus.SUSPENDED):
        section.items.append(
            Item(carrier.name, carrier.suspended_reason, link("catalog:carrier-detail", carrier.pk))
        )
    return section


def _returns_due(user, today: dt.date, carrier_returns: list | None = None) -> Section:
    """COD money and signed notes still out, per carrier or driver, the overdue ones first."""
    section = Section("returns_due", str(_("COD money and signed notes due back")))
    log = reverse("warehouse:courier-log")
    rows = returns_by_carrier(on=today, user=user) if carrier_returns is None else carrier_returns
    for row in rows:
        parts = []
        if row.cod_due or row.cod_overdue:
            parts.append(
                str(_("COD: %(due)s due %(due_amount)s, %(late)s overdue %(late_amount)s"))
                % {
                    "due": row.cod_due,
                    "due_amount": f"{to_amount(row.cod_due_amount):,}",
                    "late": row.cod_overdue,
                    "late_amount": f"{to_amount(row.cod_overdue_amount):,}",
                }
            )
        if row.notes_due or row.notes_overdue:
            parts.append(
                str(_("signed notes: %(due)s due, %(late)s overdue"))
                % {"due": row.notes_due, "late": row.notes_overdue}
            )
        title = row.name if row.carrier_id else str(_("Own delivery: %(d)s")) % {"d": row.name}
        state = "overdue" if row.overdue else "outstanding"
        section.items.append(Item(title, " · ".join(parts), f"{log}?carrier={row.log_filter}&state={state}"))
    return section


def _carriers_flagged(today: dt.date, carrier_returns: list | None = None) -> Section:
    """Active carriers past their deadline: the manager decides whether to suspend them."""
    section = Section("carriers_flagged", str(_("Carriers past the deadline for COD money or signed notes")))
    for row in carriers_flagged(on=today, returns=carrier_returns):
        if row.suspended:
            continue  # already listed under suspended carriers
        section.items.append(
            Item(
                row.name,
                str(_("%(cod)s COD (%(amount)s) and %(notes)s signed notes overdue since %(since)s"))
                % {
                    "cod": row.cod_overdue,
                    "amount": f"{to_amount(row.cod_overdue_amount):,}",
                    "notes": row.notes_overdue,
                    "since": f"{row.oldest_overdue:%Y-%m-%d}",
                },
                link("catalog:carrier-detail", row.carrier_id),
            )
        )
    return section


def _order_url(order) -> str:
    return link("orders:order-detail", order.reference)


def _orders_on_hold(user, limit: int) -> Section:
    section = Section("orders_on_hold", str(_("Orders on hold")))
    for order in held_orders(user=user, limit=limit + 1):
        reasons = [c.reason for c in order.failed_checks]
        section.items.append(
            Item(f"{order.number} {order.customer.name}", "；".join(reasons), _order_url(order))
        )
    return section


def _cutoff_state(now: dt.datetime) -> tuple[str, int]:
    """("near", minutes left) in the half hour before the express cut-off, ("past", 0) after it,
    ("", 0) otherwise; on a day off nothing ships, so the cut-off does not matter."""
    if not is_workday(now.date()):
        return "", 0
    limit = dt.datetime.combine(now.date(), cutoff(), tzinfo=now.tzinfo)
    if now >= limit:
        return "past", 0
    if now >= limit - NEAR_CUTOFF:
        return "near", int((limit - now).total_seconds() // 60) or 1
    return "", 0


def _express_cutoff(user, now: dt.datetime, limit: int) -> Section:
    """Express orders not yet released when the cut-off is near or past: this morning's slot is at stake."""
    section = Section("express_cutoff", str(_("Express orders near or past the cut-off")))
    state, minutes = _cutoff_state(now)
    if not state:
        return section
    at = cutoff().strftime("%H:%M")
    if state == "past":
        detail = str(_("Past the %(t)s cut-off: ships this afternoon at the earliest")) % {"t": at}
    else:
        detail = str(_("Release before %(t)s to ship this morning (%(m)s minutes left)")) % {
            "t": at,
            "m": minutes,
        }
    for order in orders_to_release(user=user, express=True, limit=limit + 1):
        section.items.append(Item(f"{order.number} {order.customer.name}", detail, _order_url(order)))
    return section


def _orders_to_release(user, now: dt.datetime, limit: int) -> Section:
    """Registered orders waiting for release; express ones at the cut-off are listed apart, above."""
    section = Section("orders_to_release", str(_("Orders to release to the warehouse")))
    # At the cut-off the express orders are listed under "Express orders near or past the cut-off".
    express = False if _cutoff_state(now)[0] else None
    for order in orders_to_release(user=user, express=express, limit=limit + 1):
        section.items.append(
            Item(f"{order.number} {order.customer.name}", order.get_ship_method_display(), _order_url(order))
        )
    return section


def _follow_ups(user, limit: int) -> Section:
    section = Section("follow_ups", str(_("Open call follow-ups")))
    for follow_up in follow_ups_for(user=user)[: limit + 1]:
        who = name_of(follow_up.assigned_to)
        due = f" · {follow_up.due_on:%m-%d}" if follow_up.due_on else ""
        section.items.append(
            Item(follow_up.question[:80], f"{who}{due}", link("calls:call-detail", follow_up.call_id))
        )
    return section


def _warehouse_today(user, today: dt.date, limit: int) -> Section:
    """Today's queue, by ship slot; orders of earlier days still not shipped come first."""
    section = Section("warehouse_today", str(_("To ship today")))
    for order in warehouse_queue(user=user, day=today).prefetch_related(None)[: limit + 1]:
        how = order.get_ship_method_display() + (f" · {order.carrier.name}" if order.carrier else "")
        if order.ship_date < today:
            how = str(_("Due %(d)s, still not shipped")) % {"d": f"{order.ship_date:%m-%d}"} + " · " + how
        section.items.append(
            Item(
                f"{order.get_ship_slot_display()} · {order.number} {order.customer.name}",
                how,
                link("warehouse:order-ship", order.reference),
            )
        )
    return section


def _stock_shortfalls(user, limit: int) -> Section:
    """Order lines waiting for production: the date to tell the customer, or the date to chase."""
    section = Section("stock_shortfalls", str(_("Stock shortfalls and production dates")))
    demands = scope_to_user(
        ProductionDemand.objects.filter(
            request__status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED],
            order_line__order__status__in=OPEN_ORDERS,
        ),
        user,
        "order_line__order__customer",
    ).select_related("request", "order_line__product", "order_line__order__customer")
    for demand in demands.order_by("request__needed_by", "order_line__order__number")[: limit + 1]:
        order, request = demand.order_line.order, demand.request
        short = f"{demand.order_line.product.model_code} × {quantity_text(demand.quantity)}"
        if request.confirmed_date:
            detail = str(_("%(what)s short; production ready %(date)s")) % {
                "what": short,
                "date": f"{request.confirmed_date:%Y-%m-%d}",
            }
            url = _order_url(order)  # where the customer's choice (in parts or wait) is made
        else:
            detail = str(_("%(what)s short; production date not confirmed, needed by %(date)s")) % {
                "what": short,
                "date": f"{request.needed_by:%Y-%m-%d}",
            }
            url = reverse("warehouse:production-list") + f"#request-{request.pk}"
        section.items.append(Item(f"{order.number} {order.customer.name}", detail, url))
    return section


def reminders_of(*, user, day: dt.date):
    """The reminders `salesdesk daily` wrote for `user` on `day`, still to do first."""
    from salesdesk.workbench.models import Reminder

    return Reminder.objects.filter(user=user, day=day).order_by(F("seen_at").asc(nulls_first=True), "id")
