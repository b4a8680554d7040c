"""Request and response shapes of API v1 (../shared/API.md). Field names are the contract.

Inputs use bounded types: text is cleaned (CleanText, CleanLine; the API's parser has cleaned every
string already, these also state the limits in the OpenAPI document), ids are 32-bit primary keys,
dates lie in a plausible range (daiban.lib.validation), so no input reaches the database or the
calendar arithmetic where it would overflow. The workflow actions' bodies are their input classes
(petitions/actions/)."""

import datetime
from collections.abc import Collection, Mapping
from typing import Annotated, TypeAlias

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from daiban.lib.text import CleanLine, CleanText
from daiban.lib.validation import Id, PlausibleDate, Year, allowed_text  # noqa: F401  (the API modules' bounded types)
from daiban.org.models import Agent
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS
from daiban.petitions.choices import (
    AgentChosenBy,
    Channel,
    ConductKind,
    ContactMethod,
    Convener,
    DispositionState,
    EscalationTarget,
    Exclusion,
    InformMethod,
    ReviewLevel,
    Satisfaction,
    Source,
    Track,
)

Line = Annotated[CleanLine, Field(max_length=200)]
Text = Annotated[CleanText, Field(max_length=10000)]


def one_of(allowed: Collection[str] | Mapping[str, str], *, several: bool = False) -> AfterValidator:
    """A validator refusing a value outside `allowed` (comma-separated values with `several`): a
    filter that cannot match is a typing error to be told (400 naming the field), not an empty or
    an unfiltered list (error type "enum", its message listing the values with their Chinese labels:
    `allowed`'s own when a mapping, else the TextChoices holding them; lib.validation.choice_message)."""
    codes = list(allowed) if isinstance(allowed, Mapping) else sorted(allowed)

    def check(value: str | None) -> str | None:
        if not value:
            return value
        # As people write a list: spaces around the commas and a comma too many are nothing.
        values = [v.strip() for v in value.split(",") if v.strip()] if several else [value.strip()]
        if not all(v in codes for v in values):
            raise PydanticCustomError("enum", "not one of the allowed values: {allowed}", {  # named: ninja drops `input`
                "allowed": allowed_text(allowed if isinstance(allowed, Mapping) else codes), "received": value})
        return ",".join(values) or None

    return AfterValidator(check)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


# Every datetime the API returns is in Asia/Shanghai (…+08:00), like the events' `at`, whichever
# way the view built it: the database hands out UTC, the schema converts (API.md: times are local).
LocalDateTime = Annotated[datetime.datetime, AfterValidator(_local)]

# The value lists are the choices of petitions/choices.py: one definition, here as types.
ChannelT: TypeAlias = Channel
SourceT: TypeAlias = Source
TrackT: TypeAlias = Track
SatisfactionT: TypeAlias = Satisfaction
MethodT: TypeAlias = ContactMethod


# --- errors and auth --------------------------------------------------------------------------------

class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


class TokenIn(Schema):
    username: Annotated[CleanLine, Field(max_length=150)]
    password: Annotated[str, Field(max_length=200)]
    otp: Annotated[str, Field(max_length=64)] | None = None  # the authenticator's 6 digits or a backup code, for accounts that need a second factor


class TokenOut(Schema):
    token: str
    expires_at: LocalDateTime


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    station: int | None
    department: int | None
    agent_id: int | None


# --- reference data ---------------------------------------------------------------------------------

class StationOut(Schema):
    id: int
    name: str
    code: str
    level: str
    parent: int | None
    is_township: bool


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    phone: str


class AgentOut(Schema):
    id: int
    name: str
    kind: Agent.Kind
    station: int
    station_name: str
    title: str
    office_phone: str
    specialty: str
    username: str | None = None


class WorkdayOut(Schema):
    date: datetime.date
    provisional: bool


class CalendarDayOut(Schema):
    date: datetime.date
    is_workday: bool
    kind: str
    name: str
    source: str
    confirmed: bool


class CalendarDayIn(Schema):
    date: PlausibleDate
    is_workday: bool
    name: Annotated[CleanLine, Field(max_length=50)] = ""


