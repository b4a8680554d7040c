"""What goes on the wall (上墙公示) and the office's calendars: roster, agent board, flowchart,
working-day calendar."""

from __future__ import annotations

import calendar as pycal
import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from daiban.documents import flowchart
from daiban.lib.dates import today
from daiban.lib.errors import Forbidden, Invalid
from daiban.lib.validation import line_field, month_parts
from daiban.org.models import Agent, Station, User
from daiban.petitions import services
from daiban.petitions.abilities import may, require
from daiban.petitions.permissions import sees_everything, station_scope
from daiban.staff import roster
from daiban.staff.models import DutyDay
from daiban.staff.views.common import GET_POST, BadParam, id_param, id_value, staff_required, year_param
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import NoticeError, parse_notice

NOTE_MAX = DutyDay._meta.get_field("note").max_length or 100  # a duty day's 备注


def _asked(request, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def _month(raw: str) -> tuple[int, int]:
    """The month asked for (YYYY-MM), this month when none: BadParam for a value that is no month
    (abc, 2026-13), 404 for a month outside the years the system keeps."""
    raw = raw or f"{today():%Y-%m}"
    try:
        year, month = month_parts(raw)
        datetime.date(year, month, 1)
    except ValueError:
        raise BadParam(f"月份应为YYYY-MM格式（收到“{raw[:20]}”）") from None
    if not 2000 <= year <= 2099:
        raise Http404("月份应在2000-01至2099-12之间")
    return year, month


NOT_A_ROSTER_STATION = "代办机构应为代办服务站（室）：旗信访代办服务中心和嘎查村（社区）代办点不排带班"


def _station(request, raw: str) -> Station | None:
    """The service station asked for, else the user's own (roster.home_station), else the first
    (the center, a department, the administrator: the page's chooser picks another). BadParam for
    a value that is no station's id, or the id of one that keeps no roster (the center, a village
    point: roster.roster_stations), whose page would be every day "— —"."""
    pk = id_value(raw, "代办机构")
    station = Station.objects.filter(pk=pk).first() if pk else None
    if pk and station is None:  # an id no station has: said, not silently the user's own station
        raise BadParam(f"代办机构取值无效（收到“{pk}”）")
    if station is not None and not roster.is_roster_station(station):
        raise BadParam(f"{NOT_A_ROSTER_STATION}（收到“{station.name[:20]}”）")
    return station or roster.station_for(request.user)


@staff_required(methods=GET_POST)
def duty_roster(request):
    try:
        year, month = _month(_asked(request, "month"))
        station = _station(request, _asked(request, "station"))
    except BadParam as exc:
        # A generation or a change aimed at a month or station that cannot be read changes nothing;
        # a view of one shows this month of the user's own station (or the first), saying why.
        if request.method == "POST":
            messages.error(request, f"{exc}，未保存任何修改。")
            return redirect(request.path)
        messages.error(request, f"{exc}，已显示{'本月本机构' if roster.home_station(request.user) else '本月'}的安排。")
        year, month = _month("")
        station = _station(request, "")
    can_edit = may_edit_roster(request.user, station)
    if request.method == "POST":
        if not can_edit:  # the roster is on the wall for everyone to read: arranging it by another role is 403
            require(request.user, "roster_edit")
            raise Forbidden("只能调整本机构及其下级代办点的带班安排", code="forbidden")
        if "generate" in request.POST:
            roster.generate_month(station, year, month)
            messages.success(request, f"已按轮换生成 {year}年{month}月 的带班与接访安排。")
        elif "remove" in request.POST:
            _remove_day(request, station, year, month)
        else:
            _save_day(request, station)
        return redirect(f"{request.path}?month={year}-{month:02d}&station={station.pk}")
    days = DutyDay.objects.filter(station=station, date__year=year, date__month=month).select_related("leader", "receptionist")
    prev = datetime.date(year, month, 1) - datetime.timedelta(days=1)
    nxt = datetime.date(year, month, pycal.monthrange(year, month)[1]) + datetime.timedelta(days=1)
    workdays = set(roster.month_workdays(year, month))
    return render(request, "staff/roster.html", {
        "days": days, "year": year, "month": month, "station": station, "stations": roster.roster_stations(),
        # The center, a department, the administrator: no roster of their own, the chooser says so.
        "choose": roster.home_station(request.user) is None,
        # Hand-arranged days the calendar has since made rest days (roster.hand_edited): kept, marked.
        "rest_days": {d.date for d in days if d.date not in workdays}, "today": today(),
        "can_edit": can_edit, "leaders": roster.leaders_of(station) if station else [],
        "receptionists": roster.receptionists_of(station) if station else [],
        "prev": f"{prev:%Y-%m}", "next": f"{nxt:%Y-%m}",
    })


def may_edit_roster(user, station: Station | None) -> bool:
    """Whether `user` may arrange `station`'s duty (roster_edit): the center and the administrator
    any station's, a station's leaders only their own station's and those below it (station_scope),
    not a neighbouring station's by changing ?station= (its roster is on the wall, for reading)."""
    return station is not None and may(user, "roster_edit") and (
        sees_everything(user) or station.pk in station_scope(user))


def _remove_day(request, station: Station, year: int, month: int) -> None:
    """Remove a future duty day the calendar made a rest day after it was arranged by hand (kept
    by roster.generate_month and follow_calendar until the office decides). A working day's duty
    is not removed (the roster covers every working day), nor a past one (it stays on record)."""
    pk = id_param(request.POST.get("remove"))
    day = DutyDay.objects.filter(station=station, pk=pk).first() if pk else None
    if day is None or day.date <= today() or day.date in roster.month_workdays(day.date.year, day.date.month):
        messages.error(request, "只能删除已调整为休息日的今后日期的安排。")
        return
    roster.remove_day(day, actor=request.user)
    messages.success(request, f"已删除 {day.date:%m月%d日}（休息日）的安排。")


def _person(request, name: str, label: str, people: list[User]) -> User | None:
    """The person the form chose for `name` among `people` (the station's leaders for 带班, its
    agents and leaders for 接访), None when left empty; BadParam naming `label` for a value that is
    none of them (a forged or stale id is said, never taken for "nobody")."""
    raw = (request.POST.get(name) or "").strip()
    if not raw:
        return None
    chosen = next((u for u in people if u.pk == id_param(raw)), None)
    if chosen is None:
        raise BadParam(f"{label}取值无效（收到“{raw[:20]}”），只能从本机构的{label}中选择")
    return chosen


def _save_day(request, station: Station) -> None:
    pk = id_param(request.POST.get("day"))
    day = DutyDay.objects.filter(station=station, pk=pk).first() if pk else None
    if day is None:
        messages.error(request, "该日期的安排不存在，请先生成本月安排。")
        return
    try:
        leader = _person(request, "leader", "带班领导", roster.leaders_of(station))
        receptionist = _person(request, "receptionist", "接访人员", roster.receptionists_of(station))
    except BadParam as exc:
        messages.error(request, f"{exc}，未作修改。")
        return
    if leader is not None and leader == receptionist:
        messages.error(request, "同一人不能在同一天既带班又接访，请另选接访人员。")
        return
    try:
        note = line_field(request.POST, "note", "备注", required=False, max_length=NOTE_MAX)
    except Invalid as exc:
        messages.error(request, "；".join(exc.fields.values()))
        return
    roster.change_day(day, leader=leader, receptionist=receptionist, note=note, actor=request.user)
    messages.success(request, f"已调整 {day.date:%m月%d日} 的安排。")


@staff_required()
def agent_board(request, screen: bool = False):
    agents = Agent.objects.in_post().select_related("station").order_by("kind", "id")
    template = "staff/board_screen.html" if screen else "staff/board.html"
    return render(request, template, {
        "full_time": [a for a in agents if a.kind == Agent.Kind.FULL_TIME],
        "part_time": [a for a in agents if a.kind == Agent.Kind.PART_TIME],
        "supervision_phone": settings.DAIBAN_SUPERVISION_PHONE,
    })


@staff_required()
def flowchart_page(request):
    """附件1 as the seed draws it, then the workflow's state diagram (technical)."""
    from daiban.documents import wallchart

    return render(request, "staff/flowchart.html", {"svg": flowchart.svg(), "wall": wallchart.svg()})


@staff_required()
def flowchart_svg(request):
    return HttpResponse(flowchart.svg(), content_type="image/svg+xml; charset=utf-8")


@staff_required(methods=GET_POST)
def work_calendar(request):
    try:
        year = year_param(request.GET.get("year"), today().year)
    except BadParam as exc:  # an import aimed at a year that cannot be read imports nothing
        messages.error(request, f"{exc}，{'未导入' if request.method == 'POST' else '已显示今年的日历'}。")
        if request.method == "POST":
            return redirect(request.path)
        year = today().year
    notice_error, notice_text = "", ""
    if request.method == "POST":
        require(request.user, "calendar_edit")  # everyone reads the calendar: changing it is 403 for others
        notice_text = request.POST.get("notice", "")
        try:
            specs = parse_notice(notice_text, year)
        except NoticeError as exc:
            notice_error = str(exc)
        else:
            changed = services.calendar_change(actor=request.user, specs=specs, source=CalendarDay.Source.IMPORT,
                                               confirm=True, reason=f"导入{year}年节假日安排")
            messages.success(request, f"已导入{year}年节假日安排，{len(changed)}天有变化，全年标记为已确认；受影响的在办时限已重算。")
            return redirect(f"{request.path}?year={year}")
    rows = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar().monthdatescalendar(year, month):
            weeks.append([(d, rows.get(d)) if d.month == month else (None, None) for d in week])
        months.append((month, weeks))
    confirmed = bool(rows) and all(r.confirmed for r in rows.values())
    years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")})
    unconfirmed = set(CalendarDay.objects.filter(confirmed=False).values_list("date__year", flat=True).distinct())
    return render(request, "staff/calendar.html", {
        "year": year, "months": months, "confirmed": confirmed, "years": years, "is_admin": may(request.user, "calendar_edit"),
        "notice_error": notice_error, "notice_text": notice_text,
        "year_status": {y: y not in unconfirmed for y in years},
        "holidays": [r for r in rows.values() if r.kind in ("holiday", "makeup")],
    })


