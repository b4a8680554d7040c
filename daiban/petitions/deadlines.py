"""The deadlines of DOMAIN.md: the bureau's working-day limits and the regulation's outer limits."""

from __future__ import annotations

import datetime

from daiban.lib.errors import Invalid
from daiban.petitions.models import Disposition, Petition, Track
from daiban.workdays.engine import Deadline, add_statutory_days, add_workdays, unconfirmed_years

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


def decided_date(obj: Petition | Disposition) -> datetime.date | None:
    """The date a decision fixed (set_fixed_deadline: a review found right, the center's instructions
    on an escalation sent back), told to the petitioner; None for a counted deadline or none."""
    return obj.due_on if obj.due_on is not None and obj.due_workdays is None else None


def follow_disposition(petition: Petition, disposition: Disposition) -> bool:
    """Move the petition's due date (and its count) to the 处置单's when that is later: the matter
    is due when its last department is (an extended 处置单, or one routed after another was
    returned or to one more department). Returns whether it moved. Never earlier."""
    d = disposition
    if d.due_on is None or (petition.due_on is not None and petition.due_on >= d.due_on):
        return False
    petition.due_from, petition.due_workdays, petition.due_on, petition.due_provisional = (
        d.due_from, d.due_workdays, d.due_on, d.due_provisional)
    return True


def statutory(start: datetime.date, days: int) -> datetime.date:
    return add_statutory_days(start, days).date


def provisional(day: datetime.date) -> bool:
    """Whether `day`'s year has no confirmed calendar yet (a letter giving the date says it may move).
    Recorded with the step that fixes a date the petitioner is told in writing, so the letter printed
    again later says what it said that day (documents/notices.py)."""
    return bool(unconfirmed_years({day.year}))


def statutory_limit(petition: Petition) -> datetime.date | None:
    """The latest day the petition's handling may be due (《信访工作条例》第三十六条): 60 days from
    acceptance (or receipt), plus its one extension: the days granted by `extend`, or, while none
    was granted, the most the regulation allows (30). A review found right (复查/复核有理) starts
    the handling again: counted from the latest such decision. None without a start day.
    No deadline the workflow sets (a 处置单's extension, a new due date, a solution's limit) may
    pass it."""
    start = handling_start(petition)
    if start is None:
        return None
    return statutory(start, NATIONAL_HANDLING_DAYS + (petition.national_extension_days or NATIONAL_MAX_EXTENSION))


def handling_start(petition: Petition) -> datetime.date | None:
    """The day the regulation's handling period counts from: acceptance (or receipt), or the latest
    decision that found a 复查/复核 request right (the matter is handled again, 《信访工作条例》第三十五条).
    The petition's `national_due_on` and `statutory_limit` both count from it (recompute's
    HANDLING_START is the same rule in SQL). None without a start day."""
    start = petition.accepted_on or petition.received_on
    if petition.pk:
        redone = (petition.reviews.filter(upheld=True, decided_on__isnull=False).order_by("-decided_on")
                  .values_list("decided_on", flat=True).first())
        if redone is not None and (start is None or redone > start):
            start = redone
    return start


def national_due(petition: Petition) -> datetime.date | None:
    """The regulation's handling limit: 60 days from `handling_start`, plus the extension granted
    (`extend`); a last day on a rest day moves to the next working day."""
    start = handling_start(petition)
    return None if start is None else statutory(start, NATIONAL_HANDLING_DAYS + (petition.national_extension_days or 0))


def beyond_limit_message(label: str, limit: datetime.date) -> str:
    return f"{label}不能晚于信访事项的法定办理期限（{limit:%Y-%m-%d}，《信访工作条例》规定的60日及至多30日的延长）"


def check_within_limit(petition: Petition, due_on: datetime.date | None, field: str, label: str) -> None:
    """Invalid (400, code `beyond_statutory_limit`, naming `field`) when `due_on` passes the
    petition's statutory limit (statutory_limit)."""
    limit = statutory_limit(petition)
    if due_on is not None and limit is not None and due_on > limit:
        message = beyond_limit_message(label, limit)
        raise Invalid(message, code="beyond_statutory_limit", fields={field: message},
                      extra={"limit": limit.isoformat()})


def cap_at_limit(obj: Petition | Disposition, petition: Petition) -> bool:
    """A computed deadline (the bureau's working days) held to the petition's statutory limit: the
    regulation's limit wins; the deadline becomes that fixed date. True when it was moved."""
    limit = statutory_limit(petition)
    if obj.due_on is None or limit is None or obj.due_on <= limit:
        return False
    set_fixed_deadline(obj, obj.due_from or limit, limit)
    return True


def review_request_due(start: datetime.date) -> datetime.date:
    """The last day to ask for review or re-review: 30 calendar days after the written answer (the
    feedback) or the review decision, moved off a rest day (《信访工作条例》第三十五条)."""
    return statutory(start, REVIEW_REQUEST_DAYS)


def review_answer_due(requested_on: datetime.date) -> datetime.date:
    """The day the review or re-review decision is due: 30 calendar days after the request, moved
    off a rest day (《信访工作条例》第三十五条)."""
    return statutory(requested_on, REVIEW_ANSWER_DAYS)


def review_request_start(petition: Petition) -> datetime.date | None:
    """The day the petitioner's window to ask for review (or re-review) opened, or None when none is
    open: only a dissatisfied petitioner (feedback or own rating) at `feedback_given` with a level
    still to ask for; the window runs from the feedback, or from a later review decision not upheld."""
    from daiban.petitions import guards  # guards reads the models too; kept out of the import cycle

    if petition.status != "feedback_given" or petition.satisfaction != "dissatisfied" or petition.feedback_on is None:
        return None
    if guards.next_review_level(petition) is None:
        return None
    decided = (petition.reviews.filter(upheld=False, decided_on__isnull=False).order_by("-decided_on")
               .values_list("decided_on", flat=True).first())
    return max(petition.feedback_on, decided) if decided else petition.feedback_on


def set_review_deadlines(petition: Petition) -> list[str]:
    """Set `review_request_due_on` and `review_answer_due_on` from the petition's facts (the
    feedback, its reviews) and return the petition fields that changed (the caller saves them).
    The pending review's own `answer_due_on` follows and is saved here. Used by the actions and by
    the calendar recomputation."""
    start = review_request_start(petition)
    request_due = review_request_due(start) if start else None
    pending = petition.reviews.filter(decided_on__isnull=True).order_by("-id").first() if petition.pk else None
    answer_due = review_answer_due(pending.requested_on) if pending is not None else None
    if pending is not None and answer_due is not None and pending.answer_due_on != answer_due:
        pending.answer_due_on = answer_due
        pending.save(update_fields=["answer_due_on"])
    changed = []
    if petition.review_request_due_on != request_due:
        petition.review_request_due_on = request_due
        changed.append("review_request_due_on")
    if petition.review_answer_due_on != answer_due:
        petition.review_answer_due_on = answer_due
        changed.append("review_answer_due_on")
    return changed

