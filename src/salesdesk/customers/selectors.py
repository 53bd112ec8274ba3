"""Reads about customers that pages, the API and exports share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from salesdesk.core.audit import TrailEvent, events_for, trail
from salesdesk.core.people import name_of
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import (
    ApplicationStatus,
    Contact,
    CreditTermApplication,
    Customer,
    ReceiptSeal,
)


@dataclass(frozen=True)
class CustomerFilter:
    q: str = ""
    series: str = ""
    status: str = ""
    salesperson: int | None = None
    incomplete: bool = False  # only those whose master data lacks something a first order needs


def customer_list(*, user, filters: CustomerFilter | None = None) -> QuerySet[Customer]:
    filters = filters or CustomerFilter()
    qs = scope_to_user(Customer.objects.all(), user)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(city__icontains=q)
            | Q(contacts__name__icontains=q)
            | Q(contacts__phone__icontains=q)
        ).distinct()
    if filters.series:
        qs = qs.filter(series=filters.series)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.salesperson:
        qs = qs.filter(salesperson_id=filters.salesperson)
    if filters.incomplete:
        qs = incomplete(qs)
    return qs.select_related("salesperson", "assistant").order_by("code")


def customer_get_for_user(*, user, code: str) -> Customer:
    """The customer with `code` if `user` may see it; 404 otherwise (never 403: no hint)."""
    if "\x00" in code:  # PostgreSQL refuses NUL in a query: no such code, not a server error
        raise Http404(_("No such customer."))
    customer = (
        scope_to_user(Customer.objects.all(), user)
        .select_related("salesperson", "assistant", "prepayment_exception_by")
        .filter(code=code)
        .first()
    )
    if customer is None:
        raise Http404(_("No such customer."))
    return customer


# What `customer_missing_fields` asks of a customer's own columns, in the order it names them:
# each must be filled in. `incomplete` asks the same of the database.
REQUIRED = (
    "name",
    "region",
    "province",
    "city",
    "address",
    "salesperson",
    "assistant",
    "settlement",
    "shipping_notes",
)
REQUIRED_PEOPLE = ("salesperson", "assistant")
REQUIRED_TEXT = tuple(field for field in REQUIRED if field not in REQUIRED_PEOPLE)


@dataclass(frozen=True)
class MissingField:
    field: str
    label: str


def customer_missing_fields(customer: Customer) -> list[MissingField]:
    """The master data a first order needs (SPEC section 2), listed by name when absent."""
    missing = []

    def need(field: str, label) -> None:
        missing.append(MissingField(field, str(label)))

    for field in REQUIRED:
        if not getattr(customer, f"{field}_id" if field in REQUIRED_PEOPLE else field):
            need(field, Customer._meta.get_field(field).verbose_name)
    has_phone = getattr(customer, "has_phone", None)  # annotated by `with_completeness`
    if not (any(c.phone for c in customer.contacts.all()) if has_phone is None else has_phone):
        need("contacts", _("contact with phone"))
    if not credit_terms_approved(customer):
        need("credit_application", _("approved credit-term application (数期申请表)"))
    if customer.invoice_required:
        for field in ["invoice_day", "invoice_title", "tax_id"]:
            if not getattr(customer, field):
                need(field, Customer._meta.get_field(field).verbose_name)
    elif not customer.receipt_seal:
        need("receipt_seal", Customer._meta.get_field("receipt_seal").verbose_name)
    return missing


def with_completeness(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Customers with what `customer_missing_fields` reads of their contacts and credit-term
    applications, as two EXISTS in the same query: for a list of customers, cheaper than
    prefetching both for each."""
    approved = CreditTermApplication.objects.filter(
        customer=OuterRef("pk"), status=ApplicationStatus.APPROVED, credit_days__gte=OuterRef("credit_days")
    )
    return qs.annotate(
        has_phone=Exists(Contact.objects.filter(customer=OuterRef("pk")).exclude(phone="")),
        has_approved_credit=Exists(approved),
    )


