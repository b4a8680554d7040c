"""Round 10, what the petitioner is told: the portal's pages and the SMS say what is true and useful at
the stage they are said. A herder tried the portal on a phone; each finding is a kind, each example a
test here."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client

from daiban.documents.notices import ELSEWHERE
from daiban.notifications.models import Notification
from daiban.petitions.models import Petition
from daiban.petitions.workflow import EXCLUSIONS
from tests.factories import COMPLAINT, id_number, petition_body

FORM = {"name": "巴图", "id_number": id_number(serial=611), "address": "乌审召镇", "content": COMPLAINT,
        "consent": "on"}
LANDLINE = "0477-7612345"


def _page(client: Client, petition: Petition | dict) -> str:
    number = petition["number"] if isinstance(petition, dict) else petition.number
    code = petition["query_code"] if isinstance(petition, dict) else petition.query_code
    return client.get(f"/track/{number}/", {"code": code}, follow=True).content.decode()


def _sms(pid: int, template: str) -> list[str]:
    return list(Notification.objects.filter(petition_id=pid, channel="sms", template=template)
                .order_by("id").values_list("body", flat=True))


# --- 1. a fixed line is told by phone, never promised an SMS ----------------------------------------

def test_the_phone_field_says_fixed_lines_get_no_sms(org, clock):
    page = Client().get("/submit/").content.decode()
    assert "联系电话（手机或固定电话）" in page and "短信只能发到手机" in page


def test_a_fixed_line_petitioner_is_promised_a_call_not_an_sms(org, clock):
    client = Client()
    assert client.post("/submit/", {**FORM, "phone": LANDLINE}).status_code == 302
    page = client.get("/submitted/").content.decode()
    assert "我们会电话告知您" in page and "短信通知" not in page
    mobile = Client()
    assert mobile.post("/submit/", {**FORM, "id_number": id_number(serial=612), "phone": "13712345678"}).status_code == 302
    page = mobile.get("/submitted/").content.decode()
    assert "短信通知" in page and "电话告知您" not in page


# --- 2. a screening without a typed reply still tells the reason and the way --------------------------

def _screened(api, outcome: str, **extra) -> dict:
    p = api("agent1").post("/petitions", petition_body()).data
    r = api("agent1").act(p["id"], "screen", {"outcome": outcome, **extra})
    assert r.status_code == 200, r.data
    return p


def test_declined_without_a_reply_shows_the_reason_and_where_to_go(api, org, clock):
    p = _screened(api, "declined", reason="judicial")
    page = _page(Client(), p)
    assert EXCLUSIONS["judicial"] in page
    assert ELSEWHERE["judicial"].replace("你", "您")[:30] in page
    assert settings.DAIBAN_BUREAU_PHONE in page  # whom to ask
    # The SMS says the reason is to be seen online: it is, on the page and in the public API.
    assert "网上查看" in _sms(p["id"], "screened_declined")[0]
    public = api().get(f"/public/petitions/{p['number']}", code=p["query_code"])
    assert public.status_code == 200 and EXCLUSIONS["judicial"] in "".join(public.data["explanation"])


def test_legal_route_and_guided_without_a_reply_say_the_way_and_a_typed_reply_is_shown_too(api, org, clock):
    from daiban.documents.notices import GUIDED_PLAIN, LEGAL_ROUTE_PLAIN

    legal = _page(Client(), _screened(api, "legal_channel"))
    assert "诉讼、仲裁、行政复议" in legal and LEGAL_ROUTE_PLAIN in legal
    guided = _page(Client(), _screened(api, "guided"))
    assert GUIDED_PLAIN in guided
    typed = _page(Client(), _screened(api, "guided", reply="请到旗不动产登记中心一楼窗口办理"))
    assert "请到旗不动产登记中心一楼窗口办理。" in typed and GUIDED_PLAIN not in typed
    declined = _page(Client(), _screened(api, "declined", reason="in_progress", reply="已由原代办员办理"))
    assert EXCLUSIONS["in_progress"] in declined and "说明：已由原代办员办理。" in declined


def test_the_call_to_a_declined_fixed_line_petitioner_carries_the_reason(api, org, clock):
    p = api("agent1").post("/petitions", petition_body(petitioner={"phone": LANDLINE})).data
    assert api("agent1").act(p["id"], "screen", {"outcome": "declined", "reason": "judicial"}).status_code == 200
    ask = Notification.objects.filter(petition_id=p["id"], channel="in_app", template="sms_landline",
                                      body__contains="不予代办").first()
    assert ask is not None
    assert EXCLUSIONS["judicial"] in ask.body and "网上查看" not in ask.body and "可向代办服务站咨询" not in ask.body


# --- 3. review decisions: shown, final when final, each told by SMS ----------------------------------

def _fed_back(api, routed, satisfaction: str = "dissatisfied") -> dict:
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "补偿款按标准核算"})
    api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": satisfaction})
    return petition


def test_review_decisions_are_shown_and_a_re_review_that_keeps_the_answer_is_final(api, routed, org, clock):
    p = _fed_back(api, routed)
    pid = p["id"]
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": "标准不对"}).status_code == 200
    r = api("center").act(pid, "decide_review", {"upheld": False, "note": "经核查，补偿标准符合规定"})
    assert r.status_code == 200, r.data
    client = Client()
    page = _page(client, p)
    assert "复查决定：维持原处理意见" in page and "经核查，补偿标准符合规定" in page
    assert "复查已作出决定" not in page
    assert api("agent1").act(pid, "request_review", {"level": "re_review", "reason": "仍不服"}).status_code == 200
    r = api("center").act(pid, "decide_review", {"upheld": False, "note": "复核维持"})
    assert r.status_code == 200, r.data
    page = _page(client, p)
    assert "复核决定：维持原处理意见" in page and "这是最终决定" in page and "各级机关都不再受理" in page
    [final] = _sms(pid, "review_final")
    assert "最终决定" in final and len(final) <= 70


def test_an_upheld_review_is_shown_with_its_date_and_told_in_plain_words(api, upheld, org, clock):
    pid = upheld["id"]
    page = _page(Client(), Petition.objects.get(pk=pid))
    assert "复查决定：申请有理，有关部门须在2026年10月30日前解决" in page and "申请有理" in page
    [told] = _sms(pid, "review_upheld")
    assert "10月30日前解决" in told and "责成" not in told and len(told) <= 70


# --- 4. the date that holds, and a plain word when it has passed -------------------------------------

def test_an_extended_matter_shows_the_extended_date_and_a_late_one_says_it_is_urged(api, routed, org, clock):
    p = routed()
    pid = p["id"]
    assert api("leader").act(pid, "extend", {"days": 30, "reason": "需现场测量"}).status_code == 200
    petition = Petition.objects.get(pk=pid)
    planned, extended = petition.due_on, petition.national_due_on
    assert planned < extended
    client = Client()
    clock.move_to(datetime.datetime.combine(planned + datetime.timedelta(days=1), datetime.time(10)))
    page = _page(client, p)
    day = lambda d: f"{d.year}年{d.month}月{d.day}日"  # noqa: E731
    assert f"办理期限（已延期）</dt><dd class=\"col-7\" data-testid=\"due-now\">{day(extended)}前" in page
    assert f"原计划{day(planned)}前办结" in page and "督办" in page
    clock.move_to(datetime.datetime.combine(extended + datetime.timedelta(days=1), datetime.time(10)))
    page = _page(client, p)
    assert "已经超过办理期限" in page and "督办" in page


def test_a_matter_with_its_date_still_open_is_late_past_the_regulations_limit(api, routed, org, clock):
    """A multi-department matter whose solution is not determined has no 办结时限 (待定): past the
    regulation's limit it is late all the same (selectors.is_overdue), and the page says so."""
    p = routed(departments=[org.departments[0].pk, org.departments[1].pk], track="multi_department")
    petition = Petition.objects.get(pk=p["id"])
    assert petition.due_on is None and petition.national_due_on is not None
    clock.move_to(datetime.datetime.combine(petition.national_due_on + datetime.timedelta(days=1), datetime.time(10)))
    page = _page(Client(), p)
    assert "已经超过办理期限" in page and "督办" in page


