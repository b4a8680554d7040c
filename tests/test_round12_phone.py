"""Round twelve: the portal as a herder uses it on a cheap phone, and what a citizen types.

Each test is one kind of fault, tried in every form it was found in:
- the tracking form finds a number and code typed or pasted as people do (spaces, full width,
  lower case, dashes, a label, quotes, a full stop, the receipt SMS whole, in either box);
- a phone or ID number with a label, Chinese punctuation or a remark is stored as the number;
  two phone numbers in one field are refused by name, never the first kept silently;
- the CAPTCHA answer in full-width digits or with spaces;
- a rating or review sent twice shows the first result;
- buttons that need script are not shown without it;
- the nginx example lets the portal's form through whole.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from daiban.lib import crypto
from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

FORM = {"name": "巴特尔", "id_number": id_number(serial=121), "phone": "13712345678", "address": "嘎鲁图镇",
        "content": COMPLAINT, "consent": "on"}


def _submitted(client: Client | None = None, **fields) -> Petition:
    client = client or Client()
    response = client.post("/submit/", {**FORM, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Petition.objects.order_by("-id").first()


def _wide(text: str) -> str:
    """`text` with its ASCII letters and digits typed in full width (a Chinese input method)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def _tracked(number: str, code: str) -> int:
    """The status of the page the tracking form leads to for what was typed in its two boxes."""
    client = Client()
    response = client.post("/track/", {"number": number, "code": code})
    if response.status_code != 302:
        return response.status_code
    return client.get(response.url).status_code


# --- 1. the tracking form: number and code as typed or pasted --------------------------------------

def test_a_number_and_code_are_found_however_they_were_typed_or_pasted(org, clock):
    petition = _submitted()
    number, code = petition.number, petition.query_code
    sms = f"【乌审旗信访代办】您的事项已收到，编号{number}，查询码{code}，10月1日前告诉您怎么办理。"
    numbers = [f"  {number}  ", number.lower(), _wide(number), number.replace("-", "－"), f"编号：{number}",
               f"编号:{number}", f"编号 {number}", f"事项编号：{number}。", f"“{number}”", f"{number}，", sms,
               f"编号：{number.split('-', 1)[1]}"]
    codes = [f" {code} ", code.lower(), _wide(code), f"{code[:4]}-{code[4:]}", f"{code[:4]} {code[4:]}",
             f"查询码：{code}", f"查询码:{code}", f"查询码 {code.lower()}，", f"“{code}”", f"{code}。", sms,
             f"{number} {code}"]
    found = {typed: _tracked(typed, code) for typed in numbers}
    found |= {typed: _tracked(number, typed) for typed in codes}
    assert {typed: status for typed, status in found.items() if status != 200} == {}
    # The SMS (or the number and the code) pasted into one box, the other left empty.
    assert _tracked(sms, "") == 200
    assert _tracked("", sms) == 200
    assert _tracked(f"{number} {code}", "") == 200
    # Still the same 404 for a wrong code, however it is typed.
    assert _tracked(f"编号：{number}", f"查询码：{'X' * 10}") == 404


def test_the_api_finds_a_labelled_or_pasted_code_too(api, org, clock):
    petition = _submitted()
    for code in (f"查询码：{petition.query_code.lower()}", f"“{petition.query_code}”。"):
        response = api().get(f"/public/petitions/{petition.number}", code=code)
        assert response.status_code == 200, (code, response.data)


def test_a_code_shaped_like_a_number_is_still_a_code():
    from daiban.portal.services import normalise_code, normalise_number

    assert normalise_code("AB20263456") == "AB20263456"
    assert normalise_code("WS-2026-000054 AB20263456") == "AB20263456"
    assert normalise_code("查询码 FRWK PL7L84 2026年10月1日前") == "FRWKPL7L84"
    assert normalise_number("查询码ABCD234567，编号2026-54") == "WS-2026-000054"


# --- 3. phone and ID numbers as people type them ----------------------------------------------------

@pytest.mark.parametrize("typed", ["电话：139 1234 5678", "+86 139-1234-5678", "手机号：139。1234。5678",
                                   "手机：13912345678（本人）", "Tel: +86 139 1234 5678", "联系电话 13912345678。",
                                   "13912345678，13912345678"])
