"""带班 roster: one leader per working day and a reception rotation, generated for a month."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet

from daiban.audit.models import Action as AuditAction
from daiban.audit.services import record as audit_record
from daiban.lib.dates import today as local_today
from daiban.org import roles
from daiban.org.models import Station, User
from daiban.staff.models import DutyDay
from daiban.workdays.models import CalendarDay

# The note of a duty day the roster added itself for a day the calendar made a working day: the
# calendar's, not a hand edit (it goes again if the day is made a rest day again).
MAKE_UP_NOTE = "工作日历调整（调休上班）后补排"

# --- the audit trail of the roster: who changed whose duty on which day, old → new -------------------

Person = tuple[int | None, str]  # (user id, display name), (None, "") for nobody
Duty = tuple[Person, Person]  # (带班领导, 接访人员) of a day
NOBODY = "未安排"
GONE = "（无安排）"  # a day without a duty row: not yet generated, or removed


def _person(user: User | None) -> Person:
    return (user.pk, user.display_name) if user is not None else (None, "")


def snapshot(days: Iterable[DutyDay]) -> dict[tuple[int, datetime.date], Duty]:
    """{(station id, date): (leader, receptionist)} of duty days (their leader and receptionist loaded)."""
    return {(d.station_id, d.date): (_person(d.leader), _person(d.receptionist)) for d in days}


def _side(value: Duty | None, which: int) -> str:
    return GONE if value is None else (value[which][1] or NOBODY)


def changes(before: dict[tuple[int, datetime.date], Duty], after: dict[tuple[int, datetime.date], Duty],
            stations: dict[int, str] | None = None) -> list[str]:
    """One line per day whose duty differs (by person, not by name), in date order: "2026-11-05
    带班领导 张建国→刘振华；接访人员 王建国→李春梅" (only what changed; （无安排） for a day added or
    removed), the station's name first when `stations` names them (a change over several stations)."""
    lines = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[1], k[0])):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        parts = [f"{label} {_side(old, i)}→{_side(new, i)}" for i, label in enumerate(("带班领导", "接访人员"))
                 if old is None or new is None or old[i][0] != new[i][0]]
        where = f"{stations[key[0]]} " if stations else ""
        lines.append(f"{where}{key[1]:%Y-%m-%d} " + "；".join(parts))
    return lines


def audit_changes(lines: list[str], *, station: Station | None, label: str, how: str, actor: User | None = None,
                  **extra: object) -> None:
    """Append one audit row (roster_change) for a change of duty: `how` (调整, 生成, 删除, 随工作日历调整),
    the days changed one per line (`changes`), by `actor` (default the request's user; the system's
    own changes, the demo data, have none). Nothing when nothing changed. Staff names only: never a
    petitioner's data."""
    if not lines:
        return
    audit_record(AuditAction.ROSTER_CHANGE, actor=actor,
                 target_type="station" if station is not None else "roster",
                 target_id=station.pk if station is not None else "", label=label,
                 detail={"how": how, **extra, "count": len(lines), "days": "\n".join(lines[:100])})


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
    Every day whose duty this changed is one line of an audit row (roster_change). Returns the
    month's days in date order. Two generations of one station at once queue on its row
    (`lock_stations`): without it the second created the days the first had just created
    (duty_day_unique, a 500 on PostgreSQL)."""
    today = today or local_today()
    lock_stations([station.pk])
    first = datetime.date(year, month, 1)
    existing = DutyDay.objects.filter(station=station, date__year=year, date__month=month)
    before = snapshot(existing.select_related("leader", "receptionist"))
    frozen_until = today if existing.filter(date__lte=today).exists() else first - datetime.timedelta(days=1)
    days = [d for d in month_workdays(year, month) if d > frozen_until]
    leaders, receptionists = leaders_of(station), receptionists_of(station)
    earlier = DutyDay.objects.filter(station=station, date__lt=days[0] if days else first)
    previous = earlier.select_related("leader", "receptionist").order_by("-date").first()
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
    audit_changes(changes(before, snapshot(result)), station=station, label=f"{station.name} {year}年{month}月",
                  how="按轮换生成", month=f"{year}-{month:02d}")
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
    already begun today, stay as they were. The days changed are one audit row (roster_change, by
    whoever changed the calendar). Returns how many duty days were removed or added."""
    today = today or local_today()
    touched = 0
    before: dict[tuple[int, datetime.date], Duty] = {}
    after: dict[tuple[int, datetime.date], Duty] = {}
    days = sorted({d for d in dates if d >= today})
    # Only the service stations' rosters (roster_stations): a center's or village point's days left
    # by an earlier demo month are not extended.
    rostered = DutyDay.objects.filter(station__level=Station.Level.STATION)
    # Every station with a roster in these months, locked before any row changes (ordered by id, as
    # generate_month locks its one): a generation at the same moment waits, never interleaves.
    months = Q(pk__in=[])
    for day in days:
        months |= Q(date__year=day.year, date__month=day.month)
    lock_stations(rostered.filter(months).values_list("station_id", flat=True).distinct())
    for day in days:
        stations = set(rostered.filter(date__year=day.year, date__month=day.month)
                       .values_list("station_id", flat=True))
        if not stations:
            continue
        if not _is_workday(day):
            if day > today:  # today's duty has begun: it stays on record
                gone = list(DutyDay.objects.filter(date=day, station_id__in=stations).exclude(hand_edited())
                            .select_related("leader", "receptionist"))
                before.update(snapshot(gone))
                touched += DutyDay.objects.filter(pk__in=[d.pk for d in gone]).delete()[0]
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
            added = DutyDay.objects.create(station=station, date=day, leader=leader, receptionist=receptionist,
                                           note=MAKE_UP_NOTE)
            after.update(snapshot([added]))
            touched += 1
    if before or after:
        names = dict(Station.objects.filter(pk__in={k[0] for k in [*before, *after]}).values_list("pk", "name"))
        audit_changes(changes(before, after, names), station=None, label="工作日历调整后的带班与接访安排",
                      how="随工作日历调整")
    return touched


