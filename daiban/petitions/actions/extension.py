"""A department's answers on its 处置单 short of a result: it returns a 处置单 that is not its
competence (`return`), or asks for more time before the due date (`request_extension`), which the
station's leaders or the center decide (`decide_extension`).

Rules (issue 12, 2–3; API.md "Workflow actions, continued (version 1.1)"):
- a returned 处置单 is closed (state `returned`, its history kept, printed as such); the agent is
  told and routes again (handling.route treats only routed/received 处置单 as still open); it no
  longer carries the matter's date (deadlines.after_return: an approved extension of it, or its
  routing's working days, stop moving the matter's 办结时限);
- an extension is asked for before the 处置单's due date, in working days; approved, it moves that
  处置单's due date by that many working days (still counted from the same start, so a calendar
  change recomputes it), and the petition's when the 处置单's is now the later one;
- at most one approved extension per 处置单, unless the center (or admin) approves another: a
  station leader's second approval answers 409 `extension_limit`.
- a request still waiting when its 处置单 is answered or returned lapses that day (lapse_pending):
  nobody can decide it any more (decide_extension needs an open 处置单), so it no longer shows as
  待审批 nor blocks anything.
- no extension may move the 处置单's due date past the petition's statutory handling limit
  (deadlines.statutory_limit: 60 days and the regulation's one extension): asked for, 400
  `beyond_statutory_limit` naming `workdays`; approved (the limit may have shrunk since), 409. A
  处置单 routed after that limit had passed has working days of its own and may be extended.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from daiban.lib.errors import Conflict, Invalid
from daiban.petitions import deadlines, guards
from daiban.petitions.actions.base import (
    ActionInput,
    DispositionCtx,
    Field,
    OptionalText,
    Outcome,
    Text,
    disposition_action,
    ui,
)
from daiban.petitions.choices import DispositionState
from daiban.petitions.models import Disposition, ExtensionRequest, Petition
from daiban.workdays.engine import Deadline, add_workdays

D = DispositionState
OPEN = frozenset({D.ROUTED, D.RECEIVED})
MAX_EXTENSION_WORKDAYS = 30
CENTER = frozenset({"center", "admin"})


class ReturnIn(ActionInput):
    reason: Annotated[Text, ui("textarea", help="说明不属于本单位职权的依据，便于代办员重新流转")] = Field(
        title="退回理由")


@disposition_action(
    "return", "退回处置单", sources=OPEN, targets=(D.RETURNED,), actors={"department", "case_agent", "admin"},
    guards=("petition_running",), help="不属于本单位职权范围的，说明理由后退回，由代办员重新流转",
)
def return_disposition(ctx: DispositionCtx, data: ReturnIn) -> Outcome:
    d, p = ctx.disposition, ctx.petition
    d.status, d.returned_on, d.return_reason = D.RETURNED, ctx.on, data.reason
    # Returned, it no longer carries the matter's date (its working days, an approved extension).
    moved = deadlines.after_return(p, d)
    note = f"退回处置单（非本单位职权）：{data.reason}" + lapse_pending(d, ctx.on)
    if moved and p.due_on is not None:
        note += f"；信访事项办结时限恢复为 {p.due_on:%Y-%m-%d}"
    return Outcome(note, {"reason": data.reason, "petition_due_moved": moved,
                          "petition_due_on": p.due_on.isoformat() if p.due_on else None})


class RequestExtensionIn(ActionInput):
    workdays: Annotated[int, ui("number", label=f"延长工作日（1–{MAX_EXTENSION_WORKDAYS}个）")] = Field(
        title="延长工作日", ge=1, le=MAX_EXTENSION_WORKDAYS)
    reason: Annotated[Text, ui("textarea")] = Field(title="延期理由")


def extension_room(petition: Petition, disposition: Disposition | None = None,
                   day: datetime.date | None = None) -> Conflict | None:
    """Guard of `request_extension`: the 处置单 can still be given one working day without passing
    the petition's statutory limit (_within_limit); otherwise every request would be refused 400
    `beyond_statutory_limit`, so none is offered (409 `beyond_statutory_limit` when asked)."""
    if disposition is None:
        return None
    try:
        _within_limit(petition, disposition, 1, Conflict)
    except Conflict as exc:
        limit = deadlines.statutory_limit(petition)
        return Conflict(f"处置单办理时限（{disposition.due_on:%Y-%m-%d}）已到信访事项的法定办理期限"
                        f"（{limit:%Y-%m-%d}），不能再申请延期", code="beyond_statutory_limit", extra=exc.extra)
    return None


guards.DISPOSITION_GUARDS[extension_room.__name__] = extension_room
guards.GUARDS[extension_room.__name__] = extension_room  # called by run()


@disposition_action(
    "request_extension", "申请延期", sources=OPEN, actors={"department", "case_agent", "admin"},
    guards=("petition_running", "extension_requestable", "extension_room"),
    help="情况复杂、确需延长的，在办理时限届满前申请，由带班、分管、主要领导或代办服务中心审批",
)
def request_extension(ctx: DispositionCtx, data: RequestExtensionIn) -> Outcome:
    d = ctx.disposition
    if not 1 <= data.workdays <= MAX_EXTENSION_WORKDAYS:
        raise Invalid.of({"workdays": f"延长工作日应为1至{MAX_EXTENSION_WORKDAYS}的整数"})
    _within_limit(ctx.petition, d, data.workdays, Invalid)
    earlier = d.extension_requests.filter(approved=True).count()
    request = ExtensionRequest.objects.create(disposition=d, workdays=data.workdays, reason=data.reason,
                                              requested_on=ctx.on, requested_by=ctx.user, old_due_on=d.due_on)
    again = "（已延期过一次，须代办服务中心批准）" if earlier else ""
    return Outcome(f"申请延期{data.workdays}个工作日{again}：{data.reason}",
                   {"request_id": request.pk, "workdays": data.workdays})


def lapse_pending(d: Disposition, on: datetime.date) -> str:
    """Close the 处置单's waiting extension request (if any) as lapsed on `on`, the day it was
    answered or returned; the clause the event's note adds ("" when nothing waited)."""
    lapsed = d.extension_requests.filter(approved__isnull=True, lapsed_on__isnull=True).update(lapsed_on=on)
    return "；待审批的延期申请随之失效" if lapsed else ""