def test_a_phone_with_a_label_or_chinese_punctuation_is_stored_as_the_number(org, clock, typed):
    petition = _submitted(phone=typed)
    assert crypto.decrypt(petition.petitioner_phone_enc) == "13912345678"


def test_a_fixed_line_with_a_label_keeps_its_extension(org, clock):
    petition = _submitted(phone="座机：（0477）765-4321 转 123")
    assert crypto.decrypt(petition.petitioner_phone_enc) == "0477-7654321-123"


@pytest.mark.parametrize("typed", ["身份证号:{id}", "身份证号：{id}", "身份证：{id}。", "公民身份号码 {id}",
                                   "{a}-{b}-{c}", "ID: {lower}"])
def test_an_id_number_with_a_label_is_stored_as_the_number(org, clock, typed):
    real = next(n for n in (id_number(serial=s) for s in range(200, 400)) if n.endswith("X"))  # a lower-case x too
    text = typed.format(id=real, a=real[:6], b=real[6:14], c=real[14:], lower=real.lower())
    petition = _submitted(id_number=text)
    assert petition.petitioner.id_hash == crypto.lookup_hash(real)


@pytest.mark.parametrize("typed", ["13912345678，13812345678", "13912345678 13812345678", "13912345678/0477-7654321",
                                   "139 1234 5678 或 138 1234 5678", "电话：13912345678、13812345678"])
def test_two_phone_numbers_in_one_field_are_refused_by_name(org, clock, typed):
    response = Client().post("/submit/", {**FORM, "phone": typed})
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(r'id="id_phone_error"[^>]*>(.*?)</div>', page, re.S)
    assert error and "联系电话只能填写一个号码" in error.group(1), page[:3000]
    assert not Petition.objects.exists()


def test_two_phone_numbers_through_the_api_are_refused_naming_the_field(api, org, clock):
    response = api().post("/public/petitions", {"petitioner": {"name": "巴特尔", "id_number": id_number(serial=123),
                                                               "phone": "13912345678,13812345678"},
                                                "content": COMPLAINT})
    assert response.status_code == 400
    assert "联系电话只能填写一个号码" in response.data["error"]["fields"]["petitioner.phone"]


def test_two_id_numbers_in_one_field_are_refused(org, clock):
    response = Client().post("/submit/", {**FORM, "id_number": f"{id_number(serial=124)} {id_number(serial=125)}"})
    assert response.status_code == 400 and "身份证号只能填写一个" in response.content.decode()


# --- 2. the CAPTCHA answer as a phone types it ------------------------------------------------------

def _captcha(page: str) -> tuple[str, str]:
    """(key, answer) of the CAPTCHA on `page`: the answer read from the server's store, as only it can."""
    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', page).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response


@pytest.mark.parametrize("typed", ["wide", "spaced", "wide spaced", "dashed"])
def test_a_captcha_answer_in_full_width_digits_or_with_spaces_is_accepted(org, clock, settings, typed):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    client = Client()
    page = client.get("/submit/").content.decode()
    assert not re.search(r'<input[^>]*name="captcha_1"[^>]*maxlength', page)  # "2 3 4 5" is not cut to "2 3 "
    key, answer = _captcha(page)
    form = {"wide": _wide(answer), "spaced": " ".join(answer), "wide spaced": "\u3000".join(_wide(answer)),
            "dashed": f"{answer[:2]}-{answer[2:]}"}[typed]
    response = client.post("/submit/", {**FORM, "captcha_0": key, "captcha_1": form})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Petition.objects.count() == 1


def test_the_tracking_captcha_takes_full_width_digits_too(org, clock, settings):
    settings.DAIBAN_PUBLIC_WRONG_CODES = 1
    petition = _submitted()
    client = Client()
    client.post("/track/", {"number": petition.number, "code": "X" * 10})
    client.get(f"/track/{petition.number}/")
    asked = client.post(f"/track/{petition.number}/", {"code": "Y" * 10})
    assert asked.status_code == 429 and 'name="captcha_0"' in asked.content.decode()
    key, answer = _captcha(asked.content.decode())
    passed = client.post("/track/", {"number": petition.number, "code": petition.query_code, "captcha_0": key,
                                     "captcha_1": " ".join(_wide(answer))})
    assert passed.status_code == 302
    assert client.get(passed.url).status_code == 200


