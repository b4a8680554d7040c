"""Review windows (issue 12, faults 2 and 7): a reason for every request, the request and answer
deadlines on the petition, no termination while a dissatisfied petitioner may still appeal (unless
they waived it in writing), and the status saying 复查中 or 复核中."""

import datetime

from django.test import Client

from daiban.petitions import deadlines
from daiban.petitions.models import Event, Petition

TZ = datetime.timezone(datetime.timedelta(hours=8))
REASON = "补偿标准过低，不服处理意见"


def _at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=10, tzinfo=TZ)


def _feedback(api, routed, satisfaction="dissatisfied"):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    response = api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": satisfaction})
    assert response.status_code == 200, response.data
    return response.data


def _public(api, pid):
    detail = api("agent1").get(f"/petitions/{pid}").data
    return detail["number"], detail["query_code"]


# --- fault 2: termination while the petitioner may still appeal -------------------------------------

def test_terminate_is_refused_while_re_review_may_still_be_asked(api, routed, org, clock):
    petition = _feedback(api, routed)
    pid = petition["id"]
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": REASON}).status_code == 200
    decided = api("center").act(pid, "decide_review", {"upheld": False, "note": "原处理意见正确"})
    assert decided.data["status"] == "feedback_given"
    assert decided.data["review_request_due_on"] == "2026-10-16"  # 30 days from the decision
    clock.move_to(_at("2026-09-18"))  # two days later
    refused = api("agent1").act(pid, "terminate", {"note": "终结"})
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "review_window_open"
    assert "2026-10-16" in refused.data["error"]["message"]
    assert Petition.objects.get(pk=pid).status == "feedback_given"
    # The station's leader cannot either.
    assert api("duty").act(pid, "terminate", {"note": "终结"}).status_code in (404, 409)


