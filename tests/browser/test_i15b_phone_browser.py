"""Issue 15 (faults 5, 9, 10; the query code; today's duty): every staff page of every role at 360 px
and at 1366 px in headless Chromium."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions.models import Petition
from daiban.staff import roster
from tests.browser.flows import portal_case_given_feedback
from tests.factories import id_number, petition_body

pytestmark = [pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
SIZES = {"360": PHONE, "1366": DESKTOP}

SHARED = ["/staff/", "/staff/petitions/", "/staff/roster/", "/staff/board/", "/staff/board/screen/",
          "/staff/flowchart/", "/staff/calendar/", "/staff/notices/", "/staff/account/", "/staff/password/",
          "/staff/no-such-page/", "/staff/petitions/?received_from=2026-10-01&received_to=2026-09-01",
          "/staff/running/", "/staff/double_checks/", "/staff/otp/setup/", "{case}receipt/"]
ROLE_PAGES = {
    "agent1": ["/staff/intake/", "/staff/stats/", "{case}", "{petitioner}"],
    "dept1": ["/staff/dispositions/", "{case}"],
    "leader": ["/staff/opinions/", "/staff/stats/", "{case}", "/staff/dispositions/"],
    "chief": ["/staff/opinions/", "{case}"],
    "duty": ["/staff/intake/", "{case}"],
    "center": ["/staff/audit/", "/staff/stats/", "{case}", "{petitioner}", "/staff/intake/"],
    "admin": ["/staff/audit/", "/staff/stats/", "{case}", "/staff/calendar/?year=2027"],
}


@pytest.fixture
def case(site, api, org):
    """A running case with two 处置单 (one signed for), today's roster and a notice for agent1."""
    body = petition_body(petitioner={"name": "敖其尔", "id_number": id_number(serial=615), "phone": "13912345678",
                                     "address": "嘎鲁图镇沙尔利格嘎查"})
    pk = api("agent1").post("/petitions", body).data["id"]
    agent = api("agent1")
    agent.act(pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    routed = agent.act(pk, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                     "track": "standard", "proposed_handling": "请核实补偿款发放情况"})
    api("dept1").act_disposition(routed.data["dispositions"][0]["id"], "receive", {})
    today = datetime.date.today()
    for station in {u.station for u in User.objects.exclude(station=None)}:
        roster.generate_month(station, today.year, today.month)
    petition = Petition.objects.get(pk=pk)
    return {"pk": pk, "petitioner": petition.petitioner_id, "number": petition.number, "code": petition.query_code}


def _urls(username: str, case: dict) -> list[str]:
    pages = SHARED + ROLE_PAGES[username]
    return list(dict.fromkeys(
        u.format(case=f"/staff/petitions/{case['pk']}/", petitioner=f"/staff/petitioners/{case['petitioner']}/")
        for u in pages))


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_no_staff_page_scrolls_sideways(site, case, username, size):
    page = site.login(username, **SIZES[size])
    too_wide = []
    for url in _urls(username, case):
        response = page.goto(site.url(url))
        # 403: a part of a case the role sees but may not use (a department and the receipt); its
        # page must fit as well as any other.
        assert response is not None and response.status in (200, 403, 404), (url, response and response.status)
        if not _fits(page):
            too_wide.append((url, page.evaluate("document.documentElement.scrollWidth")))
    assert too_wide == []


