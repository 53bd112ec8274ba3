from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesdesk.core.models import ChoiceLabels
from salesdesk.core.money import UNIT_PRICE
from salesdesk.customers.models import Customer


class Product(models.Model):
    model_code = models.CharField(_("model code"), max_length=40, unique=True)  # 型号
    name = models.CharField(_("product name"), max_length=120, db_index=True)
    specification = models.CharField(_("specification"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="桶")
    standard_price = models.DecimalField(_("standard price"), validators=[MinValueValidator(0)], **UNIT_PRICE)
    active = models.BooleanField(_("active"), default=True)
    selling_points = models.TextField(_("selling points"), blank=True)
    is_new = models.BooleanField(_("new product"), default=False)  # offered on every call
    history = HistoricalRecords()

    class Meta:
        ordering = ["model_code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(standard_price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.model_code} {self.name}"


class CustomerPrice(models.Model):
    """The agreed unit price for a customer and product from `valid_from` on.

    Rows are never edited: a new price is a new row, so the price on any past date stays
    answerable.
    """

    # The unique (customer, product, valid_from) is the index by customer too.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="prices", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="customer_prices")
    unit_price = models.DecimalField(_("agreed unit price"), validators=[MinValueValidator(0)], **UNIT_PRICE)
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["customer", "product", "-valid_from"]
        verbose_name = _("agreed price")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product", "valid_from"], name="one_price_per_start_date"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="agreed_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.product_id} {self.valid_from}"


class RebatePrice(models.Model):
    """客户回扣设置: the rebate per unit paid to a payee, from `valid_from` on."""

    # The unique (customer, product, valid_from) is the index by customer too.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="rebate_prices", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="rebate_prices")
    rebate_unit_price = models.DecimalField(
        _("rebate per unit"), validators=[MinValueValidator(0)], **UNIT_PRICE
    )
    valid_from = models.DateField(_("valid from"))
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_id_number = models.CharField(_("payee id number"), max_length=30, blank=True)
    payee_bank = models.CharField(_("payee bank"), max_length=100, blank=True)
    payee_account = models.CharField(_("payee account"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["customer", "product", "-valid_from"]
        verbose_name = _("rebate price")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product", "valid_from"], name="one_rebate_per_start_date"
            ),
            models.CheckConstraint(condition=Q(rebate_unit_price__gte=0), name="rebate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.product_id} {self.valid_from}"


class CarrierKind(models.TextChoices):
    COURIER = "courier", _("Courier")  # 快递
    FREIGHT = "freight", _("Freight")  # 货运


class CarrierStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # may be chosen for shipments
    SUSPENDED = "suspended", _("Suspended")  # late with COD money or signed notes


class Carrier(ChoiceLabels, models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CarrierKind.choices, default=CarrierKind.COURIER
    )
    service_area = models.CharField(_("service area"), max_length=200, blank=True)
    can_collect_cod = models.BooleanField(_("collects cash on delivery"), default=False)
    can_return_notes = models.BooleanField(_("returns signed notes"), default=False)
    return_deadline_days = models.PositiveSmallIntegerField(
        _("return deadline (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CarrierStatus.choices, default=CarrierStatus.ACTIVE
    )
    suspended_reason = models.CharField(_("suspension reason"), max_length=200, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        permissions = [("suspend_carrier", _("May suspend and reinstate carriers"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_deadline_days__gte=1), name="carrier_deadline_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(suspended_reason=""), name="carrier_suspension_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.name
