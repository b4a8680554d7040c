"""Fix round f2: undo gives back every field its step changed; notices follow the petition's
current state after an undo; deadlines stay within the statutory handling limit; a role refusal on
the staff pages answers 403."""

from __future__ import annotations

import datetime

from daiban.org.models import User
from daiban.petitions import deadlines, services, undo
from daiban.petitions.models import Disposition, Event, Petition
from tests.factories import login

REASON = "补偿标准过低，不服处理意见"



def _user(name: str) -> User:
    return User.objects.get(username=name)


def _kept_after_review(api, routed) -> int:
    """A petition at feedback_given whose review was decided not upheld: the re-review window open."""
    petition = routed()
    pid = petition["id"]
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(pid, "conclude", {"result": "已办理"})
    api("agent1").act(pid, "feedback", {"method": "letter", "satisfaction": "dissatisfied"})
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": REASON}).status_code == 200
    decided = api("center").act(pid, "decide_review", {"upheld": False, "note": "原处理意见正确"})
    assert decided.data["review_request_due_on"] == "2026-10-16"
    return pid


# --- 1: undo restores every field the step changed ----------------------------------------------------

def test_undoing_a_waived_termination_reopens_the_review_window(api, routed, clock):
    pid = _kept_after_review(api, routed)
    done = api("agent1").act(pid, "terminate", {"waived": True, "three_in_place": True, "note": "信访人书面放弃复核"})
    assert done.status_code == 200 and done.data["review_request_due_on"] is None
    response = login("agent1").post(f"/staff/petitions/{pid}/undo/", {"reason": "放弃声明未签字"})
    assert response.status_code == 302
    p = Petition.objects.get(pk=pid)
    assert p.status == "feedback_given"
    assert p.review_request_due_on == datetime.date(2026, 10, 16)
    assert p.terminated_on is None and p.follow_up_due_on is None and not p.three_in_place
    # The window is open again: terminating needs the waiver once more.
    assert api("agent1").act(pid, "terminate", {}).data["error"]["code"] == "review_window_open"
    portal = api().get(f"/public/petitions/{done.data['number']}", code=done.data["query_code"])
    assert portal.status_code == 200


def test_a_step_recorded_without_its_earlier_values_recomputes_the_window(api, routed, clock, monkeypatch):
    pid = _kept_after_review(api, routed)
    monkeypatch.setattr(services, "UNDOABLE", {})  # recorded as before this fix: no data["before"]
    api("agent1").act(pid, "terminate", {"waived": True, "note": "信访人书面放弃复核"})
    monkeypatch.undo()
    assert "before" not in Event.objects.get(petition_id=pid, action="terminate").data
    p = undo.undo(petition_id=pid, user=_user("agent1"), reason="误点终结")
    assert p.status == "feedback_given" and p.review_request_due_on == datetime.date(2026, 10, 16)


def test_undoing_a_screening_gives_back_the_category_and_the_notification(api, new_petition, clock):
    petition = new_petition()
    pid = petition["id"]
    before = Petition.objects.get(pk=pid)
    response = api("agent1").act(pid, "screen", {"outcome": "guided", "reply": "请到人社局窗口办理",
                                                 "notification": "oral", "category": "林草"})
    assert response.status_code == 200, response.data
    step = Event.objects.get(petition_id=pid, action="screen")
    assert "screened_on" in step.data["before"]
    p = undo.undo(petition_id=pid, user=_user("agent1"), reason="应受理代办")
    assert p.status == "received" and p.screened_on is None and p.reply == ""
    assert p.category == before.category and p.notification == before.notification


# --- 2: notices follow the petition's current state ---------------------------------------------------

def _notices(api, pid) -> dict[str, bool]:
    return {n["kind"]: n["available"] for n in api("agent1").get(f"/petitions/{pid}/notices").data}


def test_an_undone_decline_has_no_non_acceptance_notice(api, new_petition, clock):
    petition = new_petition()
    pid = petition["id"]
    assert api("agent1").act(pid, "screen", {"outcome": "declined", "reason": "judicial"}).status_code == 200
    assert _notices(api, pid)["non_acceptance"] is True
    undo.undo(petition_id=pid, user=_user("agent1"), reason="选错了结果")
    assert _notices(api, pid)["non_acceptance"] is False
    assert api("agent1").get(f"/petitions/{pid}/notices/non_acceptance.docx").status_code == 404
    # Nor does the petitioner's timeline still say it was declined.
    public = api().get(f"/public/petitions/{petition['number']}", code=petition["query_code"])
    assert "不予代办" not in [e["text"] for e in public.data["timeline"]]


def test_an_undone_legal_channel_has_no_legal_route_notice(api, new_petition, clock):
    pid = new_petition()["id"]
    assert api("agent1").act(pid, "screen", {"outcome": "legal_channel", "reply": "请向法院起诉"}).status_code == 200
    assert _notices(api, pid)["legal_route"] is True
    undo.undo(petition_id=pid, user=_user("agent1"), reason="选错了结果")
    assert _notices(api, pid)["legal_route"] is False
    assert api("agent1").get(f"/petitions/{pid}/notices/legal_route.docx").status_code == 404


