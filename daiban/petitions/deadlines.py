"""The deadlines of DOMAIN.md: the bureau's working-day limits and the regulation's outer limits."""

from __future__ import annotations

import datetime

from daiban.petitions.models import Disposition, Petition, Track
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