def _distinct_days(days: list[CalendarDayIn]) -> list[CalendarDayIn]:
    """One entry per date: two entries for one day (a workday and a rest day) contradict each
    other, and which one won would depend on their order."""
    seen = [d.date for d in days]
    if len(seen) != len(set(seen)):
        twice = sorted({d for d in seen if seen.count(d) > 1})
        raise PydanticCustomError("duplicate_days", "duplicate dates", {"dates": "、".join(f"{d:%Y-%m-%d}" for d in twice)})
    return days


class CalendarChangeIn(Schema):
    days: Annotated[list[CalendarDayIn], Field(max_length=400), AfterValidator(_distinct_days)]
    confirm: bool | None = None
    reason: Annotated[CleanText, Field(max_length=500)] = ""


class CalendarChangeOut(Schema):
    changed: list[datetime.date]


# --- petitions --------------------------------------------------------------------------------------

class PetitionerIn(Schema):
    name: Annotated[CleanLine, Field(max_length=200)]
    id_number: Annotated[CleanLine, Field(max_length=64)]
    phone: Annotated[CleanLine, Field(max_length=64)]
    address: Annotated[CleanLine, Field(max_length=1000)] = ""


class IntakeIn(Schema):
    channel: ChannelT
    source: SourceT
    received_on: PlausibleDate | None = None
    external_id: Annotated[CleanLine, Field(max_length=100)] | None = None
    petitioner: PetitionerIn
    content: Annotated[CleanText, Field(max_length=20000)]
    category: Annotated[CleanLine, Field(max_length=50)] = ""
    in_judicial_proceedings: bool = False
    station_id: Id | None = None


class PetitionerOut(Schema):
    name: str
    id_number: str
    phone: str
    address: str


class Ref(Schema):
    id: int
    name: str


class UrgingOut(Schema):
    on: datetime.date
    note: str
    automatic: bool


class OpinionSupplementOut(Schema):
    role: str
    text: str
    by: str
    on: datetime.date


class ExtensionOut(Schema):
    workdays: int
    reason: str
    requested_on: datetime.date
    approved: bool | None = Field(description="null：等待审批")
    decided_on: datetime.date | None
    note: str
    new_due_on: datetime.date | None
    lapsed_on: datetime.date | None = Field(
        None, description="处置单在审批前已答复或退回，申请随之失效的日期（approved 仍为 null）")


class EscalationOut(Schema):
    to: EscalationTarget
    reason: str
    on: datetime.date
    taken_by: str | None = Field(description="签收人（代办服务中心、联席办）")
    taken_on: datetime.date | None
    returned_on: datetime.date | None = Field(description="退回本站办理的日期")
    instructions: str
    due_on: datetime.date | None = Field(description="退回时重定的办结时限")


class DispositionOut(Schema):
    id: int
    number: str
    department: Ref
    status: DispositionState
    routed_on: datetime.date
    received_on: datetime.date | None
    due_on: datetime.date | None
    overdue: bool
    proposed_handling: str
    leader_opinion: str
    principal_instruction: str
    supplements: list[OpinionSupplementOut] = Field(default_factory=list, description="补充意见（已签署的意见不修改）")
    result: str
    result_on: datetime.date | None
    urgings: list[UrgingOut]
    returned_on: datetime.date | None = Field(None, description="退回日期（状态returned：非本单位职权）")
    return_reason: str = ""
    extensions: list[ExtensionOut] = []


class ContactOut(Schema):
    method: MethodT
    on: datetime.date
    note: str


class ReviewOut(Schema):
    level: ReviewLevel
    requested_on: datetime.date
    reason: str = ""
    answer_due_on: datetime.date
    decided_on: datetime.date | None
    upheld: bool | None
    note: str


class FeedbackOut(Schema):
    method: MethodT | None
    satisfaction: SatisfactionT | None
    on: datetime.date


class OnlineRatingOut(Schema):
    satisfaction: SatisfactionT
    at: LocalDateTime


class RelatedOut(Schema):
    id: int
    number: str
    status: str
    reason: str
    score: float


class EventOut(Schema):
    at: LocalDateTime
    on: datetime.date
    backdated: bool = Field(False, description="补录：发生日期（on）早于记录日期（at）")
    actor: str
    action: str
    action_label: str = Field("", description="动作的中文名称（与办理过程、案件摘要所列相同）")
    from_status: str | None
    to_status: str | None
    note: str


