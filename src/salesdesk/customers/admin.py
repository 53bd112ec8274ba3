from django.contrib import admin

from salesdesk.core.admin import ReadOnlyAdmin
from salesdesk.customers.models import CreditTermApplication, Customer


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "province", "city", "salesperson", "assistant", "status"]
    search_fields = ["code", "name"]


@admin.register(CreditTermApplication)
class CreditTermApplicationAdmin(ReadOnlyAdmin):
    list_display = ["customer", "credit_days", "status", "applicant", "approver", "decided_on"]
