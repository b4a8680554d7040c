"""办理: routing to the departments, the solution of a multi-department or major matter, escalation,
urging, contact with the petitioner, the regulation's extension, and the conclusion."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Invalid
from daiban.lib.validation import Id, PlausibleDate
from daiban.org.models import Department
from daiban.petitions import deadlines
from daiban.petitions.actions.base import (
    ActionInput,
    Choices,
    Ctx,
    Field,
    OptionalText,
    Outcome,
    Text,
    petition_action,
    ui,
)
from daiban.petitions.actions.escalation import center_takes_over
from daiban.petitions.choices import ContactMethod, Convener, EscalationTarget, Status, Track
from daiban.petitions.models import Contact, Disposition, Escalation, Petition, Urging
from daiban.petitions.workflow import CASE, OPEN, OPEN_DISPOSITION

S = Status


def department_choices(petition: Petition, kinds: frozenset[str] = frozenset(), disposition: Disposition | None = None) -> Choices:
    return list(Department.objects.filter(active=True).values_list("id", "name"))


def route_department_choices(petition: Petition, kinds: frozenset[str] = frozenset(), disposition: Disposition | None = None) -> Choices:
    """The departments the petition may still be routed to: not one that holds an open 处置单 of it,
    which `route` refuses (每个单位一张处置单)."""
    busy = {d.department_id for d in petition.dispositions.all() if d.status in OPEN_DISPOSITION}
    return [(pk, name) for pk, name in department_choices(petition) if pk not in busy]


def open_disposition_choices(petition: Petition, kinds: frozenset[str] = frozenset(), disposition: Disposition | None = None) -> Choices:
    return [(d.pk, f"{d.number} {d.department.name}") for d in petition.dispositions.all() if d.status in OPEN_DISPOSITION]


def copy_deadline(src: Petition, dst: Disposition) -> None:
    dst.due_from, dst.due_workdays, dst.due_on, dst.due_provisional = (
        src.due_from, src.due_workdays, src.due_on, src.due_provisional)


def _keep_extensions(p: Petition, d: Disposition, start: datetime.date) -> bool:
    """A solution (re)determined while a 处置单 is open keeps that 处置单's approved extensions: its
    date is the solution's working days plus the extensions' from the same start (held to the
    statutory limit, deadlines.disposition_deadline), when that is later than the date just set.
    Otherwise entering the solution again would silently take back an extension the department was
    granted and the petitioner may have been told of. True when the date moved."""
    extra = sum(d.extension_requests.filter(approved=True).values_list("workdays", flat=True))
    if not extra or d.due_on is None or p.track not in deadlines.BUREAU_WORKDAYS:
        return False
    before = (d.due_from, d.due_workdays, d.due_on, d.due_provisional)
    deadlines.disposition_deadline(d, p, start, deadlines.BUREAU_WORKDAYS[p.track] + extra)
    if d.due_on is None or d.due_on <= before[2]:
        d.due_from, d.due_workdays, d.due_on, d.due_provisional = before
        return False
    return True


class RouteIn(ActionInput):
    departments: Annotated[list[Id], ui("multiselect", label="事权单位（可多选）", choices=route_department_choices)] = Field(
        title="事权单位", max_length=50)
    track: Annotated[Track | None, ui("radio", required=lambda p: not p.track, initial=lambda p: p.track)] = Field(
        None, title="办理类别")
    proposed_handling: Annotated[OptionalText, ui("textarea")] = Field("", title="拟办意见")
    complained_department: Annotated[Id | None, ui(
        "select", empty="（无）", choices=department_choices, initial=lambda p: p.complained_department_id,
        help="反映的问题涉及的单位本身；该单位经办人看不到信访人的姓名、住址、身份证号和电话")] = Field(
        None, title="被反映单位")


@petition_action(
    "route", "流转事权单位", sources={S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED}, targets=(S.IN_PROGRESS,),
    actors=CASE, guards=("department_free",), help="向职能部门、苏木镇流转，每个单位一张处置单",
)
def route(ctx: Ctx, data: RouteIn) -> Outcome:
    p = ctx.petition
    if not data.departments:
        raise Invalid.of({"departments": "请选择至少一个事权单位"})
    wanted = set(data.departments)
    chosen = sorted(Department.objects.filter(pk__in=wanted, active=True), key=lambda d: d.pk)
    if len(chosen) != len(wanted):
        raise Invalid.of({"departments": "有事权单位不存在或已停用"})
    track = data.track or p.track
    if not track:
        raise Invalid.of({"track": "请选择办理类别"})
    busy = set(p.dispositions.filter(status__in=OPEN_DISPOSITION).values_list("department_id", flat=True))
    if busy.intersection(d.pk for d in chosen):
        raise Invalid.of({"departments": "所选单位已有未办结的处置单，不能重复流转"})
    # Stated (the page always posts it, "（无）" as empty): set or cleared; not stated (an API call
    # without it): kept. A change is in the event, so who named which unit stays on record.
    complained_note = ""
    if "complained_department" in data.model_fields_set and data.complained_department != p.complained_department_id:
        named = None
        if data.complained_department is not None:
            named = Department.objects.filter(pk=data.complained_department, active=True).first()
            if named is None:
                raise Invalid.of({"complained_department": "被反映单位不存在或已停用"})
        p.complained_department_id = named.pk if named else None
        complained_note = f"；被反映单位：{named.name}" if named else "；取消被反映单位"
    proposed = data.proposed_handling
    open_before = list(p.dispositions.filter(status__in=OPEN_DISPOSITION))
    capped = False
    # A date a decision fixed, told to the petitioner: every 处置单 routed under it is held to it, and
    # neither a routing nor a change of track moves or clears it.
    fixed = deadlines.decided_date(p)
    if track != p.track or p.due_on is None:
        p.track = track
        if fixed is not None:
            pass
        elif track == Track.STANDARD:
            deadlines.set_workday_deadline(p, ctx.on, deadlines.BUREAU_WORKDAYS[Track.STANDARD])
            capped = deadlines.cap_at_limit(p, p)
            # Made a standard matter while 处置单 are open under an earlier date (a solution's 30
            # working days): the matter is due when its last open 处置单 is, never before it.
            for earlier in open_before:
                deadlines.follow_disposition(p, earlier)
        elif not p.solution_determined_on:
            p.due_from = p.due_workdays = p.due_on = None
    if proposed:
        p.proposed_handling = proposed
    count = p.dispositions.count()
    moved = False
    own: list[str] = []  # why a 处置单 has working days of its own instead of the matter's date
    for offset, department in enumerate(chosen, start=1):
        disposition = Disposition(
            petition=p, department=department, station_id=p.station_id,
            number=f"{p.number}-{count + offset:02d}", routed_on=ctx.on, proposed_handling=proposed,
        )
        passed = routed_deadline(ctx, disposition, track, fixed)
        own += [passed] if passed and passed not in own else []
        # Routed again after a return, or to one more department: each has its 15 working days
        # from its own routing, and the matter is due when the last of them is (never past the
        # regulation's limit, nor past a date a decision fixed: such a date passed leaves the matter late).
        if track == Track.STANDARD and fixed is None:
            moved = deadlines.follow_disposition(p, disposition) or moved
        disposition.save()
    center_takes_over(ctx)
    names = "、".join(d.name for d in chosen)
    note = f"流转至 {names}（{Track(track).label}）"
    if capped and p.due_on:
        note += f"；办结时限以《信访工作条例》规定的办理期限 {p.due_on:%Y-%m-%d} 为限"
    if moved and p.due_on:
        note += f"；信访事项办结时限随之延至 {p.due_on:%Y-%m-%d}"
    note += "".join(own)
    recorded: dict[str, Any] = {"departments": [d.pk for d in chosen], "track": track, "petition_due_moved": moved,
                                "capped": capped, "own_workdays": bool(own)}
    if complained_note:
        recorded["complained_department"] = p.complained_department_id
    return Outcome(note + complained_note, recorded, S.IN_PROGRESS)


def routed_deadline(ctx: Ctx, d: Disposition, track: str, fixed: datetime.date | None) -> str:
    """Set a 处置单's due date at its routing on `ctx.on` and return the note when it has working days
    of its own ("" otherwise). Standard: 15 working days from routing (实施方案 七(二)), held to the
    regulation's limit and to a date a decision fixed. Multi-department or major: the matter's date.
    Never before the routing day (API.md, route): when the date it would be held to has passed, it is
    due 15 working days after its routing (the plan's limit for a department), still held to the
    regulation's limit while that is ahead (deadlines.disposition_deadline), and the matter stays late."""
    p, on, days = ctx.petition, ctx.on, deadlines.BUREAU_WORKDAYS[Track.STANDARD]
    held = fixed if track == Track.STANDARD else p.due_on
    if track != Track.STANDARD and held is None:
        return ""  # due when the solution is determined
    shared = (p.due_from, p.due_workdays, p.due_on, p.due_provisional)
    if track != Track.STANDARD:
        # The matter's date may carry another 处置单's approved extension (follow_disposition): a
        # department routed now shares the matter's own date, not that department's extra days.
        own = deadlines.own_date(p)
        if own[2] is not None and held is not None and own[2] < held:
            shared, held = own, own[2]
    if held is not None and held >= on:
        if track != Track.STANDARD:
            d.due_from, d.due_workdays, d.due_on, d.due_provisional = shared
            return ""
        passed = deadlines.disposition_deadline(d, p, on, days)
        if d.due_on is not None and d.due_on > held:
            copy_deadline(p, d)
        return deadlines.past_limit_note(passed, days) if passed else ""
    passed = deadlines.disposition_deadline(d, p, on, days)
    if passed is not None:
        return deadlines.past_limit_note(passed, days)
    if held is not None:
        return f"（原定时限 {held:%Y-%m-%d} 已过，处置单自流转之日起按{days}个工作日计）"
    return ""


class DetermineSolutionIn(ActionInput):
    HAPPENED = ("determined_on",)
    determined_on: Annotated[PlausibleDate | None, ui("date", required=lambda p: True)] = Field(
        None, title="方案确定日期")
    convened_by: Annotated[Convener | None, ui("select", empty="（多部门协同事项不需要）")] = Field(
        None, title="会商召集人")


@petition_action(
    "determine_solution", "确定解决方案", sources={S.IN_PROGRESS}, actors=CASE | {"station_leader"},
    guards=("track_needs_solution",), help="多部门协同：方案确定后30个工作日；重大事项：会商后60个工作日",
)
def determine_solution(ctx: Ctx, data: DetermineSolutionIn) -> Outcome:
    p = ctx.petition
    determined = data.determined_on or ctx.on
    if determined > today():
        raise Invalid.of({"determined_on": "方案确定日期不能晚于今天"})
    if p.accepted_on and determined < p.accepted_on:
        raise Invalid.of({"determined_on": "方案确定日期不能早于受理日期"})
    if p.track == Track.MAJOR and data.convened_by is None:
        raise Invalid.of({"convened_by": "请选择会商召集人（旗委书记或旗长）"})
    p.solution_determined_on, p.convened_by = determined, data.convened_by or ""
    # A date a decision fixed was told to the petitioner: the solution's working days never carry the
    # matter past it.
    fixed = deadlines.decided_date(p)
    kept = False
    deadlines.set_workday_deadline(p, determined, deadlines.BUREAU_WORKDAYS[p.track])
    capped = deadlines.cap_at_limit(p, p)  # the regulation's limit wins over the bureau's working days
    assert p.due_on is not None
    if fixed is not None and fixed < p.due_on:
        deadlines.set_fixed_deadline(p, p.due_from or determined, fixed)
        kept, capped = True, False
    due = p.due_on
    # The open 处置单 share the matter's date; when that date has already passed (the regulation's
    # limit, or a decided date, before the solution), each has the solution's working days of its
    # own, never a date it is late on the day it is set (deadlines.disposition_deadline).
    passed: datetime.date | None = None
    own = False
    extended: list[Disposition] = []
    for disposition in p.dispositions.filter(status__in=OPEN_DISPOSITION):
        if due >= ctx.on:
            copy_deadline(p, disposition)
        else:
            own = True
            passed = deadlines.disposition_deadline(disposition, p, determined, deadlines.BUREAU_WORKDAYS[p.track])
        if _keep_extensions(p, disposition, determined):
            extended.append(disposition)
        disposition.save(update_fields=["due_from", "due_workdays", "due_on", "due_provisional"])
    # A 处置单 now due later than the matter (its extension kept) carries the matter's date, as its
    # approval did (deadlines.follow_disposition: never past the statutory limit).
    for disposition in sorted(extended, key=lambda d: (d.due_on or datetime.date.min, d.pk)):
        deadlines.follow_disposition(p, disposition)
    if extended:
        due = p.due_on or due
    convened = f"经{Convener(data.convened_by).label}召集会商，" if data.convened_by else ""
    note = f"{convened}{determined:%Y-%m-%d} 确定解决方案，办结时限 {due:%Y-%m-%d}"
    if kept:
        note += "（此前决定的限期不变）"
    if capped:
        note += "（以《信访工作条例》规定的办理期限为限）"
    if extended:
        note += "（" + "、".join(d.department.name for d in extended) + "已批准的延期保留）"
    if own:
        note += (deadlines.past_limit_note(passed, deadlines.BUREAU_WORKDAYS[p.track]) if passed else
                 f"（该时限已过，处置单自方案确定之日起按{deadlines.BUREAU_WORKDAYS[p.track]}个工作日计）")
    return Outcome(note, {"determined_on": determined.isoformat(), "due_on": due.isoformat(), "capped": capped,
                          "own_workdays": own})


class EscalateIn(ActionInput):
    to: Annotated[EscalationTarget, ui("radio", wording={
        EscalationTarget.CENTER: "旗信访代办服务中心（本站无法解决）",
        EscalationTarget.JOINT_OFFICE: "旗信访联席办（三跨三分离）"})] = Field(title="上报对象")
    reason: Annotated[Text, ui("textarea")] = Field(title="上报理由")


@petition_action(
    "escalate", "上报", sources={S.ACCEPTED, S.IN_PROGRESS}, targets=(S.ESCALATED,), actors=CASE | {"station_leader"},
    help="无法解决的上报旗信访代办服务中心，“三跨三分离”上报旗信访联席办",
)
def escalate(ctx: Ctx, data: EscalateIn) -> Outcome:
    ctx.petition.escalated_to = data.to
    # The center's queue and its answer (actions/escalation.py) work on this row.
    escalation = Escalation.objects.create(petition=ctx.petition, to=data.to, reason=data.reason, on=ctx.on,
                                           by=ctx.user)
    return Outcome(f"上报{data.to.label}：{data.reason}", {"to": data.to, "escalation_id": escalation.pk}, S.ESCALATED)


class UrgeIn(ActionInput):
    # No preselected row: an urging recorded against the wrong department is worse than a refusal.
    disposition_id: Annotated[Id, ui("select", label="催办的处置单", choices=open_disposition_choices,
                                     empty="请选择处置单")] = Field(
        title="处置单")
    note: Annotated[OptionalText, ui("textarea")] = Field("", title="催办内容")


@petition_action(
    "urge", "催办", sources={S.IN_PROGRESS, S.ESCALATED}, actors=CASE | {"station_leader"},
    guards=("has_open_disposition",), help="督促事权单位在时限内办理",
)
def urge(ctx: Ctx, data: UrgeIn) -> Outcome:
    disposition = ctx.petition.dispositions.filter(pk=data.disposition_id).select_related("department").first()
    if disposition is None:
        raise Invalid.of({"disposition_id": "处置单不属于该信访事项"})
    if disposition.status not in OPEN_DISPOSITION:
        raise Conflict("该处置单已办理完毕或已退回，无需催办", code="not_allowed")
    Urging.objects.create(disposition=disposition, on=ctx.on, note=data.note, by=ctx.user)
    note = f"催办 {disposition.department.name}" + (f"：{data.note}" if data.note else "")
    return Outcome(note, {"disposition_id": disposition.pk, "note": data.note})


class ContactIn(ActionInput):
    method: Annotated[ContactMethod, ui("radio")] = Field(title="联系方式")
    note: Annotated[OptionalText, ui("textarea")] = Field("", title="联系内容")


@petition_action(
    "contact", "联系信访人", sources=OPEN - {S.RECEIVED}, actors=CASE,
    help="定期反馈办理进展，对可能延期的做好解释",
)
def contact(ctx: Ctx, data: ContactIn) -> Outcome:
    Contact.objects.create(petition=ctx.petition, method=data.method, on=ctx.on, note=data.note, by=ctx.user)
    return Outcome(f"{data.method.label}联系信访人" + (f"：{data.note}" if data.note else ""), {"method": data.method})


class ExtendIn(ActionInput):
    days: Annotated[int, ui("number", label=f"延长天数（1–{deadlines.NATIONAL_MAX_EXTENSION}日）")] = Field(
        title="延长天数", ge=1, le=deadlines.NATIONAL_MAX_EXTENSION)
    reason: Annotated[Text, ui("textarea")] = Field(title="延期理由")


@petition_action(
    "extend", "延长办理期限", sources={S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED},
    actors={"station_leader", "center", "admin"}, guards=("not_extended", "national_limit_running"),
    help="情况复杂的，经本单位负责人批准可延长不超过30日，并告知信访人",
)
def extend(ctx: Ctx, data: ExtendIn) -> Outcome:
    p = ctx.petition
    if not 1 <= data.days <= deadlines.NATIONAL_MAX_EXTENSION:
        raise Invalid.of({"days": f"延长天数应为1至{deadlines.NATIONAL_MAX_EXTENSION}的整数"})
    p.extension_reason, p.national_extension_days = data.reason, data.days
    due = deadlines.national_due(p)
    if due is None:  # a petition always has its receipt day; kept as a clear refusal, not a crash
        raise Invalid.of({"days": "该信访事项没有收到日期，无法计算办理期限"})
    p.national_due_on = due
    # The date granted and whether its year was confirmed, as the 延期办理告知书 of this day states them
    # (a later calendar change moves the matter's date, never the letter already given).
    return Outcome(f"延长办理期限{data.days}日：{p.extension_reason}",
                   {"days": data.days, "national_due_on": p.national_due_on.isoformat(), "reason": data.reason,
                    "provisional": deadlines.provisional(p.national_due_on)})


class ConcludeIn(ActionInput):
    result: Annotated[Text, ui("textarea")] = Field(title="代理结果")


@petition_action(
    "conclude", "办结", sources={S.IN_PROGRESS, S.ESCALATED}, targets=(S.CONCLUDED,), actors=CASE,
    guards=("all_dispositions_answered",), help="各事权单位均有处理结果",
)
def conclude(ctx: Ctx, data: ConcludeIn) -> Outcome:
    p = ctx.petition
    center_takes_over(ctx)
    p.result, p.concluded_on = data.result, ctx.on
    # Judged now, against the limit in force today, and kept: a later round (a review found right)
    # never makes an earlier late conclusion on time, nor an earlier on-time one late.
    late = deadlines.concluded_late(p, ctx.on)
    p.concluded_late = p.concluded_late or late
    # The result in full (the note may be cut): each round's 处理意见书 is built from it.
    return Outcome(p.result, {"on_time": not late, "result": p.result}, S.CONCLUDED)
