"""After termination: pressure and disruption logged with evidence, referral to the judicial organs
with its 移送函 in the case file (issue 12, item 9; API.md 1.1 record_conduct, refer_judicial). On
main neither action existed: a terminated petitioner's 缠访、闹访 could not be recorded at all."""

import csv
import io
import zipfile

import pytest
from django.test import Client
from docx import Document

from daiban.documents.flowchart import svg
from daiban.documents.models import Attachment
from daiban.org.models import User
from daiban.petitions.actions import ACTIONS, transitions
from daiban.petitions.models import Conduct, Event
from tests.factories import png_bytes
from tests.test_documents import _file, _tiny_pdf, finished, pdf_text  # noqa: F401  (fixture)


@pytest.fixture
def terminated(api, finished, clock):  # noqa: F811
    done = api("agent1").act(finished["id"], "terminate", {"note": "已落实三到位一处理", "three_in_place": True})
    assert done.status_code == 200, done.data
    return done.data


def _evidence(api_client, petition_id, name, data, conduct=None, kind="evidence"):
    body = {"file": _file(name, data), "kind": kind}
    if conduct is not None:
        body["conduct"] = str(conduct)
    return api_client.client.post(f"/api/v1/petitions/{petition_id}/attachments", body, **api_client.headers)


def test_conduct_only_after_termination_and_the_status_stays(api, finished, clock):  # noqa: F811
    pid = finished["id"]
    early = api("agent1").act(pid, "record_conduct", {"kind": "pestering", "note": "多次到局缠访"})
    assert early.status_code == 409  # feedback_given: not terminated yet
    api("agent1").act(pid, "terminate", {"note": "终结"})
    bad = api("agent1").act(pid, "record_conduct", {"kind": "shouting", "note": "x"})
    assert bad.status_code == 400 and "kind" in bad.data["error"]["fields"]
    empty = api("agent1").act(pid, "record_conduct", {"kind": "disruption", "note": " \u200b "})
    assert empty.status_code == 400 and "note" in empty.data["error"]["fields"]
    for kind in ("pestering", "disruption", "pressure", "seizing_law", "seeking_gain"):
        done = api("agent1").act(pid, "record_conduct", {"kind": kind, "note": f"{kind}的经过"})
        assert done.status_code == 200, done.data
        assert done.data["status"] == "terminated"
    assert [c["kind"] for c in done.data["conduct"]] == ["pestering", "disruption", "pressure", "seizing_law",
                                                        "seeking_gain"]
    last = done.data["events"][-1]
    assert last["action"] == "record_conduct" and "以访谋利" in last["note"]
    assert last["from_status"] == last["to_status"] == "terminated"
    # Still on the way to archived: follow-up, more conduct, archive.
    assert api("agent1").act(pid, "follow_up", {"note": "回访"}).data["status"] == "followed_up"
    assert api("agent1").act(pid, "record_conduct", {"kind": "pestering", "note": "回访后仍缠访"}).status_code == 200
    assert api("agent1").act(pid, "archive").data["status"] == "archived"
    assert api("agent1").act(pid, "record_conduct", {"kind": "pestering", "note": "归档后"}).status_code == 409


def test_evidence_is_an_attachment_of_the_occurrence_with_the_byte_checks(api, terminated, accepted):
    pid = terminated["id"]
    agent = api("agent1")
    conduct = agent.act(pid, "record_conduct", {"kind": "disruption", "note": "在办公区吵闹"}).data["conduct"][0]
    ok = _evidence(agent, pid, "现场照片.png", png_bytes(), conduct=conduct["id"])
    assert ok.status_code == 201, ok.content
    assert ok.json()["kind"] == "evidence" and ok.json()["conduct"] == conduct["id"]
    assert Attachment.objects.get(pk=ok.json()["id"]).conduct_id == conduct["id"]
    # A conduct's file is always evidence, whatever kind was sent.
    photo = _evidence(agent, pid, "视频截图.png", png_bytes(), conduct=conduct["id"], kind="photo")
    assert photo.status_code == 201 and photo.json()["kind"] == "evidence"
    # The same byte-level checks as every attachment: a script named .png is refused.
    fake = _evidence(agent, pid, "照片.png", b"<script>alert(1)</script>", conduct=conduct["id"])
    assert fake.status_code == 400 and "file" in fake.json()["error"]["fields"]
    # Evidence needs its occurrence, of this petition.
    assert _evidence(agent, pid, "a.png", png_bytes()).status_code == 400
    other = accepted()
    agent.act(other["id"], "contact", {"method": "phone", "note": "x"})
    assert _evidence(agent, other["id"], "a.png", png_bytes(), conduct=conduct["id"]).status_code == 400


