"""甄别受理: the four outcomes of the flowchart plus 不予代办."""

from __future__ import annotations

from typing import Annotated

from daiban.lib.errors import Conflict, Invalid
from daiban.lib.validation import Id
from daiban.org.models import Agent
from daiban.petitions import deadlines, eligibility
from daiban.petitions.actions.base import ActionInput, Ctx, Field, OptionalText, Outcome, petition_action, ui
from daiban.petitions.choices import AgentChosenBy, Exclusion, InformMethod, ScreenOutcome, Status
from daiban.petitions.models import Category, Disposition, Petition
from daiban.petitions.permissions import stations_below
from daiban.petitions.workflow import SCREEN_OUTCOMES


def designates_anywhere(kinds: frozenset[str]) -> bool:
    """The center (and admin) may designate or reassign any agent in post; a station's agents and
    leaders only their station's own and its village points' (实施方案: the station's agents)."""
    return bool(kinds & {"center", "admin"})


def designable(petition: Petition, kinds: frozenset[str], agent: Agent) -> bool:
    """Whether an actor with `kinds` may designate `agent` on `petition` (screen, reassign)."""
    return designates_anywhere(kinds) or agent.station_id in stations_below(petition.station_id)


def agent_choices(petition: Petition, kinds: frozenset[str], disposition: Disposition | None = None) -> list[tuple[int, str]]:
    """The agents in post this actor may pick, the petition's station's own (and its village
    points') first: those a station designates. An agent of another station only the petitioner
    may choose (自主选择; a designated one is refused, see _accept): labelled so for an actor who
    may not designate them; on a phone the list is long and the first ones are the ones picked."""
    own = stations_below(petition.station_id)
    agents = sorted(Agent.objects.in_post().select_related("station"),
                    key=lambda a: (a.station_id not in own, a.pk))
    return [(a.pk, f"{a.name}（{a.get_kind_display()}，{a.station.name}）"
             + ("" if designable(petition, kinds, a) else "，仅限信访人自主选择")) for a in agents]


def category_choices(petition: Petition, kinds: frozenset[str] = frozenset(), disposition: Disposition | None = None) -> list[tuple[str, str]]:
    return [(name, name) for name in Category.objects.filter(active=True).values_list("name", flat=True)]


def category_name(raw: str | None, field: str = "category") -> str:
    """A name from the managed list (内容分类), or blank."""
    name = (raw or "").strip()
    if name and not Category.objects.filter(name=name, active=True).exists():
        choices = "、".join(Category.objects.filter(active=True).values_list("name", flat=True))
        raise Invalid.of({field: f"内容分类应为：{choices}"})
    return name


def outcome_choices(petition: Petition, kinds: frozenset[str] = frozenset(),
                    disposition: Disposition | None = None) -> list[tuple[str, str]]:
    """The outcomes `screen` accepts: 受理代办 only for a petition that may be taken into agency
    (eligibility.exclusions: refused 409 `not_eligible` otherwise, API.md); the others always."""
    ineligible = bool(petition.pk and eligibility.exclusions(petition))
    return [(o.value, o.label) for o in ScreenOutcome if not (ineligible and o == ScreenOutcome.AGENCY)]


# The fields of one outcome only (the page hides the others): see Widget.when.
_AGENCY = ("outcome", (ScreenOutcome.AGENCY.value,))
_NOT_AGENCY = ("outcome", tuple(o.value for o in ScreenOutcome if o != ScreenOutcome.AGENCY))


