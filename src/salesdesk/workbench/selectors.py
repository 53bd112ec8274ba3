"""What needs doing now, per user: each item links to the page where it is done."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.calls.selectors import follow_ups_for
from salesdesk.catalog.models import Carrier, CarrierStatus
from salesdesk.core.money import quantity_text, to_amount
from salesdesk.core.roles import Role, role_of, scope_to_user
from salesdesk.customers.models import ApplicationStatus, CreditTermApplication, Customer
from salesdesk.customers.selectors import customer_missing_fields
from salesdesk.orders.models import CheckResult, OrderStatus, ShipMethod
from salesdesk.orders.selectors import order_list
from salesdesk.orders.slots import cutoff
from salesdesk.warehouse.models import ProductionDemand, ProductionStatus
from salesdesk.warehouse.selectors import carriers_flagged, returns_by_carrier, warehouse_queue


@dataclass
class Item:
    title: str
    detail: str
    url: str


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)


def workbench_items(*, user) -> list[Section]:
    role = role_of(user)
    sections = []
    if role in {Role.ASSISTANT, Role.SALESPERSON, Role.MANAGER}:
        sections.append(_orders_on_hold(user))
        sections.append(_orders_to_release(user))
        sections.append(_follow_ups(user))
        sections.append(_incomplete_customers(user))
    if role in {Role.ASSISTANT, Role.MANAGER}:
        sections.append(_stock_shortfalls(user))
    if role == Role.WAREHOUSE:
        sections.append(_warehouse_today(user))
    if role in {Role.MANAGER, Role.ASSISTANT, Role.SALESPERSON, Role.FINANCE}:
        sections.append(_credit_applications(user))
    if role in {Role.ASSISTANT, Role.MANAGER}:
        sections.append(_returns_due(user))
    if role == Role.MANAGER:
        sections.append(_carriers_flagged())
    sections.append(_suspended_carriers())
    sections.extend(_money_sections(user, role))
    return sections


def _money_sections(user, role) -> list[Section]:
    """Receivables, invoices, statements and month-end: never for the warehouse."""
    from salesdesk.workbench import money  # it builds on Item and Section above

    sections = []
    if role in {Role.ASSISTANT, Role.SALESPERSON, Role.FINANCE, Role.MANAGER}:
        sections.append(money.receivables_due(user))
        sections.append(money.statements_open(user))
    if role in {Role.ASSISTANT, Role.FINANCE, Role.MANAGER}:
        sections.append(money.invoices_due(user))
        sections.append(money.receipts_for_finance(user))
        sections.append(money.month_end(user))
    if role == Role.MANAGER:
        sections.append(money.write_offs_to_approve(user))
    if role in {Role.ASSISTANT, Role.SALESPERSON, Role.FINANCE, Role.MANAGER}:
        sections.append(money.commission_statements(user))
    return sections


def _incomplete_customers(user) -> Section:
    section = Section("incomplete_customers", str(_("Customers with incomplete master data")))
    qs = (
        scope_to_user(Customer.objects.exclude(status="closed"), user)
        .prefetch_related("contacts", "credit_applications")
        .order_by("-created_at")[:200]
    )
    for customer in qs:
        missing = customer_missing_fields(customer)
        if missing:
            section.items.append(
                Item(
                    str(customer),
                    "、".join(m.label for m in missing),
                    reverse("customers:customer-detail", args=[customer.code]),
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
                    "who": application.applicant.get_full_name() or application.applicant.username,
                },
                reverse("customers:customer-detail", args=[application.customer.code]) + "#credit",
            )
        )
    return section


def _suspended_carriers() -> Section:
    section = Section("suspended_carriers", str(_("Suspended carriers")))
    for carrier in Carrier.objects.filter(status=CarrierStatus.SUSPENDED):
        section.items.append(
            Item(carrier.name, carrier.suspended_reason, reverse("catalog:carrier-detail", args=[carrier.pk]))
        )
    return section


def _returns_due(user) -> Section:
    """COD money and signed notes still out, per carrier or driver, the overdue ones first."""
    section = Section("returns_due", str(_("COD money and signed notes due back")))
    log = reverse("warehouse:courier-log")
    for row in returns_by_carrier(on=timezone.localdate(), user=user):
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


def _carriers_flagged() -> Section:
    """Active carriers past their deadline: the manager decides whether to suspend them."""
    section = Section("carriers_flagged", str(_("Carriers past the deadline for COD money or signed notes")))
    for row in carriers_flagged(on=timezone.localdate()):
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
                reverse("catalog:carrier-detail", args=[row.carrier_id]),
            )
        )
    return section


def _order_url(order) -> str:
    return reverse("orders:order-detail", args=[order.reference])


def _orders_on_hold(user) -> Section:
    section = Section("orders_on_hold", str(_("Orders on hold")))
    orders = order_list(user=user).filter(status=OrderStatus.ON_HOLD).prefetch_related("checks")[:100]
    for order in orders:
        reasons = [c.reason for c in order.checks.all() if c.result == CheckResult.FAILED]
        section.items.append(
            Item(f"{order.number} {order.customer.name}", "；".join(reasons), _order_url(order))
        )
    return section


def _orders_to_release(user) -> Section:
    """Registered orders waiting for release; express ones past the cut-off are flagged."""
    section = Section("orders_to_release", str(_("Orders to release to the warehouse")))
    now = timezone.localtime()
    past_cutoff = now.time() >= cutoff()
    for order in order_list(user=user).filter(status=OrderStatus.REGISTERED).order_by("registered_at")[:100]:
        detail = order.get_ship_method_display()
        if (
            order.ship_method == ShipMethod.EXPRESS
            and past_cutoff
            and timezone.localtime(order.registered_at).date() == now.date()
        ):
            detail = str(_("Express, past the %(t)s cut-off: ships this afternoon at the earliest")) % {
                "t": cutoff().strftime("%H:%M")
            }
        section.items.append(Item(f"{order.number} {order.customer.name}", detail, _order_url(order)))
    return section


def _follow_ups(user) -> Section:
    section = Section("follow_ups", str(_("Open call follow-ups")))
    for follow_up in follow_ups_for(user=user)[:100]:
        who = follow_up.assigned_to.first_name or follow_up.assigned_to.username
        due = f" · {follow_up.due_on:%m-%d}" if follow_up.due_on else ""
        section.items.append(
            Item(
                follow_up.question[:80], f"{who}{due}", reverse("calls:call-detail", args=[follow_up.call_id])
            )
        )
    return section


def _warehouse_today(user) -> Section:
    """Today's queue, by ship slot; orders of earlier days still not shipped come first."""
    section = Section("warehouse_today", str(_("To ship today")))
    today = timezone.localdate()
    for order in warehouse_queue(user=user, day=today).prefetch_related(None)[:100]:
        how = order.get_ship_method_display() + (f" · {order.carrier.name}" if order.carrier else "")
        if order.ship_date < today:
            how = str(_("Due %(d)s, still not shipped")) % {"d": f"{order.ship_date:%m-%d}"} + " · " + how
        section.items.append(
            Item(
                f"{order.get_ship_slot_display()} · {order.number} {order.customer.name}",
                how,
                reverse("warehouse:order-ship", args=[order.reference]),
            )
        )
    return section


def _stock_shortfalls(user) -> Section:
    """Order lines waiting for production: the date to tell the customer, or the date to chase."""
    section = Section("stock_shortfalls", str(_("Stock shortfalls and production dates")))
    waiting = [OrderStatus.REGISTERED, OrderStatus.ON_HOLD, OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED]
    demands = scope_to_user(
        ProductionDemand.objects.filter(
            request__status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED],
            order_line__order__status__in=waiting,
        ),
        user,
        "order_line__order__customer",
    ).select_related("request", "order_line__product", "order_line__order__customer")
    for demand in demands.order_by("request__needed_by", "order_line__order__number")[:100]:
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
