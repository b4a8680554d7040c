"""A ninth round (attacker, wrong role, a bureau's month, a herder's phone): each fault found is one
example of its kind.

- what a unit must not learn about the petitioner it does not learn another way: a department that
  may not see who the petitioner is (the unit complained about, or one whose `sees_identity` is off)
  gets none of the petitioner's or the agent's files (the letter, the ID card's scan, a photo with the
  place it was taken), only its own uploads;
- a herder's phone's photo is evidence, not an error: a HEIC photo (an iPhone's default) and a WebP
  saved from a chat app are kept as JPEG or PNG, drawn the way the phone shows them, without the
  metadata that tells where they were taken; the timeline says what came and keeps its SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from daiban.org.models import User
from daiban.petitions.models import Event, Petition
from tests.factories import id_number, login, png_bytes
from tests.test_documents import finished  # noqa: F401  (fixture)

HEIC = Path(__file__).parent / "data" / "IMG_0001.HEIC"  # 64×48, EXIF: GPS, camera; drawn rotated 90°



def _upload(api, username: str, petition_id: int, name: str) -> dict:
    actor = api(username)
    r = actor.client.post(f"/api/v1/petitions/{petition_id}/attachments",
                          {"file": SimpleUploadedFile(name, png_bytes()), "kind": "photo"}, **actor.headers)
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.parametrize("why", ["complained_about", "sees_identity_off"])
def test_a_department_that_may_not_know_the_petitioner_gets_none_of_the_petitioner_s_files(api, accepted, org, why):
    """Actors: agent1 (uploads the petitioner's ID card scan), dept1 (the unit complained about, or a
    unit that never sees identities), dept2 (another department asked to act, which may)."""
    from daiban.org.models import Department

    p = accepted(petitioner={"name": "孙红梅", "id_number": id_number(serial=91), "phone": "13900000091"},
                 content="不动产登记中心工作人员故意拖延办理我家的不动产转移登记，请求查处。")
    scan = _upload(api, "agent1", p["id"], "孙红梅身份证.png")
    route = {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "multi_department"}
    if why == "complained_about":
        route["complained_department"] = org.departments[0].pk
    else:
        Department.objects.filter(pk=org.departments[0].pk).update(sees_identity=False)
    assert api("agent1").act(p["id"], "route", route).status_code == 200
    own = _upload(api, "dept1", p["id"], "现场核查照片.png")

    listed = api("dept1").get(f"/petitions/{p['id']}/attachments").data
    assert [a["id"] for a in listed] == [own["id"]], listed
    assert api("dept1").get(f"/attachments/{scan['id']}").status_code == 404
    assert api("dept1").get(f"/attachments/{own['id']}").status_code == 200
    assert login("dept1").get(f"/staff/attachments/{scan['id']}/").status_code == 404
    page = login("dept1").get(f"/staff/petitions/{p['id']}/").content.decode()
    assert "孙红梅身份证" not in page and 'data-testid="attachments-withheld"' in page
    # Another department asked to act, which may know who: the agent's file, not dept1's own work.
    others = [a["id"] for a in api("dept2").get(f"/petitions/{p['id']}/attachments").data]
    assert others == [scan["id"]], others
    assert 'data-testid="attachments-withheld"' not in login("dept2").get(f"/staff/petitions/{p['id']}/").content.decode()
    # The agent sees both.
    assert {a["id"] for a in api("agent1").get(f"/petitions/{p['id']}/attachments").data} == {scan["id"], own["id"]}


# --- a herder's phone's photos --------------------------------------------------------------------

def _webp(mode: str, *, lossless: bool = False) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (30, 20), (200, 40, 40, 120)[: len(mode)]).save(out, "WEBP", lossless=lossless)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "kept_as", "came_as"), [
    ("IMG_0001.HEIC", HEIC.read_bytes(), ("image/jpeg", "IMG_0001.jpg"), "HEIC"),
    ("微信图片.webp", _webp("RGB"), ("image/jpeg", "微信图片.jpg"), "WebP"),
    ("截图.webp", _webp("RGB", lossless=True), ("image/png", "截图.png"), "WebP"),
    ("标注.webp", _webp("RGBA"), ("image/png", "标注.png"), "WebP"),
])
def test_a_phone_s_photo_in_heic_or_webp_is_kept_as_jpeg_or_png(api, accepted, name, data, kept_as, came_as):
    """Actor: agent1 uploading what a herder's phone sent."""
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile(name, data), "kind": "photo"}, **agent.headers)
    assert r.status_code == 201, r.content
    assert (r.json()["content_type"], r.json()["name"]) == kept_as
    stored = agent.client.get(f"/api/v1/attachments/{r.json()['id']}", **agent.headers)
    image = Image.open(io.BytesIO(stored.content))
    image.load()
    assert image.format == kept_as[0].split("/")[1].upper()
    event = Event.objects.filter(petition_id=p["id"], action="attach").latest("id")
    assert f"由{came_as}照片转换保存" in event.note
    assert event.data["received_sha256"] == hashlib.sha256(data).hexdigest()
    assert event.data["sha256"] == hashlib.sha256(stored.content).hexdigest() != event.data["received_sha256"]


def test_a_heic_photo_is_drawn_as_the_phone_shows_it_and_keeps_no_gps(api, accepted):
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("IMG_0001.HEIC", HEIC.read_bytes()), "kind": "photo"},
                          **agent.headers)
    image = Image.open(io.BytesIO(agent.client.get(f"/api/v1/attachments/{r.json()['id']}",
                                                   **agent.headers).content))
    assert image.size == (48, 64)  # turned upright, as the phone showed it
    red, green = image.convert("RGB").getpixel((24, 4)), image.convert("RGB").getpixel((24, 60))
    assert red[0] > 150 > red[1] and green[1] > 120 > green[0], (red, green)
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x010F not in exif  # no GPS, no camera
    assert b"GPS" not in agent.client.get(f"/api/v1/attachments/{r.json()['id']}", **agent.headers).content