# --- 5. every SMS within one segment at its longest ---------------------------------------------------

# The default signature, and the longest settings allow (12 characters, as carriers register them).
@pytest.mark.parametrize("sign", [None, "鄂尔多斯市乌审旗信访代办"])
def test_every_sms_template_fits_one_segment_at_its_longest_values(settings, sign):
    if sign:
        settings.DAIBAN_SMS_SIGNATURE = sign
    from daiban.notifications.consumers import _packed
    from daiban.notifications.services import fill
    from daiban.notifications.templates_text import REVIEW_BY, REVIEW_RULE, SMS, SMS_MAX

    number, unit = "WS-2026-1000000", "乌审旗住房和城乡建设局"  # a 7-digit serial; the demo's longest department
    # The longest change window_moved tells (a 处置单's extended date, named by its department), as it packs it.
    [changes] = _packed(number, [(f"{unit}延期后的办理期限由12月31日改为12月31日", f"{unit}延期后的办理期限改为12月31日")])
    longest = {"number": number, "code": "ABCDEFGHJK", "forward_due": "12月31日", "agent": "巴特尔",
               "agent_phone": "0477-7600013", "follow_up_due": "12月31日", "due": "12月31日", "level": "复查",
               "review_due": "12月31日", "changes": changes}
    reviews = [REVIEW_BY.format(review_due="12月31日", level="复查"), REVIEW_RULE.format(level="复查"), ""]
    for template, text in SMS.items():
        for review in reviews if template == "result" else [""]:
            body = fill(text, {**longest, "review": review})
            assert len(body) <= SMS_MAX, (template, len(body), body)
            assert not body.endswith(("，", "。。")), body  # no review left to ask for (三级终结): no dangling clause


