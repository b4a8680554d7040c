"""Signed opinions are final (issue 12, fault 3): a second opinion of the same role is refused
(409 already_signed); a 补充意见 is kept as its own row and printed under the first on the 处置单."""

import io

from django.test import Client
from docx import Document
from pypdf import PdfReader

from daiban.org.models import User
from daiban.petitions.models import Disposition, OpinionSupplement


def _leader_row(data: bytes) -> str:
    table = Document(io.BytesIO(data)).tables[0]
    for row in table.rows:
        if row.cells[0].text.replace("\n", "") == "分管领导处理意见":
            return row.cells[1].text
    raise AssertionError("no 分管领导处理意见 row")


def _pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_a_second_opinion_of_the_same_role_is_refused(api, routed, org, clock):
    did = routed()["dispositions"][0]["id"]
    leader = api("leader")
    assert leader.act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "同意"}).status_code == 200
    again = leader.act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "不同意，先报局长"})
    assert again.status_code == 409
    assert again.data["error"]["code"] == "already_signed"
    d = Disposition.objects.get(pk=did)
    assert d.leader_opinion == "同意" and not OpinionSupplement.objects.exists()
    # The form printed still reads the signed opinion.
    assert "不同意" not in _leader_row(api("agent1").get(f"/dispositions/{did}/form.docx").content)
    # The other row is still open to its own signer.
    assert api("chief").act_disposition(did, "opinion", {"role": "principal", "text": "同意"}).status_code == 200


def test_a_supplement_is_kept_and_printed_under_the_first_opinion(api, routed, org, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    leader = api("leader")
    leader.act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "同意"})
    added = leader.act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "先报局长审定",
                                                    "supplement": True})
    assert added.status_code == 200, added.data
    d = Disposition.objects.get(pk=did)
    assert d.leader_opinion == "同意"
    supplement = OpinionSupplement.objects.get(disposition=d)
    assert (supplement.role, supplement.text, supplement.by.username) == ("leader_in_charge", "先报局长审定", "leader")
    detail = api("agent1").get(f"/petitions/{petition['id']}").data
    shown = detail["dispositions"][0]
    assert shown["leader_opinion"] == "同意"
    assert [(x["role"], x["text"]) for x in shown["supplements"]] == [("leader_in_charge", "先报局长审定")]
    assert shown["supplements"][0]["on"] == "2026-09-16" and shown["supplements"][0]["by"]
    # DOCX: the first opinion, its signature, then the supplement with its own signer and date.
    cell = _leader_row(api("agent1").get(f"/dispositions/{did}/form.docx").content)
    assert cell.index("同意") < cell.index("补充意见：先报局长审定")
    assert cell.count("签批人") == 2 and cell.count("2026年9月16日") == 2
    # PDF: the same order.
    text = _pdf_text(api("agent1").get(f"/dispositions/{did}/form.pdf").content)
    assert text.index("同意") < text.index("补充意见：先报局长审定") < text.index("领导批示")
    # The case page shows it under the opinion, and the leader's form now offers a supplement.
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    page = client.get(f"/staff/petitions/{petition['id']}/").content.decode()
    assert "补充意见" in page and "先报局长审定" in page
    assert "分管领导处理意见：补充意见" in page


def test_the_case_page_form_adds_a_supplement_rather_than_replacing(api, routed, org, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    api("leader").act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "同意"})
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    version = api("agent1").get(f"/petitions/{petition['id']}").data["version"]
    response = client.post(f"/staff/dispositions/{did}/act/opinion/", {
        "role": "leader_in_charge", "text": "请加快办理", "supplement": "on", "version": version})
    assert response.status_code in (302, 303), response.status_code
    d = Disposition.objects.get(pk=did)
    assert d.leader_opinion == "同意"
    assert list(d.supplements.values_list("text", flat=True)) == ["请加快办理"]