# --- 5. a rating or a review request sent twice ----------------------------------------------------

def _given_feedback(api, org, satisfaction: str = "dissatisfied") -> Petition:
    from tests.browser.flows import portal_case_given_feedback

    number, _ = portal_case_given_feedback(api, org, name="巴特尔", serial=126, phone="13912345678",
                                           result="已协调补偿款到位", satisfaction=satisfaction)
    return Petition.objects.get(number=number)


def _tracking(petition: Petition) -> Client:
    client = Client()
    assert client.post("/track/", {"number": petition.number, "code": petition.query_code}).status_code == 302
    return client


def test_a_rating_sent_twice_shows_the_first_result(api, org, clock):
    petition = _given_feedback(api, org)
    client = _tracking(petition)
    url = f"/track/{petition.number}/"
    form = {"do": "rate", "satisfaction": "dissatisfied", "code": petition.query_code}
    first = client.post(url, form)
    again = client.post(url, form)  # a double tap, or the form sent again from the history
    assert (first.status_code, again.status_code) == (302, 302) and again.url == first.url
    page = client.get(url).content.decode()
    assert "感谢您的评价" in page and 'class="alert alert-danger"' not in page
    assert petition.events.filter(action="public_rating").count() == 1
    # Another rating after it is still refused, on the page, in words.
    other = client.post(url, {**form, "satisfaction": "satisfied"})
    assert other.status_code == 400 and "您已经评价过了" in other.content.decode()
    # The API's retry after a timeout likewise.
    retry = api().post(f"/public/petitions/{petition.number}/rating?code={petition.query_code}",
                       {"satisfaction": "dissatisfied"})
    assert retry.status_code == 200 and retry.data["satisfaction"] == "dissatisfied"
    assert petition.events.filter(action="public_rating").count() == 1


def test_a_review_request_sent_twice_registers_one_request(api, org, clock):
    petition = _given_feedback(api, org)
    client = _tracking(petition)
    url = f"/track/{petition.number}/"
    form = {"do": "review", "reason": "补偿标准过低，\r\n请求复查。 ", "code": petition.query_code}
    first = client.post(url, form)
    again = client.post(url, form)
    assert (first.status_code, again.status_code) == (302, 302)
    page = client.get(url).content.decode()
    assert "复查中" in page and 'class="alert alert-danger"' not in page
    assert petition.reviews.count() == 1
    assert petition.events.filter(action="request_review").count() == 1
    retry = api().post(f"/public/petitions/{petition.number}/review?code={petition.query_code}",
                       {"reason": form["reason"]})
    assert retry.status_code == 200 and retry.data["status"] == "under_review"
    assert petition.reviews.count() == 1
    # Another reason is another request, and there is one already: refused.
    other = client.post(url, {**form, "reason": "另一个理由"})
    assert other.status_code == 400
    assert petition.reviews.count() == 1


# --- 7. the nginx example lets the portal's whole form through -------------------------------------

def _megabytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit]


def test_the_nginx_example_takes_the_submit_forms_largest_body(settings):
    from pathlib import Path

    from daiban.api.middleware import MULTIPART_MARGIN
    from daiban.portal.views import MAX_FILES, submit_body_limit

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    nginx = re.search(r"```nginx\n(.*?)```", readme, re.S).group(1)
    submit = re.search(r"location\s+=?\s*/submit/\s*\{([^}]*)\}", nginx)
    assert submit, "the nginx example has no location for /submit/"
    assert "proxy_pass" in submit.group(1)
    size = _megabytes(re.search(r"client_max_body_size\s+(\w+);", submit.group(1)).group(1))
    assert size >= submit_body_limit() >= MAX_FILES * settings.DAIBAN_ATTACHMENT_MAX_BYTES
    # Everywhere else one attachment and its form (the API's own limit).
    server = _megabytes(re.search(r"^\s*client_max_body_size\s+(\w+);", nginx, re.M).group(1))
    assert server >= settings.DAIBAN_ATTACHMENT_MAX_BYTES + MULTIPART_MARGIN


def test_the_submit_form_says_from_what_size_a_photo_is_made_smaller(org):
    page = Client().get("/submit/").content.decode()
    assert re.search(r'<input[^>]*id="files"[^>]*data-shrink-bytes="2097152"', page)


