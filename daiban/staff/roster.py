"""带班 roster: one leader per working day and a reception rotation, generated for a month."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from daiban.lib.dates import today as local_today
from daiban.org import roles
from daiban.org.models import Station, User
from daiban.staff.models import DutyDay
from daiban.workdays.models import CalendarDay

# The note of a duty day the roster added itself for a day the calendar made a working day: the
# calendar's, not a hand edit (it goes again if the day is made a rest day again).
MAKE_UP_NOTE = "工作日历调整（调休上班）后补排"


def hand_edited() -> Q:
    """Duty days someone arranged by hand (the roster page's 调整 writes a note, "手工调整" at least):
    never removed by generating the month again or by a calendar change. Made a rest day, such a
    day stays, marked on the roster page, for the office to keep as holiday duty or remove."""
    return ~Q(note="") & ~Q(note=MAKE_UP_NOTE)


def month_workdays(year: int, month: int) -> list[datetime.date]:
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    table = dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday"))
    days = [first + datetime.timedelta(days=i) for i in range(last.day)]
    return [d for d in days if table.get(d, d.weekday() < 5)]


def leaders_of(station: Station) -> list[User]:
    """带班: the station's leadership members (班子成员), in a stable order."""
    users = User.objects.filter(station=station, is_active=True).order_by("id")
    return [u for u in users if u.role_set & roles.STATION_LEADERS]


def receptionists_of(station: Station) -> list[User]:
    """Everyone rotates at reception (全员轮流接访): agents and leaders of the station."""
    users = User.objects.filter(station=station, is_active=True).order_by("id")
    return [u for u in users if u.role_set & {roles.AGENT, *roles.STATION_LEADERS}]


def _next_index(people: list[User], last: User | None) -> int:
    if last is None or last not in people:
        return 0
    return (people.index(last) + 1) % len(people)


@transaction.atomic
def generate_month(station: Station, year: int, month: int, *, today: datetime.date | None = None) -> list[DutyDay]:
    """(Re)generate a month over the current calendar's working days, continuing the rotation where
    the days before stopped. Days already edited by hand (with a note) are kept — on a day that is
    no longer a working day too (`hand_edited`: the office removes it on the roster page if it is
    not wanted) — and so are the past days (up to `today`, Asia/Shanghai) of a month that already
    has a roster: who was on duty then stays as it was; a month without one is generated whole.
    Returns the month's days in date order. Two generations of one station at once queue on its
    row (`lock_stations`): without it the second created the days the first had just created
    (duty_day_unique, a 500 on PostgreSQL)."""
    today = today or local_today()
    lock_stations([station.pk])
    first = datetime.date(year, month, 1)
    existing = DutyDay.objects.filter(station=station, date__year=year, date__month=month)
    frozen_until = today if existing.filter(date__lte=today).exists() else first - datetime.timedelta(days=1)
    days = [d for d in month_workdays(year, month) if d > frozen_until]
    leaders, receptionists = leaders_of(station), receptionists_of(station)
    before = DutyDay.objects.filter(station=station, date__lt=days[0] if days else first)
    previous = before.select_related("leader", "receptionist").order_by("-date").first()
    li = _next_index(leaders, previous.leader if previous else None)
    ri = _next_index(receptionists, previous.receptionist if previous else None)
    kept = {d.date: d for d in DutyDay.objects.filter(station=station, date__in=days).exclude(note="")}
    # Future days only: a generated day no longer a working day goes; one arranged by hand stays.
    future = existing.filter(date__gt=frozen_until)
    held = list(future.filter(hand_edited()).exclude(date__in=days))
    future.exclude(date__in=list(kept)).exclude(pk__in=[d.pk for d in held]).delete()
    result = list(existing.filter(date__lte=frozen_until).order_by("date")) + held
    for day in days:
        if day in kept:
            result.append(kept[day])
            continue
        leader, receptionist, li, ri = _pick(leaders, receptionists, li, ri)
        result.append(DutyDay.objects.create(station=station, date=day, leader=leader, receptionist=receptionist))
    return sorted(result, key=lambda d: d.date)


def _pick(leaders: list[User], receptionists: list[User], li: int, ri: int) -> tuple[User | None, User | None, int, int]:
    """The day's leader and receptionist at rotation positions li, ri; the positions after them."""
    leader = leaders[li % len(leaders)] if leaders else None
    receptionist = receptionists[ri % len(receptionists)] if receptionists else None
    if receptionist is not None and receptionist == leader and len(receptionists) > 1:
        # One person cannot lead the day and sit at reception: the next in the rotation takes it.
        ri += 1
        receptionist = receptionists[ri % len(receptionists)]
    return leader, receptionist, li + 1, ri + 1


def _is_workday(day: datetime.date) -> bool:
    row = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
    return row if row is not None else day.weekday() < 5


@transaction.atomic
def follow_calendar(dates: list[datetime.date], *, today: datetime.date | None = None) -> int:
    """After the administrator (or a calendar import or seeding) changed whether `dates` are working
    days: every roster already made for their months follows the current calendar on the days after
    `today` (Asia/Shanghai) — a day made a holiday loses its generated duty (one arranged by hand
    stays, `hand_edited`, marked on the roster page as a rest day now), a day made a working day (调休)
    gets the next leader and receptionist in the rotation after the duty day before it, today too
    when today is made one (the workbench names who is on duty) — while the past days, and a duty
    already begun today, stay as they were. Returns how many duty days were removed or added."""
    today = today or local_today()
    touched = 0
    days = sorted({d for d in dates if d >= today})
    # Every station with a roster in these months, locked before any row changes (ordered by id, as
    # generate_month locks its one): a generation at the same moment waits, never interleaves.
    months = Q(pk__in=[])
    for day in days:
        months |= Q(date__year=day.year, date__month=day.month)
    lock_stations(DutyDay.objects.filter(months).values_list("station_id", flat=True).distinct())
    for day in days:
        stations = set(DutyDay.objects.filter(date__year=day.year, date__month=day.month)
                       .values_list("station_id", flat=True))
        if not stations:
            continue
        if not _is_workday(day):
            if day > today:  # today's duty has begun: it stays on record
                touched += (DutyDay.objects.filter(date=day, station_id__in=stations).exclude(hand_edited())
                            .delete()[0])
            continue
        for station in Station.objects.filter(pk__in=stations).order_by("id"):
            if DutyDay.objects.filter(station=station, date=day).exists():
                continue
            leaders, receptionists = leaders_of(station), receptionists_of(station)
            previous = (DutyDay.objects.filter(station=station, date__lt=day)
                        .select_related("leader", "receptionist").order_by("-date").first())
            li = _next_index(leaders, previous.leader if previous else None)
            ri = _next_index(receptionists, previous.receptionist if previous else None)
            leader, receptionist, _, _ = _pick(leaders, receptionists, li, ri)
            DutyDay.objects.create(station=station, date=day, leader=leader, receptionist=receptionist,
                                   note=MAKE_UP_NOTE)
            touched += 1
    return touched


def lock_stations(ids: Iterable[int]) -> None:
    """Lock these stations' rows until the transaction ends, in id order (no two writers of
    rosters wait on each other in a circle). SQLite: its IMMEDIATE transaction already serialises."""
    list(Station.objects.select_for_update().filter(pk__in=list(ids)).order_by("id").values_list("id", flat=True))


def _after_calendar_change(sender: object, *, dates: list[datetime.date], **kwargs: object) -> None:
    """Receiver of the calendar's signals (workdays.services.days_set, workdays.seed.days_changed)."""
    follow_calendar(list(dates))


def station_for(user: User) -> Station | None:
    """The station whose roster a user sees first: their own, else (department staff, the
    administrator) the first service station."""
    if user.station_id:
        return user.station
    return Station.objects.filter(level=Station.Level.STATION).order_by("id").first()


def on_duty(user: User, day: datetime.date) -> tuple[Station | None, DutyDay | None]:
    """Today's 带班领导 and 接访人员 for the workbench: (station, its DutyDay or None). Two queries."""
    station = station_for(user)
    if station is None:
        return None, None
    duty = (DutyDay.objects.filter(station=station, date=day).select_related("leader", "receptionist").first())
    return station, duty
