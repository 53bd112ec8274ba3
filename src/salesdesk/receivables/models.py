"""Money owed and received (SPEC section 6).

The ledger is not a table of its own: a customer's balance is the sum of its posted outbounds
(sales positive; returns and write-offs negative, all in the warehouse app) minus its
receipts. Allocations say which receipt or credit settles which sale, so each sale's open
amount — and with it the aging — follows from documents that never change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Carrier
from salesdesk.core.models import ChoiceLabels
from salesdesk.core.money import AMOUNT
from salesdesk.customers.models import Customer, ReceiptSeal
from salesdesk.orders.models import SalesOrder
from salesdesk.warehouse.models import Outbound, Shipment


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")  # 现金
    TRANSFER = "transfer", _("Bank transfer")  # 银行转账
    COD = "cod", _("Cash on delivery via carrier")  # 快递代收货款
    CHEQUE = "cheque", _("Cheque")  # 支票


class Receipt(ChoiceLabels, models.Model):
    """销售收款单: money received from a customer, settling posted sales.

    What it does not settle stays on the customer's account as credit (预收), to be applied to
    the next sale. The money fields never change once saved; finance only ticks it off.
    """

    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    # Indexed by (customer, received_on) below.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="receipts",
        db_index=False,
    )
    received_on = models.DateField(_("received on"), db_index=True)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices)
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The COD shipment whose money this is: each becomes at most one receipt.
    shipment = models.OneToOneField(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="receipt"
    )
    # A prepayment (款到发货) names the order it pays for; it settles that order's outbound.
    order = models.ForeignKey(
        SalesOrder,
        verbose_name=_("prepayment for order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prepayments",
    )
    reference = models.CharField(_("bank or cheque reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Amount received minus what the documents it settles were open for (实际收款与出库不一致):
    # not zero means a note says why, and finance is told.
    difference = models.DecimalField(_("difference"), default=0, **AMOUNT)
    # 当天的销售收款需当天录入: one entered after the day the money came is shown to finance.
    entered_late = models.BooleanField(_("entered late"), default=False)
    # 知会财务: finance has seen a receipt with a difference or a late entry.
    finance_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finance_checked_at = models.DateTimeField(_("checked by finance at"), null=True, blank=True)
    # 消账: the day the money reached finance.
    reached_finance_on = models.DateField(_("money reached finance on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("receipt")
        permissions = [("check_receipt", _("May tick off receipts for finance (消账)"))]
        indexes = [
            models.Index(fields=["customer", "received_on"]),
            models.Index(fields=["created_at"], name="receipt_entered_at"),
            # Finance's queues (知会财务, 消账) are the few receipts still waiting among years of them.
            models.Index(
                fields=["received_on", "id"],
                condition=Q(finance_checked_at__isnull=True) & (~Q(difference=0) | Q(entered_late=True)),
                name="receipt_for_finance",
            ),
            models.Index(
                fields=["received_on", "id"],
                condition=Q(reached_finance_on__isnull=True),
                name="receipt_not_with_finance",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=~Q(method="cod") | Q(carrier__isnull=False), name="cod_receipt_names_carrier"
            ),
            models.CheckConstraint(
                condition=Q(difference=0) | ~Q(note=""), name="receipt_difference_has_note"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """核销: part of a receipt, a return or a write-off settling part of a posted sale."""

    sale = models.ForeignKey(Outbound, on_delete=models.PROTECT, related_name="settled_by")
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    credit = models.ForeignKey(
        Outbound, null=True, blank=True, on_delete=models.PROTECT, related_name="settles"
    )
    amount = models.DecimalField(_("amount"), **AMOUNT)
    # The later of the two documents' dates: from that day on the sale is that much less open.
    date = models.DateField(_("date"), db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        # Returns and exchanges undo sales: a right of its own (assistants and the manager).
        permissions = [("record_return", _("May record returns and exchanges"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(receipt__isnull=False) & Q(credit__isnull=True))
                | (Q(receipt__isnull=True) & Q(credit__isnull=False)),
                name="allocation_from_receipt_or_credit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id or self.credit_id} → {self.sale_id}: {self.amount}"


class OpenItem(models.Model):
    """未核销: a posted outbound not yet settled in full, with what is still open, signed as the
    outbound (a sale still owed is positive; a return or write-off whose credit is not yet
    applied is negative). Settled outbounds have no row.

    Database triggers keep it (migration 0005): a row appears when an outbound is posted and
    shrinks with each allocation, so every write path — the services, the data generator, a
    restore — keeps it, and an allocation beyond what is open is refused by the database
    itself. It lets a customer's open items, balance and overdue amount be read from what is
    open instead of from everything ever posted; `salesdesk check` recounts it.
    """

    outbound = models.OneToOneField(
        Outbound, primary_key=True, on_delete=models.CASCADE, related_name="open_item"
    )
    # Indexed by (customer, due_date) below.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    amount = models.DecimalField(_("open amount"), **AMOUNT)
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "outbound_id"]
        indexes = [models.Index(fields=["customer", "due_date"]), models.Index(fields=["due_date"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="open_item_not_settled")]

    def __str__(self) -> str:
        return f"{self.outbound_id}: {self.amount} open"


class UnappliedReceipt(models.Model):
    """预收/未核销收款: a receipt whose money is not yet applied to a sale in full, kept by the
    same triggers as `OpenItem`."""

    receipt = models.OneToOneField(
        Receipt, primary_key=True, on_delete=models.CASCADE, related_name="unapplied_money"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(_("unapplied amount"), **AMOUNT)

    class Meta:
        ordering = ["receipt_id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="unapplied_receipt_positive")]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.amount} unapplied"


class CodWaiting(models.Model):
    """代收货款 to enter: a shipment whose courier collects cash on delivery, until a receipt
    names it.

    Database triggers keep it (migration 0013), like `OpenItem` and `ToInvoice`: a row appears
    when such a shipment is recorded (or its COD amount set), and goes when a receipt names the
    shipment. Whether a shipment has a receipt is a row missing from another table, which no
    index holds: the COD list found its 225 shipments among 26,000 by walking the customers'
    outbounds and their shipments. `salesdesk check` recounts it.
    """

    shipment = models.OneToOneField(
        Shipment, primary_key=True, on_delete=models.CASCADE, related_name="cod_waiting"
    )

    def __str__(self) -> str:
        return f"shipment {self.shipment_id}: COD money to enter"


class ToInvoice(models.Model):
    """待开票: a posted outbound (a sale or a return) of a customer who takes invoices, not yet on
    an invoice. Write-offs are never invoiced and have no row.

    Database triggers keep it (migration 0010), like `OpenItem`: a row appears when such an
    outbound is posted, goes when an invoice item names it, and follows the customer's
    `invoice_required` — switched on, the customer's posted outbounds not yet invoiced are
    added; switched off, they are removed. Invoices are never cancelled, so an invoiced outbound
    does not come back. The invoices to send are read from what waits here instead of from every
    outbound ever posted; `salesdesk check` recounts it.
    """

    outbound = models.OneToOneField(
        Outbound, primary_key=True, on_delete=models.CASCADE, related_name="to_invoice"
    )
    # Indexed by (customer, posting_date) below.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    posting_date = models.DateField()

    class Meta:
        ordering = ["posting_date", "outbound_id"]
        indexes = [models.Index(fields=["customer", "posting_date"])]

    def __str__(self) -> str:
        return f"{self.outbound_id}: {self.amount} to invoice"


class WriteOffItem(models.Model):
    """What a bad-debt write-off (坏账) proposes to write off, sale by sale, until approved."""

    # The unique (write_off, sale) is the index by write-off too.
    write_off = models.ForeignKey(
        Outbound, on_delete=models.CASCADE, related_name="write_off_items", db_index=False
    )
    sale = models.ForeignKey(Outbound, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **AMOUNT)

    class Meta:
        ordering = ["write_off_id", "id"]
        # Approving a write-off is the manager's, or finance's up to the write-off limit; never
        # its creator's.
        permissions = [
            ("approve_write_off", _("May approve bad-debt write-offs")),
            ("approve_small_write_off", _("May approve bad-debt write-offs up to the write-off limit")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_item_positive"),
            models.UniqueConstraint(fields=["write_off", "sale"], name="one_item_per_sale_and_write_off"),
        ]

    def __str__(self) -> str:
        return f"{self.write_off_id} writes off {self.amount} of {self.sale_id}"


class Invoice(models.Model):
    """发票: issued for posted outbounds, mailed, and followed until the customer has it."""

    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    issued_on = models.DateField(_("issued on"), db_index=True)
    must_reach_by = models.DateField(_("must reach the customer by"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("mailed with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tracking_number = models.CharField(_("mailing tracking number"), max_length=40, blank=True)
    mailed_on = models.DateField(_("mailed on"), null=True, blank=True)
    received_on = models.DateField(_("received by the customer on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("invoice")
        indexes = [
            # Invoices not yet with the customer, by the day they must reach them: the few hundred
            # the workbench chases among every invoice ever issued (1.3 ms → 0.02 ms at scale 1).
            models.Index(
                fields=["must_reach_by"], condition=Q(received_on__isnull=True), name="invoice_not_received"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(must_reach_by__gte=models.F("issued_on")), name="invoice_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=models.F("issued_on")),
                name="invoice_received_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceItem(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="items")
    # Each posted outbound is invoiced once.
    outbound = models.OneToOneField(Outbound, on_delete=models.PROTECT, related_name="invoice_item")
    amount = models.DecimalField(_("amount"), **AMOUNT)

    class Meta:
        ordering = ["invoice_id", "id"]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.outbound_id}"


class ReceiptSlip(ChoiceLabels, models.Model):
    """收据: numbered, stamped with a seal, given for money received from a customer."""

    number = models.CharField(_("slip number"), max_length=20, unique=True)
    receipt = models.OneToOneField(
        Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="slip"
    )
    seal = models.CharField(_("seal"), max_length=20, choices=ReceiptSeal.choices)
    issued_on = models.DateField(_("issued on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("receipt slip")

    def __str__(self) -> str:
        return self.number


class StatementStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drawn up")  # 已生成
    SENT = "sent", _("Sent")  # 已寄出
    SIGNED = "signed", _("Signed back")  # 已签回


class Statement(ChoiceLabels, models.Model):
    """对账单: a customer's documents over a period, sent to be signed back.

    Opening and closing are kept as they were when it was drawn up: a document entered late
    into the period afterwards shows as a difference, not as a silently changed statement.
    """

    number = models.CharField(_("statement number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="statements"
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    opening = models.DecimalField(_("opening balance"), **AMOUNT)
    closing = models.DecimalField(_("closing balance"), **AMOUNT)
    status = models.CharField(
        _("status"), max_length=8, choices=StatementStatus.choices, default=StatementStatus.DRAFTED
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    signed_on = models.DateField(_("signed back on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {
        StatementStatus.DRAFTED: {StatementStatus.SENT},
        StatementStatus.SENT: {StatementStatus.SIGNED},
        StatementStatus.SIGNED: set(),
    }

    class Meta:
        ordering = ["-period_to", "-id"]
        verbose_name = _("statement")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")), name="statement_period_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "signed"]) | Q(sent_on__isnull=False),
                name="statement_sent_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False), name="statement_signed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.number