def test_lists_are_cards_on_a_phone_and_tables_on_a_desktop(site, case):
    phone = site.login("agent1", **PHONE)
    phone.goto(site.url("/staff/petitions/"))
    table = phone.locator("table.table-cards").first
    expect(table.locator("thead")).to_be_hidden()
    row = table.locator("tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert row.locator("td").nth(1).get_attribute("data-label") == "信访人"
    deadline = row.locator("td").last
    box = deadline.bounding_box()
    assert box is not None and box["width"] > 200  # a labelled line, not one character per line
    desktop = site.login("agent1", **DESKTOP)
    desktop.goto(site.url("/staff/petitions/"))
    expect(desktop.locator("table.table-cards thead").first).to_be_visible()
    assert desktop.locator("table.table-cards tbody tr").first.evaluate("r => getComputedStyle(r).display") == "table-row"
    dept = site.login("dept1", **PHONE)
    dept.goto(site.url("/staff/dispositions/"))
    assert dept.locator("table.table-cards tbody tr").first.evaluate("r => getComputedStyle(r).display") == "block"


def test_case_page_puts_the_actions_first_on_a_phone(site, case):
    url = site.url(f"/staff/petitions/{case['pk']}/")
    phone = site.login("agent1", **PHONE)
    phone.goto(url)
    actions = phone.locator("#h-actions").bounding_box()
    petitioner = phone.locator("#h-petitioner").bounding_box()
    dispositions = phone.locator("#h-dispositions").bounding_box()
    assert actions and petitioner and dispositions
    assert actions["y"] < petitioner["y"] < dispositions["y"]
    assert actions["y"] < 400  # in the first screen, under the title
    title = phone.locator("h1").bounding_box()
    assert title and actions["y"] - (title["y"] + title["height"]) >= 12  # with room between, not on it
    desktop = site.login("agent1", **DESKTOP)
    desktop.goto(url)
    actions = desktop.locator("#h-actions").bounding_box()
    petitioner = desktop.locator("#h-petitioner").bounding_box()
    assert actions and petitioner and actions["x"] > petitioner["x"] + 400  # beside, on the right


def test_touch_targets_are_large_on_a_phone(site, case):
    page = site.login("agent1", **PHONE)
    small = []
    for url in [f"/staff/petitions/{case['pk']}/", "/staff/petitions/", "/staff/intake/", "/staff/roster/"]:
        page.goto(site.url(url))
        small += page.evaluate("""() => Array.from(document.querySelectorAll(
              'main .btn, main input.form-control, main select, main .page-link, main summary'))
            .filter(el => el.offsetParent !== null)
            .filter(el => el.getBoundingClientRect().height < 44)
            .map(el => location.pathname + ' ' + (el.textContent.trim() || el.name || el.id).slice(0, 20))""")
    assert small == []


def test_attachments_can_be_photographed(site, case):
    page = site.login("agent1", **PHONE)
    page.goto(site.url(f"/staff/petitions/{case['pk']}/"))
    photo = page.locator('input[type=file][capture]')
    expect(photo).to_have_count(1)
    assert photo.get_attribute("accept") == "image/*"
    expect(page.get_by_label("或用手机拍照")).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_calendar_colours_render(site, size):
    page = site.login("agent1", **SIZES[size])
    page.goto(site.url("/staff/calendar/?year=2026"))
    colour = lambda kind: page.locator(f"td[data-kind={kind}]").first.evaluate(  # noqa: E731
        "td => getComputedStyle(td).backgroundColor")
    assert colour("holiday") == "rgb(248, 215, 218)"
    assert colour("makeup") == "rgb(255, 243, 205)"
    assert colour("weekend") == "rgb(238, 240, 242)"


@pytest.mark.parametrize("size", list(SIZES))
def test_phone_numbers_stay_on_one_line(site, size):
    page = site.login("agent1", **SIZES[size])
    page.goto(site.url("/staff/board/"))
    lines = page.evaluate("() => Array.from(document.querySelectorAll('.phone')).map(el => el.getClientRects().length)")
    assert lines and set(lines) == {1}
    portal = site.page(**SIZES[size])
    portal.goto(site.url("/"))
    lines = portal.evaluate("() => Array.from(document.querySelectorAll('.phone')).map(el => el.getClientRects().length)")
    assert lines and set(lines) == {1}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("username", ["agent1", "dept1", "leader", "duty", "center", "admin"])
def test_every_workbench_names_todays_duty(site, case, username, size):
    page = site.login(username, **SIZES[size])
    box = page.get_by_test_id("duty-today")
    expect(box).to_be_visible()
    if username in ("center", "dept1", "admin"):
        # No roster of their own (roster.on_duty): each service station's duty today, not the center's "未安排".
        expect(box.get_by_test_id("duty-station").first).to_be_visible()
        expect(box).not_to_contain_text("旗信访代办服务中心")
    elif datetime.date.today().weekday() < 5:
        expect(box.get_by_test_id("duty-leader")).not_to_have_text("")
        expect(box.get_by_test_id("duty-receptionist")).not_to_have_text("")
    expect(page.get_by_test_id("whoami")).not_to_contain_text("带班领导（带班领导）")


@pytest.mark.parametrize("size", list(SIZES))
def test_opening_a_notice_marks_it_read(site, case, size):
    user = User.objects.get(username="agent1")
    Notification.objects.filter(recipient=user).update(state="read")
    Notification.objects.create(channel="in_app", template="t", recipient=user, body="请尽快联系信访人",
                                state="sent", petition_id=case["pk"])
    page = site.login("agent1", **SIZES[size])
    expect(page.get_by_test_id("unread")).to_have_text("1")
    page.goto(site.url("/staff/notices/"))
    page.get_by_role("link", name="请尽快联系信访人").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    expect(page.get_by_test_id("unread")).to_have_count(0)


@pytest.mark.parametrize("size", list(SIZES))
def test_impossible_date_range_gives_a_message(site, size):
    page = site.login("center", **SIZES[size])
    page.goto(site.url("/staff/petitions/?received_from=2026-10-01&received_to=2026-09-01"))
    expect(page.get_by_role("alert")).to_contain_text("结束日期不能早于开始日期")
    page.goto(site.url("/staff/audit/?from=2026-10-01&to=2026-09-01"))
    expect(page.get_by_role("alert")).to_contain_text("结束日期不能早于开始日期")


@pytest.mark.parametrize("size", list(SIZES))
def test_forbidden_staff_page_is_a_chinese_404(site, size):
    page = site.login("agent1", **SIZES[size])
    response = page.goto(site.url("/staff/dispositions/"))
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("not-found")).to_contain_text("页面不存在")
    assert _fits(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_qr_link_carries_the_code_in_the_fragment_and_the_page_keeps_it_out_of_the_url(site, case, size):
    page = site.page(**SIZES[size])
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site.url(f"/track/{case['number']}/#code={case['code']}"))
    expect(page.get_by_test_id("status-text")).to_be_visible()
    assert case["code"] not in page.url
    assert not [u for u in requested if case["code"] in u]
    assert _fits(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_portal_thanks_after_a_rating(site, api, org, size):
    number, code = portal_case_given_feedback(api, org, name="郑十二", serial=652, phone="13512345678",
                                              result="已为您办理", satisfaction="satisfied")
    page = site.page(**SIZES[size])
    page.goto(site.url("/track/"))
    page.get_by_label("编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    assert code not in page.url
    page.get_by_label("比较满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("alert")).to_contain_text("感谢您的评价")
    assert _fits(page)
