"""Attack: two leaders press 生成本月安排 for the same station and month at the same moment. Each
generation deleted the month's future days and created them again without a lock; on PostgreSQL the
second one's inserts met the first one's rows (duty_day_unique) and the page answered 500. A
generation now locks the station's row first: the second waits and regenerates over the first."""

from __future__ import annotations

import datetime

import pytest

from daiban.org.models import Station
from daiban.staff import roster
from daiban.staff.models import DutyDay
from tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_generations_of_one_month_at_once_leave_one_roster(org):
    station = Station.objects.get(pk=org.agent1.station_id)
    today = datetime.date(2026, 12, 1)

    def generate(_i):
        return roster.generate_month(station, 2027, 1, today=today)

    for _ in range(3):  # a race needs a few tries to show
        results = run_together(4, generate)
        assert not [r for r in results if isinstance(r, Exception)], results
    days = list(DutyDay.objects.filter(station=station, date__year=2027, date__month=1).values_list("date", flat=True))
    assert len(days) == len(set(days)) == len(roster.month_workdays(2027, 1))
