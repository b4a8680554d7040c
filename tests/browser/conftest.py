"""Browser tests: Playwright for Python driving Debian's Chromium, headless, against live_server.

Skipped, with a clear line in the summary, where /usr/bin/chromium (or the playwright package) is
missing; .ci/run installs Chromium with apt-get so CI always runs them.
"""

from __future__ import annotations

import datetime
import os
import shutil

import pytest

from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import seed_years

CHROMIUM = os.environ.get("DAIBAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

MISSING = (
    "browser tests skipped: Chromium not found at /usr/bin/chromium (apt-get install chromium)"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")) else
    "browser tests skipped: the playwright package is not installed" if sync_playwright is None else ""
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if MISSING:
                item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(live_server, browser, request, settings):
    """site.login("agent1") → a logged-in page; site.url("/staff/") → absolute URL."""
    contexts = []
    # The pages answer as in production: what follows an action (messages, the case file) waits in
    # the database queue for the worker, which a test starts itself when it needs it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    class Site:
        base = live_server.url

        def url(self, path: str) -> str:
            return self.base + path

        def page(self, *, width: int = 1280, height: int = 900):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(10_000)
            return page

        def login(self, username: str, *, page=None, **size):
            """Sign `username` in on `page` (default: a new page of `size`) and return the page."""
            page = page or self.page(**size)
            page.goto(self.url("/staff/login/"))
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill("daiban-demo")
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(self.url("/staff/"))
            return page

    # live_server flushes the database after each test; Django's serialized rollback cannot restore
    # it here because Playwright's greenlet gives Django a fresh context-local connection object.
    # So the calendar is seeded again when missing (browser tests run last: see tests/conftest.py).
    if not CalendarDay.objects.exists():
        seed_years(range(2020, max(2030, datetime.date.today().year + 2) + 1))
    request.getfixturevalue("org")  # demo organisation, after the restore
    yield Site()
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    if MISSING:
        terminalreporter.write_line(MISSING, yellow=True)