def test_the_portal_takes_a_heic_photo(org, clock):
    """Actor: a petitioner sending an iPhone's photo from the portal."""
    from tests.test_portal_pages import FORM

    photo = SimpleUploadedFile("IMG_0001.HEIC", HEIC.read_bytes(), content_type="image/heic")
    assert Client().post("/submit/", {**FORM, "files": photo}).status_code == 302
    kept = Petition.objects.get().attachments.get()
    assert (kept.name, kept.kind, kept.content_type) == ("IMG_0001.jpg", "photo", "image/jpeg")


@pytest.mark.parametrize(("name", "data"), [("IMG_0001.HEIC", HEIC.read_bytes()), ("微信图片.webp", _webp("RGB"))])
def test_a_photo_too_large_is_refused_before_it_is_decoded(api, accepted, monkeypatch, name, data):
    from daiban.documents import services

    monkeypatch.setattr(services, "MAX_IMAGE_PIXELS", 100)
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile(name, data), "kind": "photo"}, **agent.headers)
    assert r.status_code == 400 and "图片尺寸过大" in r.json()["error"]["fields"]["file"]
    assert not Petition.objects.get(pk=p["id"]).attachments.exists()


# --- a 待定 matter is due soon by its regulation limit, everywhere ------------------------------------

def test_a_matter_with_no_date_fixed_is_due_soon_by_the_regulation_s_limit_everywhere(api, org, clock):
    """Actors: agent1 (its workbench and list), duty (the running overview). A multi-department matter
    whose solution is not determined has no 办结时限; two working days before the regulation's limit
    the sweep urges it, so the workbench's 3个工作日内到期, the list's 到期不晚于 and the overview's
    即将到期 list it too, each showing the limit it is judged against."""
    import re

    from daiban.staff.selectors import due_soon_until
    from tests.test_month_faults import accepted_on, at

    pid = accepted_on(api, org, clock, "2026-09-18")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                         "track": "multi_department"})
    assert r.status_code == 200, r.data
    petition = Petition.objects.get(pk=pid)
    limit = petition.national_due_on
    assert petition.due_on is None and limit is not None
    day = limit - datetime.timedelta(days=2)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    clock.move_to(at(day.isoformat()))
    soon = due_soon_until(day)
    assert day <= limit <= soon

    bench = login("agent1").get("/staff/").content.decode()
    card = bench.split('data-card="due_soon"')[1].split("</section>")[0]
    assert petition.number in card and f"条例办理期限 {limit:%Y-%m-%d}" in card, card
    listed = login("agent1").get("/staff/petitions/", {"due_to": f"{soon:%Y-%m-%d}"}).content.decode()
    assert petition.number in listed and f"条例 {limit:%Y-%m-%d}" in listed
    overview = login("duty").get("/staff/running/").content.decode()
    assert re.search(r"条例时限 " + f"{limit:%m-%d}", overview), overview
    assert "即将到期 2</span>" in overview  # both departments' 处置单, 待定
    assert "已超期 0</span>" in overview
    # Past its limit it is overdue, not due soon (the regulation's days are calendar days).
    clock.move_to(at((limit + datetime.timedelta(days=1)).isoformat()))
    card = login("agent1").get("/staff/").content.decode().split('data-card="due_soon"')[1].split("</section>")[0]
    assert petition.number not in card
    late = login("agent1").get("/staff/").content.decode().split('data-card="overdue"')[1].split("</section>")[0]
    assert petition.number in late and "超期1日" in late, late


# --- the API's registration sent again is one registration -------------------------------------------

def _register(api, username: str, body: dict, key: str | None):
    import json

    actor = api(username)
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    r = actor.client.post("/api/v1/petitions", json.dumps(body), content_type="application/json",
                          **actor.headers, **extra)
    r.data = r.json()
    return r


def test_a_registration_retried_with_its_idempotency_key_registers_once(api, org):
    """Actors: agent1's desk system retrying after a timeout; agent2 using the same key for its own."""
    from tests.factories import petition_body

    body = petition_body(petitioner={"name": "白音", "id_number": id_number(serial=93)})
    first = _register(api, "agent1", body, "6f1c2b1e-0b7d-4a53-9d1f-0c2b9a7d5e11")
    again = _register(api, "agent1", body, "6f1c2b1e-0b7d-4a53-9d1f-0c2b9a7d5e11")
    assert first.status_code == 201 and again.status_code == 200, (first.data, again.data)
    assert again.data["id"] == first.data["id"] and again["Idempotent-Replayed"] == "true"
    assert Petition.objects.count() == 1
    # The same key with another body: refused, nothing registered.
    other = petition_body(petitioner={"name": "白音", "id_number": id_number(serial=93)}, content="我家草场被占用。")
    reused = _register(api, "agent1", other, "6f1c2b1e-0b7d-4a53-9d1f-0c2b9a7d5e11")
    assert reused.status_code == 409 and reused.data["error"]["code"] == "idempotency_key_reused", reused.data
    assert first.data["number"] in reused.data["error"]["message"] and Petition.objects.count() == 1
    # A key is one user's: another user's request with it is its own registration.
    theirs = _register(api, "agent2", body, "6f1c2b1e-0b7d-4a53-9d1f-0c2b9a7d5e11")
    assert theirs.status_code == 201 and theirs.data["id"] != first.data["id"]
    # Without a key: as before, each request registers.
    assert _register(api, "agent1", body, None).status_code == 201


