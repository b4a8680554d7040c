from django.contrib import admin

from daiban.audit.admin import ReadOnlyAdmin
from daiban.petitions.models import Category, Event, PersonalDataView, Petition


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "active")
    list_editable = ("order", "active")


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("on", "actor_name", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Read-only: petitions change only through the workflow (API and staff pages)."""

    list_display = ("number", "received_on", "channel", "source", "status", "station", "agent", "due_on")
    list_filter = ("status", "channel", "source", "station")
    search_fields = ("number",)
    exclude = ("query_code",)
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(ReadOnlyAdmin):
    """Append-only (each row is also in the audit trail): no change, no delete, no bulk delete."""

    list_display = ("at", "user", "petition", "fields", "via")
    list_filter = ("via",)
