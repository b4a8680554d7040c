"""API v1 routes. Handlers stay thin: they call selectors (reads) and services (writes)."""

import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Status

from daiban.api import schemas as s
from daiban.api.main import api, error_response
from daiban.api.models import ApiToken
from daiban.lib import ratelimit
from daiban.lib.errors import Forbidden, Invalid, NotFound
from daiban.org import roles
from daiban.org.models import Agent, Department, Station
from daiban.petitions import eligibility, matters, selectors, services
from daiban.petitions.permissions import user_agent, visible_petitions
from daiban.petitions.workflow import ACTIONS, DISPOSITION_ACTIONS
from daiban.workdays import engine
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec
from daiban.workdays.services import calendar_set_days

ERRORS = {400: s.ErrorOut, 401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 429: s.ErrorOut}
LOGIN_LIMIT = 10  # failed logins per client and username in 15 minutes


# --- auth -------------------------------------------------------------------------------------------

@api.post("/auth/token", auth=None, response={200: s.TokenOut, **ERRORS}, tags=["认证"], summary="获取令牌")
def token_create(request: HttpRequest, payload: s.TokenIn):
    ident = f"{ratelimit.client_ip(request)}|{payload.username}"
    if ratelimit.exceeded("login", ident, limit=LOGIN_LIMIT, window=900):
        return error_response(request, 429, "rate_limited", "登录失败次数过多，请15分钟后再试")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        ratelimit.hit("login", ident, limit=LOGIN_LIMIT, window=900)
        return error_response(request, 401, "unauthorized", "用户名或密码不正确")
    row, token = ApiToken.issue(user)
    return {"token": token, "expires_at": timezone.localtime(row.expires_at)}


@api.delete("/auth/token", response={204: None, **ERRORS}, tags=["认证"], summary="注销当前令牌")
def token_revoke(request: HttpRequest):
    ApiToken.objects.filter(pk=request.api_token.pk).update(revoked_at=timezone.now())
    return Status(204, None)


@api.get("/me", response={200: s.MeOut, **ERRORS}, tags=["参考数据"])
def me(request: HttpRequest):
    user = request.user
    agent = user_agent(user)
    return {
        "username": user.username, "name": user.display_name, "roles": sorted(user.role_set),
        "station": user.station_id, "department": user.department_id, "agent_id": agent.pk if agent else None,
    }


# --- reference data ---------------------------------------------------------------------------------

@api.get("/stations", response={200: list[s.StationOut], **ERRORS}, tags=["参考数据"])
def stations(request: HttpRequest):
    return [
        {"id": st.pk, "name": st.name, "code": st.code, "level": st.level, "parent": st.parent_id,
         "is_township": st.is_township}
        for st in Station.objects.order_by("id")
    ]


@api.get("/departments", response={200: list[s.DepartmentOut], **ERRORS}, tags=["参考数据"])
def departments(request: HttpRequest):
    return list(Department.objects.filter(active=True).order_by("id").values("id", "name", "kind", "phone"))


def agent_out(agent: Agent, *, with_username: bool) -> dict:
    data = {
        "id": agent.pk, "name": agent.name, "kind": agent.kind, "station": agent.station_id,
        "station_name": agent.station.name, "title": agent.title, "office_phone": agent.office_phone,
        "specialty": agent.specialty,
    }
    if with_username:
        data["username"] = agent.user.username if agent.user_id else None
    return data


@api.get("/agents", response={200: list[s.AgentOut], **ERRORS}, tags=["参考数据"])
def agents(request: HttpRequest):
    rows = Agent.objects.filter(active=True).select_related("station", "user").order_by("id")
    return [agent_out(a, with_username=True) for a in rows]


@api.get("/workdays", response={200: s.WorkdayOut, **ERRORS}, tags=["工作日历"], summary="第N个工作日")
def workdays(request: HttpRequest, start: datetime.date, add: int):
    if not 1 <= add <= 1000:
        raise Invalid.of({"add": "工作日数应为1至1000的整数"})
    deadline = engine.add_workdays(start, add)
    return {"date": deadline.date, "provisional": deadline.provisional}


@api.get("/calendar/{int:year}", response={200: list[s.CalendarDayOut], **ERRORS}, tags=["工作日历"])
def calendar_year(request: HttpRequest, year: int):
    return [
        {"date": d.date, "is_workday": d.is_workday, "kind": d.kind, "name": d.name, "source": d.source,
         "confirmed": d.confirmed}
        for d in CalendarDay.objects.filter(date__year=year)
    ]


@api.post("/calendar/days", response={200: s.CalendarChangeOut, **ERRORS}, tags=["工作日历"],
          summary="修改工作日历（管理员）：受影响的在办时限随之重算")
def calendar_change(request: HttpRequest, payload: s.CalendarChangeIn):
    if not request.user.has_role(roles.ADMIN):
        raise Forbidden("只有系统管理员可以修改工作日历")
    specs = [DaySpec(d.date, d.is_workday, d.name) for d in payload.days]
    changed = calendar_set_days(specs=specs, source=CalendarDay.Source.ADMIN, confirm=payload.confirm,
                                actor=request.user, reason=payload.reason or "管理员调整工作日历")
    return {"changed": changed}


# --- petitions --------------------------------------------------------------------------------------

INTAKE_ROLES = (roles.AGENT, roles.CENTER, roles.ADMIN, *roles.STATION_LEADERS)


def _detail(request: HttpRequest, petition_id: int) -> dict:
    petition = selectors.petition_for_detail(request.user, petition_id)
    if petition is None:
        raise NotFound("信访事项不存在")
    return selectors.petition_detail(petition, request.user)