def test_terminate_is_refused_after_a_dissatisfied_feedback_until_the_window_closes(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    assert api("agent1").act(pid, "terminate").data["error"]["code"] == "review_window_open"
    clock.move_to(_at("2026-10-17"))  # the window closed on 2026-10-16
    done = api("agent1").act(pid, "terminate", {"note": "逾期未申请复查"})
    assert done.status_code == 200 and done.data["status"] == "terminated"


def test_a_written_waiver_allows_termination_and_is_recorded(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    no_note = api("agent1").act(pid, "terminate", {"waived": True})
    assert no_note.status_code == 400 and "note" in no_note.data["error"]["fields"]
    done = api("agent1").act(pid, "terminate", {"waived": True, "note": "信访人2026年9月16日书面声明放弃申请复查"})
    assert done.status_code == 200 and done.data["status"] == "terminated"
    event = Event.objects.filter(petition_id=pid, action="terminate").get()
    assert event.data["waived"] is True and "书面放弃" in event.note
    assert done.data["review_request_due_on"] is None


def test_terminate_after_a_satisfied_feedback_needs_no_waiver(api, routed, org, clock):
    pid = _feedback(api, routed, "understanding")["id"]
    assert api("agent1").act(pid, "terminate", {"note": "群众理解"}).status_code == 200


def test_a_dissatisfied_online_rating_opens_the_window_too(api, routed, org, clock):
    pid = _feedback(api, routed, "understanding")["id"]
    number, code = _public(api, pid)
    rated = api().post(f"/public/petitions/{number}/rating?code={code}", {"satisfaction": "dissatisfied"})
    assert rated.status_code == 200 and rated.data["review_request_due_on"] == "2026-10-16"
    assert api("agent1").act(pid, "terminate").data["error"]["code"] == "review_window_open"


# --- fault 7: a reason, and the dates ---------------------------------------------------------------

def test_staff_request_review_needs_a_reason(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    for body in ({"level": "review"}, {"level": "review", "reason": "  "}):
        response = api("agent1").act(pid, "request_review", body)
        assert response.status_code == 400
        assert "reason" in response.data["error"]["fields"]
    assert Petition.objects.get(pk=pid).status == "feedback_given"


def test_request_and_answer_deadlines_on_the_petition(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    detail = api("agent1").get(f"/petitions/{pid}").data
    assert detail["review_request_due_on"] == "2026-10-16" and detail["review_answer_due_on"] is None
    clock.move_to(_at("2026-09-18"))
    # Requested on 2026-09-17: 30 days is Saturday 2026-10-17, moved to Monday 2026-10-19.
    requested = api("agent1").act(pid, "request_review", {"level": "review", "requested_on": "2026-09-17",
                                                          "reason": REASON})
    assert requested.status_code == 200, requested.data
    assert requested.data["review_answer_due_on"] == "2026-10-19"
    assert requested.data["national"]["review_answer_due_on"] == "2026-10-19"
    assert requested.data["reviews"][0]["reason"] == REASON
    assert requested.data["reviews"][0]["answer_due_on"] == "2026-10-19"
    decided = api("center").act(pid, "decide_review", {"upheld": False})
    assert decided.data["review_answer_due_on"] is None
    assert decided.data["review_request_due_on"] == "2026-10-19"  # 2026-09-18 + 30 = Sunday 10-18 → Monday


def test_deadline_functions_move_calendar_limits_off_rest_days(org):
    assert deadlines.review_request_due(datetime.date(2026, 9, 16)) == datetime.date(2026, 10, 16)
    assert deadlines.review_answer_due(datetime.date(2026, 9, 17)) == datetime.date(2026, 10, 19)


def test_public_review_needs_a_reason_and_answers_with_the_decision_date(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    number, code = _public(api, pid)
    url = f"/public/petitions/{number}/review?code={code}"
    for body in (None, {}, {"reason": ""}):
        refused = api().post(url, body)
        assert refused.status_code == 400, refused.data
        assert "reason" in refused.data["error"]["fields"]
    assert Petition.objects.get(pk=pid).status == "feedback_given"
    answered = api().post(url, {"reason": REASON})
    assert answered.status_code == 200
    assert answered.data["status"] == "under_review"
    assert answered.data["review_answer_due_on"] == "2026-10-16"
    assert answered.data["status_text"].startswith("复查中")
    assert "2026年10月16日" in answered.data["status_text"]
    assert Petition.objects.get(pk=pid).reviews.get().reason == REASON


def test_portal_review_form_asks_for_a_reason(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    number, code = _public(api, pid)
    client = Client()
    url = f"/track/{number}/?code={code}"
    page = client.get(url, follow=True).content.decode()  # the code goes into the session (303)
    assert "申请理由" in page and 'name="reason"' in page
    refused = client.post(url, {"do": "review"})
    assert refused.status_code == 400 and "申请理由" in refused.content.decode()
    assert Petition.objects.get(pk=pid).status == "feedback_given"
    assert client.post(url, {"do": "review", "reason": REASON}).status_code == 302
    page = client.get(url, follow=True).content.decode()
    assert "复查中" in page and "2026年10月16日" in page and "复查/复核中" not in page


def test_status_says_which_review(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    agent = api("agent1")
    agent.act(pid, "request_review", {"level": "review", "reason": REASON})
    assert agent.get(f"/petitions/{pid}").data["status_label"] == "复查中"
    client = Client()
    client.force_login(org.agent1.user)
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert "复查中" in page and "复查/复核中" not in page and "复查复核中" not in page
    api("center").act(pid, "decide_review", {"upheld": False})
    agent.act(pid, "request_review", {"level": "re_review", "reason": "仍不服"})
    assert agent.get(f"/petitions/{pid}").data["status_label"] == "复核中"
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert "复核中" in page and "复查/复核中" not in page and "复查复核中" not in page
    listing = client.get("/staff/petitions/").content.decode()
    assert "复核中" in listing


def test_the_answer_date_on_the_petition_follows_a_calendar_change(api, routed, org, clock):
    pid = _feedback(api, routed)["id"]
    api("agent1").act(pid, "request_review", {"level": "review", "reason": REASON})
    assert Petition.objects.get(pk=pid).review_answer_due_on == datetime.date(2026, 10, 16)
    response = api("admin").post("/calendar/days", {
        "days": [{"date": "2026-10-16", "is_workday": False, "name": "旗政府通知"}], "reason": "旗政府通知"})
    assert response.status_code == 200, response.data
    p = Petition.objects.get(pk=pid)
    assert p.review_answer_due_on == datetime.date(2026, 10, 19)  # past the weekend
    assert p.reviews.get().answer_due_on == p.review_answer_due_on
    assert api("agent1").get(f"/petitions/{pid}").data["review_answer_due_on"] == "2026-10-19"
