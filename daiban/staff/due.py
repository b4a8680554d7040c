"""Working days left (or overdue) for the dates a list shows, with one calendar query per page.

workdays.engine.workdays_between reads the calendar once per call; a list of fifty rows would then
cost fifty queries. workdays_from reads the calendar of the whole span once and counts every row
from it, so each page keeps a constant number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from daiban.workdays.engine import workdays_from


@dataclass(frozen=True)
class DueLeft:
    """`days`: working days from today to the date (negative: overdue by that many); with
    `calendar`, calendar days (a limit the rules count in days, not working days: the follow-up
    visit's 15 日, a review's 30 日)."""

    date: datetime.date
    days: int
    today: datetime.date
    calendar: bool = False

    @property
    def overdue(self) -> bool:
        return self.date < self.today

    @property
    def text(self) -> str:
        unit = "日" if self.calendar else "个工作日"
        if self.overdue:
            return f"超期{-self.days}{unit}" if self.days < 0 else "已超期"
        return "今日到期" if self.date == self.today else f"剩余{self.days}{unit}"

    @property
    def tone(self) -> str:
        """Bootstrap colour: danger overdue, warning within 3 working days, success otherwise."""
        if self.overdue:
            return "danger"
        return "warning" if self.days <= 3 else "success"


def mark(items: Iterable[object], today: datetime.date, date_of: str = "due_on", attr: str = "due_left",
         calendar: Callable[[object], bool] | None = None) -> None:
    """Set `attr` (a DueLeft or None) on each item from its `date_of` attribute, one query in all
    (workdays.engine.workdays_from); items for which `calendar(item)` is true count calendar days."""
    items = list(items)
    if not items:
        return
    dates = {d for d in (getattr(i, date_of, None) for i in items) if d is not None}
    left = workdays_from(today, dates)
    for item in items:
        date = getattr(item, date_of, None)
        if date is None:
            setattr(item, attr, None)
        elif calendar is not None and calendar(item):
            setattr(item, attr, DueLeft(date, (date - today).days, today, calendar=True))
        else:
            setattr(item, attr, DueLeft(date, left[date], today))
