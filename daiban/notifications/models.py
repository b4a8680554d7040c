"""Every message the system sends: SMS to petitioners, in-app notices to staff, with delivery state."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from daiban.petitions.models import Petition


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        IN_APP = "in_app", "站内通知"

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败（将重试）"
        GAVE_UP = "gave_up", "多次失败，需人工处理"
        READ = "read", "已读"
        CANCELLED = "cancelled", "已撤回（所通知的步骤已撤销）"
        # The petitioner left a fixed-line number: no SMS can reach it; whoever works the case is asked
        # to call (services.case_workers: the agent, or with none yet the station's leaders, …).
        LANDLINE = "landline", "固定电话，未发短信（已请经办人员电话告知）"

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    template = models.CharField("模板", max_length=40)
    petition = models.ForeignKey(Petition, verbose_name="信访事项", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # The event whose consumer queued it: a message of a step taken back (undo) before it went out
    # is cancelled, not sent (services.send_due, services._queue).
    event = models.ForeignKey("petitions.Event", verbose_name="来源事件", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    phone_enc = models.TextField("手机号（密文）", blank=True)
    body = models.TextField("内容")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    # Makes enqueueing idempotent: the sweep can run twice a day and send nothing twice.
    dedupe_key = models.CharField("去重键", max_length=120, null=True, blank=True, unique=True)  # noqa: DJ001
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["channel", "state", "next_attempt_at"], name="notification_outbox_idx"),
            # The unread count in every staff page's navigation reads this index alone.
            models.Index(fields=["recipient", "channel", "state"], name="notification_inbox_idx"),
        ]


class SweepRun(models.Model):
    """One row per day the reminder sweep ran; its unique date makes a second run that day a no-op."""

    day = models.DateField("日期", unique=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    urged = models.PositiveIntegerField("自动催办数", default=0)
    reminded = models.PositiveIntegerField("提醒数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "每日提醒巡检记录"
