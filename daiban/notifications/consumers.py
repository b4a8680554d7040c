"""What follows each event in messages: SMS to the petitioner, notices to staff. Run by the worker
after the action committed (petitions/events.py), so they read what the event says happened, not
the petition as it may be by then. Each message is keyed by its event, so running a consumer
twice sends nothing twice."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Max
from django_tasks import task

from daiban.notifications.services import case_workers, center_users, fill, notice, param_text, sms, withdraw
from daiban.notifications.templates_text import REVIEW_BY, REVIEW_RULE, SMS, SMS_MAX, THEN_DISSATISFIED
from daiban.org.models import User
from daiban.petitions import recompute
from daiban.petitions.choices import ReviewLevel, Satisfaction, Status
from daiban.petitions.events import consumes
from daiban.petitions.guards import next_review_level
from daiban.petitions.models import Disposition, Event, Petition


def _agent_user(petition: Petition) -> list[User]:
    """The case agent's account; for an agent whose account was deactivated (who left), the station's
    leaders, who reassign the case (a notice to a closed account would be read by no one); nobody for
    a case no agent holds (services.case_workers tells that one's leaders)."""
    agent = petition.agent
    if agent is None or agent.user is None:
        return []
    return case_workers(petition)


def _key(event: Event, template: str) -> str:
    return f"event:{event.pk}:{template}"


@consumes("undo")
def withdrawn(event: Event) -> None:
    """A step taken back (撤销上一步): what its consumers queued and did not send yet is cancelled, so
    the petitioner is not told of a 终结 that no longer stands, and the step made again is told anew
    (its dedupe key is free). A message already sent stays sent."""
    step = (event.data or {}).get("undid")
    if isinstance(step, int) and not isinstance(step, bool):
        withdraw(step)


@consumes("intake")
def receipt(event: Event) -> None:
    p = event.petition
    sms(p, "receipt", dedupe=_key(event, "receipt"), code=p.query_code, forward_due=p.national_forward_due_on)


# The other outcomes of 甄别受理: the receipt promised to tell the petitioner how it is handled by a
# date (《信访工作条例》第二十二条), whatever the answer.
_SCREENED: dict[str, str] = {
    Status.ANSWERED: "screened_answered", Status.REDIRECTED_LEGAL: "screened_legal",
    Status.GUIDED: "screened_guided", Status.DECLINED: "screened_declined",
}


@consumes("screen")
def accepted(event: Event) -> None:
    """The screening's outcome, told: 受理代办 with the agent and a notice to them; any other outcome
    in its own SMS (`_SCREENED`)."""
    if event.to_status != Status.ACCEPTED:
        template = _SCREENED.get(event.to_status)
        if template is not None:
            sms(event.petition, template, dedupe=_key(event, template))
        return
    p = event.petition
    agent = p.agent
    if agent is None:
        return
    sms(p, "accepted", dedupe=_key(event, "accepted"), agent=agent.name,
        agent_phone=agent.office_phone or agent.station.phone or "—")
    notice(_agent_user(p), "new_assignment", petition=p, dedupe=_key(event, "new_assignment"), number=p.number,
           summary=p.content[:30])


@consumes("route")
def routed(event: Event) -> None:
    p = event.petition
    # The 处置单 this routing made: the latest of each department it names.
    latest = (Disposition.objects.filter(petition=p, department_id__in=event.data.get("departments", []))
              .values("department_id").annotate(last=Max("id")).values_list("last", flat=True))
    for disposition in Disposition.objects.filter(pk__in=list(latest)).order_by("id"):
        users = User.objects.filter(department_id=disposition.department_id, is_active=True)
        notice(users, "disposition_routed", petition=p, dedupe=_key(event, f"routed:{disposition.pk}"),
               disposition=disposition.number, summary=p.content[:30], due=disposition.due_on or "待定")


@consumes("determine_solution")
def solution_determined(event: Event) -> None:
    """The solution fixed the 办结时限 the routing left 待定: each department with an open 处置单 is
    told its date (the petitioner sees it on the portal's page)."""
    p = event.petition
    for disposition in Disposition.objects.filter(petition=p, status__in=["routed", "received"]).order_by("id"):
        users = User.objects.filter(department_id=disposition.department_id, is_active=True)
        notice(users, "disposition_due_set", petition=p, dedupe=_key(event, f"due_set:{disposition.pk}"),
               disposition=disposition.number, due=disposition.due_on or "待定")


@consumes("feedback")
def result(event: Event) -> None:
    p = event.petition
    due, level = p.review_request_due_on, _next_word(p)
    review = "" if level is None else REVIEW_BY.format(review_due=param_text(due), level=level) if due else \
        REVIEW_RULE.format(level=level)
    sms(p, "result", dedupe=_key(event, "result"), review=review)


def _next_word(petition: Petition) -> str | None:
    """The review the petitioner may still ask for, as the SMS call it (复查, 复核), or None."""
    level = next_review_level(petition)
    return ReviewLevel(level).label if level else None


@consumes("request_review")
def review_requested(event: Event) -> None:
    """The center (the higher agency) answers it; the case's workers (the agent, else the station's
    leaders: case_workers) are told too, unless they asked for it themselves: the petitioner asked
    on the portal, and the plan has the agent report to its agency and help the petitioner through
    the 复查/复核 (实施方案 三(三))."""
    p = event.petition
    review = p.reviews.filter(pk=event.data.get("review_id")).first() or p.reviews.order_by("-id").first()
    if review is not None:
        notice(center_users(), "review_requested", petition=p, dedupe=_key(event, "review_requested"),
               number=p.number, level=review.get_level_display(), answer_due=review.answer_due_on)
        notice(_not_the_actor(case_workers(p), event), "review_requested_case", petition=p,
               dedupe=_key(event, "review_requested_case"), number=p.number, level=review.get_level_display(),
               answer_due=review.answer_due_on)


def _not_the_actor(users: list[User], event: Event) -> list[User]:
    """`users` without whoever took the step (they know it)."""
    return [u for u in users if u.pk != event.actor_id]


def _day(event: Event, key: str, fallback: datetime.date | None) -> datetime.date | None:
    """A date the event recorded (ISO text in its data), else `fallback` (the petition's, as it is now)."""
    value = (event.data or {}).get(key)
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else fallback
    except ValueError:
        return fallback


@consumes("decide_review")
def review_decided(event: Event) -> None:
    """The petitioner hears every decision: upheld, with the date it is to be resolved by; a review
    maintained, with the end of the window for re-review (《信访工作条例》第三十五条); a re-review
    maintained, that it is final (三级终结: `review_final`; follow_up_announced tells the visit)."""
    p, data = event.petition, event.data or {}
    level = "复核" if data.get("level") == "re_review" else "复查"
    if data.get("upheld"):
        sms(p, "review_upheld", dedupe=_key(event, "review_upheld"), level=level,
            due=_day(event, "due_on", p.due_on))
    elif data.get("level") == "re_review":
        sms(p, "review_final", dedupe=_key(event, "review_final"))
    elif event.to_status == Status.FEEDBACK_GIVEN:
        due = _day(event, "review_request_due_on", p.review_request_due_on)
        if due is not None:
            sms(p, "review_maintained", dedupe=_key(event, "review_maintained"), review_due=due)


@consumes("terminate", "decide_review")
def follow_up_announced(event: Event) -> None:
    """Keyed by the petition and the date: a termination undone and made again with another date
    announces the new date (the petitioner otherwise holds the first); made again with the same
    date, nothing new is said."""
    if event.to_status != Status.TERMINATED:
        return
    p = event.petition
    due = _day(event, "follow_up_due_on", p.follow_up_due_on)
    sms(p, "follow_up", dedupe=f"follow_up_sms:{p.pk}:{due.isoformat() if due else ''}", follow_up_due=due)


@consumes("extend")
def extended(event: Event) -> None:
    """The regulation's extension (《信访工作条例》第三十六条) is told to the petitioner, as a
    处置单's approved extension is (workflow_consumers.extension_decided)."""
    p = event.petition
    sms(p, "extension", dedupe=_key(event, "extension_sms"), due=_day(event, "national_due_on", p.national_due_on))


@consumes("urge")
def urged(event: Event) -> None:
    """An agent's urging reaches the handlers of the department it names (the sweep's own urgings
    are written in bulk by notifications/sweep.py)."""
    data = event.data or {}
    disposition_id = data.get("disposition_id")
    if not isinstance(disposition_id, int) or data.get("automatic"):
        return
    disposition = Disposition.objects.select_related("department").filter(
        pk=disposition_id, petition_id=event.petition_id).first()
    if disposition is None:
        return
    users = User.objects.filter(department_id=disposition.department_id, is_active=True)
    notice(users, "disposition_urged", petition=event.petition, dedupe=_key(event, "disposition_urged"),
           disposition=disposition.number, note=data.get("note") or "请抓紧办理",
           due=disposition.due_on or "待定")


# What each date the petitioner holds is called in the SMS telling that it moved.
_TOLD_DATES = {
    # The 延期 SMS named this date as the matter's (the petitioner knows no 处置单 numbers).
    "disposition.due_on": "延期后的办理期限",
    "review_request_due_on": "申请{next}的截止日期",
    "national_forward_due_on": "告知办理方式的日期",
    "national_due_on": "办理期限",
    "review_answer_due_on": "{current}决定的期限",
    "follow_up_due_on": "回访日期",
}


@consumes("deadline_recomputed")
def window_moved(event: Event) -> None:
    """A calendar change moved dates the petitioner holds (recompute.py hands off only such events,
    `Limit.told`): one SMS names each with its old and new day ("申请复查的截止日期由11月19日改为11月20日")."""
    p = event.petition
    following = _next_word(p)
    levels = {"next": following or "",
              "current": "复核" if p.review_level == "re_review" else "复查"}
    told = (event.data or {}).get("told", ())
    # Two extended 处置单 moved at once: each named by its department (the petitioner knows no
    # 处置单 numbers), else two identical phrases with different dates.
    extended = [c.get("id") for c in told if c.get("model") == "disposition"]
    units = (dict(Disposition.objects.filter(pk__in=extended).values_list("pk", "department__name"))
             if len(extended) > 1 else {})
    parts = []
    for change in told:
        old, new = change.get("old"), change.get("new")
        what = _TOLD_DATES.get(f"{change.get('model')}.{change.get('field')}") or _TOLD_DATES.get(change.get("field"))
        if not (isinstance(old, str) and isinstance(new, str) and what):
            continue
        if change.get("field") == "review_request_due_on" and following is None:
            continue  # no review left to ask for (三级终结): no window to tell of
        unit = units.get(change.get("id"), "") if change.get("model") == "disposition" else ""
        named, to = f"{unit}{what.format(**levels)}", f"改为{param_text(datetime.date.fromisoformat(new))}"
        parts.append((f"{named}由{param_text(datetime.date.fromisoformat(old))}{to}", f"{named}{to}"))
    for i, changes in enumerate(_packed(p.number, parts)):
        sms(p, "window_moved", dedupe=_key(event, "window_moved" if i == 0 else f"window_moved:{i + 1}"),
            changes=changes)


def _packed(number: str, parts: list[tuple[str, str]]) -> list[str]:
    """The changes (each as "…由11月19日改为11月20日" and, shorter, "…改为11月20日") joined into as
    few SMS as keep each within one segment (templates_text.SMS_MAX): a change that does not fit
    with its old day says only the new one; what does not fit goes in a further SMS."""
    room = SMS_MAX - len(fill(SMS["window_moved"], {"number": number, "changes": ""}))
    messages: list[str] = []
    current = ""
    for full, short in parts:
        part = full if len(full) <= room else short
        joined = f"{current}，{part}" if current else part
        if current and len(joined) > room:
            messages.append(current)
            current = part
        else:
            current = joined
    return [*messages, current] if current else messages


@task()
def dispositions_moved(moved: dict[str, list[str]], reason: str, change: str) -> None:
    """Background (recompute.dispositions_moved): each department whose open 处置单 a calendar change
    moved is told once, naming a few of them (its queue shows every new date). `moved`: department id
    (as text, a task's arguments are JSON) → 处置单 numbers."""
    for department_id, numbers in moved.items():
        users = User.objects.filter(department_id=int(department_id), is_active=True)
        shown = "、".join(numbers[:3]) + (f"等{len(numbers)}张" if len(numbers) > 3 else "")
        notice(users, "dispositions_moved", dedupe=f"dispositions_moved:{change}:{department_id}",
               reason=reason, dispositions=shown)


def _on_dispositions_moved(sender: object, *, moved: dict[int, list[str]], reason: str, **kwargs: object) -> None:
    # One key per calendar change (a change and its revert the same day are two notices); a retried
    # task keeps its arguments, so it tells nothing twice.
    dispositions_moved.enqueue({str(k): v for k, v in moved.items()}, reason, uuid.uuid4().hex)


recompute.dispositions_moved.connect(_on_dispositions_moved, dispatch_uid="notifications-dispositions-moved")


@consumes("disposition_receive", "disposition_result")
def disposition_progress(event: Event) -> None:
    template = {"disposition_receive": "disposition_received", "disposition_result": "disposition_answered"}[event.action]
    disposition = Disposition.objects.select_related("department", "petition__agent__user").filter(
        pk=event.data.get("disposition_id")).first()
    if disposition is not None:
        notice(_agent_user(disposition.petition), template, petition=disposition.petition,
               dedupe=_key(event, template), department=disposition.department.name,
               disposition=disposition.number)


@consumes("public_rating")
def petitioner_rated(event: Event) -> None:
    """The petitioner's own rating, online, reaches whoever works the case (case_workers: the agent, or
    the station's leaders when no agent's account is open). 不满意 asks them to report it to their
    agency and to help the petitioner ask for 复查/复核 by the window's end (实施方案 三(三))."""
    p = event.petition
    satisfaction = event.data.get("satisfaction", p.satisfaction)
    level = _next_word(p)
    then = ""
    if satisfaction == Satisfaction.DISSATISFIED and level is not None:
        then = THEN_DISSATISFIED.format(level=level, review_due=param_text(p.review_request_due_on) or "30日内")
    notice(case_workers(p), "petitioner_rated", petition=p, dedupe=_key(event, "petitioner_rated"), number=p.number,
           satisfaction=Satisfaction(satisfaction).label, then=then)
