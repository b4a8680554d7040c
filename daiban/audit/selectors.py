"""Reading the audit trail: who may, and the filtered list (page and XLSX export share it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from daiban.audit.models import Action, AuditEntry
from daiban.lib.dates import check_range

# Who may read it (the administrator and the center, GB/T 22239-2019 8.1.4.3) is the ability
# "view_audit" of daiban/petitions/abilities.py, asked by the page and the API.


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""            # part of the acting username
    action: str = ""         # one Action code
    target: str = ""         # part of the object (petition number, username…)
    start: datetime.date | None = None
    end: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def entries(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Rows matching the filters, newest first. Dates are local days, both ends included; Invalid
    when the start is after the end."""
    check_range(filters.start, filters.end)
    qs = AuditEntry.objects.order_by("-seq")
    if filters.who:
        qs = qs.filter(actor_username__icontains=filters.who)
    if filters.action in Action.values:
        qs = qs.filter(action=filters.action)
    if filters.target:
        qs = qs.filter(target_label__icontains=filters.target)
    if filters.start:
        qs = qs.filter(at__gte=_day_start(filters.start))
    if filters.end:
        qs = qs.filter(at__lt=_day_start(filters.end + datetime.timedelta(days=1)))
    return qs
