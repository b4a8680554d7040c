from django.contrib import admin

from daiban.notifications.models import Notification, SweepRun


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "template", "petition", "recipient", "state", "attempts", "last_error")
    list_filter = ("channel", "state", "template")
    exclude = ("phone_enc",)
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="立即重试（发送失败或已放弃的短信）")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        queryset.filter(channel="sms", state__in=["failed", "gave_up"]).update(state="failed", next_attempt_at=timezone.now())


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = ("day", "started_at", "urged", "reminded")
