"""Text the documents cannot lay out in reasonable time is refused by field everywhere multi-line
text is stored (attack finding: a complaint of 5,000 one-character lines made its agency form's PDF
take 21 s, 5,000 colour emoji 33 s, on every opening; anyone could submit one on the portal). A
complaint of 10,000 characters of prose is about 300 lines: it stays accepted whole."""

from __future__ import annotations

import pytest
from django.test import Client

from daiban.lib.text import MAX_EMOJI, MAX_LINES, layout_refusal
from daiban.petitions.models import Event, Petition, Urging
from daiban.staff.models import CaseNote
from tests.factories import login, petition_body

pytestmark = pytest.mark.django_db

LINES = "\n".join(["字"] * (MAX_LINES + 1))
EMOJI = "草场被占" + "😀" * (MAX_EMOJI + 1)
PROSE = ("反映的问题是草场被占用，补偿款未兑付，请求尽快解决。\n" * 300)[:10000]



def test_the_limits_and_what_stays_accepted():
    assert layout_refusal(PROSE) is None and layout_refusal("😀" * MAX_EMOJI) is None
    assert layout_refusal("\n".join(["字"] * MAX_LINES)) is None
    assert layout_refusal(LINES) == f"分行过多（{MAX_LINES + 1}行），最多{MAX_LINES}行，请合并段落后重新输入"
    assert layout_refusal(EMOJI) == f"表情符号过多（{MAX_EMOJI + 1}个），最多{MAX_EMOJI}个"


def test_api_intake_and_actions_refuse_by_field_and_store_nothing(api, org, routed):
    for content in (LINES, EMOJI):
        answer = api("agent1").post("/petitions", petition_body(content=content))
        assert answer.status_code == 400 and answer.data["error"]["fields"]["content"].startswith("反映的问题及诉求")
    assert api("agent1").post("/petitions", petition_body(content=PROSE)).status_code == 201
    p = routed()
    events = Event.objects.filter(petition_id=p["id"]).count()
    answer = api("agent1").act(p["id"], "contact", {"method": "phone", "note": LINES})
    assert answer.status_code == 400 and answer.data["error"]["fields"]["note"].startswith("联系内容分行过多")
    answer = api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": EMOJI})
    assert answer.status_code == 400 and "表情符号过多" in answer.data["error"]["fields"]["result"]
    assert Event.objects.filter(petition_id=p["id"]).count() == events


def test_the_portal_refuses_a_complaint_of_too_many_lines_by_name(org, clock):
    from tests.test_portal_pages import FORM

    page = Client().post("/submit/", {**FORM, "content": LINES})
    assert page.status_code == 400 and "分行过多" in page.content.decode()
    assert not Petition.objects.exists()


def test_staff_pages_refuse_by_field_a_case_action_a_note_and_bulk_urging(org, routed):
    p = routed()
    agent1 = login("agent1")
    events = Event.objects.filter(petition_id=p["id"]).count()
    answer = agent1.post(f"/staff/petitions/{p['id']}/act/contact/", {"method": "phone", "note": LINES},
                         HTTP_HX_REQUEST="true")
    assert "分行过多" in answer.content.decode()
    assert Event.objects.filter(petition_id=p["id"]).count() == events
    answer = agent1.post(f"/staff/petitions/{p['id']}/notes/", {"text": EMOJI}, HTTP_HX_REQUEST="true")
    assert "表情符号过多" in answer.content.decode() and not CaseNote.objects.exists()
    answer = agent1.post("/staff/petitions/bulk/", {"op": "urge", "ids": str(p["id"]), "note": LINES}, follow=True)
    assert "分行过多" in answer.content.decode() and not Urging.objects.exists()
