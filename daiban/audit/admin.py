from django.contrib import admin

from daiban.audit.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only in the admin: no add, no change, no delete and so no bulk delete action."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_filter = ("action",)
    search_fields = ("actor_username", "target_label")
    date_hierarchy = "at"

    list_display = ("seq", "at", "actor_username", "action", "target_type_label", "target_label", "ip", "detail_text")

    @admin.display(description="对象类型", ordering="target_type")
    def target_type_label(self, obj: AuditEntry) -> str:
        """The target's model by its Chinese name (the row stores the model's code, e.g. "user")."""
        return obj.target_type_label

    @admin.display(description="详情")
    def detail_text(self, obj: AuditEntry) -> str:
        return obj.detail_text
