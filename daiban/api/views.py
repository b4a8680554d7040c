"""API v1: sign-in, reference data, the calendar and petitions. Handlers stay thin: they call
selectors (reads) and services (writes); services check who may act."""

import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Header, Query, Router, Status
from pydantic import Field

from daiban.api import idempotency, tokens
from daiban.api import schemas as s
from daiban.api.common import ERRORS, petition_out
from daiban.api.render import respond
from daiban.lib.errors import Invalid
from daiban.org.models import Agent, Department, Station
from daiban.org.requests import StaffRequest
from daiban.petitions import choices, counting, eligibility, matters, selectors, services
from daiban.petitions.actions import Action
from daiban.petitions.models import Disposition, Petition
from daiban.petitions.permissions import actor_kinds, get_visible_petition, user_agent, visible_petitions
from daiban.workdays import engine
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec

router = Router()


# --- auth -------------------------------------------------------------------------------------------

@router.post("/auth/token", auth=None, response={200: s.TokenOut, **ERRORS}, tags=["认证"], summary="获取令牌")
def token_create(request: StaffRequest, payload: s.TokenIn):
    """Password (and `otp` when the account needs a second factor). 401 `unauthorized`, 401
    `otp_required` / `otp_invalid`, 429 `locked` after repeated failures (daiban.api.tokens)."""
    row, token = tokens.token_login(request, payload.username, payload.password, payload.otp)
    return {"token": token, "expires_at": timezone.localtime(row.expires_at)}


@router.delete("/auth/token", response={204: None, **ERRORS}, tags=["认证"], summary="注销当前令牌")
def token_revoke(request: StaffRequest):
    tokens.token_logout(request, request.api_token)  # type: ignore[attr-defined]  # set by BearerToken
    return Status(204, None)


@router.get("/me", response={200: s.MeOut, **ERRORS}, tags=["参考数据"], summary="当前用户及其角色、机构")
def me(request: StaffRequest):
    user = request.user
    agent = user_agent(user)
    return {
        "username": user.username, "name": user.display_name, "roles": sorted(user.role_set),
        "station": user.station_id, "department": user.department_id, "agent_id": agent.pk if agent else None,
    }


# --- reference data ---------------------------------------------------------------------------------

@router.get("/stations", response={200: list[s.StationOut], **ERRORS}, tags=["参考数据"], summary="代办机构（三级代办网络）")
def stations(request: StaffRequest):
    return [
        {"id": st.pk, "name": st.name, "code": st.code, "level": st.level, "parent": st.parent_id,
         "is_township": st.is_township}
        for st in Station.objects.order_by("id")
    ]


@router.get("/departments", response={200: list[s.DepartmentOut], **ERRORS}, tags=["参考数据"], summary="事权单位")
def departments(request: StaffRequest):
    return list(Department.objects.filter(active=True).order_by("id").values("id", "name", "kind", "phone"))


def agent_out(agent: Agent, *, with_username: bool) -> dict:
    data = {
        "id": agent.pk, "name": agent.name, "kind": agent.kind, "station": agent.station_id,
        "station_name": agent.station.name, "title": agent.title, "office_phone": agent.office_phone,
        "specialty": agent.specialty,
    }
    if with_username:
        data["username"] = agent.user.username if agent.user else None
    return data


@router.get("/agents", response={200: list[s.AgentOut], **ERRORS}, tags=["参考数据"], summary="代办员")
def agents(request: StaffRequest):
    rows = Agent.objects.in_post().select_related("station", "user").order_by("id")
    return [agent_out(a, with_username=True) for a in rows]


@router.get("/workdays", response={200: s.WorkdayOut, **ERRORS}, tags=["工作日历"], summary="第N个工作日")
def workdays(request: StaffRequest, start: s.PlausibleDate,
             add: Annotated[int, Field(ge=1, le=1000, title="工作日数")]):
    deadline = engine.add_workdays(start, add)
    return {"date": deadline.date, "provisional": deadline.provisional}


@router.get("/calendar/{int:year}", response={200: list[s.CalendarDayOut], **ERRORS}, tags=["工作日历"],
            summary="某年的工作日历（节假日、调休上班日）")
def calendar_year(request: StaffRequest, year: s.Year):
    return [
        {"date": d.date, "is_workday": d.is_workday, "kind": d.kind, "name": d.name, "source": d.source,
         "confirmed": d.confirmed}
        for d in CalendarDay.objects.filter(date__year=year)
    ]


@router.post("/calendar/days", response={200: s.CalendarChangeOut, **ERRORS}, tags=["工作日历"],
          summary="修改工作日历（管理员）：受影响的在办时限随之重算")
def calendar_change(request: StaffRequest, payload: s.CalendarChangeIn):
    specs = [DaySpec(d.date, d.is_workday, d.name) for d in payload.days]
    changed = services.calendar_change(actor=request.user, specs=specs, source=CalendarDay.Source.ADMIN,
                                       confirm=payload.confirm, reason=payload.reason or "管理员调整工作日历")
    return {"changed": changed}


# --- petitions --------------------------------------------------------------------------------------

