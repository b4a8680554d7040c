"""Issue 15, "also expected": a leader's view of the station's running cases by deadline and
department (在办事项一览), and the working-day counts it shows."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from daiban.workdays.engine import workdays_between, workdays_from
from tests.factories import login

pytestmark = pytest.mark.django_db



def test_workdays_from_agrees_with_workdays_between(org):
    start = datetime.date(2026, 9, 28)  # before the National Day holiday and its make-up days
    ends = {start + datetime.timedelta(days=n) for n in range(-40, 60, 3)}
    counted = workdays_from(start, ends)
    assert counted == {end: workdays_between(start, end) for end in ends}


def test_leaders_see_running_cases_by_department_with_overdue_first(org, routed, api):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC), tick=False):
        late = routed()  # due 15 working days later: overdue by December
        api("dept1").post(f"/dispositions/{late['dispositions'][0]['id']}/actions/receive", {})
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        fresh = routed(departments=[org.departments[1].pk])
        page = login("leader").get("/staff/running/")
        assert page.status_code == 200
        html = page.content.decode()
        assert html.count('data-testid="running-department"') == 2
        # The department with overdue work comes first, its row says by how many working days.
        first = html.index(org.departments[0].name)
        assert first < html.index(org.departments[1].name)
        assert "超期" in html and late["number"] in html and fresh["number"] in html
        assert "在办处置单 2" in html and "已超期 1" in html


@pytest.mark.parametrize("username", ["agent1", "dept1"])
def test_running_overview_is_for_leaders_and_the_center(org, username):
    assert login(username).get("/staff/running/").status_code == 404
    assert login("center").get("/staff/running/").status_code == 200
    assert "在办一览" in login("duty").get("/staff/").content.decode()


def test_running_overview_query_count_does_not_grow(org, routed, django_assert_max_num_queries):
    for _ in range(3):
        routed()
    client = login("leader")
    client.get("/staff/running/")
    with django_assert_max_num_queries(14):
        client.get("/staff/running/")
    for _ in range(6):
        routed()
    with django_assert_max_num_queries(14):
        client.get("/staff/running/")