def incomplete(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customers of `qs` that `customer_missing_fields` names something for, found by the
    database: a list of them reads only them, not every customer to test each in Python.

    The same rules as `customer_missing_fields`, written as one condition; a test holds the two
    to each other for customers lacking any combination of them."""
    missing = Q(has_phone=False)
    for field in REQUIRED_PEOPLE:
        missing |= Q(**{f"{field}__isnull": True})
    for field in REQUIRED_TEXT:
        missing |= Q(**{field: ""})
    missing |= Q(credit_days__gt=0, has_approved_credit=False)
    missing |= Q(invoice_required=True) & (
        Q(invoice_day__isnull=True) | Q(invoice_day=0) | Q(invoice_title="") | Q(tax_id="")
    )
    missing |= Q(invoice_required=False, receipt_seal="")
    return with_completeness(qs).filter(missing)


def read_completeness(customer: Customer) -> None:
    """Give a customer in hand what `with_completeness` annotates, without reading their contacts
    and credit-term applications: whether one contact has a phone, and, only where the customer
    has credit days, whether an application approves them. Two plain reads cost less to build than
    the EXISTS of `with_completeness`, which pays off for a list, not for one customer."""
    customer.has_phone = Contact.objects.filter(customer=customer).exclude(phone="").exists()
    if customer.credit_days > 0:
        customer.has_approved_credit = CreditTermApplication.objects.filter(
            customer=customer, status=ApplicationStatus.APPROVED, credit_days__gte=customer.credit_days
        ).exists()


def credit_terms_approved(customer: Customer) -> bool:
    """Credit days (数期) need an approved application for at least as many days; cash needs none."""
    if customer.credit_days <= 0:
        return True
    known = getattr(customer, "has_approved_credit", None)  # annotated by `with_completeness`
    if known is not None:
        return known
    return any(
        a.status == ApplicationStatus.APPROVED and a.credit_days >= customer.credit_days
        for a in customer.credit_applications.all()
    )


def default_receipt_seal(customer: Customer) -> str:
    return customer.receipt_seal or ReceiptSeal.KEDI_RECEIVED


@dataclass(frozen=True)
class Change:
    at: object
    by: str
    what: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)


# Money and credit terms: what the warehouse must not read in an audit trail either.
MONEY_FIELDS = frozenset({"credit_days", "credit_limit", "standard_price", "unit_price", "rebate_unit_price"})
MONEY_EVENTS = ("price.", "rebate.", "credit_application.")


def history_of(
    records: QuerySet, label: str, *, hide: frozenset[str] = frozenset(), limit: int = 50
) -> list[Change]:
    """The newest `limit` of simple_history's `records` turned into "who changed which field from
    what to what".

    Changes to the fields in `hide` are left out, and so is a row that changed nothing else.
    Each row is compared with the previous row of the same object among those read, so the page
    makes no query per row. Only when there are more than `limit` rows may the oldest row of an
    object read have a predecessor outside them, and only then is the database asked for it.
    """
    records = list(records.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    all_read = len(records) < limit
    previous: dict[int, object] = {}
    older_of = {}
    for record in reversed(records):  # oldest first
        older_of[record.history_id] = previous.get(record.id)
        previous[record.id] = record
    names: dict[tuple, str] = {}
    result = []
    for record in records:
        user = record.history_user
        who = name_of(user, nobody="—")
        kind = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[record.history_type]
        changes = []
        if record.history_type == "~":
            before = older_of[record.history_id]
            if before is None and not all_read:
                before = record.prev_record
            if before is None:
                continue
            for change in record.diff_against(before).changes:
                if change.field in hide:
                    continue
                field = record.instance_type._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        _display(field, change.old, names),
                        _display(field, change.new, names),
                    )
                )
            if not changes:
                continue
        result.append(Change(record.history_date, who, f"{label} {kind}", changes))
    return result


def _display(field, value, names: dict[tuple, str]) -> str:
    """A value as a person reads it: the choice's label, the related object's name."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        key = (field.related_model._meta.label, value)
        if key not in names:  # one query per distinct person or object, not per row
            related = field.related_model.objects.filter(pk=value).first()
            if related is not None and hasattr(related, "first_name"):
                names[key] = name_of(related)
            else:
                names[key] = str(related) if related is not None else str(value)
        return names[key]
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


@cache
def history_model(model):
    """The model simple_history keeps `model`'s rows in. Through `Model.history` each use built a
    manager class of its own (0.4 ms); the history model's plain manager reads the same rows."""
    return model.history.model


def customer_history(customer: Customer, limit: int = 50, *, show_money: bool = True) -> list[Change]:
    hide = frozenset() if show_money else MONEY_FIELDS
    rows = history_of(
        history_model(Customer).objects.filter(id=customer.pk), str(_("Customer")), hide=hide, limit=limit
    )
    rows += history_of(
        history_model(Contact).objects.filter(customer_id=customer.pk), str(_("Contact")), limit=limit
    )
    if not show_money:
        return sorted(rows, key=lambda c: c.at, reverse=True)[:limit]
    rows += history_of(
        history_model(CreditTermApplication).objects.filter(customer_id=customer.pk),
        str(_("Credit-term application")),
        limit=limit,
    )
    return sorted(rows, key=lambda c: c.at, reverse=True)[:limit]


def customer_events(customer: Customer, *, show_money: bool = True, limit: int = 50) -> list[TrailEvent]:
    """The customer's audit events; prices, rebates and credit terms only for who sees money."""
    qs = events_for(customer)
    if not show_money:
        for prefix in MONEY_EVENTS:
            qs = qs.exclude(action__startswith=prefix)
    return trail(qs, limit)
