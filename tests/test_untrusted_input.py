"""Issue 9: untrusted input corrupts nothing and breaks nothing. Every example of the issue, and
more of each kind: identity snapshots and corrections, query codes, text at the boundary, digits
in other widths, attachments that must open, intake scope, 500s turned into 4xx, the tracking
lockout, departments that must not learn who complained."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from daiban.lib import crypto
from daiban.lib.identity import normalize_id_number, normalize_phone
from daiban.lib.text import clean_line, clean_text
from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions.models import Event, Petition, Petitioner, PetitionerCorrection
from tests.factories import COMPLAINT, id_number, pdf_bytes, petition_body, png_bytes

ID = "150626196803039707"


def _public(api, person: dict, content: str = COMPLAINT, ip: str = "127.0.0.1"):
    client = api().client
    return client.post("/api/v1/public/petitions", json.dumps({"petitioner": person, "content": content}),
                       content_type="application/json", REMOTE_ADDR=ip)


# --- 1. identity: a snapshot per petition, changed only by a logged correction --------------------

def test_a_public_submission_with_a_known_id_number_changes_no_earlier_petition(api, accepted, clock):
    first = accepted(petitioner={"name": "张三", "id_number": ID, "phone": "13912345678", "address": "嘎鲁图镇"})
    assert _public(api, {"name": "冒名者", "id_number": ID, "phone": "13800000000", "address": "别处"}).status_code == 201
    shown = api("agent1").get(f"/petitions/{first['id']}").data["petitioner"]
    assert (shown["name"], shown["phone"], shown["address"]) == ("张三", "13912345678", "嘎鲁图镇")
    person = Petitioner.objects.get()
    assert (person.name, person.phone, person.address) == ("张三", "13912345678", "嘎鲁图镇")
    # The agency form and the ledger read the petition's own snapshot.
    form = api("agent1").client.get(f"/api/v1/petitions/{first['id']}/forms/agency.docx", **api("agent1").headers)
    text = "\n".join(c.text for row in Document(io.BytesIO(form.content)).tables[0].rows for c in row.cells)
    assert "张三" in text and "冒名者" not in text
    # Later SMS about the first petition go to the phone registered with it.
    api("agent1").act(first["id"], "route", {"departments": [api("agent1").get("/departments").data[0]["id"]],
                                             "track": "standard"})
    sms = Notification.objects.filter(petition_id=first["id"], channel="sms")
    assert {crypto.decrypt(n.phone_enc) for n in sms} == {"13912345678"}
    # The new petition keeps what was registered with it; the person is the same (keyed ID hash).
    newest = Petition.objects.order_by("-id").first()
    assert (newest.petitioner_name, newest.petitioner_phone) == ("冒名者", "13800000000")
    assert newest.petitioner_id == Petition.objects.get(pk=first["id"]).petitioner_id


def test_an_agent_of_another_station_cannot_change_what_a_petition_shows(api, new_petition, org, clock):
    mine = new_petition(petitioner={"name": "张三", "id_number": ID, "phone": "13912345678", "address": "嘎鲁图镇"})
    other = api("agent12").post("/petitions", petition_body(petitioner={"name": "李四", "id_number": ID,
                                                                        "phone": "13700000000"}))
    assert other.status_code == 201
    shown = api("center").get(f"/petitions/{mine['id']}").data["petitioner"]
    assert (shown["name"], shown["phone"]) == ("张三", "13912345678")


def test_a_correction_by_the_case_agent_is_logged_encrypted_and_changes_the_snapshot(api, accepted, org, clock):
    petition = accepted(petitioner={"name": "张三", "id_number": ID, "phone": "13912345678", "address": "嘎鲁图镇"})
    response = api("agent1").post(f"/petitions/{petition['id']}/petitioner/correction",
                                  {"phone": "139 0000 1111", "reason": "本人来电更换手机号"})
    assert response.status_code == 200, response.data
    assert response.data["petitioner"]["phone"] == "13900001111"
    correction = PetitionerCorrection.objects.get()
    assert correction.by.username == "agent1" and correction.reason == "本人来电更换手机号"
    assert "13912345678" not in correction.changes_enc and "13900001111" not in correction.changes_enc
    assert json.loads(crypto.decrypt(correction.changes_enc)) == {"phone": {"old": "13912345678", "new": "13900001111"}}
    assert Petitioner.objects.get().phone == "13900001111"
    event = Event.objects.filter(action="petitioner_correction").get()
    assert "1391234" not in event.note and "1390000" not in event.note and "电话" in event.note


@pytest.mark.parametrize("username", ["agent2", "dept1"])
def test_only_those_who_see_full_data_may_correct(api, routed, username, clock):
    petition = routed()
    response = api(username).post(f"/petitions/{petition['id']}/petitioner/correction",
                                  {"name": "王五", "reason": "更正"})
    assert response.status_code in (403, 404)
    assert not PetitionerCorrection.objects.exists()
    assert Petition.objects.get(pk=petition["id"]).petitioner_name == "张三"


def test_the_staff_case_page_has_the_correction_form(api, accepted, clock):
    petition = accepted()
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get(f"/staff/petitions/{petition['id']}/").content.decode()
    assert 'data-testid="correction"' in page
    response = client.post(f"/staff/petitions/{petition['id']}/petitioner/correction/",
                           {"address": "乌审召镇\u0000巴音敖包", "reason": "地址写错"})
    assert response.status_code == 302
    assert Petition.objects.get(pk=petition["id"]).petitioner_address == "乌审召镇巴音敖包"


def test_an_external_id_registered_by_another_station_is_409_without_its_number(api, org, clock):
    body = petition_body(source="hotline_12345", channel="phone", external_id="12345-2026-0001")
    created = api("agent12").post("/petitions", body)
    assert created.status_code == 201
    again = api("agent1").post("/petitions", body)
    assert again.status_code == 409 and "external_id" in again.data["error"]["fields"]
    assert created.data["number"] not in json.dumps(again.data, ensure_ascii=False)
    assert Petition.objects.count() == 1
    assert api("agent12").post("/petitions", body).status_code == 200  # its own: the same petition


# --- 2. the query code -----------------------------------------------------------------------------

def test_query_code_only_for_those_who_hand_it_to_the_petitioner(api, routed, clock):
    petition = routed()
    code = Petition.objects.get(pk=petition["id"]).query_code
    for username in ("agent1", "duty", "leader", "chief", "center", "admin"):
        assert api(username).get(f"/petitions/{petition['id']}").data["query_code"] == code, username
    for username in ("dept1", "agent2"):
        assert api(username).get(f"/petitions/{petition['id']}").data["query_code"] is None, username
    client = Client()
    client.force_login(User.objects.get(username="dept1"))
    page = client.get(f"/staff/petitions/{petition['id']}/").content.decode()
    assert code not in page


# --- 3. text at the boundary -----------------------------------------------------------------------

WORD_PASTE = "宅基地\u000b确权问题\u000c请核实"


def test_word_paste_is_stored_clean_and_every_export_opens(api, routed, clock):
    petition = routed(content=WORD_PASTE, petitioner={"name": "张\u0000三\u202e", "address": "嘎鲁图镇\ud800"})
    assert petition["content"] == "宅基地\n确权问题\n请核实"
    assert petition["petitioner"]["name"] == "张三" and petition["petitioner"]["address"] == "嘎鲁图镇"
    agent = api("agent1")
    ledger = agent.client.get("/api/v1/ledger.xlsx", **agent.headers)
    assert ledger.status_code == 200
    load_workbook(io.BytesIO(b"".join(ledger.streaming_content)))
    assert agent.client.get(f"/api/v1/petitions/{petition['id']}/forms/agency.docx", **agent.headers).status_code == 200
    did = petition["dispositions"][0]["id"]
    assert agent.client.get(f"/api/v1/dispositions/{did}/form.docx", **agent.headers).status_code == 200
    archive = agent.client.get(f"/api/v1/petitions/{petition['id']}/archive.zip", **agent.headers)
    assert archive.status_code == 200 and zipfile.ZipFile(io.BytesIO(archive.content)).testzip() is None


def test_nul_in_name_or_content_never_answers_500(api, org, clock):
    response = api("agent1").post("/petitions", petition_body(content="草场\u0000补偿", petitioner={"name": "\u0000王五"}))
    assert response.status_code == 201
    assert (response.data["content"], response.data["petitioner"]["name"]) == ("草场补偿", "王五")
    only_controls = api("agent1").post("/petitions", petition_body(content="\u0000\u0001\u200b"))
    assert only_controls.status_code == 400 and "content" in only_controls.data["error"]["fields"]


@pytest.mark.parametrize(("raw", "line", "text"), [
    ("a\r\nb", "a b", "a\nb"), ("a\u2028b\u2029c", "a b c", "a\nb\nc"), ("\ufeff名字\u200b", "名字", "名字"),
    ("e\u0301", "\u00e9", "\u00e9"), ("a\ufffeb\uffff\U0001fffe", "ab", "ab"), ("x\u2066y\u2069", "xy", "xy"),
    ("  两个   空格 ", "两个 空格", "两个   空格"), ("\ud83d", "", ""), ("tab\there", "tab here", "tab\there"),
])
def test_cleaning_rules(raw, line, text):
    assert clean_line(raw) == line
    assert clean_text(raw) == text


def test_portal_form_cleans_too(org, clock):
    form = {"name": "周九\u0000", "id_number": "１５０６２６１９６８０３０３９７０７", "phone": "（+86）139-1234-5678",
            "address": "乌审召镇", "content": WORD_PASTE, "consent": "on"}
    response = Client().post("/submit/", form)
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert (petition.petitioner_name, petition.petitioner_phone, petition.content) == (
        "周九", "13912345678", "宅基地\n确权问题\n请核实")
    assert petition.petitioner.id_number == ID


# --- 4. digits in other widths ---------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["1５０６２６１９６８０３０３９７０7", "１５０６２６１９６８０３０３９７０７", ID,
                                 "150626 1968 0303 9707", "150626-19680303-9707"])
def test_every_form_of_an_id_number_is_one_ascii_value(raw):
    assert normalize_id_number(raw) == ID


def test_lower_case_check_digit_and_full_width_x():
    assert normalize_id_number("15062619700101123x") == normalize_id_number("１５０６２６１９７００１０１１２３ｘ") == "15062619700101123X"


@pytest.mark.parametrize("raw", ["13912345678", "+8613912345678", "008613912345678", "8613912345678",
                                 "139 1234 5678", "139-1234-5678", "(139)12345678", "13９１２３４５６７8",
                                 "＋８６ １３９ １２３４ ５６７８"])
def test_every_form_of_a_mobile_is_one_value(raw):
    assert normalize_phone(raw) == "13912345678"


@pytest.mark.parametrize(("raw", "stored"), [
    ("0477-7654321", "0477-7654321"), ("04777654321", "0477-7654321"), ("(0477) 765 4321", "0477-7654321"),
    ("+86 477 7654321", "0477-7654321"), ("0477-7654321转123", "0477-7654321-123"),
    ("0477-7654321-123", "0477-7654321-123"), ("010 6234 5678", "010-62345678"), ("+86-10-62345678", "010-62345678"),
])
def test_fixed_lines_as_people_type_them(raw, stored):
    assert normalize_phone(raw) == stored


def test_full_width_input_is_told_the_real_problem():
    from daiban.lib.identity import InvalidValue

    with pytest.raises(InvalidValue, match="校验位"):
        normalize_id_number("１５０６２６１９６８０３０３９７０８")  # full width, wrong check digit
    with pytest.raises(InvalidValue, match="位数|11位"):
        normalize_phone("１３９１２３４５６７")


def test_the_same_person_typed_two_ways_is_one_petitioner_and_the_same_matter(api, accepted, clock):
    first = accepted(petitioner={"id_number": ID, "phone": "13912345678"})
    second = api("agent1").post("/petitions", petition_body(petitioner={
        "id_number": "1５０６２６１９６８０３０３９７０7", "phone": "13９１２３４５６７8"}))
    assert second.status_code == 201
    assert Petitioner.objects.count() == 1
    assert Petition.objects.get(pk=second.data["id"]).petitioner_phone_hash == \
        Petition.objects.get(pk=first["id"]).petitioner_phone_hash
    reasons = api("agent1").get(f"/petitions/{second.data['id']}/eligibility").data["reasons"]
    assert [r["code"] for r in reasons] == ["in_progress"]


# --- 5. attachments that must open -----------------------------------------------------------------

def _upload(api_client, petition_id, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api_client.client.post(f"/api/v1/petitions/{petition_id}/attachments",
                                  {"file": SimpleUploadedFile(name, data), "kind": "document"}, **api_client.headers)


def test_a_file_that_only_looks_like_a_pdf_is_refused(api, accepted, clock):
    petition = accepted()
    bad = _upload(api("agent1"), petition["id"], "材料.pdf", b"%PDF-1.4\nnot really a pdf")
    assert bad.status_code == 400 and "file" in bad.json()["error"]["fields"]
    broken_png = _upload(api("agent1"), petition["id"], "照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert broken_png.status_code == 400
    ok = _upload(api("agent1"), petition["id"], "../../来信\u0000扫描\u202e.pdf", pdf_bytes(2))
    assert ok.status_code == 201 and ok.json()["name"] == "来信扫描.pdf"
    photo = _upload(api("agent1"), petition["id"], "现场.jpeg.exe", png_bytes())
    assert photo.status_code == 201 and photo.json()["name"].endswith(".png")


def test_a_decompression_bomb_is_refused(api, accepted, clock, monkeypatch):
    from daiban.documents import services

    monkeypatch.setattr(services, "MAX_IMAGE_PIXELS", 100)
    response = _upload(api("agent1"), accepted()["id"], "大图.png", png_bytes(20, 20))
    assert response.status_code == 400 and "尺寸" in response.json()["error"]["fields"]["file"]


# --- 6. intake and screening within the user's scope -----------------------------------------------

def test_intake_at_a_station_outside_the_users_scope_is_400_and_creates_nothing(api, org, clock):
    response = api("agent1").post("/petitions", petition_body(station_id=org.galutu.pk))
    assert response.status_code == 400 and "station_id" in response.data["error"]["fields"]
    assert Petition.objects.count() == 0
    assert api("center").post("/petitions", petition_body(station_id=org.galutu.pk)).status_code == 201


def test_a_designated_agent_of_another_station_is_refused(api, new_petition, org, clock):
    petition = new_petition()
    response = api("agent1").act(petition["id"], "screen", {"outcome": "agency", "agent_id": org.agent12.pk,
                                                            "agent_chosen_by": "designated"})
    assert response.status_code == 400 and "agent_id" in response.data["error"]["fields"]
    assert Petition.objects.get(pk=petition["id"]).status == "received"


# --- 7. what fuzzing found: clean 4xx in the error format, in Chinese ------------------------------

@pytest.mark.parametrize(("path", "params"), [
    ("/petitions", {"page": "99999999999999999999"}),
    ("/petitions", {"station": "99999999999999999999"}),
    ("/calendar/0", {}), ("/calendar/99999", {}),
    ("/workdays", {"start": "9999-12-30", "add": "5"}),
    ("/ledger.xlsx", {"from": "0001-01-01", "to": "9999-12-31"}),
    ("/petitions/99999999999999999999", {}),
    ("/stats/report.pdf", {"month": "0001-01"}),
])
def test_found_by_fuzzing_answers_400_in_chinese(api, org, path, params):
    response = api("center").get(path, **params)
    assert response.status_code == 400, response.content[:300]
    error = response.data["error"]
    assert error["code"] == "invalid" and error["fields"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_malformed_json_too_large_and_multipart_without_boundary(api, accepted, clock, settings):
    agent = api("agent1")
    bad = agent.client.post("/api/v1/petitions", "{not json", content_type="application/json", **agent.headers)
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("请求内容不是有效的JSON")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = agent.client.post("/api/v1/petitions", json.dumps({"content": "字" * 2000}), content_type="application/json",
                            **agent.headers)
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    petition = accepted()
    multipart = agent.client.post(f"/api/v1/petitions/{petition['id']}/attachments", "x",
                                  content_type="multipart/form-data", **agent.headers)
    assert multipart.status_code == 400 and "error" in multipart.json()


def test_dates_have_a_plausible_range(api, org, clock):
    response = api("agent1").post("/petitions", petition_body(received_on="0001-01-01"))
    assert response.status_code == 400 and "received_on" in response.data["error"]["fields"]
    assert not Petition.objects.filter(number__startswith="WS-1-").exists()


# --- 8. tracking: a stranger cannot lock the petitioner out ----------------------------------------

def test_wrong_codes_from_a_stranger_do_not_lock_the_petitioner_out(api, org, clock, settings):
    created = _public(api, {"name": "刘八", "id_number": id_number(serial=888), "phone": "13812345678"}).json()
    stranger, petitioner = Client(REMOTE_ADDR="10.9.9.9"), Client(REMOTE_ADDR="10.1.1.1")
    url = f"/api/v1/public/petitions/{created['number']}"
    for _ in range(settings.DAIBAN_PUBLIC_WRONG_CODES + 3):
        assert stranger.get(url, {"code": "AAAAAAAAAA"}).status_code in (404, 429)
    assert stranger.get(url, {"code": created["query_code"]}).status_code == 429  # the stranger waits
    assert petitioner.get(url, {"code": created["query_code"]}).status_code == 200  # the petitioner does not


def test_the_portal_asks_for_the_captcha_after_wrong_codes(api, org, clock, settings):
    from tests.test_portal_pages import _answer, _key

    created = _public(api, {"name": "刘八", "id_number": id_number(serial=889), "phone": "13812345678"}).json()
    client = Client(REMOTE_ADDR="10.2.2.2")
    status_url = f"/track/{created['number']}/"
    for _ in range(settings.DAIBAN_PUBLIC_WRONG_CODES):
        # The code leaves the address bar (303 to the clean URL), then is checked.
        assert client.get(status_url, {"code": "AAAAAAAAAA"}, follow=True).status_code == 404
    asked = client.get(status_url, {"code": created["query_code"]}, follow=True)
    assert asked.status_code == 429 and 'data-testid="captcha"' in asked.content.decode()
    key = _key(asked.content.decode())
    wrong = client.get("/track/", {"number": created["number"], "code": created["query_code"],
                                   "captcha_0": key, "captcha_1": "0000"})
    assert wrong.status_code == 400
    key = _key(wrong.content.decode())
    solved = client.get("/track/", {"number": created["number"], "code": created["query_code"],
                                    "captcha_0": key, "captcha_1": _answer(key)}, follow=True)
    assert solved.status_code == 200 and created["number"] in solved.content.decode()


# --- 11. a department that must not learn who complained -------------------------------------------

def test_a_department_without_sees_identity_gets_name_and_address_masked(api, routed, org, clock):
    petition = routed(petitioner={"name": "张三", "address": "巴音敖包嘎查七组"})
    department = org.departments[0]
    assert api("dept1").get(f"/petitions/{petition['id']}").data["petitioner"]["name"] == "张三"
    department.sees_identity = False
    department.save()
    dept = api("dept1")
    detail = dept.get(f"/petitions/{petition['id']}").data
    assert detail["identity_masked"] and "张三" not in json.dumps(detail, ensure_ascii=False)
    assert "巴音敖包" not in json.dumps(detail, ensure_ascii=False)
    listed = dept.get("/petitions").data["items"][0]["petitioner"]
    assert "张" not in listed["name"] and "巴音敖包" not in listed["address"]
    did = petition["dispositions"][0]["id"]
    form = dept.client.get(f"/api/v1/dispositions/{did}/form.docx", **dept.headers)
    text = "\n".join(c.text for row in Document(io.BytesIO(form.content)).tables[0].rows for c in row.cells)
    assert "张三" not in text and "巴音敖包" not in text
    client = Client()
    client.force_login(User.objects.get(username="dept1"))
    page = client.get(f"/staff/petitions/{petition['id']}/").content.decode()
    assert "张三" not in page and "巴音敖包" not in page
    assert "张三" not in client.get("/staff/petitions/").content.decode()
    ledger = dept.client.get("/api/v1/ledger.xlsx", **dept.headers)
    sheet = load_workbook(io.BytesIO(b"".join(ledger.streaming_content))).active
    assert "张三" not in [c.value for row in sheet.iter_rows() for c in row]
    # The agent still sees who it is.
    assert api("agent1").get(f"/petitions/{petition['id']}").data["petitioner"]["name"] == "张三"


def test_bytes_that_are_not_utf8_are_refused_by_field_not_stored_as_replacement_characters(org, clock):
    """A browser with the wrong encoding, or a script: Django decodes bytes that are not UTF-8 as
    U+FFFD, and what was typed there would be lost silently. The form says which field, and nothing
    is saved; urlencoded and multipart alike."""
    from urllib.parse import quote_from_bytes

    fields = {"name": "周九".encode(), "id_number": ID.encode(), "phone": b"13912345678",
              "address": "乌审召镇".encode(), "content": "草场被占".encode("gbk") + "，请核实".encode(), "consent": b"on"}
    body = "&".join(f"{k}={quote_from_bytes(v)}" for k, v in fields.items())
    page = Client().post("/submit/", body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and "含有无法识别的字符" in page.content.decode(), page.content.decode()[-3000:]
    boundary = "XyZ"
    parts = b"".join(b"--XyZ\r\nContent-Disposition: form-data; name=\"" + k.encode() + b"\"\r\n\r\n" + v + b"\r\n"
                     for k, v in {**fields, "content": "草场被占，请核实".encode(), "name": "周九".encode("gbk")}.items())
    page = Client().post("/submit/", parts + b"--XyZ--\r\n", content_type=f"multipart/form-data; boundary={boundary}")
    html = page.content.decode()
    assert page.status_code == 400 and "含有无法识别的字符" in html
    assert not Petition.objects.exists()
    ok = Client().post("/submit/", {k: v.decode() for k, v in {**fields, "content": "草场被占，请核实".encode()}.items()})
    assert ok.status_code == 302 and Petition.objects.count() == 1
