"""What needs doing now, per user: each item links to the page where it is done."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Carrier, CarrierStatus
from salesdesk.core.roles import Role, role_of, scope_to_user
from salesdesk.customers.models import ApplicationStatus, CreditTermApplication, Customer
from salesdesk.customers.selectors import customer_missing_fields


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
        sections.append(_incomplete_customers(user))
    if role in {Role.MANAGER, Role.ASSISTANT, Role.SALESPERSON, Role.FINANCE}:
        sections.append(_credit_applications(user))
    sections.append(_suspended_carriers())
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
