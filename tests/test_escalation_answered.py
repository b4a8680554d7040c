"""Issue 12, fault 1 and item 1: an escalation reaches the center, which signs for it and sends it
back with instructions (and a new due date) or handles it itself; the case says to whom it went and
who signed for it."""

from __future__ import annotations

import re

from daiban.notifications.models import Notification
from daiban.petitions.actions import transitions
from daiban.petitions.models import Escalation, Petition
from tests.factories import login


def _escalated(api, routed, to="center"):
    petition = routed()
    response = api("agent1").act(petition["id"], "escalate", {"to": to, "reason": "涉及多个旗直部门，本站无法协调"})
    assert response.status_code == 200, response.data
    return response.data


def test_the_center_is_told_sees_it_in_its_queue_and_signs_for_it(api, routed, clock):
    petition = _escalated(api, routed)
    pid = petition["id"]
    assert petition["escalation"]["to"] == "center" and petition["escalation"]["taken_by"] is None
    assert petition["escalation"]["reason"] == "涉及多个旗直部门，本站无法协调"
    assert Notification.objects.filter(template="escalation_received", recipient__username="center",
                                       petition_id=pid).count() == 1
    # The queue: the list's filter and the workbench card.
    listed = api("center").get("/petitions", status="escalated")
    assert pid in [item["id"] for item in listed.data["items"]]
    workbench = login("center").get("/staff/").content.decode()
    card = workbench.split('data-card="escalations"', 1)[1].split("</section>", 1)[0]
    assert petition["number"] in card
    assert 'data-card="escalations"' not in login("agent1").get("/staff/").content.decode()

    names = {a["name"] for a in api("center").get(f"/petitions/{pid}/actions").data}
    assert {"take_escalation", "return_escalation", "route"} <= names
    assert "take_escalation" not in {a["name"] for a in api("agent1").get(f"/petitions/{pid}/actions").data}
    assert api("agent1").act(pid, "take_escalation", {"note": "x"}).status_code == 403

    taken = api("center").act(pid, "take_escalation", {"note": "由中心协调"})
    assert taken.status_code == 200, taken.data
    assert taken.data["status"] == "escalated"
    assert taken.data["escalation"]["taken_by"] == "乌日娜"
    assert taken.data["escalation"]["taken_on"] == "2026-09-16"
    assert Notification.objects.filter(template="escalation_taken", recipient__username="agent1").exists()
    again = api("center").act(pid, "take_escalation", {})
    assert again.status_code == 409 and again.data["error"]["code"] == "already_taken"
    assert "take_escalation" not in {a["name"] for a in api("center").get(f"/petitions/{pid}/actions").data}


def test_the_flowchart_has_the_new_arrows():
    edges = set(transitions())
    assert ("escalated", "return_escalation", "in_progress") in edges
    assert ("escalated", "take_escalation", "escalated") in edges
    assert ("in_progress", "reassign", "in_progress") in edges


def test_return_escalation_sends_it_back_with_instructions_and_a_new_due_date(api, routed, org, clock):
    petition = _escalated(api, routed)
    pid = petition["id"]
    center = api("center")
    assert center.act(pid, "return_escalation", {}).status_code == 400
    past = center.act(pid, "return_escalation", {"instructions": "请会同住建局办理", "due_on": "2026-09-01"})
    assert past.status_code == 400 and "due_on" in past.data["error"]["fields"]
    returned = center.act(pid, "return_escalation", {"instructions": "请会同住建局办理", "due_on": "2026-10-30"})
    assert returned.status_code == 200, returned.data
    data = returned.data
    assert data["status"] == "in_progress" and data["due_on"] == "2026-10-30"
    assert data["escalation"]["instructions"] == "请会同住建局办理"
    assert data["escalation"]["returned_on"] == "2026-09-16"
    assert data["escalation"]["taken_by"] == "乌日娜"  # sending it back signs for it
    assert Notification.objects.filter(template="escalation_returned", recipient__username="agent1").exists()
    # Back at the station: the agent routes again and may escalate again (a second record).
    assert api("agent1").act(pid, "route", {"departments": [org.departments[1].pk]}).status_code == 200
    second = api("agent1").act(pid, "escalate", {"to": "joint_office", "reason": "仍无法协调"})
    assert second.data["escalation"]["to"] == "joint_office" and second.data["escalation"]["taken_by"] is None
    assert Escalation.objects.filter(petition_id=pid).count() == 2


