"""A month's 超期 stays as it was judged: a calendar correction of a past day does not move a
deadline that has already passed, and the regulation's limit cannot be extended once it has passed
(《信访工作条例》第三十三条). Both would have turned a late 处置单 of a closed month into an on-time one."""

import datetime

import pytest
import time_machine

from daiban.org.models import User
from daiban.petitions.models import Disposition, Event, Petition
from daiban.petitions.services import available_actions
from tests.test_deadlines import at


def _october_overdue(api) -> int:
    rows = api("center").get("/stats/departments?from=2026-10-01&to=2026-10-31").data
    return sum(r["overdue"] for r in rows)


@pytest.mark.parametrize(("today", "moves"), [("2026-10-13", True), ("2026-10-14", False)])
def test_a_correction_of_a_past_day_moves_only_a_deadline_still_running(api, routed, clock, today, moves):
    """Actor: the administrator marks 2026-09-22, long past, a holiday (the banner's notice was
    entered late). A 处置单 due 2026-10-13 still runs on the 13th (its last day) and moves to the 14th;
    on the 14th it has passed unanswered, was late in October, and stays so."""
    petition = routed()
    disposition = Disposition.objects.get(pk=petition["dispositions"][0]["id"])
    assert disposition.due_on == datetime.date(2026, 10, 13)
    clock.move_to(at(today))
    before = _october_overdue(api)
    response = api("admin").post("/calendar/days", {
        "days": [{"date": "2026-09-22", "is_workday": False, "name": "临时放假"}], "reason": "补录旗政府通知"})
    assert response.status_code == 200
    disposition.refresh_from_db()
    recorded = Event.objects.filter(petition_id=petition["id"], action="deadline_recomputed").exists()
    if moves:
        assert disposition.due_on == datetime.date(2026, 10, 14) and recorded
    else:
        assert disposition.due_on == datetime.date(2026, 10, 13) and not recorded
        assert Petition.objects.get(pk=petition["id"]).due_on == datetime.date(2026, 10, 13)
        assert before == 1 and _october_overdue(api) == 1


def test_the_regulation_limit_is_not_extended_after_it_passed(api, accepted, clock, org):
    """Actor: the bureau's chief, asked to extend a matter whose 60 days ended yesterday. Refused
    with the date, not offered on the case page, and nothing changes; on its last day it may."""
    petition = accepted()
    assert petition["national"]["due_on"] == "2026-11-16"
    chief = User.objects.get(username="chief")
    with time_machine.travel(at("2026-11-16"), tick=False):
        assert "extend" in [a.name for a in available_actions(chief, Petition.objects.get(pk=petition["id"]))]
    clock.move_to(at("2026-11-17"))
    assert "extend" not in [a.name for a in available_actions(chief, Petition.objects.get(pk=petition["id"]))]
    late = api("chief").act(petition["id"], "extend", {"days": 10, "reason": "情况复杂"})
    assert late.status_code == 409 and "2026-11-16" in late.data["error"]["message"]
    stored = Petition.objects.get(pk=petition["id"])
    assert stored.national_extension_days == 0 and stored.national_due_on == datetime.date(2026, 11, 16)
    assert not Event.objects.filter(petition_id=petition["id"], action="extend").exists()


def test_on_its_last_day_the_regulation_limit_may_be_extended(api, accepted, clock):
    """Actor: the chief, on 2026-11-16, the 60th day: still in time."""
    petition = accepted()
    clock.move_to(at("2026-11-16"))
    response = api("chief").act(petition["id"], "extend", {"days": 10, "reason": "涉及多个部门，需要补充调查"})
    assert response.status_code == 200 and response.data["national"]["due_on"] == "2026-11-25"


def test_route_is_not_offered_when_every_department_holds_an_open_disposition(api, routed, org):
    """Actor: agent1, whose matter is already with every active department. 流转事权单位 would offer an
    empty list: it is not offered, and a post is refused (409) with the reason, changing nothing."""
    from daiban.org.models import Department

    everyone = list(Department.objects.filter(active=True).values_list("pk", flat=True))
    petition = routed(departments=everyone)
    agent = User.objects.get(username="agent1")
    assert "route" not in [a.name for a in available_actions(agent, Petition.objects.get(pk=petition["id"]))]
    again = api("agent1").act(petition["id"], "route", {"departments": everyone[:1], "track": "standard"})
    assert again.status_code == 409 and "无可流转的单位" in again.data["error"]["message"]
    assert Disposition.objects.filter(petition_id=petition["id"]).count() == len(everyone)
    # One answered: its department may be routed to again (a further 处置单), so route is offered.
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    assert "route" in [a.name for a in available_actions(agent, Petition.objects.get(pk=petition["id"]))]