def change_day(day: DutyDay, *, leader: User | None, receptionist: User | None, note: str,
               actor: User | None = None) -> None:
    """调整: set a duty day's 带班领导 and 接访人员 by hand (note "手工调整" when none is given, so that
    generating the month again keeps it: hand_edited), and append the audit row of the change
    (who, which day, old → new; none when nothing changed but the note). The caller checked the
    people (the station's staff) and the right to edit."""
    with transaction.atomic():
        day = DutyDay.objects.select_for_update(of=("self",)).select_related("leader", "receptionist", "station").get(pk=day.pk)
        before = snapshot([day])
        day.leader, day.receptionist = leader, receptionist
        day.note = note or "手工调整"
        day.save()
        audit_changes(changes(before, snapshot([day])), station=day.station,
                      label=f"{day.station.name} {day.date:%Y-%m-%d}", how="手工调整", actor=actor, note=day.note)


def remove_day(day: DutyDay, *, actor: User | None = None) -> None:
    """Remove a duty day (the page allows it for a future day the calendar made a rest day), with
    the audit row saying whose duty it was."""
    with transaction.atomic():
        day = DutyDay.objects.select_related("leader", "receptionist", "station").get(pk=day.pk)
        before = snapshot([day])
        day.delete()
        audit_changes(changes(before, {}), station=day.station, label=f"{day.station.name} {day.date:%Y-%m-%d}",
                      how="删除休息日安排", actor=actor)


def lock_stations(ids: Iterable[int]) -> None:
    """Lock these stations' rows until the transaction ends, in id order (no two writers of
    rosters wait on each other in a circle). SQLite: its IMMEDIATE transaction already serialises."""
    list(Station.objects.select_for_update().filter(pk__in=list(ids)).order_by("id").values_list("id", flat=True))


def _after_calendar_change(sender: object, *, dates: list[datetime.date], **kwargs: object) -> None:
    """Receiver of the calendar's signals (workdays.services.days_set, workdays.seed.days_changed)."""
    follow_calendar(list(dates))


def roster_stations() -> QuerySet[Station]:
    """The stations that keep a 带班 roster: the service stations and rooms (代办服务站（室）), where a
    leadership member leads each working day and the staff rotate at reception (DOMAIN.md,
    Organisation). The banner center (旗中心) and the village points (嘎查村代办点) keep none: the
    center has no 班子成员 of a service room, a village point's people belong to its station's."""
    return Station.objects.filter(level=Station.Level.STATION).order_by("id")


def is_roster_station(station: Station | None) -> bool:
    return station is not None and station.level == Station.Level.STATION


def home_station(user: User) -> Station | None:
    """The roster a user is on: their station when it is a service station, the station above
    their village point, None for the center's staff, a department's and an account without a
    station (they have no duty of their own; they look at the stations')."""
    station = user.station if user.station_id else None
    seen: set[int] = set()
    while station is not None and station.pk not in seen:
        if station.level == Station.Level.STATION:
            return station
        if station.level == Station.Level.CENTER:
            return None
        seen.add(station.pk)
        station = station.parent
    return None


def station_for(user: User) -> Station | None:
    """The station whose roster a user sees first: their own (home_station), else (the center,
    department staff, the administrator) the first service station, with the page's chooser."""
    return home_station(user) or roster_stations().first()


def on_duty(user: User, day: datetime.date) -> list[tuple[Station, DutyDay | None]]:
    """Today's 带班领导 and 接访人员 for the workbench: [(station, its DutyDay or None)]. A user on a
    station's roster (home_station) gets that station's line; the center, the administrator, a
    department's staff and an account without a station get every service station's (who leads and
    who receives at each today), never the center's own empty one. Two queries."""
    own = home_station(user)
    stations = [own] if own is not None else list(roster_stations())
    duties = {d.station_id: d for d in DutyDay.objects.filter(station__in=stations, date=day)
              .select_related("leader", "receptionist")}
    return [(s, duties.get(s.pk)) for s in stations]
