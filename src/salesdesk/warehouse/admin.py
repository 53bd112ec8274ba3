"""Warehouse records in the admin, to look at only: stock moves and outbounds change through
the services (posting, receiving, counting), and a posted outbound never changes at all."""

from django.contrib import admin

from salesdesk.core.admin import ReadOnlyAdmin
from salesdesk.warehouse.models import (
    Outbound,
    OutboundLine,
    ProductionDemand,
    ProductionRequest,
    Shipment,
    StockLevel,
    StockMove,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OutboundLineInline(ReadOnlyInline):
    model = OutboundLine
    fields = ["product", "quantity", "unit_price", "amount", "order_line"]


class ProductionDemandInline(ReadOnlyInline):
    model = ProductionDemand
    fields = ["order_line", "quantity"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "on_hand"]
    search_fields = ["product__model_code", "product__name"]
    list_select_related = ["product"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["at", "product", "kind", "quantity", "outbound", "production_request", "by"]
    list_filter = ["kind"]
    search_fields = ["product__model_code", "outbound__number", "reason"]
    list_select_related = ["product", "outbound", "by"]


@admin.register(ProductionRequest)
class ProductionRequestAdmin(ReadOnlyAdmin):
    list_display = ["product", "quantity", "needed_by", "status", "confirmed_date"]
    list_filter = ["status"]
    search_fields = ["product__model_code"]
    inlines = [ProductionDemandInline]


@admin.register(Outbound)
class OutboundAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "status", "customer", "order", "posting_date", "amount", "posted_by"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "order__number", "customer__code", "customer__name"]
    list_select_related = ["customer", "order", "posted_by"]
    inlines = [OutboundLineInline]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["shipped_on", "outbound", "carrier", "tracking_number", "driver", "cod_amount"]
    search_fields = ["tracking_number", "outbound__number", "driver"]
    list_select_related = ["outbound", "carrier"]