class NationalOut(Schema):
    forward_due_on: datetime.date | None
    due_on: datetime.date | None
    extension_days: int
    extension_reason: str
    review_request_due_on: datetime.date | None
    review_answer_due_on: datetime.date | None = None


class ArchiveOut(Schema):
    status: str = Field(description="building | ready | failed")
    sha256: str | None


class PetitionListItem(Schema):
    id: int
    number: str
    channel: ChannelT
    source: SourceT
    received_on: datetime.date
    petitioner: PetitionerOut
    content: str
    category: str
    status: str
    station: Ref
    agent: Ref | None
    track: TrackT | None
    due_on: datetime.date | None
    overdue: bool
    satisfaction: SatisfactionT | None


class PetitionRef(Schema):
    id: int
    number: str


class DoubleCheckOut(Schema):
    """一案双查 (API.md 1.1): open until the center closes it."""

    id: int
    opened_on: datetime.date
    assignee: Ref | None
    status: str = Field(description="open | closed")
    matter_findings: str
    handling_findings: str
    accountability: str
    closed_on: datetime.date | None
    petition: PetitionRef


class ConductOut(Schema):
    id: int
    kind: ConductKind
    on: datetime.date
    note: str
    referral_id: int | None = Field(description="已移送司法机关时为移送记录编号")


class JudicialReferralOut(Schema):
    id: int
    organ: str
    on: datetime.date
    note: str


class PetitionOut(PetitionListItem):
    query_code: str | None = Field(description="只对承办代办员、本机构领导、代办服务中心和管理员返回，其他人为null")
    personal_data_masked: bool
    identity_masked: bool = Field(description="姓名、地址也已脱敏（事权单位设置为不可见信访人身份，或是本事项的被反映单位）")
    external_id: str | None
    in_judicial_proceedings: bool
    agent_chosen_by: AgentChosenBy | None
    notification: InformMethod | None
    reply: str
    decline_reason: str | None
    accepted_on: datetime.date | None
    proposed_handling: str
    complained_department: Ref | None = Field(
        None, description="被反映单位：该单位经办人看不到信访人的姓名、住址、身份证号和电话（流转时由代办员指明）")
    solution_determined_on: datetime.date | None
    convened_by: Convener | None
    due_provisional: bool
    provisional_deadlines: list[str] = Field(
        default_factory=list,
        description="落在节假日安排尚未确认年度的时限字段名（due_on、national_forward_due_on、national_due_on、"
                    "review_request_due_on、review_answer_due_on、follow_up_due_on），确认该年度日历后随之消失")
    escalated_to: EscalationTarget | None
    escalation: EscalationOut | None = Field(None, description="最近一次上报：上报至…，由…签收，退回时的办理意见")
    national: NationalOut
    concluded_on: datetime.date | None
    result: str
    feedback_on: datetime.date | None
    feedback_method: MethodT | None
    feedback: FeedbackOut | None = Field(None, description="代办员记录的反馈：方式、信访人当时的意见、日期")
    online_rating: OnlineRatingOut | None = Field(None, description="信访人本人在网上的评价（与反馈记录分开保存）")
    review_request_due_on: datetime.date | None = Field(None, description="申请复查/复核截止日期（30日）")
    review_answer_due_on: datetime.date | None = Field(None, description="已申请的复查/复核应作出决定的日期（30日）")
    review_level: ReviewLevel | None = Field(None, description="最近一次申请的级别：状态为under_review时表示复查中或复核中")
    status_label: str = Field("", description="状态的中文名称（复查中/复核中分开）")
    terminated_on: datetime.date | None
    three_level_terminated: bool
    three_in_place: bool
    follow_up_due_on: datetime.date | None
    followed_up_on: datetime.date | None
    follow_up_note: str
    rebound: bool | None
    archived_on: datetime.date | None
    version: int
    dispositions: list[DispositionOut]
    contacts: list[ContactOut]
    reviews: list[ReviewOut]
    related: list[RelatedOut]
    related_elsewhere: int = Field(0, description="同一事项以前的信访事项中由其他代办机构办理、本人无权查看的件数（不列出）")
    events: list[EventOut]
    double_checks: list[DoubleCheckOut] = Field(description="一案双查（仅对代办服务中心、责任人和本机构领导列出）")
    conduct: list[ConductOut] = Field(description="终结后缠访、闹访等行为记录")
    judicial_referrals: list[JudicialReferralOut] = Field(description="移送司法机关记录")
    archive: ArchiveOut | None = Field(None, description="归档后的案卷：后台生成中、已封存（含SHA-256）或生成失败")


