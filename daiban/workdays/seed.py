"""Seeding the calendar table from the `holidays` package, and reading a year's notice from a file."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

import holidays
from django.dispatch import Signal

from daiban.workdays.models import CalendarDay


@dataclass(frozen=True)
class DaySpec:
    date: datetime.date
    is_workday: bool
    name: str


def _year_days(year: int) -> Iterable[datetime.date]:
    day = datetime.date(year, 1, 1)
    while day.year == year:
        yield day
        day += datetime.timedelta(days=1)


def library_year(year: int) -> tuple[list[DaySpec], bool]:
    """The library's view of a year, and whether it carries the State Council's notice.

    The library guesses holidays for years not yet announced, but those guesses never have
    make-up working days (调休); a year with make-up days is an announced one.
    """
    cn = holidays.China(years=year)
    makeup = {d for d in cn.weekend_workdays if d.year == year}
    specs = []
    for day in _year_days(year):
        if day in makeup:
            specs.append(DaySpec(day, True, "调休上班"))
        elif day in cn:
            specs.append(DaySpec(day, False, chinese_name(cn.get(day))))
        else:
            specs.append(DaySpec(day, day.weekday() < 5, ""))
    return specs, bool(makeup)


_NAMES = {
    "New Year's Day": "元旦",
    "Chinese New Year's Eve": "除夕",
    "Chinese New Year (Spring Festival)": "春节",
    "Chinese New Year": "春节",
    "Spring Festival": "春节",
    "Chinese New Year Extended Holiday": "春节",
    "Tomb-Sweeping Day": "清明节",
    "Qingming Festival": "清明节",
    "Labor Day": "劳动节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节",
    "National Day": "国庆节",
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def chinese_name(name: str | None) -> str:
    """A holiday's name in Chinese, whatever the source spelled: the `holidays` package's English
    names (春节 for "Chinese New Year…", 调休放假 for "Day off …") and a notice file's. A name already
    in Chinese is kept; an English one not known here becomes 节假日 (never shown in English)."""
    if not name:
        return "节假日"
    name = name.strip()
    if _CJK.search(name):
        return name[:100]
    if name.startswith("Day off"):
        return "调休放假"
    base = name.replace(" (observed)", "").split(";")[0].strip()
    if base in _NAMES:
        return _NAMES[base]
    if base.startswith("Chinese New Year's Eve"):
        return "除夕"
    if base.startswith(("Chinese New Year", "Spring Festival")):
        return "春节"
    if "Anniversary" in base and "Victory" in base:
        return "抗战胜利纪念日"
    return "节假日"


# Sent after seeding changed whether some existing days are working days (`dates`, `reason`): the
# petitions app recomputes the deadlines that depended on them (this app may not import it).
days_changed = Signal()


def seed_years(years: Iterable[int], *, announce: bool = False) -> int:
    """Write the library's days for the years; never overwrite what an administrator or an import set.

    Returns how many rows were written. Safe to run again; re-running after a library upgrade
    fills in a newly announced year. `announce`: send `days_changed` with the days whose working-day
    status changed (`calendar_seed` does; the initial migration, before any deadline exists, does not).
    """
    written = 0
    moved: list[datetime.date] = []
    for year in years:
        specs, announced = library_year(year)
        existing = {
            d: (w, n, s, c)
            for d, w, n, s, c in CalendarDay.objects.filter(date__year=year).values_list(
                "date", "is_workday", "name", "source", "confirmed"
            )
        }
        new, changed = [], []
        for spec in specs:
            row = existing.get(spec.date)
            if row is None:
                new.append(CalendarDay(date=spec.date, is_workday=spec.is_workday, name=spec.name, confirmed=announced))
            elif row[2] == CalendarDay.Source.LIBRARY and not row[3] and (
                announced or row[:2] != (spec.is_workday, spec.name)
            ):
                # An unconfirmed guess is refreshed when the library changed it or now announces the year.
                changed.append(spec)
        CalendarDay.objects.bulk_create(new, batch_size=500)
        moved += [d.date for d in new if d.is_workday != (d.date.weekday() < 5)]  # missing days counted Mon–Fri
        moved += [spec.date for spec in changed if existing[spec.date][0] != spec.is_workday]
        for spec in changed:
            CalendarDay.objects.filter(date=spec.date).update(
                is_workday=spec.is_workday, name=spec.name, confirmed=announced
            )
        written += len(new) + len(changed)
    if announce and moved:
        days_changed.send(sender=CalendarDay, dates=sorted(moved), reason="工作日历更新（holidays 库）")
    return written


_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至)\s*(?P<last>\d{4}-\d{2}-\d{2}))?\s+"
    r"(?P<kind>holiday|workday|休|班|放假|上班)(?:\s+(?P<name>.+))?$"
)


class NoticeError(ValueError):
    pass


NAME_MAX = 100  # CalendarDay.name's max_length


def parse_notice(text: str, year: int) -> list[DaySpec]:
    """Read a year's holiday notice written as simple lines into a full year of days.

    Each line: `2027-02-06..2027-02-12 休 春节` (a date or a range, then 休/holiday or 班/workday,
    then an optional name). Lines starting with # are comments. Days not listed follow Mon–Fri.
    """
    overrides: dict[datetime.date, DaySpec] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise NoticeError(f"第{number}行格式不正确：{line}")
        try:
            first = datetime.date.fromisoformat(match["first"])
            last = datetime.date.fromisoformat(match["last"] or match["first"])
        except ValueError as exc:
            raise NoticeError(f"第{number}行的日期无效：{line}") from exc
        workday = match["kind"] in ("workday", "班", "上班")
        name = (match["name"] or "").strip()
        if len(name) > NAME_MAX:  # the column's length: refused by line here, not a database error later
            raise NoticeError(f"第{number}行的名称不能超过{NAME_MAX}字（现有{len(name)}字）")
        if not _CJK.search(name):  # an English or empty name: the Chinese one (调休上班 for a working day)
            name = "调休上班" if workday else chinese_name(name)
        day = first
        while day <= last:
            if day.year != year:
                raise NoticeError(f"第{number}行的日期 {day} 不在 {year} 年")
            overrides[day] = DaySpec(day, workday, name)
            day += datetime.timedelta(days=1)
    return [overrides.get(d, DaySpec(d, d.weekday() < 5, "")) for d in _year_days(year)]
