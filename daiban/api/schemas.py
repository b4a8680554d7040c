"""Request and response shapes of API v1 (../shared/API.md). Field names are the contract.

Inputs use the bounded types below: text is cleaned (CleanText, CleanLine; the API's parser has
cleaned every string already, these also state the limits in the OpenAPI document), ids are
32-bit primary keys, dates lie in a plausible range, so no input reaches the database or the
calendar arithmetic where it would overflow."""

import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from daiban.lib.text import CleanLine, CleanText

ID_MAX = 2_147_483_647
DATE_MIN, DATE_MAX = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def _plausible(value: datetime.date) -> datetime.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError("date_out_of_range", "date outside 2000-01-01..2099-12-31")
    return value


Id = Annotated[int, Field(ge=1, le=ID_MAX)]
PlausibleDate = Annotated[datetime.date, AfterValidator(_plausible)]
Year = Annotated[int, Field(ge=2000, le=2099)]
Line = Annotated[CleanLine, Field(max_length=200)]
Text = Annotated[CleanText, Field(max_length=10000)]

ChannelT = Literal["letter", "visit", "online", "phone"]
SourceT = Literal["self", "center", "village", "proactive", "hotline_12345", "platform_baixing", "platform_jiefen"]
TrackT = Literal["standard", "multi_department", "major"]
SatisfactionT = Literal["satisfied", "fairly_satisfied", "understanding", "dissatisfied"]
MethodT = Literal["visit", "phone", "letter"]


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


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


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
    kind: Literal["full_time", "part_time"]
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


class CalendarChangeIn(Schema):
    days: Annotated[list[CalendarDayIn], Field(max_length=400)]
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


class DispositionOut(Schema):
    id: int
    number: str
    department: Ref
    status: Literal["routed", "received", "answered"]
    routed_on: datetime.date
    received_on: datetime.date | None
    due_on: datetime.date | None
    overdue: bool
    proposed_handling: str
    leader_opinion: str
    principal_instruction: str
    result: str
    result_on: datetime.date | None
    urgings: list[UrgingOut]


class ContactOut(Schema):
    method: MethodT
    on: datetime.date
    note: str


class ReviewOut(Schema):
    level: Literal["review", "re_review"]
    requested_on: datetime.date
    answer_due_on: datetime.date
    decided_on: datetime.date | None
    upheld: bool | None
    note: str


class RelatedOut(Schema):
    id: int
    number: str
    status: str
    reason: str
    score: float


class EventOut(Schema):
    at: datetime.datetime
    on: datetime.date
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    note: str


class NationalOut(Schema):
    forward_due_on: datetime.date | None
    due_on: datetime.date | None
    extension_days: int
    extension_reason: str
    review_request_due_on: datetime.date | None


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


class PetitionOut(PetitionListItem):
    query_code: str | None = Field(description="只对承办代办员、本机构领导、代办服务中心和管理员返回，其他人为null")
    personal_data_masked: bool
    identity_masked: bool = Field(description="姓名、地址也已脱敏（事权单位设置为不可见信访人身份）")
    external_id: str | None
    in_judicial_proceedings: bool
    agent_chosen_by: Literal["designated", "petitioner"] | None
    notification: Literal["oral", "written"] | None
    reply: str
    decline_reason: str | None
    accepted_on: datetime.date | None
    proposed_handling: str
    solution_determined_on: datetime.date | None
    convened_by: Literal["banner_secretary", "banner_head"] | None
    due_provisional: bool
    escalated_to: Literal["center", "joint_office"] | None
    national: NationalOut
    concluded_on: datetime.date | None
    result: str
    feedback_on: datetime.date | None
    feedback_method: MethodT | None
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
    events: list[EventOut]


class PetitionPage(Schema):
    items: list[PetitionListItem]
    count: int
    page: int
    page_size: int


class ReasonOut(Schema):
    code: Literal["in_progress", "terminated_three_levels", "judicial", "three_in_place"]
    petition: int | None  # the earlier petition's id (None for `judicial`)
    petition_number: str | None
    message: str


class EligibilityOut(Schema):
    eligible: bool
    reasons: list[ReasonOut]


class ActionOut(Schema):
    name: str
    label: str
    help: str


# --- action bodies ----------------------------------------------------------------------------------

class ActionIn(Schema):
    on: PlausibleDate | None = None
    version: Annotated[int, Field(ge=0, le=ID_MAX)] | None = None


class ScreenIn(ActionIn):
    outcome: Literal["direct_reply", "legal_channel", "guided", "agency", "declined"]
    reply: Text = ""
    agent_id: Id | None = None
    agent_chosen_by: Literal["designated", "petitioner"] | None = None
    notification: Literal["oral", "written"] | None = None
    reason: Literal["in_progress", "terminated_three_levels", "judicial", "three_in_place"] | None = None
    category: Annotated[CleanLine, Field(max_length=50)] | None = None


