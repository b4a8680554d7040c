"""Issue 12, item 3: a department asks for more time before the due date; the station's leaders or
the center decide; approved, the 处置单's due date (and the petition's when it is the latest) moves
by that many working days and the petitioner is told. One extension per 处置单 unless the center
approves another."""

from __future__ import annotations

import datetime
import io
import re

from docx import Document

from daiban.notifications.models import Notification
from daiban.petitions.models import Disposition, Petition
from daiban.workdays.engine import add_workdays
from tests.factories import login


def _due(data: dict) -> str:
    return data["dispositions"][0]["due_on"]


def test_request_approve_moves_both_due_dates_and_tells_the_petitioner(api, routed, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    assert _due(petition) == petition["due_on"] == "2026-10-13"
    dept1 = api("dept1")
    bad = dept1.act_disposition(did, "request_extension", {"workdays": 0, "reason": "需现场测绘"})
    assert bad.status_code == 400 and "workdays" in bad.data["error"]["fields"]
    assert dept1.act_disposition(did, "request_extension", {"workdays": 5}).status_code == 400
    # Only the department (or the agent entering its paper request) asks; nobody decides an absent request.
    assert api("duty").act_disposition(did, "decide_extension", {"approved": True}).status_code == 409
    asked = dept1.act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    assert asked.status_code == 200, asked.data
    assert asked.data["dispositions"][0]["extensions"][0]["approved"] is None
    assert Notification.objects.filter(template="extension_requested", recipient__username="duty").exists()
    assert Notification.objects.filter(template="extension_requested", recipient__username="center").exists()
    pending = dept1.act_disposition(did, "request_extension", {"workdays": 3, "reason": "再延"})
    assert pending.status_code == 409  # one request waits at a time
    # Who decides: the station's leaders or the center, not the agent nor the department.
    assert api("agent1").act_disposition(did, "decide_extension", {"approved": True}).status_code == 403
    assert dept1.act_disposition(did, "decide_extension", {"approved": True}).status_code == 403

    approved = api("duty").act_disposition(did, "decide_extension", {"approved": True, "note": "同意"})
    assert approved.status_code == 200, approved.data
    expected = add_workdays(datetime.date(2026, 9, 16), 20).date.isoformat()
    assert _due(approved.data) == expected and approved.data["due_on"] == expected  # the petition's moved too
    ext = approved.data["dispositions"][0]["extensions"][0]
    assert ext["approved"] is True and ext["new_due_on"] == expected and ext["decided_on"] == "2026-09-16"
    sms = Notification.objects.filter(petition_id=pid, channel="sms", template="extension").get()
    assert "延期办理" in sms.body
    notices = {n["kind"]: n["available"] for n in api("agent1").get(f"/petitions/{pid}/notices").data}
    assert notices["extension"] is True
    letter = api("agent1").get(f"/petitions/{pid}/notices/extension.docx")
    assert letter.status_code == 200
    text = "".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert "延长5个工作日" in text and "需现场测绘" in text and "延期办理告知书" in text
    assert Notification.objects.filter(template="extension_decided", recipient__username="dept1").exists()
    public = api().get(f"/public/petitions/{petition['number']}", code=petition["query_code"])
    assert "因情况复杂，经批准办理期限延长5个工作日" in [e["text"] for e in public.data["timeline"]]


def test_a_second_extension_needs_the_center(api, routed, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    dept1 = api("dept1")
    dept1.act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    api("leader").act_disposition(did, "decide_extension", {"approved": True})
    again = dept1.act_disposition(did, "request_extension", {"workdays": 3, "reason": "测绘结果需复核"})
    assert again.status_code == 200
    refused = api("duty").act_disposition(did, "decide_extension", {"approved": True})
    assert refused.status_code == 409 and refused.data["error"]["code"] == "extension_limit"
    before = Disposition.objects.get(pk=did).due_on
    by_center = api("center").act_disposition(did, "decide_extension", {"approved": True, "note": "特批"})
    assert by_center.status_code == 200
    assert _due(by_center.data) == add_workdays(before, 3).date.isoformat()


def test_refusal_needs_a_note_and_changes_nothing(api, routed, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    no_note = api("duty").act_disposition(did, "decide_extension", {"approved": False})
    assert no_note.status_code == 400 and "note" in no_note.data["error"]["fields"]
    refused = api("duty").act_disposition(did, "decide_extension", {"approved": False, "note": "时限内可以办结"})
    assert refused.status_code == 200
    assert _due(refused.data) == "2026-10-13" and refused.data["dispositions"][0]["extensions"][0]["approved"] is False
    assert not Notification.objects.filter(channel="sms", template="extension").exists()
    # A refused request does not count: the department may ask again, a leader may approve it.
    api("dept1").act_disposition(did, "request_extension", {"workdays": 2, "reason": "补充材料"})
    assert api("duty").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200


def test_no_request_after_the_due_date(api, routed, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    clock.move_to(datetime.datetime(2026, 10, 14, 10, 0))
    late = api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    assert late.status_code == 409 and "已过" in late.data["error"]["message"]


def test_the_petition_keeps_its_later_due_date(api, routed, org, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    Petition.objects.filter(pk=pid).update(due_on=datetime.date(2026, 12, 31), due_workdays=None)
    api("dept1").act_disposition(did, "request_extension", {"workdays": 2, "reason": "补充材料"})
    done = api("duty").act_disposition(did, "decide_extension", {"approved": True})
    assert done.data["due_on"] == "2026-12-31" and _due(done.data) == add_workdays(
        datetime.date(2026, 9, 16), 17).date.isoformat()


def test_request_and_decision_through_the_pages(api, routed, clock):
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    dept = login("dept1")
    page = dept.get(f"/staff/petitions/{pid}/").content.decode()
    assert "request_extension" in set(re.findall(r'data-action="([a-z_]+)"', page))
    version = petition["version"]
    assert dept.post(f"/staff/dispositions/{did}/act/request_extension/",
                     {"workdays": "5", "reason": "需现场测绘", "version": version}).status_code == 302
    leader = login("duty")
    page = leader.get(f"/staff/petitions/{pid}/").content.decode()
    assert "decide_extension" in set(re.findall(r'data-action="([a-z_]+)"', page))
    assert "申请延期5个工作日：需现场测绘（待审批）" in page
    assert leader.post(f"/staff/dispositions/{did}/act/decide_extension/",
                       {"approved": "true", "note": "", "version": version + 1}).status_code == 302
    page = leader.get(f"/staff/petitions/{pid}/").content.decode()
    assert "decide_extension" not in set(re.findall(r'data-action="([a-z_]+)"', page))
    assert "批准，时限延至" in page
