"""带班 roster: one leader per working day and a reception rotation, generated for a month."""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction

from daiban.org import roles
from daiban.org.models import Station, User
from daiban.staff.models import DutyDay
from daiban.workdays.models import CalendarDay


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
def generate_month(station: Station, year: int, month: int) -> list[DutyDay]:
    """(Re)generate a month, continuing the rotation where the previous month stopped.
    Days already edited by hand (with a note) are kept."""
    days = month_workdays(year, month)
    leaders, receptionists = leaders_of(station), receptionists_of(station)
    before = DutyDay.objects.filter(station=station, date__lt=days[0] if days else datetime.date(year, month, 1))
    previous = before.select_related("leader", "receptionist").order_by("-date").first()
    li = _next_index(leaders, previous.leader if previous else None)
    ri = _next_index(receptionists, previous.receptionist if previous else None)
    kept = {d.date: d for d in DutyDay.objects.filter(station=station, date__in=days).exclude(note="")}
    DutyDay.objects.filter(station=station, date__year=year, date__month=month, note="").delete()
    result = []
    for day in days:
        if day in kept:
            result.append(kept[day])
            continue
        leader = leaders[li % len(leaders)] if leaders else None
        receptionist = receptionists[ri % len(receptionists)] if receptionists else None
        if receptionist is not None and receptionist == leader and len(receptionists) > 1:
            # One person cannot lead the day and sit at reception: the next in the rotation takes it.
            ri += 1
            receptionist = receptionists[ri % len(receptionists)]
        result.append(DutyDay.objects.create(station=station, date=day, leader=leader, receptionist=receptionist))
        li, ri = li + 1, ri + 1
    return result


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
