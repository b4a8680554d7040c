"""Issue 9, the writers' side: every writer is safe on its own against any string already stored.

Bad strings are put into the database directly through the ORM (no input cleaning on the way), then
every document and export of the case is produced and opened by python-docx, pypdf and openpyxl.
NUL and lone surrogates cannot be stored by PostgreSQL (nor encoded by SQLite's driver), so those
reach the writers directly, as a FormDoc and as ledger cells.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from daiban.documents.docx import render_docx
from daiban.documents.http import content_disposition
from daiban.documents.layout import FormDoc, Para, Row
from daiban.documents.pdf import form_pdf
from daiban.documents.safe import ascii_filename, clean, csv_text, emoji_runs, zip_name
from daiban.petitions.models import Category, Disposition, Petition, Petitioner, Urging

FORMULAS = ["=1+2", '=HYPERLINK("http://example.invalid/?x="&A1,"点击")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
CONTROL = "宅基地\u000b确权问题\u000c请核实\x01\x1f\x7f\u0085\ufffe\uffff完"
UNSTORABLE = "名\x00字\ud800\udfff"


def test_clean_removes_what_no_writer_can_carry():
    assert clean(CONTROL) == "宅基地 确权问题 请核实完"
    assert clean(UNSTORABLE) == "名字"
    assert clean("第一行\r\n第二行\r第三行\t缩进") == "第一行\n第二行\n第三行\t缩进"
    assert clean(None) == "" and clean(12) == "12"


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_are_defused(text):
    assert csv_text(text).startswith("'")


def test_zip_names_and_download_names_are_safe():
    for bad in ["../../etc/passwd", "..\\..\\boot.ini", "/abs/path.pdf", "a\x00b\x07c.pdf", ".hidden", "CON:?*<>|.pdf"]:
        name = zip_name(bad)
        assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")
        assert all(ch.isprintable() for ch in name)
    assert zip_name("很长的文件名" * 40 + ".pdf").endswith(".pdf") and len(zip_name("长" * 300 + ".pdf")) <= 80
    header = content_disposition('恶意"\r\nSet-Cookie: x=1;\x00.pdf')
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert header.split('filename="')[1].split('"')[0].isascii()
    assert ascii_filename("WS-2026-000004-信访事项代办单.pdf") == "WS-2026-000004-daibandan.pdf"
    assert ascii_filename("完全中文.docx") == "document.docx"


def test_emoji_are_found_and_check_boxes_are_not():
    runs = emoji_runs("谢谢🙏🏽 家👨‍👩‍👧 ☑书面告知 □口头 1234 ©")
    assert [r for r, is_emoji in runs if is_emoji] == ["🙏🏽", "👨‍👩‍👧"]


def test_docx_and_pdf_writers_take_unstorable_text():
    form = FormDoc(title="信访事项代办单", number="WS-2026-000001" + UNSTORABLE, date=None,
                   rows=[Row("信访人姓名", UNSTORABLE, "身份证号", CONTROL), Row("反映的问题及诉求", CONTROL * 20, lines=8, vertical=True)],
                   before=[Para(UNSTORABLE)], author=UNSTORABLE)
    document = Document(io.BytesIO(render_docx(form)))
    assert "名字" in document.tables[0].rows[0].cells[1].text
    assert len(PdfReader(io.BytesIO(form_pdf(form))).pages) >= 1
    letter = FormDoc(title="受理告知书", number="X", date=None, kind="letter", addressee=UNSTORABLE,
                     body=[Para(CONTROL), Para(UNSTORABLE)], signature=[UNSTORABLE], note=CONTROL)
    assert Document(io.BytesIO(render_docx(letter))).paragraphs[2].text == "名字："
    assert len(PdfReader(io.BytesIO(form_pdf(letter))).pages) == 1


def test_ledger_cells_take_unstorable_text_as_strings():
    from openpyxl import Workbook

    from daiban.documents.ledger import _Cells

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    cells = _Cells(sheet)
    sheet.append([cells.make(value, "text") for value in [UNSTORABLE, CONTROL, *FORMULAS]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(buffer).worksheets[0].iter_rows())
    assert [c.data_type for c in row] == ["s"] * (2 + len(FORMULAS))
    assert row[0].value == "名字" and row[2].value == "=1+2"


@pytest.fixture
def poisoned(api, routed, org, clock):
    """A case taken to the end whose stored text is every bad string at once (written by the ORM)."""
    petition = routed(category="征地拆迁补偿")
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    agent = api("agent1")
    agent.act(pid, "urge", {"disposition_id": did, "note": "请尽快"})
    api("dept1").act_disposition(did, "result", {"result": "已办"})
    agent.act(pid, "conclude", {"result": "已办结"})
    agent.act(pid, "feedback", {"method": "visit", "satisfaction": "satisfied"})
    agent.act(pid, "terminate", {"note": "终结"})
    agent.act(pid, "follow_up", {"note": "回访", "rebound": False})
    Petitioner.objects.filter(petitions__id=pid).update(name=FORMULAS[0], address=FORMULAS[4] + CONTROL)
    Category.objects.get_or_create(name=FORMULAS[3])
    Petition.objects.filter(pk=pid).update(content=CONTROL + FORMULAS[1], category=FORMULAS[3], result=FORMULAS[2],
                                           follow_up_note=FORMULAS[5], reply=CONTROL,
                                           petitioner_name=FORMULAS[0], petitioner_address=FORMULAS[4] + CONTROL)
    Urging.objects.filter(disposition_id=did).update(note=FORMULAS[1] + CONTROL)
    Disposition.objects.filter(pk=did).update(result=FORMULAS[2] + CONTROL, leader_opinion=CONTROL,
                                              leader_opinion_on="2026-09-16", summary="")
    return petition


def test_every_document_of_a_poisoned_case_opens(api, poisoned):
    pid, did = poisoned["id"], poisoned["dispositions"][0]["id"]
    agent = api("agent1")
    for path in [f"/petitions/{pid}/forms/agency.docx", f"/dispositions/{did}/form.docx"]:
        response = agent.get(path)
        assert response.status_code == 200, path
        text = "\n".join(c.text for r in Document(io.BytesIO(response.content)).tables[0].rows for c in r.cells)
        assert "宅基地 确权问题 请核实完" in text or "=1+2" in text
    for path in [f"/petitions/{pid}/forms/agency.pdf", f"/dispositions/{did}/form.pdf"]:
        response = agent.get(path)
        assert response.status_code == 200 and PdfReader(io.BytesIO(response.content)).pages, path
    notices = agent.get(f"/petitions/{pid}/notices").data
    for notice in notices:
        for fmt in ("docx", "pdf"):
            response = agent.get(f"/petitions/{pid}/notices/{notice['kind']}.{fmt}")
            assert response.status_code == (200 if notice["available"] else 404), (notice, fmt)


def test_spreadsheets_and_the_csv_index_hold_text_never_formulas(api, poisoned, clock):
    pid = poisoned["id"]
    ledger = api("center").get("/ledger.xlsx")
    assert ledger.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(ledger.streaming_content))).worksheets[0]
    values = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in values)
    texts = {c.value for c in values}
    assert FORMULAS[0] in texts and FORMULAS[3] in texts and any(FORMULAS[1] in t for t in texts)
    report = api("center").get("/stats/report.xlsx", month="2026-09")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(report.content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type in ("s", "n", "d") for c in cells)
    assert any(c.value == FORMULAS[3] for c in cells)  # the category, as text
    assert api("agent1").act(pid, "archive").status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(api("agent1").get(f"/petitions/{pid}/archive.zip").content))
    index = next(n for n in archive.namelist() if n.endswith(".csv"))
    for row in csv.reader(io.StringIO(archive.read(index).decode("utf-8-sig"))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for name in archive.namelist():
        assert all(ch.isprintable() for ch in name) and ".." not in name.split("/")
