"""Changing the calendar. Every change recomputes the running deadlines that counted the changed days."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction

from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec


@transaction.atomic
def calendar_set_days(
    *, specs: Iterable[DaySpec], source: str, confirm: bool | None = None, actor=None, reason: str = ""
) -> list[datetime.date]:
    """Write the given days; return the dates whose working-day status changed.

    `confirm` True marks the written days confirmed (an announced notice), False unconfirmed,
    None keeps each row's flag.
    """
    specs = list(specs)
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
    if source in (CalendarDay.Source.ADMIN, CalendarDay.Source.IMPORT):  # a person's edit, not the seeding
        from daiban.audit.models import Action
        from daiban.audit.services import record

        record(Action.CALENDAR_CHANGE, actor=actor, target_type="calendar", label=reason[:200],
               detail={"days": [s.date.isoformat() for s in specs][:50], "changed": [d.isoformat() for d in changed][:50],
                       "confirm": confirm})
    if changed:
        from daiban.petitions.deadlines import recompute_after_calendar_change

        recompute_after_calendar_change(changed, actor=actor, reason=reason or "工作日历调整")
    return changed


def calendar_confirm_year(*, year: int, confirmed: bool = True) -> int:
    return CalendarDay.objects.filter(date__year=year).update(confirmed=confirmed)
