"""Writing calendar days. The change that also recomputes running deadlines is
`daiban.petitions.services.calendar_change`, which calls this: every entry point goes through that."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from daiban.workdays.engine import calendar_changing
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec

# Sent (inside the writing transaction) with the `dates` whose working-day status a write changed:
# the duty roster follows (staff.roster.follow_calendar; this app may not import it).
days_set = Signal()


@transaction.atomic
def calendar_set_days(*, specs: Iterable[DaySpec], source: str, confirm: bool | None = None) -> list[datetime.date]:
    """Write the given days; return the dates whose working-day status changed.

    `confirm` True marks the written days confirmed (an announced notice), False unconfirmed,
    None keeps each row's flag.
    """
    specs = list(specs)
    # Exclusive first: two writers of one day not yet in the table would both find no row to lock
    # and both create it (the second met the primary key, a 500 on PostgreSQL); the recomputation
    # after the change takes this lock anyway, so a calendar change only takes it sooner.
    calendar_changing()
    existing = {
        row.date: row for row in CalendarDay.objects.select_for_update().filter(date__in=[s.date for s in specs])
    }
    changed: list[datetime.date] = []
    for spec in specs:
        row = existing.get(spec.date)
        confirmed = confirm if confirm is not None else (row.confirmed if row else False)
        if row is None:
            CalendarDay.objects.create(
                date=spec.date, is_workday=spec.is_workday, name=spec.name, source=source, confirmed=confirmed
            )
            changed.append(spec.date)
            continue
        if row.is_workday != spec.is_workday:
            changed.append(spec.date)
        if (row.is_workday, row.name, row.confirmed) != (spec.is_workday, spec.name, confirmed):
            CalendarDay.objects.filter(date=spec.date).update(
                is_workday=spec.is_workday, name=spec.name, source=source, confirmed=confirmed
            )
    if changed:
        days_set.send(sender=CalendarDay, dates=changed)
    return changed


def calendar_confirm_year(*, year: int, confirmed: bool = True) -> int:
    return CalendarDay.objects.filter(date__year=year).update(confirmed=confirmed)
