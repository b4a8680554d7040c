"""The portal's QR code in Chromium with JavaScript off, as on a herder's phone with scripts disabled,
and with it on (tests/test_doc_round.py has the rest)."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def _submit(page, site, serial: int) -> tuple[Petition, str]:
    page.goto(site.url("/submit/"))
    page.get_by_label("姓名").fill("巴特尔")
    page.get_by_label("身份证号").fill(id_number(serial=serial))
    page.get_by_label("联系电话（手机或固定电话）").fill("13612345678")
    page.get_by_label("住址").fill("乌审召镇巴音敖包嘎查")
    page.get_by_label("反映的问题及诉求").fill(COMPLAINT)
    page.get_by_label("我已阅读并同意《个人信息保护告知》").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    number = page.get_by_test_id("number").inner_text()
    # The QR code's address, as a phone's camera reads it: the ticket is in the sender's session.
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    ticket = store(session_key=cookie)["portal_submitted"]["ticket"]
    petition = Petition.objects.get(number=number)
    return petition, site.url(f"/track/{number}/qr/{ticket}/#code={petition.query_code}")


@pytest.mark.parametrize("script", [False, True])
def test_the_qr_link_reaches_the_result_with_and_without_script(site, browser, org, script):
    """Actor: a herder who submitted on the station's computer scans the answer page's QR code with a
    phone whose browser runs no script (or does): the tracking result, and no request carries the
    query code in its address (the fragment is never sent)."""
    sender = site.page(**PHONE)
    petition, link = _submit(sender, site, 971 if script else 972)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=script)
    try:
        phone = context.new_page()
        phone.set_default_timeout(10_000)
        requested: list[str] = []
        phone.on("request", lambda request: requested.append(request.url))
        phone.goto(link)
        if not script:
            phone.get_by_role("button", name="查看办理进度").click()
        expect(phone.get_by_test_id("status-text")).to_have_text("已收到，正在甄别受理")
        assert phone.url.endswith(f"/track/{petition.number}/")
        assert not [u for u in requested if petition.query_code in u.split("#", 1)[0]]
    finally:
        context.close()