def test_referral_hands_over_the_conduct_recorded_so_far(api, terminated):
    pid = terminated["id"]
    refused = api("leader").act(pid, "refer_judicial", {"organ": "乌审旗公安局", "note": "移送证据"})
    assert refused.status_code == 409  # nothing recorded to hand over
    first = api("agent1").act(pid, "record_conduct", {"kind": "disruption", "note": "在办公区吵闹"}).data["conduct"][0]
    _evidence(api("agent1"), pid, "现场照片.png", png_bytes(), conduct=first["id"])
    api("agent1").act(pid, "record_conduct", {"kind": "pressure", "note": "扬言到市上访施压"})
    # The referral is the leaders' or the center's decision.
    assert api("agent1").act(pid, "refer_judicial", {"organ": "乌审旗公安局", "note": "x"}).status_code == 403
    assert api("leader").act(pid, "refer_judicial", {"organ": "", "note": "x"}).status_code == 400
    referred = api("leader").act(pid, "refer_judicial", {"organ": "乌审旗公安局", "note": "现场照片1张、情况记录2份"})
    assert referred.status_code == 200, referred.data
    assert referred.data["status"] == "terminated"
    referral = referred.data["judicial_referrals"][0]
    assert referral["organ"] == "乌审旗公安局" and referral["on"] == "2026-09-16"
    assert {c["referral_id"] for c in referred.data["conduct"]} == {referral["id"]}
    event = Event.objects.filter(petition_id=pid).last()
    assert event.action == "refer_judicial" and len(event.data["conduct_ids"]) == 2
    # Nothing new to hand over: the action is not offered and refused.
    names = [a["name"] for a in api("leader").get(f"/petitions/{pid}/actions").data]
    assert "record_conduct" in names and "refer_judicial" not in names
    assert api("center").act(pid, "refer_judicial", {"organ": "乌审旗人民检察院", "note": "x"}).status_code == 409
    api("agent1").act(pid, "record_conduct", {"kind": "pestering", "note": "再次缠访"})
    again = api("center").act(pid, "refer_judicial", {"organ": "乌审旗人民检察院", "note": "补充移送"})
    assert again.status_code == 200 and len(again.data["judicial_referrals"]) == 2
    assert Conduct.objects.filter(petition_id=pid, referral__isnull=True).count() == 0


def _referred(api, pid):
    conduct = api("agent1").act(pid, "record_conduct", {"kind": "seizing_law", "note": "以上访要挟改判"}).data
    _evidence(api("agent1"), pid, "威胁短信截图.png", png_bytes(), conduct=conduct["conduct"][0]["id"])
    return api("leader").act(pid, "refer_judicial", {"organ": "乌审旗公安局", "note": "短信截图1张"}).data


def test_the_referral_letter_in_docx_and_pdf(api, terminated):
    pid = terminated["id"]
    referral = _referred(api, pid)["judicial_referrals"][0]
    docx = api("leader").get(f"/judicial_referrals/{referral['id']}/letter.docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "移送函" in text and "乌审旗公安局" in text and "以访夺法" in text and "威胁短信截图.png" in text
    assert f"{terminated['number']}-YS1" in text
    pdf = api("center").get(f"/judicial_referrals/{referral['id']}/letter.pdf")
    assert pdf.status_code == 200 and "移送函" in pdf_text(pdf.content)
    assert api("leader").get(f"/judicial_referrals/{referral['id']}/letter.txt").status_code == 404
    for outsider in ("dept1", "agent12"):  # the department asked to act; another station's agent
        assert api(outsider).get(f"/judicial_referrals/{referral['id']}/letter.pdf").status_code == 404
    assert api("leader").get("/judicial_referrals/999999/letter.pdf").status_code == 404


def test_the_referral_letter_is_filed_in_the_case_file(api, terminated, clock):
    pid = terminated["id"]
    _referred(api, pid)
    api("agent1").act(pid, "follow_up", {"note": "回访"})
    assert api("agent1").act(pid, "archive").status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(api("agent1").get(f"/petitions/{pid}/archive.zip").content))
    root = terminated["number"]
    rows = list(csv.reader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))
    titles = [r[3] for r in rows[1:]]
    assert "移送函（乌审旗公安局）" in titles
    assert any("威胁短信截图" in t and "证据材料" in t for t in titles)
    names = archive.namelist()
    assert any(n.endswith("移送函（乌审旗公安局）.pdf") for n in names)
    assert any("工作文件（DOCX）" in n and "移送函" in n for n in names)


