"""Round 12 (2026-12-02), staff pages in Chromium: what needs script is offered only where it runs."""

from __future__ import annotations

from playwright.sync_api import expect

PRINTABLE = ["/staff/board/", "/staff/flowchart/", "/staff/roster/"]


def test_print_buttons_show_only_where_script_runs(site, browser):
    """A print button does its work in app.js: a browser without script (a locked-down intranet PC)
    was offered 打印 buttons that did nothing. Without script they are not there; with it they are."""
    page = site.login("duty")
    for path in PRINTABLE:
        page.goto(site.url(path))
        expect(page.locator('[data-action="print"]').first).to_be_visible()
    cookies = page.context.cookies()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", java_script_enabled=False)
    try:
        context.add_cookies(cookies)  # the same signed-in session, without script
        bare = context.new_page()
        for path in PRINTABLE:
            bare.goto(site.url(path))
            assert bare.locator('[data-action="print"]').count() >= 1, path  # in the page, hidden
            expect(bare.locator('[data-action="print"]').first).to_be_hidden()
    finally:
        context.close()
