"""Request and response shapes of API v1 (../shared/API.md). Field names are the contract."""

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

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
    username: str
    password: str
    otp: str | None = None  # the authenticator's 6 digits or a backup code, for accounts that need a second factor


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
    date: datetime.date
    is_workday: bool
    name: str = ""


class CalendarChangeIn(Schema):
    days: list[CalendarDayIn]
    confirm: bool | None = None
    reason: str = ""


class CalendarChangeOut(Schema):
    changed: list[datetime.date]


# --- petitions --------------------------------------------------------------------------------------

class PetitionerIn(Schema):
    name: str
    id_number: str
    phone: str
    address: str = ""


class IntakeIn(Schema):
    channel: ChannelT
    source: SourceT
    received_on: datetime.date | None = None
    external_id: str | None = Field(default=None, max_length=100)
    petitioner: PetitionerIn
    content: str
    category: str = ""
    in_judicial_proceedings: bool = False
    station_id: int | None = None


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
    query_code: str
    personal_data_masked: bool
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
    on: datetime.date | None = None
    version: int | None = None


class ScreenIn(ActionIn):
    outcome: Literal["direct_reply", "legal_channel", "guided", "agency", "declined"]
    reply: str = ""
    agent_id: int | None = None
    agent_chosen_by: Literal["designated", "petitioner"] | None = None
    notification: Literal["oral", "written"] | None = None
    reason: Literal["in_progress", "terminated_three_levels", "judicial", "three_in_place"] | None = None
    category: str | None = None


class RouteIn(ActionIn):
    departments: list[int]
    track: TrackT | None = None
    proposed_handling: str = ""


class DetermineSolutionIn(ActionIn):
    determined_on: datetime.date | None = None
    convened_by: Literal["banner_secretary", "banner_head"] | None = None


class EscalateIn(ActionIn):
    to: Literal["center", "joint_office"]
    reason: str


class UrgeIn(ActionIn):
    disposition_id: int
    note: str = ""


class ContactIn(ActionIn):
    method: MethodT
    note: str = ""


class ExtendIn(ActionIn):
    days: int
    reason: str


class ConcludeIn(ActionIn):
    result: str


class FeedbackIn(ActionIn):
    method: MethodT
    satisfaction: SatisfactionT


class RequestReviewIn(ActionIn):
    level: Literal["review", "re_review"]
    requested_on: datetime.date | None = None


class DecideReviewIn(ActionIn):
    upheld: bool
    note: str = ""
    due_on: datetime.date | None = None


class TerminateIn(ActionIn):
    note: str = ""
    three_in_place: bool = False


class FollowUpIn(ActionIn):
    visited_on: datetime.date | None = None
    note: str = ""
    rebound: bool = False


class ArchiveIn(ActionIn):
    pass


class ReceiveIn(ActionIn):
    pass


class OpinionIn(ActionIn):
    role: Literal["leader_in_charge", "principal"]
    text: str


class ResultIn(ActionIn):
    result: str


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
}
