"""Round twelve in Chromium: the portal on a cheap phone.

- buttons that need script are shown only where it ran; the form works without it;
- no portal page scrolls sideways at 320 px with text at 200 % (browser zoom, or the phone's font size);
- the flowchart is readable at 360 px, in a box of its own that scrolls;
- a phone camera's photo over 2 MB is made smaller before it is sent.
"""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import expect

from daiban.documents.models import Attachment
from daiban.documents.storage import attachment_bytes
from tests.browser.flows import portal_case_given_feedback
from tests.factories import COMPLAINT, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _fill(page, serial: int) -> None:
    page.locator("#id_name").fill("巴特尔")
    page.locator("#id_id_number").fill(id_number(serial=serial))
    page.locator("#id_phone").fill("电话：139 1234 5678")
    page.locator("#id_content").fill(COMPLAINT)
    page.locator("#id_consent").check()


# --- 4. what needs script is shown only where script runs ------------------------------------------

def test_without_script_no_button_that_needs_it_is_shown_and_the_form_still_works(site, browser, api, org):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url("/submit/"))
        _fill(page, 131)
        page.get_by_role("button", name="提交", exact=True).last.click()
        expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
        expect(page.get_by_test_id("number")).to_be_visible()
        assert page.get_by_role("button", name="复制编号").count() == 0
        assert page.get_by_role("button", name="复制编号和查询码").count() == 0
        # A message (the thanks for a rating) without a close button that cannot close it.
        number, code = portal_case_given_feedback(api, org, name="乌力吉", serial=132, phone="13812345678",
                                                  result="已办结", satisfaction="understanding")
        page.goto(site.url("/track/"))
        page.locator("#number").fill(number)
        page.locator("#code").fill(code)
        page.get_by_role("button", name="查询", exact=True).last.click()
        page.get_by_label("满意", exact=True).check()
        page.get_by_role("button", name="提交评价").click()
        expect(page.get_by_text("感谢您的评价")).to_be_visible()
        assert page.get_by_role("button", name="关闭").count() == 0
    finally:
        context.close()


