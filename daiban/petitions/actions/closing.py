"""终结、回访、归档: the end of a matter, the follow-up visit within 15 days, and the case file."""

from __future__ import annotations

from typing import Annotated

from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Invalid
from daiban.lib.validation import PlausibleDate
from daiban.petitions.actions.base import ActionInput, Ctx, Field, OptionalText, Outcome, petition_action, ui
from daiban.petitions.actions.review import terminate_on
from daiban.petitions.choices import Status
from daiban.petitions.guards import review_window_open
from daiban.petitions.workflow import CASE, SCREENED_OUT

S = Status


class TerminateIn(ActionInput):
    note: Annotated[OptionalText, ui("textarea")] = Field("", title="终结说明")
    three_in_place: Annotated[bool, ui("checkbox", label="已落实“三到位一处理”")] = Field(
        False, title="是否已落实三到位一处理")
    waived: Annotated[bool, ui("checkbox", label="信访人书面放弃申请复查/复核（在终结说明中记明）")] = Field(
        False, title="信访人书面放弃复查复核")


@petition_action(
    "terminate", "终结", sources={S.FEEDBACK_GIVEN}, targets=(S.TERMINATED,), actors=CASE | {"station_leader"},
    help="事项终结，15日内回访；信访人不满意、仍可申请复查复核的，须有其书面放弃声明",
)
def terminate(ctx: Ctx, data: TerminateIn) -> Outcome:
    p = ctx.petition
    # Asked of the day the termination is dated, not of today: paper work entered afterwards and
    # dated back into the window is still inside it (a later entry does not close it).
    window_open = review_window_open(p, ctx.on)
    if window_open:
        if not data.waived:
            raise Conflict(
                f"信访人对办理结果不满意，可在 {p.review_request_due_on:%Y-%m-%d} 前申请复查或复核，期间不能终结"
                if p.review_request_due_on else "信访人对办理结果不满意，仍可申请复查或复核，期间不能终结",
                code="review_window_open",
                extra={"review_request_due_on": p.review_request_due_on.isoformat() if p.review_request_due_on else None},
            )
        if not data.note:
            raise Invalid.of({"note": "信访人书面放弃申请复查、复核的，请在终结说明中记明"})
    p.three_in_place = data.three_in_place
    follow_up_due = terminate_on(p, ctx.on)
    waived = bool(data.waived and window_open)
    note = data.note or "信访事项终结"
    if waived:
        note = f"信访人书面放弃申请复查、复核：{note}"
    p.review_request_due_on = None  # no window after the end of the matter
    return Outcome(note, {"follow_up_due_on": follow_up_due.isoformat(), "waived": waived}, S.TERMINATED)


class FollowUpIn(ActionInput):
    HAPPENED = ("visited_on",)
    visited_on: Annotated[PlausibleDate | None, ui("date")] = Field(None, title="回访日期")
    note: Annotated[OptionalText, ui("textarea")] = Field("", title="回访情况")
    rebound: Annotated[bool, ui("checkbox", label="存在反弹回流风险")] = Field(False, title="是否反弹回流")


@petition_action(
    "follow_up", "终结回访", sources={S.TERMINATED}, targets=(S.FOLLOWED_UP,), actors=CASE,
    help="核实情况，收集意见建议，防止反弹回流",
)
def follow_up(ctx: Ctx, data: FollowUpIn) -> Outcome:
    p = ctx.petition
    visited = data.visited_on or ctx.on
    if visited > today() or (p.terminated_on and visited < p.terminated_on):
        raise Invalid.of({"visited_on": "回访日期应在终结之后、不晚于今天"})
    p.followed_up_on, p.follow_up_note, p.rebound = visited, data.note, data.rebound
    within = p.follow_up_due_on is None or visited <= p.follow_up_due_on
    note = (p.follow_up_note or "终结回访") + ("；存在反弹回流风险" if p.rebound else "")
    return Outcome(note, {"visited_on": visited.isoformat(), "rebound": p.rebound, "within_limit": within},
                   S.FOLLOWED_UP)


class ArchiveIn(ActionInput):
    """No fields: the case file is built afterwards, by the worker (documents.consumers)."""


@petition_action(
    "archive", "整理归档", sources={S.FOLLOWED_UP} | SCREENED_OUT, targets=(S.ARCHIVED,),
    actors=CASE | {"station_leader"}, guards=("double_checks_closed",), help="一案一档",
)
def archive(ctx: Ctx, data: ArchiveIn) -> Outcome:
    ctx.petition.archived_on = ctx.on
    return Outcome("一案一档，整理归档", {}, S.ARCHIVED)