def test_without_a_new_date_the_due_date_stays(api, routed, clock):
    petition = _escalated(api, routed)
    returned = api("center").act(petition["id"], "return_escalation", {"instructions": "按原方案办理"})
    assert returned.data["due_on"] == petition["due_on"] and returned.data["escalation"]["due_on"] is None


def test_the_joint_office_handles_it_itself(api, routed, org, clock):
    petition = _escalated(api, routed, to="joint_office")
    pid = petition["id"]
    center = api("center")
    assert center.act(pid, "take_escalation", {"note": "联席办牵头"}).status_code == 200
    routed_again = center.act(pid, "route", {"departments": [org.departments[1].pk]})
    assert routed_again.status_code == 200 and routed_again.data["status"] == "in_progress"
    first, second = routed_again.data["dispositions"]  # dept1's from the station, dept2's from the center
    assert api("dept1").act_disposition(first["id"], "result", {"result": "已办理"}).status_code == 200
    assert api("dept2").act_disposition(second["id"], "result", {"result": "已办理"}).status_code == 200
    concluded = center.act(pid, "conclude", {"result": "联席办协调解决"})
    assert concluded.status_code == 200 and concluded.data["status"] == "concluded"
    assert concluded.data["escalation"]["to"] == "joint_office"


def test_the_center_routing_it_itself_signs_for_it(api, routed, org, clock):
    petition = _escalated(api, routed)
    routed_again = api("center").act(petition["id"], "route", {"departments": [org.departments[1].pk]})
    assert routed_again.data["escalation"]["taken_by"] == "乌日娜"


def test_the_case_page_says_to_whom_and_who_signed(api, routed, clock):
    petition = _escalated(api, routed)
    pid = petition["id"]
    page = login("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    line = re.sub(r"\s+", "", page.split('data-testid="escalation"', 1)[1].split("</dd>", 1)[0])
    assert "上报至旗信访代办服务中心" in line and "待签收" in line
    center = login("center")
    center_page = center.get(f"/staff/petitions/{pid}/").content.decode()
    assert {"take_escalation", "return_escalation"} <= set(re.findall(r'data-action="([a-z_]+)"', center_page))
    version = Petition.objects.get(pk=pid).version
    done = center.post(f"/staff/petitions/{pid}/act/take_escalation/", {"note": "", "version": version})
    assert done.status_code == 302
    page = login("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    line = re.sub(r"\s+", "", page.split('data-testid="escalation"', 1)[1].split("</dd>", 1)[0])
    assert "上报至旗信访代办服务中心" in line and "由乌日娜签收" in line
    # Sending it back through the page: a refusal keeps the form open and names the field.
    url = f"/staff/petitions/{pid}/act/return_escalation/"
    refused = center.post(url, {"instructions": "", "version": version + 1})
    assert refused.status_code == 400 and "办理意见" in refused.content.decode()
    assert center.post(url, {"instructions": "退回本站", "version": version + 1}).status_code == 302
    assert Petition.objects.get(pk=pid).status == "in_progress"


def test_petitions_escalated_before_the_upgrade_reach_the_center(api, routed, clock):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("daiban.petitions.migrations.0013_i12a_escalation_extension_reassign")
    petition = _escalated(api, routed)
    Escalation.objects.all().delete()  # as on main: only the event and escalated_to say it
    migration.escalations_from_events(apps, None)
    row = Escalation.objects.get(petition_id=petition["id"])
    assert row.to == "center" and "本站无法协调" in row.reason and row.by.username == "agent1"
    assert api("center").act(petition["id"], "take_escalation", {}).status_code == 200
