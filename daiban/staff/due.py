"""Working days left (or overdue) for the dates a list shows, with one calendar query per page.

workdays.engine.workdays_between reads the calendar once per call; a list of fifty rows would then
cost fifty queries. Here the calendar of the whole span is read once and every row counted from it,
so each page keeps a constant number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from daiban.workdays.models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DueLeft:
    """`days`: working days from today to the date (negative: overdue by that many)."""

    date: datetime.date
    days: int
    today: datetime.date

    @property
    def overdue(self) -> bool:
        return self.date < self.today

    @property
    def text(self) -> str:
        if self.overdue:
            return f"超期{-self.days}个工作日" if self.days < 0 else "已超期"
        return "今日到期" if self.date == self.today else f"剩余{self.days}个工作日"

    @property
    def tone(self) -> str:
        """Bootstrap colour: danger overdue, warning within 3 working days, success otherwise."""
        if self.overdue:
            return "danger"
        return "warning" if self.days <= 3 else "success"


class Counter:
    """Counts working days from `today` to any date within the span of `dates` (one query)."""

    def __init__(self, today: datetime.date, dates: Iterable[datetime.date | None]):
        self.today = today
        span = [d for d in dates if d is not None] + [today]
        lo, hi = min(span), max(span)
        self.workday = dict(CalendarDay.objects.filter(date__gte=lo, date__lte=hi).values_list("date", "is_workday"))

    def _is_workday(self, day: datetime.date) -> bool:
        found = self.workday.get(day)
        return day.weekday() < 5 if found is None else found

    def left(self, date: datetime.date | None) -> DueLeft | None:
        """As workdays_between(today, date): working days in (today, date], negative when before."""
        if date is None:
            return None
        lo, hi, sign = (self.today, date, 1) if date >= self.today else (date, self.today, -1)
        count, day = 0, lo
        while day < hi:
            day += ONE_DAY
            count += self._is_workday(day)
        return DueLeft(date, sign * count, self.today)


def mark(items: Iterable[object], today: datetime.date, date_of: str = "due_on", attr: str = "due_left") -> None:
    """Set `attr` (a DueLeft or None) on each item from its `date_of` attribute, one query in all."""
    items = list(items)
    if not items:
        return
    counter = Counter(today, (getattr(i, date_of, None) for i in items))
    for item in items:
        setattr(item, attr, counter.left(getattr(item, date_of, None)))
