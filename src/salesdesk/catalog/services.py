"""Writes to the catalogue: products, agreed prices, rebate prices, carriers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import Carrier, CarrierStatus, CustomerPrice, Product, RebatePrice
from salesdesk.catalog.selectors import rebates_in_force
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, NotAllowed, field_errors_from_validation
from salesdesk.core.money import to_unit_price
from salesdesk.customers.models import Customer

name_events(
    {
        "price.set": gettext_lazy("Agreed price set"),
        "rebate.set": gettext_lazy("Rebate price set"),
        "carrier.suspended": gettext_lazy("Carrier suspended"),
        "carrier.reinstated": gettext_lazy("Carrier reinstated"),
    }
)

PRODUCT_FIELDS = [
    "model_code",
    "name",
    "specification",
    "unit",
    "standard_price",
    "active",
    "selling_points",
    "is_new",
]
CARRIER_FIELDS = [
    "name",
    "kind",
    "service_area",
    "can_collect_cod",
    "can_return_notes",
    "return_deadline_days",
    "contact",
]


def _save_clean(obj, by, **clean_kwargs) -> None:
    try:
        obj.full_clean(**clean_kwargs)
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc
    obj._history_user = by
    obj.save()


def _only(fields: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(unknown)}, field=unknown[0])


@transaction.atomic
def product_create(*, by, **fields: Any) -> Product:
    _only(fields, PRODUCT_FIELDS)
    product = Product(**fields)
    _save_clean(product, by)
    return product


@transaction.atomic
def product_update(*, product: Product, by, **fields: Any) -> Product:
    _only(fields, PRODUCT_FIELDS)
    product = Product.objects.select_for_update().get(pk=product.pk)
    for name, value in fields.items():
        setattr(product, name, value)
    _save_clean(product, by)
    return product


def _price_date_taken(valid_from: dt.date) -> Conflict:
    return Conflict(
        _("A price for this product starting on %(d)s already exists; choose another date.")
        % {"d": valid_from},
        field="valid_from",
    )


def _rebate_date_taken(valid_from: dt.date) -> Conflict:
    return Conflict(
        _("A rebate for this product starting on %(d)s already exists; choose another date.")
        % {"d": valid_from},
        field="valid_from",
    )


@transaction.atomic
def price_set(
    *, customer: Customer, product: Product, unit_price: Decimal, valid_from: dt.date, by, note: str = ""
) -> tuple[CustomerPrice, list[RebatePrice]]:
    """Agree a new price from `valid_from` on.

    Returns the price and the rebate prices in force for the same product, which may
    need to change with it (销售价格有变动的情况回扣价也有跟着调整).
    """
    # full_clean() would report a clash of start dates as a nameless form error; say which field.
    if CustomerPrice.objects.filter(customer=customer, product=product, valid_from=valid_from).exists():
        raise _price_date_taken(valid_from)
    price = CustomerPrice(
        customer=customer,
        product=product,
        unit_price=to_unit_price(unit_price),
        valid_from=valid_from,
        note=note,
        created_by=by,
    )
    try:
        price.full_clean(validate_unique=False)
        with transaction.atomic():
            price.save()
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc
    except IntegrityError as exc:  # a concurrent twin got there first
        raise _price_date_taken(valid_from) from exc
    record_event(
        "price.set", by=by, obj=customer, summary=f"{product.model_code} {price.unit_price} {valid_from}"
    )
    return price, list(rebates_in_force(customer=customer, on=valid_from, product=product))


@transaction.atomic
def rebate_set(
    *,
    customer: Customer,
    product: Product,
    rebate_unit_price: Decimal,
    valid_from: dt.date,
    by,
    payee_name: str,
    payee_id_number: str = "",
    payee_bank: str = "",
    payee_account: str = "",
) -> RebatePrice:
    """Set a rebate price (回扣价). Needs 回佣权限, and stays within the user's 回佣额度."""
    if not by.has_perm("core.set_rebate"):
        raise NotAllowed(_("You do not hold the commission permission needed to set rebate prices."))
    if not customer.rebate:
        raise DomainError(_("This customer is not marked as a rebate customer."), field="customer")
    amount = to_unit_price(rebate_unit_price)
    ceiling = getattr(getattr(by, "profile", None), "max_rebate_per_unit", None)
    if ceiling is not None and amount > ceiling:
        raise NotAllowed(
            _("The rebate %(a)s is above your limit of %(c)s per unit.") % {"a": amount, "c": ceiling},
            field="rebate_unit_price",
        )
    if RebatePrice.objects.filter(customer=customer, product=product, valid_from=valid_from).exists():
        raise _rebate_date_taken(valid_from)
    rebate = RebatePrice(
        customer=customer,
        product=product,
        rebate_unit_price=amount,
        valid_from=valid_from,
        payee_name=payee_name,
        payee_id_number=payee_id_number,
        payee_bank=payee_bank,
        payee_account=payee_account,
        created_by=by,
    )
    try:
        rebate.full_clean(validate_unique=False)
        with transaction.atomic():
            rebate.save()
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc
    except IntegrityError as exc:
        raise _rebate_date_taken(valid_from) from exc
    record_event("rebate.set", by=by, obj=customer, summary=f"{product.model_code} {amount} {valid_from}")
    return rebate


@transaction.atomic
def carrier_create(*, by, **fields: Any) -> Carrier:
    _only(fields, CARRIER_FIELDS)
    carrier = Carrier(**fields)
    _save_clean(carrier, by)
    return carrier


@transaction.atomic
def carrier_suspend(*, carrier: Carrier, by, reason: str) -> Carrier:
    """Stop using a carrier that is late with COD money or signed notes."""
    if not by.has_perm("catalog.suspend_carrier"):
        raise NotAllowed(_("Only a manager may suspend a carrier."))
    if not reason.strip():
        raise DomainError(_("Give the reason for suspending the carrier."), field="reason")
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    if carrier.status == CarrierStatus.SUSPENDED:
        raise Conflict(_("This carrier is already suspended."))
    carrier.status = CarrierStatus.SUSPENDED
    carrier.suspended_reason = reason.strip()[:200]
    carrier.suspended_on = timezone.localdate()
    _save_clean(carrier, by)
    record_event("carrier.suspended", by=by, obj=carrier, summary=carrier.suspended_reason)
    return carrier


@transaction.atomic
def carrier_reinstate(*, carrier: Carrier, by, note: str = "") -> Carrier:
    if not by.has_perm("catalog.suspend_carrier"):
        raise NotAllowed(_("Only a manager may reinstate a carrier."))
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    if carrier.status == CarrierStatus.ACTIVE:
        raise Conflict(_("This carrier is not suspended."))
    carrier.status = CarrierStatus.ACTIVE
    carrier.suspended_reason = ""
    carrier.suspended_on = None
    _save_clean(carrier, by)
    record_event("carrier.reinstated", by=by, obj=carrier, summary=note[:500])
    return carrier
