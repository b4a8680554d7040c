"""The bureau's 15/30/60 working-day limits, the national outer limits, and overdue."""

import datetime

import pytest

from daiban.petitions.models import Petition

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=10, tzinfo=TZ)


def test_standard_track_is_15_working_days_after_routing(routed, clock):
    petition = routed()
    assert petition["due_on"] == "2026-10-13"
    assert petition["dispositions"][0]["due_on"] == "2026-10-13"


def test_routing_day_can_be_an_earlier_paper_date(api, accepted, org, clock):
    petition = accepted()
    response = api("agent1").act(petition["id"], "route", {
        "departments": [org.departments[0].pk], "track": "standard", "on": "2026-09-16"})
    assert response.data["due_on"] == "2026-10-13"


def test_multi_department_has_no_deadline_until_the_solution_is_determined(api, routed, org, clock):
    petition = routed(departments=[d.pk for d in org.departments[:3]], track="multi_department")
    assert petition["due_on"] is None
    assert len(petition["dispositions"]) == 3
    clock.move_to(at("2026-09-18"))
    response = api("agent1").act(petition["id"], "determine_solution", {"determined_on": "2026-09-18"})
    assert response.status_code == 200, response.data
    # 30 working days after Fri 2026-09-18 across 中秋 and 国庆.
    assert response.data["due_on"] == "2026-11-05"
    assert {d["due_on"] for d in response.data["dispositions"]} == {"2026-11-05"}


def test_major_matter_needs_the_consultation_convenor(api, routed, org, clock):
    petition = routed(track="major")
    missing = api("agent1").act(petition["id"], "determine_solution", {"determined_on": "2026-09-16"})
    assert missing.status_code == 400
    assert "convened_by" in missing.data["error"]["fields"]
    response = api("agent1").act(petition["id"], "determine_solution", {
        "determined_on": "2026-09-16", "convened_by": "banner_secretary"})
    assert response.data["due_on"] == "2026-12-15"
    assert response.data["convened_by"] == "banner_secretary"


def test_determining_a_solution_for_a_standard_matter_is_a_conflict(api, routed, clock):
    petition = routed()
    response = api("agent1").act(petition["id"], "determine_solution", {"determined_on": "2026-09-16"})
    assert response.status_code == 409


def test_overdue_is_derived_from_the_stored_due_date(api, routed, clock):
    petition = routed()
    clock.move_to(at("2026-10-13"))
    assert api("agent1").get(f"/petitions/{petition['id']}").data["overdue"] is False
    assert api("agent1").get("/petitions", overdue="true").data["count"] == 0
    clock.move_to(at("2026-10-14"))
    detail = api("agent1").get(f"/petitions/{petition['id']}").data
    assert detail["overdue"] is True
    assert detail["dispositions"][0]["overdue"] is True
    listed = api("agent1").get("/petitions", overdue="true").data
    assert [p["id"] for p in listed["items"]] == [petition["id"]]
    assert api("agent1").get("/petitions", overdue="false").data["count"] == 0


def test_a_concluded_petition_is_never_overdue(api, routed, org, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办结"})
    clock.move_to(at("2026-12-01"))
    assert api("agent1").get(f"/petitions/{petition['id']}").data["overdue"] is False


def test_national_extension_is_at_most_30_days_and_once(api, accepted, clock):
    petition = accepted()
    assert petition["national"]["due_on"] == "2026-11-16"
    too_long = api("chief").act(petition["id"], "extend", {"days": 31, "reason": "情况复杂"})
    assert too_long.status_code == 400 and "days" in too_long.data["error"]["fields"]
    extended = api("chief").act(petition["id"], "extend", {"days": 30, "reason": "涉及多个部门，情况复杂"})
    assert extended.status_code == 200
    assert extended.data["national"]["due_on"] == "2026-12-15"
    assert extended.data["national"]["extension_days"] == 30
    assert api("chief").act(petition["id"], "extend", {"days": 5, "reason": "再延"}).status_code == 409


def test_an_agent_may_not_extend(api, accepted, clock):
    petition = accepted()
    assert api("agent1").act(petition["id"], "extend", {"days": 10, "reason": "x"}).status_code == 403


def test_deadline_in_an_unconfirmed_year_is_flagged(api, accepted, org):
    import time_machine

    with time_machine.travel(at("2026-12-24"), tick=False):
        petition = accepted()
        routed = api("agent1").act(petition["id"], "route", {"departments": [org.departments[0].pk], "track": "standard"})
    # 2027's notice is not in the calendar yet: the due date is a guess and says so.
    assert routed.data["due_on"].startswith("2027-01")
    assert routed.data["due_provisional"] is True
    assert Petition.objects.get(pk=petition["id"]).due_provisional is True


def test_deadline_within_a_confirmed_year_is_not_flagged(routed, clock):
    assert routed()["due_provisional"] is False


@pytest.mark.parametrize(("start", "add", "expected"), [
    ("2026-09-16", 15, "2026-10-13"),
    ("2026-09-30", 1, "2026-10-08"),   # across 国庆
    ("2026-02-13", 1, "2026-02-14"),   # Saturday make-up day before 春节
    ("2026-02-14", 1, "2026-02-24"),   # 春节 and the days off around it
    ("2026-05-08", 1, "2026-05-09"),   # Saturday make-up day after 劳动节
    ("2025-12-31", 1, "2026-01-04"),   # 元旦 and Sunday make-up
])
def test_workdays_endpoint_follows_the_2026_calendar(api, start, add, expected):
    response = api("agent1").get("/workdays", start=start, add=add)
    assert response.status_code == 200
    assert response.data["date"] == expected


def test_workdays_endpoint_validates(api):
    response = api("agent1").get("/workdays", start="2026-02-30", add=1)
    assert response.status_code == 400 and "start" in response.data["error"]["fields"]
    assert api("agent1").get("/workdays", start="2026-02-01", add=0).status_code == 400
