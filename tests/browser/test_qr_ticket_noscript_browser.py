"""The portal's QR ticket (portal.QrTicket) once used, in Chromium with JavaScript off.

The QR code's address is /track/{number}/qr/{ticket}/#code={code}: the ticket works once (its address
may sit in an access log), the code rides in the fragment, which no browser sends and no page without
script can read. So: the phone that used the ticket shows the result again on a second scan, without
script, from its session; another phone without script gets the track form saying where the code is
(the address bar, after #code=, which the redirect keeps), types it, and sees the result.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_doc_round_browser import PHONE, _submit

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_used_qr_ticket_without_script(site, browser, org):
    sender = site.page(**PHONE)
    petition, link = _submit(sender, site, 981)
    herder = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    neighbour = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        phone = herder.new_page()
        phone.set_default_timeout(10_000)
        phone.goto(link)
        phone.get_by_role("button", name="查看办理进度").click()
        expect(phone.get_by_test_id("status-text")).to_have_text("已收到，正在甄别受理")
        # The same phone scans the code again the next day: the ticket is spent, the result is shown.
        phone.goto(site.url("/"))
        phone.goto(link)
        expect(phone.get_by_test_id("status-text")).to_have_text("已收到，正在甄别受理")
        expect(phone.get_by_text("已经用过或已过期")).to_have_count(0)

        other = neighbour.new_page()
        other.set_default_timeout(10_000)
        requested: list[str] = []
        other.on("request", lambda request: requested.append(request.url))
        other.goto(link)
        # Not the result (the ticket is spent), but the form, saying where the code is.
        expect(other.get_by_test_id("status-text")).to_have_count(0)
        expect(other.get_by_text("地址栏中“#code=”后面的字符")).to_be_visible()
        assert other.url.endswith(f"/track/{petition.number}/#code={petition.query_code}")  # kept by the redirect
        assert not [u for u in requested if petition.query_code in u.split("#", 1)[0]]
        code = other.url.split("#code=", 1)[1]
        other.get_by_label("查询码").fill(code)
        other.get_by_role("button", name="查询", exact=True).last.click()
        expect(other.get_by_test_id("status-text")).to_have_text("已收到，正在甄别受理")
    finally:
        herder.close()
        neighbour.close()
