"""One HTTP meaning across the staff pages, the portal and the API (README "Who sees what").

1. A method a URL does not take is 405 with `Allow` (a GET of a POST-only form is not "no such page"):
   every URL of the URLconf and of the OpenAPI document is enumerated, none listed by hand.
2. A form refused for the user's role is the Chinese 403 page (a fragment to htmx), as the API's 403;
   a petition the user may not see stays 404; a refusal of the state is still said on the page.
3. A choice filter's unknown value is said by the field's label on every staff list page; the API's
   400 names the field, what was received and the values allowed with their Chinese labels.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS
from daiban.petitions.models import PetitionLink
from daiban.staff.urls import urlpatterns as staff_patterns
from tests.factories import COMPLAINT, PARAPHRASE, id_number, login

pytestmark = pytest.mark.django_db

# Who to ask each page as: the first of them the page is offered to (a page a role may not use is
# the 404 page before its method is looked at: existence does not leak).
USERS = ("center", "admin", "chief", "dept1")
SAMPLE = {"id": "1", "str": "pdf", "slug": "x", "action": "contact", "disposition_action": "receive", "dc_step": "close"}



def _url(route: str, prefix: str) -> str:
    """`route` with every converter filled with a sample value (the method is looked at before the
    object: an id no object has will do)."""
    return prefix + re.sub(r"<(\w+):\w+>", lambda m: SAMPLE[m.group(1)], route)


def _staff_urls() -> list[tuple[str, URLPattern]]:
    return [(_url(str(p.pattern), "/staff/"), p) for p in staff_patterns
            if isinstance(p, URLPattern) and p.name != "not_found"]


def _offered(clients: dict[str, Client], method: str, url: str):
    """The first answer that is not the 404 page of a page not offered to the user."""
    answer = None
    for name in USERS:
        answer = clients[name].generic(method, url)
        if answer.status_code != 404:
            return answer
    return answer


@pytest.fixture
def clients(org) -> dict[str, Client]:
    return {name: login(name) for name in USERS}


def test_the_staff_urlconf_declares_its_post_only_forms():
    """Actor: none. Every page under staff_required says which methods it takes; the forms that change
    something (the case page's actions, rulings, undo, sharing, uploads, 一案双查 steps, bulk, saved
    filters, opinions, the intake check) take POST alone."""
    declared = {p.name: getattr(p.callback, "allowed_methods", None) for _, p in _staff_urls()}
    post_only = {name for name, methods in declared.items() if methods == ("POST",)}
    assert {"act", "disposition_act", "undo", "disposition_share", "link", "unlink", "petitioner_correct",
            "attachment_upload", "double_check_step", "bulk", "filter_save", "filter_delete", "opinion_sign",
            "intake_check"} <= post_only
    # The views Django's own decorators or classes guard (sign-in, the second factor, the session).
    undeclared = {name for name, methods in declared.items() if methods is None}
    assert undeclared == {"login", "logout", "otp_verify", "otp_setup", "otp_backup_codes", "password", "session_ping"}


def test_every_post_only_staff_form_answers_another_method_with_405_and_allow(clients):
    """Actor: the first user each form is offered to, sending GET, HEAD, PUT, DELETE to every POST-only
    URL of the URLconf: 405 with `Allow: POST` (it answered 404, as a page that does not exist)."""
    forms = [(url, p) for url, p in _staff_urls() if getattr(p.callback, "allowed_methods", None) == ("POST",)]
    assert len(forms) >= 14
    got = {}
    for url, _ in forms:
        for method in ("GET", "HEAD", "PUT", "DELETE"):
            answer = _offered(clients, method, url)
            got[url, method] = (answer.status_code, answer.get("Allow"))
    assert got == {key: (405, "POST") for key in got}


def test_every_staff_url_answers_a_method_it_never_takes_with_405_and_allow(clients):
    """Actor: the first user each page is offered to, sending PATCH (no page takes it) to every staff
    URL, the sign-in pages included: 405 naming the methods the page takes."""
    got = {}
    for url, pattern in _staff_urls():
        # Sign-in is asked for by who is not signed in (it sends a signed-in user on).
        answer = Client().patch(url) if pattern.name == "login" else _offered(clients, "PATCH", url)
        allow = {m.strip() for m in answer.get("Allow", "").split(",") if m.strip()}
        got[pattern.name] = answer.status_code if allow and "PATCH" not in allow else (answer.status_code, allow)
    assert got == dict.fromkeys(got, 405)


def test_a_page_takes_the_methods_it_declares(clients, org):
    """Actor: the center. A page is read with GET; a page with its own form (the roster) also takes
    POST and refuses PUT; a list is not posted to."""
    center = clients["center"]
    assert center.get("/staff/petitions/").status_code == 200
    assert center.head("/staff/petitions/").status_code == 200
    listed = center.post("/staff/petitions/")
    assert listed.status_code == 405 and listed["Allow"] == "GET, HEAD"
    roster = center.put("/staff/roster/")
    assert roster.status_code == 405 and roster["Allow"] == "GET, HEAD, POST"


def test_an_unknown_action_name_is_no_page_whatever_the_method(clients, org):
    """Actor: the center. /act/<name>/ of a name no action has is the 404 page (no such form), for GET
    and POST alike; a real action's GET is 405."""
    center = clients["center"]
    for url in ("/staff/petitions/1/act/bogus/", "/staff/dispositions/1/act/bogus/", "/staff/double_checks/1/bogus/"):
        assert center.get(url).status_code == 404, url
        assert center.post(url).status_code == 404, url
    assert set(ACTIONS) and set(DISPOSITION_ACTIONS)
    for name in ACTIONS:
        assert center.get(f"/staff/petitions/1/act/{name}/").status_code == 405, name
    for name in DISPOSITION_ACTIONS:
        assert center.get(f"/staff/dispositions/1/act/{name}/").status_code == 405, name