@pytest.mark.parametrize("key", ["有空格 的键", "a" * 65, "key with space"])
def test_an_idempotency_key_that_cannot_be_one_is_refused_by_name(api, org, key):
    from tests.factories import petition_body

    r = _register(api, "agent1", petition_body(), key)
    assert r.status_code == 400 and "Idempotency-Key" in str(r.data["error"]), r.data
    assert not Petition.objects.exists()


def test_a_refused_registration_keeps_no_key(api, org):
    """A body refused (400) stores nothing: the key sent again with the body mended registers."""
    from tests.factories import petition_body

    bad = petition_body(petitioner={"id_number": "123"})
    assert _register(api, "agent1", bad, "k-1").status_code == 400
    assert _register(api, "agent1", petition_body(), "k-1").status_code == 201


# --- a date the petitioner was told, moved by the calendar, is told again ----------------------------

def test_a_departments_extension_moved_by_the_calendar_is_told_to_the_petitioner_again(api, routed, org, clock):
    """Actors: dept1 (asks for 5 more working days), duty (approves: the petitioner's SMS names the
    new date), the administrator (makes a working day before that date a holiday). The petitioner
    holds the date the extension's SMS named: the SMS telling of the calendar change names it anew.
    A 处置单 never extended moves silently (the petitioner was never told its date)."""
    from tests.test_month_faults import sms

    petition = routed()
    other = routed(petitioner={"name": "其木格", "id_number": id_number(serial=95)})
    did = petition["dispositions"][0]["id"]
    assert api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"}).status_code == 200
    approved = api("duty").act_disposition(did, "decide_extension", {"approved": True, "note": "同意"})
    assert approved.status_code == 200, approved.data
    extended = datetime.date.fromisoformat(approved.data["dispositions"][0]["due_on"])
    assert [t for t, _ in sms(petition["id"]) if t == "extension"]
    from daiban.lib.dates import today
    from daiban.workdays.engine import add_workdays

    day = add_workdays(today(), 1).date  # a working day before both 处置单's dates
    other_due = Petition.objects.get(pk=other["id"]).dispositions.get().due_on
    assert other_due > day
    r = api("admin").post("/calendar/days", {"days": [{"date": day.isoformat(), "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    assert Petition.objects.get(pk=other["id"]).dispositions.get().due_on > other_due  # moved, silently
    moved = Petition.objects.get(pk=petition["id"]).dispositions.get().due_on
    assert moved > extended
    assert [b for t, b in sms(petition["id"]) if t == "window_moved"] == [
        f"【乌审旗信访代办】因节假日安排调整，您的事项{petition['number']}延期后的办理期限由"
        f"{extended.month}月{extended.day}日改为{moved.month}月{moved.day}日。"]
    assert not [t for t, _ in sms(other["id"]) if t == "window_moved"]


# --- a letter's page numbers as GB/T 9704 sets them ---------------------------------------------------

def _page_numbers(pdf: bytes) -> list[tuple[str, float, float, float]]:
    """Per page: (the dash-number-dash line under the text area, its left and right x, its top), mm."""
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            text_bottom = float(page.height) - 35 * 72 / 25.4  # the text area's lower edge (MARGIN_MM)
            below = [c for c in page.chars if c["top"] > text_bottom and c["text"].strip()]
            line = "".join(c["text"] for c in sorted(below, key=lambda c: c["x0"]))
            mm = 25.4 / 72
            out.append((line, min(c["x0"] for c in below) * mm, max(c["x1"] for c in below) * mm,
                        (min(c["top"] for c in below) - text_bottom) * mm))
    return out


def test_a_letter_numbers_its_pages_as_gb_t_9704_sets_them_in_both_renderings():
    """— N — under the text area (7 mm), odd pages at the right and even at the left, one character
    (14 pt ≈ 4.9 mm) in from the text area's edge (28 mm left margin, 26 mm right: 184 mm); a form
    keeps 第N页共M页. The app's PDF and LibreOffice's rendering of the DOCX alike."""
    import docx as python_docx

    from daiban.documents.docx import render_docx
    from daiban.documents.layout import FormDoc, Para, Row
    from daiban.documents.pdf import form_pdf
    from tests.office import SOFFICE, to_pdf

    letter = FormDoc(title="信访事项办理结果告知书", number="WS-2026-000001", date=datetime.date(2026, 11, 30),
                     body=[Para("经调查核实，你反映的草场被占用问题已依法处理，现将结果告知如下。" * 6)] * 8,
                     addressee="张三：", signature=["乌审旗信访代办服务中心"], kind="letter")
    renderings = {"app": form_pdf(letter)}
    if SOFFICE:
        renderings["libreoffice"] = to_pdf(render_docx(letter), "docx")
    for who, pdf in renderings.items():
        numbers = _page_numbers(pdf)
        assert len(numbers) >= 3, (who, numbers)
        for page, (line, left, right, gap) in enumerate(numbers, start=1):
            assert line.replace(" ", "") == f"—{page}—", (who, page, line)
            assert 5 <= gap <= 9, (who, page, gap)  # the dash line's top about 7 mm under the text
            if page % 2:
                assert 176 <= right <= 181, (who, page, right)  # 184 mm less one character
            else:
                assert 31 <= left <= 35, (who, page, left)  # 28 mm plus one character
    document = python_docx.Document(io.BytesIO(render_docx(letter)))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    assert "续页" in section.even_page_header.paragraphs[0].text  # the continuation header on even pages too
    # A form keeps its own footer: 第 N 页 共 M 页, centred.
    form = FormDoc(title="信访事项代办单", number="WS-2026-000001", date=None, rows=[Row("信访人", "张三")])
    assert "第 " in python_docx.Document(io.BytesIO(render_docx(form))).sections[0].footer.paragraphs[0].text


def test_the_agency_form_names_the_agent_s_own_unit(api, accepted, org):
    """A matter registered at a township station and taken over by an agent of another unit (the
    center taking an escalation, a reassignment across stations): 代办方 is that agent's unit."""
    from daiban.documents.forms import agency_form
    from daiban.documents.services import load_case
    from daiban.org.models import Agent
    from daiban.petitions.selectors import petitioner_view

    p = accepted()
    registered_at = Petition.objects.get(pk=p["id"]).station
    elsewhere = Agent.objects.exclude(station=registered_at).select_related("station").first()
    assert elsewhere is not None
    Petition.objects.filter(pk=p["id"]).update(agent=elsewhere)
    case = load_case(p["id"])
    form = agency_form(case, person=petitioner_view(case, User.objects.get(username="center")))
    row = next(r for r in form.rows if r.label == "代办方（人）")
    assert row.value.startswith(elsewhere.station.name) and elsewhere.name in row.value, row.value
    assert registered_at.name not in row.value


# --- the same file sent again is the file already kept -----------------------------------------------

def test_the_same_file_sent_again_by_the_same_uploader_is_kept_once(api, routed, org):
    """Actors: agent1 retrying an upload after a timeout (and tapping twice on the page), dept1
    sending the same bytes (its own upload: it does not learn of the agent's)."""
    p = routed()
    first = _upload(api, "agent1", p["id"], "现场照片.png")
    agent = api("agent1")
    again = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                              {"file": SimpleUploadedFile("现场照片.png", png_bytes()), "kind": "photo"}, **agent.headers)
    assert again.status_code == 200 and again.json()["id"] == first["id"], again.content
    page = login("agent1")
    response = page.post(f"/staff/petitions/{p['id']}/attachments/",
                         {"file": SimpleUploadedFile("现场照片.png", png_bytes()), "kind": "photo"}, follow=True)
    assert "该文件已上传过" in response.content.decode()
    assert Petition.objects.get(pk=p["id"]).attachments.count() == 1
    assert Event.objects.filter(petition_id=p["id"], action="attach").count() == 1
    theirs = _upload(api, "dept1", p["id"], "现场照片.png")
    assert theirs["id"] != first["id"]
    # The same bytes under another name: another attachment (a copy filed as something else).
    assert _upload(api, "agent1", p["id"], "现场照片-复印件.png")["id"] != first["id"]


def test_a_photo_chosen_twice_in_one_portal_submission_is_kept_once(org, clock):
    from tests.test_portal_pages import FORM

    photos = [SimpleUploadedFile("草场.png", png_bytes(), content_type="image/png"),
              SimpleUploadedFile("草场.png", png_bytes(), content_type="image/png")]
    assert Client().post("/submit/", {**FORM, "files": photos}).status_code == 302
    assert Petition.objects.get().attachments.count() == 1


# --- a re-attack of this round's changes (helper's findings), mended -----------------------------------

def _heic_with_bad_metadata_type() -> bytes:
    """The test photo with its Exif item's type (infe) made not UTF-8: one byte changed."""
    data = bytearray(HEIC.read_bytes())
    at = data.index(b"Exif", data.index(b"iinf"))
    data[at + 1] = 0xE3  # b"E\xe3if"
    return bytes(data)


def test_a_crafted_heic_is_refused_and_the_server_lives_on(api, accepted):
    """One byte of the Exif item's type made not UTF-8: pi-heif 1.4.0 read NULL and the process died
    (SIGSEGV: the gunicorn worker and every request it served; upstream bigcat88/pillow_heif#478).
    The conversion runs in a child process of its own (documents/convert.py): refused by name."""
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("IMG_0002.HEIC", _heic_with_bad_metadata_type()),
                           "kind": "photo"}, **agent.headers)
    assert r.status_code == 400 and "IMG_0002.HEIC" in r.json()["error"]["fields"]["file"], r.content
    assert not Petition.objects.get(pk=p["id"]).attachments.exists()


def _rows_webp(width: int = 12000, height: int = 400) -> bytes:
    """A lossless WebP of two random rows repeated: WebP refers back two rows (tiny); PNG's zlib
    window (32 KB) is shorter than one row, so as PNG it is about 3 bytes a pixel."""
    import numpy as np

    rows = np.random.default_rng(1).integers(0, 256, (2, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(np.tile(rows, (height // 2, 1, 1))).save(out, "WEBP", lossless=True, method=0)
    return out.getvalue()


def test_a_converted_photo_is_kept_no_larger_than_the_attachment_limit(api, accepted, settings):
    """About 60 KB received would have been kept as a 14 MB PNG (at 12000×4100, 89 KB became 148 MB
    in 6 s and a gigabyte of memory): what is kept is held to DAIBAN_ATTACHMENT_MAX_BYTES too."""
    data = _rows_webp()
    assert len(data) < settings.DAIBAN_ATTACHMENT_MAX_BYTES // 20
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("截图.webp", data), "kind": "photo"}, **agent.headers)
    assert r.status_code == 400 and "转换为PNG后超过10MB" in r.json()["error"]["fields"]["file"], r.content


# --- 3. a department's evidence list: the conduct evidence the detail hides -------------------------

def test_a_department_does_not_get_the_conduct_evidence(api, finished):  # noqa: F811 (the fixture)
    """Actors: agent1 (terminates, records 缠访 and uploads its evidence), dept1 (was asked to act,
    sees the identity). The API detail gives a department no `conduct` (petition_detail: "no …
    conduct, referrals"), yet attachments_for hands it the conduct's evidence files (kind
    `evidence`, with the conduct's id) and lets it download them."""
    pid = finished["id"]
    assert api("agent1").act(pid, "terminate", {"note": "终结", "three_in_place": True}).status_code == 200
    conduct = api("agent1").act(pid, "record_conduct", {"kind": "pestering", "note": "多次到局缠访"}).data["conduct"][0]
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{pid}/attachments",
                          {"file": SimpleUploadedFile("缠访录像截图.png", png_bytes()), "kind": "evidence",
                           "conduct": str(conduct["id"])}, **agent.headers)
    assert r.status_code == 201, r.content
    detail = api("dept1").get(f"/petitions/{pid}")
    assert detail.status_code == 200 and not detail.data["conduct"]
    listed = api("dept1").get(f"/petitions/{pid}/attachments").data
    assert r.json()["id"] not in [a["id"] for a in listed], listed
    assert api("dept1").get(f"/attachments/{r.json()['id']}").status_code == 404


# --- 4. a 待定 处置单 is "未定" on the department's and the leaders' workbench cards ---------------------

def test_a_department_s_workbench_card_shows_a_pending_disposition_s_regulation_limit(api, org, clock):
    """Actors: dept1 (its workbench and its queue), leader (the opinion card). Two days before the
    regulation limit of a 待定 multi-department matter, the sweep urges dept1, its queue
    (/staff/dispositions/) shows 条例 limit with 剩余2日, the overview counts it 即将到期 — but the
    workbench's 待签收、待办理的处置单 card (and the leaders' 待我签署意见 card) say 办理时限 未定 with
    no badge: _mark_dates reads d.due_on for 处置单 items (only petitions got the regulation's limit)."""
    import datetime

    from daiban.petitions.models import Petition
    from tests.test_month_faults import accepted_on, at

    pid = accepted_on(api, org, clock, "2026-09-18")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                         "track": "multi_department"})
    assert r.status_code == 200, r.data
    limit = Petition.objects.get(pk=pid).national_due_on
    day = limit - datetime.timedelta(days=2)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    clock.move_to(at(day.isoformat()))
    queue = login("dept1").get("/staff/dispositions/").content.decode()
    assert f"剩余{(limit - day).days}日" in queue  # the queue: days to the regulation's limit
    bench = login("dept1").get("/staff/").content.decode()
    card = bench.split('id="card-dispositions"')[1].split("</ul>")[0]
    assert "未定" not in card and f"剩余{(limit - day).days}日" in card, card


def test_the_case_page_shows_a_pending_disposition_s_days_to_the_regulation_limit(api, org, clock):
    """Actor: dept1 opening the case from its queue. The queue row says 条例 limit 剩余2日; the case
    page's own 处置单 row says 方案确定后起算 and nothing else (cases.py: due.mark(…) reads d.due_on,
    not staff.selectors.mark_limits)."""
    import datetime

    from daiban.petitions.models import Petition
    from tests.test_month_faults import accepted_on, at

    pid = accepted_on(api, org, clock, "2026-09-18")
    api("agent1").act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                     "track": "multi_department"})
    limit = Petition.objects.get(pk=pid).national_due_on
    day = limit - datetime.timedelta(days=2)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    clock.move_to(at(day.isoformat()))
    left = f"剩余{(limit - day).days}日"
    assert left in login("dept1").get("/staff/dispositions/").content.decode()
    page = login("dept1").get(f"/staff/petitions/{pid}/").content.decode()
    assert left in page, "the case page gives the 待定 处置单 no days left"


