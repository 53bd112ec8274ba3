"""Receivables in the admin, to look at only: money changes through the services, never here."""

from django.contrib import admin

from salesdesk.core.admin import ReadOnlyAdmin
from salesdesk.receivables.models import Allocation, Invoice, Receipt, ReceiptSlip, Statement


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "received_on", "amount", "method", "difference", "entered_late"]
    list_filter = ["method", "entered_late"]
    search_fields = ["number", "customer__code", "customer__name", "reference"]
    list_select_related = ["customer"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["date", "sale", "receipt", "credit", "amount"]
    search_fields = ["sale__number", "receipt__number", "credit__number"]
    list_select_related = ["sale", "receipt", "credit"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "issued_on", "amount", "must_reach_by", "received_on"]
    search_fields = ["number", "customer__code", "customer__name", "tracking_number"]
    list_select_related = ["customer"]


@admin.register(ReceiptSlip)
class ReceiptSlipAdmin(ReadOnlyAdmin):
    list_display = ["number", "receipt", "seal", "issued_on"]
    search_fields = ["number", "receipt__number"]
    list_select_related = ["receipt"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "period_from", "period_to", "closing", "status"]
    list_filter = ["status"]
    search_fields = ["number", "customer__code", "customer__name"]
    list_select_related = ["customer"]
