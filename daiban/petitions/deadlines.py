"""The deadlines of DOMAIN.md: the bureau's working-day limits and the regulation's outer limits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction

from daiban.petitions.models import Disposition, Event, Petition, Track
from daiban.petitions.workflow import RUNNING
from daiban.workdays.engine import Deadline, add_statutory_days, add_workdays

# The bureau's limits, in working days (实施方案 七(二)).
BUREAU_WORKDAYS: dict[str, int] = {Track.STANDARD: 15, Track.MULTI_DEPARTMENT: 30, Track.MAJOR: 60}
# 《信访工作条例》, in calendar days.
NATIONAL_FORWARD_DAYS = 15
NATIONAL_HANDLING_DAYS = 60
NATIONAL_MAX_EXTENSION = 30
REVIEW_REQUEST_DAYS = 30
REVIEW_ANSWER_DAYS = 30
# 实施方案 七(四): follow-up visit within 15 days of termination.
FOLLOW_UP_DAYS = 15


def set_workday_deadline(obj: Petition | Disposition, start: datetime.date, workdays: int) -> Deadline:
    deadline = add_workdays(start, workdays)
    obj.due_from, obj.due_workdays = start, workdays
    obj.due_on, obj.due_provisional = deadline.date, deadline.provisional
    return deadline


def set_fixed_deadline(obj: Petition | Disposition, start: datetime.date, due_on: datetime.date) -> None:
    """A deadline set by a decision (review upheld): a date, not a count, so the calendar does not move it."""
    obj.due_from, obj.due_workdays, obj.due_on, obj.due_provisional = start, None, due_on, False


def statutory(start: datetime.date, days: int) -> datetime.date:
    return add_statutory_days(start, days).date


def recompute_after_calendar_change(
    changed: Iterable[datetime.date], *, actor=None, reason: str = "工作日历调整"
) -> int:
    """Recompute running working-day deadlines that counted a changed day; record it on each petition.

    A deadline counted the days in (due_from, due_on]: only those petitions and dispositions are
    read, through the (status, due_on) indexes.
    """
    days = sorted(set(changed))
    if not days:
        return 0
    first, last = days[0], days[-1]
    touched = 0
    with transaction.atomic():
        petitions = Petition.objects.select_for_update().filter(
            status__in=RUNNING, due_workdays__isnull=False, due_from__lt=last, due_on__gte=first
        )
        for petition in petitions:
            if _counts_any(petition, days) and _recompute(petition):
                touched += 1
                due = petition.due_on
                Event.record(
                    petition, "deadline_recomputed", actor=actor, on=petition.last_event_on or petition.received_on,
                    note=f"{reason}：办结时限改为 {due:%Y-%m-%d}", data={"due_on": due.isoformat() if due else None},
                )
        dispositions = Disposition.objects.select_for_update().filter(
            status__in=["routed", "received"], due_workdays__isnull=False, due_from__lt=last, due_on__gte=first
        )
        for disposition in dispositions:
            if _counts_any(disposition, days) and _recompute(disposition):
                touched += 1
    return touched


def _counts_any(obj: Petition | Disposition, days: list[datetime.date]) -> bool:
    start, end = obj.due_from, obj.due_on
    return start is not None and end is not None and any(start < day <= end for day in days)


def _recompute(obj: Petition | Disposition) -> bool:
    old = (obj.due_on, obj.due_provisional)
    if obj.due_from is None or obj.due_workdays is None:  # a fixed date (a review's decision) does not move
        return False
    set_workday_deadline(obj, obj.due_from, obj.due_workdays)
    if (obj.due_on, obj.due_provisional) == old:
        return False
    obj.save(update_fields=["due_on", "due_provisional"])
    return True