@api.post("/petitions", response={201: s.PetitionOut, 200: s.PetitionOut, **ERRORS}, tags=["信访事项"],
          summary="登记信访事项")
def petition_create(request: HttpRequest, payload: s.IntakeIn):
    if not request.user.has_role(*INTAKE_ROLES):
        raise Forbidden("您没有登记信访事项的权限")
    result = services.petition_intake_or_existing(data=payload.dict(), user=request.user)
    return Status(201 if result.created else 200, _detail(request, result.petition.pk))


class ListFilters(s.Schema):
    status: str | None = None
    overdue: bool | None = None
    agent: int | None = None
    station: int | None = None
    channel: str | None = None
    source: str | None = None
    department: int | None = None
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    q: str | None = None
    order: str = "-id"
    page: int = 1
    page_size: int = 20


@api.get("/petitions", response={200: s.PetitionPage, **ERRORS}, tags=["信访事项"])
def petition_index(request: HttpRequest, filters: Query[ListFilters]):
    if filters.page < 1 or not 1 <= filters.page_size <= 200:
        raise Invalid.of({"page": "页码应从1开始，每页1至200条"})
    qs = selectors.petition_list(request.user, **filters.dict(exclude={"page", "page_size"}))
    start = (filters.page - 1) * filters.page_size
    items = [selectors.list_item(p) for p in selectors.page(qs, start, filters.page_size)]
    return {"items": items, "count": qs.count(), "page": filters.page, "page_size": filters.page_size}


@api.get("/petitions/{petition_id}", response={200: s.PetitionOut, **ERRORS}, tags=["信访事项"])
def petition_get(request: HttpRequest, petition_id: int):
    return _detail(request, petition_id)


@api.get("/petitions/{petition_id}/eligibility", response={200: s.EligibilityOut, **ERRORS}, tags=["信访事项"],
         summary="是否属于代办范围（不予代办的四种情形）")
def petition_eligibility(request: HttpRequest, petition_id: int):
    petition = visible_petitions(request.user).filter(pk=petition_id).first()
    if petition is None:
        raise NotFound("信访事项不存在")
    reasons = eligibility.exclusions(petition)
    return {
        "eligible": not reasons,
        "reasons": [
            {"code": r.code, "petition": r.petition.pk if r.petition else None,
             "petition_number": r.petition.number if r.petition else None, "message": r.message}
            for r in reasons
        ],
    }


class SimilarOut(s.Schema):
    id: int
    number: str
    status: str
    score: float


@api.get("/petitions/{petition_id}/similar", response={200: list[SimilarOut], **ERRORS}, tags=["信访事项"],
         summary="同一事项，多名信访人：本机构其他信访人在办的相似事项")
def petition_similar(request: HttpRequest, petition_id: int):
    visible = visible_petitions(request.user)
    petition = visible.filter(pk=petition_id).first()
    if petition is None:
        raise NotFound("信访事项不存在")
    return [{"id": p.pk, "number": p.number, "status": p.status, "score": score}
            for p, score in matters.similar_to(petition, visible=visible)]


@api.get("/petitions/{petition_id}/actions", response={200: list[s.ActionOut], **ERRORS}, tags=["办理"],
         summary="当前用户现在可执行的动作")
def petition_actions(request: HttpRequest, petition_id: int):
    petition = visible_petitions(request.user).filter(pk=petition_id).first()
    if petition is None:
        raise NotFound("信访事项不存在")
    return [{"name": a.name, "label": a.label, "help": a.help} for a in services.available_actions(request.user, petition)]


class UnlinkIn(s.Schema):
    reason: str


@api.post("/petitions/{petition_id}/related/{related_id}/dismiss", response={200: s.PetitionOut, **ERRORS},
          tags=["信访事项"], summary="认定不是同一事项（领导、代办服务中心），撤销重复信访关联")
def petition_unlink(request: HttpRequest, petition_id: int, related_id: int, payload: UnlinkIn):
    services.petition_unlink(petition_id=petition_id, related_id=related_id, user=request.user, reason=payload.reason)
    return _detail(request, petition_id)


def _register_petition_action(name: str, body: type) -> None:
    def view(request: HttpRequest, petition_id: int, payload: body):  # type: ignore[valid-type]
        services.petition_act(petition_id=petition_id, action=name, user=request.user,
                              data=payload.dict(exclude_unset=True))
        return _detail(request, petition_id)

    view.__name__ = f"petition_action_{name}"
    act = ACTIONS[name]
    api.post(f"/petitions/{{petition_id}}/actions/{name}", response={200: s.PetitionOut, **ERRORS},
             tags=["办理"], summary=act.label, description=act.help, operation_id=f"petition_{name}")(view)


def _register_disposition_action(name: str, body: type) -> None:
    def view(request: HttpRequest, disposition_id: int, payload: body):  # type: ignore[valid-type]
        disposition = services.disposition_act(disposition_id=disposition_id, action=name, user=request.user,
                                               data=payload.dict(exclude_unset=True))
        return _detail(request, disposition.petition_id)

    view.__name__ = f"disposition_action_{name}"
    act = DISPOSITION_ACTIONS[name]
    api.post(f"/dispositions/{{disposition_id}}/actions/{name}", response={200: s.PetitionOut, **ERRORS},
             tags=["处置单"], summary=act.label, description=act.help, operation_id=f"disposition_{name}")(view)


for _name, _body in s.ACTION_BODIES.items():
    _register_petition_action(_name, _body)
for _name, _body in s.DISPOSITION_BODIES.items():
    _register_disposition_action(_name, _body)
