"""Every write to a petition. Each public function runs in one transaction, checks who may act
first (abilities, or the action's declared actor kinds), and appends an Event: what happens
downstream (messages, the case file) is handed off through that event (events.py), never called
from here.

Concurrency: an action locks the petition row (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers) and re-checks the workflow on the locked row, so of
two people acting at once one wins and the other is told (409); nothing is lost.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from pydantic import BaseModel, ValidationError

from daiban.audit import services as audit
from daiban.audit.models import Action as AuditAction
from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound
from daiban.lib.validation import Version, invalid
from daiban.org.models import User
from daiban.petitions import events, guards, recompute
from daiban.petitions.abilities import Actor, may, require
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS, Action, ActionInput
from daiban.petitions.actions.base import Ctx, DispositionCtx
from daiban.petitions.corrections import petitioner_correct  # noqa: F401  (importable from here)
from daiban.petitions.eligibility import dismissed, earlier_scored, possibly_same
from daiban.petitions.intake import (  # noqa: F401  (the writes of a petition are all importable from here)
    _QUERY_ALPHABET,
    IntakeResult,
    _text,
    intake_check,
    parse_id,
    petition_intake,
    petition_intake_or_existing,
    petitioner_snapshot,
    validate_intake,
)
from daiban.petitions.models import PETITIONER_ACTOR, SYSTEM_ACTOR, Disposition, Event, Petition, PetitionLink
from daiban.petitions.permissions import actor_kinds, get_visible_petition, visible_dispositions, visible_ids
from daiban.petitions.undo import UNDOABLE, changed_fields
from daiban.workdays.engine import deadlines_being_set
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec
from daiban.workdays.services import calendar_set_days

__all__ = [
    "IntakeResult", "available_actions", "available_disposition_actions", "calendar_change", "disposition_act",
    "intake_check", "petition_act", "petition_intake", "petition_intake_or_existing", "petition_link",
    "petition_unlink", "petitioner_correct", "today", "validate_intake",
]

Data = Mapping[str, Any] | ActionInput


# --- the dispatcher: lock, version, ability, guards, input, handler, event -------------------------

def petition_act(*, petition_id: int, action: str, user: User | None, data: Data,
                 as_petitioner: bool = False) -> Petition:
    """Fire a workflow action on a petition. `as_petitioner`: the petitioner acting through the
    public portal (user None); only actions whose actors include "petitioner" are possible."""
    act = _declared(ACTIONS, action)
    with transaction.atomic():
        deadlines_being_set()  # a calendar change waits for this action, or this one for it
        if as_petitioner:
            petition = Petition.objects.select_for_update().get(pk=petition_id)
            kinds = frozenset({"petitioner"})
        elif user is None:  # nobody: an entry point that forgot to say who acts
            raise NotFound("信访事项不存在")
        else:
            petition = get_visible_petition(user, petition_id, lock=True)
            kinds = actor_kinds(user, petition)
        loaded = _loaded(petition)
        on, typed = _check(act, petition, kinds, petition.status, data)
        before = petition.status
        outcome = act.handler(Ctx(petition, user, on, kinds), typed)
        petition.status = outcome.status or petition.status
        data = outcome.data
        if action in UNDOABLE:  # what undo.undo writes back
            data = {**data, "before": changed_fields(loaded, petition)}
        _saved(petition, on, loaded)
        _record(petition, user, action, on, outcome.note, data, before)
    return petition


def disposition_act(*, disposition_id: int, action: str, user: User, data: Data) -> Disposition:
    """Fire an action on one 处置单 (its petition is locked, its version checked and bumped)."""
    act = _declared(DISPOSITION_ACTIONS, action)
    with transaction.atomic():
        deadlines_being_set()
        found = visible_dispositions(user).filter(pk=disposition_id).values_list("petition_id", flat=True).first()
        if found is None:
            raise NotFound("处置单不存在")
        petition = Petition.objects.select_for_update().get(pk=found)
        loaded = _loaded(petition)
        disposition = Disposition.objects.select_related("department").get(pk=disposition_id)
        kinds = actor_kinds(user, petition, disposition)
        on, typed = _check(act, petition, kinds, disposition.status, data, disposition)
        outcome = act.handler(DispositionCtx(petition, user, on, kinds, disposition), typed)
        disposition.save()
        _saved(petition, on, loaded)
        _record(petition, user, f"disposition_{action}", on, f"{disposition.department.name}：{outcome.note}",
                {"disposition_id": disposition.pk, **outcome.data})
        disposition.petition = petition
    return disposition


def _declared(table: Mapping[str, Action[Any]], name: str) -> Action[Any]:
    if name not in table:
        raise NotFound("没有这个办理动作")
    return table[name]


def _check(act: Action[Any], petition: Petition, kinds: frozenset[str], state: str,
           data: Data, disposition: Disposition | None = None) -> tuple[datetime.date, ActionInput]:
    """Everything that refuses before a handler runs, in the order a person would be told: someone
    acted since you looked, you may not, not now, not in this state, then what you typed."""
    seen = version_seen(data)
    if seen is not None and seen != petition.version:
        raise Conflict("该事项刚被他人办理过，请刷新后查看最新情况再操作", code="stale")
    if not kinds & act.actors:
        raise Forbidden(f"您没有权限执行“{act.label}”", code="forbidden")
    if disposition is not None:  # a 处置单's actions have states of their own: its petition's seal first
        guards.ensure_not_archived(petition)
    if state not in act.sources:
        raise Conflict(f"当前状态下不能执行“{act.label}”", code="not_allowed", extra={"current_status": state})
    # The guards judge the day the action happened (a dated guard: the deadline it must come before);
    # what was typed is refused after them, in the order above.
    typed: ActionInput | None = None
    refused: Invalid | None = None
    try:
        typed = act.input.parse(data)
    except Invalid as exc:
        refused = exc
    day = min(typed.on, today()) if typed is not None and typed.on is not None else today()
    for name in act.guards:
        problem = guards.run(name, petition, disposition, day)
        if problem is not None:
            raise problem
    if refused is not None:
        raise refused
    assert typed is not None
    on = _event_date(typed.on, petition)
    _not_before_what_it_records(typed, on)
    return on, typed


def _not_before_what_it_records(typed: ActionInput, on: datetime.date) -> None:
    """Invalid (400, naming `on`) when the action is dated before the day it says the thing itself
    happened (ActionInput.HAPPENED: 申请日期, 回访日期, 方案确定日期): an entry dated 10-01 cannot
    record a request made on 10-05."""
    for name in type(typed).HAPPENED:
        day = getattr(typed, name)
        if isinstance(day, datetime.date) and day > on:
            title = type(typed).model_fields[name].title or name
            raise Invalid.of({"on": f"办理日期（{on:%Y-%m-%d}）不能早于{title}（{day:%Y-%m-%d}）"})


class _Seen(BaseModel):
    version: Version | None = None


def version_seen(data: Data) -> int | None:
    """The petition version a write was sent with (the detail's `version`, the page's hidden field):
    None when absent or empty; an int ≥ 0 as the API's body reads it ("3" and " 3 " are 3). Invalid (400,
    naming 版本号) for a malformed value (abc, -1, 1.5, true): a typing error to be told, never taken
    for a conflict; only a well-formed version another write has passed is 409 `stale` (API.md:
    400 bad input, 409 workflow conflict)."""
    raw = data.version if isinstance(data, ActionInput) else data.get("version")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return _Seen(version=raw).version
    except ValidationError as exc:
        raise invalid(exc, {"version": "版本号"}) from None


def _event_date(on: datetime.date | None, petition: Petition) -> datetime.date:
    """The day an action happened: today by default, for paper work entered afterwards an earlier
    day, but never in the future and never before the petition's previous event."""
    on = on or today()
    if on > today():
        raise Invalid.of({"on": "办理日期不能晚于今天"})
    floor = petition.last_event_on or petition.received_on
    if on < floor:
        raise Invalid.of({"on": f"办理日期不能早于上一次办理日期（{floor:%Y-%m-%d}{_done_on(petition, floor)}）"
                                "：补录的事项按发生的先后登记"})
    return on


