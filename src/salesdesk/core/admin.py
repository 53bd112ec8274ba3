"""The admin is a read-only window: every change goes through the services and pages,
which apply the business rules and write the audit trail."""

from django.contrib import admin

from salesdesk.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "by", "action", "object_type", "object_id", "summary"]
    list_filter = ["action"]
    search_fields = ["object_id", "summary"]
