from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesdesk.core.models import ChoiceLabels
from salesdesk.core.money import AMOUNT


class CustomerSeries(models.TextChoices):
    COMPANY = "GS", _("Company customer (GS00)")  # 公司客户
    SALESPERSON = "YW", _("Salesperson's customer (YW00)")  # 业务员客户
    AGENT = "KD", _("Agent (KD00)")  # 代理商


class Settlement(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    COD = "cod", _("Cash on delivery")
    CHEQUE = "cheque", _("Cheque")
    MONTHLY = "monthly", _("Monthly statement")


class ReceiptSeal(models.TextChoices):
    KEDI_RECEIVED = "kedi_received", _("Kedi received seal (科迪收讫章)")
    KEDI_OFFICIAL = "kedi_official", _("Kedi company seal (科迪公章)")
    NANHUACHENG = "nanhuacheng", _("Nanhuacheng company seal (南化成公章)")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # may order
    ON_HOLD = "on_hold", _("On hold")  # orders wait for a manager
    CLOSED = "closed", _("Closed")  # no new orders; history stays


class Customer(ChoiceLabels, models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    series = models.CharField(_("series"), max_length=2, choices=CustomerSeries.choices)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers_as_salesperson",
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales assistant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers_as_assistant",
    )
    credit_days = models.PositiveSmallIntegerField(
        _("credit days"), default=0, validators=[MaxValueValidator(365)]
    )
    credit_limit = models.DecimalField(
        _("credit limit"), null=True, blank=True, validators=[MinValueValidator(0)], **AMOUNT
    )
    invoice_required = models.BooleanField(_("invoice required"), default=False)
    invoice_day = models.PositiveSmallIntegerField(
        _("invoice day of month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    invoice_title = models.CharField(_("invoice title"), max_length=120, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=30, blank=True)
    rebate = models.BooleanField(_("rebate applies"), default=False)
    shipping_notes = models.TextField(_("shipping requirements"), blank=True)
    settlement = models.CharField(
        _("settlement method"), max_length=10, choices=Settlement.choices, blank=True
    )
    receipt_seal = models.CharField(_("receipt seal"), max_length=20, choices=ReceiptSeal.choices, blank=True)
    contract_terms = models.TextField(_("contract terms"), blank=True)
    contract_file = models.FileField(_("contract file"), upload_to="contracts/", blank=True)
    contract_valid_from = models.DateField(_("contract valid from"), null=True, blank=True)
    contract_valid_to = models.DateField(_("contract valid to"), null=True, blank=True)
    prepayment_exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepayment exception granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepayment_exception_note = models.CharField(_("prepayment exception note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0) | Q(credit_limit__isnull=True),
                name="customer_credit_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(invoice_day__gte=1, invoice_day__lte=31) | Q(invoice_day__isnull=True),
                name="customer_invoice_day_in_month",
            ),
            models.CheckConstraint(condition=Q(series__in=["GS", "YW", "KD"]), name="customer_series_known"),
            models.CheckConstraint(
                condition=Q(contract_valid_to__isnull=True)
                | Q(contract_valid_from__isnull=True)
                | Q(contract_valid_to__gte=models.F("contract_valid_from")),
                name="customer_contract_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        # Named on the field, so a form shows it there rather than as a database rule.
        if (
            self.contract_valid_from
            and self.contract_valid_to
            and self.contract_valid_to < self.contract_valid_from
        ):
            raise ValidationError({"contract_valid_to": _("The contract cannot end before it starts.")})


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("contact name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=40)
    role = models.CharField(_("role"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact")

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")  # waits for the general manager
    APPROVED = "approved", _("Approved")  # the credit days may be used
    REJECTED = "rejected", _("Rejected")  # the customer pays cash


class CreditTermApplication(ChoiceLabels, models.Model):
    """《数期申请表》: credit days for a customer, approved by the general manager."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_applications")
    credit_days = models.PositiveSmallIntegerField(
        _("credit days"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reason = models.TextField(_("reason"), blank=True)
    scan = models.FileField(_("signed form (scan)"), upload_to="credit-applications/", blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("credit-term application")
        permissions = [("approve_credittermapplication", _("May approve credit-term applications"))]
        constraints = [
            models.CheckConstraint(condition=Q(credit_days__gte=1), name="credit_application_days_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(approver__isnull=False) & Q(decided_on__isnull=False)),
                name="credit_application_decision_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer.code} {self.credit_days}d {self.get_status_display()}"