def _done_on(petition: Petition, day: datetime.date) -> str:
    """"，<the action's label>" of the petition's latest event dated `day` (what the new one would
    precede), "" when none is (the receipt day)."""
    last = petition.events.filter(on=day).exclude(actor_name=SYSTEM_ACTOR, actor__isnull=True).order_by("-id").first()
    return f"，{events.event_labels().get(last.action, last.action)}" if last is not None else ""


def _loaded(petition: Petition) -> dict[str, Any]:
    """The petition's column values as read, so `_saved` writes only what the action changed."""
    return {f.attname: getattr(petition, f.attname) for f in Petition._meta.concrete_fields if not f.primary_key}


def _saved(petition: Petition, on: datetime.date, loaded: dict[str, Any] | None = None) -> None:
    """Stamp the action's day and bump the version; with `loaded`, UPDATE only the columns that
    changed (a narrow statement, issue 16) instead of all of them."""
    petition.last_event_on = on
    petition.version += 1
    if loaded is None:
        petition.save()
        return
    changed = {name for name, value in loaded.items() if getattr(petition, name) != value}
    petition.save(update_fields=sorted(changed | {"last_event_on", "version", "updated_at"}))


def _record(petition: Petition, user: User | None, action: str, on: datetime.date, note: str,
            data: dict[str, Any], before: str | None = None) -> Event:
    # No user here means the petitioner acting through the portal.
    return events.record(petition, action, actor=user, actor_name=PETITIONER_ACTOR, on=on, note=note, data=data,
                         from_status=before)


