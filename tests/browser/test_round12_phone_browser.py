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
