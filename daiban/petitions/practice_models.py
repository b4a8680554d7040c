"""What passes between people during the handling (issue 12): escalations and the center's answer,
a department's request for more time and its decision, and the change of a petition's agent.

Kept apart from models.py (imported at its end) like index_models.py. Each row is written by one
workflow action (actions/escalation.py, actions/extension.py) and its history stays: a later
escalation, request or reassignment adds a row, it never overwrites one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Escalation(models.Model):
    """上报: the agent (or the station's leader) sends the matter to the center or the joint office
    (action `escalate`); the center signs for it (`take_escalation`) and may send it back with
    instructions (`return_escalation`). The latest row is the petition's current escalation."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="escalations")
    to = models.CharField("上报至", max_length=20)
    reason = models.TextField("上报理由")
    on = models.DateField("上报日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    taken_on = models.DateField("签收日期", null=True, blank=True)
    take_note = models.TextField("签收意见", blank=True)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    instructions = models.TextField("办理意见（退回时）", blank=True)
    due_on = models.DateField("退回时重定的办结时限", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上报记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["petition", "id"], name="escalation_petition_idx")]


class ExtensionRequest(models.Model):
    """A department's request for more working days on its 处置单 (`request_extension`) and the
    decision of the station's leaders or the center (`decide_extension`). `approved` is None while
    the request waits; `lapsed_on` is the day the 处置单 was answered or returned before anyone
    decided (the request then no longer waits: actions/extension.lapse_pending)."""

    disposition = models.ForeignKey("petitions.Disposition", on_delete=models.CASCADE, related_name="extension_requests")
    workdays = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("延期理由")
    requested_on = models.DateField("申请日期")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    approved = models.BooleanField("批准", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.TextField("审批意见", blank=True)
    old_due_on = models.DateField("原办理时限", null=True, blank=True)
    new_due_on = models.DateField("延长后办理时限", null=True, blank=True)
    # The approval moved the matter's own date, so the petitioner was told it by SMS
    # (notifications.workflow_consumers.extension_decided); a calendar change tells it again.
    told = models.BooleanField("已短信告知信访人", default=False)
    lapsed_on = models.DateField("申请失效日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置单延期申请"
        ordering = ["id"]


class Reassignment(models.Model):
    """更换代办员 (`reassign`). The previous agent keeps read access to the petition they handled
    (permissions.visible_petitions reads `from_agent`)."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="reassignments")
    from_agent = models.ForeignKey("org.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_agent = models.ForeignKey("org.Agent", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("更换日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField("更换理由")

    class Meta:
        verbose_name = verbose_name_plural = "代办员更换记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["from_agent", "petition"], name="reassignment_from_agent_idx")]
