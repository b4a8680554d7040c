"""The API round: one rule for what a caller may not see (404) and may not do (403), a forged or
malformed value answered 400 naming the field (never 409, never ignored), SMS within one segment at
the longest allowed names and signatures, and the README describing every response field."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern

from daiban.org.models import User
from daiban.petitions.actions import ACTIONS
from tests.factories import login, png_bytes

# --- 1. every sub-resource of a petition: 404 for who may not see it, 403 for who sees it ---------------

# A well-formed body for each petition action, so that a refusal is about who asks, never the body.
ACTION_BODIES: dict[str, dict] = {
    "screen": {"outcome": "agency", "agent_chosen_by": "designated", "notification": "written"},
    "route": {"departments": [1], "track": "standard", "proposed_handling": "请核实"},
    "determine_solution": {"determined_on": "2026-09-16"},
    "escalate": {"to": "center", "reason": "跨部门"},
    "urge": {"disposition_id": 1, "note": "请按时办理"},
    "contact": {"method": "phone", "note": "已电话联系"},
    "extend": {"days": 10, "reason": "情况复杂"},
    "conclude": {"result": "已办理"},
    "take_escalation": {"note": "签收"},
    "return_escalation": {"instructions": "请本站继续办理"},
    "reassign": {"agent_id": 2, "reason": "工作调整"},
    "feedback": {"method": "phone", "satisfaction": "satisfied"},
    "request_review": {"level": "review", "reason": "不满意"},
    "decide_review": {"upheld": False, "note": "维持"},
    "terminate": {"note": "终结"},
    "follow_up": {"note": "已回访"},
    "archive": {},
    "record_conduct": {"kind": "pestering", "note": "多次缠访"},
    "refer_judicial": {"organ": "乌审旗公安局", "note": "移送"},
}

# The other API sub-resources: (method, path after /petitions/{petition_id}) → (body, what the
# department the petition was routed to gets, what the petition's agent gets). "ok": neither 403 nor
# 404 (the answer may still be 400 or 409 for the petition's state); 403: refused by role.
API_ROUTES: dict[tuple[str, str], tuple[dict | None, str, str]] = {
    ("GET", ""): (None, "ok", "ok"),
    ("GET", "/eligibility"): (None, "ok", "ok"),
    ("GET", "/similar"): (None, "ok", "ok"),
    ("GET", "/possibly_same"): (None, "403", "ok"),
    ("GET", "/actions"): (None, "ok", "ok"),
    ("GET", "/attachments"): (None, "ok", "ok"),
    ("POST", "/attachments"): (None, "ok", "ok"),  # multipart, below
    ("GET", "/forms/agency.{fmt}"): (None, "ok", "ok"),
    ("GET", "/notices"): (None, "403", "ok"),
    ("GET", "/notices/{kind}.{fmt}"): (None, "403", "ok"),
    ("GET", "/archive.zip"): (None, "403", "ok"),
    ("POST", "/petitioner/correction"): ({"phone": "13812345678", "reason": "号码换了"}, "403", "ok"),
    ("POST", "/related/{related_id}/dismiss"): ({"reason": "不是同一事项"}, "403", "403"),
    ("POST", "/related/{related_id}/confirm"): ({"reason": "是同一事项"}, "403", "ok"),
}

# The staff pages of one petition: (method, route after petitions/<id:pk>/) → (form, department, agent).
STAFF_ROUTES: dict[tuple[str, str], tuple[dict | None, str, str]] = {
    ("GET", ""): (None, "ok", "ok"),
    ("GET", "receipt/"): (None, "403", "ok"),
    ("GET", "notes/"): (None, "403", "ok"),
    ("POST", "notes/"): ({"text": "请核实"}, "403", "ok"),
    ("GET", "messages/"): (None, "403", "ok"),
    ("POST", "undo/"): ({"reason": "点错了"}, "ok", "ok"),  # nothing to undo: said on the page
    ("POST", "petitioner/correction/"): ({"phone": "13812345678", "reason": "号码换了"}, "403", "ok"),
    # A ruling refused by role is the 403 page naming why, as the API's (and every other action of
    # the page: tests/test_http_semantics.py); never the 404 of a petition not seen.
    ("POST", "related/<id:related_id>/dismiss/"): ({"reason": "不是同一事项"}, "403", "403"),
    ("POST", "related/<id:related_id>/confirm/"): ({"reason": "是同一事项"}, "403", "ok"),
    ("GET", "forms/agency.<str:fmt>"): (None, "ok", "ok"),
    ("GET", "archive.zip"): (None, "403", "ok"),
    ("GET", "notices/<str:kind>.<str:fmt>"): (None, "403", "ok"),
    ("POST", "attachments/"): (None, "ok", "ok"),  # multipart, below
}
# The agent's kinds on its own petition: an action declared for none of them is refused (403).
AGENT_KINDS = frozenset({"case_agent", "assigned_agent", "station_agent"})
STAFF_PREFIX = "petitions/<id:pk>/"


def _api_routes() -> set[tuple[str, str]]:
    """Every (method, path) under /petitions/{petition_id}, read from the OpenAPI document."""
    from daiban.api.main import api

    prefix = "/api/v1/petitions/{petition_id}"
    found = set()
    for path, item in api.get_openapi_schema()["paths"].items():
        if path == prefix or path.startswith(prefix + "/"):
            found |= {(method.upper(), path[len(prefix):]) for method in item}
    return found


def _staff_routes() -> set[str]:
    from daiban.staff.urls import urlpatterns

    return {str(p.pattern)[len(STAFF_PREFIX):] for p in urlpatterns
            if isinstance(p, URLPattern) and str(p.pattern).startswith(STAFF_PREFIX)}


def test_the_tables_cover_every_sub_resource_route():
    """Actor: none. A route added under /petitions/{id}/ (API) or /staff/petitions/<id>/ (pages)
    must be added to the tables below, so its answers are checked for every actor."""
    actions = {("POST", f"/actions/{name}") for name in ACTIONS}
    assert _api_routes() == set(API_ROUTES) | actions
    assert set(ACTION_BODIES) == set(ACTIONS)
    assert _staff_routes() == {route for _, route in STAFF_ROUTES} | {"act/<action:action>/"}



@pytest.fixture
def case(api, new_petition, routed, org, clock):
    """A petition routed to dept1 (agent1's) and an earlier one of the same petitioner, answered at
    once; returns (petition id, earlier id)."""
    earlier = new_petition()
    answered = api("agent1").act(earlier["id"], "screen", {"outcome": "direct_reply", "reply": "已当场答复"})
    assert answered.status_code == 200, answered.data
    petition = routed()
    return petition["id"], earlier["id"]


def _fill(path: str, pid: int, related: int) -> str:
    out = path.replace("{related_id}", str(related)).replace("<id:related_id>", str(related))
    out = out.replace("{kind}", "acceptance").replace("<str:kind>", "acceptance")
    return out.replace("{fmt}", "docx").replace("<str:fmt>", "docx").replace("{petition_id}", str(pid))


def _api_call(client: Client, token: str, method: str, url: str, body: dict | None, upload: bool) -> int:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "GET":
        return client.get(url, **headers).status_code
    if upload:
        return client.post(url, {"file": _png()}, **headers).status_code
    import json

    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers).status_code


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")


def _verdict(status: int) -> str:
    return "404" if status == 404 else "403" if status == 403 else "ok"


ACTORS = ["dept1", "dept2", "agent12", "agent1"]


def _expected(actor: str, department: str, agent: str) -> str:
    """dept1: the petition was routed to it; dept2: not; agent12: another station's agent; agent1:
    the petition's agent."""
    return {"dept1": department, "agent1": agent}.get(actor, "404")


@pytest.mark.parametrize("actor", ACTORS)
def test_every_api_sub_resource_answers_one_rule(actor, case, org):
    """Actor: each of the four. Who may not see the petition gets 404 on every sub-resource, the
    same as for no petition (API.md: existence does not leak); who sees it and may not do the thing
    gets 403; who may gets neither."""
    from daiban.api.models import ApiToken

    pid, related = case
    _, token = ApiToken.issue(User.objects.get(username=actor))
    table = {**API_ROUTES, **{("POST", f"/actions/{name}"): (ACTION_BODIES[name], "403",
                                                             "ok" if act.actors & AGENT_KINDS else "403")
                              for name, act in ACTIONS.items()}}
    got, wanted = {}, {}
    for (method, path), (body, department, agent) in sorted(table.items()):
        url = "/api/v1/petitions/" + _fill("{petition_id}" + path, pid, related)
        status = _api_call(Client(), token, method, url, body, upload=path == "/attachments" and method == "POST")
        got[method, path], wanted[method, path] = _verdict(status), _expected(actor, department, agent)
    assert got == wanted


@pytest.mark.parametrize("actor", ACTORS)
def test_every_staff_page_of_a_petition_answers_the_same_rule(actor, case, org):
    """Actor: each of the four, on the staff pages of one petition (the case page, its receipt, notes,
    SMS log, documents, and every form posted from it): 404 for who may not see the petition, 403 for
    a page who sees it may not open."""
    pid, related = case
    client = login(actor)
    table = {**STAFF_ROUTES, **{("POST", f"act/{name}/"): (ACTION_BODIES[name], "403",
                                                           "ok" if act.actors & AGENT_KINDS else "403")
                                for name, act in ACTIONS.items()}}
    got, wanted = {}, {}
    for (method, route), (body, department, agent) in sorted(table.items()):
        url = f"/staff/petitions/{pid}/" + _fill(route, pid, related)
        if method == "GET":
            status = client.get(url).status_code
        else:
            status = client.post(url, {"file": _png()} if route == "attachments/" else body or {}).status_code
        got[method, route], wanted[method, route] = _verdict(status), _expected(actor, department, agent)
    assert got == wanted
    assert not re.search(r"Traceback|Server Error", client.get(f"/staff/petitions/{pid}/receipt/").content.decode())


# --- 3. a malformed number, id or date is 400 naming the field; only a well-formed stale version is 409

def _messages(response) -> str:
    """The flashed messages of a page, as text (the alerts of the base template)."""
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.parametrize("version", ["abc", "7x", -1, 1.5, True, "３"])
def test_a_malformed_version_is_400_naming_it_in_the_api_and_changes_nothing(api, routed, version, clock):
    """Actor: the petition's agent, sending a version that is no version: a typing error (400,
    fields.version), not 409 `stale`, which says someone else acted."""
    p = routed()
    answer = api("agent1").act(p["id"], "contact", {"method": "phone", "note": "已联系", "version": version})
    assert answer.status_code == 400 and "版本号" in answer.data["error"]["fields"]["version"], answer.data
    did = p["dispositions"][0]["id"]
    answer = api("dept1").act_disposition(did, "receive", {"version": version})
    assert answer.status_code == 400 and "version" in answer.data["error"]["fields"], answer.data
    assert api("agent1").get(f"/petitions/{p['id']}").data["version"] == p["version"]


def test_a_well_formed_version_is_compared_as_a_number_and_only_a_stale_one_is_409(api, routed, clock):
    """Actor: the petition's agent: the version as the detail gave it, as text or with spaces, acts;
    an older one is 409 stale."""
    p = routed()
    agent = api("agent1")
    done = agent.act(p["id"], "contact", {"method": "phone", "note": "一", "version": f" {p['version']} "})
    assert done.status_code == 200, done.data
    stale = agent.act(p["id"], "contact", {"method": "phone", "note": "二", "version": p["version"]})
    assert stale.status_code == 409 and stale.data["error"]["code"] == "stale"


@pytest.mark.parametrize("version", ["abc", "-1", "1.5", "true"])
def test_a_malformed_version_on_the_case_page_is_told_not_taken_for_someone_elses_step(routed, version, clock):
    """Actor: the petition's agent posting a form whose hidden version was tampered with (or cut):
    400 with the form open and 版本号 named, nothing recorded; the page's own version still acts."""
    from daiban.petitions.models import Petition

    p = routed()
    client = login("agent1")
    url = f"/staff/petitions/{p['id']}/act/contact/"
    refused = client.post(url, {"method": "phone", "note": "已联系", "version": version})
    assert refused.status_code == 400, refused.status_code
    assert "版本号" in refused.content.decode() and "刚被他人办理过" not in refused.content.decode()
    assert Petition.objects.get(pk=p["id"]).contacts.count() == 0
    current = Petition.objects.get(pk=p["id"]).version
    assert client.post(url, {"method": "phone", "note": "已联系", "version": f" {current}"}).status_code == 302
    stale = client.post(url, {"method": "phone", "note": "再联系", "version": str(current)})
    assert stale.status_code == 409 and "刚被他人办理过" in stale.content.decode()


def test_a_malformed_station_or_date_of_the_ledger_page_is_said_and_exports_nothing(org, clock):
    """Actor: the center, following a ledger link whose station was mistyped: not the whole ledger of
    every station (what it used to send), a message naming 代办机构."""
    response = login("center").get("/staff/ledger.xlsx", {"station": "abc"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "代办机构取值无效（收到“abc”）" in _messages(response)


@pytest.mark.parametrize(("query", "said"), [({"month": "abc"}, "月份应为YYYY-MM格式"),
                                             ({"month": "2026-09", "station": "abc"}, "代办机构取值无效")])
def test_a_malformed_month_or_station_of_the_monthly_report_is_said_not_a_404(org, clock, query, said):
    """Actor: the center downloading the monthly report with a mistyped month or station: told on the
    dashboard (it was the 404 page, as for a report that does not exist, or every station's report)."""
    response = login("center").get("/staff/stats/report.xlsx", query, follow=True)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert said in _messages(response) and "未生成月度报告" in _messages(response)


def test_a_malformed_month_or_station_of_the_roster_is_said_and_a_post_changes_nothing(org, clock):
    """Actor: the leader on duty: a view shows this month with a message; a generation aimed at a
    month that cannot be read generates nothing (it used to be the 404 page, or this month generated
    for a station that was not asked for)."""
    from daiban.staff.models import DutyDay

    duty = login("duty")
    page = duty.get("/staff/roster/", {"month": "abc"})
    assert page.status_code == 200 and "月份应为YYYY-MM格式（收到“abc”）" in _messages(page)
    page = duty.get("/staff/roster/", {"station": "abc"})
    assert page.status_code == 200 and "代办机构取值无效（收到“abc”）" in _messages(page)
    for bad in ({"month": "2026-1x", "station": org.bureau.pk}, {"month": "2026-10", "station": "x1"}):
        posted = duty.post("/staff/roster/", {**bad, "generate": "1"}, follow=True)
        assert "未保存任何修改" in _messages(posted)
    assert not DutyDay.objects.exists()
    assert duty.get("/staff/roster/", {"month": "1999-01"}).status_code == 404  # a month not kept: no page


def test_a_malformed_year_of_the_calendar_is_said_and_imports_nothing(org, clock):
    """Actor: the administrator: /staff/calendar/?year=abc shows this year with a message (it was the
    404 page); an import posted there imports nothing."""
    from daiban.workdays.models import CalendarDay

    admin = login("admin")
    page = admin.get("/staff/calendar/", {"year": "abc"})
    assert page.status_code == 200 and "年份取值无效（收到“abc”）" in _messages(page)
    before = CalendarDay.objects.count()
    posted = admin.post("/staff/calendar/?year=20x7", {"notice": "2027-02-06..2027-02-12 休 春节"}, follow=True)
    assert "未导入" in _messages(posted) and CalendarDay.objects.count() == before
    assert admin.get("/staff/calendar/", {"year": "1999"}).status_code == 404


def test_a_malformed_conduct_id_is_named_as_malformed_not_as_missing(api, routed, clock):
    """Actor: the petition's agent uploading evidence with a conduct id that is no id (the page's
    form, forged): 400 naming 行为记录 as malformed, not "不存在"."""
    from daiban.documents.services import _conduct_of
    from daiban.lib.errors import Invalid
    from daiban.petitions.models import Petition

    petition = Petition.objects.get(pk=routed()["id"])
    with pytest.raises(Invalid) as malformed:
        _conduct_of(petition, "evidence", "12a")
    assert "应为记录编号" in malformed.value.fields["conduct"]
    with pytest.raises(Invalid) as missing:
        _conduct_of(petition, "evidence", "12")
    assert "不存在" in missing.value.fields["conduct"]


# --- 2. a forged code of a value list: 400 naming the field (API), a message by the field's label (pages)

def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(("caller", "path", "params", "field", "label"), [
    ("agent1", "/petitions", {"channel": "bogus"}, "channel", "渠道"),
    ("agent1", "/petitions", {"source": "bogus"}, "source", "来源"),
    ("agent1", "/petitions", {"status": "bogus"}, "status", "状态"),
    ("agent1", "/petitions", {"status": "accepted,bogus"}, "status", "状态"),
    ("agent1", "/petitions", {"order": "bogus"}, "order", "排序"),
    ("agent1", "/petitions", {"overdue": "bogus"}, "overdue", "超期"),
    ("center", "/double_checks", {"status": "bogus"}, "status", "状态"),
    ("center", "/audit", {"action": "bogus"}, "action", "事件"),
    ("center", "/stats/breakdown", {"by": "bogus"}, "by", "分组"),
])
def test_every_value_list_filter_of_the_api_refuses_a_forged_code_by_name(api, org, caller, path, params, field,
                                                                          label):
    """Actor: a script sending a code no list has: 400 with a Chinese message naming the field
    (an unfiltered or empty list was the answer for /audit's event and /double_checks' status)."""
    answer = api(caller).get(path, **params)
    assert answer.status_code == 400, (path, params, answer.status_code)
    message = answer.data["error"]["fields"][field]
    assert _chinese(message) and label in message and label in answer.data["error"]["message"], message


def test_the_attachment_kind_is_a_value_list_with_its_default(api, routed, clock):
    """Actor: the petition's agent uploading through the API: without `kind` the file is a 文书材料
    (the documented default: it was 400 请填写类别); a forged kind is 400 naming 类别."""
    from daiban.api.models import ApiToken

    pid = routed()["id"]
    _, token = ApiToken.issue(User.objects.get(username="agent1"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/petitions/{pid}/attachments"
    made = Client().post(url, {"file": _png()}, **auth)
    assert made.status_code == 201 and made.json()["kind"] == "document", made.content
    refused = Client().post(url, {"file": _png(), "kind": "bogus"}, **auth)
    assert refused.status_code == 400 and "类别" in refused.json()["error"]["fields"]["kind"]


@pytest.mark.parametrize(("query", "label"), [
    ({"channel": "bogus"}, "渠道"), ({"source": "bogus"}, "来源"), ({"status": "bogus"}, "状态"),
    ({"status": "accepted,bogus"}, "状态"), ({"order": "bogus"}, "排序"), ({"kpi": "bogus"}, "统计口径"),
    ({"overdue": "bogus"}, "超期"),
])
def test_a_forged_code_in_the_staff_list_is_said_by_the_fields_label(org, routed, clock, query, label):
    """Actor: the petition's agent following a forged link to the list: the page names the field
    and what it received and lists without it (a list of statuses with one unknown code used to
    filter by it and show nothing, silently)."""
    p = routed()
    page = login("agent1").get("/staff/petitions/", query)
    said = _messages(page)
    assert page.status_code == 200 and f"{label}取值无效" in said, said
    assert p["number"] in page.content.decode()  # listed without the refused filter


def test_a_forged_status_of_the_double_check_list_is_said(org, clock):
    """Actor: the center: /staff/double_checks/?status=bogus says so (it showed the open ones silently)."""
    page = login("center").get("/staff/double_checks/", {"status": "bogus"})
    assert page.status_code == 200 and "状态取值无效（收到“bogus”）" in _messages(page)


def test_a_forged_event_of_the_audit_page_is_said_and_not_exported(org, clock):
    """Actor: the center: an unknown event code is said by its label (事件) on the page, which then
    lists every event; the export with it exports nothing and says why (it exported everything)."""
    center = login("center")
    page = center.get("/staff/audit/", {"action": "bogus"})
    assert page.status_code == 200 and "事件取值无效（收到“bogus”）" in _messages(page)
    export = center.get("/staff/audit.xlsx", {"action": "bogus"}, follow=True)
    assert export["Content-Type"].startswith("text/html")
    assert "未导出" in _messages(export) and "事件取值无效" in _messages(export)


@pytest.mark.parametrize(("url", "back"), [("/staff/flowchart.pdf", "/staff/flowchart/"),
                                          ("/staff/board.pdf", "/staff/board/")])
def test_a_forged_paper_size_is_said_not_printed_as_a4(org, url, back):
    """Actor: an agent printing the wall chart or the board with a size that is neither A4 nor A3."""
    response = login("agent1").get(url, {"size": "b5"})
    assert response.status_code == 302 and response.url == back
    page = login("agent1").get(url, {"size": "b5"}, follow=True)
    assert "纸张大小取值无效（收到“b5”）" in _messages(page)


def test_a_forged_share_value_is_said_and_changes_nothing(api, routed, clock):
    """Actor: the petition's agent posting the share form with a value that is neither 0 nor 1: told,
    not taken for "stop sharing"; a department that does not see the 处置单 still gets 404."""
    from daiban.petitions.models import Disposition

    p = routed()
    did = p["dispositions"][0]["id"]
    url = f"/staff/dispositions/{did}/share/"
    assert login("agent1").post(url, {"shared": "1"}).status_code == 302
    page = login("agent1").post(url, {"shared": "yes"}, follow=True)
    assert "共享设置取值无效" in _messages(page) and Disposition.objects.get(pk=did).shared is True
    assert login("dept2").post(url, {"shared": "yes"}).status_code == 404


def test_a_forged_opinion_row_is_said_by_name(api, routed, clock):
    """Actor: the leader in charge signing from the opinions queue with a row that does not exist."""
    p = routed()
    did = p["dispositions"][0]["id"]
    page = login("leader").post(f"/staff/opinions/{did}/", {"role": "bogus", "text": "同意"}, follow=True)
    said = _messages(page)
    assert page.status_code == 200 and _chinese(said) and "bogus" not in said.replace("“bogus”", ""), said


@pytest.mark.parametrize("url", ["/staff/petitions/", "/staff/audit/"])
def test_a_page_number_that_is_none_is_said(org, clock, url):
    """Actor: the center on a list with ?page=abc: the first page, saying 页码 was not a page number
    (it was shown silently, as if asked for); a page past the end still shows the last one."""
    page = login("center").get(url, {"page": "abc"})
    assert page.status_code == 200 and "页码取值无效（收到“abc”）" in _messages(page)
    assert "页码" not in _messages(login("center").get(url, {"page": "9999"}))


# --- 4. SMS: one segment each at the longest names, phones and signatures the fields allow -------------

LONGEST_SIGN = "鄂尔多斯市乌审旗信访代办"  # 12 characters: the most settings.DAIBAN_SMS_SIGNATURE allows


def _field_max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@pytest.mark.parametrize("template", ["accepted", "reassigned"])
def test_an_sms_with_the_longest_allowed_agent_name_and_phone_is_split_into_signed_segments(
        api, new_petition, org, settings, clock, template):
    """Actor: an agent whose name and office phone fill their fields (50 and 40 characters) under the
    longest signature: the petitioner gets several SMS of one segment each, each signed, cut after a
    clause, and together they say the whole message (it was one SMS of 120 characters: billed as two
    or three, and cut where the carrier chose)."""
    from daiban.notifications.models import Notification
    from daiban.notifications.services import fill, param_text
    from daiban.notifications.templates_text import SMS, SMS_MAX
    from daiban.org.models import Agent

    settings.DAIBAN_SMS_SIGNATURE = LONGEST_SIGN
    agent = org.agent2 if template == "reassigned" else org.agent1
    agent.name = ("额尔德尼巴雅尔" * 8)[:_field_max(Agent, "name")]
    agent.office_phone = ("0477-7600013转" * 4)[:_field_max(Agent, "office_phone")]
    agent.save()
    pid = new_petition()["id"]
    agent1 = api("agent1")
    assert agent1.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                                      "notification": "written"}).status_code == 200
    if template == "reassigned":
        moved = api("duty").act(pid, "reassign", {"agent_id": org.agent2.pk, "reason": "工作调整"})
        assert moved.status_code == 200, moved.data
    parts = list(Notification.objects.filter(petition_id=pid, template=template).order_by("id")
                 .values_list("body", flat=True))
    head = f"【{LONGEST_SIGN}】"
    assert len(parts) >= 2 and all(len(p) <= SMS_MAX and p.startswith(head) for p in parts), parts
    from daiban.petitions.models import Petition

    whole = fill(SMS[template], {"number": Petition.objects.get(pk=pid).number, "agent": agent.name,
                                 "agent_phone": param_text(agent.office_phone)})
    assert head + "".join(p.removeprefix(head) for p in parts) == whole
    assert parts[-1].endswith("。"), parts


def test_segments_cut_after_a_clause_and_a_clause_longer_than_a_segment_at_its_end(settings):
    """Actor: none (the rule of services.segments). Every template at the longest value of every
    field its parameters come from (a number of the 40 characters Petition.number holds, names of
    50, phones of 40, the longest signature): each part one segment, signed, nothing lost."""
    from daiban.notifications.services import fill, segments
    from daiban.notifications.templates_text import REVIEW_BY, SMS, SMS_MAX
    from daiban.org.models import Agent
    from daiban.petitions.models import Petition

    settings.DAIBAN_SMS_SIGNATURE = LONGEST_SIGN
    head = f"【{LONGEST_SIGN}】"
    longest = {"number": "W" * _field_max(Petition, "number"), "code": "C" * _field_max(Petition, "query_code"),
               "agent": "名" * _field_max(Agent, "name"), "agent_phone": "9" * _field_max(Agent, "office_phone"),
               "forward_due": "12月31日", "follow_up_due": "12月31日", "due": "12月31日", "level": "复查",
               "review_due": "12月31日", "changes": "办理期限由12月30日改为12月31日",
               "review": REVIEW_BY.format(review_due="12月31日", level="复查")}
    for template, text in SMS.items():
        body = fill(text, longest)
        parts = segments(body)
        assert all(len(p) <= SMS_MAX and p.startswith(head) for p in parts), (template, parts)
        assert head + "".join(p.removeprefix(head) for p in parts) == body, template
    assert segments(head + "短信。") == [head + "短信。"]


# --- 5. the README describes the response fields the contract does not name ---------------------------

def test_the_readme_describes_action_label_lapsed_on_and_busy():
    """Actor: none. The fields exist in the OpenAPI document (and the code in the error handler) and
    the README's API section says what each is."""
    from pathlib import Path

    from daiban.api.main import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert "action_label" in schemas["EventOut"]["properties"]
    assert "lapsed_on" in schemas["ExtensionOut"]["properties"]
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    api_part = " ".join(readme[readme.index("**Beyond API.md**"):readme.index("## The staff pages")].split())
    for said in ("`action_label`, the action's Chinese name", "carries `lapsed_on`, the day",
                 "error code `busy` (409)"):
        assert said in api_part, said


def test_a_forged_channel_of_the_intake_form_is_named_by_labels_not_codes(org, clock):
    """Actor: an agent registering with a forged channel and source (the form's select edited): the
    page names both fields and offers their labels (来信、来访…), never the codes (letter, visit…) it
    used to list; the API says the same."""
    page = login("agent1").post("/staff/intake/", {"channel": "bogus", "source": "bogus", "name": "张三",
                                                   "id_number": "11010519491231002X", "phone": "13812345678",
                                                   "content": "采砂"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "渠道的取值无效（收到“bogus”），应为来信、来访、网上、来电之一" in html and "来源的取值无效" in html
    assert not re.search(r"\b(letter|visit|hotline_12345|platform_baixing)\b、", html)
