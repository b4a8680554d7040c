"""Round 13, the departments and the leaders through a real month's awkward sequences."""

from __future__ import annotations

import pytest

from daiban.lib.errors import Conflict
from daiban.org.models import User
from daiban.petitions import services
from daiban.petitions.models import Disposition, Event, ExtensionRequest
from tests.factories import login
from tests.test_concurrency import run_together


def _ext(data: dict) -> dict:
    return data["dispositions"][0]["extensions"][0]


def test_a_request_waiting_when_the_disposition_is_answered_lapses(api, routed, clock):
    """Answered before the leaders decided, the 处置单's extension request no longer shows 待审批
    (nobody can decide it: decide_extension needs an open 处置单); the event says it lapsed."""
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    dept1 = api("dept1")
    assert dept1.act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"}).status_code == 200
    clock.move_to("2026-09-18 10:00")
    answered = dept1.act_disposition(did, "result", {"result": "已核实并发放"})
    assert answered.status_code == 200, answered.data
    ext = _ext(answered.data)
    assert ext["approved"] is None and ext["lapsed_on"] == "2026-09-18"
    assert "待审批的延期申请随之失效" in answered.data["events"][-1]["note"]
    refused = api("duty").act_disposition(did, "decide_extension", {"approved": True})
    assert refused.status_code == 409
    page = login("duty").get(f"/staff/petitions/{pid}/").content.decode()
    assert "（待审批）" not in page and "申请未经审批即失效" in page


def test_a_request_waiting_when_the_disposition_is_returned_lapses(api, routed, clock, org):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    dept1 = api("dept1")
    assert dept1.act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"}).status_code == 200
    returned = dept1.act_disposition(did, "return", {"reason": "属林草部门职权"})
    assert returned.status_code == 200, returned.data
    assert _ext(returned.data)["lapsed_on"] == "2026-09-16"
    assert "待审批的延期申请随之失效" in returned.data["events"][-1]["note"]
    page = login("dept1").get(f"/staff/petitions/{pid}/").content.decode()
    assert "（待审批）" not in page and "处置单已退回，申请未经审批即失效" in page
    # Routed again elsewhere, the new 处置单 has requests of its own to ask and decide.
    again = api("agent1").act(pid, "route", {"departments": [org.departments[1].pk], "track": "standard",
                                             "proposed_handling": "请林草部门核实"})
    assert again.status_code == 200, again.data
    new = next(d for d in again.data["dispositions"] if d["status"] == "routed")
    assert api("dept2").act_disposition(new["id"], "request_extension",
                                        {"workdays": 3, "reason": "需调档"}).status_code == 200
    decided = api("duty").act_disposition(new["id"], "decide_extension", {"approved": True})
    assert decided.status_code == 200, decided.data


def test_a_solution_entered_again_keeps_the_approved_extension(api, routed, clock, org):
    """A multi-department matter: the solution determined, one department's extension approved (the
    matter's date moved and the petitioner told), then the solution entered again. The extension
    used to vanish: the 处置单 and the matter fell back to the solution's 30 working days."""
    petition = routed(track="multi_department", departments=[org.departments[0].pk, org.departments[1].pk])
    pid = petition["id"]
    first, second = (d["id"] for d in petition["dispositions"])
    agent1 = api("agent1")
    determined = agent1.act(pid, "determine_solution", {"determined_on": "2026-09-16"})
    assert determined.data["due_on"] == "2026-11-03"
    clock.move_to("2026-09-22 10:00")
    assert api("dept1").act_disposition(first, "request_extension", {"workdays": 5, "reason": "需现场测绘"}).status_code == 200
    approved = api("duty").act_disposition(first, "decide_extension", {"approved": True})
    assert approved.data["due_on"] == "2026-11-10"
    clock.move_to("2026-09-24 10:00")
    again = agent1.act(pid, "determine_solution", {"determined_on": "2026-09-16"})
    assert again.status_code == 200, again.data
    dues = {d["id"]: d["due_on"] for d in again.data["dispositions"]}
    assert dues == {first: "2026-11-10", second: "2026-11-03"}
    assert again.data["due_on"] == "2026-11-10"
    assert "乌审旗不动产登记中心已批准的延期保留" in again.data["events"][-1]["note"]
    # A new solution counts its 30 working days again, the extension's 5 on top of them.
    later = agent1.act(pid, "determine_solution", {"determined_on": "2026-09-24"})
    dues = {d["id"]: d["due_on"] for d in later.data["dispositions"]}
    assert dues == {first: "2026-11-19", second: "2026-11-12"} and later.data["due_on"] == "2026-11-19"