def approval_refused(petition: Petition, d: Disposition, kinds: frozenset[str]) -> Conflict | None:
    """Why an actor with `kinds` may not approve the 处置单's waiting request (None: they may):
    after an approved extension only the center (or admin) approves another (409 `extension_limit`),
    and nobody past the petition's statutory limit (409 `beyond_statutory_limit`). `decide_extension`
    refuses with this and its form offers 批准 only when it is None: what is offered is what succeeds."""
    if not kinds & CENTER and d.extension_requests.filter(approved=True).exists():
        return Conflict("该处置单已延期一次，再次延期须由代办服务中心批准", code="extension_limit")
    request = _waiting(d)
    if request is not None:
        try:
            _within_limit(petition, d, request.workdays, Conflict)
        except Conflict as exc:
            return exc
    return None


def _waiting(d: Disposition) -> ExtensionRequest | None:
    return d.extension_requests.filter(approved__isnull=True, lapsed_on__isnull=True).order_by("-id").first()


def _approval_choices(petition: Petition, kinds: frozenset[str] = frozenset(),
                      disposition: Disposition | None = None) -> list[tuple[str, str]]:
    """批准 only when this actor's approval of this 处置单's request would go through (approval_refused);
    不批准 always (with a note)."""
    if disposition is not None and approval_refused(petition, disposition, kinds) is not None:
        return [("false", "不批准")]
    return [("true", "批准"), ("false", "不批准")]


class DecideExtensionIn(ActionInput):
    approved: Annotated[bool, ui("radio", choices=_approval_choices)] = Field(title="审批结果")
    note: Annotated[OptionalText, ui("textarea", label="审批意见（不批准时必填）")] = Field("", title="审批意见")


DECIDERS = frozenset({"station_leader", "center", "admin"})