def test_anonymous_visitors_of_a_post_only_form_are_sent_to_sign_in(org):
    """Actor: nobody signed in: every /staff/ address sends to sign-in first (the 405 is for users)."""
    answer = Client().get("/staff/petitions/1/act/contact/")
    assert answer.status_code == 302 and answer["Location"].startswith("/staff/login/")


def test_every_portal_url_answers_a_method_it_never_takes_with_405(org):
    """Actor: a member of the public sending PATCH to every portal page: 405 with `Allow`."""
    portal = next(r for r in get_resolver().url_patterns if isinstance(r, URLResolver) and r.namespace == "portal")
    got = {}
    for p in portal.url_patterns:
        url = "/" + re.sub(r"<(\w+):\w+>", "x", str(p.pattern))
        answer = Client().generic("PATCH", url)
        got[p.name] = (answer.status_code, "PATCH" in answer.get("Allow", "PATCH"))
    assert got == dict.fromkeys(got, (405, False))
    home = Client().post("/")
    assert home.status_code == 405 and home["Allow"] == "GET, HEAD"


def test_every_api_path_answers_a_method_it_does_not_declare_with_405(api, org):
    """Actor: the center's token, on every path of the OpenAPI document, with a method the path does not
    declare: 405 with `Allow` naming those it does, the error body of API.md."""
    from daiban.api.main import api as ninja_api

    headers = api("center").headers
    paths = ninja_api.get_openapi_schema()["paths"]
    got = {}
    for path, item in paths.items():
        url = re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1).endswith("id") or m.group(1) == "year"
                     else {"fmt": "pdf", "kind": "acceptance", "number": "WS-2026-000001"}[m.group(1)], path)
        url = url.replace("/calendar/1", "/calendar/2026")
        declared = {m.upper() for m in item}
        method = "PATCH" if "PATCH" not in declared else "PUT"
        answer = Client().generic(method, url, **headers)
        allow = {m.strip() for m in answer.get("Allow", "").split(",") if m.strip()}
        body = answer.json() if answer.get("Content-Type", "").startswith("application/json") else {}
        got[path] = (answer.status_code, declared <= allow, set(body.get("error", {})) >= {"code", "message"})
    assert got == dict.fromkeys(got, (405, True, True))


# --- 2. a role refused is 403, a petition not seen 404, a state refused said on the page --------------

