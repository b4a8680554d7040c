"""An archivist and an attacker on every document, a fifth time: each fault found is one example of
its kind.

- a PDF draws every character a name may hold (CJK Extension B: 𠀀) and its text layer is the
  stored text (no space drawn between Chinese and digits, so "2026年12月1日" is found in it);
- nothing the record holds is cut or left out of the file: a long direct reply stays whole in the
  timeline and in the case summary, with the review's reasons; the 代办单 is filed only for a case an
  agent took; every extension granted is told, not only the last;
- ZIP member names extract on every file system (≤ 255 bytes);
- the case file of a petition not yet archived is built by the worker, never in the request;
- an attachment that runs something (a PDF with JavaScript) is refused;
- a DOCX declares its GB/T 9704 fonts (GB2312 charset) and its text as Chinese.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from daiban.documents import services as documents_services
from daiban.documents.safe import NAME_BYTES, zip_name
from daiban.petitions.models import Event, Petition
from tests.factories import id_number


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def base_fonts(data: bytes) -> set[str]:
    return {str(font.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(data)).pages
            for font in page["/Resources"]["/Font"].values()}


def test_a_rare_character_of_a_name_is_drawn_and_the_number_stays_findable(api, accepted):
    p = accepted(petitioner={"name": "王𠀀", "id_number": id_number(serial=61)})
    pdf = api("agent1").get(f"/petitions/{p['id']}/forms/agency.pdf")
    assert pdf.status_code == 200
    assert any("HanaMinB" in font for font in base_fonts(pdf.content))
    text = pdf_text(pdf.content)
    assert "王𠀀" in text and p["number"] in text and id_number(serial=61) in text


def test_the_pdf_text_is_the_stored_text(api, accepted):
    p = accepted()
    pdf = api("agent1").get(f"/petitions/{p['id']}/notices/acceptance.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "\u2009" not in text
    day = Petition.objects.get(pk=p["id"]).accepted_on
    assert f"{day.year}年{day.month}月{day.day}日" in text.replace("\n", "")


@pytest.fixture
def answered_at_the_door(api, new_petition):
    """A petition answered directly with a 3,000-character reply, archived."""
    p = new_petition()
    reply = "=答复" + "依据有关规定进行了答复。" * 250
    r = api("agent1").act(p["id"], "screen", {"outcome": "direct_reply", "reply": reply, "notification": "written"})
    assert r.status_code == 200, r.data
    assert api("agent1").act(p["id"], "archive").status_code == 200
    return p, reply


def test_a_long_reply_stays_whole_in_the_timeline_and_the_case_summary(api, answered_at_the_door):
    p, reply = answered_at_the_door
    assert reply in Event.objects.get(petition_id=p["id"], action="screen").note
    file = api("leader").get(f"/petitions/{p['id']}/archive.zip")
    assert file.status_code == 200
    archive_zip = zipfile.ZipFile(io.BytesIO(file.content))
    summary = next(n for n in archive_zip.namelist() if "案件摘要" in n)
    text = "".join(pdf_text(archive_zip.read(summary)).split())
    # Whole, across its pages (a page break may fall inside one sentence).
    assert text.count("依据有关规定进行了答复。") >= 245 and "=答复依据有关规定" in text


def test_no_blank_agency_form_is_filed_for_a_case_no_agent_took(api, answered_at_the_door):
    p, _ = answered_at_the_door
    names = zipfile.ZipFile(io.BytesIO(api("leader").get(f"/petitions/{p['id']}/archive.zip").content)).namelist()
    assert not [n for n in names if "代办单" in n], names


def test_the_review_reason_is_in_the_case_summary(api, routed, org):
    p = routed(departments=[org.departments[0].pk])
    assert api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "已处理"}).status_code == 200
    a = api("agent1")
    a.act(p["id"], "conclude", {"result": "已依法处理"})
    a.act(p["id"], "feedback", {"method": "visit", "satisfaction": "dissatisfied"})
    assert a.act(p["id"], "request_review", {"level": "review", "reason": "补偿标准低于邻村"}).status_code == 200
    file = api("agent1").get(f"/petitions/{p['id']}/archive.zip")
    archive_zip = zipfile.ZipFile(io.BytesIO(file.content))
    summary = next(n for n in archive_zip.namelist() if "案件摘要" in n)
    assert "补偿标准低于邻村" in pdf_text(archive_zip.read(summary))


def test_every_extension_granted_is_told(api, routed, org):
    p = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    for handler, d in zip(("dept1", "dept2"), p["dispositions"], strict=True):
        r = api(handler).act_disposition(d["id"], "request_extension", {"workdays": 5, "reason": f"{handler}需要现场勘测"})
        assert r.status_code == 200, r.data
        r = api("leader").act_disposition(d["id"], "decide_extension", {"approved": True, "note": "同意"})
        assert r.status_code == 200, r.data
    # Each extension is its own letter (round 10): the first one's kept as extension-1.
    first, last = ("".join(pdf_text(api("agent1").get(f"/petitions/{p['id']}/notices/{kind}.pdf").content).split())
                   for kind in ("extension-1", "extension"))
    assert org.departments[0].name in first and org.departments[1].name in last


def test_zip_member_names_fit_in_255_bytes():
    name = zip_name("04-附件：" + "附" * 95 + ".png", limit=90)
    assert len(name.encode()) <= NAME_BYTES and name.endswith(".png")
    assert zip_name("短名.pdf") == "短名.pdf"


def test_the_case_file_before_archiving_is_built_by_the_worker_once_and_as_it_stands(api, accepted, settings):
    from django_tasks import default_task_backend

    p = accepted()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nothing runs
    for _ in range(5):  # asked again and again while it is being built: queued once
        waiting = api("agent1").get(f"/petitions/{p['id']}/archive.zip")
        assert waiting.status_code == 202 and waiting["Retry-After"]
    queued = [(r.task.name, r.args) for r in default_task_backend.results]
    assert len(queued) == 1 and queued[0][0] == "preview" and queued[0][1][0] == p["id"], queued
    documents_services.preview.call(*queued[0][1])  # the worker's run
    ready = api("agent1").get(f"/petitions/{p['id']}/archive.zip")
    names = zipfile.ZipFile(io.BytesIO(ready.content)).namelist()
    assert ready.status_code == 200 and not [n for n in names if "新材料" in n]
    # A file added since (no new version): the next download is built afresh and holds it.
    agent = api("agent1")
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    pdf = io.BytesIO()
    writer.write(pdf)
    assert agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                             {"file": SimpleUploadedFile("新材料.pdf", pdf.getvalue()), "kind": "letter"},
                             **agent.headers).status_code == 201
    assert api("agent1").get(f"/petitions/{p['id']}/archive.zip").status_code == 202
    documents_services.preview.call(*[r.args for r in default_task_backend.results][-1])
    again = api("agent1").get(f"/petitions/{p['id']}/archive.zip")
    assert [n for n in zipfile.ZipFile(io.BytesIO(again.content)).namelist() if "新材料" in n]


def _pdf_tangled(fan_out: int) -> bytes:
    """One page whose opening action chains to itself `fan_out` times (/Next [A A A]): a walk that
    remembers nothing takes fan_out ** depth steps."""
    from pypdf.generic import ArrayObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    action = DictionaryObject({NameObject("/S"): NameObject("/GoTo")})
    ref = writer._add_object(action)
    action[NameObject("/Next")] = ArrayObject([ref] * fan_out)
    writer._root_object[NameObject("/OpenAction")] = ref
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_tangled_pdf_is_judged_at_once(api, accepted):
    import time

    p = accepted()
    agent = api("agent1")
    started = time.monotonic()
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("来信.pdf", _pdf_tangled(4)), "kind": "letter"}, **agent.headers)
    assert time.monotonic() - started < 10
    assert r.status_code == 201, r.content  # a harmless /GoTo, however often it points back at itself


def _pdf_with(where: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    if where == "outline":
        item = DictionaryObject({NameObject("/Title"): TextStringObject("一"), NameObject("/A"): script})
        item_ref = writer._add_object(item)
        outlines = DictionaryObject({NameObject("/Type"): NameObject("/Outlines"), NameObject("/First"): item_ref,
                                     NameObject("/Last"): item_ref})
        writer._root_object[NameObject("/Outlines")] = writer._add_object(outlines)
    else:
        from pypdf.generic import ArrayObject

        field = DictionaryObject({NameObject("/T"): TextStringObject("f"),
                                  NameObject("/AA"): DictionaryObject({NameObject("/K"): script})})
        form = DictionaryObject({NameObject("/Fields"): ArrayObject([writer._add_object(field)])})
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("where", ["outline", "field"])
def test_a_script_in_a_bookmark_or_a_form_field_is_refused(api, accepted, where):
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("来信.pdf", _pdf_with(where)), "kind": "letter"}, **agent.headers)
    assert r.status_code == 400 and "脚本" in r.json()["error"]["fields"]["file"], r.content


def _pdf_with_script() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_that_runs_a_script_is_refused(api, accepted):
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("来信.pdf", _pdf_with_script()), "kind": "letter"}, **agent.headers)
    assert r.status_code == 400 and "脚本" in r.json()["error"]["fields"]["file"], r.content
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    plain = io.BytesIO()
    writer.write(plain)
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("来信.pdf", plain.getvalue()), "kind": "letter"}, **agent.headers)
    assert r.status_code == 201, r.content


def test_a_docx_declares_its_chinese_fonts_and_language(api, accepted):
    p = accepted()
    docx = api("agent1").get(f"/petitions/{p['id']}/forms/agency.docx")
    package = zipfile.ZipFile(io.BytesIO(docx.content))
    fonts = package.read("word/fontTable.xml").decode()
    for name in ("仿宋_GB2312", "方正小标宋简体"):
        entry = fonts[fonts.index(f'w:name="{name}"'):]
        assert '<w:charset w:val="86"/>' in entry[:300], name
    assert 'w:eastAsia="zh-CN"' in package.read("word/styles.xml").decode()


def test_a_heic_photo_that_does_not_decode_is_named(api, accepted):
    """A HEIC photo is kept as JPEG (tests/test_round9.py); one whose bytes are only the header is
    refused by its name."""
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64),
                           "kind": "photo"}, **agent.headers)
    message = r.json()["error"]["fields"]["file"]
    assert r.status_code == 400 and "IMG_0001.HEIC" in message and "无法打开" in message, message


def test_the_extension_notice_states_the_date_it_granted_after_a_calendar_change(api, routed, org):
    """Actor: the administrator making a working day a holiday after dept1's 处置单 was extended: the
    处置单 and the case page state its new date (the petitioner is told by SMS); the 延期办理告知书, a
    letter already given, still states the date it granted (round 10: the letter in the file is the
    letter given)."""
    from daiban.petitions.models import Disposition

    p = routed(departments=[org.departments[0].pk])
    d = p["dispositions"][0]
    assert api("dept1").act_disposition(d["id"], "request_extension", {"workdays": 5, "reason": "现场勘测"}).status_code == 200
    assert api("leader").act_disposition(d["id"], "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    granted = Disposition.objects.get(pk=d["id"]).due_on
    r = api("admin").post("/calendar/days", {"days": [{"date": (granted - datetime.timedelta(days=1))
                                                        .isoformat(), "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    moved = Disposition.objects.get(pk=d["id"]).due_on
    assert moved != granted
    text = "".join(pdf_text(api("agent1").get(f"/petitions/{p['id']}/notices/extension.pdf").content).split())
    assert f"{granted:%Y年%-m月%-d日}" in text, text
    assert f"{moved:%Y年%-m月%-d日}" not in text, text


def test_the_acceptance_notice_says_what_held_the_day_it_is_dated(api, routed, org):
    """The 受理告知书 is dated the day of acceptance: it states the regulation's 60 days from then, not
    the 办结时限 a later routing fixed (printed again, it said something else each time)."""
    from daiban.petitions import deadlines

    p = routed(departments=[org.departments[0].pk])
    petition = Petition.objects.get(pk=p["id"])
    first = "".join(pdf_text(api("agent1").get(f"/petitions/{p['id']}/notices/acceptance.pdf").content).split())
    limit = deadlines.statutory(petition.accepted_on, deadlines.NATIONAL_HANDLING_DAYS)
    assert f"{limit.year}年{limit.month}月{limit.day}日前" in first, first
    assert f"{petition.due_on.month}月{petition.due_on.day}日" not in first or petition.due_on == limit
    Petition.objects.filter(pk=p["id"]).update(due_on=petition.due_on + datetime.timedelta(days=9))
    again = "".join(pdf_text(api("agent1").get(f"/petitions/{p['id']}/notices/acceptance.pdf").content).split())
    assert again == first


@pytest.mark.parametrize("outcome", ["direct_reply", "declined", "legal_channel", "guided"])
def test_no_agency_form_for_a_matter_no_agent_took(api, new_petition, org, outcome):
    """The 代办单 is filled when an agent takes the matter: answered at the door, declined or sent
    elsewhere, none is offered (404, no link on the case page), as the case file already had none."""
    from django.test import Client

    from daiban.org.models import User

    p = new_petition()
    extra = {"reason": "judicial"} if outcome == "declined" else {}
    r = api("agent1").act(p["id"], "screen", {"outcome": outcome, "notification": "written",
                                              "reply": "已答复。", **extra})
    assert r.status_code == 200, r.data
    for fmt in ("pdf", "docx"):
        assert api("agent1").get(f"/petitions/{p['id']}/forms/agency.{fmt}").status_code == 404
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    assert 'data-testid="agency-docx"' not in client.get(f"/staff/petitions/{p['id']}/").content.decode()


def test_letters_carry_a_plain_title_the_regulation_only_where_it_applies_and_the_agent_s_own_phone(api, routed, org):
    """The PDF's Title is text (it held <span> markup); a 处置单's extension cites the agency rules, not
    《信访工作条例》第三十六条 (the regulation's own extension was not used); the contact line gives the
    agent's own office phone, as the portal does."""
    from daiban.org.models import Agent

    Agent.objects.filter(pk=org.agent1.pk).update(office_phone="0477-7600001")
    p = routed(departments=[org.departments[0].pk])
    d = p["dispositions"][0]
    assert api("dept1").act_disposition(d["id"], "request_extension", {"workdays": 5, "reason": "现场勘测"}).status_code == 200
    assert api("leader").act_disposition(d["id"], "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    pdf = api("agent1").get(f"/petitions/{p['id']}/notices/extension.pdf").content
    text = "".join(pdf_text(pdf).split())
    assert "第三十六条" not in text and "依照信访代办工作有关规定" in text, text
    assert "0477-7600001" in text
    title = str(PdfReader(io.BytesIO(pdf)).metadata.get("/Title", ""))
    assert "<" not in title and p["number"] in title, title
    form = api("agent1").get(f"/petitions/{p['id']}/forms/agency.pdf").content
    assert "<" not in str(PdfReader(io.BytesIO(form)).metadata.get("/Title", ""))


def test_a_printed_deadline_in_a_year_whose_holidays_are_not_announced_says_so(api, accepted, clock):
    """Accepted on 2026-12-01, the regulation's 60 days end in 2027, whose holidays are not yet in the
    calendar: the 受理告知书 says the date may still change, as the case page and the API do."""
    import datetime as dt

    from daiban.workdays.engine import unconfirmed_years

    clock.move_to(dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    if not unconfirmed_years({2027}):
        pytest.skip("the calendar already holds an announced 2027")
    p = accepted()
    text = "".join(pdf_text(api("agent1").get(f"/petitions/{p['id']}/notices/acceptance.pdf").content).split())
    assert "2027年节假日安排公布后如有调整，将另行告知" in text, text