@router.post("/petitions", response={201: s.PetitionOut, 200: s.PetitionOut, **ERRORS}, tags=["信访事项"],
          summary="登记信访事项")
def petition_create(request: StaffRequest, payload: s.IntakeIn,
                    idempotency_key: str | None = Header(None, alias=idempotency.HEADER, max_length=64)):  # noqa: B008
    """With `Idempotency-Key` (1–64 visible ASCII characters, a UUID say): sent again, the petition
    registered the first time answers 200 with `Idempotent-Replayed: true`; the same key with another
    body is 409 `idempotency_key_reused`."""
    data = payload.dict()
    result, replayed = idempotency.register_once(
        request.user, idempotency.key_of(idempotency_key), data,
        lambda: services.petition_intake_or_existing(data=data, user=request.user))
    response = respond(s.PetitionOut, petition_out(request, result.petition.pk), 201 if result.created else 200)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class CheckPetitionerIn(s.Schema):
    id_number: Annotated[s.CleanLine, Field(max_length=64)]


class CheckIn(s.Schema):
    petitioner: CheckPetitionerIn
    content: Annotated[s.CleanText, Field(max_length=10000)] = ""
    in_judicial_proceedings: bool = False
    station_id: s.Id | None = None


class EarlierOut(s.Schema):
    id: int
    number: str
    status: str
    received_on: datetime.date
    score: float | None  # similarity to the content (0–1); null when no content was given
    likeness: str | None  # "same" | "possible": ≥ the same-matter threshold / ≥ the possibly-same one


class SimilarOut(s.Schema):
    id: int
    number: str
    status: str
    score: float


class CheckOut(s.Schema):
    petitioner_known: bool
    eligible: bool | None  # null: no content yet, so whether it is the same matter cannot be told
    reasons: list[s.ReasonOut]
    earlier: list[EarlierOut]
    hidden_count: int
    similar: list[SimilarOut]


@router.post("/petitions/check", response={200: CheckOut, **ERRORS}, tags=["信访事项"],
             summary="登记前检查：该信访人以前的信访事项、是否同一事项、不予代办情形（不保存）")
def petition_check(request: StaffRequest, payload: CheckIn):
    found = services.intake_check(payload.dict(), request.user)
    return respond(CheckOut, {
        "petitioner_known": found.known,
        "eligible": False if found.reasons else (True if found.typed else None),
        "reasons": [reason_out(r) for r in found.reasons],
        "earlier": [{"id": e.petition.pk, "number": e.petition.number, "status": e.petition.status,
                     "received_on": e.petition.received_on, "score": round(e.score, 4) if found.typed else None,
                     "likeness": e.likeness or None} for e in found.earlier],
        "hidden_count": found.hidden_count,
        "similar": [{"id": p.pk, "number": p.number, "status": p.status, "score": score} for p, score in found.similar],
    })


def reason_out(r: eligibility.Reason) -> dict:
    return {"code": r.code, "petition": r.petition.pk if r.petition else None,
            "petition_number": r.petition.number if r.petition else None, "message": r.message}


class ListFilters(s.Schema):
    status: Annotated[s.Line | None, s.one_of(frozenset(choices.Status.values), several=True)] = None
    overdue: bool | None = None
    agent: s.Id | None = None
    station: s.Id | None = None
    channel: Annotated[s.Line | None, s.one_of(frozenset(choices.Channel.values))] = None
    source: Annotated[s.Line | None, s.one_of(frozenset(choices.Source.values))] = None
    department: s.Id | None = None
    received_from: s.PlausibleDate | None = None
    received_to: s.PlausibleDate | None = None
    # 超期 in a period (the statistics' per-department figure): a 处置单 (of `department` when
    # given) whose deadline passed in overdue_from..overdue_to unanswered, whatever the month of receipt.
    overdue_from: s.PlausibleDate | None = None
    overdue_to: s.PlausibleDate | None = None
    # The staff dashboard's cards, as on its list: running matters without an agent, and those with a
    # 处置单 returned since their last routing (selectors.rerouting_q).
    unassigned: bool = False
    rerouting: bool = False
    q: s.Line | None = None
    order: Annotated[s.Line, s.one_of(selectors.ORDER_LABELS)] = "-id"
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=200)] = 20


@router.get("/petitions", response={200: s.PetitionPage, **ERRORS}, tags=["信访事项"],
            summary="信访事项列表（筛选、检索 q、分页）")
def petition_index(request: StaffRequest, filters: Query[ListFilters]):
    if filters.page < 1 or not 1 <= filters.page_size <= 200:
        raise Invalid.of({"page": "页码应从1开始，每页1至200条"})
    start = (filters.page - 1) * filters.page_size
    # Counted no further than a few pages past this one (a count of every match would grow with the
    # table): `count` is exact while the header X-Count-Exact says "true", else "at least count".
    rows, total = selectors.list_page(request.user, filters.dict(exclude={"page", "page_size"}), start,
                                      filters.page_size, counting.cap_for(start, filters.page_size))
    items = [selectors.list_item(p, request.user) for p in rows]
    out = respond(s.PetitionPage, {"items": items, "count": total.value, "page": filters.page,
                                   "page_size": filters.page_size})
    out["X-Count-Exact"] = "true" if total.exact else "false"
    return out


