"""The deadlines of DOMAIN.md: the bureau's working-day limits and the regulation's outer limits."""

from __future__ import annotations

import copy
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
    returned or to one more department). Returns whether it moved. Never earlier, and never past
    the petition's statutory limit (statutory_limit): a 处置单 routed after that limit had passed has
    working days of its own (disposition_deadline), which do not make the matter any less late."""
    d = disposition
    if d.due_on is None or (petition.due_on is not None and petition.due_on >= d.due_on):
        return False
    limit = statutory_limit(petition)
    if limit is not None and d.due_on > limit:
        if petition.due_on is not None and petition.due_on >= limit:
            return False
        set_fixed_deadline(petition, d.due_from or limit, limit)
        return True
    petition.due_from, petition.due_workdays, petition.due_on, petition.due_provisional = (
        d.due_from, d.due_workdays, d.due_on, d.due_provisional)
    return True


def _round_start(petition: Petition) -> datetime.date | None:
    """The day the matter's current round of handling began: the latest decision finding a review
    request right (it is handled again); None: the first round."""
    return (petition.reviews.filter(upheld=True, decided_on__isnull=False).order_by("-decided_on", "-id")
            .values_list("decided_on", flat=True).first())


def _latest_decision(petition: Petition, since: datetime.date | None) -> tuple[datetime.date, datetime.date] | None:
    """(the day, the date it fixed) of the round's latest decision that fixed the matter's date: the
    review found right (decide_review's 限期) or an escalation sent back with a new date."""
    found: list[tuple[datetime.date, datetime.date]] = []
    if since is not None:
        for data in petition.events.filter(action="decide_review", on=since).values_list("data", flat=True):
            if isinstance(data, dict) and data.get("upheld") and isinstance(data.get("due_on"), str):
                found.append((since, datetime.date.fromisoformat(data["due_on"])))
    rows = petition.escalations.filter(returned_on__isnull=False, due_on__isnull=False)
    if since is not None:
        rows = rows.filter(returned_on__gte=since)
    found += [(day, due) for day, due in rows.values_list("returned_on", "due_on") if day is not None and due is not None]
    return max(found) if found else None


def _own_deadline(petition: Petition, since: datetime.date | None,
                  decision: tuple[datetime.date, datetime.date] | None) -> None:
    """Set the matter's own date in the round, before any 处置单 carried it: a standard matter 15
    working days from its first routing (held to the statutory limit), a multi-department or major
    one its solution's working days (held so), or the date the round's latest decision fixed (a
    solution keeps an earlier decided date, as determine_solution does)."""
    p = petition
    p.due_from = p.due_workdays = p.due_on = None
    p.due_provisional = False
    if p.track == Track.STANDARD and decision is None:
        routed = p.dispositions.all() if since is None else p.dispositions.filter(routed_on__gte=since)
        first = routed.order_by("routed_on").values_list("routed_on", flat=True).first()
        if first is not None:
            set_workday_deadline(p, first, BUREAU_WORKDAYS[Track.STANDARD])
            cap_at_limit(p, p)
        return
    solution = p.solution_determined_on if p.track != Track.STANDARD else None
    if solution is not None and (since is None or solution >= since):
        set_workday_deadline(p, solution, BUREAU_WORKDAYS[p.track])
        cap_at_limit(p, p)
        if decision is not None and p.due_on is not None and (decision[0] > solution or decision[1] < p.due_on):
            set_fixed_deadline(p, decision[0], decision[1])
    elif decision is not None:
        set_fixed_deadline(p, decision[0], decision[1])


def own_date(petition: Petition) -> tuple[datetime.date | None, int | None, datetime.date | None, bool]:
    """The matter's own date in the current round, as (due_from, due_workdays, due_on, provisional),
    before any 处置单 carried it later (`_own_deadline`: a solution's working days, a decided date,
    a standard matter's first routing). The petition is not changed. What a 处置单 newly routed to a
    multi-department or major matter shares: never another department's approved extension."""
    p = copy.copy(petition)
    since = _round_start(petition)
    _own_deadline(p, since, _latest_decision(petition, since))
    return p.due_from, p.due_workdays, p.due_on, p.due_provisional


def after_return(petition: Petition, returned: Disposition) -> bool:
    """A returned 处置单 no longer carries the matter's date (its routing's working days, its
    approved extensions): when the matter was due on its date, the date is derived again from what
    still stands: the matter's own date in the round (`_own_deadline`), followed by the 处置单 not
    returned that carry it (a standard matter's, while no decision fixed its date; any one whose
    approved extension moved it). Never later than before. Returns whether it moved (the caller
    saves the petition; the overdue list, the due-soon queues and the statistics read that date)."""
    p = petition
    if returned.due_on is None or p.due_on != returned.due_on:
        return False
    before = (p.due_from, p.due_workdays, p.due_on, p.due_provisional)
    since = _round_start(p)
    decision = _latest_decision(p, since)
    _own_deadline(p, since, decision)
    standing = p.dispositions.exclude(pk=returned.pk).exclude(status=Disposition.State.RETURNED)
    if since is not None:
        standing = standing.filter(routed_on__gte=since)
    if p.track != Track.STANDARD or decision is not None:
        standing = standing.filter(extension_requests__approved=True, extension_requests__told=True).distinct()
    for d in sorted(standing, key=lambda d: (d.due_on or datetime.date.min, d.pk)):
        follow_disposition(p, d)
    if p.due_on is None or before[2] is None or p.due_on >= before[2]:
        p.due_from, p.due_workdays, p.due_on, p.due_provisional = before
        return False
    return True


def limit_in_force(petition: Petition) -> datetime.date | None:
    """The date the matter is judged against now: its 办结时限 (`due_on`), else the regulation's
    (`national_due_on`; a multi-department matter whose solution is not determined). None: neither."""
    return petition.due_on or petition.national_due_on


def concluded_late(petition: Petition, on: datetime.date) -> bool:
    """按期办结 (实施方案 七(二); API.md Statistics): a conclusion made on `on` is late when it comes
    after the limit in force that day (`limit_in_force`); with no limit it cannot be late. Each
    conclusion is judged when it is made: a matter handed back by a review found right (复查/复核有理)
    and concluded again is 按期 only if every one of its conclusions was (the conclude action keeps
    `Petition.concluded_late`, which only ever turns true)."""
    limit = limit_in_force(petition)
    return limit is not None and on > limit


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


def check_not_before_open_dispositions(petition: Petition, due_on: datetime.date | None, field: str,
                                       label: str) -> None:
    """Invalid (400, naming `field`) when a date a decision fixes for the matter (the center's new
    办结时限 on an escalation sent back) comes before the date of a 处置单 still open: the matter is
    due when its last department is (follow_disposition), and a decision cannot make the
    department's own date, or an extension granted to it, late at once. The floor is held to the
    statutory limit (statutory_limit): a 处置单 routed after that limit has working days of its own
    (disposition_deadline), and the matter's date is then the limit."""
    if due_on is None:
        return
    latest = (petition.dispositions.filter(status__in=("routed", "received"), due_on__isnull=False)
              .select_related("department").order_by("-due_on", "id").first())
    if latest is None or latest.due_on is None:
        return
    floor = latest.due_on
    limit = statutory_limit(petition)
    if limit is not None and floor > limit:
        floor = limit
    if due_on < floor:
        message = (f"{label}不能早于未办结处置单 {latest.number}（{latest.department.name}）的办理时限"
                   f"（{floor:%Y-%m-%d}）")
        raise Invalid(message, fields={field: message}, extra={"floor": floor.isoformat()})


def cap_at_limit(obj: Petition | Disposition, petition: Petition) -> bool:
    """A computed deadline (the bureau's working days) held to the petition's statutory limit: the
    regulation's limit wins; the deadline becomes that fixed date. True when it was moved. For the
    matter's own date: a limit already passed makes the matter late at once (it is). A 处置单's
    date is set by `disposition_deadline`, never before its own start."""
    limit = statutory_limit(petition)
    if obj.due_on is None or limit is None or obj.due_on <= limit:
        return False
    set_fixed_deadline(obj, obj.due_from or limit, limit)
    return True


def disposition_deadline(d: Disposition, petition: Petition, start: datetime.date, workdays: int) -> datetime.date | None:
    """A 处置单 due `workdays` working days after `start` (its routing, or its matter's solution),
    held to the petition's statutory limit while that limit is not before `start` (the regulation
    wins, 《信访工作条例》第三十六条; the date becomes the limit). A 处置单 is never due before its
    start: when the limit had already passed (the matter is late against the regulation, and stays
    so: follow_disposition never carries it past the limit) the department keeps its working days,
    which it may ask to extend (extension._within_limit). Returns that passed limit, for the event's
    note; None otherwise."""
    set_workday_deadline(d, start, workdays)
    limit = statutory_limit(petition)
    if d.due_on is None or limit is None or d.due_on <= limit:
        return None
    if limit >= start:
        set_fixed_deadline(d, start, limit)
        return None
    return limit


def past_limit_note(limit: datetime.date, workdays: int) -> str:
    """The event's words for a 处置单 given its own working days after the regulation's limit passed."""
    return (f"（信访事项已超过《信访工作条例》规定的办理期限 {limit:%Y-%m-%d}，"
            f"处置单按{workdays}个工作日计）")


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

