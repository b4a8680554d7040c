"""Round 12 (2026-12-02): faults of kinds found again, each as a behaviour."""

from __future__ import annotations

import datetime

from daiban.audit.models import Action, AuditEntry
from daiban.petitions.models import Petition
from tests.factories import id_number

WANG = {"name": "王建国", "id_number": id_number(serial=821), "phone": "13900000821"}


def _lookups() -> list[tuple[str, str, dict]]:
    return [(r.actor_username, r.target_id, r.detail)
            for r in AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).order_by("seq")]


def test_the_intake_check_finding_a_registered_person_is_an_identity_lookup_once_an_hour(api, new_petition, clock):
    """The intake check shows a person's earlier petitions to whoever types their ID number: that is a
    lookup of a person as much as a search of the list is, so it is audited (once per account,
    person and hour, since the page checks as the agent types); an unknown number is not a row."""
    first = new_petition(petitioner=WANG, content="草场被占用，请求补偿。")
    person = str(Petition.objects.get(pk=first["id"]).petitioner_id)
    before = len(_lookups())
    for content in ("", "草场", "草场被占"):  # keystrokes
        body = {"petitioner": {"id_number": WANG["id_number"]}, "content": content}
        assert api("agent1").post("/petitions/check", body).status_code == 200
    unknown = {"petitioner": {"id_number": id_number(serial=822)}, "content": "草场"}
    assert api("agent1").post("/petitions/check", unknown).data["petitioner_known"] is False
    assert _lookups()[before:] == [("agent1", person, {"via": "intake", "kind": "id_number", "people": 1})]

    api("center").post("/petitions/check", {"petitioner": {"id_number": WANG["id_number"]}})  # another account
    clock.shift(datetime.timedelta(minutes=61))  # an hour later: a new row
    api("agent1").post("/petitions/check", {"petitioner": {"id_number": WANG["id_number"]}})
    rows = _lookups()[before:]
    assert [(who, target) for who, target, _ in rows] == [("agent1", person), ("center", person), ("agent1", person)]
    for row in AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH):
        assert WANG["id_number"] not in f"{row.target_label} {row.detail}" and "王建国" not in row.target_label


# --- another county's installation does not speak as 乌审旗 ------------------------------------------

def test_the_sms_signature_and_the_portal_title_are_the_installation_s_own(api, new_petition, settings):
    """The product serves any county: the SMS signature (短信签名, registered with the carrier) and the
    portal's title come from settings, not from the first bureau's name."""
    from django.test import Client

    from daiban.notifications.models import Notification

    settings.DAIBAN_REGION_NAME, settings.DAIBAN_SMS_SIGNATURE = "鄂托克旗", "鄂托克旗信访代办"
    petition = new_petition()
    bodies = list(Notification.objects.filter(petition_id=petition["id"], channel="sms").values_list("body", flat=True))
    assert bodies and all(b.startswith("【鄂托克旗信访代办】") and "乌审旗" not in b for b in bodies), bodies
    page = Client().get("/").content.decode()
    assert "鄂托克旗 掌上信访代办" in page and "乌审旗 掌上" not in page  # (the demo's stations keep their names)


def test_a_signature_carriers_would_refuse_stops_the_start_with_a_message_naming_the_setting():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DAIBAN_SMS_SIGNATURE": "【某县】", "DJANGO_SETTINGS_MODULE": "daiban.settings"}
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0 and "DAIBAN_SMS_SIGNATURE" in run.stderr and "短信签名" in run.stderr


# --- a letter's last lines are not left alone on a page of their own ------------------------------

def test_a_letter_a_few_lines_too_long_is_tightened_onto_its_pages_in_pdf_and_docx(api, org, clock):
    """The 受理告知书 of a matter accepted while next year's holidays were unannounced carries the
    caveat, which pushed its contact line (代办员、联系地址、联系电话) alone onto a second page, in the
    PDF and in the DOCX. GB/T 9704 §7.3.5.4 lets the line spacing be adjusted: it fits on one page, and
    the DOCX LibreOffice lays out holds the same pages."""
    import io

    import docx
    import pytest
    from pypdf import PdfReader

    from tests.office import SOFFICE, page_count, page_texts, to_pdf
    from tests.test_round10_letters import routed

    a = api("agent1")
    pid, _ = routed(api, org, clock, "2027-01-04")
    pdf = a.client.get(f"/api/v1/petitions/{pid}/notices/acceptance.pdf", **a.headers).content
    pages = ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 1 and "2027年节假日安排公布后" in pages[0] and "联系电话" in pages[0], pages
    word = a.client.get(f"/api/v1/petitions/{pid}/notices/acceptance.docx", **a.headers).content
    pitches = {p.paragraph_format.line_spacing.pt for p in docx.Document(io.BytesIO(word)).paragraphs
               if p.paragraph_format.line_spacing is not None and p.text.startswith("特此告知")}
    assert pitches and max(pitches) < 28.9, pitches  # the DOCX takes the pitch the PDF fitted with
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed")
    laid_out = to_pdf(word, "docx")
    assert page_count(laid_out) == 1 and "联系电话" in "".join(page_texts(laid_out)[0].split())


