"""Issue 12, item 2: a department returns a 处置单 that is not its competence; the 处置单 is closed as
returned (history kept, printed as such), the agent is told and routes again."""

from __future__ import annotations

import re

from daiban.documents.forms import disposition_form
from daiban.notifications.models import Notification
from daiban.petitions.models import Disposition
from daiban.petitions.selectors import petitioner_view
from tests.factories import login


def test_return_closes_the_disposition_tells_the_agent_and_routing_works_again(api, routed, org, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    dept1 = api("dept1")
    assert dept1.act_disposition(did, "return", {}).status_code == 400  # a reason is required
    assert api("dept2").act_disposition(did, "return", {"reason": "x"}).status_code == 404  # not theirs
    returned = dept1.act_disposition(did, "return", {"reason": "宅基地确权属自然资源局职责，不属本单位"})
    assert returned.status_code == 200, returned.data
    d = returned.data["dispositions"][0]
    assert d["status"] == "returned" and d["returned_on"] == "2026-09-16"
    assert d["return_reason"] == "宅基地确权属自然资源局职责，不属本单位" and d["overdue"] is False
    assert returned.data["status"] == "in_progress"
    assert Notification.objects.filter(template="disposition_returned", recipient__username="agent1",
                                       petition_id=pid).count() == 1
    # Closed: no second return, no result, no urging; and nothing to conclude on.
    again = dept1.act_disposition(did, "return", {"reason": "x"})
    assert again.status_code == 409
    assert dept1.act_disposition(did, "result", {"result": "x"}).status_code == 409
    assert api("agent1").act(pid, "urge", {"disposition_id": did}).status_code == 409
    refused = api("agent1").act(pid, "conclude", {"result": "x"})
    assert refused.status_code == 409 and "退回" in refused.data["error"]["message"]
    # The agent routes again: to another department, and even to the same one after clarifying.
    rerouted = api("agent1").act(pid, "route", {"departments": [org.departments[1].pk, org.departments[0].pk]})
    assert rerouted.status_code == 200, rerouted.data
    states = [(x["department"]["id"], x["status"]) for x in rerouted.data["dispositions"]]
    assert states == [(org.departments[0].pk, "returned"), (org.departments[0].pk, "routed"),
                      (org.departments[1].pk, "routed")]
    for x in rerouted.data["dispositions"][1:]:
        user = "dept1" if x["department"]["id"] == org.departments[0].pk else "dept2"
        assert api(user).act_disposition(x["id"], "result", {"result": "已办理"}).status_code == 200
    # The returned 处置单 neither blocks nor counts.
    assert api("agent1").act(pid, "conclude", {"result": "已办结"}).data["status"] == "concluded"


def test_the_returned_disposition_prints_as_returned(api, routed, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "return", {"reason": "不属本单位职权"})
    d = Disposition.objects.select_related("petition", "department").get(pk=did)
    doc = disposition_form(d, person=petitioner_view(d.petition, None))
    texts = [p.text for p in doc.before] + [str(v) for row in doc.rows for v in vars(row).values()]
    assert any("已退回" in t for t in texts)
    assert any("已退回：不属本单位职权" in t for t in texts)
    assert api("agent1").get(f"/dispositions/{did}/form.pdf").status_code == 200


def test_the_department_returns_through_its_page(api, routed, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    client = login("dept1")
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert "return" in set(re.findall(r'data-action="([a-z_]+)"', page))
    refused = client.post(f"/staff/dispositions/{did}/act/return/", {"reason": "", "version": petition["version"]})
    assert refused.status_code == 400 and "退回理由" in refused.content.decode()
    done = client.post(f"/staff/dispositions/{did}/act/return/", {"reason": "不属本单位", "version": petition["version"]})
    assert done.status_code == 302
    page = login("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    assert "已退回：不属本单位" in page
