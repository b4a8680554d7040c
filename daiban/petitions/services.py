"""Every write to a petition. Each public function runs in one transaction and appends events.

Concurrency: an action locks the petition row (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers) and re-checks the workflow on the locked row, so of
two people acting at once one wins and the other is told (409); nothing is lost.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from daiban.lib import crypto
from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound
from daiban.lib.identity import InvalidValue, normalize_id_number, normalize_phone
from daiban.org.models import Agent, Department, Station, User
from daiban.petitions import deadlines, eligibility, guards, indexing
from daiban.petitions.models import (
    PETITIONER_ACTOR,
    Category,
    Channel,
    Contact,
    ContactMethod,
    Disposition,
    DoubleInvestigation,
    Event,
    NumberSequence,
    Petition,
    Petitioner,
    Review,
    Satisfaction,
    Source,
    Status,
    Track,
    Urging,
)
from daiban.petitions.permissions import actor_kinds, visible_dispositions, visible_petitions
from daiban.petitions.workflow import ACTIONS, DISPOSITION_ACTIONS, EXCLUSIONS, SCREEN_OUTCOMES, Action

logger = logging.getLogger(__name__)
_QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def today() -> datetime.date:
    return timezone.localdate()


# --- small validators: each raises Invalid naming the field --------------------------------------

def _text(data: dict, key: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise Invalid.of({key: f"请填写{label}"})
    if len(value) > max_length:
        raise Invalid.of({key: f"{label}不能超过{max_length}字"})
    return value


def _choice(data: dict, key: str, label: str, choices, *, required: bool = True, default: str = "") -> str:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise Invalid.of({key: f"请选择{label}"})
        return default
    allowed = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in allowed:
        raise Invalid.of({key: f"{label}的取值无效，可选：{'、'.join(allowed)}"})
    return value


def _date(data: dict, key: str, label: str, *, required: bool = True, default: datetime.date | None = None):
    value = data.get(key)
    if value in (None, ""):
        if required and default is None:
            raise Invalid.of({key: f"请填写{label}"})
        return default
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid.of({key: f"{label}应为YYYY-MM-DD格式的日期"}) from exc


def _event_date(data: dict, petition: Petition) -> datetime.date:
    """The `on` date of an action: today by default, for paper work entered afterwards an earlier
    day, but never in the future and never before the petition's previous event."""
    on = _date(data, "on", "办理日期", default=today())
    if on > today():
        raise Invalid.of({"on": "办理日期不能晚于今天"})
    floor = petition.last_event_on or petition.received_on
    if on < floor:
        raise Invalid.of({"on": f"办理日期不能早于上一次办理日期（{floor:%Y-%m-%d}）"})
    return on


def _bool(data: dict, key: str, label: str, *, default: bool | None = None) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if value is None:
        raise Invalid.of({key: f"请选择{label}"})
    raise Invalid.of({key: f"{label}应为是或否"})


# --- intake ---------------------------------------------------------------------------------------

@dataclass
class IntakeResult:
    petition: Petition
    created: bool


