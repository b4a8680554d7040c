"""Issue 12, item 4: the station's leaders or the center change a petition's agent; the previous
agent keeps read access to the petition they handled, and nothing more."""

from __future__ import annotations

import re

from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions.models import Reassignment
from tests.factories import login


def test_leaders_reassign_within_the_station(api, routed, org, clock):
    petition = routed()
    pid = petition["id"]
    assert api("agent1").act(pid, "reassign", {"agent_id": org.agent2.pk, "reason": "x"}).status_code == 403
    assert api("duty").act(pid, "reassign", {"agent_id": org.agent2.pk}).status_code == 400  # a reason
    same = api("duty").act(pid, "reassign", {"agent_id": org.agent1.pk, "reason": "x"})
    assert same.status_code == 400 and "agent_id" in same.data["error"]["fields"]
    elsewhere = api("duty").act(pid, "reassign", {"agent_id": org.agent12.pk, "reason": "x"})
    assert elsewhere.status_code == 400 and "不属于本代办机构" in elsewhere.data["error"]["message"]
    done = api("duty").act(pid, "reassign", {"agent_id": org.agent2.pk, "reason": "原代办员回避"})
    assert done.status_code == 200, done.data
    assert done.data["agent"]["id"] == org.agent2.pk and done.data["status"] == "in_progress"
    assert "更换为" in done.data["events"][-1]["note"]
    assert Notification.objects.filter(template="new_assignment", recipient__username="agent2",
                                       petition_id=pid).exists()
    assert Notification.objects.filter(template="reassigned_away", recipient__username="agent1",
                                       petition_id=pid).exists()
    sms = Notification.objects.get(channel="sms", template="reassigned", petition_id=pid)
    assert org.agent2.name in sms.body
    # The new agent works the case now.
    assert api("agent2").act(pid, "contact", {"method": "phone", "note": "已联系"}).status_code == 200


def test_the_previous_agent_keeps_read_access_only(api, chosen_agent12, org, clock):
    pid = chosen_agent12()
    assert api("agent12").get(f"/petitions/{pid}").status_code == 200
    moved = api("center").act(pid, "reassign", {"agent_id": org.agent1.pk, "reason": "代办员调离"})
    assert moved.status_code == 200, moved.data
    assert Reassignment.objects.filter(petition_id=pid, from_agent=org.agent12, to_agent=org.agent1).exists()
    former = api("agent12")
    assert former.get(f"/petitions/{pid}").status_code == 200
    assert pid in [item["id"] for item in former.get("/petitions").data["items"]]
    assert former.act(pid, "contact", {"method": "phone"}).status_code == 403
    assert former.get(f"/petitions/{pid}/actions").data == []
    assert login("agent12").get(f"/staff/petitions/{pid}/").status_code == 200
    # Someone who never handled it still sees nothing.
    assert api("agent13").get(f"/petitions/{pid}").status_code == 404


def test_reassign_through_the_page(routed, org, clock):
    petition = routed()
    pid = petition["id"]
    leader = login("duty")
    page = leader.get(f"/staff/petitions/{pid}/").content.decode()
    assert "reassign" in set(re.findall(r'data-action="([a-z_]+)"', page))
    assert "reassign" not in set(re.findall(r'data-action="([a-z_]+)"',
                                            login("agent1").get(f"/staff/petitions/{pid}/").content.decode()))
    url = f"/staff/petitions/{pid}/act/reassign/"
    refused = leader.post(url, {"agent_id": str(org.agent2.pk), "reason": "", "version": petition["version"]})
    assert refused.status_code == 400 and "更换理由" in refused.content.decode()
    done = leader.post(url, {"agent_id": str(org.agent2.pk), "reason": "工作调整", "version": petition["version"]})
    assert done.status_code == 302
    assert org.agent2.name in leader.get(f"/staff/petitions/{pid}/").content.decode()


def test_an_agents_visibility_is_one_index_friendly_condition(api, chosen_agent12, org, clock):
    """Issue 16: the petitions an agent was replaced on are a literal id list in the visibility
    condition (absent when there are none), never an `IN (SELECT …)` beside the station's and the
    agent's own: that subquery kept PostgreSQL from combining their indexes."""
    from daiban.petitions.permissions import visible_petitions

    def sql(username: str) -> str:
        return str(visible_petitions(User.objects.get(username=username)).query).lower()

    assert "reassignment" not in sql("agent12") and "petitions_petition\".\"id\" in" not in sql("agent12")
    pid = chosen_agent12()
    assert api("center").act(pid, "reassign", {"agent_id": org.agent1.pk, "reason": "代办员调离"}).status_code == 200
    after = sql("agent12")
    assert "reassignment" not in after and f"\"petitions_petition\".\"id\" in ({pid})" in after
    assert visible_petitions(User.objects.get(username="agent12")).filter(pk=pid).exists()