# --- what a phone does to what is typed in a number's box ---------------------------------------------

def test_the_number_boxes_are_not_corrected_by_the_phone_keyboard(org):
    track = Client().get("/track/").content.decode()
    submit = Client().get("/submit/").content.decode()
    for page, box in ((track, "number"), (track, "code"), (submit, "id_id_number")):
        tag = re.search(rf'<input[^>]*id="{box}"[^>]*>', page).group(0)
        assert 'autocorrect="off"' in tag and 'spellcheck="false"' in tag and 'autocapitalize="characters"' in tag, tag
        assert "required" not in tag or box == "id_id_number", tag


def test_a_tracking_post_without_one_box_says_which(org, clock):
    petition = _submitted()
    only_number = Client().post("/track/", {"number": petition.number, "code": ""})
    assert only_number.status_code == 400 and "请填写查询码" in only_number.content.decode()
    assert petition.number in only_number.content.decode()  # kept as typed
    only_code = Client().post("/track/", {"number": "", "code": petition.query_code})
    assert only_code.status_code == 400 and "请填写编号" in only_code.content.decode()
    assert Client().post("/track/", {}).status_code == 400
    assert Client().get("/track/").status_code == 200  # the form itself, asked for, is no error


def test_a_name_or_address_typed_with_its_label_is_stored_without_it(org, clock):
    petition = _submitted(name="姓名：巴特尔", address="住址：乌审旗嘎鲁图镇沙尔利格嘎查")
    assert (petition.petitioner_name, petition.petitioner_address) == ("巴特尔", "乌审旗嘎鲁图镇沙尔利格嘎查")
    assert petition.petitioner.name == "巴特尔"
    # A value that only looks like one is kept: 住址 without a colon may be part of the address.
    other = _submitted(name="巴特尔", address="住址嘎鲁图镇", id_number=id_number(serial=127))
    assert other.petitioner_address == "住址嘎鲁图镇"
    refused = Client().post("/submit/", {**FORM, "name": "姓名：", "id_number": id_number(serial=128)})
    assert refused.status_code == 400 and "请填写" in refused.content.decode()


def test_the_tracking_captcha_form_sent_twice_shows_the_petition(org, clock, settings):
    settings.DAIBAN_PUBLIC_WRONG_CODES = 1
    petition = _submitted()
    client = Client()
    client.post("/track/", {"number": petition.number, "code": "X" * 10})
    client.get(f"/track/{petition.number}/")
    asked = client.post(f"/track/{petition.number}/", {"code": "Y" * 10})
    key, answer = _captcha(asked.content.decode())
    form = {"number": petition.number, "code": petition.query_code, "captcha_0": key, "captcha_1": answer}
    first, again = client.post("/track/", form), client.post("/track/", form)  # a double tap
    assert (first.status_code, again.status_code) == (302, 302) and again.url == first.url
    assert client.get(again.url).status_code == 200
    # Another browser replaying the solved CAPTCHA gets nothing from it.
    stranger = Client().post("/track/", form)
    assert stranger.status_code == 400 and "验证码不正确" in stranger.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("step", ["rate", "review"])
def test_a_rating_or_review_sent_twice_at_once_is_one(api, org, step):
    """Two taps that reach two workers at the same moment: both answer with the petition, one is recorded."""
    from daiban.portal import services
    from tests.test_concurrency import run_together

    petition = _given_feedback(api, org)

    def send(_: int):
        fresh = Petition.objects.get(pk=petition.pk)
        if step == "rate":
            return services.rate(fresh, "dissatisfied")
        return services.request_review(fresh, "补偿标准过低")

    if step == "review":
        services.rate(petition, "dissatisfied")
    results = run_together(2, send)
    assert all(isinstance(r, Petition) for r in results), results
    action = "public_rating" if step == "rate" else "request_review"
    assert petition.events.filter(action=action).count() == 1
    assert petition.reviews.count() == (1 if step == "review" else 0)


def test_a_mobile_with_an_extension_is_told_what_is_wrong():
    from daiban.lib.identity import InvalidValue, normalize_phone

    with pytest.raises(InvalidValue, match="手机号码没有分机号"):
        normalize_phone("13912345678转1")
