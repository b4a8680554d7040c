"""The 信访代办 workflow as data: statuses, actions, who may fire each, and the guards.

The API's `GET …/actions`, the services, the staff pages, the flowchart and the tests all read
this module; nothing else decides what may happen to a petition.

Actor kinds (resolved per user and petition in permissions.py):
  station_agent  an agent of the petition's station (or its parent center) — reception rotates
  case_agent     the assigned agent; while none is assigned, any agent of the station
  station_leader the station's 带班 / 分管 / 主要 leaders
  leader_in_charge, principal   those leaders specifically (the 处置单's two opinion rows)
  department     a handler of the disposition's department
  center         the banner center (the higher agency)
  admin          the system administrator
  petitioner     the petitioner through the public portal (with the number and query code)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daiban.petitions.models import Status

S = Status

# Statuses in which the matter is open at the station ("正在办理" for the exclusion check too).
OPEN = frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED, S.CONCLUDED, S.FEEDBACK_GIVEN, S.UNDER_REVIEW})
# Statuses in which the bureau's deadline runs and a petition can be overdue.
RUNNING = frozenset({S.IN_PROGRESS, S.ESCALATED})
# Screening outcomes that end the matter at the door.
SCREENED_OUT = frozenset({S.ANSWERED, S.REDIRECTED_LEGAL, S.GUIDED, S.DECLINED})
# Concluded or any later stage (closure rate's numerator).
CONCLUDED_OR_LATER = frozenset({S.CONCLUDED, S.FEEDBACK_GIVEN, S.UNDER_REVIEW, S.TERMINATED, S.FOLLOWED_UP, S.ARCHIVED})

# Screening outcome → status.
SCREEN_OUTCOMES = {
    "direct_reply": S.ANSWERED,
    "legal_channel": S.REDIRECTED_LEGAL,
    "guided": S.GUIDED,
    "agency": S.ACCEPTED,
    "declined": S.DECLINED,
}

# The four exclusions (不予代办), in DOMAIN.md's order.
EXCLUSIONS = {
    "three_in_place": "已落实“三到位一处理”要求仍非法、无理信访",
    "terminated_three_levels": "信访事项已三级终结",
    "in_progress": "同一事项正在办理",
    "judicial": "已进入司法程序的涉法涉诉问题",
}

CASE = frozenset({"case_agent", "center", "admin"})


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    targets: tuple[str, ...]  # possible resulting statuses; () = status unchanged
    actors: frozenset[str]
    guards: tuple[str, ...] = ()  # names of state guards in guards.py, checked before the body
    help: str = ""
    on_disposition: bool = False
    keeps_status: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keeps_status", not self.targets)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "screen", "甄别受理", frozenset({S.RECEIVED}),
            (S.ANSWERED, S.REDIRECTED_LEGAL, S.GUIDED, S.ACCEPTED, S.DECLINED),
            frozenset({"station_agent", "station_leader", "center", "admin"}),
            help="直接答复、告知法定途径、引导办理、受理代办或不予代办",
        ),
        Action(
            "route", "流转事权单位", frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED}), (S.IN_PROGRESS,),
            CASE, help="向职能部门、苏木镇流转，每个单位一张处置单",
        ),
        Action(
            "determine_solution", "确定解决方案", frozenset({S.IN_PROGRESS}), (),
            CASE | {"station_leader"}, guards=("track_needs_solution",),
            help="多部门协同：方案确定后30个工作日；重大事项：会商后60个工作日",
        ),
        Action(
            "escalate", "上报", frozenset({S.ACCEPTED, S.IN_PROGRESS}), (S.ESCALATED,),
            CASE | {"station_leader"}, help="无法解决的上报旗信访代办服务中心，“三跨三分离”上报旗信访联席办",
        ),
        Action(
            "urge", "催办", frozenset({S.IN_PROGRESS, S.ESCALATED}), (),
            CASE | {"station_leader"}, guards=("has_open_disposition",), help="督促事权单位在时限内办理",
        ),
        Action(
            "contact", "联系信访人", frozenset(OPEN - {S.RECEIVED}), (),
            CASE, help="定期反馈办理进展，对可能延期的做好解释",
        ),
        Action(
            "extend", "延长办理期限", frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED}), (),
            frozenset({"station_leader", "center", "admin"}), guards=("not_extended",),
            help="情况复杂的，经本单位负责人批准可延长不超过30日，并告知信访人",
        ),
        Action(
            "conclude", "办结", frozenset({S.IN_PROGRESS, S.ESCALATED}), (S.CONCLUDED,),
            CASE, guards=("all_dispositions_answered",), help="各事权单位均有处理结果",
        ),
        Action(
            "feedback", "反馈结果", frozenset({S.CONCLUDED}), (S.FEEDBACK_GIVEN,),
            CASE, help="上门走访、电话或信函反馈，记录信访人意见",
        ),
        Action(
            "request_review", "申请复查/复核", frozenset({S.FEEDBACK_GIVEN}), (S.UNDER_REVIEW,),
            CASE | {"petitioner"}, guards=("dissatisfied", "review_level_open"), help="信访人不满意的，引导向上级代办机构申请",
        ),
        Action(
            "decide_review", "复查/复核决定", frozenset({S.UNDER_REVIEW}),
            (S.IN_PROGRESS, S.FEEDBACK_GIVEN, S.TERMINATED), frozenset({"center", "admin"}),
            help="有理的限期化解并一案双查；复核仍不支持的三级终结",
        ),
        Action(
            "terminate", "终结", frozenset({S.FEEDBACK_GIVEN}), (S.TERMINATED,),
            CASE | {"station_leader"}, help="事项终结，15日内回访",
        ),
        Action(
            "follow_up", "终结回访", frozenset({S.TERMINATED}), (S.FOLLOWED_UP,),
            CASE, help="核实情况，收集意见建议，防止反弹回流",
        ),
        Action(
            "archive", "整理归档", frozenset({S.FOLLOWED_UP} | SCREENED_OUT), (S.ARCHIVED,),
            CASE | {"station_leader"}, help="一案一档",
        ),
    ]
}

DISPOSITION_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "receive", "签收", frozenset({"routed"}), ("received",), frozenset({"department", "admin"}),
            on_disposition=True,
        ),
        Action(
            "opinion", "签署意见", frozenset({"routed", "received", "answered"}), (),
            frozenset({"leader_in_charge", "principal", "center", "admin"}), on_disposition=True,
            help="分管领导处理意见 / 领导批示",
        ),
        Action(
            "result", "填写处理结果", frozenset({"routed", "received"}), ("answered",),
            frozenset({"department", "case_agent", "admin"}), guards=("petition_running",), on_disposition=True,
        ),
    ]
}


def transitions() -> list[tuple[str, str, str]]:
    """(from, action, to) for every edge: the flowchart and the tests read this."""
    edges = []
    for act in ACTIONS.values():
        for source in sorted(act.sources):
            for target in act.targets or (source,):
                edges.append((source, act.name, target))
    return edges
