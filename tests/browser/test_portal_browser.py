"""The citizens' portal in a real browser at a phone's size (360 × 740)."""

import pytest
from playwright.sync_api import expect

from daiban.petitions.models import Petition
from tests.browser.flows import portal_case_given_feedback
from tests.factories import COMPLAINT, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def _fill(page, *, id_no):
    page.get_by_label("姓名").fill("吴十")
    page.get_by_label("身份证号").fill(id_no)
    page.get_by_label("联系电话（手机或固定电话）").fill("13612345678")
    page.get_by_label("住址").fill("乌审召镇巴音敖包嘎查")
    page.get_by_label("反映的问题及诉求").fill(COMPLAINT)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_submit_on_a_phone_and_track_with_the_code(site, org):
    page = site.page(**PHONE)
    page.goto(site.url("/"))
    _no_sideways_scroll(page)
    page.get_by_role("link", name="我要反映问题").click()
    _fill(page, id_no=id_number(serial=950))
    page.get_by_label("选择代办员（可不选，由我们指定）").select_option(str(org.agent12.pk))
    page.get_by_label("我已阅读并同意《个人信息保护告知》").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    _no_sideways_scroll(page)
    number = page.get_by_test_id("number").inner_text()
    code = page.get_by_test_id("code").inner_text()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    petition = Petition.objects.get(number=number)
    assert petition.query_code == code and petition.channel == "online"
    page.get_by_role("link", name="查询页面").click()
    expect(page.get_by_test_id("status-text")).to_have_text("已收到，正在甄别受理")
    expect(page.get_by_test_id("timeline")).to_contain_text("收到您的信访事项")
    _no_sideways_scroll(page)


def test_validation_in_chinese_keeps_input_on_a_phone(site):
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    _fill(page, id_no="150626197001011230")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_text("请阅读并同意个人信息保护告知")).to_be_visible()
    expect(page.get_by_text("身份证号校验位不正确，请核对")).to_be_visible()
    expect(page.get_by_label("反映的问题及诉求")).to_have_value(COMPLAINT)
    expect(page.get_by_label("身份证号")).to_have_attribute("aria-invalid", "true")
    assert Petition.objects.count() == 0


def test_wrong_code_is_told_plainly(site):
    page = site.page(**PHONE)
    page.goto(site.url("/track/"))
    page.get_by_label("编号").fill("WS-2026-000404")
    page.get_by_label("查询码").fill("WRONGCODE1")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("track-error")).to_have_text("编号或查询码不正确")


def test_rating_after_feedback_on_a_phone(site, api, org):
    number, code = portal_case_given_feedback(api, org, name="郑十一", serial=951, phone="13512345678",
                                              result="已为您办理不动产权证书", satisfaction="satisfied")
    page = site.page(**PHONE)
    page.goto(site.url(f"/track/{number}/?code={code}"))
    expect(page.get_by_test_id("result")).to_have_text("已为您办理不动产权证书")
    page.get_by_label("比较满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("您对办理结果作出评价")
    assert Petition.objects.get(number=number).satisfaction == "fairly_satisfied"


def test_a_photo_too_large_is_named_as_it_is_chosen_and_a_heic_photo_is_taken(site, org, settings):
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    big = settings.DAIBAN_ATTACHMENT_MAX_BYTES + 1
    page.get_by_label("附件（照片或PDF，最多5个，每个不超过10MB）").set_input_files([
        {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"0" * big},
        {"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": b"\x00\x00\x00\x18ftypheic"},
    ])
    check = page.get_by_test_id("files-check")
    expect(check).to_be_visible()
    expect(check).to_contain_text("“现场照片.jpg”有10.0MB，超过10MB")
    expect(check).not_to_contain_text("IMG_0001.HEIC")  # the server keeps a HEIC photo as JPEG
    _no_sideways_scroll(page)


def test_a_double_tap_on_submit_registers_one_petition(site, org):
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    _fill(page, id_no=id_number(serial=951))
    page.get_by_label("我已阅读并同意《个人信息保护告知》").check()
    page.get_by_role("button", name="提交").dblclick()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    assert Petition.objects.count() == 1