# --- what a user may do now -------------------------------------------------------------------------

def _open(act: Action[Any], kinds: frozenset[str], state: str, petition: Petition,
          disposition: Disposition | None = None) -> bool:
    return bool(state in act.sources and kinds & act.actors) and all(
        guards.run(g, petition, disposition) is None for g in act.guards)


def available_actions(user: User, petition: Petition) -> list[Action[Ctx]]:
    kinds = actor_kinds(user, petition)
    return [act for act in ACTIONS.values() if _open(act, kinds, petition.status, petition)]


def available_disposition_actions(user: User, petition: Petition, disposition: Disposition) -> list[Action[DispositionCtx]]:
    """The 处置单 actions `user` may take now: none on an archived petition, whose case file is
    sealed (`_check` refuses them all with guards.ensure_not_archived, so none is offered either)."""
    if petition.status == "archived":
        return []
    kinds = actor_kinds(user, petition, disposition)
    return [act for act in DISPOSITION_ACTIONS.values() if _open(act, kinds, disposition.status, petition, disposition)]


def disposition_offers(user: User, disposition_id: int) -> tuple[Petition, Disposition, list[Action[DispositionCtx]]]:
    """The 处置单 `user` may read (NotFound otherwise, as disposition_act) and the actions offered on it
    now (available_disposition_actions): `GET /api/v1/dispositions/{id}/actions`."""
    found = visible_dispositions(user).filter(pk=disposition_id).select_related("department", "petition").first()
    if found is None:
        raise NotFound("处置单不存在")
    return found.petition, found, available_disposition_actions(user, found.petition, found)


def offered_choices(act: Action[Any], petition: Petition, kinds: frozenset[str],
                    disposition: Disposition | None = None) -> dict[str, list[tuple[Any, str]]]:
    """{field: [(value, label), …]} for each field of `act` whose values come from the petition or
    the database (Widget.choices), as this actor is offered them on this object: the API lists what
    the case page's form lists (enum fields' values are in the schema)."""
    offered = {}
    for name in act.input.own_fields():
        widget = act.input.widget(name)
        if widget is not None and widget.choices is not None and widget.kind != "hidden":
            offered[name] = widget.choices(petition, kinds, disposition)
    return offered


# --- correcting the same-matter check --------------------------------------------------------------

def petition_unlink(*, petition_id: int, related_id: int, user: User, reason: str) -> Petition:
    """A leader rules that an earlier petition is not the same matter after all (the similarity
    check is a heuristic): a linked one (the link goes) or one offered as possibly the same
    (eligibility.possibly_same; it is offered no more). The ruling stays on the timeline with who and
    why. NotFound when it is neither, or not visible; Conflict on an archived petition."""
    with transaction.atomic():
        petition = get_visible_petition(user, petition_id, lock=True)
        require(user, "unlink", petition)  # who may not rule is told so whatever the form holds (403)
        reason = _text({"reason": reason}, "reason", "理由", max_length=500)
        guards.ensure_not_archived(petition)
        link = petition.links.select_related("related").filter(related_id=related_id).first()
        if link is not None and related_id not in visible_ids(user, [related_id]):
            # Another station's petition: not this user's to rule on, nor to learn of (404, as a
            # link that is not there; an id guessed must not answer otherwise).
            raise NotFound("没有这条同一事项关联")
        if link is not None:
            number = link.related.number
            link.delete()
        else:
            offered = {e.petition.pk: e.petition for e in possibly_same(petition, user)}
            if related_id not in offered:
                raise NotFound("没有这条同一事项关联")
            number = offered[related_id].number
        petition.version += 1
        petition.save(update_fields=["version", "updated_at"])
        _record(petition, user, "unlink", today(), f"认定与 {number} 不是同一事项：{reason}", {"related_id": related_id})
    return petition


