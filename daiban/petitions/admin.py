from django.contrib import admin, messages
from django.db import transaction

from daiban.audit import services as audit
from daiban.audit.admin import ReadOnlyAdmin
from daiban.audit.labels import value_label, via_label
from daiban.audit.models import Action as AuditAction
from daiban.lib.adminforms import CleanModelForm
from daiban.lib.errors import Forbidden, RateLimited
from daiban.petitions import search
from daiban.petitions.abilities import may
from daiban.petitions.choices import Status
from daiban.petitions.events import event_labels
from daiban.petitions.models import Category, Event, PersonalDataView, Petition, PetitionerCorrection
from daiban.petitions.selectors import count_identity_search
from daiban.petitions.services import calendar_change
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CleanModelForm
    list_display = ("name", "order", "active")
    list_editable = ("order", "active")


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("on", "actor_name", "action_label", "from_label", "to_label", "note")
    readonly_fields = fields

    @admin.display(description="动作")
    def action_label(self, obj: Event) -> str:
        return event_labels().get(obj.action, obj.action)

    @admin.display(description="原状态")
    def from_label(self, obj: Event) -> str:
        return Status(obj.from_status).label if obj.from_status in Status.values else obj.from_status

    @admin.display(description="新状态")
    def to_label(self, obj: Event) -> str:
        return Status(obj.to_status).label if obj.to_status in Status.values else obj.to_status

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Read-only: petitions change only through the workflow (API and staff pages)."""

    list_display = ("number", "received_on", "channel", "source", "status", "station", "agent", "due_on")
    list_filter = ("status", "channel", "source", "station")
    search_fields = ("number",)  # shows the search box; get_search_results does the searching
    search_help_text = "编号、身份证号、电话（任意写法）、姓名或内容中的词"
    # The query code is for the petitioner; the phone is shown only through the logged views.
    exclude = ("query_code", "petitioner_phone_enc", "petitioner_phone_hash")
    inlines = [EventInline]

    def get_search_results(self, request, queryset, search_term):
        """As the staff list's `q` (search.narrow): any part of the number, the ID number or phone in
        any typed form (through the keyed hash: the stored values are encrypted, a LIKE finds
        nothing), any part of the name, words of the content and results."""
        if not search_term.strip():
            return queryset, False
        if search.is_identity(search_term):
            try:  # counted as the list's are: the admin too sees the numbers masked
                count_identity_search(request.user, search_term, via="admin")
            except RateLimited as exc:
                messages.error(request, exc.message)
                return queryset.none(), False
        found = search.narrow(queryset, search_term)
        return (found.qs if isinstance(found, search.Ranked) else found), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViaFilter(admin.SimpleListFilter):
    """查看途径 by name (页面·代办单（DOCX）), not by the stored code (page-agency.docx)."""

    title = "查看途径"
    parameter_name = "via"

    def lookups(self, request, model_admin):
        codes = PersonalDataView.objects.order_by("via").values_list("via", flat=True).distinct()
        return [(code, via_label(code)) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(via=self.value()) if self.value() is not None else queryset


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(ReadOnlyAdmin):
    """Append-only (each row is also in the audit trail): no change, no delete, no bulk delete."""

    list_display = ("at", "user", "petition", "fields_label", "via_label")
    list_filter = (ViaFilter,)

    @admin.display(description="查看项目", ordering="fields")
    def fields_label(self, obj: PersonalDataView) -> str:
        return value_label("fields", obj.fields)

    @admin.display(description="查看途径", ordering="via")
    def via_label(self, obj: PersonalDataView) -> str:
        return via_label(obj.via)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The working-day calendar. Registered here, beside the service that changes it: a change goes
    through petitions.services.calendar_change, so running deadlines that counted it are recomputed."""

    form = CleanModelForm

    list_display = ("date", "is_workday", "name", "source", "confirmed")
    list_filter = ("is_workday", "confirmed", "source")
    date_hierarchy = "date"
    search_fields = ("name",)
    actions = ["mark_confirmed"]

    def has_add_permission(self, request):
        return may(request.user, "calendar_edit")

    def has_change_permission(self, request, obj=None):
        return may(request.user, "calendar_edit")

    def has_delete_permission(self, request, obj=None):
        # Every date has its row (seeded by year); a row deleted would make the day count as a plain
        # weekday without recomputing the deadlines that counted it. Changing the day does that.
        return False

    def get_actions(self, request):
        return {name: action for name, action in super().get_actions(request).items() if name != "delete_selected"}

    def save_model(self, request, obj, form, change):
        try:
            changed = calendar_change(
                actor=request.user, specs=[DaySpec(obj.date, obj.is_workday, obj.name)],
                source=CalendarDay.Source.ADMIN, confirm=obj.confirmed, reason="管理员调整工作日历",
            )
        except Forbidden as exc:
            messages.error(request, exc.message)
            return
        if changed:
            messages.info(request, "已重算受影响的在办时限")

    @admin.action(description="标记为已确认（国务院通知已发布）")
    def mark_confirmed(self, request, queryset):
        """Through the calendar service, as every edit: audited (calendar_change), in one transaction."""
        if not may(request.user, "calendar_edit"):
            messages.error(request, "没有修改工作日历的权限")
            return
        # No working day changes, so nothing is recomputed; each row keeps where its status came from.
        with transaction.atomic():
            days = list(queryset.filter(confirmed=False).order_by("date").values_list("date", flat=True))
            CalendarDay.objects.filter(date__in=days).update(confirmed=True)
            audit.record(AuditAction.CALENDAR_CHANGE, actor=request.user, target_type="calendar",
                         label="管理员确认工作日历（国务院通知已发布）",
                         detail={"days": [d.isoformat() for d in days][:50], "changed": [], "confirm": True,
                                 "count": len(days)})
        messages.success(request, f"已确认 {len(days)} 天")


@admin.register(PetitionerCorrection)
class PetitionerCorrectionAdmin(ReadOnlyAdmin):
    """Append-only record of corrections; the values themselves stay encrypted."""

    list_display = ("at", "by", "petition", "fields", "reason")
    exclude = ("changes_enc",)
