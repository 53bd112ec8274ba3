"""Commissions (佣金 / 回佣): accrued on posting, payable once the customer has paid, gathered
into a monthly statement per payee, approved by finance and paid exactly once (SPEC section 7).

Whether an accrual is payable is not stored: it follows from the allocations of its outbound,
so a settlement that changes makes it payable or not without anything to keep in step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import RebatePrice
from salesdesk.core.models import ChoiceLabels
from salesdesk.core.money import AMOUNT, QUANTITY, UNIT_PRICE
from salesdesk.customers.models import Customer
from salesdesk.warehouse.models import Outbound, OutboundLine


class CommissionAccrual(models.Model):
    """One posted outbound line of a rebate customer: quantity × rebate unit price, to a payee.

    Returns accrue the negative of what their original line accrued (a clawback).
    """

    outbound_line = models.OneToOneField(OutboundLine, on_delete=models.PROTECT, related_name="accrual")
    outbound = models.ForeignKey(
        Outbound, verbose_name=_("outbound"), on_delete=models.PROTECT, related_name="accruals"
    )
    # For a clawback: the accrual of the line that came back.
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="clawbacks"
    )
    # Indexed by (customer, payee_name, payee_account) below.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="accruals",
        db_index=False,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rebate_price = models.ForeignKey(RebatePrice, on_delete=models.PROTECT, related_name="+")
    posting_date = models.DateField(_("posting date"), db_index=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # signed
    rebate_unit_price = models.DecimalField(_("rebate unit price"), **UNIT_PRICE)
    amount = models.DecimalField(_("commission"), **AMOUNT)  # signed
    # The payee as on file when the line was posted (收受人).
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_id_number = models.CharField(_("payee id number"), max_length=30, blank=True)
    payee_bank = models.CharField(_("payee bank"), max_length=100, blank=True)
    payee_account = models.CharField(_("payee account"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posting_date", "id"]
        verbose_name = _("commission accrual")
        indexes = [models.Index(fields=["customer", "payee_name", "payee_account"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="accrual_not_zero"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(original__isnull=False), name="clawback_names_its_original"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outbound_id}/{self.outbound_line_id}: {self.amount}"


class StatementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted to finance")  # 已提交财务
    APPROVED = "approved", _("Approved")  # 财务审核通过
    PAID = "paid", _("Paid")  # 已付佣
    RETURNED = "returned", _("Sent back")  # 退回: its accruals are free again


class CommissionStatement(ChoiceLabels, models.Model):
    """付佣明细: a payee's payable accruals of a month, approved by finance, then paid once."""

    number = models.CharField(_("statement number"), max_length=20, unique=True)
    month = models.DateField(_("month"), db_index=True)  # the first day of the month it closes
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="commission_statements"
    )
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_id_number = models.CharField(_("payee id number"), max_length=30, blank=True)
    payee_bank = models.CharField(_("payee bank"), max_length=100, blank=True)
    payee_account = models.CharField(_("payee account"), max_length=40, blank=True)
    total = models.DecimalField(_("total"), **AMOUNT)
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.SUBMITTED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for sending back"), max_length=300, blank=True)
    # The salesperson confirmed with the customer that the money arrived.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed with the customer at"), null=True, blank=True)

    TRANSITIONS = {
        StatementStatus.SUBMITTED: {StatementStatus.APPROVED, StatementStatus.RETURNED},
        StatementStatus.APPROVED: {StatementStatus.PAID, StatementStatus.RETURNED},
        StatementStatus.PAID: set(),
        StatementStatus.RETURNED: set(),
    }

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("commission statement")
        permissions = [("pay_commission", _("May record commission payments"))]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="commission_statement_positive"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="returned_statement_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class StatementLine(models.Model):
    statement = models.ForeignKey(CommissionStatement, on_delete=models.PROTECT, related_name="lines")
    accrual = models.ForeignKey(CommissionAccrual, on_delete=models.PROTECT, related_name="statement_lines")
    # False once the statement is sent back: the accrual may then go on another statement.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["statement_id", "id"]
        constraints = [
            # An accrual is on at most one statement that still counts.
            models.UniqueConstraint(
                fields=["accrual"], condition=Q(active=True), name="accrual_on_one_live_statement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.accrual_id}"


class CommissionPayout(models.Model):
    """付佣: the payment of one approved statement — at most one per statement."""

    statement = models.OneToOneField(CommissionStatement, on_delete=models.PROTECT, related_name="payout")
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=60)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_positive")]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.amount}"


class PayoutItem(models.Model):
    """Each accrual paid, once: the database refuses a second payment of the same accrual."""

    payout = models.ForeignKey(CommissionPayout, on_delete=models.PROTECT, related_name="items")
    accrual = models.OneToOneField(CommissionAccrual, on_delete=models.PROTECT, related_name="payout_item")
    amount = models.DecimalField(_("amount"), **AMOUNT)

    class Meta:
        ordering = ["payout_id", "id"]

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.accrual_id}"
