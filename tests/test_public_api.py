"""掌上信访 through the API: submit, track with the code, rate after feedback, ask for review;
rate limits, lockout, and what the public timeline never shows."""

import datetime

import pytest

from daiban.notifications.models import Notification
from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

PERSON = {"name": "刘八", "id_number": id_number(serial=888), "phone": "13812345678", "address": "乌审召镇"}


def submit(api, person=None, **extra):
    return api().post("/public/petitions", {"petitioner": person or PERSON, "content": COMPLAINT, **extra})


def test_submission_arrives_online_at_the_screening_queue(api, org, clock):
    response = submit(api, agent_id=org.agent12.pk)
    assert response.status_code == 201, response.data
    assert set(response.data) == {"number", "query_code", "forward_due_on"}
    petition = Petition.objects.get(number=response.data["number"])
    assert (petition.channel, petition.source, petition.status) == ("online", "self", "received")
    assert petition.station == org.agent12.station  # the chosen agent's station screens it
    assert petition.events.get().data == {"chosen_agent_id": org.agent12.pk}
    queue = api("agent12").get("/petitions", status="received").data
    assert [p["number"] for p in queue["items"]] == [response.data["number"]]


def test_submission_validates_in_chinese(api, org, clock):
    response = api().post("/public/petitions", {"petitioner": {**PERSON, "id_number": "123"}, "content": ""})
    assert response.status_code == 400
    assert set(response.data["error"]["fields"]) == {"petitioner.id_number", "content"}
    assert Petition.objects.count() == 0


def test_submissions_are_rate_limited_per_client(api, org, clock, settings):
    settings.DAIBAN_PUBLIC_SUBMIT_PER_HOUR = 2
    assert submit(api).status_code == 201 and submit(api).status_code == 201
    third = submit(api)
    assert third.status_code == 429 and third.data["error"]["code"] == "rate_limited"
    assert Petition.objects.count() == 2


def test_a_forwarded_header_is_believed_only_from_a_trusted_proxy(api, org, clock, settings):
    settings.DAIBAN_PUBLIC_SUBMIT_PER_HOUR = 1
    client = api().client
    body = {"petitioner": PERSON, "content": COMPLAINT}
    post = lambda ip: client.post("/api/v1/public/petitions", body, content_type="application/json",  # noqa: E731
                                  HTTP_X_REAL_IP=ip)
    assert post("1.1.1.1").status_code == 201
    assert post("2.2.2.2").status_code == 429  # not a trusted proxy: still 127.0.0.1
    settings.DAIBAN_TRUSTED_PROXIES = ["127.0.0.1"]
    assert post("3.3.3.3").status_code == 201