def test_with_script_the_copy_buttons_copy(site, browser, org):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)
    try:
        page = context.new_page()
        page.goto(site.url("/submit/"))
        _fill(page, 133)
        page.get_by_role("button", name="提交", exact=True).last.click()
        expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
        number = page.get_by_test_id("number").inner_text()
        code = page.get_by_test_id("code").inner_text()
        page.get_by_role("button", name="复制编号和查询码").click()
        expect(page.get_by_role("button", name="已复制")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == f"编号 {number} 查询码 {code}"
    finally:
        context.close()


# --- 8. the flowchart on a phone ------------------------------------------------------------------

def test_the_flowchart_is_readable_at_360_px_and_scrolls_in_its_own_box(site, org):
    page = site.page(**PHONE)
    page.goto(site.url("/"))
    page.locator("summary", has_text="查看流程图").click()
    box = page.locator("main .flowchart")
    expect(box).to_be_visible()
    # Its text as large as the page's small print (it was 4 px, the chart shrunk to the screen).
    smallest = page.evaluate("""() => Math.min(...Array.from(document.querySelectorAll("main .flowchart text"))
        .map(t => t.getBoundingClientRect().height))""")
    assert smallest >= 12, smallest
    # Wider than the screen inside its box, which scrolls; the page does not.
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    inside = box.evaluate("b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX]")
    assert inside[0] > inside[1] and inside[2] == "auto", inside
    before = box.evaluate("b => b.scrollLeft")
    box.evaluate("b => b.scrollBy(400, 0)")
    assert box.evaluate("b => b.scrollLeft") > before
    assert page.evaluate("window.scrollX") == 0


# --- 7. a phone camera's photo over 2 MB is made smaller before it is sent --------------------------

def _photo(width: int, height: int) -> bytes:
    """A JPEG as a phone camera makes it (noise does not compress: about 1.9 bytes a pixel at quality 100)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "JPEG", quality=100)
    return buffer.getvalue()


def test_a_photo_over_2_mb_is_made_smaller_before_it_is_sent(site, org, settings):
    from PIL import Image

    data = _photo(3000, 1000)  # about 5 MB: under the 10 MB limit, minutes over a slow line
    assert 2 * 1024 * 1024 < len(data) < settings.DAIBAN_ATTACHMENT_MAX_BYTES
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    _fill(page, 134)
    page.locator("#files").set_input_files([{"name": "草场.jpg", "mimeType": "image/jpeg", "buffer": data}])
    expect(page.get_by_test_id("files-check")).to_contain_text("已自动缩小")
    page.get_by_role("button", name="提交", exact=True).last.click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible(timeout=30_000)
    stored = attachment_bytes(Attachment.objects.get())
    assert len(stored) < len(data)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (2560, 853)


def test_a_small_photo_is_sent_as_taken(site, org):
    data = _photo(400, 300)
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    _fill(page, 135)
    page.locator("#files").set_input_files([{"name": "门口.jpg", "mimeType": "image/jpeg", "buffer": data}])
    page.get_by_role("button", name="提交", exact=True).last.click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    assert attachment_bytes(Attachment.objects.get()) == data


# --- 6. no portal page scrolls sideways at 320 px with 200 % text ----------------------------------

# 200 % browser zoom on a 320 px phone is a page 160 CSS px wide; the phone's own font size at 200 %
# keeps 320 px and doubles every rem and em (Chromium's default font sizes, set through CDP).
MODES = {"zoom200": {"viewport": {"width": 160, "height": 400}, "device_scale_factor": 2},
         "text200": {"viewport": {"width": 320, "height": 640}}}
WIDE = """() => {
    const limit = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll('body *'))
        .filter(el => el.childElementCount === 0 && el.getClientRects().length
                && !el.closest('.visually-hidden, [hidden], .flowchart-scroll, .skip-link'))
        .filter(el => {
            let box = el.getBoundingClientRect();
            if (!/^(INPUT|SELECT|TEXTAREA|BUTTON|IMG|CANVAS|svg)$/i.test(el.tagName)) {
                const range = document.createRange();
                range.selectNodeContents(el);
                box = range.getBoundingClientRect();
            }
            return box.width > 0 && box.right > limit + 1;
        })
        .map(el => el.tagName + '.' + el.className + ': ' + (el.textContent.trim() || el.name || '').slice(0, 24));
}"""
LONG = "已协调补偿款到位，转入账户6228480012345678901234，文件见https://www.wsq.gov.cn/zwgk/2026/zcwj/abcdefghijklmnopqrstuvwxyz.html"


@pytest.mark.parametrize("mode", MODES)
def test_no_portal_page_scrolls_sideways_at_320_px_with_200_percent_text(site, browser, api, org, settings, mode):
    number, code = portal_case_given_feedback(api, org, name="阿拉坦其其格", serial=136 if mode == "zoom200" else 137,
                                              phone="13712345678", result=LONG, satisfaction="dissatisfied")
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    settings.DAIBAN_PUBLIC_WRONG_CODES = 1
    context = browser.new_context(locale="zh-CN", **MODES[mode])
    page = context.new_page()
    page.set_default_timeout(10_000)
    if mode == "text200":
        context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    too_wide = {}

    def check(label: str) -> None:
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        clipped = page.evaluate(WIDE)
        if overflow > 0 or clipped:
            too_wide[label] = (overflow, clipped)

    try:
        for path in ("/", "/submit/", "/track/", "/no-such-page/", f"/track/{number}/"):
            page.goto(site.url(path))
            check(path)
        page.goto(site.url("/"))
        page.locator("summary", has_text="查看流程图").click()
        check("flowchart")
        # The status page with a long unbroken result, the rating and the review forms.
        page.goto(site.url("/track/"))
        page.locator("#number").fill(number)
        page.locator("#code").fill(code)
        page.locator("#code").press("Enter")
        expect(page.get_by_test_id("result")).to_be_visible()
        check("status")
        page.get_by_label("不满意").check()
        page.get_by_role("button", name="提交评价").click()
        expect(page.get_by_text("感谢您的评价")).to_be_visible()
        check("rated, with a message")
        page.get_by_test_id("review-reason").fill("补偿标准过低" * 3 + "A" * 60)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("request-review").click()
        expect(page.get_by_test_id("status-text")).to_contain_text("复查中")
        check("under review")
        # A wrong code, then the CAPTCHA it asks for.
        page.goto(site.url("/track/"))
        page.locator("#number").fill(number)
        page.locator("#code").fill("X" * 10)
        page.locator("#code").press("Enter")
        expect(page.get_by_test_id("track-error")).to_be_visible()
        check("wrong code")
        page.locator("#code").fill("Y" * 10)
        page.locator("#code").press("Enter")
        expect(page.locator("[data-testid=captcha]")).to_be_visible()
        check("tracking CAPTCHA")
        # The form refused (the CAPTCHA empty), then sent, and its answer page with the QR code.
        page.goto(site.url("/submit/"))
        _fill(page, 138 if mode == "zoom200" else 139)
        page.locator("#id_address").fill("乌审旗嘎鲁图镇" + "1234567890" * 6)
        page.get_by_role("button", name="提交", exact=True).last.click()
        expect(page.get_by_test_id("form-errors")).to_be_visible()
        check("submit refused")
        page.locator("#id_consent").check()
        key = page.locator("input[name=captcha_0]").input_value()
        from captcha.models import CaptchaStore

        page.locator("input[name=captcha_1]").fill(CaptchaStore.objects.get(hashkey=key).response)
        page.get_by_role("button", name="提交", exact=True).last.click()
        expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
        check("submitted")
    finally:
        context.close()
    assert too_wide == {}


# --- 1. the receipt SMS pasted into the number's box, on a phone --------------------------------------

def test_the_receipt_sms_pasted_into_one_box_opens_the_petition(site, api, org):
    response = api().post("/public/petitions", {"petitioner": {"name": "乌力吉", "id_number": id_number(serial=140),
                                                               "phone": "13812345678"}, "content": COMPLAINT})
    number, code = response.data["number"], response.data["query_code"]
    sms = f"【乌审旗信访代办】您的事项已收到，编号{number}，查询码{code}，12月16日前告诉您怎么办理。"
    page = site.page(**PHONE)
    page.goto(site.url("/track/"))
    page.locator("#number").fill(sms)
    page.get_by_role("button", name="查询", exact=True).last.click()
    expect(page.get_by_test_id("status-text")).to_be_visible()
    assert page.url.endswith(f"/track/{number}/")
    # One box left empty is named by the page, not by the browser's own bubble.
    page.goto(site.url("/track/"))
    page.locator("#number").fill(f"编号：{number}")
    page.get_by_role("button", name="查询", exact=True).last.click()
    expect(page.get_by_test_id("track-error")).to_have_text("请填写查询码")
    expect(page.locator("#number")).to_have_value(number)
