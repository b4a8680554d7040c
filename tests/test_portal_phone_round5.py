"""A herder's phone on the portal, a fifth time: each fault found is one example of its kind.

- one form, one petition: the same form sent twice (a double tap, a retry, the back button)
  registers one petition and shows its number and code again; every form's Enter submits it;
- what the citizen typed survives a refusal: the tracking code after a wrong try, a review's
  reason that was too long (and the message says how long it is);
- people type numbers their own way (WS2026000054, WS 2026 000054, WS—2026—000054);
- a CAPTCHA answered right but late is told as late, after a generous half hour;
- dates in Chinese in the portal's timeline; a planned date past the regulation's limit is
  explained; a lost cookie explains itself in Chinese; the agent's phone is a link to call.
"""

from __future__ import annotations

import datetime
import re

from django.test import Client
from django.utils import timezone

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

FORM = {"name": "周九", "id_number": id_number(serial=911), "phone": "13712345678", "address": "嘎鲁图镇",
        "content": COMPLAINT, "consent": "on"}


def once(page: str) -> str:
    return re.search(r'name="once" value="([0-9a-f]{32})"', page).group(1)


def test_the_same_form_sent_twice_registers_one_petition(org, clock, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 10
    client = Client()
    token = once(client.get("/submit/").content.decode())
    first = client.post("/submit/", {**FORM, "once": token})
    assert first.status_code == 302
    again = client.post("/submit/", {**FORM, "once": token})  # the second tap, or back and send again
    assert again.status_code == 302 and again.url == "/submitted/"
    assert Petition.objects.count() == 1
    page = client.get("/submitted/").content.decode()
    petition = Petition.objects.get()
    assert petition.number in page and petition.query_code in page and 'data-testid="already-submitted"' in page
    # The token copied to another browser reveals nothing and registers nothing.
    other = Client()
    refused = other.post("/submit/", {**FORM, "once": token})
    assert refused.status_code == 302 and refused.url == "/submit/"
    page = other.get("/submit/").content.decode()
    assert "这张表已经提交过" in page and petition.query_code not in page
    assert Petition.objects.count() == 1
    # Back, another complaint in the same form: a petition of its own, once, however often it is sent.
    changed = {**FORM, "content": "我家的宅基地被邻居占用了三米，村里调解不成，请求依法确认界址。", "once": token}
    assert client.post("/submit/", changed).status_code == 302
    assert client.post("/submit/", changed).status_code == 302
    assert Petition.objects.count() == 2
    # A new form is a new petition.
    fresh = once(client.get("/submit/").content.decode())
    assert fresh != token
    assert client.post("/submit/", {**FORM, "id_number": id_number(serial=913), "once": fresh}).status_code == 302
    assert Petition.objects.count() == 3


def test_a_refused_form_keeps_its_token_and_a_forged_one_is_replaced(org, clock):
    client = Client()
    token = once(client.get("/submit/").content.decode())
    refused = client.post("/submit/", {**FORM, "phone": "1", "once": token}).content.decode()
    assert once(refused) == token
    forged = client.post("/submit/", {**FORM, "phone": "1", "once": "a" * 65}).content.decode()
    assert re.fullmatch(r"[0-9a-f]{32}", once(forged)) and "电话号码格式不正确" in forged
    assert client.post("/submit/", {**FORM, "once": "<script>"}).status_code == 302
    assert client.post("/submit/", {**FORM, "id_number": id_number(serial=914), "once": "<script>"}).status_code == 302
    assert Petition.objects.count() == 2


def test_enter_in_any_box_submits_the_form_never_the_captcha_refresh(org, clock, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    for path in ("/submit/", "/track/"):
        page = Client().get(path).content.decode()
        form = page[page.index("<form"):page.index("</form>")]
        first = re.search(r'<button[^>]*type="submit"[^>]*>', form).group(0)
        assert "captcha_refresh" not in first, (path, first)


def test_numbers_typed_without_their_hyphens_are_found(org, clock):
    client = Client()
    client.post("/submit/", FORM)
    p = Petition.objects.get()
    compact = p.number.replace("-", "")
    for typed in (compact, p.number.replace("-", " "), p.number.replace("-", "—"), p.number.lower()):
        response = Client().post("/track/", {"number": typed, "code": p.query_code})
        assert response.status_code == 302 and response.url.endswith(f"/track/{p.number}/"), typed


def test_a_wrong_code_keeps_what_was_typed(org, clock):
    Client().post("/submit/", FORM)
    p = Petition.objects.get()
    wrong = p.query_code[:-1] + ("A" if p.query_code[-1] != "A" else "B")
    response = Client().post(f"/track/{p.number}/", {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 404 and "编号或查询码不正确" in page
    assert f'value="{wrong}"' in page and f'value="{p.number}"' in page


def test_a_captcha_answered_late_is_told_as_late(org, clock, settings):
    from captcha.models import CaptchaStore

    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    client = Client()
    page = client.get("/submit/").content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', page).group(1)
    store = CaptchaStore.objects.get(hashkey=key)
    assert store.expiration - timezone.now() >= datetime.timedelta(minutes=29)
    CaptchaStore.objects.filter(hashkey=key).update(expiration=timezone.now() - datetime.timedelta(seconds=1))
    late = client.post("/submit/", {**FORM, "captcha_0": key, "captcha_1": store.response}).content.decode()
    assert "验证码已过期" in late and Petition.objects.count() == 0


def test_a_review_reason_too_long_is_kept_and_measured(api, routed, org):
    p = routed(departments=[org.departments[0].pk])
    api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "已处理"})
    api("agent1").act(p["id"], "conclude", {"result": "已依法处理"})
    api("agent1").act(p["id"], "feedback", {"method": "visit", "satisfaction": "dissatisfied"})
    petition = Petition.objects.get(pk=p["id"])
    reason = "补偿标准不对" * 1000  # 6,000 characters
    page = Client().post(f"/track/{petition.number}/", {"do": "review", "code": petition.query_code,
                                                        "reason": reason}).content.decode()
    assert "申请理由不能超过5000字（现有6000字）" in page and reason in page


def test_the_portal_writes_dates_in_chinese(api, routed, org):
    p = routed(departments=[org.departments[0].pk])
    api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "已处理"})
    api("agent1").act(p["id"], "conclude", {"result": "已依法处理"})
    api("agent1").act(p["id"], "feedback", {"method": "visit", "satisfaction": "dissatisfied"})
    petition = Petition.objects.get(pk=p["id"])
    client = Client()
    client.post(f"/track/{petition.number}/", {"do": "review", "code": petition.query_code, "reason": "不服"})
    page = client.get(f"/track/{petition.number}/").content.decode()
    timeline = page[page.index('data-testid="timeline"'):]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", timeline), timeline[:600]
    assert re.search(r"应于\d{4}年\d{1,2}月\d{1,2}日前作出决定", timeline)


