"""Issue 15, "also expected": the 受理回执 printed at the counter, internal notes with @, and the
SMS log on the case page — each only for the agency's side of the case, 404 for everyone else."""

from __future__ import annotations

import pytest

from daiban.notifications.models import Notification
from daiban.staff.models import CaseNote
from tests.factories import login

pytestmark = pytest.mark.django_db



def test_receipt_carries_number_code_deadline_and_a_qr_without_the_code(org, new_petition):
    p = new_petition()
    case = login("agent1").get(f"/staff/petitions/{p['id']}/").content.decode()
    assert 'data-testid="receipt-link"' in case
    page = login("agent1").get(f"/staff/petitions/{p['id']}/receipt/")
    assert page.status_code == 200
    html = page.content.decode()
    from daiban.petitions.models import Petition

    petition = Petition.objects.get(pk=p["id"])
    assert petition.number in html and petition.query_code in html
    assert f"{petition.national_forward_due_on:%Y年%-m月%-d日}" in html
    assert "<svg" in html and 'name="referrer" content="no-referrer"' in html
    # The QR and the printed address carry the number only, never the query code.
    assert f"?number={petition.number}" in html and f"code={petition.query_code}" not in html
    # No full personal data on a receipt.
    assert p["petitioner"]["id_number"] not in html or "*" in p["petitioner"]["id_number"]


@pytest.mark.parametrize(("username", "status"), [("dept1", 403), ("agent12", 404)])
def test_receipt_is_not_for_those_who_do_not_hand_out_the_code(org, routed, username, status):
    """Actor: the department the petition was routed to sees the case but may not print its receipt
    (403); an agent of another station does not see the case at all (404, as for no petition)."""
    p = routed()
    assert login(username).get(f"/staff/petitions/{p['id']}/receipt/").status_code == status


def test_note_with_mention_tells_the_colleague_and_stays_internal(org, routed, api):
    p = routed()
    client = login("agent1")
    response = client.post(f"/staff/petitions/{p['id']}/notes/", {"text": "@leader 请周三一起上门核实补偿款，@王建国 备好材料"})
    assert response.status_code == 302
    note = CaseNote.objects.get(petition_id=p["id"])
    assert {u.username for u in note.mentions.all()} == {"leader"}  # 王建国 is agent1 itself: not told
    told = Notification.objects.filter(recipient__username="leader", template="note_mention")
    assert told.count() == 1 and p["number"] in told.get().body
    listing = client.get(f"/staff/petitions/{p['id']}/notes/").content.decode()
    assert "请周三一起上门核实补偿款" in listing
    # Never in the department's view, the API's timeline or the public tracking.
    assert login("dept1").get(f"/staff/petitions/{p['id']}/notes/").status_code == 403
    assert "上门核实补偿款" not in login("dept1").get(f"/staff/petitions/{p['id']}/").content.decode()
    detail = api("agent1").get(f"/petitions/{p['id']}")
    assert "上门核实补偿款" not in str(detail.data)


def test_note_refuses_unknown_mentions_and_outsiders_and_changes_nothing(org, routed):
    p = routed()
    response = login("agent1").post(f"/staff/petitions/{p['id']}/notes/", {"text": "@dept1 请看"},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "没有可提醒的同事" in response.content.decode()
    response = login("agent1").post(f"/staff/petitions/{p['id']}/notes/", {"text": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "请填写批注内容" in response.content.decode()
    assert login("agent12").post(f"/staff/petitions/{p['id']}/notes/", {"text": "看看"}).status_code == 404
    assert not CaseNote.objects.exists()


def test_note_text_is_cleaned_and_escaped(org, new_petition):
    p = new_petition()
    login("agent1").post(f"/staff/petitions/{p['id']}/notes/", {"text": "<script>alert(1)</script>\u000b备注\u0000"})
    note = CaseNote.objects.get()
    assert "\u0000" not in note.text and "\u000b" not in note.text
    html = login("agent1").get(f"/staff/petitions/{p['id']}/notes/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_sms_log_shows_delivery_state_with_the_phone_masked(org, accepted):
    p = accepted()
    assert Notification.objects.filter(petition_id=p["id"], channel="sms").exists()
    html = login("agent1").get(f"/staff/petitions/{p['id']}/messages/").content.decode()
    assert 'data-testid="sms"' in html and "13912345678" not in html and "139****5678" in html
    assert login("dept1").get(f"/staff/petitions/{p['id']}/messages/").status_code == 404  # not routed to it
    case = login("agent1").get(f"/staff/petitions/{p['id']}/").content.decode()
    assert 'id="sms"' in case and 'id="notes"' in case