def test_a_letter_that_fits_keeps_the_standard_pitch_and_one_that_no_tightening_shortens_keeps_its_pages():
    from daiban.documents import layout
    from daiban.documents.layout import FormDoc, Para
    from daiban.documents.pdf import fit_letter

    short = FormDoc("受理告知书", "WS-1", None, body=[Para("特此告知。")], signature=["某局"], note="（联系电话：1）",
                    kind="letter")
    assert len(fit_letter(short).pages) == 1 and short.line_pt == layout.LETTER_LINE_PT
    for paragraphs in (3, 12):  # two pages of text, no tightening puts on one; a long letter's pages stay 22 lines
        long = FormDoc("受理告知书", "WS-1", None, body=[Para("情况说明。" * 40) for _ in range(paragraphs)],
                       signature=["某局"], kind="letter")
        assert len(fit_letter(long).pages) >= 2 and long.line_pt == layout.LETTER_LINE_PT
    assert fit_letter(FormDoc("代办单", "WS-1", None)) is None  # a form is not a letter


# --- the case summary prints dates as every document does ------------------------------------------

def test_the_case_summary_prints_the_timeline_s_dates_in_the_documents_format(api, org, clock):
    """The timeline's notes give due dates as 2027-01-25 (应于 … 前答复, 延期至 …); the case summary, a
    formal record of the case file, printed them so beside its own 2027年1月4日."""
    import io

    from pypdf import PdfReader

    from daiban.documents.casefile import case_summary_pdf
    from daiban.documents.layout import dates_as_text
    from daiban.petitions.models import Event
    from tests.test_round10_letters import extended, routed

    pid, did = routed(api, org, clock, "2027-01-04")
    extended(api, did, 5, "需现场勘验")
    assert any("2027-" in e.note for e in Event.objects.filter(petition_id=pid))  # the timeline keeps its form
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(
        case_summary_pdf(Petition.objects.get(pk=pid)))).pages)
    import re

    assert not re.search(r"(?<![0-9])2027-[0-9]{2}-[0-9]{2}", text) and "2027年2月1日" in text, text
    assert dates_as_text("应于 2027-01-25 前，编号WS-2027-000001，2027-02-30") == "应于 2027年1月25日 前，编号WS-2027-000001，2027-02-30"


# --- the 卷内目录 dates as the archival rule writes them -------------------------------------------

def test_the_case_file_index_dates_are_eight_digits_in_the_pdf_and_the_csv(api, org, clock):
    """DA/T 22-2015 (归档文件目录) and GB/T 9705 (卷内文件目录): 日期 in 8 Arabic digits, 20270104; the PDF
    printed 2027.1.4 and the CSV 2027年1月4日, two forms of one column."""
    import io
    import re

    from pypdf import PdfReader

    from tests.test_round10_letters import archive_members, index_rows, routed

    pid, _ = routed(api, org, clock, "2027-01-04")
    archive = archive_members(api, pid)
    days = [row["日期"] for row in index_rows(archive) if row["日期"]]
    assert days and all(re.fullmatch(r"2027[01][0-9][0-3][0-9]", d) for d in days), days
    name = next(n for n in archive.namelist() if n.endswith("卷内目录.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(name))).pages)
    assert "20270104" in text and "2027.1.4" not in text, text


# --- a petition the user may not see is 404 whatever the form holds ------------------------------

def test_staff_forms_on_a_petition_the_user_may_not_see_answer_404_even_with_a_bad_form(accepted, org):
    """agent12 (another station) posting an empty reason to a bureau petition's ruling, correction or
    undo form got a redirect back to the case page with the form's message (a valid form got 404)."""
    from django.test import Client

    from daiban.org.models import User

    petition = accepted()
    other = accepted(petitioner={"name": "李四", "id_number": id_number(serial=823)})
    client = Client()
    client.force_login(User.objects.get(username="agent12"))
    pid = petition["id"]
    for path in (f"/staff/petitions/{pid}/related/{other['id']}/confirm/",
                 f"/staff/petitions/{pid}/related/{other['id']}/dismiss/",
                 f"/staff/petitions/{pid}/petitioner/correction/", f"/staff/petitions/{pid}/undo/"):
        for body in ({"reason": ""}, {"reason": "核实"}):
            assert client.post(path, body).status_code == 404, (path, body)


def test_the_nginx_example_answers_a_body_too_large_with_a_chinese_page_the_app_ships():
    """nginx refuses a form over client_max_body_size itself (the app never sees it): its own 413 page
    is English. The example names a page the app's static files hold, in Chinese, with no asset
    from elsewhere."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    nginx = re.search(r"```nginx\n(.*?)```", (root / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    page = re.search(r"error_page\s+413\s+/static/(\S+);", nginx)
    assert page, "the nginx example sets no 413 page"
    html = (root / "daiban" / "static" / page.group(1)).read_text(encoding="utf-8")
    assert "文件太大" in html and "上限" in html and not re.search(r"(src|href)=\"(https?:)?//", html)


def test_the_pages_state_the_attachment_limit_the_server_applies(org, settings, accepted):
    """The portal's form and the case page said 不超过10MB whatever DAIBAN_ATTACHMENT_MAX_BYTES was."""
    from django.test import Client

    from daiban.org.models import User

    settings.DAIBAN_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    assert "每个不超过5MB" in Client().get("/submit/").content.decode()
    petition = accepted()
    staff = Client()
    staff.force_login(User.objects.get(username="agent1"))
    assert "不超过5MB" in staff.get(f"/staff/petitions/{petition['id']}/").content.decode()