def _petitioner_fields(raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    data = raw if isinstance(raw, dict) else {}
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["petitioner.name"] = "请填写信访人姓名"
    elif len(name) > 50:
        errors["petitioner.name"] = "信访人姓名不能超过50字"
    values["name"] = name
    for key, normalize in (("id_number", normalize_id_number), ("phone", normalize_phone)):
        try:
            values[key] = normalize(str(data.get(key) or ""))
        except InvalidValue as exc:
            errors[f"petitioner.{key}"] = str(exc)
    values["address"] = str(data.get("address") or "").strip()[:200]
    return values, errors


def _validate_intake(data: dict) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, label, choices in (("channel", "渠道", Channel.choices), ("source", "来源", Source.choices)):
        try:
            clean[key] = _choice(data, key, label, choices)
        except Invalid as exc:
            errors.update(exc.fields)
    try:
        clean["received_on"] = _date(data, "received_on", "收到日期", default=today())
        if clean["received_on"] > today():
            errors["received_on"] = "收到日期不能晚于今天"
    except Invalid as exc:
        errors.update(exc.fields)
    try:
        clean["content"] = _text(data, "content", "反映的问题及诉求", max_length=10000)
    except Invalid as exc:
        errors.update(exc.fields)
    external = data.get("external_id")
    clean["external_id"] = str(external).strip()[:100] if external not in (None, "") else None
    judicial = data.get("in_judicial_proceedings", False)
    if not isinstance(judicial, bool):
        errors["in_judicial_proceedings"] = "是否已进入司法程序应为是或否"
    clean["in_judicial_proceedings"] = bool(judicial)
    try:
        clean["category"] = _category(data)
    except Invalid as exc:
        errors.update(exc.fields)
    clean["petitioner"], petitioner_errors = _petitioner_fields(data.get("petitioner"))
    errors.update(petitioner_errors)
    if errors:
        raise Invalid.of(errors)
    return clean


def validate_intake(data: dict) -> None:
    """Check intake data without saving anything (pages show every problem at once)."""
    _validate_intake(data)


def _category(data: dict) -> str:
    """A name from the managed list (内容分类), or blank."""
    name = str(data.get("category") or "").strip()
    if name and not Category.objects.filter(name=name, active=True).exists():
        choices = "、".join(Category.objects.filter(active=True).values_list("name", flat=True))
        raise Invalid.of({"category": f"内容分类应为：{choices}"})
    return name


def _intake_station(user: User | None, data: dict) -> Station:
    station_id = data.get("station_id")
    if station_id:
        station = Station.objects.filter(pk=station_id).first()
        if station is None:
            raise Invalid.of({"station_id": "代办机构不存在"})
        return station
    if user is not None and user.station_id:
        return user.station
    station = Station.objects.filter(code=settings.DAIBAN_DEFAULT_STATION).first() or Station.objects.first()
    if station is None:
        raise Invalid.of({"station_id": "系统中还没有代办机构，请先在管理后台添加"})
    return station


def _next_number(received_on: datetime.date) -> str:
    """The next number of the year. The sequence row stays locked until the intake commits, so a
    rolled-back intake gives its number back: numbers have no gaps."""
    prefix = settings.DAIBAN_NUMBER_PREFIX
    NumberSequence.objects.bulk_create(
        [NumberSequence(prefix=prefix, year=received_on.year, last=0)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=received_on.year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{received_on.year}-{sequence.last:06d}"


def _upsert_petitioner(values: dict[str, str]) -> Petitioner:
    id_hash = crypto.lookup_hash(values["id_number"])
    petitioner = Petitioner.objects.filter(id_hash=id_hash).first()
    if petitioner is None:
        petitioner = Petitioner(id_hash=id_hash, id_number_enc=crypto.encrypt(values["id_number"]))
    petitioner.name = values["name"]
    petitioner.phone_enc = crypto.encrypt(values["phone"])
    petitioner.phone_hash = crypto.lookup_hash(values["phone"])
    if values["address"]:
        petitioner.address = values["address"]
    petitioner.save()
    return petitioner


def petition_intake(*, data: dict, user: User | None, agent: Agent | None = None) -> IntakeResult:
    """登记: a new petition from any channel. The same source + external_id twice is the same petition."""
    clean = _validate_intake(data)
    station = _intake_station(user, data)
    with transaction.atomic():
        number = _next_number(clean["received_on"])  # also serialises intakes: see _next_number
        if clean["external_id"]:
            existing = Petition.objects.filter(source=clean["source"], external_id=clean["external_id"]).first()
            if existing is not None:
                transaction.set_rollback(True)  # give the number back
                return IntakeResult(existing, False)
        petition = Petition.objects.create(
            number=number,
            query_code="".join(secrets.choice(_QUERY_ALPHABET) for _ in range(10)),
            channel=clean["channel"], source=clean["source"], external_id=clean["external_id"],
            received_on=clean["received_on"], petitioner=_upsert_petitioner(clean["petitioner"]),
            content=clean["content"], category=clean["category"],
            in_judicial_proceedings=clean["in_judicial_proceedings"], station=agent.station if agent else station,
            national_forward_due_on=deadlines.statutory(clean["received_on"], deadlines.NATIONAL_FORWARD_DAYS),
            last_event_on=clean["received_on"], created_by=user,
        )
        indexing.petition_added(petition)  # features, same-matter links, LSH keys, search entry
        note = f"{Channel(petition.channel).label}，{Source(petition.source).label}"
        if agent is not None:
            note += f"；信访人选择代办员 {agent.name}"
        _append(petition, user, "intake", "", Status.RECEIVED, clean["received_on"], note,
                {"chosen_agent_id": agent.pk} if agent else {})
        _notifications().on_intake(petition)
    return IntakeResult(petition, True)


def _notifications():
    # Imported late: notifications reads petitions' models, and petitions calls it after each action.
    from daiban.notifications import services as notifications

    return notifications


def petition_intake_or_existing(*, data: dict, user: User | None, agent: Agent | None = None) -> IntakeResult:
    """Intake, tolerating the race of two identical external submissions on PostgreSQL."""
    try:
        return petition_intake(data=data, user=user, agent=agent)
    except IntegrityError:
        existing = Petition.objects.filter(source=data.get("source"), external_id=data.get("external_id")).first()
        if existing is None:
            raise
        return IntakeResult(existing, False)


# --- events ---------------------------------------------------------------------------------------

def _append(petition: Petition, user: User | None, action: str, from_status: str, to_status: str,
            on: datetime.date, note: str = "", data: dict | None = None) -> Event:
    # No user here means the petitioner acting through the portal.
    return Event.record(petition, action, actor=user, actor_name=PETITIONER_ACTOR, on=on, note=note, data=data,
                        from_status=from_status, to_status=to_status)


# --- the action dispatcher ------------------------------------------------------------------------

@dataclass
class Ctx:
    petition: Petition
    user: User
    on: datetime.date
    data: dict
    kinds: frozenset[str]


Handler = Callable[[Ctx], tuple[str | None, str, dict]]  # → (new status or None, note, event data)
_HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def _check_allowed(act: Action, petition: Petition, kinds: frozenset[str], state: str) -> None:
    if not kinds & act.actors:
        raise Forbidden(f"您没有权限执行“{act.label}”", code="forbidden")
    if state not in act.sources:
        raise Conflict(
            f"当前状态下不能执行“{act.label}”", code="not_allowed",
            extra={"current_status": state},
        )
    for name in act.guards:
        problem = guards.GUARDS[name](petition)
        if problem is not None:
            raise problem


def _lock_petition(user: User, petition_id: int) -> Petition:
    petition = visible_petitions(user).select_for_update().filter(pk=petition_id).first()
    if petition is None:
        raise NotFound("信访事项不存在")
    return petition


def _check_version(data: dict, petition: Petition) -> None:
    expected = data.get("version")
    if expected not in (None, "") and str(expected) != str(petition.version):
        raise Conflict("该事项刚被他人办理过，请刷新后查看最新情况再操作", code="stale")


def petition_act(*, petition_id: int, action: str, user: User | None, data: dict,
                 as_petitioner: bool = False) -> Petition:
    """Fire a workflow action on a petition. `as_petitioner`: the petitioner acting through the
    public portal (user None); only actions whose actors include "petitioner" are possible."""
    act = ACTIONS.get(action)
    if act is None:
        raise NotFound("没有这个办理动作")
    with transaction.atomic():
        if as_petitioner:
            petition = Petition.objects.select_for_update().get(pk=petition_id)
            kinds = frozenset({"petitioner"})
        else:
            petition = _lock_petition(user, petition_id)
            kinds = actor_kinds(user, petition)
        _check_version(data, petition)
        _check_allowed(act, petition, kinds, petition.status)
        on = _event_date(data, petition)
        before = petition.status
        new_status, note, event_data = _HANDLERS[action](Ctx(petition, user, on, data, kinds))
        if new_status:
            petition.status = new_status
        petition.last_event_on = on
        petition.version += 1
        petition.save()
        _append(petition, user, action, before, petition.status, on, note, event_data)
        if action == "conclude":
            indexing.text_changed(petition.pk)  # the result's words are searched too
        _notifications().on_action(petition, action, event_data)
        if action == "archive":
            _freeze_archive(petition.pk)
    return petition


def _freeze_archive(petition_id: int) -> None:
    """一案一档: build and keep the case file as it is at archiving. Without the PDF libraries
    (Pango) the petition is still archived and the file is frozen at its first download."""
    from daiban.documents.services import archive_freeze

    try:
        with transaction.atomic():
            archive_freeze(petition_id)
    except (ImportError, OSError):
        logger.warning("archive of petition %s not frozen now: PDF rendering unavailable", petition_id)


def available_actions(user: User, petition: Petition) -> list[Action]:
    kinds = actor_kinds(user, petition)
    found = []
    for act in ACTIONS.values():
        allowed = petition.status in act.sources and kinds & act.actors
        if allowed and all(guards.GUARDS[g](petition) is None for g in act.guards):
            found.append(act)
    return found


def available_disposition_actions(user: User, petition: Petition, disposition: Disposition) -> list[Action]:
    kinds = actor_kinds(user, petition, disposition)
    return [
        act for act in DISPOSITION_ACTIONS.values()
        if disposition.status in act.sources and kinds & act.actors
        and all(guards.GUARDS[g](petition) is None for g in act.guards)
    ]


# --- handlers: one per action of workflow.ACTIONS -------------------------------------------------

@handles("screen")
def _screen(ctx: Ctx) -> tuple[str, str, dict]:
    p, data = ctx.petition, ctx.data
    outcome = _choice(data, "outcome", "甄别结果", list(SCREEN_OUTCOMES))
    p.screened_on = ctx.on
    if data.get("category"):
        p.category = _category(data)
    p.notification = _choice(data, "notification", "告知方式", ["oral", "written"], required=False)
    if outcome == "direct_reply":
        p.reply = _text(data, "reply", "答复内容")
    elif outcome in ("legal_channel", "guided"):
        p.reply = _text(data, "reply", "说明", required=False)
    elif outcome == "declined":
        p.decline_reason = _choice(data, "reason", "不予代办原因", list(EXCLUSIONS))
        p.reply = _text(data, "reply", "解释说明", required=False)
    else:
        _accept(ctx)
        return Status.ACCEPTED, f"受理代办，代办员 {p.agent.name}", {"agent_id": p.agent_id, "outcome": outcome}
    note = p.reply or (EXCLUSIONS.get(p.decline_reason, "") if outcome == "declined" else "")
    return SCREEN_OUTCOMES[outcome], note, {"outcome": outcome, "reason": p.decline_reason}


def _accept(ctx: Ctx) -> None:
    p, data = ctx.petition, ctx.data
    reasons = eligibility.exclusions(p)
    if reasons:
        raise Conflict(
            "该事项不予代办：" + "；".join(r.message for r in reasons), code="not_eligible",
            extra={"reasons": [{"code": r.code, "petition": r.petition.pk if r.petition else None} for r in reasons]},
        )
    agent_id = data.get("agent_id")
    if agent_id in (None, ""):
        raise Invalid.of({"agent_id": "请指定代办员"})
    agent = Agent.objects.filter(pk=agent_id, active=True).first() if str(agent_id).isdigit() else None
    if agent is None:
        raise Invalid.of({"agent_id": "代办员不存在或已不在岗"})
    p.agent = agent
    p.agent_chosen_by = _choice(data, "agent_chosen_by", "代办员产生方式", ["designated", "petitioner"],
                                required=False, default="designated")
    p.accepted_on = ctx.on
    p.national_due_on = deadlines.statutory(ctx.on, deadlines.NATIONAL_HANDLING_DAYS)


def _departments(data: dict) -> list[Department]:
    ids = data.get("departments")
    if not isinstance(ids, list) or not ids:
        raise Invalid.of({"departments": "请选择至少一个事权单位"})
    if not all(isinstance(i, int) or (isinstance(i, str) and i.isdigit()) for i in ids):
        raise Invalid.of({"departments": "事权单位应为编号列表"})
    wanted = {int(i) for i in ids}
    found = list(Department.objects.filter(pk__in=wanted, active=True))
    if len(found) != len(wanted):
        raise Invalid.of({"departments": "有事权单位不存在或已停用"})
    return sorted(found, key=lambda d: d.pk)


@handles("route")
def _route(ctx: Ctx) -> tuple[str, str, dict]:
    p, data = ctx.petition, ctx.data
    departments = _departments(data)
    track = _choice(data, "track", "办理类别", Track.choices, required=not p.track, default=p.track)
    busy = set(p.dispositions.exclude(status="answered").values_list("department_id", flat=True))
    if busy.intersection(d.pk for d in departments):
        raise Invalid.of({"departments": "所选单位已有未办结的处置单，不能重复流转"})
    proposed = _text(data, "proposed_handling", "拟办意见", required=False)
    if track != p.track or p.due_on is None:
        p.track = track
        if track == Track.STANDARD:
            deadlines.set_workday_deadline(p, ctx.on, deadlines.BUREAU_WORKDAYS[Track.STANDARD])
        elif not p.solution_determined_on:
            p.due_from = p.due_workdays = p.due_on = None
    if proposed:
        p.proposed_handling = proposed
    count = p.dispositions.count()
    for offset, department in enumerate(departments, start=1):
        disposition = Disposition(
            petition=p, department=department, station_id=p.station_id,
            number=f"{p.number}-{count + offset:02d}", routed_on=ctx.on,
            proposed_handling=proposed,
        )
        if track == Track.STANDARD:
            deadlines.set_workday_deadline(disposition, ctx.on, deadlines.BUREAU_WORKDAYS[Track.STANDARD])
        elif p.due_on:
            _copy_deadline(p, disposition)
        disposition.save()
    names = "、".join(d.name for d in departments)
    return Status.IN_PROGRESS, f"流转至 {names}（{Track(track).label}）", {
        "departments": [d.pk for d in departments], "track": track}


def _copy_deadline(src: Petition, dst: Disposition) -> None:
    dst.due_from, dst.due_workdays, dst.due_on, dst.due_provisional = (
        src.due_from, src.due_workdays, src.due_on, src.due_provisional)


@handles("determine_solution")
def _determine_solution(ctx: Ctx) -> tuple[None, str, dict]:
    p, data = ctx.petition, ctx.data
    determined = _date(data, "determined_on", "方案确定日期", default=ctx.on)
    if determined > today():
        raise Invalid.of({"determined_on": "方案确定日期不能晚于今天"})
    if p.accepted_on and determined < p.accepted_on:
        raise Invalid.of({"determined_on": "方案确定日期不能早于受理日期"})
    convened = data.get("convened_by") or ""
    if p.track == Track.MAJOR:
        convened = _choice(data, "convened_by", "会商召集人（旗委书记或旗长）", ["banner_secretary", "banner_head"])
    elif convened:
        convened = _choice(data, "convened_by", "会商召集人", ["banner_secretary", "banner_head"])
    p.solution_determined_on, p.convened_by = determined, convened
    deadlines.set_workday_deadline(p, determined, deadlines.BUREAU_WORKDAYS[p.track])
    for disposition in p.dispositions.exclude(status="answered"):
        _copy_deadline(p, disposition)
        disposition.save(update_fields=["due_from", "due_workdays", "due_on", "due_provisional"])
    label = {"banner_secretary": "旗委书记", "banner_head": "旗长"}.get(convened, "")
    note = f"{'经' + label + '召集会商，' if label else ''}{determined:%Y-%m-%d} 确定解决方案，办结时限 {p.due_on:%Y-%m-%d}"
    return None, note, {"determined_on": determined.isoformat(), "due_on": p.due_on.isoformat()}


@handles("escalate")
def _escalate(ctx: Ctx) -> tuple[str, str, dict]:
    to = _choice(ctx.data, "to", "上报对象", ["center", "joint_office"])
    reason = _text(ctx.data, "reason", "上报理由")
    ctx.petition.escalated_to = to
    label = {"center": "旗信访代办服务中心", "joint_office": "旗信访联席办"}[to]
    return Status.ESCALATED, f"上报{label}：{reason}", {"to": to}


def _disposition_of(petition: Petition, data: dict) -> Disposition:
    raw = data.get("disposition_id")
    if raw in (None, ""):
        raise Invalid.of({"disposition_id": "请选择处置单"})
    disposition = petition.dispositions.filter(pk=raw).first() if str(raw).isdigit() else None
    if disposition is None:
        raise Invalid.of({"disposition_id": "处置单不属于该信访事项"})
    return disposition


@handles("urge")
def _urge(ctx: Ctx) -> tuple[None, str, dict]:
    disposition = _disposition_of(ctx.petition, ctx.data)
    if disposition.status == "answered":
        raise Conflict("该单位已办理完毕，无需催办", code="not_allowed")
    note = _text(ctx.data, "note", "催办内容", required=False)
    Urging.objects.create(disposition=disposition, on=ctx.on, note=note, by=ctx.user)
    return None, f"催办 {disposition.department.name}" + (f"：{note}" if note else ""), {"disposition_id": disposition.pk}


@handles("contact")
def _contact(ctx: Ctx) -> tuple[None, str, dict]:
    method = _choice(ctx.data, "method", "联系方式", ContactMethod.choices)
    note = _text(ctx.data, "note", "联系内容", required=False)
    Contact.objects.create(petition=ctx.petition, method=method, on=ctx.on, note=note, by=ctx.user)
    return None, f"{ContactMethod(method).label}联系信访人" + (f"：{note}" if note else ""), {"method": method}


@handles("extend")
def _extend(ctx: Ctx) -> tuple[None, str, dict]:
    p = ctx.petition
    days = ctx.data.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= deadlines.NATIONAL_MAX_EXTENSION:
        raise Invalid.of({"days": f"延长天数应为1至{deadlines.NATIONAL_MAX_EXTENSION}的整数"})
    p.extension_reason = _text(ctx.data, "reason", "延期理由")
    p.national_extension_days = days
    start = p.accepted_on or p.received_on
    p.national_due_on = deadlines.statutory(start, deadlines.NATIONAL_HANDLING_DAYS + days)
    return None, f"延长办理期限{days}日：{p.extension_reason}", {"days": days}


@handles("conclude")
def _conclude(ctx: Ctx) -> tuple[str, str, dict]:
    p = ctx.petition
    p.result = _text(ctx.data, "result", "代理结果")
    p.concluded_on = ctx.on
    on_time = p.due_on is None or ctx.on <= p.due_on
    return Status.CONCLUDED, p.result, {"on_time": on_time}


@handles("feedback")
def _feedback(ctx: Ctx) -> tuple[str, str, dict]:
    p = ctx.petition
    p.feedback_method = _choice(ctx.data, "method", "反馈方式", ContactMethod.choices)
    p.satisfaction = _choice(ctx.data, "satisfaction", "信访人意见", Satisfaction.choices)
    p.feedback_on, p.rated_by_petitioner = ctx.on, False
    p.review_request_due_on = deadlines.statutory(ctx.on, deadlines.REVIEW_REQUEST_DAYS)
    note = f"{ContactMethod(p.feedback_method).label}反馈办理结果，信访人意见：{Satisfaction(p.satisfaction).label}"
    return Status.FEEDBACK_GIVEN, note, {"satisfaction": p.satisfaction, "method": p.feedback_method}


@handles("request_review")
def _request_review(ctx: Ctx) -> tuple[str, str, dict]:
    p = ctx.petition
    expected = guards.next_review_level(p)
    level = _choice(ctx.data, "level", "申请类别", Review.Level.choices)
    if level != expected:
        message = "须先申请复查，复查决定后才能申请复核" if level == Review.Level.RE_REVIEW else "复查已申请过，请申请复核"
        raise Conflict(message, code="not_allowed")
    requested = _date(ctx.data, "requested_on", "申请日期", default=ctx.on)
    if requested > today() or (p.feedback_on and requested < p.feedback_on):
        raise Invalid.of({"requested_on": "申请日期应在反馈之后、不晚于今天"})
    if p.review_request_due_on and requested > p.review_request_due_on:
        raise Conflict(
            f"已超过申请{Review.Level(level).label}的30日期限（截至{p.review_request_due_on:%Y-%m-%d}）",
            code="review_window_closed",
        )
    review = Review.objects.create(
        petition=p, level=level, requested_on=requested,
        answer_due_on=deadlines.statutory(requested, deadlines.REVIEW_ANSWER_DAYS),
    )
    note = f"信访人申请{review.get_level_display()}，应于 {review.answer_due_on:%Y-%m-%d} 前答复"
    return Status.UNDER_REVIEW, note, {"level": level, "review_id": review.pk}


@handles("decide_review")
def _decide_review(ctx: Ctx) -> tuple[str, str, dict]:
    p = ctx.petition
    review = p.reviews.filter(decided_on__isnull=True).order_by("-id").first()
    if review is None:
        raise Conflict("没有待决定的复查复核申请", code="not_allowed")
    upheld = _bool(ctx.data, "upheld", "是否有理")
    review.note = _text(ctx.data, "note", "复查复核意见", required=False)
    review.upheld, review.decided_on = upheld, ctx.on
    label = review.get_level_display()
    if upheld:
        due = _date(ctx.data, "due_on", "限期化解日期")
        if due < ctx.on:
            raise Invalid.of({"due_on": "限期化解日期不能早于决定日期"})
        review.save()
        deadlines.set_fixed_deadline(p, ctx.on, due)
        # Handled again: the earlier conclusion, feedback and the petitioner's rating no longer stand.
        p.concluded_on, p.satisfaction, p.feedback_on, p.rated_by_petitioner = None, "", None, False
        DoubleInvestigation.objects.create(petition=p, review=review, opened_on=ctx.on, note=review.note)
        note = f"{label}认为申请有理，按“三到位一处理”限期 {due:%Y-%m-%d} 前化解，启动“一案双查”"
        return Status.IN_PROGRESS, note, {"upheld": True, "level": review.level, "due_on": due.isoformat()}
    review.save()
    if review.level == Review.Level.REVIEW:
        p.review_request_due_on = deadlines.statutory(ctx.on, deadlines.REVIEW_REQUEST_DAYS)
        return Status.FEEDBACK_GIVEN, f"{label}维持原处理意见" + (f"：{review.note}" if review.note else ""), {
            "upheld": False, "level": review.level}
    _terminate(p, ctx.on)
    p.three_level_terminated = True
    return Status.TERMINATED, "复核维持原处理意见，信访事项三级终结", {"upheld": False, "level": review.level}


def _terminate(p: Petition, on: datetime.date) -> None:
    p.terminated_on = on
    p.follow_up_due_on = deadlines.statutory(on, deadlines.FOLLOW_UP_DAYS)


@handles("terminate")
def _terminate_action(ctx: Ctx) -> tuple[str, str, dict]:
    p = ctx.petition
    note = _text(ctx.data, "note", "终结说明", required=False)
    p.three_in_place = _bool(ctx.data, "three_in_place", "是否已落实三到位一处理", default=False)
    _terminate(p, ctx.on)
    return Status.TERMINATED, note or "信访事项终结", {"follow_up_due_on": p.follow_up_due_on.isoformat()}


@handles("follow_up")
def _follow_up(ctx: Ctx) -> tuple[str, str, dict]:
    p = ctx.petition
    visited = _date(ctx.data, "visited_on", "回访日期", default=ctx.on)
    if visited > today() or (p.terminated_on and visited < p.terminated_on):
        raise Invalid.of({"visited_on": "回访日期应在终结之后、不晚于今天"})
    p.followed_up_on = visited
    p.follow_up_note = _text(ctx.data, "note", "回访情况", required=False)
    p.rebound = _bool(ctx.data, "rebound", "是否反弹回流", default=False)
    within = p.follow_up_due_on is None or visited <= p.follow_up_due_on
    note = (p.follow_up_note or "终结回访") + ("；存在反弹回流风险" if p.rebound else "")
    return Status.FOLLOWED_UP, note, {"visited_on": visited.isoformat(), "rebound": p.rebound, "within_limit": within}


@handles("archive")
def _archive(ctx: Ctx) -> tuple[str, str, dict]:
    ctx.petition.archived_on = ctx.on
    return Status.ARCHIVED, "一案一档，整理归档", {}


# --- correcting the same-matter check --------------------------------------------------------------

def petition_unlink(*, petition_id: int, related_id: int, user: User, reason: str) -> Petition:
    """A leader rules that an earlier petition is not the same matter after all (the similarity
    check is a heuristic). The link goes; the ruling stays on the timeline with who and why."""
    reason = _text({"reason": reason}, "reason", "理由", max_length=500)
    with transaction.atomic():
        petition = _lock_petition(user, petition_id)
        if not actor_kinds(user, petition) & {"station_leader", "center", "admin"}:
            raise Forbidden("只有带班、分管、主要领导或代办服务中心可以认定不是同一事项")
        link = petition.links.select_related("related").filter(related_id=related_id).first()
        if link is None:
            raise NotFound("没有这条同一事项关联")
        number = link.related.number
        link.delete()
        petition.version += 1
        petition.save(update_fields=["version", "updated_at"])
        _append(petition, user, "unlink", petition.status, petition.status, today(),
                f"认定与 {number} 不是同一事项：{reason}", {"related_id": related_id})
    return petition


# --- disposition actions --------------------------------------------------------------------------

def disposition_act(*, disposition_id: int, action: str, user: User, data: dict) -> Disposition:
    act = DISPOSITION_ACTIONS.get(action)
    if act is None:
        raise NotFound("没有这个办理动作")
    with transaction.atomic():
        found = visible_dispositions(user).filter(pk=disposition_id).values_list("petition_id", flat=True).first()
        if found is None:
            raise NotFound("处置单不存在")
        petition = Petition.objects.select_for_update().get(pk=found)
        disposition = Disposition.objects.select_related("department").get(pk=disposition_id)
        _check_version(data, petition)
        kinds = actor_kinds(user, petition, disposition)
        _check_allowed(act, petition, kinds, disposition.status)
        on = _event_date(data, petition)
        note = _DISPOSITION_HANDLERS[action](disposition, user, on, data, kinds)
        disposition.save()
        petition.last_event_on = on
        petition.version += 1
        petition.save(update_fields=["last_event_on", "version", "updated_at"])
        _append(petition, user, f"disposition_{action}", petition.status, petition.status, on,
                f"{disposition.department.name}：{note}", {"disposition_id": disposition.pk})
        disposition.petition = petition
        if action == "result":
            indexing.text_changed(petition.pk)
        _notifications().on_disposition_action(disposition, action)
    return disposition


def _receive(d: Disposition, user: User, on: datetime.date, data: dict, kinds: frozenset[str]) -> str:
    d.status, d.received_on = "received", on
    return "签收处置单"


def _opinion(d: Disposition, user: User, on: datetime.date, data: dict, kinds: frozenset[str]) -> str:
    role = _choice(data, "role", "意见类别", ["leader_in_charge", "principal"])
    if not kinds & {role, "center", "admin"}:
        label = "分管领导" if role == "leader_in_charge" else "主要领导"
        raise Forbidden(f"只有{label}可以签署这一栏", code="forbidden")
    text = _text(data, "text", "意见内容")
    if role == "leader_in_charge":
        d.leader_opinion, d.leader_opinion_by, d.leader_opinion_on = text, user, on
        return f"分管领导处理意见：{text}"
    d.principal_instruction, d.principal_by, d.principal_on = text, user, on
    return f"领导批示：{text}"


def _result(d: Disposition, user: User, on: datetime.date, data: dict, kinds: frozenset[str]) -> str:
    d.result = _text(data, "result", "处理结果")
    d.status, d.result_on = "answered", on
    if d.received_on is None:
        d.received_on = on
    return f"处理结果：{d.result}"


_DISPOSITION_HANDLERS = {"receive": _receive, "opinion": _opinion, "result": _result}