@pytest.fixture
def retold(settings, new_petition, routed):
    """Two petitions of one petitioner on one matter, offered as possibly the same (below the
    same-matter threshold); the later one routed to dept1. Returns (earlier id, later id)."""
    settings.DAIBAN_SAME_MATTER_THRESHOLD = 0.999
    settings.DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD = 0.2
    person = {"name": "王建国", "id_number": id_number(serial=61), "phone": "13900000061"}
    first = new_petition(petitioner=person, content=COMPLAINT)
    second = routed(petitioner=person, content=PARAPHRASE)
    return first["id"], second["id"]


def test_a_same_matter_ruling_by_a_role_that_may_not_rule_is_the_403_page(retold):
    """Actors: dept1 (the later petition was routed to it: it sees it, may not rule) confirming 认定为同一
    事项, and agent1 (may confirm, not dismiss) dismissing: the Chinese 403 page naming who may, nothing
    linked; agent12 (another station: does not see it) gets the 404 page."""
    first, second = retold
    confirm = f"/staff/petitions/{second}/related/{first}/confirm/"
    refused = login("dept1").post(confirm, {"reason": "同一地块"})
    page = refused.content.decode()
    assert refused.status_code == 403 and 'data-testid="forbidden"' in page
    assert "只有本机构代办员、领导或代办服务中心可以认定同一事项" in page and "Traceback" not in page
    dismissed = login("agent1").post(f"/staff/petitions/{second}/related/{first}/dismiss/", {"reason": "不同"})
    assert dismissed.status_code == 403
    assert "只有带班、分管、主要领导或代办服务中心可以认定不是同一事项" in dismissed.content.decode()
    assert login("agent12").post(confirm, {"reason": "同一地块"}).status_code == 404
    # The role is judged before the form: an empty reason does not turn the 403 into a message.
    assert login("dept1").post(confirm, {"reason": ""}).status_code == 403
    assert PetitionLink.objects.count() == 0


def test_a_ruling_refused_for_the_state_is_still_said_on_the_case_page(retold):
    """Actor: agent1 confirming a pair twice: the second is a state refusal (已经认定为同一事项), said on
    the case page the form came from, not a 403."""
    first, second = retold
    client = login("agent1")
    url = f"/staff/petitions/{second}/related/{first}/confirm/"
    assert client.post(url, {"reason": "同一地块"}).status_code == 302
    again = client.post(url, {"reason": "同一地块"}, follow=True)
    assert again.status_code == 200 and "已经认定为同一事项" in again.content.decode()
    assert PetitionLink.objects.count() == 1


def test_the_api_and_the_page_refuse_the_same_ruling_with_the_same_status(retold, api):
    """Actor: dept1 confirming through the API and the page: 403 both (API.md's `forbidden`)."""
    first, second = retold
    through_api = api("dept1").post(f"/petitions/{second}/related/{first}/confirm", {"reason": "同一地块"})
    assert through_api.status_code == 403 and through_api.data["error"]["code"] == "forbidden"
    empty = api("dept1").post(f"/petitions/{second}/related/{first}/confirm", {"reason": ""})
    assert empty.status_code == 403, empty.data
    assert login("dept1").post(f"/staff/petitions/{second}/related/{first}/confirm/",
                               {"reason": "同一地块"}).status_code == 403