# --- 6. a lossless WebP with a colour profile or EXIF is kept as a lossy JPEG -------------------------

def test_a_lossless_webp_with_a_colour_profile_stays_lossless(api, accepted):
    """_converted tells lossless by data[12:16] == b"VP8L": a lossless WebP carrying an ICC profile,
    EXIF or XMP (a phone's screenshot usually does) starts with the extended header "VP8X", so the
    screenshot is re-encoded as JPEG (quality 90), against the docstring ("stays lossless, as PNG")."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(out, "WEBP", lossless=True, icc_profile=icc)
    p = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                          {"file": SimpleUploadedFile("截图.webp", out.getvalue()), "kind": "photo"}, **agent.headers)
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "image/png", r.json()


# --- 7. the Idempotency-Key conflict names a petition the caller can no longer see --------------------

def test_a_reused_key_does_not_name_a_petition_the_caller_may_not_see(api, org):
    """Actor: agent1. Its key's petition has since gone to another station (not visible to agent1:
    a replay answers 404). The same key with another body answers 409 naming that petition's
    number, where intake's own duplicate check (_existing_external) deliberately names none."""
    import json

    from daiban.petitions.models import Petition
    from tests.factories import id_number, petition_body

    agent = api("agent1")

    def send(body):
        return agent.client.post("/api/v1/petitions", json.dumps(body), content_type="application/json",
                                 **agent.headers, HTTP_IDEMPOTENCY_KEY="k-77")

    body = petition_body(petitioner={"id_number": id_number(serial=77)})
    first = send(body)
    assert first.status_code == 201
    Petition.objects.filter(pk=first.json()["id"]).update(station=org.galutu, agent=None, created_by=None)
    assert send(body).status_code == 404  # not visible any more
    reused = send(dict(body, content="另一件事情需要反映一下情况。"))
    assert reused.status_code == 409
    assert first.json()["number"] not in reused.json()["error"]["message"], reused.json()


