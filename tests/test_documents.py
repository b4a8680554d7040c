"""The two forms (DOCX and PDF), the case archive with its index and frozen hash, the ledger."""

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from daiban.documents.models import ArchiveFile
from daiban.petitions.models import PersonalDataView
from tests.factories import png_bytes

AGENCY_LABELS = ["信访人姓名", "身份证号", "地址", "电话", "反映的问题及诉求", "代办方（人）", "告知方式", "代理结果", "信访人意见"]
DISPOSITION_LABELS = ["姓名", "联系电话", "住址", "内容分类", "内容摘要", "拟办意见", "分管领导处理意见", "领导批示", "进度催办", "处理结果"]
# The seed sets the label of the leader's row on two lines: 分管领导 / 处理意见.
DISPOSITION_DOCX_LABELS = [label.replace("分管领导处理意见", "分管领导\n处理意见") for label in DISPOSITION_LABELS]


def docx_cells(data: bytes) -> tuple[list[str], list[list[str]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    rows = []
    for row in document.tables[0].rows:
        cells = []
        for cell in row.cells:
            if not cells or cell.text != cells[-1]:  # merged cells repeat
                cells.append(cell.text)
        rows.append(cells)
    return paragraphs, rows


def pdf_text(data: bytes) -> str:
    """The text of every page with white space removed (vertical labels are one character a line)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def pdf_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            embedded = descriptor and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add((str(font["/BaseFont"]), bool(embedded)))
    return fonts


@pytest.fixture
def finished(api, routed, org, clock):
    """A petition taken through feedback, with an urging and both leaders' rows."""
    petition = routed(petitioner={"name": "张三", "id_number": "15062619700101123X", "phone": "13912345678",
                                  "address": "嘎鲁图镇沙尔利格嘎查"}, category="征地拆迁补偿")
    did = petition["dispositions"][0]["id"]
    api("leader").act_disposition(did, "opinion", {"role": "leader_in_charge", "text": "请限期核实"})
    api("chief").act_disposition(did, "opinion", {"role": "principal", "text": "同意"})
    api("agent1").act(petition["id"], "urge", {"disposition_id": did, "note": "请尽快办理"})
    api("dept1").act_disposition(did, "result", {"result": "补偿款已发放到位"})
    api("agent1").act(petition["id"], "conclude", {"result": "经协调补偿款已全额发放"})
    api("agent1").act(petition["id"], "feedback", {"method": "visit", "satisfaction": "fairly_satisfied"})
    return petition


def test_agency_form_docx_has_every_label_and_value(api, finished):
    response = api("agent1").get(f"/petitions/{finished['id']}/forms/agency.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    paragraphs, rows = docx_cells(response.content)
    assert paragraphs[0] == "信访事项代办单"
    assert finished["number"] in paragraphs[1] and "2026年9月16日" in paragraphs[1]
    assert [r[0].replace("\n", "") for r in rows] == AGENCY_LABELS[:1] + AGENCY_LABELS[2:3] + AGENCY_LABELS[4:]
    assert rows[0] == ["信访人姓名", "张三", "身份证号", "15062619700101123X"]
    assert rows[1] == ["地址", "嘎鲁图镇沙尔利格嘎查", "电话", "13912345678"]
    assert "征地补偿款" in rows[2][1]
    assert "王建国" in rows[3][1]
    assert rows[4][1] == "□口头告知    ☑书面告知"
    assert rows[5][1] == "经协调补偿款已全额发放\n2026年9月16日"  # the result, then its date at the right
    assert rows[6][1] == "□满意    ☑比较满意    □理解    □不满意"


def test_agency_form_docx_uses_official_fonts(api, finished):
    data = api("agent1").get(f"/petitions/{finished['id']}/forms/agency.docx").content
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:eastAsia="方正小标宋简体"' in xml and 'w:eastAsia="仿宋_GB2312"' in xml
    section = Document(io.BytesIO(data)).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_a_half_done_case_prints_blanks(api, new_petition, clock):
    petition = new_petition()
    _, rows = docx_cells(api("agent1").get(f"/petitions/{petition['id']}/forms/agency.docx").content)
    assert rows[3][1] == "" and rows[5][1] == ""
    assert rows[4][1] == "□口头告知    □书面告知"
    assert rows[6][1] == "□满意    □比较满意    □理解    □不满意"


def test_agency_form_pdf_text_and_embedded_font(api, finished):
    response = api("agent1").get(f"/petitions/{finished['id']}/forms/agency.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for label in ["信访事项代办单", *AGENCY_LABELS, finished["number"], "张三", "15062619700101123X", "经协调补偿款已全额发放",
                  "□口头告知☑书面告知", "□满意☑比较满意□理解□不满意"]:
        assert label in text, label
    fonts = pdf_fonts(response.content)
    assert any("CJK" in name and embedded for name, embedded in fonts), fonts


def test_disposition_form_in_both_formats(api, finished):
    did = finished["dispositions"][0]["id"]
    paragraphs, rows = docx_cells(api("agent1").get(f"/dispositions/{did}/form.docx").content)
    assert paragraphs[0] == "信访事项处置单"
    assert [r[0] for r in rows] == ["姓名", *DISPOSITION_DOCX_LABELS[2:]]
    values = {r[0]: r[1] for r in rows}
    assert rows[0] == ["姓名", "张三", "联系电话", "13912345678"]
    assert values["内容分类"] == "征地拆迁补偿"
    assert values["拟办意见"] == "请核实补偿款发放情况"
    # Opinions carry their signer and date; one date format in the whole form.
    assert values["分管领导\n处理意见"] == "请限期核实\n签批人：刘振华　2026年9月16日"
    assert values["领导批示"].startswith("同意\n签批人：")
    assert values["进度催办"] == "2026年9月16日　请尽快办理（催办人：王建国）"
    assert paragraphs[2] == "承办单位：乌审旗不动产登记中心　　办理时限：2026年10月13日前"
    assert values["处理结果"].startswith("补偿款已发放到位")
    text = pdf_text(api("agent1").get(f"/dispositions/{did}/form.pdf").content)
    for label in ["信访事项处置单", *DISPOSITION_LABELS, "请尽快办理", "补偿款已发放到位"]:
        assert label in text, label


def test_department_gets_its_form_masked_and_not_anothers(api, finished):
    did = finished["dispositions"][0]["id"]
    _, rows = docx_cells(api("dept1").get(f"/dispositions/{did}/form.docx").content)
    assert rows[0][3] == "139****5678"
    assert api("dept2").get(f"/dispositions/{did}/form.docx").status_code == 404


def test_full_numbers_on_a_form_are_logged(api, finished):
    before = PersonalDataView.objects.filter(via="agency.pdf").count()
    api("agent1").get(f"/petitions/{finished['id']}/forms/agency.pdf")
    assert PersonalDataView.objects.filter(via="agency.pdf").count() == before + 1


def test_unknown_format_is_404(api, finished):
    assert api("agent1").get(f"/petitions/{finished['id']}/forms/agency.txt").status_code == 404


PNG = png_bytes()


def _upload(api_client, petition_id, name, data, kind="photo"):
    return api_client.client.post(
        f"/api/v1/petitions/{petition_id}/attachments", {"file": _file(name, data), "kind": kind},
        **api_client.headers)


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_attachments_are_type_checked_hashed_and_private(api, finished, settings):
    agent = api("agent1")
    ok = _upload(agent, finished["id"], "现场照片.png", PNG)
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest() and body["content_type"] == "image/png"
    fake = _upload(agent, finished["id"], "病毒.pdf", b"MZ\x90\x00 not a pdf")
    assert fake.status_code == 400 and "PDF" in fake.json()["error"]["fields"]["file"]
    settings.DAIBAN_ATTACHMENT_MAX_BYTES = 10
    assert _upload(agent, finished["id"], "大.png", PNG).status_code == 400
    download = agent.client.get(f"/api/v1/attachments/{body['id']}", **agent.headers)
    assert download.status_code == 200 and download.content == PNG
    outsider = api("dept2")
    assert outsider.client.get(f"/api/v1/attachments/{body['id']}", **outsider.headers).status_code == 404
    assert str(settings.MEDIA_ROOT) not in str(settings.PRIVATE_ROOT)


def _archive_to_end(api, petition, clock):
    agent = api("agent1")
    agent.act(petition["id"], "terminate", {"note": "群众基本满意"})
    agent.act(petition["id"], "follow_up", {"note": "回访无反弹"})
    return agent.act(petition["id"], "archive")


def test_archive_zip_follows_the_archival_rules_and_is_frozen(api, finished, clock):
    """DA/T 22-2015: cover, 卷内目录 over the PDF copies with running page numbers, 备考表; the DOCX
    copies in their own folder; frozen at archiving (same bytes, SHA-256 on the timeline)."""
    _upload(api("agent1"), finished["id"], "来信扫描.pdf", _tiny_pdf(), kind="letter")
    archived = _archive_to_end(api, finished, clock)
    assert archived.status_code == 200
    frozen = ArchiveFile.objects.get(petition_id=finished["id"])
    first = api("agent1").get(f"/petitions/{finished['id']}/archive.zip")
    assert first.status_code == 200
    assert hashlib.sha256(first.content).hexdigest() == frozen.sha256 == first["X-Archive-SHA256"]
    assert 'filename="WS-2026-000001-anjuan.zip"' in first["Content-Disposition"]
    again = api("center").get(f"/petitions/{finished['id']}/archive.zip")
    assert again.content == first.content
    archive = zipfile.ZipFile(io.BytesIO(first.content))
    root = finished["number"]
    names = [n.split("/", 1)[1] for n in archive.namelist()]
    assert names[:3] == ["00a-案卷封面.pdf", "00b-卷内目录.pdf", "00c-卷内目录.csv"] and "99-卷内备考表.pdf" in names
    rows = list(csv.reader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))
    assert rows[0] == ["序号", "文号", "责任者", "题名", "日期", "页号", "备注", "文件"]
    items = rows[1:]
    # Every item is a PDF copy (or the attachment itself), never twice; DOCX copies live apart.
    assert [r[7] for r in items] == [n for n in names if n[:2].isdigit() and not n.startswith(("00", "99"))]
    assert not any(r[7].endswith(".docx") for r in items)
    docx = [n for n in names if n.startswith("工作文件（DOCX）/")]
    assert docx and all(n.endswith(".docx") for n in docx)
    assert items[0][3].startswith("信访事项办理情况")
    # Running page numbers: each item starts where the one before ended.
    page = 1
    for row in items:
        data = archive.read(f"{root}/{row[7]}")
        count = len(PdfReader(io.BytesIO(data)).pages)
        assert row[5] == (str(page) if count == 1 else f"{page}-{page + count - 1}"), row
        page += count
    titles = [r[3] for r in items]
    assert "《信访事项代办单》" in titles and any(t.startswith("《信访事项处置单》") for t in titles)
    assert "受理告知书" in titles and "处理意见书" in titles and "回访记录" in titles
    assert any("来信扫描.pdf" in t for t in titles)
    agency = next(r for r in items if r[3] == "《信访事项代办单》")
    assert agency[1] == root and agency[2] and agency[4] == "20260916"  # DA/T 22-2015: 8 digits
    dates = [r[4] for r in items[1:]]
    parsed = [datetime.datetime.strptime(d, "%Y%m%d") for d in dates if d]
    assert parsed == sorted(parsed)
    summary = pdf_text(archive.read(f"{root}/{items[0][7]}"))
    for text in ["信访事项办理情况", "张三", "办理过程", "请尽快办理", "比较满意", "回访无反弹", "按期"]:
        assert text in summary, text
    cover = pdf_text(archive.read(f"{root}/00a-案卷封面.pdf"))
    for text in ["案卷题名", "年度", "保管期限", "立卷人", "检查人", "立卷日期", "10年"]:
        assert text in cover, text
    index_text = pdf_text(archive.read(f"{root}/00b-卷内目录.pdf"))
    for text in ["卷内目录", "序号", "文号", "责任者", "题名", "日期", "页号", "备注"]:
        assert text in index_text, text
    note = pdf_text(archive.read(f"{root}/99-卷内备考表.pdf"))
    assert "本卷情况说明" in note and "立卷人" in note and "检查人" in note
    assert "案卷已封存" in api("agent1").get(f"/petitions/{finished['id']}").data["events"][-1]["note"]


def test_an_attachment_that_does_not_open_is_listed_not_fatal(api, finished, clock):
    """Issue 9: a file stored before the checks (or damaged since) never stops the archive."""
    from daiban.documents.models import Attachment

    ok = _upload(api("agent1"), finished["id"], "好的.png", PNG)
    assert ok.status_code == 201
    broken = Attachment.objects.get(pk=ok.json()["id"])
    fake = _upload(api("agent1"), finished["id"], "假的.pdf", _tiny_pdf())
    Attachment.objects.filter(pk=fake.json()["id"]).update(content_type="application/pdf")
    import uuid

    # Stored files are shared by content hash: the damaged copy gets its own name.
    from django.core.files.base import ContentFile

    from daiban.documents.services import private_storage

    stored = private_storage().save(f"attachments/test-damaged-{uuid.uuid4().hex}.pdf",
                                    ContentFile(b"%PDF-1.4\nnot really a pdf"))
    Attachment.objects.filter(pk=fake.json()["id"]).update(stored_name=stored)
    Attachment.objects.filter(pk=broken.pk).update(name="../../../etc/passwd\u0007\u000b.png")  # NUL cannot be stored by PostgreSQL
    assert _archive_to_end(api, finished, clock).status_code == 200
    response = api("agent1").get(f"/petitions/{finished['id']}/archive.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    for name in archive.namelist():
        assert ".." not in name.split("/") and "\x00" not in name and "\x0b" not in name and not name.startswith("/")
        assert name.split("/")[0] == finished["number"]
    rows = list(csv.reader(io.StringIO(archive.read(f"{finished['number']}/00c-卷内目录.csv").decode("utf-8-sig"))))
    bad = next(r for r in rows if "假的.pdf" in r[3])
    # Damaged in storage: it does not open, and its bytes are no longer those uploaded (SHA-256).
    assert bad[6] == "文件损坏，无法打开；文件与上传时的SHA-256校验值不一致" and bad[5] == "—"
    assert "文件损坏，无法打开" in pdf_text(archive.read(f"{finished['number']}/00b-卷内目录.pdf"))
    private_storage().delete(stored)


def test_archive_is_only_for_those_who_see_full_data(api, finished):
    # They see the case (403 says why, API.md: 404 only for what the caller may not see); agent12 does not.
    for who in ("dept1", "agent2"):
        refused = api(who).get(f"/petitions/{finished['id']}/archive.zip")
        assert refused.status_code == 403 and "完整个人信息" in refused.data["error"]["message"], who
    assert api("agent12").get(f"/petitions/{finished['id']}/archive.zip").status_code == 404
    assert api("leader").get(f"/petitions/{finished['id']}/archive.zip").status_code == 200


def test_an_archived_case_takes_no_more_attachments(api, finished, clock):
    _archive_to_end(api, finished, clock)
    assert _upload(api("agent1"), finished["id"], "x.png", PNG).status_code == 409


LEDGER_HEADER = ["序号", "编号", "收到日期", "受理日期", "信访人", "身份证号", "联系电话", "住址", "反映问题", "渠道", "来源",
                 "内容分类", "代办员", "流转单位", "流转日期", "办结时限", "催办次数", "办结日期", "是否按期", "反馈方式",
                 "满意度", "复查/复核", "终结日期", "回访日期", "归档日期", "状态"]


def _ledger(api_client, **params):
    response = api_client.get("/ledger.xlsx", **params)
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]


def test_ledger_columns_and_values(api, finished, new_petition, clock):
    new_petition()
    response, sheet = _ledger(api("agent1"), **{"from": "2026-09-01", "to": "2026-09-30"})
    assert 'filename="taizhang-20260901-20260930.xlsx"' in response["Content-Disposition"]
    assert "信访代办台账" in sheet["A1"].value and "2026年9月1日至2026年9月30日" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header == LEDGER_HEADER
    assert sheet.freeze_panes == "C4" and sheet.auto_filter.ref == "A3:Z5" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert int(sheet.page_setup.fitToHeight) == 0 and sheet.page_setup.paperSize == 8
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    row = {h: c.value for h, c in zip(header, sheet[4], strict=True)}
    assert row["序号"] == 1 and row["编号"] == finished["number"]
    assert row["收到日期"] == datetime.datetime(2026, 9, 16) and row["受理日期"] == datetime.datetime(2026, 9, 16)
    assert row["信访人"] == "张三" and row["身份证号"] == "15062619700101123X" and row["联系电话"] == "13912345678"
    assert row["住址"] == "嘎鲁图镇沙尔利格嘎查" and "请求有关部门尽快落实补偿" in row["反映问题"]  # whole, not cut
    assert row["渠道"] == "来访" and row["来源"] == "信访人本人"
    assert row["内容分类"] == "征地拆迁补偿" and row["代办员"] == "王建国"
    assert row["流转单位"] == "乌审旗不动产登记中心" and row["流转日期"] == datetime.datetime(2026, 9, 16)
    assert row["办结时限"] == datetime.datetime(2026, 10, 13) and row["办结日期"] == datetime.datetime(2026, 9, 16)
    assert row["催办次数"] == 1 and row["是否按期"] == "是" and row["反馈方式"] == "上门走访"
    assert row["满意度"] == "比较满意" and row["状态"] == "已反馈"
    assert sheet["I4"].alignment.wrap_text
    assert sheet.max_row == 5
    assert sheet.column_dimensions["I"].width >= 40


def test_ledger_personal_columns_only_for_who_may_see_them(api, finished, clock):
    _, sheet = _ledger(api("dept1"))
    header = [c.value for c in sheet[3]]
    assert "身份证号" not in header and "联系电话" not in header and "信访人" in header
    _, sheet = _ledger(api("agent2"))  # same station, not the case agent: the row is masked
    row = {h.value: c.value for h, c in zip(sheet[3], sheet[4], strict=True)}
    assert row["身份证号"] != "15062619700101123X" and "*" in row["身份证号"] and "*" in row["联系电话"]


def test_ledger_covers_only_visible_petitions_and_validates_dates(api, finished, clock):
    book = load_workbook(io.BytesIO(b"".join(api("dept2").get("/ledger.xlsx").streaming_content)))
    assert book.worksheets[0].max_row == 3
    bad = api("agent1").get("/ledger.xlsx", **{"from": "2026-13-01"})
    assert bad.status_code == 400 and "from" in bad.data["error"]["fields"]


def _tiny_pdf() -> bytes:
    from daiban.documents.pdf import render_pdf

    return render_pdf("documents/index.html", {"p": None, "entries": []})


def test_staff_pages_link_and_serve_every_document(api, finished, clock):
    from django.test import Client

    from daiban.org.models import User

    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get(f"/staff/petitions/{finished['id']}/").content.decode()
    did = finished["dispositions"][0]["id"]
    for url in [f"/staff/petitions/{finished['id']}/forms/agency.docx", f"/staff/petitions/{finished['id']}/forms/agency.pdf",
                f"/staff/dispositions/{did}/form.docx", f"/staff/dispositions/{did}/form.pdf",
                f"/staff/petitions/{finished['id']}/archive.zip"]:
        assert url in page, url
        assert client.get(url).status_code == 200, url
    upload = client.post(f"/staff/petitions/{finished['id']}/attachments/", {"file": _file("照片.png", PNG), "kind": "photo"})
    assert upload.status_code == 302
    assert "照片.png" in client.get(f"/staff/petitions/{finished['id']}/").content.decode()
    ledger = client.get("/staff/ledger.xlsx", {"from": "2026-09-01", "to": "2026-09-30"})
    assert load_workbook(io.BytesIO(b"".join(ledger.streaming_content))).worksheets[0].max_row == 4
    dept = Client()
    dept.force_login(User.objects.get(username="dept2"))
    assert dept.get(f"/staff/dispositions/{did}/form.pdf").status_code == 404


def test_wall_printables_are_pdfs(api, org):
    from django.test import Client

    from daiban.org.models import User

    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    flow = pdf_text(b"".join([client.get("/staff/flowchart.pdf").content]))
    assert "信访代办服务室工作流程图" in flow and "无法直接答复的" in flow
    board = client.get("/staff/board.pdf")
    text = pdf_text(board.content)
    assert "专职代办员（5名）" in text and "兼职代办员（8名）" in text and "王建国" in text
    assert any("CJK" in name and embedded for name, embedded in pdf_fonts(board.content))


def test_a_case_archived_while_a_file_is_being_checked_takes_no_attachment(api, finished, monkeypatch):
    """A race as it happens: the archive commits while the upload is being read and checked. The
    file is refused on the locked row (409), not added to the sealed file after its archiving."""
    from daiban.documents import services as documents_services
    from daiban.petitions.models import Petition

    real_check = documents_services.check_upload

    def check_while_archived(upload):
        checked = real_check(upload)
        Petition.objects.filter(pk=finished["id"]).update(status="archived")  # the other request commits
        return checked

    monkeypatch.setattr(documents_services, "check_upload", check_while_archived)
    before = Petition.objects.get(pk=finished["id"]).attachments.count()
    late = png_bytes(5, 7)  # a file no attachment has yet: it must not stay on disk without a row
    response = _upload(api("agent1"), finished["id"], "late.png", late)
    assert response.status_code == 409, response.data
    assert Petition.objects.get(pk=finished["id"]).attachments.count() == before
    digest = hashlib.sha256(late).hexdigest()
    assert not documents_services.private_storage().exists(f"attachments/{digest[:2]}/{digest}.png")
