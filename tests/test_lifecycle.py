"""One petition from intake to archive, through the API, on the 2026 statutory calendar."""

import datetime

from daiban.petitions.models import Event, Petition


def test_full_lifecycle(api, org, clock):
    agent, dept, leader, chief = api("agent1"), api("dept1"), api("leader"), api("chief")

    created = agent.post("/petitions", {
        "channel": "visit", "source": "self",
        "petitioner": {"name": "张三", "id_number": "15062619700101123X", "phone": "13912345678", "address": "嘎鲁图镇"},
        "content": "我家承包草场被修建公路征用，至今未收到征地补偿款，请求尽快落实补偿。",
    })
    assert created.status_code == 201, created.data
    pid = created.data["id"]
    assert created.data["status"] == "received"
    assert created.data["number"] == "WS-2026-000001"
    # 《信访工作条例》: forwarded within 15 days; 2026-10-01 is National Day, so it moves to 10-08.
    assert created.data["national"]["forward_due_on"] == "2026-10-08"

    screened = agent.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                         "agent_chosen_by": "petitioner", "notification": "written"})
    assert screened.status_code == 200, screened.data
    assert screened.data["status"] == "accepted"
    assert screened.data["agent"] == {"id": org.agent1.pk, "name": org.agent1.name}
    assert screened.data["agent_chosen_by"] == "petitioner"

    routed = agent.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard",
                                      "proposed_handling": "请核实补偿款发放情况"})
    assert routed.status_code == 200, routed.data
    # 15 working days after Wed 2026-09-16: 中秋 and 国庆 are skipped, Sun 09-20 and Sat 10-10 are make-up days.
    assert routed.data["due_on"] == "2026-10-13"
    assert routed.data["track"] == "standard"
    disposition = routed.data["dispositions"][0]
    assert disposition["due_on"] == "2026-10-13"
    did = disposition["id"]

    assert dept.act_disposition(did, "receive").status_code == 200
    assert leader.act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "请不动产登记中心核实"}).status_code == 200
    assert chief.act_disposition(did, "opinion", {"role": "principal", "text": "同意，限期办结"}).status_code == 200

    clock.move_to(datetime.datetime(2026, 10, 12, 9, tzinfo=datetime.UTC))
    urged = agent.act(pid, "urge", {"disposition_id": did, "note": "临近时限，请尽快办理"})
    assert urged.status_code == 200
    assert urged.data["dispositions"][0]["urgings"][0]["on"] == "2026-10-12"
    contacted = agent.act(pid, "contact", {"method": "phone", "note": "告知办理进度"})
    assert contacted.status_code == 200

    answered = dept.act_disposition(did, "result", {"result": "补偿款已于10月12日发放到位"})
    assert answered.status_code == 200
    assert answered.data["dispositions"][0]["status"] == "answered"

    concluded = agent.act(pid, "conclude", {"result": "经协调，征地补偿款已全额发放"})
    assert concluded.status_code == 200 and concluded.data["status"] == "concluded"
    fed = agent.act(pid, "feedback", {"method": "visit", "satisfaction": "satisfied"})
    assert fed.data["status"] == "feedback_given" and fed.data["satisfaction"] == "satisfied"

    terminated = agent.act(pid, "terminate", {"note": "群众满意，事项终结"})
    assert terminated.data["status"] == "terminated"
    # Follow-up within 15 days of termination (2026-10-12 + 15 = 10-27, a Tuesday).
    assert terminated.data["follow_up_due_on"] == "2026-10-27"

    clock.move_to(datetime.datetime(2026, 10, 20, 9, tzinfo=datetime.UTC))
    followed = agent.act(pid, "follow_up", {"visited_on": "2026-10-20", "note": "群众表示满意", "rebound": False})
    assert followed.data["status"] == "followed_up"
    archived = agent.act(pid, "archive")
    assert archived.status_code == 200 and archived.data["status"] == "archived"

    timeline = [(e["action"], e["from_status"], e["to_status"]) for e in archived.data["events"]]
    assert [a for a, _, _ in timeline] == [
        "intake", "screen", "route", "disposition_receive", "disposition_opinion", "disposition_opinion",
        "urge", "contact", "disposition_result", "conclude", "feedback", "terminate", "follow_up", "archive",
        "archive_frozen",  # 一案一档: the case file is built and its SHA-256 recorded at archiving
    ]
    assert timeline[1] == ("screen", "received", "accepted")
    assert timeline[-2] == ("archive", "followed_up", "archived")
    assert all(e["actor"] for e in archived.data["events"])
    assert all(e["at"].endswith("+08:00") for e in archived.data["events"])
    assert archived.data["dispositions"][0]["leader_opinion"] == "请不动产登记中心核实"
    assert archived.data["dispositions"][0]["principal_instruction"] == "同意，限期办结"
    assert Event.objects.filter(petition_id=pid).count() == 15
    assert Petition.objects.get(pk=pid).archived_on == datetime.date(2026, 10, 20)
    assert api("agent1").get(f"/petitions/{pid}/actions").data == []