def test_two_extended_dispositions_moved_at_once_are_told_by_department(api, org, clock):
    """Actors: dept1 (5 more working days: the matter's date moves, told), dept2 (10 more: moves it
    again, told), the center (dept1's second extension, to the matter's date: both now carry it); the
    administrator moves a working day before that date: one SMS, each date named with its department."""
    from daiban.lib.dates import today
    from daiban.workdays.engine import add_workdays
    from tests.test_month_faults import accepted_on, sms

    pid = accepted_on(api, org, clock, "2026-10-09")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                         "track": "standard"})
    assert r.status_code == 200, r.data
    by = {("dept1" if d["department"]["id"] == org.departments[0].pk else "dept2"): d["id"] for d in r.data["dispositions"]}
    for handler, workdays, approver in (("dept1", 5, "duty"), ("dept2", 10, "duty"), ("dept1", 5, "center")):
        asked = api(handler).act_disposition(by[handler], "request_extension", {"workdays": workdays, "reason": "需测绘"})
        assert asked.status_code == 200, asked.data
        decided = api(approver).act_disposition(by[handler], "decide_extension", {"approved": True, "note": "同意"})
        assert decided.status_code == 200, decided.data
    dues = {d.department_id: d.due_on for d in Petition.objects.get(pk=pid).dispositions.all()}
    assert len(set(dues.values())) == 1 == len({Petition.objects.get(pk=pid).due_on, *dues.values()})
    day = add_workdays(today(), 1).date
    assert api("admin").post("/calendar/days", {"days": [{"date": day.isoformat(), "is_workday": False,
                                                          "name": "调整"}]}).status_code == 200
    told = [b for t, b in sms(pid) if t == "window_moved"]  # one SMS each: two would not fit one segment
    body = "".join(told)
    assert all(len(b) <= 70 for b in told) and body.count("延期后的办理期限") == 2
    assert org.departments[0].name + "延期后的办理期限" in body and org.departments[1].name + "延期后的办理期限" in body


