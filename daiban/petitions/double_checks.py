"""一案双查 (one case, two investigations): opened when a review or re-review finds the petitioner's
request reasonable (actions/review.py, decide_review), then an item with its own lifecycle:

  open, unassigned → assigned (the center names a responsible person)
  → findings recorded (by that person: on the matter 查事, on the handling 查人, any accountability)
  → closed (by the center; only once findings are recorded).

Each step runs in one transaction with the petition locked, bumps its version and appends an
event on the petition (double_check_assign, double_check_findings, double_check_close), so the
timeline and the case file tell the story.

Who sees an item: the center and admin (all), its assignee, and the leaders of the petition's
station; anyone else is answered 404, as for an item that does not exist. The case agent, whose
handling is being examined, does not see the findings.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound
from daiban.lib.validation import ID_MAX, ascii_digits
from daiban.org import roles
from daiban.org.models import Agent, User
from daiban.petitions import events
from daiban.petitions.abilities import CASE_WORKERS, require
from daiban.petitions.guards import ensure_not_archived
from daiban.petitions.intake import _text
from daiban.petitions.models import DoubleInvestigation, Petition, Reassignment
from daiban.petitions.permissions import sees_everything, station_scope, visible_petitions

STATUSES = ("open", "closed")
STATUS_LABELS = {"open": "未结束", "closed": "已结束"}  # the list's `status` filter, by name

# What the timeline (API, staff page, case file) says of the steps whose text only those who see the
# item may read: the petition's timeline is read by the case agent, whose handling is examined, so it
# never carries the findings or the closing note (they stay on the item, double_check_out).
TIMELINE_NOTES = {
    "double_check_findings": "一案双查：已记录查明情况",
    "double_check_close": "一案双查：已结束",
}


def timeline_note(action: str, note: str) -> str:
    """The note an event of `action` shows on any timeline: neutral for the 一案双查 steps
    (TIMELINE_NOTES, also for events written before the notes were neutral), else `note`."""
    return TIMELINE_NOTES.get(action, note)


def visible_double_checks(user: User | None) -> QuerySet[DoubleInvestigation]:
    """The 一案双查 items this user may see (see the module's docstring)."""
    qs = DoubleInvestigation.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if sees_everything(user):
        return qs
    condition = Q(assignee_id=user.pk)
    if user.has_role(*roles.STATION_LEADERS) and user.station_id:
        condition |= Q(petition__station_id__in=station_scope(user))
    return qs.filter(condition)


def double_check_list(user: User, status: str | None = None) -> QuerySet[DoubleInvestigation]:
    """`GET /double_checks?status=open|closed`: newest first. Invalid (400) for another status."""
    qs = visible_double_checks(user).select_related("petition", "assignee").order_by("-id")
    if status in (None, ""):
        return qs
    if status not in STATUSES:
        raise Invalid.of({"status": "状态只能是open或closed"})
    return qs.filter(closed_on__isnull=status == "open")


def double_check_out(item: DoubleInvestigation) -> dict[str, Any]:
    """The API's shape (API.md 1.1), plus what the pages and the list need."""
    return {
        "id": item.pk, "opened_on": item.opened_on,
        "assignee": {"id": item.assignee.pk, "name": item.assignee.display_name} if item.assignee else None,
        "status": item.status, "matter_findings": item.matter_findings, "handling_findings": item.handling_findings,
        "accountability": item.accountability, "closed_on": item.closed_on,
        "petition": {"id": item.petition_id, "number": item.petition.number},
    }


def _locked(user: User, item_id: int) -> tuple[Petition, DoubleInvestigation]:
    """The item (404 unless visible) and its petition, both locked for this transaction."""
    found = visible_double_checks(user).filter(pk=item_id).values_list("petition_id", flat=True).first()
    if found is None:
        raise NotFound("一案双查事项不存在")
    petition = Petition.objects.select_for_update().get(pk=found)
    item = DoubleInvestigation.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=item_id)
    return petition, item


def _still_open(item: DoubleInvestigation) -> None:
    if item.closed_on is not None:
        raise Conflict("该一案双查已结束", code="not_allowed")


def _done(petition: Petition, user: User, action: str, note: str, data: dict[str, Any]) -> None:
    on = today()
    petition.last_event_on = max(on, petition.last_event_on or on)
    petition.version += 1
    petition.save(update_fields=["last_event_on", "version", "updated_at"])
    events.record(petition, action, actor=user, on=on, note=note, data=data)


