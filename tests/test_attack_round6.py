"""An attacker and the wrong role, a sixth time: each fault found is one example of its kind.

- what a viewer may not see is not learnt another way: the petitioner profile lists only the
  corrections made on petitions the viewer may read (tests/test_petitioner_profile.py);
- an anonymous client cannot make the server keep what it sends without bound: a query code longer
  than any query code is refused before it reaches the session, and the tracking form is rate-limited;
- every writer is safe on its own: a holiday notice's name longer than its column is refused by line,
  not left to the database (PostgreSQL would have answered 500);
- history keeps who acted: a staff account with a timeline is deactivated, never deleted;
- no personal data in logs: what staff typed into a search (a name) is masked in logged addresses;
- the same form posted twice registers once: the 登记 form carries a one-time token.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client

from daiban.audit.guard import AppendOnlyError
from daiban.org.models import User
from daiban.petitions.models import Event, Petition
from daiban.workdays.seed import NoticeError, parse_notice
from tests.factories import COMPLAINT, id_number, login

# --- the tracking form keeps nothing it should not ----------------------------------------------------

@pytest.mark.parametrize("how", ["post", "legacy_link"])
def test_a_code_no_query_code_could_be_is_refused_before_the_session_keeps_it(org, how):
    """Actor: an anonymous client sending a 200,000-character "code" again and again."""
    client = Client()
    code = "a" * 200_000
    if how == "post":
        response = client.post("/track/", {"number": "WS-2026-000001", "code": code})
    else:
        response = client.get("/track/WS-2026-000001/", {"code": code})
    assert response.status_code == 400
    assert "查询码格式不正确" in response.content.decode()
    assert not any(len(s.session_data) > 10_000 for s in Session.objects.all())


def test_the_tracking_form_is_rate_limited_per_client(org):
    """Actor: one client posting the tracking form past the hour's allowance: 429 with Retry-After,
    and the posts past it store nothing."""
    from daiban.portal.views import TRACKS_PER_HOUR

    client = Client()
    for i in range(TRACKS_PER_HOUR):
        assert client.post("/track/", {"number": "WS-2026-000001", "code": f"CODE{i:06d}"}).status_code == 302
    refused = client.post("/track/", {"number": "WS-2026-000001", "code": "LASTCODE01"})
    assert refused.status_code == 429 and refused.headers.get("Retry-After")
    assert "查询过于频繁" in refused.content.decode()
    # The legacy link (GET /track/<number>/?code=…) keeps a code too: the same allowance, new client or not.
    legacy = Client().get("/track/WS-2026-000002/", {"code": "LEGACY0001"})
    assert legacy.status_code == 429 and "查询过于频繁" in legacy.content.decode()


# --- the holiday notice ------------------------------------------------------------------------------

def test_a_holiday_name_longer_than_its_column_is_refused_by_line():
    with pytest.raises(NoticeError, match=r"第2行的名称不能超过100字（现有502字）"):
        parse_notice("2027-01-01 休 元旦\n2027-02-06..2027-02-12 休 春节" + "节" * 500 + "\n", 2027)
    days = parse_notice("2027-02-06..2027-02-12 休 " + "春" * 100 + "\n", 2027)
    assert max(len(d.name) for d in days) == 100


def test_the_calendar_page_says_which_line_is_too_long(org):
    """Actor: the administrator pasting a notice with an over-long name on /staff/calendar/."""
    from daiban.workdays.models import CalendarDay

    response = login("admin").post("/staff/calendar/?year=2027", {
        "notice": "2027-02-06..2027-02-12 休 春节" + "节" * 500}, follow=True)
    assert response.status_code in (200, 400)
    assert "第1行的名称不能超过100字" in response.content.decode()
    assert not CalendarDay.objects.filter(name__startswith="春节节").exists()


# --- accounts with history ---------------------------------------------------------------------------

def test_a_staff_account_that_acted_is_not_deleted(api, accepted, org):
    """Actor: the administrator in /admin/ and in code: the account of dept… who acted keeps its
    timeline rows; the admin offers no delete, a delete is refused, deactivation works."""
    petition = accepted()
    agent = User.objects.get(username="agent1")
    assert Event.objects.filter(actor=agent, petition_id=petition["id"]).exists()
    admin = login("admin")
    page = admin.get(f"/admin/org/user/{agent.pk}/delete/")
    assert page.status_code in (403, 404, 302)
    assert admin.post(f"/admin/org/user/{agent.pk}/delete/", {"post": "yes"}).status_code in (403, 404, 302)
    assert User.objects.filter(pk=agent.pk).exists()
    # An account whose only trace is the timeline (no personal-data views, which PROTECT already).
    clerk = User.objects.create_user("clerk_account", password=None)
    Event.record(Petition.objects.get(pk=petition["id"]), "contact", actor=clerk, note="电话联系")
    with pytest.raises(AppendOnlyError, match="不能删除"), transaction.atomic():
        clerk.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        User.objects.filter(pk=clerk.pk).delete()
    assert Event.objects.filter(actor=clerk).count() == 1
    # An account that never acted may go (a typo at creation).
    spare = User.objects.create_user("spare_account", password=None)
    spare.delete()
    assert not User.objects.filter(username="spare_account").exists()


# --- logs --------------------------------------------------------------------------------------------

def test_a_name_typed_into_a_search_is_not_logged():
    from daiban.lib.logmask import mask

    line = '"GET /api/v1/petitions?q=%E6%AC%A7%E9%98%B3%E6%9B%B4%E6%AD%A3&status=open HTTP/1.1" 200 512'
    assert mask(line) == '"GET /api/v1/petitions?q=[已屏蔽]&status=open HTTP/1.1" 200 512'
    assert "王建国" not in mask('"GET /staff/petitions/?page=2&q=王建国 HTTP/1.1" 200 9')
    assert mask("?sq=1&faq=2") == "?sq=1&faq=2"


# --- the 登记 form posted twice ----------------------------------------------------------------------

def _intake_body(page: str) -> dict:
    once = re.search(r'name="once" value="([0-9a-f]{32})"', page)
    assert once, "the form carries its one-time token"
    return {"channel": "visit", "source": "self", "received_on": "2026-09-16", "name": "王五",
            "id_number": id_number(serial=31), "phone": "13912345678", "content": COMPLAINT,
            "once": once.group(1)}


def test_the_intake_form_posted_twice_registers_once(org, clock):
    """Actor: agent1 double-clicking 保存 on a slow line (two posts of one rendering of the form)."""
    client = login("agent1")
    body = _intake_body(client.get("/staff/intake/").content.decode())
    first = client.post("/staff/intake/", body)
    again = client.post("/staff/intake/", body, follow=True)
    assert Petition.objects.count() == 1
    petition = Petition.objects.get()
    assert first.status_code == 302 and first.url == f"/staff/petitions/{petition.pk}/"
    assert again.redirect_chain[-1][0] == f"/staff/petitions/{petition.pk}/"
    assert "已经提交过" in again.content.decode() and petition.number in again.content.decode()
    # A new rendering of the form is a new registration (another petitioner's complaint).
    other = _intake_body(client.get("/staff/intake/").content.decode())
    other["id_number"] = id_number(serial=32)
    assert client.post("/staff/intake/", other).status_code == 302
    assert Petition.objects.count() == 2


def test_the_form_brought_back_and_filled_in_for_another_person_registers_that_person(org, clock):
    """Actor: agent1 registers 王五, presses the back button (the same form, the same token) and types
    in 赵六's complaint: 赵六 is registered too, not sent to 王五's petition."""
    client = login("agent1")
    body = _intake_body(client.get("/staff/intake/").content.decode())
    assert client.post("/staff/intake/", body).status_code == 302
    other = {**body, "name": "赵六", "id_number": id_number(serial=34), "phone": "13912345679",
             "content": "我家宅基地被邻居占用修了围墙，请求依法处理。"}
    response = client.post("/staff/intake/", other)
    assert response.status_code == 302
    assert Petition.objects.count() == 2
    assert Petition.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1])).petitioner_name == "赵六"


def test_a_refused_intake_keeps_its_token_so_the_corrected_form_registers(org, clock):
    client = login("agent1")
    body = _intake_body(client.get("/staff/intake/").content.decode())
    refused = client.post("/staff/intake/", {**body, "phone": "12"})
    assert refused.status_code == 400 and f'value="{body["once"]}"' in refused.content.decode()
    assert client.post("/staff/intake/", body).status_code == 302
    assert Petition.objects.count() == 1


def test_another_user_cannot_use_a_token_to_open_a_petition(org, clock):
    """Actor: agent12 (another station) posting agent1's token: it opens nothing of agent1's."""
    client = login("agent1")
    body = _intake_body(client.get("/staff/intake/").content.decode())
    assert client.post("/staff/intake/", body).status_code == 302
    petition = Petition.objects.get()
    response = login("agent12").post("/staff/intake/", {**body, "id_number": id_number(serial=33)})
    assert response.status_code in (200, 302)
    assert response.status_code == 200 or response.url != f"/staff/petitions/{petition.pk}/"


# --- dates and filters that cannot be what was asked -----------------------------------------------

@pytest.mark.parametrize("on", ["2026-09-16T00:00:00+14:00", "2026-09-16T00:00:00", 1789000000, "2026-9-16"])
def test_an_action_date_is_a_day_written_yyyy_mm_dd(api, new_petition, org, on):
    """Actor: a client sending a timestamp (whose day depends on a zone) or seconds as the action's date."""
    p = new_petition()
    before = Petition.objects.get(pk=p["id"]).version
    r = api("agent1").act(p["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                              "agent_chosen_by": "designated", "notification": "oral", "on": on})
    assert r.status_code == 400 and "on" in r.data["error"]["fields"], r.data
    assert "YYYY-MM-DD" in r.data["error"]["fields"]["on"]
    assert Petition.objects.get(pk=p["id"]).version == before
    assert api("agent1").get("/workdays", start="2026-09-16T00:00:00", add=3).status_code == 400


@pytest.mark.parametrize("path", ["/staff/stats/", "/staff/audit/"])
@pytest.mark.parametrize(("value", "said"), [("2026-02-30", "开始日期不是存在的日期"),
                                             ("abc", "开始日期应为2000至2099年间YYYY-MM-DD格式的日期"),
                                             ("1900-01-01", "开始日期应为2000至2099年间YYYY-MM-DD格式的日期"),
                                             ("2026-W41-5", "开始日期应为2000至2099年间YYYY-MM-DD格式的日期")])
def test_a_date_in_a_page_s_address_that_is_none_is_said_not_ignored(org, path, value, said):
    """Actor: the center (and the auditor) opening a page with from=2026-02-30: told, by name."""
    user = "admin" if path == "/staff/audit/" else "center"
    page = login(user).get(path, {"from": value})
    assert page.status_code == 200
    assert said in page.content.decode()


def test_a_day_that_does_not_exist_is_told_as_such_in_the_api(api, org):
    r = api("center").get("/stats", **{"from": "2026-02-30"})
    assert r.status_code == 400 and r.data["error"]["fields"]["from"].endswith("不是存在的日期（如2月30日）"), r.data


def test_a_ledger_with_a_date_that_is_none_is_not_the_whole_ledger(org):
    response = login("center").get("/staff/ledger.xlsx", {"from": "2026-02-30"}, follow=True)
    assert "开始日期不是存在的日期" in response.content.decode()
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("user", ["center", "admin", "agent1"])
def test_statistics_of_a_station_that_does_not_exist_are_404_for_every_role(api, org, user):
    """The API answers 404; the page says the filter is wrong by its label and counts every station
    the user may see (tests/test_http_semantics.py: one rule for every choice filter of a page)."""
    r = api(user).get("/stats", station=999_999)
    assert r.status_code == 404, r.data
    page = login(user).get("/staff/stats/", {"station": 999_999})
    assert page.status_code == 200 and "代办机构取值无效（收到“999999”），已按全部可见机构统计" in page.content.decode()


# --- the unit complained about ------------------------------------------------------------------------

def test_the_unit_a_petition_complains_about_never_learns_who_complained(api, accepted, org):
    """Actors: agent1 routes a complaint about the registration center (dept1, which otherwise sees
    identities) to dept1 itself and names it 被反映单位; dept1's handler then sees the matter, not the
    person: not in the API, the case page, its ledger, its 处置单 form, nor through the search. dept2,
    routed the same matter, still sees who it is."""
    import io

    import openpyxl
    from docx import Document

    person = {"name": "孙红梅", "id_number": id_number(serial=61), "phone": "13900000061",
              "address": "无定河镇排子湾村三组"}
    p = accepted(petitioner=person, content="不动产登记中心工作人员故意拖延办理我家的不动产转移登记，请求查处。")
    r = api("agent1").act(p["id"], "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                             "track": "multi_department",
                                             "complained_department": org.departments[0].pk})
    assert r.status_code == 200, r.data
    assert r.data["complained_department"]["id"] == org.departments[0].pk
    seen = api("dept1").get(f"/petitions/{p['id']}").data
    assert seen["identity_masked"] is True
    assert "孙红梅" not in str(seen) and "排子湾村三组" not in str(seen) and "13900000061" not in str(seen)
    assert api("dept2").get(f"/petitions/{p['id']}").data["identity_masked"] is False
    page = login("dept1").get(f"/staff/petitions/{p['id']}/").content.decode()
    assert "孙红梅" not in page and "排子湾村三组" not in page
    for q in ("孙红梅", "红梅", person["id_number"], "13900000061"):
        found = api("dept1").get("/petitions", q=q).data["items"]
        assert p["number"] not in [i["number"] for i in found], q
    ledger = api("dept1").client.get("/api/v1/ledger.xlsx", **api("dept1").headers)
    content = b"".join(ledger.streaming_content) if getattr(ledger, "streaming", False) else ledger.content
    cells = [str(c) for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
             for c in row if c]
    assert not [c for c in cells if "孙红梅" in c or "排子湾村三组" in c]
    disposition = next(d for d in r.data["dispositions"] if d["department"]["id"] == org.departments[0].pk)
    form = api("dept1").client.get(f"/api/v1/dispositions/{disposition['id']}/form.docx", **api("dept1").headers)
    assert form.status_code == 200
    text = "\n".join(cell.text for table in Document(io.BytesIO(form.content)).tables
                     for row in table.rows for cell in row.cells)
    assert "孙红梅" not in text and "排子湾村三组" not in text


def test_a_complained_about_unit_that_does_not_exist_is_refused_by_name(api, accepted, org):
    p = accepted()
    r = api("agent1").act(p["id"], "route", {"departments": [org.departments[0].pk], "track": "standard",
                                             "complained_department": 999_999})
    assert r.status_code == 400 and "complained_department" in r.data["error"]["fields"], r.data


def test_the_statistics_page_offers_only_stations_whose_figures_the_user_may_see(org):
    """Actor: agent1 opening 统计: the station list holds its own station only (another is refused by
    name, as one that does not exist: the figures of every station it may see instead)."""
    from daiban.org.models import Station

    html = login("agent1").get("/staff/stats/").content.decode()
    offered = {int(v) for v in re.findall(r'<option value="(\d+)"', html)}
    own = User.objects.get(username="agent1").station_id
    assert own in offered
    for station_id in offered:
        assert login("agent1").get("/staff/stats/", {"station": station_id}).status_code == 200
    others = set(Station.objects.values_list("pk", flat=True)) - offered
    for s in others:
        page = login("agent1").get("/staff/stats/", {"station": s}).content.decode()
        assert f"代办机构取值无效（收到“{s}”）" in page


@pytest.mark.parametrize(("query", "said"), [
    ({"received_from": "2026-02-30"}, "收到日期从应为YYYY-MM-DD格式的日期（收到“2026-02-30”）"),
    ({"received_to": "abc"}, "收到日期至应为YYYY-MM-DD格式的日期（收到“abc”）"),
    ({"agent": "abc"}, "代办员取值无效（收到“abc”）"),
    ({"status": "bogus"}, "状态取值无效（收到“bogus”）"),
])
def test_a_list_filter_that_cannot_be_is_named_in_the_project_s_words(org, query, said):
    page = login("agent1").get("/staff/petitions/", query).content.decode()
    assert "以下筛选条件有误，已忽略" in page and said in page, said


def test_a_department_cannot_learn_that_another_department_s_disposition_exists_by_sharing_it(api, routed, org):
    p = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    theirs = next(d for d in p["dispositions"] if d["department"]["id"] == org.departments[1].pk)
    client = login("dept1")
    assert client.post(f"/staff/dispositions/{theirs['id']}/share/").status_code == 404
    assert client.post("/staff/dispositions/999999/share/").status_code == 404


def test_a_station_that_is_no_id_on_the_statistics_page_is_said(org):
    page = login("center").get("/staff/stats/", {"station": "abc"}).content.decode()
    assert "代办机构取值无效（收到“abc”）" in page


def test_the_unit_complained_about_is_recorded_cleared_when_stated_and_only_an_active_one(api, accepted, org):
    from daiban.org.models import Department

    p = accepted()
    a = api("agent1")
    r = a.act(p["id"], "route", {"departments": [org.departments[0].pk], "track": "multi_department",
                                 "complained_department": org.departments[0].pk})
    assert r.status_code == 200 and r.data["complained_department"]["id"] == org.departments[0].pk
    named = Event.objects.filter(petition_id=p["id"], action="route").latest("id")
    assert named.data["complained_department"] == org.departments[0].pk and "被反映单位" in named.note
    # Not stated: kept.
    r = a.act(p["id"], "route", {"departments": [org.departments[1].pk], "track": "multi_department"})
    assert r.data["complained_department"]["id"] == org.departments[0].pk
    # Stated as none: cleared, and recorded.
    r = a.act(p["id"], "route", {"departments": [org.departments[2].pk], "track": "multi_department",
                                 "complained_department": None})
    assert r.status_code == 200 and r.data["complained_department"] is None
    assert "取消被反映单位" in Event.objects.filter(petition_id=p["id"], action="route").latest("id").note
    Department.objects.filter(pk=org.departments[3].pk).update(active=False)
    r = a.act(p["id"], "route", {"departments": [org.departments[4].pk], "track": "multi_department",
                                 "complained_department": org.departments[3].pk})
    assert r.status_code == 400 and "complained_department" in r.data["error"]["fields"]


def test_a_department_does_not_learn_the_petitioner_s_other_petitions_from_the_eligibility(api, routed, org):
    """The detail hides `related` from a department; the eligibility named them (their numbers)."""
    from daiban.petitions.models import PetitionLink

    person = {"name": "乔木", "id_number": id_number(serial=81)}
    first = routed(petitioner=person, departments=[org.departments[1].pk])
    second = routed(petitioner=person, departments=[org.departments[0].pk],
                    content="我家宅基地东侧围墙被邻居拆除，请求恢复。")
    PetitionLink.objects.get_or_create(petition_id=second["id"], related_id=first["id"])
    own = api("agent1").get(f"/petitions/{second['id']}/eligibility").data["reasons"]
    assert any(r["petition_number"] == first["number"] for r in own), own  # the agent sees it
    reasons = api("dept1").get(f"/petitions/{second['id']}/eligibility")
    assert reasons.status_code == 200 and reasons.data["reasons"]
    for reason in reasons.data["reasons"]:
        assert reason["petition"] is None and reason["petition_number"] is None, reason
        assert first["number"] not in reason["message"]


def test_a_full_width_date_is_told_as_the_wrong_form_not_as_a_day_that_does_not_exist(api, org):
    r = api("center").get("/stats", **{"from": "２０２６-１１-０１"})
    assert r.status_code == 400 and "YYYY-MM-DD" in r.data["error"]["fields"]["from"], r.data
    # The pages read a day as people type it (round 13: lib.validation.typed_day); what is not a day
    # in any writing is still told as the wrong form.
    page = login("center").get("/staff/stats/", {"from": "２０２６-１１-０１"}).content.decode()
    assert 'value="2026-11-01"' in page and "YYYY-MM-DD格式" not in page
    page = login("center").get("/staff/stats/", {"from": "２０２６-１１"}).content.decode()
    assert "开始日期应为2000至2099年间YYYY-MM-DD格式的日期" in page
