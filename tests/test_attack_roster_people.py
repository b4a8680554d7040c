"""Attack: the roster's 调整 form took the day's 带班领导 from anyone at reception (a plain agent,
posted by hand, became the day's leader), and a value that named no one of the station (a stale or
forged id, "abc") emptied the place and said "已调整". Now the leader must be one of the station's
leaders and the receptionist one of its people; anything else is refused naming the field, and
nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client

from daiban.org.models import User
from daiban.staff import roster
from daiban.staff.models import DutyDay


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _day(org):
    roster.generate_month(org.bureau, 2026, 10)
    return DutyDay.objects.filter(station=org.bureau).order_by("date").first()


def _post(day, org, **values):
    return _login("admin").post("/staff/roster/", {"day": day.pk, "month": "2026-10", "station": org.bureau.pk,
                                                   **values}, follow=True)


def test_a_plain_agent_is_not_made_the_days_leader(org, clock):
    day = _day(org)
    before = (day.leader_id, day.receptionist_id, day.note)
    agent = User.objects.get(username="agent2")
    other = next(u for u in roster.receptionists_of(org.bureau) if u.pk not in (agent.pk, day.leader_id))
    page = _post(day, org, leader=agent.pk, receptionist=other.pk).content.decode()
    assert "带班领导" in page and "已调整" not in page
    day.refresh_from_db()
    assert (day.leader_id, day.receptionist_id, day.note) == before


@pytest.mark.parametrize("value", ["abc", "99999", "0", "-1", "²"])
def test_a_value_naming_no_one_is_refused_not_taken_for_nobody(org, clock, value):
    day = _day(org)
    before = (day.leader_id, day.receptionist_id, day.note)
    for field, label in (("leader", "带班领导"), ("receptionist", "接访人员")):
        values = {"leader": day.leader_id, "receptionist": day.receptionist_id, field: value}
        page = _post(day, org, **values).content.decode()
        assert label in page and "已调整" not in page, field
        day.refresh_from_db()
        assert (day.leader_id, day.receptionist_id, day.note) == before


def test_a_real_change_still_saves(org, clock):
    day = _day(org)
    leader = roster.leaders_of(org.bureau)[-1]
    receptionist = next(u for u in roster.receptionists_of(org.bureau) if u.pk != leader.pk)
    page = _post(day, org, leader=leader.pk, receptionist=receptionist.pk).content.decode()
    assert "已调整" in page
    day.refresh_from_db()
    assert (day.leader_id, day.receptionist_id) == (leader.pk, receptionist.pk)
