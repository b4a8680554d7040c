"""Working-day arithmetic on the calendar table.

Every function reads the table with one range query. A date missing from the table falls back to
Monday–Friday and makes the answer provisional, as does a date of a year not yet confirmed.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from daiban.workdays.models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    provisional: bool  # True when a counted day lies in a year whose calendar is not confirmed


# A range of the table read once for a batch (`preloaded`): (first, last, its days).
_held: contextvars.ContextVar[tuple[datetime.date, datetime.date, dict] | None] = contextvars.ContextVar(
    "daiban_calendar_preloaded", default=None)


@contextlib.contextmanager
def preloaded(first: datetime.date, last: datetime.date) -> Iterator[None]:
    """Read the table for [first, last] once; inside the block every function here answers from it
    (a question reaching outside the range still reads the table). For batch work: recomputing
    thousands of deadlines after a calendar change costs one query, not one per deadline."""
    token = _held.set((first, last, _read(first, last)))
    try:
        yield
    finally:
        _held.reset(token)


def _days(first: datetime.date, last: datetime.date) -> dict[datetime.date, tuple[bool, bool]]:
    held = _held.get()
    if held is not None and held[0] <= first and last <= held[1]:
        # The held days themselves, a superset of the range (callers look up only days inside it and
        # at most add the table's own rows for days beyond it).
        return held[2]
    return _read(first, last)


def _read(first: datetime.date, last: datetime.date) -> dict[datetime.date, tuple[bool, bool]]:
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_workday", "confirmed")
    return {d: (w, c) for d, w, c in rows}


def _lookup(table: dict, day: datetime.date) -> tuple[bool, bool]:
    if day in table:
        return table[day]
    return day.weekday() < 5, False


# A transaction-scoped PostgreSQL advisory lock between the writers of deadlines and a calendar change.
# An action reading the calendar holds it shared; a recomputation after a calendar change holds it
# exclusively. Without it, an action that read the old calendar and committed after the change had
# recomputed kept a stale date (the recomputation had not seen its uncommitted row). SQLite runs one
# writer at a time, so there it is not needed.
CALENDAR_LOCK = 727_006_001


def deadlines_being_set() -> None:
    """Call at the start of a transaction that computes deadlines from the calendar (shared)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [CALENDAR_LOCK])


def calendar_changing() -> None:
    """Call in the transaction of a calendar change before its deadlines are recomputed (exclusive):
    waits for the actions already reading the calendar to commit, so their rows are recomputed too,
    and holds off new ones until the new calendar is committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CALENDAR_LOCK])


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


def is_workday(day: datetime.date) -> bool:
    """Whether the day is a working day by the table (Monday–Friday when the day is missing)."""
    return _lookup(_days(day, day), day)[0]


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


def workdays_from(start: datetime.date, ends: set[datetime.date]) -> dict[datetime.date, int]:
    """`workdays_between(start, end)` for many ends with one range query (a list's "剩余/超期N个
    工作日" column): {end: working days in (start, end], negative when end is before start}."""
    if not ends:
        return {}
    lo, hi = min(min(ends), start), max(max(ends), start)
    table = _days(lo, hi)
    # Running count of working days from lo: the answer for an end is count(end) - count(start).
    running, counts, day = 0, {}, lo
    while day <= hi:
        running += _lookup(table, day)[0]
        counts[day] = running
        day += ONE_DAY
    return {end: counts[end] - counts[start] for end in ends}
