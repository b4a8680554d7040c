from django.contrib import admin, messages
from django.utils import timezone

from daiban.audit.admin import ReadOnlyAdmin
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.notifications.models import Notification, SweepRun

# The message templates by their Chinese names (the table stores the code).
TEMPLATE_LABELS = {
    "receipt": "收到回执短信", "accepted": "受理代办短信", "result": "办结反馈短信", "follow_up": "回访提醒短信",
    "new_assignment": "新的代办事项", "disposition_routed": "新的处置单", "disposition_received": "处置单已签收",
    "disposition_answered": "处置单已填写结果", "due_soon": "即将到期", "overdue": "已超期",
    "review_requested": "申请复查复核", "follow_up_due": "待回访", "calendar_unconfirmed": "节假日安排未录入",
    "petitioner_rated": "信访人评价", "sms_landline": "固定电话未发短信",
    "review_requested_case": "信访人申请复查复核（告知代办员）", "review_upheld": "复查复核有理短信",
    "review_maintained": "复查维持短信", "review_final": "复核维持（最终决定）短信",
}


class TemplateFilter(admin.SimpleListFilter):
    title = "模板"
    parameter_name = "template"

    def lookups(self, request, model_admin):
        codes = Notification.objects.order_by().values_list("template", flat=True).distinct()
        return [(code, TEMPLATE_LABELS.get(code, code)) for code in sorted(codes)]

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The record of what each person was told (the case's SMS log, the staff's notices): read-only,
    like the audit trail: an edited body or a row set back to "queued" would have the gateway send
    text nobody wrote to a petitioner. The one thing the administrator does here is to have a failed
    or given-up SMS tried again, unchanged, and that is audited."""

    list_display = ("created_at", "channel", "template_label", "petition", "recipient", "state", "attempts", "last_error")
    list_filter = ("channel", "state", TemplateFilter)
    exclude = ("phone_enc",)
    actions = ["retry_now"]

    def get_actions(self, request):
        return admin.ModelAdmin.get_actions(self, request)

    @admin.display(description="模板", ordering="template")
    def template_label(self, obj: Notification) -> str:
        return TEMPLATE_LABELS.get(obj.template, obj.template)

    @admin.action(description="立即重试（发送失败或已放弃的短信）")
    def retry_now(self, request, queryset):
        chosen = list(queryset.filter(channel="sms", state__in=["failed", "gave_up"]).values_list("pk", flat=True))
        if not chosen:
            messages.info(request, "所选记录中没有发送失败或已放弃的短信")
            return
        Notification.objects.filter(pk__in=chosen).update(state="failed", next_attempt_at=timezone.now())
        record(Action.SETTINGS_CHANGE, actor=request.user, target_type="notification", label="立即重试短信",
               detail={"operation": "重试", "ids": chosen[:50], "count": len(chosen)})
        messages.success(request, f"已安排重试 {len(chosen)} 条短信")


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    """Which days the reminder sweep has run: its claim rows (one per day, so two workers never urge
    twice). Read-only: a row added by hand silences that day's urging; one deleted repeats it."""

    list_display = ("day", "started_at", "urged", "reminded")
