"""The citizens' portal pages at /: submit with validation and CAPTCHA, the answer with a QR code,
tracking with the same 404 for a wrong code, rating and review, no personal data in URLs."""

import re

from django.test import Client

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

FORM = {"name": "周九", "id_number": id_number(serial=901), "phone": "13712345678", "address": "嘎鲁图镇",
        "content": COMPLAINT, "consent": "on"}


def test_home_explains_and_shows_the_board(org):
    page = Client().get("/").content.decode()
    for text in ["有事您说，干部代办", "免费", "不予代办", "信访事项已三级终结", "代办员公示", "王建国", "15个工作日"]:
        assert text in page, text
    assert page.count("data-agent=") == 13


def test_submit_then_the_answer_gives_number_code_qr_and_next_steps(org, clock):
    client = Client()
    response = client.post("/submit/", FORM)
    assert response.status_code == 302 and response.url == "/submitted/"
    petition = Petition.objects.get()
    assert (petition.channel, petition.source) == ("online", "self")
    page = client.get("/submitted/").content.decode()
    assert petition.number in page and petition.query_code in page and "<svg" in page
    assert "2026年" not in page or "前告诉您办理方式" in page
    assert "2026-10-08" in page  # 15 days, moved past 国庆


def test_submit_errors_are_per_field_in_chinese_and_keep_the_input(org, clock):
    response = Client().post("/submit/", {**FORM, "id_number": "150626197001011230", "phone": "1", "consent": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请阅读并同意个人信息保护告知" in page
    assert 'value="周九"' in page and COMPLAINT in page
    response = Client().post("/submit/", {**FORM, "id_number": "150626197001011230", "phone": "1"})
    page = response.content.decode()
    assert "校验位" in page and "电话号码格式不正确" in page
    assert Petition.objects.count() == 0


def test_captcha_after_a_few_submissions(org, clock, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 1
    client = Client()
    assert client.post("/submit/", FORM).status_code == 302
    page = client.get("/submit/").content.decode()
    assert 'data-testid="captcha"' in page
    refused = client.post("/submit/", {**FORM, "id_number": id_number(serial=902), "captcha": "0000"})
    assert "验证码不正确" in refused.content.decode()
    answer = _solve(client)
    ok = client.post("/submit/", {**FORM, "id_number": id_number(serial=903), "captcha": answer})
    assert ok.status_code == 302
    assert Petition.objects.count() == 2


def _solve(client):
    """Tests read the answer the way only the server can: from the session's hash, by trying all."""
    import hashlib

    client.get("/submit/")
    stored = client.session["portal_captcha"]["hash"]
    return next(f"{n:04d}" for n in range(10000) if hashlib.sha256(f"{n:04d}".encode()).hexdigest() == stored)


def test_track_page_same_answer_for_wrong_code_and_unknown_number(org, clock):
    client = Client()
    client.post("/submit/", FORM)
    petition = Petition.objects.get()
    ok = client.get(f"/track/{petition.number}/", {"code": petition.query_code})
    assert ok.status_code == 200 and "已收到，正在甄别受理" in ok.content.decode()
    wrong = client.get(f"/track/{petition.number}/", {"code": "AAAAAAAAAA"})
    unknown = client.get("/track/WS-2026-999999/", {"code": "AAAAAAAAAA"})
    assert wrong.status_code == unknown.status_code == 404
    # Only the typed number and the per-request CSRF token may differ.
    strip = lambda html: re.sub(r'value="[^"]*"|[A-Za-z0-9]{64}', "", html)  # noqa: E731
    assert strip(wrong.content.decode()) == strip(unknown.content.decode())
    redirect = client.get("/track/", {"number": petition.number.lower(), "code": petition.query_code})
    assert redirect.status_code == 302


def test_rate_and_request_review_on_the_status_page(api, org, clock):
    client = Client()
    client.post("/submit/", FORM)
    petition = Petition.objects.get()
    agent = api("agent1")
    agent.act(petition.pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    did = agent.act(petition.pk, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "result", {"result": "已办"})
    agent.act(petition.pk, "conclude", {"result": "补偿款已发放"})
    agent.act(petition.pk, "feedback", {"method": "phone", "satisfaction": "understanding"})
    url = f"/track/{petition.number}/?code={petition.query_code}"
    page = client.get(url).content.decode()
    assert "请您评价办理结果" in page and "补偿款已发放" in page
    assert client.post(url, {"do": "rate", "satisfaction": "dissatisfied"}).status_code == 302
    page = client.get(url).content.decode()
    assert "请您评价办理结果" not in page and 'data-testid="request-review"' in page
    assert client.post(url, {"do": "review"}).status_code == 302
    petition.refresh_from_db()
    assert petition.status == "under_review"
    assert "复查/复核中" in client.get(url).content.decode()


def test_portal_logs_no_personal_data(org, clock, caplog):
    with caplog.at_level("DEBUG"):
        Client().post("/submit/", FORM)
        Client().post("/submit/", {**FORM, "phone": "bad"})
    assert FORM["id_number"] not in caplog.text and FORM["phone"] not in caplog.text
