"""带班 and reception: who leads and who receives on each working day."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from daiban.org.models import Station


class DutyDay(models.Model):
    station = models.ForeignKey(Station, verbose_name="代办机构", on_delete=models.CASCADE, related_name="duty_days")
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
