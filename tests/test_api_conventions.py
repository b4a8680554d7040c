"""API.md's conventions: token login, expiry and revocation, error shape, `on` dates, OpenAPI."""

import datetime

import time_machine

from daiban.petitions.models import Event, Petition
from tests.conftest import Api


def test_login_gives_a_token_that_works(api):
    response = api().post("/auth/token", {"username": "agent1", "password": "daiban-demo"})
    assert response.status_code == 200
    assert response.data["expires_at"].endswith("+08:00")
    me = Api(response.data["token"]).get("/me")
    assert me.status_code == 200
    assert me.data["username"] == "agent1" and me.data["roles"] == ["agent"]
    assert me.data["agent_id"] is not None and me.data["station"] is not None and me.data["department"] is None


def test_department_me(api, org):
    me = api("dept2").get("/me").data
    assert me["department"] == org.departments[1].pk and me["roles"] == ["department"]


def test_wrong_password_is_401_with_a_chinese_message(api):
    response = api().post("/auth/token", {"username": "agent1", "password": "nope"})
    assert response.status_code == 401
    assert response.data["error"]["code"] == "unauthorized"
    assert "密码" in response.data["error"]["message"]


def test_repeated_failed_logins_are_rate_limited(api):
    for _ in range(10):
        api().post("/auth/token", {"username": "agent3", "password": "nope"})
    response = api().post("/auth/token", {"username": "agent3", "password": "daiban-demo"})
    assert response.status_code == 429
    assert response.data["error"]["code"] == "locked"  # API.md 1.1: a locked account answers 429 `locked`


def test_token_expires(api, settings):
    settings.DAIBAN_TOKEN_HOURS = 12
    token = api().post("/auth/token", {"username": "agent1", "password": "daiban-demo"}).data["token"]
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=13)
    with time_machine.travel(later):
        assert Api(token).get("/me").status_code == 401


def test_token_can_be_revoked(api):
    token = api().post("/auth/token", {"username": "agent1", "password": "daiban-demo"}).data["token"]
    assert Api(token).delete("/auth/token").status_code == 204
    assert Api(token).get("/me").status_code == 401


def test_reference_lists(api, org):
    stations = api("agent1").get("/stations").data
    assert {s["level"] for s in stations} == {"center", "station", "village"}
    departments = api("agent1").get("/departments").data
    assert len(departments) >= 4 and departments == sorted(departments, key=lambda d: d["id"])
    agents = api("agent1").get("/agents").data
    assert len(agents) == 13
    assert sum(a["kind"] == "full_time" for a in agents) == 5
    assert agents[0]["username"] == "agent1"


def test_demo_department_accounts_follow_the_department_order(api, org):
    departments = api("admin").get("/departments").data
    for i, department in enumerate(departments, start=1):
        assert api(f"dept{i}").get("/me").data["department"] == department["id"]


def test_action_date_may_be_earlier_but_not_future_nor_before_the_previous_event(api, new_petition, org, clock):
    petition = new_petition(received_on="2026-09-10")
    future = api("agent1").act(petition["id"], "screen", {"outcome": "direct_reply", "reply": "x", "on": "2026-09-17"})
    assert future.status_code == 400 and "on" in future.data["error"]["fields"]
    too_early = api("agent1").act(petition["id"], "screen", {"outcome": "direct_reply", "reply": "x", "on": "2026-09-09"})
    assert too_early.status_code == 400 and "2026-09-10" in too_early.data["error"]["fields"]["on"]
    assert Event.objects.filter(petition_id=petition["id"]).count() == 1
    ok = api("agent1").act(petition["id"], "screen", {"outcome": "direct_reply", "reply": "已答复", "on": "2026-09-11"})
    assert ok.status_code == 200
    assert ok.data["events"][-1]["on"] == "2026-09-11"


def test_failed_action_changes_nothing(api, routed, clock):
    petition = routed()
    before = Petition.objects.get(pk=petition["id"])
    response = api("agent1").act(petition["id"], "conclude", {"result": "想提前办结"})
    assert response.status_code == 409
    after = Petition.objects.get(pk=petition["id"])
    assert (after.status, after.version, after.result) == (before.status, before.version, before.result)
    assert Event.objects.filter(petition_id=petition["id"]).count() == len(petition["events"])


def test_stale_version_is_a_conflict(api, accepted, org, clock):
    petition = accepted()
    version = petition["version"]
    api("agent1").act(petition["id"], "contact", {"method": "phone", "version": version})
    stale = api("agent1").act(petition["id"], "contact", {"method": "phone", "version": version})
    assert stale.status_code == 409 and stale.data["error"]["code"] == "stale"


def test_unknown_action_is_404(api, accepted):
    petition = accepted()
    assert api("agent1").act(petition["id"], "teleport").status_code == 404


def test_invalid_json_is_400(api, accepted):
    petition = accepted()
    client = api("agent1")
    response = client.client.post(f"/api/v1/petitions/{petition['id']}/actions/contact", "{not json",
                                  content_type="application/json", **client.headers)
    assert response.status_code == 400


def test_openapi_document_lists_the_contract(api):
    response = api().client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/token", "/api/v1/me", "/api/v1/stations", "/api/v1/departments", "/api/v1/agents",
        "/api/v1/workdays", "/api/v1/petitions", "/api/v1/petitions/{petition_id}",
        "/api/v1/petitions/{petition_id}/eligibility", "/api/v1/petitions/{petition_id}/actions",
        "/api/v1/petitions/{petition_id}/actions/screen", "/api/v1/petitions/{petition_id}/actions/archive",
        "/api/v1/dispositions/{disposition_id}/actions/opinion",
    ]:
        assert path in paths, path
    screen = paths["/api/v1/petitions/{petition_id}/actions/screen"]["post"]
    assert {"200", "400", "409"} <= set(screen["responses"])


def test_list_filters_and_paging(api, new_petition, accepted, clock):
    accepted()
    for _ in range(3):
        new_petition()
    agent = api("agent1")
    assert agent.get("/petitions", status="received").data["count"] == 3
    assert agent.get("/petitions", status="accepted").data["count"] == 1
    page = agent.get("/petitions", page=2, page_size=3).data
    assert page["count"] == 4 and len(page["items"]) == 1
    number = agent.get("/petitions").data["items"][0]["number"]
    assert agent.get("/petitions", q=number).data["count"] == 1
    assert agent.get("/petitions", q="征地补偿款").data["count"] == 4
    assert agent.get("/petitions", page=0).status_code == 400


def test_api_docs_are_served_without_a_cdn(api):
    page = api().client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
    assert "/static/ninja/" in page