@router.get("/petitions/{petition_id}", response={200: s.PetitionOut, **ERRORS}, tags=["信访事项"],
            summary="信访事项详情")
def petition_get(request: StaffRequest, petition_id: s.Id):
    return respond(s.PetitionOut, petition_out(request, petition_id))


@router.get("/petitions/{petition_id}/eligibility", response={200: s.EligibilityOut, **ERRORS}, tags=["信访事项"],
         summary="是否属于代办范围（不予代办的四种情形）")
def petition_eligibility(request: StaffRequest, petition_id: s.Id):
    reasons = eligibility.exclusions_of(request.user, petition_id)
    return respond(s.EligibilityOut, {
        "eligible": not reasons,
        "reasons": [reason_out(r) for r in reasons],
    })


@router.get("/petitions/{petition_id}/similar", response={200: list[SimilarOut], **ERRORS}, tags=["信访事项"],
            summary="同一事项，多名信访人：本机构其他信访人在办的相似事项")
def petition_similar(request: StaffRequest, petition_id: s.Id):
    petition = get_visible_petition(request.user, petition_id)
    return [{"id": p.pk, "number": p.number, "status": p.status, "score": score}
            for p, score in matters.similar_to(petition, visible=visible_petitions(request.user))]


class PossiblyOut(s.Schema):
    id: int
    number: str
    status: str
    received_on: datetime.date
    score: float


@router.get("/petitions/{petition_id}/possibly_same", response={200: list[PossiblyOut], **ERRORS}, tags=["信访事项"],
            summary="该信访人可能同一事项的信访事项：检查得分未达阈值、未关联、未被认定不是同一事项，待人认定")
def petition_possibly_same(request: StaffRequest, petition_id: s.Id):
    return [{"id": e.petition.pk, "number": e.petition.number, "status": e.petition.status,
             "received_on": e.petition.received_on, "score": round(e.score, 4)}
            for e in eligibility.possibly_same_of(request.user, petition_id)]


@router.get("/petitions/{petition_id}/actions", response={200: list[s.ActionOut], **ERRORS}, tags=["办理"],
         summary="当前用户现在可执行的动作")
def petition_actions(request: StaffRequest, petition_id: s.Id):
    petition = get_visible_petition(request.user, petition_id)
    kinds = actor_kinds(request.user, petition)
    return [action_out(a, petition, kinds) for a in services.available_actions(request.user, petition)]


@router.get("/dispositions/{disposition_id}/actions", response={200: list[s.ActionOut], **ERRORS}, tags=["处置单"],
            summary="当前用户现在可对该处置单执行的动作")
def disposition_actions(request: StaffRequest, disposition_id: s.Id):
    petition, disposition, offered = services.disposition_offers(request.user, disposition_id)
    kinds = actor_kinds(request.user, petition, disposition)
    return [action_out(a, petition, kinds, disposition) for a in offered]


def action_out(act: Action[Any], petition: Petition, kinds: frozenset[str],
               disposition: Disposition | None = None) -> dict[str, Any]:
    """An offered action with the values offered for its listed fields (services.offered_choices)."""
    choices = services.offered_choices(act, petition, kinds, disposition)
    return {"name": act.name, "label": act.label, "help": act.help,
            "choices": {name: [{"value": v, "label": label} for v, label in values] for name, values in choices.items()}}


class UnlinkIn(s.Schema):
    reason: Annotated[s.CleanText, Field(max_length=500)]


@router.post("/petitions/{petition_id}/related/{related_id}/dismiss", response={200: s.PetitionOut, **ERRORS},
          tags=["信访事项"], summary="认定不是同一事项（领导、代办服务中心），撤销重复信访关联")
def petition_unlink(request: StaffRequest, petition_id: s.Id, related_id: s.Id, payload: UnlinkIn):
    services.petition_unlink(petition_id=petition_id, related_id=related_id, user=request.user, reason=payload.reason)
    return petition_out(request, petition_id)


@router.post("/petitions/{petition_id}/related/{related_id}/confirm", response={200: s.PetitionOut, **ERRORS},
             tags=["信访事项"], summary="认定为同一事项（本机构代办员、领导、代办服务中心）：检查未达阈值的重复信访，由人认定并关联")
def petition_link(request: StaffRequest, petition_id: s.Id, related_id: s.Id, payload: UnlinkIn):
    services.petition_link(petition_id=petition_id, related_id=related_id, user=request.user, reason=payload.reason)
    return petition_out(request, petition_id)


@router.post("/petitions/{petition_id}/petitioner/correction", response={200: s.PetitionOut, **ERRORS},
             tags=["信访事项"], summary="更正信访人姓名、电话、地址（承办代办员、本机构领导、代办服务中心；留痕）")
def petitioner_correction(request: StaffRequest, petition_id: s.Id, payload: s.CorrectionIn):
    services.petitioner_correct(petition_id=petition_id, user=request.user, data=payload.dict())
    return petition_out(request, petition_id)
