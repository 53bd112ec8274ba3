from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.calls.models import CallRecord
from salesdesk.catalog.models import Carrier, Product
from salesdesk.core.models import ChoiceLabels
from salesdesk.core.money import AMOUNT, QUANTITY, UNIT_PRICE
from salesdesk.customers.models import Customer


class Channel(models.TextChoices):
    SALESPERSON_ORAL = "sp_oral", _("Salesperson, by word of mouth")
    SALESPERSON_WRITTEN = "sp_written", _("Salesperson, in writing")
    SALESPERSON_SMS = "sp_sms", _("Salesperson, by SMS")
    CUSTOMER_FAX = "fax", _("Customer fax")
    CUSTOMER_PHONE = "phone", _("Customer phone call")


class ShipMethod(models.TextChoices):
    EXPRESS = "express", _("Express courier")  # 发快递
    FREIGHT = "freight", _("Freight")  # 发货运
    DELIVERY = "delivery", _("Own delivery")  # 送货
    PICKUP = "pickup", _("Customer pick-up")  # 自提


class CollectionMethod(models.TextChoices):
    COD = "cod", _("Courier collects payment (代收货款)")
    SIGNED_NOTE = "signed_note", _("Courier returns signed note (代签回单)")
    CASH_ON_DELIVERY = "cash", _("Cash on delivery (送货收现)")
    CHEQUE = "cheque", _("Cheque")
    PREPAID = "prepaid", _("Already paid")
    ON_ACCOUNT = "account", _("On account")


class ShipSlot(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being taken down; no number yet
    REGISTERED = "registered", _("Registered")  # in the sales register, review passed
    ON_HOLD = "on_hold", _("On hold")  # a review check failed; waits for an override
    RELEASED = "released", _("Released to warehouse")  # in the warehouse's queue with a ship slot
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")  # some lines or quantities have left
    SHIPPED = "shipped", _("Shipped")  # everything has left
    CLOSED = "closed", _("Closed")  # shipped and settled; nothing more to do
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn before anything shipped


class SalesOrder(ChoiceLabels, models.Model):
    number = models.CharField(_("register number"), max_length=20, unique=True, null=True, blank=True)
    # Indexed by (customer, status) and (customer, created_at, id) below, which serve a lookup by
    # customer alone as well: a third index would only cost every write (docs/decisions.md).
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_as_salesperson",
    )
    # The customer's assistant at the time of the order: scoping follows the customer.
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales assistant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_as_assistant",
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    ship_method = models.CharField(_("ship method"), max_length=10, choices=ShipMethod.choices)
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collection_method = models.CharField(
        _("collection method"), max_length=12, choices=CollectionMethod.choices
    )
    warehouse_instructions = models.TextField(_("instructions for the warehouse"), blank=True)
    # When stock is short: ship what there is now and the rest later (分批出货), or wait for all.
    ship_in_parts = models.BooleanField(_("ship in parts"), default=False)
    call = models.ForeignKey(
        CallRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    # Status and ship date are indexed together with what is read after them (Meta.indexes).
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True, db_index=True)
    ship_date = models.DateField(_("ship date"), null=True, blank=True)
    ship_slot = models.CharField(_("ship slot"), max_length=2, choices=ShipSlot.choices, blank=True)
    ship_slot_note = models.CharField(_("ship slot note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {
        OrderStatus.DRAFT: {OrderStatus.REGISTERED, OrderStatus.ON_HOLD, OrderStatus.CANCELLED},
        OrderStatus.ON_HOLD: {OrderStatus.REGISTERED, OrderStatus.CANCELLED},
        OrderStatus.REGISTERED: {OrderStatus.RELEASED, OrderStatus.ON_HOLD, OrderStatus.CANCELLED},
        OrderStatus.RELEASED: {OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED},
        OrderStatus.PARTLY_SHIPPED: {OrderStatus.SHIPPED},
        OrderStatus.SHIPPED: {OrderStatus.CLOSED},
        OrderStatus.CLOSED: set(),
        OrderStatus.CANCELLED: set(),
    }

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["ship_date", "ship_slot"]),
            # The order list pages through the newest first: read in this order, not sorted.
            models.Index(fields=["created_at", "id"], name="order_newest_first"),
            # Orders in one state (on hold, to release), newest first, without walking all of them:
            # SQLite knows only that a status covers a third of the orders on average.
            models.Index(fields=["status", "created_at", "id"], name="order_status_newest_first"),
            # A search names customers; their orders, newest first, are read from this index alone
            # and the page cut from it, not from every matching order's row (47,000 for a city).
            # With the number, a search for part of one ("82") checks each of the user's orders
            # here too: counting an assistant's 37,000 read each row, 44 ms on SQLite, now 5.
            models.Index(
                fields=["customer", "created_at", "id", "number"], name="order_customer_newest_first"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | Q(number__isnull=False),
                name="order_registered_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["released", "partly_shipped", "shipped", "closed"])
                | Q(ship_date__isnull=False),
                name="order_released_has_ship_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def can_change(self) -> bool:
        return self.status in {OrderStatus.DRAFT, OrderStatus.ON_HOLD}

    def can_register(self) -> bool:
        return self.status == OrderStatus.DRAFT

    def can_release(self) -> bool:
        return self.status == OrderStatus.REGISTERED

    def can_cancel(self) -> bool:
        return OrderStatus.CANCELLED in self.TRANSITIONS[self.status]

    @property
    def reference(self) -> str:
        """The register number, or D<id> for a draft (which has no number yet)."""
        return self.number or f"D{self.pk}"


class OrderLine(models.Model):
    # The unique (order, position) below is the index for finding an order's lines.
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines", db_index=False)
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE)
    amount = models.DecimalField(_("amount"), **AMOUNT)  # quantity × unit price, rounded once
    # The agreed price in force when the order was registered, kept for the review's record.
    agreed_price = models.DecimalField(_("agreed price"), null=True, blank=True, **UNIT_PRICE)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.position} {self.product_id} × {self.quantity}"


class CheckResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")  # holds the order
    OVERRIDDEN = "overridden", _("Overridden")  # failed, then accepted by a named person with a reason


class ReviewCheck(ChoiceLabels, models.Model):
    """One check of an order's review, with its outcome and, if overridden, who and why."""

    # The unique (order, code) below is the index for finding an order's checks.
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="checks", db_index=False)
    code = models.CharField(max_length=20)
    result = models.CharField(max_length=10, choices=CheckResult.choices)
    reason = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(auto_now=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "code"], name="one_result_per_check"),
            models.CheckConstraint(
                condition=~Q(result="overridden") | (Q(overridden_by__isnull=False) & ~Q(override_reason="")),
                name="override_names_person_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.code} {self.result}"