def test_several_moved_dates_are_told_in_messages_of_one_segment_each():
    from daiban.notifications.consumers import _packed

    one = "乌审旗住房和城乡建设局延期后的办理期限由12月31日改为12月31日"
    parts = [(one, "乌审旗住房和城乡建设局延期后的办理期限改为12月31日"),
             ("乌审旗林业和草原局延期后的办理期限由12月30日改为12月31日", "乌审旗林业和草原局延期后的办理期限改为12月31日"),
             ("办理期限由12月30日改为12月31日", "办理期限改为12月31日")]
    number = "WS-2026-1000000"
    packed = _packed(number, parts)
    assert len(packed) >= 2
    from daiban.notifications.services import fill
    from daiban.notifications.templates_text import SMS
    for changes in packed:
        assert len(fill(SMS["window_moved"], {"number": number, "changes": changes})) <= 70
    assert "乌审旗林业和草原局" in "".join(packed) and "办理期限由12月30日改为12月31日" in "".join(packed)


def test_the_result_sms_with_the_regulations_words_fits_one_segment(api, routed, org, clock):
    p = _fed_back(api, routed, "satisfied")
    [result] = _sms(p["id"], "result")
    assert len(result) <= 70 and result.endswith("30日内申请复查。")


# --- 6. the landline badge is true whoever was asked ------------------------------------------------

def test_the_landline_badge_does_not_claim_an_agent_was_asked():
    assert "代办员" not in Notification.State.LANDLINE.label


# --- 7. a review asked for, or an online 不满意, reaches the case's agent ------------------------------

def test_a_review_asked_on_the_portal_and_an_online_dissatisfied_rating_reach_the_agent(api, routed, org, clock):
    p = _fed_back(api, routed, "understanding")
    number, code = p["number"], Petition.objects.get(pk=p["id"]).query_code
    rated = api().post(f"/public/petitions/{number}/rating?code={code}", {"satisfaction": "dissatisfied"})
    assert rated.status_code == 200, rated.data
    told = Notification.objects.get(template="petitioner_rated", recipient__username="agent1").body
    assert "不满意" in told and "引导信访人" in told and "申请复查" in told
    asked = api().post(f"/public/petitions/{number}/review?code={code}", {"reason": "补偿标准过低"})
    assert asked.status_code == 200, asked.data
    assert Notification.objects.filter(template="review_requested_case", recipient__username="agent1").exists()
    # Asked by the agent themself: not told of their own step.
    other = _fed_back(api, routed)
    assert api("agent1").act(other["id"], "request_review", {"level": "review", "reason": "不服"}).status_code == 200
    assert not Notification.objects.filter(template="review_requested_case", petition_id=other["id"]).exists()


# --- 8. text joined after a sentence never doubles its punctuation -----------------------------------

def test_a_notice_after_a_typed_sentence_has_no_doubled_punctuation(api, routed, org, clock):
    content = "我家草场被占用多年了，至今没有说法，村里也不管，请帮助协调。"  # the first 30 characters end in 。
    assert len(content) == 30
    p = routed(content=content + "另外补偿款也没有发放，请一并处理。")
    routed_notice = Notification.objects.get(template="disposition_routed", petition_id=p["id"]).body
    assert "请帮助协调，办理时限" in routed_notice and "。，" not in routed_notice
    r = api("dept1").act_disposition(p["dispositions"][0]["id"], "return", {"reason": "不属于本单位职权。"})
    assert r.status_code == 200, r.data
    returned = Notification.objects.get(template="disposition_returned", petition_id=p["id"]).body
    assert "。。" not in returned and "不属于本单位职权。请重新流转" in returned


# --- 9. a number without its prefix; the wrong-code page says where the code is ----------------------

def test_a_number_typed_without_its_prefix_is_found(org, clock):
    client = Client()
    assert client.post("/submit/", {**FORM, "phone": "13712345678"}).status_code == 302
    petition = Petition.objects.get()
    bare = petition.number.replace(f"{settings.DAIBAN_NUMBER_PREFIX}-", "").replace("-", "")
    response = client.post("/track/", {"number": bare, "code": petition.query_code})
    assert response.status_code == 302 and response.url == f"/track/{petition.number}/"


@pytest.mark.parametrize("prefix", ["WS", "NMG"])
def test_the_prefix_read_back_is_the_setting(settings, prefix):
    from daiban.portal.services import normalise_number

    settings.DAIBAN_NUMBER_PREFIX = prefix
    assert normalise_number("2026000063") == f"{prefix}-2026-000063"
    assert normalise_number("2026-63") == f"{prefix}-2026-000063"


def test_the_wrong_code_page_says_where_the_code_is_and_whom_to_phone(org, clock):
    page = Client().post("/track/WS-2026-999999/", {"code": "AAAAAAAAAA"}).content.decode()
    assert "编号或查询码不正确" in page
    assert "短信" in page and "纸质回执" in page and settings.DAIBAN_BUREAU_PHONE in page