# --- a bureau's month and an archivist (helper's findings), mended -----------------------------------

def test_a_stations_figures_link_to_the_same_petitions(api, org, clock):
    """Actor: the center reading its own station's statistics. They count the station and every
    station below it; the card's link listed the center's own petitions only (1 counted, 0 listed).
    A row of the by-station table is that station alone, and links so."""
    import re

    from tests.test_month_faults import accepted_on

    pid = accepted_on(api, org, clock, "2026-09-16")  # registered at the bureau's room, below the center
    number = Petition.objects.get(pk=pid).number
    c = login("center")
    html = c.get("/staff/stats/", {"from": "2026-09-01", "to": "2026-09-30", "station": org.center.pk}).content.decode()
    m = re.search(r'href="([^"]+)"><div class="small text-muted">收到信访事项</div>'
                  r'<div class="card-count" data-kpi="received">(\d+)', html)
    assert m and m.group(2) == "1", html[:2000]
    assert number in c.get(m.group(1).replace("&amp;", "&")).content.decode()
    # The list's own station filter stays that station alone; `under` takes those below it too.
    assert number not in c.get("/staff/petitions/", {"station": org.center.pk}).content.decode()
    listed = c.get("/staff/petitions/", {"under": org.center.pk}).content.decode()
    assert number in listed and "及其下级代办点" in listed and 'name="under"' in listed


def _docx_text(content: bytes) -> str:
    import docx as python_docx

    d = python_docx.Document(io.BytesIO(content))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def test_after_a_review_the_petitioner_is_pointed_to_re_review(api, org, clock):
    """Actors: agent1, the center. After a 复查 found right and the matter handled again, the next level
    is 复核 (the system refuses a second 复查): the result SMS and the 处理意见书 said 复查 (《信访工作条例》
    第三十五条). The first round's letter, dated before the 复查, still says 复查."""
    from tests.test_month_faults import answer_all, at, fed_back, sms

    pid = fed_back(api, org, clock, "2026-09-16", "2026-09-30", "dissatisfied")
    a = api("agent1")
    first_letter = _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content)
    assert "请求原办理机关的上一级机关复查" in first_letter
    first_sms = [b for t, b in sms(pid) if t == "result"][-1]
    assert "申请复查" in first_sms
    clock.move_to(at("2026-10-09"))
    a.act(pid, "request_review", {"level": "review", "requested_on": "2026-10-09", "reason": "补偿标准过低"})
    clock.move_to(at("2026-10-20"))
    api("center").act(pid, "decide_review", {"upheld": True, "note": "补偿标准应重新核定", "due_on": "2026-11-20"})
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    clock.move_to(at("2026-11-10"))
    answer_all(api, org, r.data)
    a.act(pid, "conclude", {"result": "已按新标准补偿"})
    assert a.act(pid, "feedback", {"method": "visit", "satisfaction": "dissatisfied"}).status_code == 200
    assert a.act(pid, "request_review", {"level": "review", "reason": "仍不满意"}).status_code == 409
    body = [b for t, b in sms(pid) if t == "result"][-1]
    assert "申请复核" in body and "复查" not in body, body
    letter = _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content)
    assert "请求复核" in letter and "机关复查" not in letter, letter


