"""Writes to customers: one function per business action, one transaction each."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed, field_errors_from_validation
from salesdesk.core.numbering import next_value
from salesdesk.core.roles import Role, role_of
from salesdesk.customers.models import (
    ApplicationStatus,
    Contact,
    CreditTermApplication,
    Customer,
    CustomerSeries,
)

name_events(
    {
        "credit_application.submitted": gettext_lazy("Credit terms applied for"),
        "credit_application.approved": gettext_lazy("Credit terms approved"),
        "credit_application.rejected": gettext_lazy("Credit terms rejected"),
    }
)

# Fields a user may set directly; the code, creator and timestamps belong to the system.
EDITABLE_FIELDS = [
    "name",
    "region",
    "province",
    "city",
    "address",
    "salesperson",
    "assistant",
    "credit_days",
    "credit_limit",
    "invoice_required",
    "invoice_day",
    "invoice_title",
    "tax_id",
    "rebate",
    "shipping_notes",
    "settlement",
    "receipt_seal",
    "contract_terms",
    "contract_file",
    "contract_valid_from",
    "contract_valid_to",
    "prepayment_exception_by",
    "prepayment_exception_note",
    "status",
    "notes",
]


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc


def _check_contacts(contacts: list[dict[str, str]]) -> list[Contact]:
    built = []
    errors: dict[str, list[str]] = {}
    for i, data in enumerate(contacts):
        contact = Contact(
            name=(data.get("name") or "").strip(),
            phone=(data.get("phone") or "").strip(),
            role=(data.get("role") or "").strip(),
        )
        try:
            contact.full_clean(exclude=["customer"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"contacts[{i}].{field}", []).extend(messages)
        built.append(contact)
    if errors:
        raise FieldErrors(errors)
    return built


def customer_code(series: str, number: int) -> str:
    """GS00001, YW00001, KD00001: the series prefix, then five digits."""
    return f"{series}{number:05d}"


@transaction.atomic
def customer_create(
    *, by, series: str, contacts: list[dict[str, str]] | None = None, **fields: Any
) -> Customer:
    if series not in CustomerSeries.values:
        raise DomainError(_("Choose a customer series: GS, YW or KD."), field="series")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    role = role_of(by)
    # A customer nobody can see is a lost customer: default the owner to its creator.
    if role == Role.SALESPERSON and not fields.get("salesperson"):
        fields["salesperson"] = by
    if role == Role.ASSISTANT and not fields.get("assistant"):
        fields["assistant"] = by
    customer = Customer(series=series, created_by=by, **fields)
    _clean_without_code(customer)
    built_contacts = _check_contacts(contacts or [])
    customer.code = customer_code(series, next_value(f"customer:{series}"))
    customer._history_user = by
    customer.save()
    for contact in built_contacts:
        contact.customer = customer
        contact._history_user = by
        contact.save()
    return customer


def _clean_without_code(customer: Customer) -> None:
    try:
        customer.full_clean(exclude=["code"])
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc


@transaction.atomic
def customer_update(*, customer: Customer, by, **fields: Any) -> Customer:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    for name, value in fields.items():
        setattr(customer, name, value)
    _clean(customer)
    customer._history_user = by
    customer.save()
    return customer


@transaction.atomic
def contacts_replace(*, customer: Customer, by, contacts: list[dict[str, str]]) -> list[Contact]:
    """Set the customer's contacts to exactly `contacts` (kept rows by id, others removed)."""
    built = _check_contacts(contacts)
    existing = {c.pk: c for c in customer.contacts.all()}
    kept = []
    for data, contact in zip(contacts, built, strict=True):
        current = existing.pop(int(data["id"]), None) if str(data.get("id") or "").isdigit() else None
        if current is not None:
            if (current.name, current.phone, current.role) == (contact.name, contact.phone, contact.role):
                kept.append(current)  # unchanged: no history row saying nothing
                continue
            current.name, current.phone, current.role = contact.name, contact.phone, contact.role
            contact = current
        contact.customer = customer
        contact._history_user = by
        contact.save()
        kept.append(contact)
    for gone in existing.values():
        gone._history_user = by
        gone.delete()
    return kept


@transaction.atomic
def credit_application_submit(
    *, customer: Customer, by, credit_days: int, reason: str = "", scan=None
) -> CreditTermApplication:
    if CreditTermApplication.objects.filter(customer=customer, status=ApplicationStatus.PENDING).exists():
        raise Conflict(
            _("This customer already has a credit-term application waiting for approval."),
            field="credit_days",
        )
    application = CreditTermApplication(
        customer=customer, credit_days=credit_days, reason=reason, applicant=by
    )
    if scan is not None:
        application.scan = scan
    _clean(application)
    application._history_user = by
    application.save()
    record_event(
        "credit_application.submitted", by=by, obj=application, summary=f"{customer.code} {credit_days}"
    )
    return application


@transaction.atomic
def credit_application_decide(
    *, application: CreditTermApplication, by, approve: bool, note: str = ""
) -> CreditTermApplication:
    """The general manager approves (the customer gets the credit days) or rejects."""
    if not by.has_perm("customers.approve_credittermapplication"):
        raise NotAllowed(_("Only the general manager approves credit terms."))
    application = CreditTermApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(_("This application was already decided."))
    if application.applicant_id == by.pk:
        raise NotAllowed(_("Whoever applied for credit terms cannot approve them too."))
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.approver = by
    application.decided_on = timezone.localdate()
    application.decision_note = note
    application._history_user = by
    application.save()
    if approve:
        customer_update(customer=application.customer, by=by, credit_days=application.credit_days)
    record_event(
        "credit_application.approved" if approve else "credit_application.rejected",
        by=by,
        obj=application,
        summary=f"{application.customer.code} {application.credit_days}",
    )
    return application
