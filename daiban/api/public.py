"""API v1, public part (no token): submit, track, rate, ask for review, the agent board."""

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from daiban.api import schemas as s
from daiban.lib import ratelimit
from daiban.lib.errors import RateLimited
from daiban.org.models import Agent
from daiban.portal import services as portal

router = Router(auth=None, tags=["公众（无需令牌）"])
ERRORS = {400: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 413: s.ErrorOut, 429: s.ErrorOut}


class PublicPetitionIn(Schema):
    petitioner: s.PetitionerIn
    content: Annotated[s.CleanText, Field(max_length=20000)]
    agent_id: s.Id | None = None


class SubmittedOut(Schema):
    number: str
    query_code: str
    forward_due_on: datetime.date | None = Field(description="在此日期前告知办理方式（《信访工作条例》15日）")


class PublicEventOut(Schema):
    on: datetime.date
    text: str


class PublicAgentRef(Schema):
    name: str
    kind: str
    office_phone: str


class PublicDecisionOut(Schema):
    level: str = Field(description="复查或复核")
    on: datetime.date
    text: str = Field(description="决定：申请有理（限期解决的日期）或维持原处理意见")
    note: str = Field(description="决定的意见（有记录时）")
    final: str = Field(description="复核维持的：最终决定（三级终结）的说明，否则为空")


class PublicPetitionOut(Schema):
    number: str
    status: str
    status_text: str
    received_on: datetime.date
    agent: PublicAgentRef | None
    reply: str
    due_on: datetime.date | None
    national_forward_due_on: datetime.date | None
    national_due_on: datetime.date | None
    result: str
    satisfaction: s.SatisfactionT | None
    may_rate: bool
    may_request: bool
    review_level: str | None
    review_request_due_on: datetime.date | None
    review_answer_due_on: datetime.date | None = Field(description="已申请复查/复核的，应在此日期前作出决定")
    review_in_progress: str | None = Field(None, description="正在进行的：复查或复核")
    explanation: list[str] = Field([], description="不予代办、告知法定途径、引导的：原因、去处或途径（未填写答复时也有）")
    due_now: datetime.date | None = Field(None, description="现在有效的办理期限（延期后为延长后的日期）")
    late: bool = Field(False, description="已超过办理期限（正在督办）")
    extended: bool = Field(False, description="办理期限经批准延长过（仍然有效的延期）")
    planned_passed: datetime.date | None = Field(
        None, description="原计划办结日期已过、但在延长后的期限内时，原计划办结日期")
    review_decisions: list[PublicDecisionOut] = []
    timeline: list[PublicEventOut]


class RatingIn(Schema):
    satisfaction: s.SatisfactionT


class ReviewIn(Schema):
    # Required, as the schema says; checked in the service (400 naming `reason`) after the number and
    # code, so that a wrong code answers 404 whatever the body (the same as an unknown number).
    reason: Annotated[s.CleanText, Field(max_length=5000)] = Field(
        "", description="申请理由（必填）", json_schema_extra={"minLength": 1})

    model_config = {"json_schema_extra": {"required": ["reason"]}}


class PublicAgentOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    station: str
    title: str
    office_phone: str
    specialty: str
    photo: str | None


@router.post("/petitions", response={201: SubmittedOut, **ERRORS}, summary="网上提交信访事项")
def submit(request: HttpRequest, payload: PublicPetitionIn):
    """As the portal's form, without a CAPTCHA: where the portal would ask for one, 429."""
    client = ratelimit.client(request)
    with portal.submitting(client):  # the checks and the count are one step
        petition = portal.submit(data=payload.dict(), client=client, agent_id=payload.agent_id)
    return Status(201, {"number": petition.number, "query_code": petition.query_code,
                        "forward_due_on": petition.national_forward_due_on})


def _find(request: HttpRequest, number: str, code: str):
    """The portal's lookup; the API has no CAPTCHA, so where the portal would ask for one this
    client (only this client) is told to wait: 429."""
    try:
        return portal.find(number, code, ratelimit.client(request))
    except portal.CaptchaRequired as exc:
        raise RateLimited(f"{exc.reason}，请{ratelimit.wait_text(exc.retry_after or 3600)}后再试（或在网页上输入验证码查询）",
                          retry_after=exc.retry_after) from exc


@router.get("/petitions/{number}", response={200: PublicPetitionOut, **ERRORS}, summary="凭编号和查询码查询")
def track(request: HttpRequest, number: s.Line, code: s.Line = ""):
    return portal.public_view(_find(request, number, code))


@router.post("/petitions/{number}/rating", response={200: PublicPetitionOut, **ERRORS}, summary="评价办理结果")
def rating(request: HttpRequest, number: s.Line, payload: RatingIn, code: s.Line = ""):
    petition = _find(request, number, code)
    return portal.public_view(portal.rate(petition, payload.satisfaction))


@router.post("/petitions/{number}/review", response={200: PublicPetitionOut, **ERRORS},
             summary="申请复查/复核（反馈后30日内，对结果不满意的；须填写申请理由，答复载明决定期限）",
             openapi_extra={"requestBody": {"required": True}})
def review(request: HttpRequest, number: s.Line, payload: ReviewIn | None = None, code: s.Line = ""):
    petition = _find(request, number, code)
    return portal.public_view(portal.request_review(petition, payload.reason if payload else ""))


@router.get("/agents", response={200: list[PublicAgentOut]}, summary="代办员公示")
def agents(request: HttpRequest):
    rows = Agent.objects.in_post().select_related("station").order_by("kind", "id")
    return [
        {"id": a.pk, "name": a.name, "kind": a.kind, "kind_label": a.get_kind_display(), "station": a.station.name,
         "title": a.title, "office_phone": a.office_phone, "specialty": a.specialty,
         "photo": a.photo.url if a.photo else None}
        for a in rows
    ]
