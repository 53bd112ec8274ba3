"""The review an order goes through when it is registered (SPEC section 4).

Each check passes, fails with its reason, or is overridden by a person allowed to, with a
reason. Checks 1–4 live here; apps to the right (stock, receivables) add theirs with
`register_check` when they load, so the review grows without this module importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.selectors import agreed_prices
from salesdesk.core.people import name_of
from salesdesk.core.roles import Role, can_quote, role_of
from salesdesk.customers.selectors import credit_terms_approved, customer_missing_fields


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class Check:
    code: str
    label: object  # lazy translatable text
    run: Callable  # (order, by) -> Outcome
    may_override: Callable  # (user, order) -> bool


CHECKS: list[Check] = []

# Answers "has this order been paid for in advance?" for check 4; receivables adds its answer.
PREPAYMENT_COVERAGE: list[Callable] = []  # (order) -> bool


def register_check(check: Check, *, before: str | None = None) -> None:
    """Add a check; `before` keeps the SPEC's numbering whatever order the apps load in."""
    if any(c.code == check.code for c in CHECKS):
        return
    position = next((i for i, c in enumerate(CHECKS) if c.code == before), len(CHECKS))
    CHECKS.insert(position, check)


def check_by_code(code: str) -> Check | None:
    return next((c for c in CHECKS if c.code == code), None)


def _is_manager(user, order) -> bool:
    return role_of(user) == Role.MANAGER


def _master_data(order, by) -> Outcome:
    # Credit terms have a check of their own (2); listing them here too would double the hold.
    missing = [m.label for m in customer_missing_fields(order.customer) if m.field != "credit_application"]
    if missing:
        return Outcome(False, _("Missing master data: %(fields)s") % {"fields": "、".join(missing)})
    return Outcome(True)


def _credit_terms(order, by) -> Outcome:
    customer = order.customer
    if credit_terms_approved(customer):
        return Outcome(True)
    return Outcome(
        False,
        _("%(days)s credit days without an approved credit-term application (数期申请表).")
        % {"days": customer.credit_days},
    )


def _agreed_prices(order, by) -> Outcome:
    today = timezone.localdate(order.registered_at) if order.registered_at else timezone.localdate()
    lines = list(order.lines.all())  # with their products: prefetched by the review
    agreed = agreed_prices(customer=order.customer, products=[line.product for line in lines], on=today)
    differing, changed = [], []
    for line in lines:
        price = agreed.get(line.product_id)
        if line.agreed_price != price:
            line.agreed_price = price
            changed.append(line)
        if price is None or line.unit_price != price:
            shown = price if price is not None else _("none agreed")
            differing.append(f"{line.product.model_code} {line.unit_price} ≠ {shown}")
    if changed:
        type(lines[0]).objects.bulk_update(changed, ["agreed_price"])
    if not differing:
        return Outcome(True)
    if can_quote(by):
        who = name_of(by)
        return Outcome(True, _("Quoted by %(who)s: %(lines)s") % {"who": who, "lines": "; ".join(differing)})
    return Outcome(
        False, _("Price differs from the agreed price: %(lines)s") % {"lines": "; ".join(differing)}
    )


def _may_quote(user, order) -> bool:
    return can_quote(user)


def is_out_of_province(province: str) -> bool:
    home = settings.SALESDESK["HOME_PROVINCE"].removesuffix("省")
    return bool(province) and province.strip().removesuffix("省") != home


def _prepayment(order, by) -> Outcome:
    customer = order.customer
    if not is_out_of_province(customer.province):
        return Outcome(True)
    if any(covered(order) for covered in PREPAYMENT_COVERAGE):
        return Outcome(True, _("Paid in advance."))
    if customer.prepayment_exception_by_id:
        return Outcome(
            True,
            _("Exception by %(who)s: %(note)s")
            % {
                "who": name_of(customer.prepayment_exception_by),
                "note": customer.prepayment_exception_note,
            },
        )
    return Outcome(
        False,
        _("Out-of-province customer (%(p)s): payment before shipping (款到发货).") % {"p": customer.province},
    )


def salesperson_or_manager(user, order) -> bool:
    """Who may accept a hold that is the salesperson's to judge (prepayment, receivables)."""
    return role_of(user) == Role.MANAGER or user.pk in {order.salesperson_id, order.customer.salesperson_id}


register_check(Check("master_data", gettext_lazy("Master data complete"), _master_data, _is_manager))
register_check(Check("credit_terms", gettext_lazy("Credit terms approved"), _credit_terms, _is_manager))
register_check(Check("agreed_price", gettext_lazy("Agreed prices"), _agreed_prices, _may_quote))
register_check(
    Check("prepayment", gettext_lazy("Out-of-province prepayment"), _prepayment, salesperson_or_manager)
)
