"""Issue 10 in a real browser: enrolment and sign-in with TOTP, the pages under the CSP (htmx, ECharts,
the CAPTCHA's 换一张), the idle warning that keeps unsaved text."""

from __future__ import annotations

import base64
import datetime
import re
import time

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from daiban.org import roles
from daiban.org.models import User
from tests.factories import COMPLAINT, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]

PASSWORD = "Wushen#Xinfang2026"


def _person(username: str, role: str, **fields) -> User:
    user = User(username=username, name=username, roles=role, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _csp_watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _password_step(site, page, username: str) -> None:
    page.goto(site.url("/staff/login/"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_an_administrator_enrols_then_signs_in_with_totp(site, org):
    """Actor: 王管理 (wang_admin), a real administrator: /admin/ only after enrolling an authenticator;
    the next day the code is asked after the password (computed here with django-otp's TOTP)."""
    _person("wang_admin", roles.ADMIN, is_staff=True, is_superuser=True)
    page = site.page()
    problems = _csp_watch(page)
    _password_step(site, page, "wang_admin")
    page.goto(site.url("/admin/"))
    expect(page).to_have_url(re.compile(r"/staff/otp/setup/"))
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("动态验证码").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="确认启用").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(site.url("/admin/"))
    expect(page.get_by_text("信访代办 管理后台").first).to_be_visible()

    # Another day, another browser: password, then the code.
    later = site.page()
    _password_step(site, later, "wang_admin")
    expect(later).to_have_url(re.compile(r"/staff/otp/"))
    device = TOTPDevice.objects.get(user__username="wang_admin", confirmed=True)
    # The code of the step after the one used to enrol (a code may not be used twice). Not simply "the
    # next step from now": an enrolment that crossed a 30-second boundary matched one step back and
    # django-otp keeps that drift, so "now + 1" may lie outside the window it accepts (it did, once).
    step_now = int(time.time() - device.t0) // device.step
    later.get_by_label("动态验证码").fill(f"{totp(device.bin_key, drift=device.last_t + 1 - step_now):06d}")
    later.get_by_role("button", name="验证").click()
    expect(later).to_have_url(site.url("/staff/"))
    expect(later.get_by_test_id("whoami")).to_contain_text("wang_admin")
    assert problems == []


def test_center_signs_in_with_totp_at_phone_width(site, org):
    """Actor: 李中心 (li_center) on a 360 px phone, authenticator already enrolled."""
    user = _person("li_center", roles.CENTER, station=org.center)
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    page = site.page(width=360, height=740)
    _password_step(site, page, "li_center")
    page.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(site.url("/staff/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_pages_work_under_the_content_security_policy(site, org, settings):
    """htmx (the intake check), ECharts (the dashboard) and the CAPTCHA's 换一张 run from static files
    with no CSP violation."""
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    center = site.login("center")
    problems = _csp_watch(center)
    center.goto(site.url("/staff/stats/"))
    expect(center.locator("#chart-trend canvas")).to_have_count(1)
    expect(center.locator("#chart-channel canvas")).to_have_count(1)
    center.goto(site.url("/staff/intake/"))
    center.get_by_label("身份证号").fill(id_number(serial=321))
    center.get_by_label("反映的问题及诉求").fill(COMPLAINT)
    center.get_by_label("反映的问题及诉求").blur()
    expect(center.locator("#repeat-check")).to_contain_text("代办", timeout=10_000)
    portal = site.page(width=360, height=740)
    problems += _csp_watch(portal)
    portal.goto(site.url("/submit/"))
    image = portal.locator("img[data-captcha-image]")
    before = image.get_attribute("src")
    portal.get_by_role("button", name="看不清，换一张").click()
    expect(image).not_to_have_attribute("src", before)
    portal.wait_for_function("() => { const i = document.querySelector('img[data-captcha-image]'); "
                             "return i.complete && i.naturalWidth > 0; }")
    admin = site.login("admin")
    problems += _csp_watch(admin)
    admin.goto(site.url("/admin/org/user/"))
    expect(admin.get_by_role("button", name=re.compile("执行|Go"))).to_be_visible()
    assert problems == []


@pytest.mark.postgres
def test_idle_warning_then_expiry_keeps_the_typed_text(site, org):
    """Actor: agent1 types a petition's content, is called away; the page warns a minute before the
    30 minutes, the session ends, and after signing in again the text is back.

    PostgreSQL only: the threaded live server writes the session and the audit row while the
    browser's other requests run, which SQLite's in-memory test database (shared cache, no busy
    timeout) answers with "database table is locked"; the server-side rule has its own SQLite tests."""
    page = site.page()
    page.clock.install()
    page.goto(site.url("/staff/login/"))
    page.get_by_label("用户名").fill("agent1")
    page.get_by_label("密码").fill("daiban-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(site.url("/staff/"))
    page.goto(site.url("/staff/intake/"))
    page.get_by_label("反映的问题及诉求").fill("草稿：征地补偿款未到位")
    # The intake check (htmx) asks the server as the text is typed: that request counts as use.
    page.clock.run_for(1000)
    page.wait_for_load_state("networkidle")
    page.clock.fast_forward("29:00")
    page.clock.run_for(5000)
    expect(page.get_by_test_id("session-warning")).to_contain_text("自动退出")
    # The server's side of the same half hour (the live server runs in this process: time_machine moves it).
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=31)):
        page.clock.run_for(70_000)
        expect(page).to_have_url(re.compile(r"/staff/login/\?next="))
        expect(page.get_by_text("长时间未操作")).to_be_visible()
        page.get_by_label("用户名").fill("agent1")
        page.get_by_label("密码").fill("daiban-demo")
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(site.url("/staff/intake/"))
        expect(page.get_by_label("反映的问题及诉求")).to_have_value("草稿：征地补偿款未到位")
        expect(page.get_by_test_id("draft-restored")).to_be_visible()