class RouteIn(ActionIn):
    departments: Annotated[list[Id], Field(max_length=50)]
    track: TrackT | None = None
    proposed_handling: Text = ""


class DetermineSolutionIn(ActionIn):
    determined_on: PlausibleDate | None = None
    convened_by: Literal["banner_secretary", "banner_head"] | None = None


class EscalateIn(ActionIn):
    to: Literal["center", "joint_office"]
    reason: Text


class UrgeIn(ActionIn):
    disposition_id: Id
    note: Text = ""


class ContactIn(ActionIn):
    method: MethodT
    note: Text = ""


class ExtendIn(ActionIn):
    days: Annotated[int, Field(ge=1, le=30)]
    reason: Text


class ConcludeIn(ActionIn):
    result: Text


class FeedbackIn(ActionIn):
    method: MethodT
    satisfaction: SatisfactionT


class RequestReviewIn(ActionIn):
    level: Literal["review", "re_review"]
    requested_on: PlausibleDate | None = None


class DecideReviewIn(ActionIn):
    upheld: bool
    note: Text = ""
    due_on: PlausibleDate | None = None


class TerminateIn(ActionIn):
    note: Text = ""
    three_in_place: bool = False


class FollowUpIn(ActionIn):
    visited_on: PlausibleDate | None = None
    note: Text = ""
    rebound: bool = False


class ArchiveIn(ActionIn):
    pass


class ReceiveIn(ActionIn):
    pass


class OpinionIn(ActionIn):
    role: Literal["leader_in_charge", "principal"]
    text: Text


class ResultIn(ActionIn):
    result: Text


class CorrectionIn(Schema):
    name: Annotated[CleanLine, Field(max_length=200)] | None = None
    phone: Annotated[CleanLine, Field(max_length=64)] | None = None
    address: Annotated[CleanLine, Field(max_length=1000)] | None = None
    reason: Annotated[CleanText, Field(max_length=500)]
    apply_to_open: bool = False


ACTION_BODIES = {
    "screen": ScreenIn, "route": RouteIn, "determine_solution": DetermineSolutionIn, "escalate": EscalateIn,
    "urge": UrgeIn, "contact": ContactIn, "extend": ExtendIn, "conclude": ConcludeIn, "feedback": FeedbackIn,
    "request_review": RequestReviewIn, "decide_review": DecideReviewIn, "terminate": TerminateIn,
    "follow_up": FollowUpIn, "archive": ArchiveIn,
}
DISPOSITION_BODIES = {"receive": ReceiveIn, "opinion": OpinionIn, "result": ResultIn}

# Chinese names of fields, for error messages.
FIELD_LABELS = {
    "username": "用户名", "password": "密码", "channel": "渠道", "source": "来源", "received_on": "收到日期",
    "external_id": "外部编号", "petitioner": "信访人", "name": "姓名", "id_number": "身份证号", "phone": "电话",
    "address": "地址", "content": "反映的问题及诉求", "category": "内容分类", "in_judicial_proceedings": "是否已进入司法程序",
    "station_id": "代办机构", "on": "办理日期", "version": "版本号", "outcome": "甄别结果", "reply": "答复内容",
    "agent_id": "代办员", "agent_chosen_by": "代办员产生方式", "notification": "告知方式", "reason": "原因",
    "departments": "事权单位", "track": "办理类别", "proposed_handling": "拟办意见", "determined_on": "方案确定日期",
    "convened_by": "会商召集人", "to": "上报对象", "disposition_id": "处置单", "note": "说明", "method": "方式",
    "days": "天数", "result": "处理结果", "satisfaction": "信访人意见", "level": "申请类别", "requested_on": "申请日期",
    "upheld": "是否有理", "due_on": "限期日期", "three_in_place": "是否已落实三到位一处理", "visited_on": "回访日期",
    "rebound": "是否反弹回流", "role": "意见类别", "text": "意见内容", "start": "起算日期", "add": "工作日数",
    "status": "状态", "overdue": "是否超期", "agent": "代办员", "q": "搜索词", "page": "页码", "date": "日期",
    "is_workday": "是否工作日", "days_list": "日期列表", "from": "开始日期", "to_date": "结束日期",
    "petition_id": "信访事项编号", "disposition_id_path": "处置单编号", "attachment_id": "附件编号", "related_id": "关联事项",
    "year": "年份", "station": "代办机构", "department": "事权单位", "page_size": "每页条数", "received_from": "收到日期（起）",
    "received_to": "收到日期（止）", "order": "排序", "month": "月份", "fmt": "格式", "number": "编号", "code": "查询码",
    "file": "文件", "kind": "类别", "by": "分组", "apply_to_open": "是否同时更正其他在办事项", "confirm": "是否确认",
}
# Query parameters whose name means something else in a body.
QUERY_LABELS = {"to": "结束日期", "from": "开始日期", "station": "代办机构", "agent": "代办员", "status": "状态"}