def test_track_with_the_right_code_only(api, org, clock):
    created = submit(api).data
    ok = api().get(f"/public/petitions/{created['number']}", code=created["query_code"])
    assert ok.status_code == 200
    assert ok.data["status_text"] == "已收到，正在甄别受理"
    assert ok.data["timeline"] == [{"on": "2026-09-16", "text": "收到您的信访事项"}]
    wrong = api().get(f"/public/petitions/{created['number']}", code="WRONGCODE2")
    unknown = api().get("/public/petitions/WS-2026-999999", code=created["query_code"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.data == unknown.data
    assert api().get(f"/public/petitions/{created['number']}", code=created["query_code"].lower()).status_code == 200


def test_guessing_codes_locks_the_number_out(api, org, clock, settings):
    created = submit(api).data
    for _ in range(settings.DAIBAN_PUBLIC_WRONG_CODES):
        assert api().get(f"/public/petitions/{created['number']}", code="AAAAAAAAAA").status_code == 404
    locked = api().get(f"/public/petitions/{created['number']}", code=created["query_code"])
    assert locked.status_code == 429
    # Unknown numbers lock out the same way, so the lock says nothing about existence.
    for _ in range(settings.DAIBAN_PUBLIC_WRONG_CODES):
        api().get("/public/petitions/WS-2026-777777", code="AAAAAAAAAA")
    assert api().get("/public/petitions/WS-2026-777777", code="AAAAAAAAAA").status_code == 429


def test_public_timeline_keeps_internal_things_inside(api, org, clock):
    created = submit(api).data
    petition = Petition.objects.get(number=created["number"])
    agent, dept = api("agent1"), api("dept1")
    agent.act(petition.pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    routed = agent.act(petition.pk, "route", {"departments": [org.departments[0].pk], "track": "standard",
                                             "proposed_handling": "内部拟办：先核实村委会账目"})
    did = routed.data["dispositions"][0]["id"]
    api("leader").act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "内部意见：严查"})
    agent.act(petition.pk, "urge", {"disposition_id": did, "note": "内部催办记录"})
    dept.act_disposition(did, "result", {"result": "部门内部答复"})
    agent.act(petition.pk, "conclude", {"result": "补偿款已发放"})
    before_feedback = api().get(f"/public/petitions/{created['number']}", code=created["query_code"]).data
    assert before_feedback["result"] == ""
    agent.act(petition.pk, "feedback", {"method": "phone", "satisfaction": "satisfied"})
    data = api().get(f"/public/petitions/{created['number']}", code=created["query_code"]).data
    text = repr(data)
    for secret in ["内部拟办", "内部意见", "内部催办", "部门内部答复", "王建国（", "13812345678", PERSON["id_number"], "agent1"]:
        assert secret not in text, secret
    assert data["result"] == "补偿款已发放"
    assert data["agent"]["name"] == "王建国"
    assert [e["text"] for e in data["timeline"]] == [
        "收到您的信访事项", "已受理代办", "已转交1个事权单位办理", "已办结", "已向您反馈办理结果"]


def _to_feedback(api, org, satisfaction="dissatisfied"):
    created = submit(api, person={**PERSON, "id_number": id_number(serial=889)}).data
    pk = Petition.objects.get(number=created["number"]).pk
    agent = api("agent1")
    agent.act(pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    did = agent.act(pk, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "result", {"result": "已办"})
    agent.act(pk, "conclude", {"result": "已办结"})
    agent.act(pk, "feedback", {"method": "phone", "satisfaction": satisfaction})
    return created, pk


def test_rating_only_after_feedback_and_once(api, org, clock):
    created = submit(api).data
    early = api().post(f"/public/petitions/{created['number']}/rating?code={created['query_code']}", {"satisfaction": "satisfied"})
    assert early.status_code == 409
    created, pk = _to_feedback(api, org, "understanding")
    url = f"/public/petitions/{created['number']}/rating?code={created['query_code']}"
    rated = api().post(url, {"satisfaction": "dissatisfied"})
    assert rated.status_code == 200 and rated.data["satisfaction"] == "dissatisfied"
    assert Petition.objects.get(pk=pk).satisfaction == "dissatisfied"
    assert api().post(url, {"satisfaction": "satisfied"}).status_code == 409
    assert Notification.objects.filter(template="petitioner_rated", recipient__username="agent1").exists()


def test_review_request_from_the_portal_starts_the_staff_side(api, org, clock):
    created, pk = _to_feedback(api, org)
    url = f"/public/petitions/{created['number']}/review?code={created['query_code']}"
    response = api().post(url, {"reason": "补偿标准过低"})
    assert response.status_code == 200
    assert response.data["status"] == "under_review"
    petition = Petition.objects.get(pk=pk)
    assert petition.reviews.get().level == "review"
    assert "decide_review" in [a["name"] for a in api("center").get(f"/petitions/{pk}/actions").data]
    assert Notification.objects.filter(template="review_requested", recipient__username="center").exists()


def test_review_window_closes_after_30_days(api, org, clock):
    created, _ = _to_feedback(api, org)
    clock.move_to(datetime.datetime(2026, 10, 20, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    response = api().post(f"/public/petitions/{created['number']}/review?code={created['query_code']}",
                          {"reason": "补偿标准过低"})
    assert response.status_code == 409


def test_public_agent_board(api, org):
    agents = api().get("/public/agents").data
    assert len(agents) == 13
    assert "username" not in agents[0] and agents[0]["kind_label"] in ("专职", "兼职")


@pytest.mark.parametrize("path", ["/petitions", "/me", "/agents"])
def test_staff_endpoints_still_need_a_token(api, org, path):
    assert api().get(path).status_code == 401


def test_after_an_upheld_review_the_petitioner_rates_the_new_result(api, org, clock):
    created, pk = _to_feedback(api, org)
    url = f"/public/petitions/{created['number']}/rating?code={created['query_code']}"
    assert api().post(url, {"satisfaction": "dissatisfied"}).status_code == 200
    api().post(f"/public/petitions/{created['number']}/review?code={created['query_code']}", {"reason": "不服"})
    api("center").act(pk, "decide_review", {"upheld": True, "due_on": "2026-10-30"})
    agent = api("agent1")
    did = agent.act(pk, "route", {"departments": [org.departments[1].pk]}).data["dispositions"][-1]["id"]
    api("dept2").act_disposition(did, "result", {"result": "重新办理"})
    agent.act(pk, "conclude", {"result": "重新办结"})
    agent.act(pk, "feedback", {"method": "visit", "satisfaction": "understanding"})
    assert api().post(url, {"satisfaction": "satisfied"}).status_code == 200
