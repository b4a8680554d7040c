"""Who sees and does what. Actors: agent1 (assigned), agent2 (another agent of the same station),
agent12 (an agent of another station), dept1 (the department routed to), dept2 (another
department), leaders of the station, the center, and an anonymous outsider."""

import pytest

from daiban.org.models import User


@pytest.fixture
def case(routed):
    return routed()


@pytest.mark.parametrize("username", ["agent1", "agent2", "duty", "leader", "chief", "center", "admin", "dept1"])
def test_those_concerned_can_see_the_case(api, case, username):
    assert api(username).get(f"/petitions/{case['id']}").status_code == 200


@pytest.mark.parametrize("username", ["agent12", "dept2"])
def test_others_get_404_not_403(api, case, username):
    for path in ("", "/eligibility", "/actions"):
        response = api(username).get(f"/petitions/{case['id']}{path}")
        assert response.status_code == 404, path
        assert response.data["error"]["code"] == "not_found"
    assert api(username).act(case["id"], "urge", {"disposition_id": case["dispositions"][0]["id"]}).status_code == 404


def test_unknown_and_invisible_look_the_same(api, case):
    unknown = api("dept2").get("/petitions/999999")
    hidden = api("dept2").get(f"/petitions/{case['id']}")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.data == hidden.data


def test_outsider_without_token_gets_401(api, case):
    response = api().get(f"/petitions/{case['id']}")
    assert response.status_code == 401
    assert response.data["error"]["code"] == "unauthorized"


def test_lists_show_only_what_the_user_may_see(api, routed, new_petition, org, clock):
    mine = routed()
    other_station = new_petition(by="agent12")
    assert {p["id"] for p in api("agent2").get("/petitions").data["items"]} == {mine["id"]}
    assert {p["id"] for p in api("agent12").get("/petitions").data["items"]} == {other_station["id"]}
    assert {p["id"] for p in api("dept1").get("/petitions").data["items"]} == {mine["id"]}
    assert api("dept2").get("/petitions").data == {"items": [], "count": 0, "page": 1, "page_size": 20}
    assert api("center").get("/petitions").data["count"] == 2


def test_another_agent_may_not_act_on_an_assigned_case(api, case):
    response = api("agent2").act(case["id"], "contact", {"method": "phone"})
    assert response.status_code == 403
    assert response.data["error"]["code"] == "forbidden"
    assert api("agent2").get(f"/petitions/{case['id']}/actions").data == []


def test_assigned_agent_actions_are_offered(api, case):
    names = [a["name"] for a in api("agent1").get(f"/petitions/{case['id']}/actions").data]
    assert names == ["route", "escalate", "urge", "contact"]  # conclude waits for the department's result


def test_department_acts_only_on_its_own_disposition(api, routed, org):
    case = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    own, other = case["dispositions"][0]["id"], case["dispositions"][1]["id"]
    assert api("dept1").act_disposition(own, "receive").status_code == 200
    assert api("dept1").act_disposition(other, "receive").status_code == 404
    assert api("dept1").act_disposition(other, "result", {"result": "x"}).status_code == 404
    assert api("dept1").act(case["id"], "conclude", {"result": "x"}).status_code == 403


def test_department_sees_only_its_own_disposition_rows_through_the_petition(api, routed, org):
    case = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    assert api("dept2").get(f"/petitions/{case['id']}").status_code == 200
    assert api("dept3").get(f"/petitions/{case['id']}").status_code == 404


def test_only_the_leader_in_charge_writes_the_leader_row(api, case):
    did = case["dispositions"][0]["id"]
    assert api("chief").act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "x"}).status_code == 403
    assert api("leader").act_disposition(did, "opinion", {"role": "principal", "text": "x"}).status_code == 403
    assert api("agent1").act_disposition(did, "opinion", {"role": "principal", "text": "x"}).status_code == 403
    assert api("leader").act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "同意"}).status_code == 200


def test_the_agent_may_enter_a_paper_result_for_the_department(api, case):
    did = case["dispositions"][0]["id"]
    response = api("agent1").act_disposition(did, "result", {"result": "书面答复已收到"})
    assert response.status_code == 200 and response.data["dispositions"][0]["status"] == "answered"


def test_only_the_center_decides_reviews(api, routed):
    case = routed()
    api("dept1").act_disposition(case["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(case["id"], "conclude", {"result": "已办理"})
    api("agent1").act(case["id"], "feedback", {"method": "phone", "satisfaction": "dissatisfied"})
    api("agent1").act(case["id"], "request_review", {"level": "review", "reason": "对处理结果不服"})
    for username in ("agent1", "chief", "dept1"):
        assert api(username).act(case["id"], "decide_review", {"upheld": False}).status_code == 403
    assert api("center").act(case["id"], "decide_review", {"upheld": False}).status_code == 200


def test_an_inactive_account_loses_access(api, case):
    client = api("agent1")
    User.objects.filter(username="agent1").update(is_active=False)
    assert client.get(f"/petitions/{case['id']}").status_code == 401


def test_the_station_tree_statement_reads_the_station_table():
    """permissions.stations_below reads the tree with a plain statement naming Station's table."""
    from daiban.org.models import Station
    from daiban.petitions.permissions import _STATION_TREE

    assert _STATION_TREE.endswith(f"FROM {Station._meta.db_table}")