def test_screened_again_the_standing_screening_decides(api, new_petition, org, clock):
    pid = new_petition()["id"]
    api("agent1").act(pid, "screen", {"outcome": "declined", "reason": "judicial"})
    undo.undo(petition_id=pid, user=_user("agent1"), reason="选错了结果")
    api("agent1").act(pid, "screen", {"outcome": "legal_channel", "reply": "请申请行政复议"})
    flags = _notices(api, pid)
    assert flags["legal_route"] is True and flags["non_acceptance"] is False


# --- 3: deadlines within the statutory handling limit ------------------------------------------------

def test_extensions_stop_at_the_statutory_limit_even_for_the_center(api, routed, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    limit = deadlines.statutory_limit(Petition.objects.get(pk=pid))
    assert limit == deadlines.statutory(datetime.date(2026, 9, 16), 90)
    dept1 = api("dept1")
    assert dept1.act_disposition(did, "request_extension", {"workdays": 30, "reason": "需现场测绘"}).status_code == 200
    assert api("center").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200
    again = dept1.act_disposition(did, "request_extension", {"workdays": 30, "reason": "再次延期"})
    assert again.status_code == 400, again.data
    assert again.data["error"]["code"] == "beyond_statutory_limit" and "workdays" in again.data["error"]["fields"]
    assert "法定办理期限" in again.data["error"]["fields"]["workdays"]
    assert Disposition.objects.get(pk=did).due_on <= limit
    assert Petition.objects.get(pk=pid).due_on <= limit


def test_an_approval_is_checked_against_the_limit_when_decided(api, routed, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    assert api("dept1").act_disposition(did, "request_extension", {"workdays": 30, "reason": "需现场测绘"}).status_code == 200
    # Meanwhile the regulation's extension is granted for 5 days only: the limit is now 65 days.
    assert api("duty").act(pid, "extend", {"days": 5, "reason": "情况复杂"}).status_code == 200
    refused = api("center").act_disposition(did, "decide_extension", {"approved": True})
    assert refused.status_code == 409 and refused.data["error"]["code"] == "beyond_statutory_limit"
    assert Disposition.objects.get(pk=did).due_on == datetime.date(2026, 10, 13)


def test_a_new_due_date_past_the_limit_is_refused(api, routed, clock):
    petition = routed()
    pid = petition["id"]
    api("agent1").act(pid, "escalate", {"to": "center", "reason": "本站无法协调"})
    refused = api("center").act(pid, "return_escalation", {"instructions": "请继续办理", "due_on": "2030-01-01"})
    assert refused.status_code == 400 and refused.data["error"]["code"] == "beyond_statutory_limit"
    assert "新的办结时限" in refused.data["error"]["fields"]["due_on"]
    ok = api("center").act(pid, "return_escalation", {"instructions": "请继续办理", "due_on": "2026-11-30"})
    assert ok.status_code == 200 and ok.data["due_on"] == "2026-11-30"


def test_an_upheld_review_due_date_past_the_limit_is_refused(api, dissatisfied, clock):
    pid = dissatisfied()
    api("agent1").act(pid, "request_review", {"level": "review", "reason": REASON})
    refused = api("center").act(pid, "decide_review", {"upheld": True, "due_on": "2030-01-01"})
    assert refused.status_code == 400 and refused.data["error"]["code"] == "beyond_statutory_limit"
    assert "due_on" in refused.data["error"]["fields"]
    assert Petition.objects.get(pk=pid).status == "under_review"
    ok = api("center").act(pid, "decide_review", {"upheld": True, "due_on": "2026-10-30"})
    assert ok.status_code == 200 and ok.data["due_on"] == "2026-10-30"


def test_a_solutions_working_days_are_held_to_the_limit(api, routed, org, clock):
    petition = routed(track="major")
    pid = petition["id"]
    clock.move_to(datetime.datetime(2026, 10, 20, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    done = api("agent1").act(pid, "determine_solution", {"convened_by": "banner_secretary"})
    assert done.status_code == 200, done.data
    limit = deadlines.statutory_limit(Petition.objects.get(pk=pid))
    assert done.data["due_on"] == limit.isoformat()  # 60 working days from 10-20 would pass it
    assert all(d["due_on"] == limit.isoformat() for d in done.data["dispositions"])


# --- 4: a role refusal on the staff pages is 403 ------------------------------------------------------

def test_a_role_refusal_on_the_case_page_is_403(api, routed, org, clock):
    petition = routed()
    pid = petition["id"]
    response = login("dept1").post(f"/staff/petitions/{pid}/act/reassign/",
                                   {"agent_id": org.agent2.pk, "reason": "调离"})
    assert response.status_code == 403
    assert "您没有权限执行" in response.content.decode()
    did = petition["dispositions"][0]["id"]
    refused = login("agent1").post(f"/staff/dispositions/{did}/act/decide_extension/", {"approved": "true"})
    assert refused.status_code == 403
    # Someone who may not see the petition gets 404.
    assert login("dept2").post(f"/staff/petitions/{pid}/act/reassign/", {"reason": "x"}).status_code == 404
