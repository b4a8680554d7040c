"""Working-day arithmetic on the calendar table.

Every function reads the table with one range query. A date missing from the table falls back to
Monday–Friday and makes the answer provisional, as does a date of a year not yet confirmed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from daiban.workdays.models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    provisional: bool  # True when a counted day lies in a year whose calendar is not confirmed


def _days(first: datetime.date, last: datetime.date) -> dict[datetime.date, tuple[bool, bool]]:
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_workday", "confirmed")
    return {d: (w, c) for d, w, c in rows}


def _lookup(table: dict, day: datetime.date) -> tuple[bool, bool]:
    if day in table:
        return table[day]
    return day.weekday() < 5, False


def add_workdays(start: datetime.date, count: int) -> Deadline:
    """The count-th working day after start; start itself is not counted."""
    if count < 1:
        raise ValueError("count must be at least 1")
    # Two calendar days per working day plus the longest holiday covers any real calendar;
    # the loop reads further only if an administrator made an unusually long break.
    fetched_to = start + datetime.timedelta(days=count * 2 + 30)
    table = _days(start + ONE_DAY, fetched_to)
    day, left, provisional = start, count, False
    while left:
        day += ONE_DAY
        if day > fetched_to:
            table.update(_days(day, fetched_to + datetime.timedelta(days=90)))
            fetched_to += datetime.timedelta(days=90)
        workday, confirmed = _lookup(table, day)
        provisional = provisional or not confirmed
        left -= workday
    return Deadline(day, provisional)


def add_statutory_days(start: datetime.date, count: int) -> Deadline:
    """A period of calendar days (《民法典》201, 203): it starts the day after; a last day that is a
    rest day or statutory holiday moves to the next working day."""
    day = start + datetime.timedelta(days=count)
    table = _days(day, day + datetime.timedelta(days=15))
    workday, confirmed = _lookup(table, day)
    provisional = not confirmed
    while not workday:
        day += ONE_DAY
        workday, confirmed = _lookup(table, day)
        provisional = provisional or not confirmed
    return Deadline(day, provisional)


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative when end is before start. Used for "days left"."""
    if end == start:
        return 0
    lo, hi, sign = (start, end, 1) if end > start else (end, start, -1)
    table = _days(lo + ONE_DAY, hi)
    count = 0
    day = lo
    while day < hi:
        day += ONE_DAY
        count += _lookup(table, day)[0]
    return sign * count


def unconfirmed_years(years: set[int]) -> set[int]:
    """The years among `years` whose calendar has not been confirmed (or is missing)."""
    # A year is confirmed when all its days are: one query for all the years asked, two index
    # probes each (an unconfirmed day in its primary-key range; its last day present).
    if not years:
        return set()
    ordered = sorted(years)
    table = connection.ops.quote_name(CalendarDay._meta.db_table)
    probes, params = [], []
    for year in ordered:
        probes.append(f"EXISTS (SELECT 1 FROM {table} WHERE date BETWEEN %s AND %s AND NOT confirmed), "  # noqa: S608
                      f"EXISTS (SELECT 1 FROM {table} WHERE date = %s)")
        params += [datetime.date(year, 1, 1), datetime.date(year, 12, 31), datetime.date(year, 12, 31)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(probes), params)  # noqa: S608 (table name and placeholders only)
        row = cursor.fetchone()
    return {year for n, year in enumerate(ordered) if row[2 * n] or not row[2 * n + 1]}