class PetitionPage(Schema):
    items: list[PetitionListItem]
    count: int
    page: int
    page_size: int


class ReasonOut(Schema):
    code: Exclusion
    petition: int | None  # the earlier petition's id (None for `judicial`)
    petition_number: str | None
    message: str


class EligibilityOut(Schema):
    eligible: bool
    reasons: list[ReasonOut]


class ChoiceOut(Schema):
    value: int | str
    label: str


class ActionOut(Schema):
    name: str
    label: str
    help: str
    choices: dict[str, list[ChoiceOut]] = Field(
        default_factory=dict,
        description="字段可选值（来自信访事项或数据库的，如代办员、事权单位、审批结果）：只列出当前用户现在选择后能办成的值")


# --- action bodies: each action's input class, declared with its handler (petitions/actions/) ------

class CorrectionIn(Schema):
    name: Annotated[CleanLine, Field(max_length=200)] | None = None
    phone: Annotated[CleanLine, Field(max_length=64)] | None = None
    address: Annotated[CleanLine, Field(max_length=1000)] | None = None
    reason: Annotated[CleanText, Field(max_length=500)]
    apply_to_open: bool = False


ACTION_BODIES = {name: act.input for name, act in ACTIONS.items()}
DISPOSITION_BODIES = {name: act.input for name, act in DISPOSITION_ACTIONS.items()}

# Chinese names of the other bodies' and query strings' fields, for error messages (an action's
# fields are named by its input class).
FIELD_LABELS = {
    "username": "用户名", "password": "密码", "channel": "渠道", "source": "来源", "received_on": "收到日期",
    "external_id": "外部编号", "petitioner": "信访人", "name": "姓名", "id_number": "身份证号", "phone": "电话",
    "address": "地址", "content": "反映的问题及诉求", "category": "内容分类", "in_judicial_proceedings": "是否已进入司法程序",
    "station_id": "代办机构", "agent_id": "代办员", "reason": "原因", "satisfaction": "信访人意见", "date": "日期",
    "start": "起算日期", "add": "工作日数", "status": "状态", "overdue": "是否超期", "agent": "代办员", "q": "搜索词",
    "page": "页码", "is_workday": "是否工作日", "days": "日期列表", "from": "开始日期", "to": "结束日期",
    "confirm": "是否确认", "file": "文件", "kind": "类别", "month": "月份", "by": "分组",
    "petition_id": "信访事项编号", "disposition_id": "处置单编号", "attachment_id": "附件编号", "related_id": "关联事项",
    "year": "年份", "station": "代办机构", "department": "事权单位", "page_size": "每页条数", "received_from": "收到日期（起）",
    "received_to": "收到日期（止）", "overdue_from": "超期期间（起）", "overdue_to": "超期期间（止）", "order": "排序", "fmt": "格式", "number": "编号", "code": "查询码",
    "apply_to_open": "是否同时更正其他在办事项",
    "assignee_id": "责任人", "matter_findings": "查事情况", "handling_findings": "查人（办理）情况",
    "accountability": "责任追究", "note": "说明", "conduct": "行为记录", "item_id": "一案双查编号",
    "referral_id": "移送记录编号", "payload": "请求内容", "departments": "事权单位",
}
# A field whose name is shared by bodies that mean different things by it: named per endpoint (the
# view's name), as the pages name it.
URL_LABELS = {
    "review": {"reason": "申请理由"}, "petitioner_correction": {"reason": "更正理由"},
    "calendar_change": {"reason": "调整理由"}, "petition_link": {"reason": "认定理由"},
    "petition_unlink": {"reason": "认定理由"},
}
# Query parameters whose name means something else in a body.
QUERY_LABELS = {"to": "结束日期", "from": "开始日期", "station": "代办机构", "agent": "代办员", "status": "状态",
                "action": "事件", "who": "操作人", "target": "对象"}