class ScreenIn(ActionInput):
    outcome: Annotated[ScreenOutcome, ui("radio", choices=outcome_choices)] = Field(title="甄别结果")
    reply: Annotated[OptionalText, ui("textarea", label="答复内容 / 解释说明", help="直接答复时必填", when=_NOT_AGENCY)] = Field(
        "", title="答复内容")
    agent_id: Annotated[Id | None, ui("select", choices=agent_choices, empty="请选择", help="受理代办时必填",
                                      when=_AGENCY)] = Field(None, title="代办员")
    agent_chosen_by: Annotated[AgentChosenBy | None, ui("radio", when=_AGENCY)] = Field(None, title="代办员产生方式")
    notification: Annotated[InformMethod | None, ui("radio")] = Field(None, title="告知方式")
    reason: Annotated[Exclusion | None, ui("select", empty="请选择", when=("outcome", (ScreenOutcome.DECLINED.value,)))] = Field(
        None, title="不予代办原因")
    category: Annotated[str | None, ui("select", choices=category_choices, empty="（不改变）",
                                       initial=lambda p: p.category)] = Field(None, title="内容分类")


@petition_action(
    "screen", "甄别受理", sources={Status.RECEIVED},
    targets=(Status.ANSWERED, Status.REDIRECTED_LEGAL, Status.GUIDED, Status.ACCEPTED, Status.DECLINED),
    actors={"station_agent", "station_leader", "center", "admin"},
    help="直接答复、告知法定途径、引导办理、受理代办或不予代办",
)
def screen(ctx: Ctx, data: ScreenIn) -> Outcome:
    p, outcome = ctx.petition, data.outcome
    p.screened_on = ctx.on
    if data.category:
        p.category = category_name(data.category)
    p.notification = data.notification or ""
    if outcome == ScreenOutcome.DIRECT_REPLY:
        if not data.reply:
            raise Invalid.of({"reply": "请填写答复内容"})
        p.reply = data.reply
    elif outcome in (ScreenOutcome.LEGAL_CHANNEL, ScreenOutcome.GUIDED):
        p.reply = data.reply
    elif outcome == ScreenOutcome.DECLINED:
        if data.reason is None:
            raise Invalid.of({"reason": "请选择不予代办原因"})
        p.decline_reason, p.reply = data.reason, data.reply
    else:
        agent = _accept(ctx, data)
        # The regulation's 60 days as the 受理告知书 of this day states them (a later calendar change
        # does not rewrite the letter already given).
        limit = deadlines.statutory(ctx.on, deadlines.NATIONAL_HANDLING_DAYS)
        return Outcome(f"受理代办，代办员 {agent.name}",
                       {"agent_id": agent.pk, "outcome": outcome, "national_due_on": limit.isoformat(),
                        "provisional": deadlines.provisional(limit)}, Status.ACCEPTED)
    note = p.reply or (Exclusion(p.decline_reason).label if outcome == ScreenOutcome.DECLINED else "")
    return Outcome(note, {"outcome": outcome, "reason": p.decline_reason}, SCREEN_OUTCOMES[outcome])


def _accept(ctx: Ctx, data: ScreenIn) -> Agent:
    p = ctx.petition
    reasons = eligibility.as_seen_by(ctx.user, eligibility.exclusions(p))
    if reasons:
        raise Conflict(
            "该事项不予代办：" + "；".join(r.message for r in reasons), code="not_eligible",
            extra={"reasons": [{"code": r.code, "petition": r.petition.pk if r.petition else None} for r in reasons]},
        )
    if data.agent_id is None:
        raise Invalid.of({"agent_id": "请指定代办员"})
    agent = Agent.objects.in_post().filter(pk=data.agent_id).first()
    if agent is None:
        raise Invalid.of({"agent_id": "代办员不存在或已不在岗"})
    chosen_by = data.agent_chosen_by or AgentChosenBy.DESIGNATED
    # A designated agent is one of the station's own (the center may designate anyone); an agent
    # the petitioner chose (自主选择) may work anywhere.
    if chosen_by == AgentChosenBy.DESIGNATED and not designable(p, ctx.kinds, agent):
        raise Invalid.of({"agent_id": "指定的代办员不属于本代办机构；信访人自主选择的，请选择“信访人自主选择”"})
    p.agent = agent
    p.agent_chosen_by = chosen_by
    p.accepted_on = ctx.on
    p.national_due_on = deadlines.statutory(ctx.on, deadlines.NATIONAL_HANDLING_DAYS)
    return agent
