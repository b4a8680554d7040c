"""The 处置单's own actions: the department signs for it and answers; the leaders sign their rows."""

from __future__ import annotations

from typing import Annotated

from daiban.lib.errors import Conflict
from daiban.petitions.abilities import require
from daiban.petitions.actions.base import (
    ActionInput,
    DispositionCtx,
    Field,
    Outcome,
    Text,
    disposition_action,
    ui,
)
from daiban.petitions.actions.extension import lapse_pending
from daiban.petitions.choices import DispositionState, OpinionRole
from daiban.petitions.models import Disposition, OpinionSupplement

D = DispositionState


class ReceiveIn(ActionInput):
    """No fields: signing for it is the whole act."""


@disposition_action("receive", "签收", sources={D.ROUTED}, targets=(D.RECEIVED,), actors={"department", "admin"})
def receive(ctx: DispositionCtx, data: ReceiveIn) -> Outcome:
    d = ctx.disposition
    d.status, d.received_on = D.RECEIVED, ctx.on
    return Outcome("签收处置单")


class OpinionIn(ActionInput):
    role: Annotated[OpinionRole, ui("hidden")] = Field(title="意见类别")
    text: Annotated[Text, ui("textarea", label="意见")] = Field(title="意见内容")
    supplement: Annotated[bool, ui("checkbox", label="补充意见（已签署的意见不能修改，只能补充）")] = Field(
        False, title="补充意见")


def signed_opinion(d: Disposition, role: str) -> str:
    """The opinion already signed on that row of the 处置单 ("" if none)."""
    return d.leader_opinion if role == OpinionRole.LEADER_IN_CHARGE else d.principal_instruction


@disposition_action(
    "opinion", "签署意见", sources={D.ROUTED, D.RECEIVED, D.ANSWERED},
    actors={"leader_in_charge", "principal", "center", "admin"}, help="分管领导处理意见 / 领导批示",
)
def opinion(ctx: DispositionCtx, data: OpinionIn) -> Outcome:
    """A signed opinion is final: a second one on the same row answers 409 `already_signed`; with
    `supplement` it is kept as a 补充意见 (signer, date, text), printed under the first."""
    d, text = ctx.disposition, data.text
    require(ctx.user, f"opinion_{data.role}", ctx.petition, d)
    row = OpinionRole(data.role).label
    if signed_opinion(d, data.role):
        if not data.supplement:
            raise Conflict(f"{row}已签署，不能修改；如需补充，请以“补充意见”签署", code="already_signed")
        added = OpinionSupplement.objects.create(disposition=d, role=data.role, text=text, by=ctx.user, on=ctx.on)
        return Outcome(f"{row}（补充意见）：{text}", {"role": data.role, "supplement_id": added.pk})
    # Nothing signed yet: a "supplement" is the first opinion itself.
    if data.role == OpinionRole.LEADER_IN_CHARGE:
        d.leader_opinion, d.leader_opinion_by, d.leader_opinion_on = text, ctx.user, ctx.on
        return Outcome(f"分管领导处理意见：{text}")
    d.principal_instruction, d.principal_by, d.principal_on = text, ctx.user, ctx.on
    return Outcome(f"领导批示：{text}")


class ResultIn(ActionInput):
    result: Annotated[Text, ui("textarea")] = Field(title="处理结果")


@disposition_action(
    "result", "填写处理结果", sources={D.ROUTED, D.RECEIVED}, targets=(D.ANSWERED,),
    actors={"department", "case_agent", "admin"}, guards=("petition_running",),
)
def result(ctx: DispositionCtx, data: ResultIn) -> Outcome:
    d = ctx.disposition
    d.result, d.status, d.result_on = data.result, D.ANSWERED, ctx.on
    if d.received_on is None:
        d.received_on = ctx.on
    return Outcome(f"处理结果：{d.result}" + lapse_pending(d, ctx.on))