def test_an_extension_sms_never_tells_a_date_earlier_than_the_matters(api, org, clock):
    """Actors: dept1 granted 5 more working days on a 处置单 due before the matter's other one. The
    matter's 办结时限 did not move: no SMS told "延至10月20日" while the portal said 10月23日. An
    extension that carries the matter's date is told, with that date."""
    from tests.test_month_faults import accepted_on, at, sms

    pid = accepted_on(api, org, clock, "2026-09-16")
    a = api("agent1")
    d1 = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    clock.move_to(at("2026-09-28"))
    r = a.act(pid, "route", {"departments": [org.departments[1].pk], "track": "standard"})
    assert r.data["due_on"] == "2026-10-23"
    d2 = next(d["id"] for d in r.data["dispositions"] if d["id"] != d1)
    clock.move_to(at("2026-10-09"))
    assert api("dept1").act_disposition(d1, "request_extension", {"workdays": 5, "reason": "需测绘"}).status_code == 200
    assert api("duty").act_disposition(d1, "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    assert Petition.objects.get(pk=pid).due_on == datetime.date(2026, 10, 23)
    assert not [b for t, b in sms(pid) if t == "extension"]
    assert api("dept2").act_disposition(d2, "request_extension", {"workdays": 3, "reason": "需测绘"}).status_code == 200
    assert api("duty").act_disposition(d2, "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    due = Petition.objects.get(pk=pid).due_on
    assert due > datetime.date(2026, 10, 23)
    assert [b for t, b in sms(pid) if t == "extension"] == [
        f"【乌审旗信访代办】您的事项{r.data['number']}情况复杂，经批准延期办理，办理期限延至{due.month}月{due.day}日。"
        "代办员将继续跟踪督办。"]


def test_the_acceptance_notice_names_the_agent_designated_at_acceptance(api, org, clock):
    """Actors: agent1 accepts (the SMS of 9-16 names 王建国); duty reassigns to agent2 on 9-22. The
    受理告知书 dated 9-16 named the new agent, as if designated that day; a letter dated after the
    change names the new one in its contact line."""
    from daiban.org.models import Agent
    from tests.test_month_faults import accepted_on, at

    pid = accepted_on(api, org, clock, "2026-09-16")
    first = Agent.objects.get(pk=org.agent1.pk)
    api("agent1").act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    clock.move_to(at("2026-09-22"))
    r = api("duty").act(pid, "reassign", {"agent_id": org.agent2.pk, "reason": "原代办员休假"})
    assert r.status_code == 200, r.data
    second = Agent.objects.get(pk=org.agent2.pk)
    text = _docx_text(api("agent2").get(f"/petitions/{pid}/notices/acceptance.docx").content)
    assert "2026年9月16日予以受理" in text
    assert f"代办员{first.name}为你无偿代办" in text and f"代办员：{first.name}" in text, text
    assert second.name not in text
    assert api("leader").act(pid, "extend", {"days": 30, "reason": "情况复杂"}).status_code == 200
    later = _docx_text(api("agent2").get(f"/petitions/{pid}/notices/extension.docx").content)
    assert f"代办员：{second.name}" in later, later


def test_one_more_department_never_makes_the_matter_due_before_its_open_dispositions(api, org, clock):
    """Actor: agent1. A multi-department matter's solution fixed 11-10 for its 处置单; one more
    department routed as 一般事项 made the matter due 11-02, before three open 处置单."""
    from tests.test_month_faults import accepted_on, at

    pid = accepted_on(api, org, clock, "2026-09-16")
    a = api("agent1")
    a.act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "multi_department"})
    clock.move_to(at("2026-09-22"))
    assert a.act(pid, "determine_solution", {"determined_on": "2026-09-22"}).data["due_on"] == "2026-11-10"
    clock.move_to(at("2026-10-12"))
    r = a.act(pid, "route", {"departments": [org.departments[3].pk], "track": "standard"})
    assert r.status_code == 200, r.data
    open_due = max(d["due_on"] for d in r.data["dispositions"] if d["status"] in ("routed", "received"))
    assert r.data["due_on"] >= open_due, (r.data["due_on"], open_due)


def found_right_with_a_limit(api, org, clock) -> int:
    """A matter concluded 9-30, the petitioner dissatisfied, a 复查 asked 10-09 and found right on
    10-20 with the center's 限期 10-30 (a date a decision fixed, told by SMS): the petition's id."""
    from tests.test_month_faults import at, fed_back

    pid = fed_back(api, org, clock, "2026-09-16", "2026-09-30", "dissatisfied")
    clock.move_to(at("2026-10-09"))
    api("agent1").act(pid, "request_review", {"level": "review", "requested_on": "2026-10-09", "reason": "补偿标准过低"})
    clock.move_to(at("2026-10-20"))
    r = api("center").act(pid, "decide_review", {"upheld": True, "note": "限期化解", "due_on": "2026-10-30"})
    assert r.status_code == 200 and r.data["due_on"] == "2026-10-30"
    return pid


def test_a_routing_after_a_review_found_right_keeps_the_centers_time_limit(api, org, clock):
    """Actors: the center (finds the 复查 right, 限期 10-30, told to the petitioner), agent1 (routes on
    10-20). The new 处置单's own 15 working days (11-10) moved the matter past the decided limit, with
    nobody deciding it and the petitioner told nothing: the decided date holds for the 处置单 too."""
    from tests.test_month_faults import sms

    pid = found_right_with_a_limit(api, org, clock)
    assert "10月30日前解决" in sms(pid)[-1][1]
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    assert r.status_code == 200, r.data
    assert r.data["due_on"] == "2026-10-30", r.data["due_on"]
    new = [d for d in r.data["dispositions"] if d["status"] == "routed"][0]
    assert new["due_on"] == "2026-10-30", new["due_on"]


