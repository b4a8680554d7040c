"""Attack: two administrators set the same day of a year not yet in the calendar (2031 onwards: the
seeding covers 2020–2030) at the same moment. Each looked for the day's row under a row lock (there
was none to lock), both created it, and the second met the primary key: a 500 on PostgreSQL. A
calendar write now takes the calendar's exclusive lock first, so the second waits and updates."""

from __future__ import annotations

import datetime

import pytest

from daiban.org.models import User
from daiban.petitions import services
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec
from tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_one_new_day_set_by_two_administrators_at_once(org):
    admin = User.objects.get(username="admin")
    days = [datetime.date(2031, 1, 4) + datetime.timedelta(days=i) for i in range(3)]

    def change(i):
        return services.calendar_change(actor=admin, specs=[DaySpec(d, i % 2 == 0, f"调整{i}") for d in days])

    for attempt in range(3):
        CalendarDay.objects.filter(date__in=days).delete()
        results = run_together(4, change)
        assert not [r for r in results if isinstance(r, Exception)], (attempt, results)
        assert CalendarDay.objects.filter(date__in=days).count() == len(days)
