from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Carrier, Product
from salesdesk.core.models import ChoiceLabels
from salesdesk.core.money import AMOUNT, QUANTITY, UNIT_PRICE
from salesdesk.customers.models import Customer
from salesdesk.orders.models import OrderLine, SalesOrder


class StockLevel(models.Model):
    """On-hand quantity per product: always the sum of its moves, never below zero."""

    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.DecimalField(_("on hand"), default=0, **QUANTITY)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_never_negative")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.on_hand}"


class MoveKind(models.TextChoices):
    PRODUCTION_IN = "production_in", _("Inbound from production")  # 生产入库
    SALE_OUT = "sale_out", _("Sales outbound")  # 销售出库
    RETURN_IN = "return_in", _("Return inbound")  # 退货入库
    ADJUSTMENT = "adjustment", _("Stock count adjustment")  # 盘点调整


class StockMove(ChoiceLabels, models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_moves")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # signed: + in, − out
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    outbound = models.ForeignKey(
        "Outbound", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    production_request = models.ForeignKey(
        "ProductionRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="move_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="sale_out") | Q(quantity__lt=0, outbound__isnull=False),
                name="sale_out_is_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["production_in", "return_in"]) | Q(quantity__gt=0),
                name="inbound_is_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""), name="adjustment_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id} {self.quantity}"


class ProductionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # sent to production, no date yet
    CONFIRMED = "confirmed", _("Date confirmed")  # production gave a date
    DONE = "done", _("Done")  # the goods came in
    CANCELLED = "cancelled", _("Cancelled")


class ProductionRequest(ChoiceLabels, models.Model):
    """生产部: what must be made because orders want more than stock holds."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    needed_by = models.DateField(_("needed by"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProductionStatus.choices, default=ProductionStatus.REQUESTED
    )
    confirmed_date = models.DateField(_("production date"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {
        ProductionStatus.REQUESTED: {
            ProductionStatus.CONFIRMED,
            ProductionStatus.DONE,
            ProductionStatus.CANCELLED,
        },
        ProductionStatus.CONFIRMED: {
            ProductionStatus.CONFIRMED,
            ProductionStatus.DONE,
            ProductionStatus.CANCELLED,
        },
        ProductionStatus.DONE: set(),
        ProductionStatus.CANCELLED: set(),
    }

    class Meta:
        ordering = ["needed_by", "id"]
        verbose_name = _("production request")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="production_quantity_positive"),
            # Shortfalls add to the open request of their product rather than opening another.
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="one_open_request_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity} by {self.needed_by}"


class ProductionDemand(models.Model):
    """Which order line waits for how much of a production request."""

    # The unique (request, order_line) is the index by request too.
    request = models.ForeignKey(
        ProductionRequest, on_delete=models.CASCADE, related_name="demands", db_index=False
    )
    # A line replaced while the order is changed takes its demand with it; see hooks.py.
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="production_demands")
    quantity = models.DecimalField(**QUANTITY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "order_line"], name="one_demand_per_line_and_request"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="demand_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} waits {self.quantity}"


class OutboundKind(models.TextChoices):
    SALE = "sale", _("Sale")  # 销售出库: goods leave, the customer owes
    RETURN = "return", _("Return")  # 销售退货: a negative outbound, goods come back
    BAD_DEBT = "bad_debt", _("Bad debt")  # 坏账: a negative outbound, no goods move


class OutboundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared; changes nothing yet
    POSTED = "posted", _("Posted")  # 过账: stock moved, receivable raised; frozen for ever


class Outbound(ChoiceLabels, models.Model):
    """销售出库单: what actually left (or, negative, came back or was written off)."""

    number = models.CharField(_("outbound number"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=OutboundKind.choices, default=OutboundKind.SALE)
    order = models.ForeignKey(
        SalesOrder,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbounds",
    )
    # Indexed by (customer, status, posting_date) below.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="outbounds",
        db_index=False,
    )
    original = models.ForeignKey(
        "self",
        verbose_name=_("original outbound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.DRAFT
    )
    posting_date = models.DateField(_("posting date"), null=True, blank=True, db_index=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The receivable this outbound raises (signed) and when it falls due: posting date + credit days.
    amount = models.DecimalField(_("amount"), default=0, **AMOUNT)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # 谁同意换或退: the person who agreed to a return, or the manager who approved a write-off.
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("outbound")
        # Posting moves stock and raises a receivable: a right of its own, not "change".
        permissions = [("post_outbound", _("May post outbounds (过账)"))]
        indexes = [
            models.Index(fields=["customer", "status", "posting_date"]),
            # Drafts (write-offs waiting for approval, outbounds being prepared) among years of postings.
            models.Index(fields=["kind", "created_at"], condition=Q(status="draft"), name="outbound_drafts"),
            # Write-offs, waiting ones first: a few hundred among 200,000 outbounds at scale 1.
            models.Index(
                fields=["status", "-created_at", "-id"],
                condition=Q(kind="bad_debt"),
                name="outbound_write_offs",
            ),
            # Returns likewise: with the write-offs, the credits list reads them from the two.
            models.Index(
                fields=["status", "posting_date"], condition=Q(kind="return"), name="outbound_returns"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(number__isnull=False) & Q(posting_date__isnull=False)),
                name="posted_outbound_has_number_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind="sale") | Q(amount__gte=0), name="sale_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="sale") | Q(amount__lte=0), name="correction_amount_not_positive"
            ),
            # A return names what it returns; a posted return or write-off says why and who agreed.
            models.CheckConstraint(
                condition=~Q(kind="return") | Q(original__isnull=False), name="return_has_original"
            ),
            models.CheckConstraint(
                condition=Q(kind="sale") | Q(status="draft") | (~Q(reason="") & Q(agreed_by__isnull=False)),
                name="correction_has_reason_and_agreement",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"D{self.pk}"

    def save(self, *args, **kwargs):
        # A posted document never changes; corrections are new documents. (The database
        # refuses it too: see the trigger in the migrations.)
        if getattr(self, "_stored_status", None) == OutboundStatus.POSTED:
            raise PermissionError("A posted outbound cannot be changed; post a correction instead.")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if self.status == OutboundStatus.POSTED:
            raise PermissionError("A posted outbound cannot be deleted; post a correction instead.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.status if "status" in field_names else None
        return instance

    @property
    def reference(self) -> str:
        return self.number or f"D{self.pk}"


class OutboundLine(models.Model):
    outbound = models.ForeignKey(Outbound, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound_lines"
    )
    # On a return: the line of the original outbound that comes back.
    original_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="returned_by"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # positive; the kind gives the sign
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE)
    amount = models.DecimalField(_("amount"), **AMOUNT)

    class Meta:
        ordering = ["outbound_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="outbound_line_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.outbound_id} {self.product_id} × {self.quantity}"


class Shipment(models.Model):
    """How an outbound travelled: carrier and tracking number, or our own driver; COD and signed note."""

    outbound = models.ForeignKey(Outbound, on_delete=models.PROTECT, related_name="shipments")
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True, db_index=True)
    driver = models.CharField(_("driver"), max_length=50, blank=True)
    route = models.CharField(_("route / area"), max_length=50, blank=True)
    shipped_on = models.DateField(_("shipped on"), db_index=True)
    cod_amount = models.DecimalField(_("COD amount"), default=0, **AMOUNT)
    cod_due = models.DateField(_("COD due back"), null=True, blank=True)
    cod_returned_on = models.DateField(_("COD returned on"), null=True, blank=True)
    note_required = models.BooleanField(_("signed note required"), default=False)
    note_due = models.DateField(_("signed note due back"), null=True, blank=True)
    note_returned_on = models.DateField(_("signed note returned on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shipped_on", "-id"]
        verbose_name = _("shipment")
        # What is still out (COD money, signed notes) is a few hundred shipments among years of
        # them: indexes on just those keep the courier log and the workbench off the full table.
        indexes = [
            models.Index(
                fields=["carrier", "driver"],
                condition=Q(cod_amount__gt=0, cod_returned_on__isnull=True)
                | Q(note_required=True, note_returned_on__isnull=True),
                name="shipment_still_out",
            ),
            models.Index(
                fields=["cod_due"],
                condition=Q(cod_amount__gt=0, cod_returned_on__isnull=True),
                name="shipment_cod_out",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cod_amount__gte=0), name="cod_not_negative"),
            models.CheckConstraint(
                condition=Q(carrier__isnull=False) | ~Q(driver=""), name="shipment_has_carrier_or_driver"
            ),
            models.CheckConstraint(
                condition=Q(cod_amount=0) | Q(cod_due__isnull=False), name="cod_has_due_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number or self.driver} {self.shipped_on}"


class SampleStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # filled in for the customer, not yet with the factory
    SENT_TO_FACTORY = "sent_to_factory", _("Sent to the factory")  # faxed; the factory packs and ships
    DISPATCHED = "dispatched", _("Dispatched")  # with the courier, tracking number known
    DELIVERED = "delivered", _("Delivered")  # the customer has it
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn before it left


class SampleDispatch(ChoiceLabels, models.Model):
    """样品发放记录: samples asked for a customer, followed until the customer has them."""

    # Indexed by (customer, status) below.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="samples", db_index=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField(_("requested on"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SampleStatus.choices,
        default=SampleStatus.REQUESTED,
        db_index=True,
    )
    sent_to_factory_on = models.DateField(_("sent to the factory on"), null=True, blank=True)
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True, db_index=True)
    dispatched_on = models.DateField(_("dispatched on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {
        SampleStatus.REQUESTED: {SampleStatus.SENT_TO_FACTORY, SampleStatus.CANCELLED},
        SampleStatus.SENT_TO_FACTORY: {SampleStatus.DISPATCHED, SampleStatus.CANCELLED},
        SampleStatus.DISPATCHED: {SampleStatus.DELIVERED},
        SampleStatus.DELIVERED: set(),
        SampleStatus.CANCELLED: set(),
    }

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("sample dispatch")
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [
            # Each step keeps its date, and the dates follow the steps.
            models.CheckConstraint(
                condition=~Q(status__in=["sent_to_factory", "dispatched", "delivered"])
                | Q(sent_to_factory_on__isnull=False),
                name="sample_sent_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["dispatched", "delivered"])
                | (Q(dispatched_on__isnull=False) & Q(carrier__isnull=False) & ~Q(tracking_number="")),
                name="sample_dispatched_has_carrier_tracking_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_on__isnull=False),
                name="sample_delivered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="sample_cancelled_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(sent_to_factory_on__isnull=True)
                | Q(sent_to_factory_on__gte=models.F("requested_on")),
                name="sample_sent_not_before_requested",
            ),
            models.CheckConstraint(
                condition=Q(dispatched_on__isnull=True)
                | Q(dispatched_on__gte=models.F("sent_to_factory_on")),
                name="sample_dispatched_not_before_sent",
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=models.F("dispatched_on")),
                name="sample_delivered_not_before_dispatched",
            ),
        ]

    def __str__(self) -> str:
        return f"YP{self.pk}"

    @property
    def reference(self) -> str:
        return f"YP{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in {SampleStatus.REQUESTED, SampleStatus.SENT_TO_FACTORY, SampleStatus.DISPATCHED}

    def can_send_to_factory(self) -> bool:
        return SampleStatus.SENT_TO_FACTORY in self.TRANSITIONS[self.status]

    def can_dispatch(self) -> bool:
        return SampleStatus.DISPATCHED in self.TRANSITIONS[self.status]

    def can_deliver(self) -> bool:
        return SampleStatus.DELIVERED in self.TRANSITIONS[self.status]

    def can_cancel(self) -> bool:
        return SampleStatus.CANCELLED in self.TRANSITIONS[self.status]


class SampleLine(models.Model):
    sample = models.ForeignKey(SampleDispatch, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    class Meta:
        ordering = ["sample_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sample_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} {self.product_id} × {self.quantity}"