def test_a_department_routed_later_does_not_inherit_another_departments_extension(api, routed, clock, org):
    """A multi-department matter whose date one department's extension moved: a department routed to
    it afterwards shares the solution's date (30 working days), not 35; its own request counts from
    there."""
    petition = routed(track="multi_department", departments=[org.departments[0].pk])
    pid, first = petition["id"], petition["dispositions"][0]["id"]
    agent1 = api("agent1")
    agent1.act(pid, "determine_solution", {"determined_on": "2026-09-16"})
    clock.move_to("2026-09-22 10:00")
    api("dept1").act_disposition(first, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    assert api("duty").act_disposition(first, "decide_extension", {"approved": True}).data["due_on"] == "2026-11-10"
    more = agent1.act(pid, "route", {"departments": [org.departments[1].pk], "track": "multi_department",
                                     "proposed_handling": "请林草部门协同"})
    assert more.status_code == 200, more.data
    dues = {d["department"]["name"]: d["due_on"] for d in more.data["dispositions"]}
    assert dues == {"乌审旗不动产登记中心": "2026-11-10", "乌审旗林业和草原局": "2026-11-03"}
    assert more.data["due_on"] == "2026-11-10"  # the matter still waits for the extended one
    later = next(d["id"] for d in more.data["dispositions"] if d["id"] != first)
    assert Disposition.objects.get(pk=later).due_workdays == 30

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_leaders_deciding_one_request_at_once_one_wins(routed):
    """PostgreSQL, real threads: 带班领导 and 分管领导 approve the same request at the same moment;
    one decides, the other is told there is nothing left to decide; the date moves once."""
    petition = routed()
    did = petition["dispositions"][0]["id"]
    services.disposition_act(disposition_id=did, action="request_extension", user=User.objects.get(username="dept1"),
                             data={"workdays": 5, "reason": "需现场测绘"})
    leaders = [User.objects.get(username=name) for name in ("duty", "leader")]

    def decide(i):
        return services.disposition_act(disposition_id=did, action="decide_extension", user=leaders[i],
                                        data={"approved": True, "note": f"同意{i}"})

    results = run_together(2, decide)
    assert sum(isinstance(r, Disposition) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert Event.objects.filter(petition_id=petition["id"], action="disposition_decide_extension").count() == 1
    request = ExtensionRequest.objects.get(disposition_id=did)
    assert request.approved is True and request.lapsed_on is None
    assert Disposition.objects.get(pk=did).due_workdays == 20  # 15 + 5, once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_answer_and_a_decision_at_once_leave_the_request_decided_or_lapsed(routed):
    """PostgreSQL: the department answers while a leader approves its request: whichever comes
    first, the request ends either approved (then answered) or lapsed (the decision refused)."""
    petition = routed()
    did = petition["dispositions"][0]["id"]
    dept = User.objects.get(username="dept1")
    services.disposition_act(disposition_id=did, action="request_extension", user=dept,
                             data={"workdays": 5, "reason": "需现场测绘"})
    duty = User.objects.get(username="duty")

    def work(i):
        if i == 0:
            return services.disposition_act(disposition_id=did, action="result", user=dept, data={"result": "已办"})
        return services.disposition_act(disposition_id=did, action="decide_extension", user=duty,
                                        data={"approved": True})

    results = run_together(2, work)
    assert isinstance(results[0], Disposition), results
    request = ExtensionRequest.objects.get(disposition_id=did)
    if isinstance(results[1], Disposition):
        assert request.approved is True and request.lapsed_on is None
    else:
        assert isinstance(results[1], Conflict) and request.approved is None and request.lapsed_on is not None
