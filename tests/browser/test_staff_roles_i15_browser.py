"""Issue 15, faults 1–4 and 6, in a real browser at 1366 px and at 360 px: the department's form at
once and only its own work; each card's own date and days left in colour; irreversible steps ask
(and a mistaken 终结 can be taken back); the screening form shows one outcome's fields."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from daiban.petitions.models import Petition
from tests.browser.flows import portal_case_given_feedback

pytestmark = [pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param({"width": 1366, "height": 900}, id="1366"), pytest.param({"width": 360, "height": 740}, id="360")]


def _concluded(api, routed, org, *, satisfaction: str = "satisfied") -> int:
    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    d1, d2 = (d["id"] for d in petition["dispositions"])
    api("dept1").act_disposition(d1, "result", {"result": "甲单位答复：补偿款已发放"})
    api("dept2").act_disposition(d2, "result", {"result": "乙单位答复：林地界线已核实"})
    api("agent1").act(petition["id"], "conclude", {"result": "综合答复：均已办理"})
    api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": satisfaction})
    return petition["id"]


@pytest.mark.parametrize("size", WIDTHS)
def test_a_department_goes_from_its_queue_to_its_form_and_sees_only_its_own(site, api, routed, org, size):
    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    d1, d2 = (d["id"] for d in petition["dispositions"])
    api("dept1").act_disposition(d1, "receive")
    api("dept2").act_disposition(d2, "result", {"result": "乙单位答复：林地界线已核实"})
    page = site.login("dept1", **size)
    page.goto(site.url("/staff/dispositions/"))
    expect(page.get_by_test_id("due-left").first).to_have_text(re.compile(r"剩余\d+个工作日"))
    page.get_by_role("link", name="填写处理结果").click()
    form = page.locator(f'#disposition-{d1} details[data-action="result"]')
    expect(form.get_by_label("处理结果")).to_be_visible()  # unfolded: no box to find first
    expect(page.get_by_test_id("no-actions")).to_have_count(0)
    # Its own 处置单 starts the page, above the petitioner's card.
    own = page.locator(f"#disposition-{d1}").bounding_box()
    assert own is not None and own["y"] < page.locator("#h-petitioner").bounding_box()["y"]
    body = page.locator("main").inner_text()
    assert "林地界线" not in body and org.departments[1].name not in body
    form.get_by_label("处理结果").fill("补偿款已发放到位")
    form.get_by_role("button", name="填写处理结果").click()
    expect(page.get_by_test_id("disposition-result")).to_have_text("补偿款已发放到位")
    expect(page.locator(".alert-success")).to_contain_text("已填写处理结果")


@pytest.mark.parametrize("size", WIDTHS)
def test_each_card_shows_its_own_date_and_the_days_left(site, api, routed, org, size):
    pid = _concluded(api, routed, org, satisfaction="dissatisfied")
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": "补偿标准仍未落实"}).status_code == 200
    p = Petition.objects.get(pk=pid)
    answer = p.reviews.get().answer_due_on
    page = site.login("center", **size)
    card = page.locator('[data-card="reviews"]')
    expect(card.get_by_test_id("card-date").first).to_have_text(f"答复时限 {answer:%Y-%m-%d}")
    left = card.get_by_test_id("due-left").first
    expect(left).to_have_text(re.compile(r"剩余\d+日"))  # the regulation's 30 days are calendar days
    expect(left).to_have_class(re.compile(r"text-(success|warning)-emphasis"))
    # In colour: not the body's text colour.
    assert left.evaluate("e => getComputedStyle(e).color") != page.evaluate("getComputedStyle(document.body).color")


@pytest.mark.parametrize("size", WIDTHS)
def test_terminate_asks_first_and_can_be_taken_back(site, api, routed, org, size):
    pid = _concluded(api, routed, org)
    page = site.login("agent1", **size)
    page.goto(site.url(f"/staff/petitions/{pid}/"))
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    block = page.locator('details[data-action="terminate"]')
    block.locator("summary").click()
    block.get_by_role("button", name="终结").click()
    expect(page.get_by_test_id("status")).to_have_text("已反馈")
    assert questions and "终结后进入回访，15日内回访" in questions[0]
    assert Petition.objects.get(pk=pid).status == "feedback_given"
    page.once("dialog", lambda d: d.accept())
    block.get_by_role("button", name="终结").click()
    expect(page.get_by_test_id("status")).to_have_text("已终结")
    expect(page.locator(".alert-success")).to_contain_text("请于")
    undo = page.get_by_test_id("undo")
    undo.get_by_label("撤销理由").fill("误点终结")
    page.once("dialog", lambda d: d.accept())
    undo.get_by_role("button", name="撤销").click()
    expect(page.get_by_test_id("status")).to_have_text("已反馈")
    expect(page.get_by_test_id("timeline")).to_contain_text("撤销上一步")


@pytest.mark.parametrize("size", WIDTHS)
def test_the_screening_form_shows_one_outcomes_fields_and_says_what_was_done(site, api, new_petition, size):
    petition = new_petition()
    page = site.login("agent1", **size)
    page.goto(site.url(f"/staff/petitions/{petition['id']}/"))
    block = page.locator('details[data-action="screen"]')
    block.locator("summary").click()
    expect(block.get_by_label("代办员", exact=True)).to_be_hidden()
    expect(block.get_by_label("不予代办原因")).to_be_hidden()
    block.get_by_label("无法直接答复的，受理代办").check()
    expect(block.get_by_label("代办员", exact=True)).to_be_visible()
    expect(block.get_by_label("答复内容 / 解释说明")).to_be_hidden()
    block.get_by_label("不予代办", exact=True).check()
    expect(block.get_by_label("代办员", exact=True)).to_be_hidden()
    expect(block.get_by_label("不予代办原因")).to_be_visible()
    block.get_by_label("不予代办原因").select_option("judicial")
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    block.get_by_role("button", name="甄别受理").click()
    expect(page.get_by_test_id("status")).to_have_text("不予代办")
    assert questions and "不予代办" in questions[0]
    expect(page.locator(".alert-success")).to_have_text(re.compile("已决定不予代办"))
    expect(page.locator(".alert-success")).not_to_contain_text("已甄别受理")
    expect(page.get_by_test_id("category")).to_be_visible()


@pytest.mark.parametrize("size", WIDTHS)
def test_the_urging_form_has_no_preselected_department(site, routed, org, size):
    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    page = site.login("agent1", **size)
    page.goto(site.url(f"/staff/petitions/{petition['id']}/"))
    block = page.locator('details[data-action="urge"]')
    block.locator("summary").click()
    expect(block.get_by_label("催办的处置单")).to_have_value("")
    block.get_by_role("button", name="催办").click()
    expect(page.locator(".alert-danger")).to_contain_text("请选择")
    assert not Petition.objects.get(pk=petition["id"]).dispositions.filter(urgings__isnull=False).exists()


@pytest.mark.parametrize("size", WIDTHS)
def test_the_portal_asks_before_a_review_request(site, api, org, size):
    number, code = portal_case_given_feedback(api, org, name="郑十二", serial=952, phone="13512345679",
                                              result="已办理", satisfaction="dissatisfied")
    page = site.page(**size)
    page.goto(site.url(f"/track/{number}/?code={code}"))
    questions: list[str] = []
    page.get_by_test_id("review-reason").fill("补偿款仍未到位")
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.get_by_test_id("request-review").click()
    page.wait_for_timeout(300)
    assert questions and "30日内" in questions[0] and "不能撤回" in questions[0]
    assert Petition.objects.get(number=number).status == "feedback_given"
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("request-review").click()
    expect(page.get_by_test_id("request-review")).to_have_count(0)
    assert Petition.objects.get(number=number).status == "under_review"