def decider_kinds(d: Disposition) -> frozenset[str]:
    """The actor kinds who can decide (and so approve) the 处置单's waiting request: the station's
    leaders or the center; after an approved extension only the center (or admin) may approve
    another (extension_limit), so a further request is theirs alone. Its notice goes to these only
    (notifications.workflow_consumers.extension_requested)."""
    return CENTER if d.extension_requests.filter(approved=True).exists() else DECIDERS


@disposition_action(
    "decide_extension", "审批延期申请", sources=OPEN, actors=DECIDERS,
    guards=("petition_running", "extension_pending"),
    help="批准的，处置单办理时限顺延所申请的工作日，并告知信访人；每张处置单限延期一次，再次延期须代办服务中心批准",
)
def decide_extension(ctx: DispositionCtx, data: DecideExtensionIn) -> Outcome:
    d, p = ctx.disposition, ctx.petition
    request = _waiting(d)
    if request is None:
        raise Conflict("没有等待审批的延期申请", code="not_allowed")
    if not data.approved and not data.note:
        raise Invalid.of({"note": "不批准的，请填写审批意见"})
    # The center's further approvals too stay within the regulation's limit.
    if data.approved and (refused := approval_refused(p, d, ctx.kinds)) is not None:
        raise refused
    request.approved, request.decided_on, request.decided_by, request.note = data.approved, ctx.on, ctx.user, data.note
    department = d.department.name
    base = {"request_id": request.pk, "approved": data.approved, "workdays": request.workdays,
            "reason": request.reason, "department": department}
    if not data.approved:
        request.save()
        return Outcome(f"不批准延期申请：{data.note}", base)
    _extend(d, request.workdays)
    request.new_due_on = d.due_on
    moved = deadlines.follow_disposition(p, d)
    # Moving the matter's own date, it is told by SMS (extension_decided): a date the petitioner holds.
    request.told = moved
    request.save()
    note = f"批准延期{request.workdays}个工作日，办理时限延至 {d.due_on:%Y-%m-%d}" + (f"：{data.note}" if data.note else "")
    if moved:
        note += f"；信访事项办结时限随之延至 {p.due_on:%Y-%m-%d}"
    # due_on and provisional: what the 延期办理告知书 of this day states, whatever the calendar does later.
    return Outcome(note, {**base, "due_on": d.due_on.isoformat() if d.due_on else None, "petition_due_moved": moved,
                          "provisional": bool(d.due_provisional)})


def _extended(d: Disposition, workdays: int) -> Deadline:
    """The 处置单's due date `workdays` working days later: a working-day deadline keeps its start
    and counts more days (so the calendar's changes still recompute it); a fixed date moves on."""
    if d.due_from is not None and d.due_workdays is not None:
        return add_workdays(d.due_from, d.due_workdays + workdays)
    assert d.due_on is not None  # the guard refuses a 处置单 without a due date
    return add_workdays(d.due_on, workdays)


def _within_limit(p: Petition, d: Disposition, workdays: int, error: type[Invalid] | type[Conflict]) -> None:
    """Refuse (`error`, code `beyond_statutory_limit`, naming `workdays`) an extension that would
    move the 处置单's due date past the petition's statutory limit (deadlines.statutory_limit).
    A 处置单 whose working days began after that limit had passed (deadlines.disposition_deadline)
    is not held to it: the matter is late against the regulation whatever the department does, and
    the department may still ask for time (its extension does not move the matter's date past the
    limit: deadlines.follow_disposition)."""
    limit = deadlines.statutory_limit(p)
    if limit is None or d.due_on is None or limit < (d.due_from or d.routed_on):
        return
    new_due = _extended(d, workdays).date
    if new_due > limit:
        message = (f"延长工作日：延期后的办理时限（{new_due:%Y-%m-%d}）"
                   + deadlines.beyond_limit_message("", limit))
        raise error(message, code="beyond_statutory_limit", fields={"workdays": message},
                    extra={"limit": limit.isoformat(), "due_on": new_due.isoformat()})


def _extend(d: Disposition, workdays: int) -> None:
    """Move the 处置单's due date by `workdays` working days (see _extended)."""
    deadline = _extended(d, workdays)
    if d.due_from is not None and d.due_workdays is not None:
        d.due_workdays += workdays
    d.due_on, d.due_provisional = deadline.date, deadline.provisional