def double_check_assign(*, user: User, item_id: int, assignee_id: Any) -> DoubleInvestigation:
    """The center (or admin) names the responsible person: an active case worker who may see the
    petition. Forbidden (403) for anyone else; Invalid (400) for an unknown or unsuitable person;
    Conflict (409) once closed."""
    with transaction.atomic():
        petition, item = _locked(user, item_id)
        require(user, "manage_double_checks")
        ensure_not_archived(petition)
        _still_open(item)
        raw = str(assignee_id if assignee_id is not None else "").strip()
        wanted = int(raw) if ascii_digits(raw) and len(raw) <= 10 else 0
        assignee = User.objects.filter(pk=wanted, is_active=True).first() if 0 < wanted <= ID_MAX else None
        if assignee is None or not assignee.role_set & CASE_WORKERS:
            raise Invalid.of({"assignee_id": "请选择在岗的代办工作人员作为责任人"})
        if not visible_petitions(assignee).filter(pk=petition.pk).exists():
            raise Invalid.of({"assignee_id": "责任人无权查看该信访事项，请另选"})
        if assignee.pk in handling_users(petition):
            raise Invalid.of({"assignee_id": "该事项的代办员（含原代办员）不能担任一案双查责任人，请另选"})
        if item.assignee_id == assignee.pk:  # a second click, or two people at once: one event, one answer
            raise Conflict(f"一案双查责任人已是{assignee.display_name}", code="already_assigned")
        item.assignee, item.assigned_on = assignee, today()
        item.save(update_fields=["assignee", "assigned_on"])
        _done(petition, user, "double_check_assign", f"一案双查指派责任人：{assignee.display_name}",
              {"double_check_id": item.pk, "assignee_id": assignee.pk})
    return item


def double_check_findings(*, user: User, item_id: int, data: dict[str, Any]) -> DoubleInvestigation:
    """The assignee records what was found on the matter and on the handling (both required) and
    any accountability. Recorded again, the new text replaces the old; the timeline keeps each."""
    with transaction.atomic():
        petition, item = _locked(user, item_id)
        if item.assignee_id != user.pk:
            raise Forbidden("只有一案双查的责任人可以填写查明情况", code="forbidden")
        ensure_not_archived(petition)
        _still_open(item)
        matter = _text(data, "matter_findings", "查事情况")
        handling = _text(data, "handling_findings", "查人（办理）情况")
        accountability = _text(data, "accountability", "责任追究", required=False)
        item.matter_findings, item.handling_findings, item.accountability = matter, handling, accountability
        item.findings_on = today()
        item.save(update_fields=["matter_findings", "handling_findings", "accountability", "findings_on"])
        _done(petition, user, "double_check_findings", TIMELINE_NOTES["double_check_findings"],
              {"double_check_id": item.pk})
    return item


def double_check_close(*, user: User, item_id: int, note: Any = "") -> DoubleInvestigation:
    """The center (or admin) closes the item once findings are recorded (409 before)."""
    with transaction.atomic():
        petition, item = _locked(user, item_id)
        require(user, "manage_double_checks")
        ensure_not_archived(petition)
        _still_open(item)
        if not (item.matter_findings and item.handling_findings):
            raise Conflict("责任人尚未填写查事、查人情况，不能结束", code="not_allowed")
        close_note = _text({"note": note}, "note", "结束意见", required=False)
        item.closed_on, item.closed_by, item.close_note = today(), user, close_note
        item.save(update_fields=["closed_on", "closed_by", "close_note"])
        _done(petition, user, "double_check_close", TIMELINE_NOTES["double_check_close"],
              {"double_check_id": item.pk})
    return item


def handling_users(petition: Petition) -> frozenset[int]:
    """The user ids of the petition's current agent and of every previous one (Reassignment): the
    people whose handling 一案双查 examines, who may not be its assignee."""
    agents = Q(pk=petition.agent_id) | Q(pk__in=Reassignment.objects.filter(petition_id=petition.pk)
                                             .values("from_agent_id"))
    return frozenset(Agent.objects.filter(agents, user_id__isnull=False).values_list("user_id", flat=True))


def assignee_choices(petition: Petition) -> list[tuple[int, str]]:
    """Active case workers who may see the petition and never handled it as its agent (the page's select)."""
    found = []
    excluded = handling_users(petition)
    for candidate in User.objects.filter(is_active=True).exclude(pk__in=excluded).order_by("id"):
        if candidate.role_set & CASE_WORKERS and visible_petitions(candidate).filter(pk=petition.pk).exists():
            found.append((candidate.pk, candidate.display_name))
    return found
