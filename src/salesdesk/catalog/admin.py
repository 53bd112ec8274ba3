from django.contrib import admin

from salesdesk.catalog.models import Carrier, CustomerPrice, Product, RebatePrice
from salesdesk.core.admin import ReadOnlyAdmin


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["model_code", "name", "unit", "standard_price", "active", "is_new"]
    search_fields = ["model_code", "name"]


@admin.register(CustomerPrice)
class CustomerPriceAdmin(ReadOnlyAdmin):
    list_display = ["customer", "product", "unit_price", "valid_from"]


@admin.register(RebatePrice)
class RebatePriceAdmin(ReadOnlyAdmin):
    list_display = ["customer", "product", "rebate_unit_price", "valid_from", "payee_name"]


@admin.register(Carrier)
class CarrierAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "status", "return_deadline_days"]
