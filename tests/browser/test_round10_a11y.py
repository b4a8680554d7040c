"""Round 10, accessibility on phones and at large text sizes, in headless Chromium:

1. every invalid field says so (aria-invalid) and names its error (aria-describedby → an element
   holding the message), and the cursor lands on the first of them after a refused submission;
2. links and buttons acting as controls are at least 44 × 44 CSS px under touch (WCAG 2.5.5);
3. nothing scrolls sideways at 360 px, at 100 % and at 200 % zoom (180 CSS px wide);
4. the text colours measured on their real backgrounds reach 4.5:1 (WCAG 1.4.3 AA).
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from daiban.org.models import User
from daiban.staff import roster
from tests.browser.flows import portal_case_given_feedback
from tests.factories import id_number, petition_body

pytestmark = [pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
# 200 % zoom on a 360 px phone: 180 CSS px across, drawn with two device pixels to each.
ZOOMS = {"100": {"viewport": PHONE, "device_scale_factor": 1},
         "200": {"viewport": {"width": 180, "height": 370}, "device_scale_factor": 2}}
# The browser's text size at 200 % instead (Android's 字体大小, desktop Chrome's font size): the same
# 360 px, every rem and em twice as large.
TEXT_200 = {"standard": 32, "fixed": 26}


@pytest.fixture
def pages(site, browser):
    """pages(zoom=..., touch=..., user=...) → a page in a context of its own (closed afterwards)."""
    contexts = []

    def make(*, zoom: str = "100", touch: bool = False, user: str | None = None):
        context = browser.new_context(locale="zh-CN", has_touch=touch, is_mobile=touch,
                                      **ZOOMS["100" if zoom == "text200" else zoom])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if zoom == "text200":
            context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": TEXT_200})
        if user:
            site.login(user, page=page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def case(api, org):
    """A running case routed to two departments (each 处置单 has its DOCX/PDF), today's roster (the
    workbench's 查看安排), and a portal case given feedback (its status page names the agent's phone)."""
    body = petition_body(petitioner={"name": "敖其尔", "id_number": id_number(serial=1015), "phone": "13912345678",
                                     "address": "嘎鲁图镇沙尔利格嘎查"})
    agent = api("agent1")
    pk = agent.post("/petitions", body).data["id"]
    agent.act(pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    agent.act(pk, "route", {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "standard"})
    today = datetime.date.today()
    for station in {u.station for u in User.objects.exclude(station=None)}:
        roster.generate_month(station, today.year, today.month)
    number, code = portal_case_given_feedback(api, org, name="乌云", serial=1016, phone="13512345678",
                                              result="已为您办理", satisfaction="satisfied")
    return {"pk": pk, "status": f"/track/{number}/?code={code}"}


# --- 1. errors tied to their fields ------------------------------------------------------------

TIED = """() => Array.from(document.querySelectorAll('[aria-invalid="true"]:not([type=hidden])')).map(el => {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    const described = ids.map(id => document.getElementById(id)).filter(Boolean);
    return {field: el.name || el.id, ids: ids.length, found: described.length === ids.length,
            error: described.some(d => d.classList.contains('invalid-feedback') && d.textContent.trim().length > 0)};
})"""
# Every error shown under a field is the description of an invalid field.
ORPHANS = """() => Array.from(document.querySelectorAll('.invalid-feedback.d-block:not([hidden])'))
    .filter(d => !d.id || !document.querySelector('[aria-invalid="true"][aria-describedby~="' + d.id + '"]'))
    .map(d => d.textContent.trim())"""


def _assert_tied(page, at_least: int):
    fields = page.evaluate(TIED)
    assert len(fields) >= at_least, fields
    assert [f for f in fields if not (f["ids"] and f["found"] and f["error"])] == []
    assert page.evaluate(ORPHANS) == []
    focused = page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-invalid')")
    assert focused == "true"  # the cursor is on the first invalid field


def test_portal_errors_are_tied_to_their_fields_and_the_first_takes_the_cursor(site, pages, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0  # the CAPTCHA too
    page = pages()
    page.goto(site.url("/submit/"))
    page.get_by_label("身份证号").fill("150626197001011230")  # a wrong check digit
    page.locator("#submit-form button.btn-danger").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    _assert_tied(page, at_least=4)  # name, id number, phone, content (and consent, CAPTCHA)
    assert page.evaluate("document.activeElement.name") == "name"


def test_intake_errors_are_tied_to_their_fields(site, pages):
    page = pages(user="agent1")
    page.goto(site.url("/staff/intake/"))
    page.get_by_role("button", name="保存登记").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    _assert_tied(page, at_least=3)


def test_a_refused_workflow_action_ties_its_errors_to_its_fields(site, pages, case):
    page = pages(user="agent1")
    page.goto(site.url(f"/staff/petitions/{case['pk']}/"))
    block = page.locator('details[data-action="route"]').first
    if not block.evaluate("e => e.open"):
        block.locator("summary").click()
    block.locator("button[type=submit]").click()  # no department chosen: refused
    page.wait_for_load_state()
    _assert_tied(page, at_least=1)


# --- 2. tap targets ----------------------------------------------------------------------------

SMALL_TARGETS = """([selector, text]) => Array.from(document.querySelectorAll(selector))
    .filter(el => el.offsetParent !== null || el.getClientRects().length)
    .filter(el => !text || new RegExp(text).test(el.textContent.trim()))
    .map(el => ({text: (el.textContent.trim() || el.getAttribute('aria-label') || el.name || '').slice(0, 20),
                 w: Math.round(el.getBoundingClientRect().width), h: Math.round(el.getBoundingClientRect().height)}))
    .filter(b => b.w < 44 || b.h < 44)"""

TARGETS = {
    # page: the links and buttons that act as controls on it
    "/": (".phone, main .btn", ""),
    "/submit/": ("[data-captcha] a, [data-captcha] button, main .btn:not(.visually-hidden)", ""),
    "{status}": (".phone, main .btn", ""),
    "/staff/": ("[data-testid=duty-today] a, .card-count", ""),
    "{case}": ("main a", "^(DOCX|PDF)$"),
    "/staff/stats/": ("main .card a, main td a", ""),
}


def test_tap_targets_are_44_px_under_touch(site, pages, case, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    portal = pages(touch=True)
    staff = pages(touch=True, user="center")
    assert staff.evaluate("matchMedia('(pointer: coarse)').matches")
    small = {}
    for url, selector in TARGETS.items():
        page = staff if url.startswith(("/staff", "{case}")) else portal
        page.goto(site.url(url.format(status=case["status"], case=f"/staff/petitions/{case['pk']}/")))
        found = page.evaluate(SMALL_TARGETS, selector)
        assert page.evaluate("([s, t]) => Array.from(document.querySelectorAll(s))"
                             ".filter(el => !t || new RegExp(t).test(el.textContent.trim())).length", selector), url
        if found:
            small[url] = found
    assert small == {}


# --- 3. no sideways scrolling at 360 px, 100 % and 200 % ---------------------------------------

PORTAL = ["/", "/submit/", "{status}"]
STAFF = ["/staff/", "/staff/petitions/", "{case}"]


@pytest.mark.parametrize("zoom", [*ZOOMS, "text200"])
def test_nothing_scrolls_sideways_at_360_px(site, pages, case, zoom):
    too_wide = []
    for user, urls in ((None, PORTAL), ("agent1", STAFF)):
        page = pages(zoom=zoom, user=user)
        for url in urls:
            page.goto(site.url(url.format(status=case["status"], case=f"/staff/petitions/{case['pk']}/")))
            width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            # Content past the page's content box, even where main's padding still hides it (a real
            # phone's Chinese fonts are wider than the test machine's): every visible leaf element.
            clipped = page.evaluate("""() => {
                const main = document.querySelector('main');
                const right = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
                return Array.from(main.querySelectorAll('*'))
                    .filter(el => el.childElementCount === 0 && el.getClientRects().length
                            && !el.closest('.table-responsive, .visually-hidden, svg, [hidden]'))
                    .filter(el => {
                        // A control's or an image's box; otherwise where its text ends (a cell's own
                        // box reaches into its row's gutter by design).
                        let box = el.getBoundingClientRect();
                        if (!/^(INPUT|SELECT|TEXTAREA|BUTTON|IMG|CANVAS)$/.test(el.tagName)) {
                            const range = document.createRange();
                            range.selectNodeContents(el);
                            box = range.getBoundingClientRect();
                        }
                        return box.width > 0 && box.right > right + 1;
                    })
                    .map(el => el.tagName + '.' + el.className + ': ' + (el.textContent.trim() || el.name || '').slice(0, 20));
            }""")
            if width > 0 or clipped:
                too_wide.append((url, width, clipped))
    assert too_wide == []


@pytest.mark.parametrize("zoom", ["200", "text200"])
def test_phone_numbers_are_whole_at_200_percent(site, pages, case, zoom):
    page = pages(zoom=zoom)
    for url in ("/", case["status"]):
        page.goto(site.url(url))
        cut = page.evaluate("""() => Array.from(document.querySelectorAll('.phone')).filter(el => {
            const box = el.getBoundingClientRect();
            let parent = el.parentElement;
            while (parent && getComputedStyle(parent).overflowX === 'visible') parent = parent.parentElement;
            const limit = parent ? parent.getBoundingClientRect().right : window.innerWidth;
            return box.right > Math.min(limit, window.innerWidth) + 0.5;
        }).map(el => el.textContent)""")
        assert cut == [], url


# --- 4. contrast -------------------------------------------------------------------------------

CONTRAST = """(el) => {
    const parse = c => {
        const m = c.match(/rgba?\\(([^)]+)\\)/);
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
        const b = parse(getComputedStyle(n).backgroundColor);
        if (b[3] > 0) { layers.push(b); if (b[3] >= 1) break; }
    }
    let bg = [255, 255, 255];
    for (const l of layers.reverse()) bg = bg.map((v, i) => l[i] * l[3] + v * (1 - l[3]));
    const c = parse(getComputedStyle(el).color);
    const fg = bg.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    const lum = rgb => rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return Math.round((a + 0.05) / (b + 0.05) * 100) / 100;
}"""

CONTRASTED = {
    "/staff/": ["[data-testid=count-due_soon]", "[data-testid=count-overdue]", "[data-testid=count-mine]",
                "[data-testid=duty-today] a"],
    "/staff/petitions/": ["form[aria-label=导出台账] button", "main a.btn-link"],
    "/": ["main a.btn-outline-secondary", ".phone"],
    "{status}": [".phone"],
}


def test_text_colours_reach_4_5_to_1(site, pages, case):
    portal = pages()
    staff = pages(user="agent1")
    low = []
    for url, selectors in CONTRASTED.items():
        page = staff if url.startswith("/staff") else portal
        page.goto(site.url(url.format(status=case["status"])))
        for selector in selectors:
            elements = page.locator(selector)
            assert elements.count(), (url, selector)
            for i in range(elements.count()):
                ratio = elements.nth(i).evaluate(CONTRAST)
                if ratio < 4.5:
                    low.append((url, selector, ratio))
    assert low == []
