"""The staff back office in a real browser (headless Chromium)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, PARAPHRASE, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]

ROLE_CARDS = {
    "agent1": "待甄别受理", "duty": "待甄别受理", "leader": "待我签署意见的处置单", "chief": "待我签署意见的处置单",
    "dept1": "待签收、待办理的处置单", "center": "待决定的复查复核", "admin": "待决定的复查复核",
}


@pytest.mark.parametrize("username", list(ROLE_CARDS))
def test_each_role_logs_in_to_its_workbench(site, username):
    page = site.login(username)
    expect(page.get_by_role("heading", name=re.compile("工作台"))).to_be_visible()
    expect(page.get_by_role("heading", name=ROLE_CARDS[username])).to_be_visible()


def _intake(page, site, *, id_no: str, content: str = COMPLAINT, name: str = "王五") -> None:
    page.goto(site.url("/staff/intake/"))
    page.get_by_label("渠道").select_option("visit")
    page.get_by_label("来源").select_option("self")
    page.get_by_label("信访人姓名").fill(name)
    page.get_by_label("身份证号").fill(id_no)
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("反映的问题及诉求").fill(content)
    page.get_by_role("button", name="保存登记").click()
    expect(page.get_by_test_id("status")).to_have_text("待甄别")


def _act(page, action: str, fill=None, button: str | None = None, timeout: float | None = None) -> None:
    block = page.locator(f'details[data-action="{action}"]').first
    if not block.evaluate("e => e.open"):  # a department's own form comes unfolded
        block.locator("summary").click()
    if fill:
        fill(block)
    block.locator("button[type=submit]").click(timeout=timeout)


def test_a_case_from_intake_to_archive_entirely_through_the_pages(site, org):
    agent = site.login("agent1")
    agent.on("dialog", lambda dialog: dialog.accept())  # 终结 and 整理归档 ask first
    _intake(agent, site, id_no=id_number(serial=401))
    case_url = agent.url
    _act(agent, "screen", lambda b: (
        b.get_by_label("无法直接答复的，受理代办").check(),
        b.get_by_label("代办员", exact=True).select_option(str(org.agent1.pk)),
        b.get_by_label("指定代办员").check(), b.get_by_label("书面告知").check()))
    expect(agent.get_by_test_id("status")).to_have_text("已受理代办")
    _act(agent, "route", lambda b: (
        b.get_by_label("事权单位（可多选）").select_option(str(org.departments[0].pk)),
        b.get_by_label("一般事项（15个工作日）").check(),
        b.get_by_label("拟办意见").fill("请核实补偿款发放情况")))
    expect(agent.get_by_test_id("status")).to_have_text("办理中")
    expect(agent.get_by_test_id("due-on")).to_contain_text("还剩")

    dept = site.login("dept1")
    dept.goto(site.url("/staff/dispositions/"))
    dept.get_by_role("button", name="签收").click()
    expect(dept.get_by_role("cell", name="已签收")).to_be_visible()

    leader = site.login("leader")
    leader.goto(site.url("/staff/opinions/"))
    leader.get_by_label("分管领导处理意见").fill("请不动产登记中心限期核实")
    leader.get_by_role("button", name="签署").click()
    expect(leader.get_by_test_id("signed")).to_contain_text("请不动产登记中心限期核实")
    chief = site.login("chief")
    chief.goto(site.url("/staff/opinions/"))
    chief.get_by_role("button", name="同意").click()
    expect(chief.get_by_test_id("signed")).to_contain_text("同意")

    dept.goto(case_url)
    _act(dept, "result", lambda b: b.get_by_label("处理结果").fill("补偿款已发放到位"))
    expect(dept.get_by_test_id("disposition-result")).to_have_text("补偿款已发放到位")

    agent.goto(case_url)
    expect(agent.get_by_test_id("leader-opinion")).to_have_text("请不动产登记中心限期核实")
    expect(agent.get_by_test_id("principal-instruction")).to_have_text("同意")
    _act(agent, "conclude", lambda b: b.get_by_label("代理结果").fill("经协调补偿款已全额发放"))
    expect(agent.get_by_test_id("status")).to_have_text("已办结")
    _act(agent, "feedback", lambda b: (b.get_by_label("电话").check(), b.get_by_label("满意", exact=True).check()))
    expect(agent.get_by_test_id("status")).to_have_text("已反馈")
    _act(agent, "terminate", lambda b: b.get_by_label("终结说明", exact=True).fill("群众满意"))
    expect(agent.get_by_test_id("status")).to_have_text("已终结")
    _act(agent, "follow_up", lambda b: b.get_by_label("回访情况").fill("群众表示满意，无反弹"))
    expect(agent.get_by_test_id("status")).to_have_text("已回访")
    # The case file (a dozen PDFs) is built and frozen within the request until the background
    # worker takes it over: on a loaded machine that is longer than the default 10 s.
    _act(agent, "archive", timeout=90_000)
    expect(agent.get_by_test_id("status")).to_have_text("已归档")
    expect(agent.get_by_test_id("no-actions")).to_be_visible()
    assert Petition.objects.get().status == "archived"
    # The case file is built by the worker, not by the click: the page says so until it is ready.
    expect(agent.get_by_test_id("archive-state")).to_have_attribute("data-status", "building")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
    agent.reload()
    expect(agent.get_by_test_id("archive-state")).to_have_attribute("data-status", "ready")


def test_a_department_cannot_open_another_departments_case(site, routed):
    petition = routed()
    page = site.login("dept2")
    response = page.goto(site.url(f"/staff/petitions/{petition['id']}/"))
    assert response.status == 404
    own = site.login("dept1")
    assert own.goto(site.url(f"/staff/petitions/{petition['id']}/")).status == 200
    expect(own.get_by_test_id("id-number")).to_contain_text("已脱敏")


def test_a_repeat_shows_at_intake_before_saving(site, accepted):
    person = id_number(serial=402)
    first = accepted(petitioner={"id_number": person}, content=COMPLAINT)
    page = site.login("agent1")
    page.goto(site.url("/staff/intake/"))
    page.get_by_label("身份证号").fill(person)
    page.get_by_label("反映的问题及诉求").fill(PARAPHRASE)
    expect(page.get_by_test_id("not-eligible")).to_be_visible()
    expect(page.get_by_test_id("earlier")).to_contain_text(first["number"])
    expect(page.get_by_test_id("earlier")).to_contain_text("同一事项")


def test_on_a_phone_the_repeat_check_comes_before_the_save_button(site, accepted):
    """At 360 px the page is one column: the check must be read before 保存登记, not after it."""
    person = id_number(serial=403)
    accepted(petitioner={"id_number": person}, content=COMPLAINT)
    page = site.login("agent1", width=360, height=740)
    page.goto(site.url("/staff/intake/"))
    page.get_by_label("身份证号").fill(person)
    page.get_by_label("反映的问题及诉求").fill(PARAPHRASE)
    expect(page.get_by_test_id("not-eligible")).to_be_visible()
    check = page.locator("#repeat-check").bounding_box()
    button = page.get_by_role("button", name="保存登记").bounding_box()
    content = page.get_by_label("反映的问题及诉求").bounding_box()
    assert content["y"] < check["y"] < button["y"], (content, check, button)


def test_validation_errors_keep_the_input(site):
    page = site.login("agent1")
    page.goto(site.url("/staff/intake/"))
    page.get_by_label("渠道").select_option("letter")
    page.get_by_label("来源").select_option("village")
    page.get_by_label("信访人姓名").fill("赵六")
    page.get_by_label("身份证号").fill("150626197001011230")
    page.get_by_label("联系电话").fill("123")
    page.get_by_label("反映的问题及诉求").fill("宅基地确权问题")
    page.get_by_role("button", name="保存登记").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_text("身份证号校验位不正确，请核对")).to_be_visible()
    expect(page.get_by_label("信访人姓名")).to_have_value("赵六")
    expect(page.get_by_label("反映的问题及诉求")).to_have_value("宅基地确权问题")
    expect(page.get_by_label("来源")).to_have_value("village")
    expect(page.get_by_label("身份证号")).to_have_attribute("aria-invalid", "true")
    assert Petition.objects.count() == 0


def test_two_users_at_once_the_second_sees_a_clear_message(site, routed):
    petition = routed()
    url = site.url(f"/staff/petitions/{petition['id']}/")
    first, second = site.login("agent1"), site.login("center")
    first.goto(url)
    second.goto(url)
    _act(first, "escalate", lambda b: (b.get_by_label("旗信访代办服务中心（本站无法解决）").check(),
                                        b.get_by_label("上报理由").fill("本站无法协调")))
    expect(first.get_by_test_id("status")).to_have_text("已上报")
    _act(second, "contact", lambda b: b.get_by_label("电话").check())
    expect(second.get_by_role("alert").first).to_contain_text("刚被他人办理过")
    expect(second.get_by_test_id("status")).to_have_text("已上报")


def test_pages_fit_a_360_pixel_phone(site, routed):
    petition = routed()
    page = site.login("agent1", width=360, height=740)
    for path in ["/staff/", f"/staff/petitions/{petition['id']}/", "/staff/petitions/", "/staff/intake/"]:
        page.goto(site.url(path))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)


def test_login_by_keyboard_and_throttled_failures(site):
    page = site.page()
    page.goto(site.url("/staff/login/"))
    page.locator("body").click(position={"x": 1, "y": 1})
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.get_by_label("用户名").focus()
    page.keyboard.type("agent2")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    for _ in range(5):
        page.get_by_label("密码").fill("wrong")
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("登录失败次数过多")


def test_on_a_phone_the_list_shows_petitions_before_the_whole_filter_form(site, accepted):
    """At 360 px only the search box is open; the other filters fold under 更多筛选条件 (open once one
    of them is set), so the first petitions are on the first screen."""
    petition = accepted()
    page = site.login("agent1", width=360, height=740)
    page.goto(site.url("/staff/petitions/"))
    expect(page.get_by_label("搜索")).to_be_visible()
    expect(page.get_by_label("状态")).to_be_hidden()
    assert page.get_by_text(petition["number"]).first.bounding_box()["y"] < 740
    page.get_by_text("更多筛选条件").click()
    page.get_by_label("状态").select_option("accepted")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 件")
    expect(page.get_by_label("状态")).to_be_visible()


def test_list_filters_through_the_form(site, accepted, new_petition):
    accepted()
    new_petition(petitioner={"name": "孙七"})
    page = site.login("agent1")
    page.goto(site.url("/staff/petitions/"))
    expect(page.get_by_test_id("result-count")).to_have_text("共 2 件")
    page.get_by_label("状态").select_option("accepted")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 件")
    page.goto(site.url("/staff/petitions/"))
    page.get_by_label("搜索").fill("孙七")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 件")


def test_duty_roster_is_generated_and_prints_without_controls(site):
    page = site.login("duty")
    page.goto(site.url("/staff/roster/?month=2026-10"))
    page.get_by_role("button", name="按轮换生成本月安排").click()
    expect(page.get_by_test_id("roster").locator("tbody tr")).to_have_count(18)  # October 2026: 国庆 off, Saturday 10-10 worked
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="按轮换生成本月安排")).to_be_hidden()


def test_agent_board_and_large_screen(site):
    page = site.login("agent1")
    page.goto(site.url("/staff/board/"))
    expect(page.get_by_test_id("full-time").locator("[data-agent]")).to_have_count(5)
    expect(page.get_by_test_id("part-time").locator("[data-agent]")).to_have_count(8)
    page.goto(site.url("/staff/board/screen/"))
    expect(page.locator("[data-agent]")).to_have_count(13)


def test_flowchart_and_calendar_pages(site):
    page = site.login("agent1")
    page.goto(site.url("/staff/flowchart/"))
    expect(page.locator('[data-node="received"]')).to_be_visible()
    expect(page.get_by_test_id("flowchart")).to_contain_text("无法直接答复的")
    page.goto(site.url("/staff/calendar/?year=2026"))
    expect(page.locator('td[data-date="2026-10-01"]')).to_contain_text("休")
    expect(page.locator('td[data-date="2026-09-20"]')).to_contain_text("班")