def petition_link(*, petition_id: int, related_id: int, user: User, reason: str) -> Petition:
    """An agent or leader rules that an earlier petition of the same petitioner is the same matter
    (重复信访) although the check scored it below the threshold (a retelling in other words: README
    "Same matter"). The link is stored as intake would have stored it (reason "confirmed", with the
    score), so the 不予代办 reasons and the repeat statistics follow; the ruling goes on the timeline.
    NotFound for a petition the user may not see; Invalid (naming related_id) for another person's,
    a later or the same petition; Conflict when already linked or archived, and ("dismissed") when a
    leader ruled the pair 不是同一事项 and the user may not rule again (only the "unlink" holders may)."""
    with transaction.atomic():
        petition = get_visible_petition(user, petition_id, lock=True)
        require(user, "link", petition)  # who may not rule is told so whatever the form holds (403)
        reason = _text({"reason": reason}, "reason", "理由", max_length=500)
        related = get_visible_petition(user, related_id)
        if related.petitioner_id != petition.petitioner_id:
            raise Invalid.of({"related_id": "只能认定同一信访人的信访事项"})
        if related.pk >= petition.pk:
            raise Invalid.of({"related_id": "只能认定本事项以前登记的信访事项"})
        guards.ensure_not_archived(petition)
        if petition.links.filter(related_id=related.pk).exists():
            raise Conflict("已经认定为同一事项", code="already_linked")
        if related.pk in dismissed(petition.pk) and not may(user, "unlink", petition):
            # A leader ruled it another matter: only a leader or the center may rule again.
            raise Conflict("领导已认定不是同一事项，需由带班、分管、主要领导或代办服务中心重新认定", code="dismissed")
        value = next((v for other, v in earlier_scored(petition) if other.pk == related.pk), 0.0)
        PetitionLink.objects.create(petition=petition, related=related, reason="confirmed", score=value)
        petition.version += 1
        petition.save(update_fields=["version", "updated_at"])
        _record(petition, user, "link", today(), f"认定与 {related.number} 是同一事项：{reason}",
                {"related_id": related.pk, "score": value})
    return petition


# --- the working-day calendar -----------------------------------------------------------------------

def calendar_change(*, actor: Actor, specs: Iterable[DaySpec], source: str = CalendarDay.Source.ADMIN,
                    confirm: bool | None = None, reason: str = "") -> list[datetime.date]:
    """Change calendar days (the admin, the calendar page, the API, `calendar_import`) and, in the
    same transaction, recompute every running deadline that counted a changed day, recorded on each
    petition. Returns the dates whose working-day status changed."""
    require(actor, "calendar_edit")
    reason = reason or "工作日历调整"
    specs = list(specs)
    dates = [spec.date for spec in specs]
    if len(dates) != len(set(dates)):  # a workday and a rest day for one date: the order would decide
        twice = sorted({d for d in dates if dates.count(d) > 1})
        raise Invalid.of({"days": "日期列表中同一日期出现了不止一次：" + "、".join(f"{d:%Y-%m-%d}" for d in twice)})
    with transaction.atomic():
        changed = calendar_set_days(specs=specs, source=source, confirm=confirm)
        if source in (CalendarDay.Source.ADMIN, CalendarDay.Source.IMPORT):  # a person's edit, not the seeding
            audit.record(AuditAction.CALENDAR_CHANGE, actor=actor if isinstance(actor, User) else None,
                         target_type="calendar", label=reason[:200],
                         detail={"days": [s.date.isoformat() for s in specs][:50],
                                 "changed": [d.isoformat() for d in changed][:50], "confirm": confirm})
        recompute.recompute_after_calendar_change(changed, reason=reason)
    return changed
