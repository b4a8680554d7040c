"""The working-day calendar: one row per date, so holidays and make-up days are data, not code."""

from __future__ import annotations

from django.db import models


class CalendarDay(models.Model):
    class Source(models.TextChoices):
        LIBRARY = "library", "系统预置（节假日库）"
        ADMIN = "admin", "管理员修改"
        IMPORT = "import", "导入国务院通知"

    date = models.DateField("日期", primary_key=True)
    is_workday = models.BooleanField("工作日")
    name = models.CharField("说明", max_length=100, blank=True, help_text="节日或调休说明")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.LIBRARY)
    # False while the State Council has not announced this year: weekends and fixed holidays are a guess.
    confirmed = models.BooleanField("已确认", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历"
        ordering = ["date"]
        indexes = [models.Index(fields=["is_workday", "date"], name="calendar_workday_idx")]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"

    @property
    def kind(self) -> str:
        weekend = self.date.weekday() >= 5
        if self.is_workday:
            return "makeup" if weekend else "workday"
        return "weekend" if weekend and not self.name else "holiday"
