"""Document faults, each a kind, each opened by a real client (pypdf, python-docx, LibreOffice):

1. Signature and role fields (立卷人, 检查人, 签发, 联系人, dates) are filled from the data (the events) or
   left as a line to sign by hand (layout.SIGN_LINE), never a silent blank.
2. Multi-page official documents are numbered as GB/T 9704 §7.5 sets it (— N —, outer side), in the
   DOCX (a PAGE field in the footers) and the PDF.
3. The portal's QR code reaches the tracking result in a browser without JavaScript, and the query
   code never travels in an address.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from daiban.documents.layout import SIGN_LINE
from tests.office import needs_office, page_texts, to_pdf
from tests.test_documents import _archive_to_end, finished, pdf_text  # noqa: F401 (finished: a fixture)


def _archive(api, petition: dict) -> zipfile.ZipFile:
    response = api("center").get(f"/petitions/{petition['id']}/archive.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def _member(archive: zipfile.ZipFile, suffix: str) -> str:
    name = next(n for n in archive.namelist() if n.endswith(suffix))
    return pdf_text(archive.read(name))


def _flat(text: str) -> str:
    return "".join(text.split())


# --- 1. signatures and roles -------------------------------------------------------------------------

def test_a_leader_who_archives_the_agents_file_signs_it_as_the_checker(api, finished, clock):  # noqa: F811
    """Actor: the station's leader in charge (刘振华) seals the file agent1 (王建国) put together: the
    cover and the 卷内备考表 name 王建国 as 立卷人 and 刘振华 as 检查人, with the archiving day and the
    件数 and 页数 of the file."""
    agent = api("agent1")
    agent.act(finished["id"], "terminate", {"note": "群众基本满意"})
    agent.act(finished["id"], "follow_up", {"note": "回访无反弹"})
    assert api("leader").act(finished["id"], "archive").status_code == 200
    archive = _archive(api, finished)
    cover, note = _flat(_member(archive, "案卷封面.pdf")), _flat(_member(archive, "卷内备考表.pdf"))
    assert "立卷人王建国" in cover and "检查人刘振华" in cover, cover
    assert "立卷人：王建国" in note and "检查人：刘振华" in note, note
    assert re.search(r"立卷日期\d{4}年\d{1,2}月\d{1,2}日", cover) and re.search(r"日期：\d{4}年", note)
    pages = sum(len(PdfReader(io.BytesIO(archive.read(n))).pages) for n in archive.namelist()
                if n.rsplit("/", 1)[-1][:2].isdigit() and not n.rsplit("/", 1)[-1].startswith(("00", "99"))
                and n.endswith(".pdf"))
    count = len([n for n in archive.namelist() if "/" in n and n.split("/")[1][:2].isdigit()
                 and not n.split("/")[1].startswith(("00", "99"))])
    assert f"共{count}件{pages}页" in cover and f"本卷共{count}件{pages}页" in note


def test_an_agent_who_archives_alone_leaves_a_line_for_the_checker(api, finished, clock):  # noqa: F811
    """Actor: agent1 archives their own file: nobody else checked it, so the 备考表 gives the 检查人 a line
    to sign on by hand (and the agent is not named as their own checker)."""
    assert _archive_to_end(api, finished, clock).status_code == 200
    archive = _archive(api, finished)
    note = _flat(_member(archive, "卷内备考表.pdf"))
    assert "立卷人：王建国" in note and f"检查人：{SIGN_LINE}" in note, note
    assert "检查人王建国" not in _flat(_member(archive, "案卷封面.pdf"))


def test_a_file_not_yet_archived_leaves_its_date_to_write_in(api, finished):  # noqa: F811
    """Actor: the center previews the file of a case still open: the 立卷日期 is the date's blanks, not
    an empty cell, and the 检查人 a line."""
    from daiban.documents.casefile import cover_context, items
    from daiban.petitions.models import Petition

    petition = Petition.objects.get(pk=finished["id"])
    context = cover_context(petition, items(petition))
    assert context["filed_on"] == "　　　　年　　月　　日" and context["checker"] == ""
    assert context["filer"] == "王建国"


def test_the_monthly_report_without_a_signer_gives_a_line_to_sign(api, org, settings):
    """Actor: the center downloads the month's report while DAIBAN_REPORT_SIGNER is unset: 签发 is a
    line in all three formats, not four spaces."""
    settings.DAIBAN_REPORT_SIGNER = ""
    center = api("center")
    docx = Document(io.BytesIO(center.get("/stats/report.docx", month="2026-09").content))
    assert any(f"签发：{SIGN_LINE}" in p.text for p in docx.paragraphs)
    assert f"签发：{SIGN_LINE}" in _flat(pdf_text(center.get("/stats/report.pdf", month="2026-09").content))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(center.get("/stats/report.xlsx", month="2026-09").content))
    assert f"签发：{SIGN_LINE}" in book["说明"]["A3"].value


def test_a_referral_letter_names_a_contact_even_without_an_agent(api, finished, clock):  # noqa: F811
    """Actor: the center refers conduct to the police on a matter whose agent has since left it: the
    移送函's 联系人 is whoever made the referral, never an empty name."""
    from daiban.documents.referral import referral_letter
    from daiban.org.models import User
    from daiban.petitions.models import JudicialReferral, Petition
    from daiban.petitions.selectors import petitioner_view

    petition = Petition.objects.get(pk=finished["id"])
    referral = JudicialReferral.objects.create(petition=petition, organ="乌审旗公安局", on=petition.received_on,
                                               note="材料一份", by=User.objects.get(username="center"))
    with_agent = referral_letter(petition, referral, person=petitioner_view(petition, None))
    assert "联系人：王建国" in with_agent.note
    Petition.objects.filter(pk=petition.pk).update(agent=None)
    petition = Petition.objects.get(pk=petition.pk)
    letter = referral_letter(petition, referral, person=petitioner_view(petition, None))
    assert "联系人：乌日娜" in letter.note and "联系人：　" not in letter.note


