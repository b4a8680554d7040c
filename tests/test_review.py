"""复查 and 复核 after a dissatisfied feedback; upheld → back to handling with 一案双查."""

import datetime

from daiban.petitions.models import DoubleInvestigation

TZ = datetime.timezone(datetime.timedelta(hours=8))


def _dissatisfied(api, routed, org):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    return api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": "dissatisfied"}).data


def test_review_only_after_dissatisfied_feedback(api, routed, org, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    api("agent1").act(petition["id"], "feedback", {"method": "phone", "satisfaction": "fairly_satisfied"})
    response = api("agent1").act(petition["id"], "request_review", {"level": "review", "reason": "对处理结果不服"})
    assert response.status_code == 409


def test_re_review_only_after_review(api, routed, org, clock):
    petition = _dissatisfied(api, routed, org)
    response = api("agent1").act(petition["id"], "request_review", {"level": "re_review", "reason": "对处理结果不服"})
    assert response.status_code == 409
    assert "复查" in response.data["error"]["message"]


def test_review_not_upheld_returns_to_feedback_then_re_review_not_upheld_terminates(api, routed, org, clock):
    petition = _dissatisfied(api, routed, org)
    pid = petition["id"]
    requested = api("agent1").act(pid, "request_review", {"level": "review", "requested_on": "2026-09-16", "reason": "对处理结果不服"})
    assert requested.data["status"] == "under_review"
    assert requested.data["reviews"][0]["answer_due_on"] == "2026-10-16"
    assert api("agent1").act(pid, "decide_review", {"upheld": False}).status_code == 403
    decided = api("center").act(pid, "decide_review", {"upheld": False, "note": "原处理意见正确"})
    assert decided.data["status"] == "feedback_given"
    api("agent1").act(pid, "request_review", {"level": "re_review", "reason": "对处理结果不服"})
    final = api("center").act(pid, "decide_review", {"upheld": False, "note": "复核维持"})
    assert final.data["status"] == "terminated"
    assert final.data["three_level_terminated"] is True
    assert final.data["follow_up_due_on"] == "2026-10-08"
    assert [r["level"] for r in final.data["reviews"]] == ["review", "re_review"]


def test_upheld_review_goes_back_to_handling_with_its_deadline_and_a_double_investigation(api, routed, org, clock):
    petition = _dissatisfied(api, routed, org)
    pid = petition["id"]
    api("agent1").act(pid, "request_review", {"level": "review", "reason": "对处理结果不服"})
    decided = api("center").act(pid, "decide_review", {"upheld": True, "note": "申请有理", "due_on": "2026-10-30"})
    assert decided.status_code == 200
    assert decided.data["status"] == "in_progress"
    assert decided.data["due_on"] == "2026-10-30"
    assert DoubleInvestigation.objects.filter(petition_id=pid).count() == 1
    assert "一案双查" in decided.data["events"][-1]["note"]
    # The matter is handled again: route, answer, conclude, feedback.
    again = api("agent1").act(pid, "route", {"departments": [org.departments[1].pk]})
    assert again.status_code == 200
    assert again.data["due_on"] == "2026-10-30"


def test_upheld_needs_a_deadline(api, routed, org, clock):
    petition = _dissatisfied(api, routed, org)
    api("agent1").act(petition["id"], "request_review", {"level": "review", "reason": "对处理结果不服"})
    response = api("center").act(petition["id"], "decide_review", {"upheld": True})
    assert response.status_code == 400 and "due_on" in response.data["error"]["fields"]


def test_review_request_after_30_days_is_refused(api, routed, org, clock):
    petition = _dissatisfied(api, routed, org)
    clock.move_to(datetime.datetime(2026, 10, 20, 10, tzinfo=TZ))
    assert petition["national"]["review_request_due_on"] == "2026-10-16"
    response = api("agent1").act(petition["id"], "request_review", {"level": "review", "reason": "对处理结果不服"})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "review_window_closed"
