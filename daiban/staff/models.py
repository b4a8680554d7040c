"""带班 and reception: who leads and who receives on each working day."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from daiban.audit.guard import AppendOnlyQuerySet, protect
from daiban.org.models import Station


class DutyDay(models.Model):
    station = models.ForeignKey(Station, verbose_name="代办机构", on_delete=models.PROTECT, related_name="duty_days")
    date = models.DateField("日期")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="带班领导", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receptionist = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接访人员", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("备注", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "带班与接访安排"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="duty_day_unique")]


class CaseNote(models.Model):
    """内部批注: a remark of the agency's staff on a case, never in the public timeline, the documents
    or the case file. Append-only: a note is corrected by another note, not edited (who knew what,
    when, stays readable). `mentions`: the colleagues it was addressed to (@), told by an in-app notice."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批注人", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("批注内容")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="提醒的同事", blank=True, related_name="+")
    created_at = models.DateTimeField("批注时间", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()  # no bulk update or delete (daiban.audit.guard)

    class Meta:
        verbose_name = verbose_name_plural = "内部批注"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["petition", "created_at"], name="casenote_petition")]


class SavedFilter(models.Model):
    """A user's named filter of the petition list (常用筛选): the list's query string, kept per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE,
                             related_name="saved_filters")
    name = models.CharField("名称", max_length=30)
    query = models.CharField("筛选条件", max_length=500)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "常用筛选"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]


class IntakeSubmission(models.Model):
    """The petition one rendering of the 登记 form registered (its one-time token). The same form
    posted again (a double click on a slow line, a retry, the back button) opens that petition
    instead of registering the complaint a second time; two posts at once: the unique token lets one
    commit, the other is told which petition it was (views.intake)."""

    token = models.CharField("表单令牌", max_length=32)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "登记表提交记录"
        # Per user: a token copied into another account's post is that account's own (it opens nothing).
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="intake_submission_once")]


# A note is corrected by another note, never edited or removed: one by one or in bulk (daiban.audit.guard).
protect(CaseNote)