def test_declared_in_the_workflow_and_drawn_on_the_flowchart():
    for name in ("record_conduct", "refer_judicial"):
        act = ACTIONS[name]
        assert act.sources == {"terminated", "followed_up"} and act.targets == ()
    edges = {(s, a, t) for s, a, t in transitions() if a in ("record_conduct", "refer_judicial")}
    assert edges == {(s, a, s) for s in ("terminated", "followed_up") for a in ("record_conduct", "refer_judicial")}
    chart = svg()
    assert 'data-edge="terminated>terminated"' in chart and "记录缠访闹访行为" in chart and "移送司法机关" in chart


def test_the_case_page_offers_the_forms_and_lists_conduct_and_letters(api, terminated):
    pid = terminated["id"]
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert f"/staff/petitions/{pid}/act/record_conduct/" in page and "以访施压" in page
    posted = client.post(f"/staff/petitions/{pid}/act/record_conduct/", {"kind": "pestering", "note": "每日到局缠访"})
    assert posted.status_code == 302
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert "每日到局缠访" in page and 'name="conduct"' in page
    assert f"/staff/petitions/{pid}/act/refer_judicial/" in page
    client.post(f"/staff/petitions/{pid}/act/refer_judicial/", {"organ": "乌审旗公安局", "note": "情况记录1份"})
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    referral = Conduct.objects.get(petition_id=pid).referral
    assert f"/staff/judicial_referrals/{referral.pk}/letter.docx" in page
    assert client.get(f"/staff/judicial_referrals/{referral.pk}/letter.pdf").status_code == 200


def test_the_petitioner_does_not_see_the_conduct_record_and_the_center_is_told(api, terminated):
    from daiban.notifications.models import Notification

    pid = terminated["id"]
    _referred(api, pid)
    public = api().get(f"/public/petitions/{terminated['number']}", code=terminated["query_code"])
    assert public.status_code == 200
    texts = " ".join(e["text"] for e in public.data["timeline"])
    assert "以访夺法" not in texts and "移送" not in texts and "公安" not in texts
    assert Notification.objects.filter(template="judicial_referral", recipient__username="center").count() == 1


def test_a_petition_with_conduct_evidence_and_referral_can_still_be_deleted_whole(api, terminated):
    """The maintenance path (bench reset, data retention) deletes petitions: the evidence and the
    referral must not block it (RESTRICT, not PROTECT: they go with their petition)."""
    from daiban.audit.guard import maintenance
    from daiban.petitions.models import JudicialReferral, Petition

    pid = terminated["id"]
    _referred(api, pid)
    with maintenance():
        Petition.objects.filter(pk=pid).delete()
    assert not Conduct.objects.filter(petition_id=pid).exists()
    assert not JudicialReferral.objects.filter(petition_id=pid).exists()
    assert not Attachment.objects.filter(petition_id=pid).exists()


def test_the_case_page_refuses_odd_evidence_targets_without_a_500(api, terminated):
    pid = terminated["id"]
    api("agent1").act(pid, "record_conduct", {"kind": "pestering", "note": "缠访"})
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    for odd in ("99999999999999999999", "-1", "abc", "0"):
        response = client.post(f"/staff/petitions/{pid}/attachments/",
                               {"file": _file("a.png", png_bytes()), "kind": "evidence", "conduct": odd})
        assert response.status_code == 302, odd
    assert not Attachment.objects.filter(petition_id=pid).exists()
