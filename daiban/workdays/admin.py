from django.contrib import admin, messages

from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec
from daiban.workdays.services import calendar_set_days


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name", "source", "confirmed")
    list_filter = ("is_workday", "confirmed", "source")
    date_hierarchy = "date"
    search_fields = ("name",)
    actions = ["mark_confirmed"]

    def save_model(self, request, obj, form, change):
        # Through the service, so running deadlines that counted this day are recomputed.
        changed = calendar_set_days(
            specs=[DaySpec(obj.date, obj.is_workday, obj.name)], source=CalendarDay.Source.ADMIN,
            confirm=obj.confirmed, actor=request.user, reason="管理员调整工作日历",
        )
        if changed:
            messages.info(request, "已重算受影响的在办时限")

    @admin.action(description="标记为已确认（国务院通知已发布）")
    def mark_confirmed(self, request, queryset):
        queryset.update(confirmed=True)
