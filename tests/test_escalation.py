"""Escalation to the center or the joint office, and the center taking the matter on."""


def test_escalate_to_the_center_and_the_center_routes_it(api, accepted, org, clock):
    petition = accepted()
    missing = api("agent1").act(petition["id"], "escalate", {"to": "center"})
    assert missing.status_code == 400 and "reason" in missing.data["error"]["fields"]
    escalated = api("agent1").act(petition["id"], "escalate", {"to": "center", "reason": "本站无法协调"})
    assert escalated.data["status"] == "escalated" and escalated.data["escalated_to"] == "center"
    routed = api("center").act(petition["id"], "route", {"departments": [org.departments[2].pk], "track": "standard"})
    assert routed.status_code == 200 and routed.data["status"] == "in_progress"


def test_escalate_to_the_joint_office(api, routed, clock):
    petition = routed()
    response = api("duty").act(petition["id"], "escalate", {"to": "joint_office", "reason": "跨地区、跨部门（三跨三分离）"})
    assert response.status_code == 200
    assert response.data["escalated_to"] == "joint_office"
    assert "旗信访联席办" in response.data["events"][-1]["note"]


def test_escalated_matter_can_still_be_urged_and_concluded(api, routed, clock):
    petition = routed()
    api("agent1").act(petition["id"], "escalate", {"to": "center", "reason": "无法解决"})
    did = petition["dispositions"][0]["id"]
    assert api("agent1").act(petition["id"], "urge", {"disposition_id": did}).status_code == 200
    api("dept1").act_disposition(did, "result", {"result": "已解决"})
    assert api("agent1").act(petition["id"], "conclude", {"result": "已办结"}).data["status"] == "concluded"


def test_conclude_needs_every_result(api, routed, org, clock):
    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    response = api("agent1").act(petition["id"], "conclude", {"result": "x"})
    assert response.status_code == 409
    assert "没有处理结果" in response.data["error"]["message"]
    api("dept2").act_disposition(petition["dispositions"][1]["id"], "result", {"result": "已办"})
    assert api("agent1").act(petition["id"], "conclude", {"result": "两个单位均已办理"}).status_code == 200


def test_routing_the_same_department_twice_while_open_is_refused(api, routed, org, clock):
    petition = routed()
    response = api("agent1").act(petition["id"], "route", {"departments": [org.departments[0].pk]})
    assert response.status_code == 400 and "departments" in response.data["error"]["fields"]


def test_routing_to_an_unknown_department_is_refused(api, accepted, clock):
    petition = accepted()
    response = api("agent1").act(petition["id"], "route", {"departments": [9999], "track": "standard"})
    assert response.status_code == 400
    assert api("agent1").get(f"/petitions/{petition['id']}").data["status"] == "accepted"


def test_follow_up_records_a_rebound(api, routed, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办结"})
    api("agent1").act(petition["id"], "feedback", {"method": "visit", "satisfaction": "understanding"})
    assert api("agent1").act(petition["id"], "archive").status_code == 409  # not before the follow-up
    api("agent1").act(petition["id"], "terminate")
    assert api("agent1").act(petition["id"], "archive").status_code == 409
    visited = api("agent1").act(petition["id"], "follow_up", {"note": "信访人仍有意见", "rebound": True})
    assert visited.data["rebound"] is True and visited.data["followed_up_on"] == "2026-09-16"
    assert api("agent1").act(petition["id"], "archive").data["status"] == "archived"
