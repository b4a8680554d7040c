"""Dated actions keep a truthful chronology (every action takes `on`, the day it happened).

- `on` is never in the future, never before the event it follows (the petition's previous event:
  the 处置单's routing for 申请延期, the request for its 审批, the feedback for 申请复查, the
  acceptance for 延长办理期限): 400 naming `on`, the message saying which event it would precede;
- an action that states the day the thing itself happened (申请日期, 方案确定日期, 回访日期) is
  never dated before that day (400 naming `on`);
- an entry dated before the day it was recorded is marked 补录 (`backdated`, with `at`, the time
  it was recorded) in the API's events and on the case page's timeline;
- a refused one changes nothing.
Frozen time throughout (conftest.clock: 2026-09-16, a Wednesday).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from daiban.documents.casefile import case_summary_pdf
from daiban.documents.services import load_case
from daiban.org.models import User
from daiban.petitions.models import Event, Petition
from tests.test_documents import pdf_text

pytestmark = pytest.mark.django_db


def _refused_on(response, *words: str) -> str:
    assert response.status_code == 400, response.data
    message = response.data["error"]["fields"]["on"]
    assert all(w in message for w in words), message
    return message


def _events(api, pid: int) -> list[dict]:
    return api("agent1").get(f"/petitions/{pid}").data["events"]


def _version(pid: int) -> int:
    return Petition.objects.get(pk=pid).version


def test_every_dated_action_refuses_a_future_day(api, routed, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    tomorrow = "2026-09-17"
    before = _version(pid)
    cases = [
        api("dept1").act_disposition(did, "request_extension", {"workdays": 2, "reason": "需测绘", "on": tomorrow}),
        api("dept1").act_disposition(did, "receive", {"on": tomorrow}),
        api("duty").act(pid, "extend", {"days": 10, "reason": "情况复杂", "on": tomorrow}),
        api("agent1").act(pid, "contact", {"method": "phone", "on": tomorrow}),
    ]
    for response in cases:
        _refused_on(response, "不能晚于今天")
    assert _version(pid) == before and not Event.objects.filter(petition_id=pid, on__gt="2026-09-16").exists()


def test_extension_request_and_its_decision_follow_the_routing_and_the_request(api, accepted, clock, org):
    pid = accepted()["id"]
    clock.move_to("2026-09-21T10:00:00+08:00")
    routed = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard",
                                              "proposed_handling": "请核实"})
    did = routed.data["dispositions"][0]["id"]
    clock.move_to("2026-09-24T10:00:00+08:00")
    dept1 = api("dept1")
    # Before the 处置单 was routed: refused, naming the routing it would precede.
    _refused_on(dept1.act_disposition(did, "request_extension", {"workdays": 2, "reason": "需测绘", "on": "2026-09-18"}),
                "2026-09-21", "流转事权单位")
    # Backdated inside its window: accepted, marked 补录 with the day it was recorded.
    asked = dept1.act_disposition(did, "request_extension", {"workdays": 2, "reason": "需测绘", "on": "2026-09-22"})
    assert asked.status_code == 200, asked.data
    last = _events(api, pid)[-1]
    assert last["on"] == "2026-09-22" and last["backdated"] is True and last["at"].startswith("2026-09-24")
    # Its decision never precedes the request.
    _refused_on(api("duty").act_disposition(did, "decide_extension", {"approved": True, "on": "2026-09-21"}),
                "2026-09-22", "申请延期")
    decided = api("duty").act_disposition(did, "decide_extension", {"approved": True})
    assert decided.status_code == 200
    assert _events(api, pid)[-1]["backdated"] is False  # dated today: nothing to mark


def test_extend_backdated_within_its_window_but_not_before_the_acceptance(api, accepted, clock):
    pid = accepted()["id"]  # accepted 2026-09-16
    clock.move_to("2026-09-25T10:00:00+08:00")
    _refused_on(api("duty").act(pid, "extend", {"days": 10, "reason": "情况复杂", "on": "2026-09-15"}),
                "2026-09-16", "甄别受理")
    done = api("duty").act(pid, "extend", {"days": 10, "reason": "情况复杂", "on": "2026-09-20"})
    assert done.status_code == 200, done.data
    last = _events(api, pid)[-1]
    assert (last["action"], last["on"], last["backdated"]) == ("extend", "2026-09-20", True)
    # The case file's 办理过程 prints it with the day it was entered.
    summary = pdf_text(case_summary_pdf(load_case(pid)))
    assert "补录，2026年9月25日登记" in summary.replace("\n", "")


def test_review_request_follows_the_feedback_and_the_day_it_was_made(api, routed, clock):
    petition = routed()
    pid = petition["id"]
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(pid, "conclude", {"result": "已办理"})
    clock.move_to("2026-09-22T10:00:00+08:00")
    assert api("agent1").act(pid, "feedback", {"method": "letter", "satisfaction": "dissatisfied"}).status_code == 200
    clock.move_to("2026-09-28T10:00:00+08:00")
    before = _version(pid)
    agent = api("agent1")
    # Before the feedback it follows.
    _refused_on(agent.act(pid, "request_review", {"level": "review", "reason": "不服", "on": "2026-09-21"}),
                "2026-09-22", "反馈结果")
    # An entry dated before the request it records.
    _refused_on(agent.act(pid, "request_review", {"level": "review", "reason": "不服", "on": "2026-09-23",
                                                  "requested_on": "2026-09-24"}), "申请日期", "2026-09-24")
    assert _version(pid) == before
    # The case page's 办理日期 runs from the feedback to today.
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert 'max="2026-09-28" min="2026-09-22"' in page
    done = agent.act(pid, "request_review", {"level": "review", "reason": "不服", "on": "2026-09-24",
                                             "requested_on": "2026-09-23"})
    assert done.status_code == 200, done.data
    last = _events(api, pid)[-1]
    assert (last["on"], last["backdated"]) == ("2026-09-24", True)
    # The case page shows it as 补录 with its recording time.
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert 'data-testid="backdated"' in page and "2026-09-28 10:00 记录" in page


def test_a_solution_is_not_entered_before_the_day_it_was_determined(api, routed, clock):
    pid = routed(track="multi_department")["id"]
    clock.move_to("2026-09-24T10:00:00+08:00")
    _refused_on(api("agent1").act(pid, "determine_solution", {"determined_on": "2026-09-22", "on": "2026-09-21"}),
                "方案确定日期", "2026-09-22")
    done = api("agent1").act(pid, "determine_solution", {"determined_on": "2026-09-22", "on": "2026-09-22"})
    assert done.status_code == 200, done.data
    assert _events(api, pid)[-1]["backdated"] is True


def test_the_follow_up_visit_is_not_entered_before_it_was_paid(api, routed, clock):
    petition = routed()
    pid = petition["id"]
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    agent = api("agent1")
    agent.act(pid, "conclude", {"result": "已办理"})
    agent.act(pid, "feedback", {"method": "letter", "satisfaction": "satisfied"})
    assert agent.act(pid, "terminate", {"note": "终结"}).status_code == 200
    clock.move_to(datetime.datetime(2026, 9, 25, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    _refused_on(agent.act(pid, "follow_up", {"visited_on": "2026-09-23", "on": "2026-09-22", "note": "回访"}),
                "回访日期", "2026-09-23")
    done = agent.act(pid, "follow_up", {"visited_on": "2026-09-23", "on": "2026-09-23", "note": "回访"})
    assert done.status_code == 200, done.data