def test_an_htmx_request_refused_by_role_gets_a_403_fragment(retold):
    """Actor: dept1 posting an internal note through htmx (the notes are the station's): 403 with a
    fragment to swap in (no page around it); without htmx the whole 403 page."""
    _, second = retold
    url = f"/staff/petitions/{second}/notes/"
    part = login("dept1").post(url, {"text": "请核实"}, HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert part.status_code == 403 and 'data-testid="forbidden"' in html and "<html" not in html
    assert "只有代办机构的工作人员可以查看和填写内部批注" in html
    whole = login("dept1").post(url, {"text": "请核实"})
    assert whole.status_code == 403 and "<html" in whole.content.decode()


def test_the_roster_and_the_calendar_refuse_a_change_by_role_with_403(org, clock):
    """Actors: agent1 generating the roster, the center importing the holiday notice: both pages are
    read by everyone, so a change by a role that may not make it is 403 naming why (it was 404)."""
    roster = login("agent1").post("/staff/roster/", {"month": "2026-10", "generate": "1"})
    assert roster.status_code == 403 and "只有领导或代办服务中心可以调整带班安排" in roster.content.decode()
    calendar = login("center").post("/staff/calendar/?year=2027", {"notice": "2027-02-06..2027-02-12 休 春节"})
    assert calendar.status_code == 403 and "只有系统管理员可以修改工作日历" in calendar.content.decode()
    assert login("agent1").get("/staff/roster/").status_code == 200


def test_a_correction_by_a_role_that_may_not_correct_is_403_whatever_the_form_holds(retold, api):
    """Actor: dept1 (sees the petition, not the petitioner in full) posting the 更正 form empty and
    filled: 403 each time, not a message about the missing reason; through the API a well-formed body
    is 403 too and an empty reason (the body's shape is read before anything: 400 stays for a body
    that lacks a field) 403 as well."""
    _, second = retold
    for body in ({}, {"reason": ""}, {"phone": "13812345678", "reason": "号码换了"}):
        page = login("dept1").post(f"/staff/petitions/{second}/petitioner/correction/", body)
        assert page.status_code == 403 and "只有承办代办员、本机构领导和代办服务中心可以更正信访人信息" in page.content.decode()
    for body in ({"phone": "13812345678", "reason": ""}, {"phone": "13812345678", "reason": "号码换了"}):
        answer = api("dept1").post(f"/petitions/{second}/petitioner/correction", body)
        assert answer.status_code == 403, answer.data


def test_a_petition_the_user_may_not_see_is_404_on_every_form(retold):
    """Actor: agent12 (another station) posting each form of a bureau petition: 404, as no petition."""
    first, second = retold
    client = login("agent12")
    for route in ("act/contact/", "undo/", "petitioner/correction/", f"related/{first}/confirm/",
                  f"related/{first}/dismiss/", "notes/", "attachments/"):
        assert client.post(f"/staff/petitions/{second}/{route}", {"reason": "x"}).status_code == 404, route


# --- 3. unknown choice values are said by the field's label ----------------------------------------

def _said(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.parametrize(("field", "label"), [
    ("category", "内容分类"), ("status", "状态"), ("channel", "渠道"), ("source", "来源"), ("station", "代办机构"),
    ("agent", "代办员"), ("department", "事权单位"), ("kpi", "统计口径"), ("order", "排序"), ("overdue", "超期"),
    ("under", "代办机构（含下级）"),
])
def test_the_petition_list_names_each_unknown_choice(org, field, label):
    """Actor: the center following a link with a forged or stale value: the list says which filter it
    left out (the category said nothing and listed no petition)."""
    for value in ("xxx", "99999"):
        said = _said(login("center").get("/staff/petitions/", {field: value}))
        assert f"{label}取值无效（收到“{value}”）" in said, (field, value, said)


def test_a_known_category_and_unclassified_are_taken(org, new_petition):
    """Actor: the center filtering by a managed category and by 未分类 (the statistics' row): no message."""
    from daiban.petitions.models import Category

    new_petition()
    name = Category.objects.values_list("name", flat=True).first()
    for value in (name, "未分类"):
        answer = login("center").get("/staff/petitions/", {"category": value})
        assert answer.status_code == 200 and "内容分类" not in _said(answer), value


@pytest.mark.parametrize(("url", "query", "said"), [
    ("/staff/double_checks/", {"status": "bogus"}, "状态取值无效（收到“bogus”）"),
    ("/staff/audit/", {"action": "bogus"}, "事件取值无效（收到“bogus”）"),
    ("/staff/stats/", {"station": "99999"}, "代办机构取值无效（收到“99999”），已按全部可见机构统计"),
    ("/staff/stats/", {"station": "abc"}, "代办机构取值无效（收到“abc”），已按全部可见机构统计"),
    ("/staff/roster/", {"station": "99999"}, "代办机构取值无效（收到“99999”），已显示本月的安排"),
])
def test_every_list_page_names_an_unknown_choice(org, url, query, said):
    """Actor: the center on each list page with a filter value that is none of its choices."""
    answer = login("center").get(url, query)
    assert answer.status_code == 200 and said in _said(answer), _said(answer)


@pytest.mark.parametrize(("url", "back"), [("/staff/ledger.xlsx", "/staff/petitions/"),
                                           ("/staff/stats/report.xlsx", "/staff/stats/")])
def test_an_export_for_an_unknown_station_exports_nothing_and_says_why(org, url, back):
    """Actor: the center exporting the ledger or the monthly report of a station id no station has:
    not an empty file nor the 404 page: back to the page, 代办机构 named."""
    answer = login("center").get(url, {"station": "99999", "month": "2026-11"}, follow=True)
    assert answer.redirect_chain and answer.redirect_chain[-1][0].startswith(back)
    assert "代办机构取值无效（收到“99999”）" in _said(answer)


def test_the_statistics_of_a_station_outside_the_users_scope_are_refused_as_an_unknown_one(org):
    """Actor: agent1 asking for 嘎鲁图镇's statistics: the same words as for no station (no leak)."""
    answer = login("agent1").get("/staff/stats/", {"station": org.galutu.pk})
    assert f"代办机构取值无效（收到“{org.galutu.pk}”）" in _said(answer)


@pytest.mark.parametrize(("path", "params", "field", "label", "allowed"), [
    ("/double_checks", {"status": "bogus"}, "status", "状态", ["open（未结束）", "closed（已结束）"]),
    ("/petitions", {"status": "bogus"}, "status", "状态", ["received（待甄别）", "archived（已归档）"]),
    ("/petitions", {"status": "received,bogus"}, "status", "状态", ["received（待甄别）"]),
    ("/petitions", {"channel": "bogus"}, "channel", "渠道", ["letter（来信）", "visit（来访）", "online（网上）", "phone（来电）"]),
    ("/petitions", {"source": "bogus"}, "source", "来源", ["self（信访人本人）", "hotline_12345（12345热线交办）"]),
    ("/petitions", {"order": "bogus"}, "order", "排序", ["-id（最新登记在前）", "due_on（办结时限由近到远）"]),
    ("/audit", {"action": "bogus"}, "action", "事件", ["login_success（登录成功）"]),
])
def test_the_api_names_the_field_and_the_allowed_values_with_their_labels(api, org, path, params, field, label,
                                                                           allowed):
    """Actor: the center with a forged value in a choice filter: 400 `invalid` in API.md's shape, the
    field named by its label, what was received, and every value it takes with its Chinese label."""
    answer = api("center").get(path, **params)
    assert answer.status_code == 400, answer.data
    error = answer.data["error"]
    assert set(answer.data) == {"error"} and set(error) == {"code", "message", "fields"} and error["code"] == "invalid"
    text = error["fields"][field]
    assert text.startswith(f"{label}的取值无效（收到“") and "，应为" in text and text.endswith("之一"), text
    assert all(value in text for value in allowed), text
    assert text in error["message"]


def test_a_choice_in_an_action_body_is_named_with_its_allowed_values(api, routed, clock):
    """Actor: agent1 sending a 联系 whose method is none of the list: 400 naming the field and listing
    the methods with their labels; nothing recorded."""
    from daiban.petitions.choices import ContactMethod

    p = routed()
    answer = api("agent1").act(p["id"], "contact", {"method": "pigeon", "note": "已联系"})
    assert answer.status_code == 400 and answer.data["error"]["code"] == "invalid", answer.data
    text = answer.data["error"]["fields"]["method"]
    assert "的取值无效（收到“pigeon”）" in text
    assert all(f"{value}（{label}）" in text for value, label in ContactMethod.choices), text


def test_an_uploads_unknown_kind_is_named_with_the_kinds(api, routed, clock):
    """Actor: agent1 uploading with a kind that is none of the list: 400 naming 类型 and the kinds."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    p = routed()
    agent = api("agent1")
    answer = agent.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                               {"file": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
                                "kind": "bogus"}, **agent.headers)
    assert answer.status_code == 400, answer.content
    text = answer.json()["error"]["fields"]["kind"]
    assert "取值无效（收到“bogus”）" in text and "document" in text and "之一" in text, text


def test_the_breakdowns_grouping_is_named_with_its_labels(api, org):
    """Actor: the center asking a breakdown by a grouping there is none of (a Literal of the API, no
    TextChoices): the same message, each grouping with its Chinese label."""
    answer = api("center").get("/stats/breakdown", by="weekday")
    assert answer.status_code == 400 and answer.data["error"]["code"] == "invalid", answer.data
    text = answer.data["error"]["fields"]["by"]
    assert "（收到“weekday”）" in text and "station（按代办机构）" in text and "status（按状态）" in text, text
