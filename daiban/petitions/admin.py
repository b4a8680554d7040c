from django.contrib import admin

from daiban.petitions.models import Category, Event, PersonalDataView, Petition, PetitionerCorrection


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
    # The query code is for the petitioner; the phone is shown only through the logged views.
    exclude = ("query_code", "petitioner_phone_enc", "petitioner_phone_hash")
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "petition", "fields", "via")
    list_filter = ("via",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PetitionerCorrection)
class PetitionerCorrectionAdmin(admin.ModelAdmin):
    """Append-only record of corrections; the values themselves stay encrypted."""

    list_display = ("at", "by", "petition", "fields", "reason")
    exclude = ("changes_enc",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
