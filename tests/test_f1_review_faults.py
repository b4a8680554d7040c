"""Faults found by the reviewer after the merge (fix round f1):

1. the 一案双查 findings reached the case agent through the petition's timeline (API, page, case file);
2. the case agent (current or previous) could be named the 一案双查 assignee, to judge themselves;
3. a department read through the API detail what the staff page hides (the rest of the case work);
4. a department could upload conduct evidence (even after referral), a previous agent could upload.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from daiban.documents.casefile import case_summary_pdf
from daiban.documents.models import Attachment
from daiban.documents.services import load_case
from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions.models import DoubleInvestigation, Event
from tests.factories import login, png_bytes
from tests.test_documents import finished, pdf_text  # noqa: F401  (fixture)

MATTER, HANDLING, ACCOUNTABILITY = "补偿面积算错两亩", "经办人未到现场核实", "对经办人诫勉谈话"
SECRETS = (MATTER, HANDLING, ACCOUNTABILITY, "已约谈问责")




# --- 1. the findings stay on the item ---------------------------------------------------------------

def test_the_timeline_says_only_that_findings_were_recorded(api, upheld):
    pid = upheld["id"]
    item = DoubleInvestigation.objects.get(petition_id=pid)
    leader = User.objects.get(username="leader")
    assert api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": leader.pk}).status_code == 200
    found = api("leader").post(f"/double_checks/{item.pk}/findings", {
        "matter_findings": MATTER, "handling_findings": HANDLING, "accountability": ACCOUNTABILITY})
    assert found.status_code == 200, found.data
    assert api("center").post(f"/double_checks/{item.pk}/close", {"note": "已约谈问责"}).status_code == 200
    # The item itself keeps the findings for those who may see it.
    assert api("center").get(f"/double_checks/{item.pk}").data["handling_findings"] == HANDLING
    # The case agent: the detail's timeline and the case page carry no findings.
    detail = api("agent1").get(f"/petitions/{pid}")
    assert detail.status_code == 200
    notes = {e["action"]: e["note"] for e in detail.data["events"]}
    assert notes["double_check_findings"] == "一案双查：已记录查明情况"
    assert notes["double_check_close"] == "一案双查：已结束"
    assert detail.data["double_checks"] == []
    page = login("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    assert "一案双查：已记录查明情况" in page
    # Nothing stored on the events or sent in a notification carries them either.
    stored = list(Event.objects.filter(petition_id=pid, action__startswith="double_check"))
    bodies = list(Notification.objects.filter(petition_id=pid).values_list("body", flat=True))
    for secret in SECRETS:
        assert secret not in str(detail.data) and secret not in page
        assert all(secret not in e.note and secret not in str(e.data) for e in stored)
        assert all(secret not in body for body in bodies)
    # The case summary of the case file (which the assigned agent may download).
    summary = pdf_text(case_summary_pdf(load_case(pid)))
    assert "一案双查：已记录查明情况" in summary
    assert all(secret not in summary for secret in SECRETS)


def test_findings_written_before_the_fix_are_not_shown_either(api, upheld):
    pid = upheld["id"]
    Event.objects.create(petition_id=pid, action="double_check_findings", on=upheld["received_on"],
                         actor_name="带班领导", note=f"一案双查查明情况：查事：{MATTER}；查人：{HANDLING}")
    detail = api("agent1").get(f"/petitions/{pid}").data
    assert MATTER not in str(detail) and HANDLING not in str(detail)
    summary = pdf_text(case_summary_pdf(load_case(pid)))
    assert MATTER not in summary and HANDLING not in summary


# --- 2. not the agent whose handling is examined ---------------------------------------------------

def test_the_current_and_previous_agents_cannot_be_the_assignee(api, upheld, org):
    pid = upheld["id"]
    item = DoubleInvestigation.objects.get(petition_id=pid)
    agent1, agent2 = User.objects.get(username="agent1"), User.objects.get(username="agent2")
    refused = api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": agent1.pk})
    assert refused.status_code == 400
    assert "代办员" in refused.data["error"]["fields"]["assignee_id"]
    moved = api("center").act(pid, "reassign", {"agent_id": org.agent2.pk, "reason": "原代办员回避"})
    assert moved.status_code == 200, moved.data
    for user in (agent1, agent2):  # the previous agent and the new one
        refused = api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": user.pk})
        assert refused.status_code == 400 and "assignee_id" in refused.data["error"]["fields"], user.username
    item.refresh_from_db()
    assert item.assignee_id is None
    # The page offers neither of them, and refuses them when posted anyway.
    page = login("center").get(f"/staff/double_checks/{item.pk}/").content.decode()
    assert f'value="{agent1.pk}"' not in page and f'value="{agent2.pk}"' not in page
    leader = User.objects.get(username="leader")
    assert f'value="{leader.pk}"' in page
    posted = login("center").post(f"/staff/double_checks/{item.pk}/assign/", {"assignee_id": agent1.pk}, follow=True)
    assert "不能担任一案双查责任人" in posted.content.decode()
    item.refresh_from_db()
    assert item.assignee_id is None
    assert api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": leader.pk}).status_code == 200


# --- 3. a department sees the content and its own 处置单 only --------------------------------------

def test_a_department_does_not_read_the_rest_of_the_case_work(api, finished, clock):  # noqa: F811
    pid = finished["id"]
    agent = api("agent1")
    assert agent.act(pid, "contact", {"method": "phone", "note": "私下沟通了补偿诉求"}).status_code == 200
    assert agent.act(pid, "terminate", {"note": "已落实三到位", "three_in_place": True}).status_code == 200
    assert agent.act(pid, "follow_up", {"note": "回访时信访人情绪稳定", "rebound": False}).status_code == 200
    assert agent.act(pid, "record_conduct", {"kind": "disruption", "note": "在办公区吵闹"}).status_code == 200
    referred = api("leader").act(pid, "refer_judicial", {"organ": "乌审旗公安局", "note": "移送证据"})
    assert referred.status_code == 200, referred.data
    full = api("center").get(f"/petitions/{pid}").data
    assert full["contacts"] and full["feedback"] and full["conduct"] and full["judicial_referrals"]
    assert full["follow_up_note"]
    dept = api("dept1").get(f"/petitions/{pid}")
    assert dept.status_code == 200
    d = dept.data
    assert d["content"] == full["content"] and [x["id"] for x in d["dispositions"]] == [
        x["id"] for x in full["dispositions"]]
    assert d["contacts"] == [] and d["reviews"] == [] and d["related"] == []
    assert d["conduct"] == [] and d["judicial_referrals"] == [] and d["double_checks"] == []
    assert d["escalation"] is None and d["feedback"] is None and d["online_rating"] is None
    assert d["feedback_method"] is None and d["satisfaction"] is None and d["follow_up_note"] == ""
    for secret in ("私下沟通了补偿诉求", "回访时信访人情绪稳定", "在办公区吵闹", "乌审旗公安局"):
        assert secret not in str(d)
    # The staff page: no conduct card, no evidence form, no referral letters.
    page = login("dept1").get(f"/staff/petitions/{pid}/").content.decode()
    assert 'data-testid="conduct"' not in page and 'name="conduct"' not in page and 'id="evidence-' not in page
    assert "referral" not in page and "在办公区吵闹" not in page


def test_a_department_does_not_read_the_review(api, upheld):
    pid = upheld["id"]
    assert api("center").get(f"/petitions/{pid}").data["reviews"]
    d = api("dept1").get(f"/petitions/{pid}").data
    assert d["reviews"] == [] and "补偿标准有误" not in str(d) and "申请有理" not in str(d)


def test_a_department_does_not_read_the_escalation(api, routed, clock):
    pid = routed()["id"]
    escalated = api("agent1").act(pid, "escalate", {"to": "center", "reason": "本站无法协调乡镇补偿口径"})
    assert escalated.status_code == 200, escalated.data
    returned = api("center").act(pid, "return_escalation", {"instructions": "请会同国土所再次核实"})
    assert returned.status_code == 200, returned.data
    assert returned.data["escalation"]["instructions"] == "请会同国土所再次核实"
    d = api("dept1").get(f"/petitions/{pid}").data
    assert d["escalation"] is None
    assert "本站无法协调乡镇补偿口径" not in str(d) and "请会同国土所再次核实" not in str(d)
    page = login("dept1").get(f"/staff/petitions/{pid}/").content.decode()
    assert "本站无法协调乡镇补偿口径" not in page and "请会同国土所再次核实" not in page


# --- 4. uploads by those who work the case only ----------------------------------------------------

def _upload(client, pid, kind="document", conduct=None):
    body = {"file": SimpleUploadedFile("照片.png", png_bytes()), "kind": kind}
    if conduct is not None:
        body["conduct"] = str(conduct)
    return client.client.post(f"/api/v1/petitions/{pid}/attachments", body, **client.headers)


@pytest.fixture
def with_conduct(api, finished, clock):  # noqa: F811
    pid = finished["id"]
    api("agent1").act(pid, "terminate", {"note": "终结", "three_in_place": True})
    done = api("agent1").act(pid, "record_conduct", {"kind": "disruption", "note": "在办公区吵闹"})
    assert done.status_code == 200, done.data
    return pid, done.data["conduct"][0]["id"]


def test_evidence_only_from_those_who_record_conduct_and_before_referral(api, with_conduct):
    pid, conduct = with_conduct
    before = Attachment.objects.count()
    for kind in ("evidence", "photo"):
        refused = _upload(api("dept1"), pid, kind=kind, conduct=conduct)
        assert refused.status_code == 403, refused.content
    assert _upload(api("dept1"), pid, kind="evidence").status_code == 403
    page = login("dept1").post(f"/staff/petitions/{pid}/attachments/", {
        "file": SimpleUploadedFile("照片.png", png_bytes()), "kind": "evidence", "conduct": conduct}, follow=True)
    assert "只有可以记录缠访闹访行为的人员上传证据材料" in page.content.decode()
    assert Attachment.objects.count() == before
    # The department still adds its ordinary files to a petition routed to it.
    assert _upload(api("dept1"), pid).status_code == 201
    assert _upload(api("agent1"), pid, conduct=conduct).status_code == 201
    # Once referred, the conduct's evidence is closed: 403 for everyone, nothing stored.
    assert api("leader").act(pid, "refer_judicial", {"organ": "乌审旗公安局", "note": "移送"}).status_code == 200
    count = Attachment.objects.count()
    for who in ("agent1", "leader", "center"):
        assert _upload(api(who), pid, conduct=conduct).status_code == 403, who
    assert Attachment.objects.count() == count
    page = login("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    assert f'id="evidence-{conduct}"' not in page  # no evidence form on a referred conduct


def test_a_previous_agent_reads_but_does_not_upload(api, chosen_agent12, org, clock):
    pid = chosen_agent12()
    assert _upload(api("agent12"), pid).status_code == 201  # while the agent
    assert api("center").act(pid, "reassign", {"agent_id": org.agent1.pk, "reason": "代办员调离"}).status_code == 200
    count = Attachment.objects.count()
    former = api("agent12")
    assert former.get(f"/petitions/{pid}").status_code == 200
    assert _upload(former, pid).status_code == 403
    client = login("agent12")
    assert 'name="kind"' not in client.get(f"/staff/petitions/{pid}/").content.decode()
    posted = client.post(f"/staff/petitions/{pid}/attachments/", {
        "file": SimpleUploadedFile("照片.png", png_bytes()), "kind": "document"}, follow=True)
    assert "您没有为该信访事项上传附件的权限" in posted.content.decode()
    assert Attachment.objects.count() == count
