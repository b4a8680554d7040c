"""撤销上一步: a short undo of a mistaken irreversible step, recorded as an `undo` event.

Narrow on purpose. Only two steps can be taken back, and only while nothing has followed them:
  - 终结 (terminate), until the follow-up visit: the petition returns to 已反馈;
  - a screening that ended the matter at the door (直接答复、告知法定途径、引导、不予代办), until it
    is archived: the petition returns to 待甄别.
Within UNDO_MINUTES of the step, by someone who could have taken it, with a reason. The event of the
step stays in the timeline (events are append-only); the `undo` event after it names it (`data.undid`)
and what the petition went back to. Other steps are not undone here: a routing created 处置单 that
departments may already hold, a review decision opened an 一案双查, an archive froze the case file.
Messages already sent for the step (the SMS of 终结) are not recalled.

What goes back: every petition field the step changed. The dispatcher (services.petition_act)
records, for an undoable action, the changed fields' earlier values in the event's
`data["before"]` (`changed_fields`); undo writes those back. A step recorded before that existed
falls back to clearing what the step sets and recomputing the review window (`_restore_*`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Forbidden
from daiban.lib.validation import text_field
from daiban.org.models import User
from daiban.petitions import deadlines, events
from daiban.petitions.actions import ACTIONS
from daiban.petitions.choices import Status
from daiban.petitions.models import SYSTEM_ACTOR, Event, Petition
from daiban.petitions.permissions import actor_kinds, get_visible_petition
from daiban.petitions.workflow import SCREENED_OUT
from daiban.workdays.engine import deadlines_being_set

UNDO_MINUTES = 30
# Events the system appends on its own: they are not a "next step" that closes the undo.
SYSTEM_EVENTS = frozenset({"deadline_recomputed", "archive_frozen", "archive_failed", "archive_retry", "attach"})


# Columns the dispatcher and undo itself keep: never part of a step's `before`.
_BOOKKEEPING = frozenset({"status", "version", "last_event_on", "updated_at", "created_at"})


def _json(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # Decimal, UUID: to_python reads them back


def changed_fields(loaded: Mapping[str, Any], petition: Petition) -> dict[str, Any]:
    """{column: its value before the step, JSON-ready} for the columns the step changed.
    `loaded`: the petition's column values as read (services._loaded), keyed by attname."""
    return {name: _json(value) for name, value in loaded.items()
            if name not in _BOOKKEEPING and getattr(petition, name) != value}


def _restore_before(p: Petition, before: Mapping[str, Any]) -> None:
    """Write back the columns a step recorded in `data["before"]`."""
    fields = {f.attname: f for f in Petition._meta.concrete_fields}
    for name, value in before.items():
        field = fields.get(name)
        if field is not None and name not in _BOOKKEEPING:
            setattr(p, name, None if value is None else field.to_python(value))


def _restore_terminate(p: Petition) -> None:
    p.terminated_on = p.follow_up_due_on = None
    p.three_in_place = False


def _restore_screen(p: Petition) -> None:
    p.screened_on = None
    p.reply, p.decline_reason, p.notification = "", "", ""


# action → (the statuses it may have led to that can be undone, how the petition's fields go back)
UNDOABLE = {
    "terminate": (frozenset({Status.TERMINATED}), _restore_terminate),
    "screen": (SCREENED_OUT, _restore_screen),
}


def undone_steps(events_in_order: Iterable[Event]) -> set[int]:
    """The ids of the steps taken back: each `undo` event names its step in `data["undid"]`. Readers
    that build something from a step (notices, the public timeline) skip these: they no longer stand."""
    return {int(e.data["undid"]) for e in events_in_order
            if e.action == "undo" and isinstance((e.data or {}).get("undid"), int)}


def _last_step(events_in_order: list[Event]) -> Event | None:
    return next((e for e in reversed(events_in_order) if e.action not in SYSTEM_EVENTS), None)


def undoable_step(petition: Petition, now: datetime.datetime | None = None) -> Event | None:
    """The petition's last step if it may still be undone (see the module's rules), else None.
    Reads `petition.events.all()` (prefetched on the case page)."""
    step = _last_step(list(petition.events.all()))
    if step is None or step.action not in UNDOABLE:
        return None
    statuses, _ = UNDOABLE[step.action]
    if step.to_status not in statuses or petition.status != step.to_status or not step.from_status:
        return None
    if (now or timezone.now()) - step.at > datetime.timedelta(minutes=UNDO_MINUTES):
        return None
    return step


def _floor_without(petition: Petition, step: Event) -> datetime.date:
    """The petition's last event date as it was before `step`: the latest day of the people's steps
    that still stand (not `step`, not a step undone before, not an undo, not the system's). The
    floor for back-dated paper work (services._event_date) goes back with the step, so the step can
    be entered again with the right, earlier date — the mistake undo most often mends."""
    steps = list(petition.events.all())
    gone = undone_steps(steps) | {step.pk}
    days = [e.on for e in steps if e.pk not in gone and e.action != "undo" and e.action not in SYSTEM_EVENTS
            and e.actor_name != SYSTEM_ACTOR]
    return max(days, default=petition.received_on)


def may_undo(user: User, petition: Petition, step: Event) -> bool:
    """Whoever could have taken the step may take it back."""
    return bool(actor_kinds(user, petition) & ACTIONS[step.action].actors)


def undo(*, petition_id: int, user: User, reason: str) -> Petition:
    """Take back the petition's last step. Invalid without a reason; Conflict when the step can no
    longer be undone (another step followed, or UNDO_MINUTES passed); Forbidden for someone who
    could not have taken it; NotFound for a petition the user may not see."""
    with transaction.atomic():
        deadlines_being_set()  # the review window is computed again below (engine.CALENDAR_LOCK)
        petition = get_visible_petition(user, petition_id, lock=True)
        step = undoable_step(petition)
        if step is None:
            raise Conflict(f"只能在{UNDO_MINUTES}分钟内、下一步办理之前撤销终结或甄别结果", code="not_allowed")
        if not may_undo(user, petition, step):
            raise Forbidden("您没有权限撤销该步骤", code="forbidden")
        # The reason after the role: who may not undo is told so whatever the form holds (403).
        reason = text_field({"reason": reason}, "reason", "撤销理由", max_length=500)
        before, restored = petition.status, step.from_status
        before_step = (step.data or {}).get("before")
        if isinstance(before_step, dict):
            _restore_before(petition, before_step)
        else:  # recorded before steps kept their earlier values: clear and recompute
            UNDOABLE[step.action][1](petition)
        petition.status = restored
        # From today's calendar, not as saved before the step: a calendar change meanwhile skipped
        # the petition while it was terminated (its window is live only after the feedback).
        deadlines.set_review_deadlines(petition)
        petition.last_event_on = _floor_without(petition, step)
        petition.version += 1
        petition.save()
        label = ACTIONS[step.action].label
        events.record(petition, "undo", actor=user, on=today(), from_status=before,
                      note=f"撤销“{label}”，恢复为“{Status(restored).label}”：{reason}",
                      data={"undid": step.pk, "action": step.action, "restored": restored})
    return petition