def test_a_planned_date_past_the_regulation_s_limit_is_explained(org, clock, api, routed):
    p = routed(departments=[org.departments[0].pk])
    petition = Petition.objects.get(pk=p["id"])
    Petition.objects.filter(pk=petition.pk).update(due_on=petition.national_due_on + datetime.timedelta(days=10))
    client = Client()
    client.post("/track/", {"number": petition.number, "code": petition.query_code})
    page = client.get(f"/track/{petition.number}/").content.decode()
    assert 'data-testid="beyond-limit"' in page and "须经批准延长办理期限" in page


def test_a_lost_cookie_explains_itself_in_chinese(org):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/login/", {"username": "agent1", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in page and "CSRF验证失败" not in page


def test_the_agent_s_phone_is_a_link_to_call(org):
    page = Client().get("/").content.decode()
    assert re.search(r'<a class="phone" href="tel:[0-9+]+">', page)


def test_before_any_station_exists_the_portal_tells_citizens_where_to_go(db):
    page = Client().post("/submit/", FORM).content.decode()
    assert "请到就近的代办服务站当面反映" in page and "管理后台" not in page
    assert Petition.objects.count() == 0


def test_the_admin_index_names_the_libraries_apps_in_chinese(org):
    from daiban.org.models import User

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/admin/").content.decode()
    assert "登录失败锁定" in page and "后台任务" in page
    assert ">Axes<" not in page and "Tasks Database" not in page and "Model name" not in page


def test_with_a_captcha_due_every_error_is_told_in_one_answer(org, clock, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    client = Client()
    page = client.get("/submit/").content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', page).group(1)
    answer = client.post("/submit/", {**FORM, "id_number": "150626197001011230", "phone": "1234567", "content": "",
                                      "consent": "", "captcha_0": key, "captcha_1": ""}).content.decode()
    for said in ("请输入验证码", "校验位", "电话号码格式不正确", "请阅读并同意个人信息保护告知", "请填写反映的问题及诉求"):
        assert said in answer, said
    assert Petition.objects.count() == 0