# --- 2. page numbers ---------------------------------------------------------------------------------

def _report(api, fmt: str) -> bytes:
    response = api("center").get(f"/stats/report.{fmt}", month="2026-09")
    assert response.status_code == 200
    return response.content


def _numbers(texts: list[str]) -> list[str]:
    """The — N — page numbers found on each page's text (white space removed)."""
    return [",".join(re.findall(r"—(\d+)—", text)) for text in texts]


def test_the_monthly_report_pdf_numbers_every_page_as_an_official_document(api, org):
    """Actor: the center prints the month's report (several pages: charts and tables): every page
    carries — N — (GB/T 9704 §7.5), not 第 N 页 共 M 页."""
    pdf = _report(api, "pdf")
    texts = page_texts(pdf)
    assert len(texts) >= 2
    assert _numbers(texts) == [str(n) for n in range(1, len(texts) + 1)]
    assert not any("共" in t and "页" in t and re.search(r"第\d+页共\d+页", t) for t in texts)


def test_the_monthly_report_docx_has_a_page_field_at_the_outer_side(api, org):
    """Actor: the center edits the month's report in Word: the odd and even footers hold a PAGE field
    between 一字线, right on odd pages and left on even ones."""
    document = Document(io.BytesIO(_report(api, "docx")))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        assert "PAGE" in "".join(t.text or "" for t in footer._element.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText"))
        assert "— " in footer.paragraphs[0].text and " —" in footer.paragraphs[0].text
        assert footer.paragraphs[0].alignment == align


@needs_office
@pytest.mark.office
def test_libreoffice_prints_the_monthly_report_with_its_page_numbers(api, org):
    """Actor: a clerk opens the report's DOCX in LibreOffice and prints it: each page shows its — N —."""
    texts = page_texts(to_pdf(_report(api, "docx"), "docx"))
    assert len(texts) >= 2
    assert _numbers(texts) == [str(n) for n in range(1, len(texts) + 1)]


def test_a_long_letter_is_numbered_on_every_page_in_both_formats(api, finished, clock):  # noqa: F811
    """Actor: agent1 prints a 处理意见书 whose result runs over two pages: the PDF's every page and the
    DOCX's footers carry — N —."""
    from daiban.petitions.models import Petition

    Petition.objects.filter(pk=finished["id"]).update(result="经协调补偿款已全额发放。" * 150)
    pdf = api("agent1").get(f"/petitions/{finished['id']}/notices/result.pdf")
    assert pdf.status_code == 200
    texts = page_texts(pdf.content)
    assert len(texts) >= 2 and _numbers(texts) == [str(n) for n in range(1, len(texts) + 1)]
    docx = api("agent1").get(f"/petitions/{finished['id']}/notices/result.docx")
    document = Document(io.BytesIO(docx.content))
    assert all("PAGE" in f._element.xml for f in (document.sections[0].footer, document.sections[0].even_page_footer))



def test_every_printed_spreadsheet_numbers_its_pages(api, org):
    """Actor: the center prints the month's report and the audit trail from their XLSX: each sheet's
    footer numbers the pages (第 &P 页 共 &N 页), as the ledger's does, and the audit trail repeats its
    header row on every page."""
    from django.test import Client
    from openpyxl import load_workbook

    from daiban.lib.xlsx import PAGE_FOOTER
    from daiban.org.models import User

    book = load_workbook(io.BytesIO(_report(api, "xlsx")))
    assert all(sheet.oddFooter.center.text == PAGE_FOOTER for sheet in book.worksheets)
    client = Client()
    client.force_login(User.objects.get(username="center"))
    export = client.get("/staff/audit.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet.oddFooter.center.text == PAGE_FOOTER and sheet.print_title_rows == "$1:$1"


# --- 3. the QR code without JavaScript ---------------------------------------------------------------

def _submitted(serial: int = 961):
    """A petition sent on the portal: (the petition, the address its answer page's QR code holds). The
    address is read back from the drawn QR code: the page's SVG is the one its address makes."""
    import segno
    from django.test import Client

    from daiban.petitions.models import Petition
    from tests.factories import COMPLAINT, id_number

    client = Client()
    client.post("/submit/", {"name": "巴图", "id_number": id_number(serial=serial), "phone": "13712345678",
                             "address": "嘎鲁图镇", "content": COMPLAINT, "consent": "on"})
    petition = Petition.objects.get()
    page = client.get("/submitted/").content.decode()
    ticket = client.session["portal_submitted"]["ticket"]
    url = f"http://testserver/track/{petition.number}/qr/{ticket}/#code={petition.query_code}"
    drawn = segno.make(url, error="m").svg_inline(scale=4, dark="#1a1a1a")
    assert drawn in page
    assert drawn in client.get("/submitted/").content.decode()  # the same code when shown again
    # The page's own link is for this browser, whose session holds the code: it spends no ticket.
    link = re.search(r'<a href="([^"]+)">查询页面</a>', page).group(1)
    assert link == f"http://testserver/track/{petition.number}/#code={petition.query_code}"
    assert 'data-testid="status-text"' in client.get(f"/track/{petition.number}/").content.decode()
    from daiban.portal.models import QrTicket

    assert QrTicket.objects.get(petition=petition).used_at is None
    return petition, url


def test_the_qr_link_reaches_the_result_without_script_and_the_code_stays_out_of_addresses(org, clock):
    """Actor: a herder scans the answer page's QR code with a phone whose browser runs no script (the
    Django test client runs none and, as browsers, never sends the fragment): one button, and the
    tracking result; no request carries the query code in its address."""
    from urllib.parse import urlsplit

    from django.test import Client

    petition, link = _submitted()
    parts = urlsplit(link)
    assert parts.fragment == f"code={petition.query_code}"  # for a browser with script, as before
    assert petition.query_code not in parts.path + parts.query
    phone = Client()
    opened = phone.get(parts.path)
    page = opened.content.decode()
    assert opened.status_code == 200 and opened["Referrer-Policy"] == "no-referrer"
    assert petition.query_code not in page and petition.number in page
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    assert petition.query_code not in action and "#" not in action
    sent = phone.post(action)
    assert sent.status_code == 303 and sent["Location"] == f"/track/{petition.number}/"
    result = phone.get(sent["Location"])
    assert result.status_code == 200 and 'data-testid="status-text"' in result.content.decode()
    assert "已收到，正在甄别受理" in result.content.decode()


def test_a_used_or_stale_qr_ticket_asks_for_the_code_and_a_preview_spends_nothing(org, clock):
    """Actor: a messenger's link preview fetches the address first (spends nothing); then someone with
    the address from a log, after the herder used it, gets the form asking for the code; a ticket
    opened over an hour ago is void too."""
    import datetime

    from django.test import Client
    from django.utils import timezone

    from daiban.portal.models import QrTicket

    petition, link = _submitted()
    path = link.split("#", 1)[0].replace("http://testserver", "")
    assert Client().get(path).status_code == 200  # the preview
    herder = Client()
    assert herder.post(path).status_code == 303
    stranger = Client()
    again = stranger.post(path)
    assert again.status_code == 303 and again["Location"] == f"/track/{petition.number}/"
    asked = stranger.get(again["Location"]).content.decode()
    assert 'name="code"' in asked and "status-text" not in asked and "已经用过或已过期" in asked
    assert stranger.get(path).status_code == 303  # opening a used ticket: on to the form as well
    _, second = _submitted_again(petition)
    stale = second.split("#", 1)[0].replace("http://testserver", "")
    assert Client().get(stale).status_code == 200
    QrTicket.objects.filter(used_at__isnull=True).update(opened_at=timezone.now() - datetime.timedelta(hours=2))
    late = Client()
    assert late.post(stale)["Location"] == f"/track/{petition.number}/"
    assert "status-text" not in late.get(f"/track/{petition.number}/").content.decode()


def _submitted_again(petition):
    """Another answer page's ticket for `petition` (a new session shown the same answer)."""
    from daiban.portal import services

    return petition, f"http://testserver/track/{petition.number}/qr/{services.new_ticket(petition.number)}/"


def test_the_qr_ticket_is_masked_in_logs_and_unknown_tickets_answer_plainly(org, clock):
    """Actor: the web server's access log, and a scanner of made-up addresses: the ticket is masked;
    an unknown or absurd ticket or number answers a redirect to the form, never a 500."""
    from django.test import Client

    from daiban.lib.logmask import mask

    petition, link = _submitted()
    path = link.split("#", 1)[0].replace("http://testserver", "")
    ticket = path.rstrip("/").rsplit("/", 1)[1]
    assert ticket not in mask(f'"GET {path} HTTP/1.1" 200')
    client = Client()
    for bad in (f"/track/{petition.number}/qr/nonsense/", f"/track/{petition.number}/qr/{'x' * 500}/",
                f"/track/%EF%BC%85/qr/{ticket}/", f"/track/WS-2026-999999/qr/{ticket}/"):
        assert client.get(bad).status_code == 303, bad
        assert client.post(bad).status_code == 303, bad
    # The ticket of one petition opens no other.
    assert "status-text" not in client.get("/track/WS-2026-999999/").content.decode()
