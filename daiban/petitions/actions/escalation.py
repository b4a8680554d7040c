"""The center's answer to an escalation, and the change of a petition's agent.

An escalated matter (action `escalate`, handling.py) waits in the center's queue: the center (the
joint office's staff hold the center's role) signs for it (`take_escalation`), then either sends it
back to the station with instructions and, optionally, a new due date (`return_escalation`), or
routes and concludes it itself (`route`, `conclude`). The station's leaders or the center may
change the agent (`reassign`); the previous agent keeps read access (permissions.visible_petitions).
Sources: issue 12 (1, 4); API.md "Workflow actions, continued (version 1.1)".
"""

from __future__ import annotations

from typing import Annotated

from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Invalid
from daiban.lib.validation import Id, PlausibleDate
from daiban.org.models import Agent
from daiban.petitions import deadlines
from daiban.petitions.actions.base import (
    ActionInput,
    Ctx,
    Field,
    OptionalText,
    Outcome,
    Text,
    petition_action,
    ui,
)
from daiban.petitions.actions.screening import designable
from daiban.petitions.choices import EscalationTarget, Status
from daiban.petitions.models import Disposition, Escalation, Petition, Reassignment
from daiban.petitions.permissions import forget_handed_over, stations_below

S = Status
CENTER = frozenset({"center", "admin"})


def current_escalation(petition: Petition) -> Escalation:
    """The petition's latest escalation (a Conflict if, impossibly, none was recorded)."""
    found = petition.escalations.order_by("-id").first()
    if found is None:
        raise Conflict("没有找到上报记录", code="not_allowed")
    return found


def center_takes_over(ctx: Ctx) -> None:
    """The center routing or concluding an escalated matter itself signs for it, if nobody has."""
    if ctx.petition.status != S.ESCALATED or not ctx.kinds & CENTER:
        return
    escalation = ctx.petition.escalations.order_by("-id").first()
    if escalation is not None and escalation.taken_on is None:
        escalation.taken_by, escalation.taken_on = ctx.user, ctx.on
        escalation.save(update_fields=["taken_by", "taken_on"])


def _target(escalation: Escalation) -> str:
    return EscalationTarget(escalation.to).label if escalation.to in EscalationTarget.values else escalation.to


class TakeEscalationIn(ActionInput):
    note: Annotated[OptionalText, ui("textarea", label="签收意见（可不填）")] = Field("", title="签收意见")


@petition_action(
    "take_escalation", "签收上报事项", sources={S.ESCALATED}, actors=CENTER, guards=("escalation_untaken",),
    help="代办服务中心（联席办）签收本站上报的事项，此后可退回本站并提出办理意见，或自行流转、办结",
)
def take_escalation(ctx: Ctx, data: TakeEscalationIn) -> Outcome:
    escalation = current_escalation(ctx.petition)  # not yet taken: guard escalation_untaken
    escalation.taken_by, escalation.taken_on, escalation.take_note = ctx.user, ctx.on, data.note
    escalation.save(update_fields=["taken_by", "taken_on", "take_note"])
    note = f"签收上报至{_target(escalation)}的事项" + (f"：{data.note}" if data.note else "")
    return Outcome(note, {"escalation_id": escalation.pk, "to": escalation.to})


class ReturnEscalationIn(ActionInput):
    instructions: Annotated[Text, ui("textarea")] = Field(title="办理意见")
    due_on: Annotated[PlausibleDate | None, ui("date", label="新的办结时限（可不填，不填则不变）",
                                               help="不早于今天，也不早于未办结处置单的办理时限")] = Field(
        None, title="新的办结时限")


@petition_action(
    "return_escalation", "退回本站办理", sources={S.ESCALATED}, targets=(S.IN_PROGRESS,), actors=CENTER,
    help="提出办理意见，退回代办机构继续办理，可重新确定办结时限",
)
def return_escalation(ctx: Ctx, data: ReturnEscalationIn) -> Outcome:
    p = ctx.petition
    escalation = current_escalation(p)
    if data.due_on is not None and data.due_on < max(ctx.on, today()):
        raise Invalid.of({"due_on": "新的办结时限不能早于今天"})
    deadlines.check_within_limit(p, data.due_on, "due_on", "新的办结时限")
    deadlines.check_not_before_open_dispositions(p, data.due_on, "due_on", "新的办结时限")
    if escalation.taken_on is None:  # sending it back is signing for it
        escalation.taken_by, escalation.taken_on = ctx.user, ctx.on
    escalation.returned_on, escalation.instructions, escalation.due_on = ctx.on, data.instructions, data.due_on
    escalation.save(update_fields=["taken_by", "taken_on", "returned_on", "instructions", "due_on"])
    due = ""
    if data.due_on is not None:
        deadlines.set_fixed_deadline(p, ctx.on, data.due_on)
        due = f"，办结时限重定为 {data.due_on:%Y-%m-%d}"
    return Outcome(f"退回{p.station.name}办理：{data.instructions}{due}",
                   {"escalation_id": escalation.pk, "due_on": data.due_on.isoformat() if data.due_on else None},
                   S.IN_PROGRESS)


def reassign_choices(petition: Petition, kinds: frozenset[str], disposition: Disposition | None = None) -> list[tuple[int, str]]:
    """The agents `reassign` accepts from this actor: in post, not the petition's agent (新的代办员与
    现在的相同), and for a station's leaders only the station's own (screening.designable)."""
    own = stations_below(petition.station_id)
    agents = Agent.objects.in_post().exclude(pk=petition.agent_id or 0).select_related("station")
    # The station's own first, as agent_choices lists them: on a phone the first ones are picked.
    return [(a.pk, f"{a.name}（{a.get_kind_display()}，{a.station.name}）")
            for a in sorted(agents, key=lambda a: (a.station_id not in own, a.pk)) if designable(petition, kinds, a)]


class ReassignIn(ActionInput):
    agent_id: Annotated[Id, ui("select", label="新的代办员", choices=reassign_choices, empty="请选择")] = Field(
        title="代办员")
    reason: Annotated[Text, ui("textarea")] = Field(title="更换理由")


@petition_action(
    "reassign", "更换代办员",
    sources={S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED, S.CONCLUDED, S.FEEDBACK_GIVEN, S.UNDER_REVIEW, S.TERMINATED,
             S.FOLLOWED_UP},
    actors={"station_leader", "center", "admin"},
    help="代办员调离、回避或无法继续代办时，由带班、分管、主要领导或代办服务中心更换；原代办员仍可查看",
)
def reassign(ctx: Ctx, data: ReassignIn) -> Outcome:
    p = ctx.petition
    agent = Agent.objects.in_post().filter(pk=data.agent_id).select_related("station").first()
    if agent is None:
        raise Invalid.of({"agent_id": "代办员不存在或已不在岗"})
    if agent.pk == p.agent_id:
        raise Invalid.of({"agent_id": "新的代办员与现在的代办员相同"})
    # The station's leaders choose among the station's own agents; the center may choose anyone.
    if not designable(p, ctx.kinds, agent):
        raise Invalid.of({"agent_id": "新的代办员不属于本代办机构"})
    previous = p.agent
    Reassignment.objects.create(petition=p, from_agent=previous, to_agent=agent, on=ctx.on, by=ctx.user,
                                reason=data.reason)
    # A leader who was the agent reads their handed-over petitions again in this request.
    forget_handed_over(ctx.user)
    p.agent = agent
    was = f"{previous.name} " if previous else ""
    return Outcome(f"代办员由 {was}更换为 {agent.name}：{data.reason}",
                   {"from_agent_id": previous.pk if previous else None, "agent_id": agent.pk})