def test_a_review_found_right_keeps_the_first_handling_opinion_in_the_file(api, org, clock):
    """Actors: agent1, the center. The 复查意见书 answers "你对处理意见不服": the 处理意见书 of 9-30 it
    reviewed stays available and in the 一案一档 after the review found the request right and the matter
    was handled again; the second letter lists its own round's answers only."""
    from tests.test_month_faults import answer_all, at, fed_back

    pid = fed_back(api, org, clock, "2026-09-16", "2026-09-30", "dissatisfied")
    a = api("agent1")
    first = _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content)
    clock.move_to(at("2026-10-09"))
    assert a.act(pid, "request_review", {"level": "review", "requested_on": "2026-10-09",
                                         "reason": "补偿标准过低"}).status_code == 200
    clock.move_to(at("2026-10-20"))
    r = api("center").act(pid, "decide_review", {"upheld": True, "note": "补偿标准应重新核定", "due_on": "2026-11-20"})
    assert r.status_code == 200, r.data
    kinds = {n["kind"]: n["available"] for n in a.get(f"/petitions/{pid}/notices").data}
    assert kinds["result"], "the 处理意见书 the petitioner received on 9-30 is no longer in the case"
    assert _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content) == first
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    clock.move_to(at("2026-11-10"))
    answer_all(api, org, r.data)
    assert a.act(pid, "conclude", {"result": "已按新标准补偿"}).status_code == 200
    listed = a.get(f"/petitions/{pid}/notices").data
    assert [n["title"] for n in listed if n["kind"].startswith("result")] == ["处理意见书（第1次）", "处理意见书"]
    assert _docx_text(a.get(f"/petitions/{pid}/notices/result-1.docx").content) == first
    second = _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content)
    assert "已按新标准补偿" in second and "2026年11月10日" in second and "请求复核" in second, second
    assert second.count(f"{org.departments[0].name}：") == 1, second
    assert a.get(f"/petitions/{pid}/notices/result-2.docx").status_code == 404
    assert a.get(f"/petitions/{pid}/notices/result-9.pdf").status_code == 404
    # Both letters go into the case file, each dated its day.
    from daiban.documents.casefile import items
    from daiban.documents.services import load_case

    filed = [(i.title, i.day) for i in items(load_case(pid)) if "处理意见书" in i.title]
    assert filed == [("处理意见书（第1次）", datetime.date(2026, 9, 30)),
                     ("处理意见书（第2次）", datetime.date(2026, 11, 10))], filed


def test_a_returned_disposition_is_said_so_in_the_summary_and_the_ledger(api, routed, org):
    """Actor: dept1 returning its 处置单 (not its competence); the agent routes to dept2. The case
    summary said 处理结果：— for it, the ledger listed dept1 as a unit the matter went to."""
    import openpyxl
    from pypdf import PdfReader

    from daiban.documents.casefile import case_summary_pdf
    from daiban.documents.services import load_case

    p = routed()
    d1 = p["dispositions"][0]["id"]
    assert api("dept1").act_disposition(d1, "return", {"reason": "不属于本单位职权"}).status_code == 200
    assert api("agent1").act(p["id"], "route", {"departments": [org.departments[1].pk]}).status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(case_summary_pdf(load_case(p["id"])))).pages)
    assert "已退回" in text and "不属于本单位职权" in text, text
    response = api("center").client.get("/api/v1/ledger.xlsx", **api("center").headers)
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[3]]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1] == p["number"])
    assert row[header.index("流转单位")] == f"{org.departments[0].name}（已退回）、{org.departments[1].name}"


def test_the_openapi_document_states_bounds_in_json_schema_words(org):
    """Ids and versions were published with pydantic's own "ge"/"le" (192 times), which no client or
    fuzzer reads: the contract did not state its bounds. Now `minimum`/`maximum`."""
    import json

    spec = json.loads(Client().get("/api/v1/openapi.json").content)

    def keys(node):
        if isinstance(node, dict):
            for k, v in node.items():
                yield k
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)

    found = list(keys(spec))
    assert "ge" not in found and "le" not in found
    petition_id = next(p for p in spec["paths"]["/api/v1/petitions/{petition_id}"]["get"]["parameters"]
                       if p["name"] == "petition_id")
    assert petition_id["schema"]["minimum"] == 1 and petition_id["schema"]["maximum"] == 2_147_483_647


def test_no_sms_goes_to_a_fixed_line_and_the_agent_is_told_to_call(api, org):
    """Actor: a petitioner who left the family's fixed line (0477-7654321). The receipt and the
    acceptance SMS were queued to it (a gateway would refuse them): they are kept as `landline`,
    never sent, and the station's leaders (no agent yet) and then the agent are told what to say."""
    from daiban.notifications.models import Notification
    from daiban.notifications.services import send_due
    from tests.factories import petition_body

    r = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=97),
                                                                   "phone": "0477-7654321转123"}))
    assert r.status_code == 201, r.data
    pid = r.data["id"]
    assert api("agent1").act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                             "agent_chosen_by": "designated", "notification": "written"}).status_code == 200
    rows = Notification.objects.filter(petition_id=pid, channel="sms")
    assert rows.exists() and set(rows.values_list("state", flat=True)) == {"landline"}
    send_due()
    assert set(Notification.objects.filter(petition_id=pid, channel="sms").values_list("state", flat=True)) == {"landline"}
    told = Notification.objects.filter(petition_id=pid, channel="in_app", template="sms_landline")
    receipt = told.filter(body__contains="已收到")
    assert {n.recipient.username for n in receipt} <= {"duty", "leader", "chief"} and receipt.exists()
    assert all("固定电话" in n.body for n in receipt)
    assert told.filter(recipient__username="agent1", body__contains="已受理，代办员").exists()
    page = login("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    assert "固定电话，未发短信" in page
    # A mobile number still gets its SMS queued.
    other = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=98)})).data
    assert Notification.objects.get(petition_id=other["id"], channel="sms", template="receipt").state == "queued"
