"""Text that lost what was typed (U+FFFD: bytes that were not UTF-8, or another system's failed
decoding) is refused by field everywhere text is stored: the portal's and the staff's forms, the
case page's action forms and notes (which read the post directly), the API's actions and intake,
bulk urging, saved filters. And text longer than its field is refused, never cut."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from django.test import Client

from daiban.petitions.models import Event, Petition, Urging
from daiban.staff.models import CaseNote, SavedFilter
from tests.factories import id_number, login, petition_body

pytestmark = pytest.mark.django_db

BAD = "电话".encode() + b"\xff\xfe" + "联系".encode()  # not UTF-8 in the middle



def form(**fields: bytes | str) -> str:
    return "&".join(f"{k}={quote_from_bytes(v if isinstance(v, bytes) else v.encode())}" for k, v in fields.items())


def post(client: Client, path: str, **fields: bytes | str):
    return client.post(path, form(**fields), content_type="application/x-www-form-urlencoded", HTTP_HX_REQUEST="true")


def test_a_case_page_action_refuses_the_field_and_records_nothing(org, routed):
    p = routed()
    events = Event.objects.filter(petition_id=p["id"]).count()
    answer = post(login("agent1"), f"/staff/petitions/{p['id']}/act/contact/", method="phone", note=BAD)
    html = answer.content.decode()
    assert answer.status_code in (200, 400) and "联系内容含有无法识别的字符" in html
    assert Event.objects.filter(petition_id=p["id"]).count() == events
    ok = post(login("agent1"), f"/staff/petitions/{p['id']}/act/contact/", method="phone", note="电话联系")
    assert ok.status_code in (200, 302) and Event.objects.filter(petition_id=p["id"]).count() == events + 1


def test_a_note_is_refused_and_not_stored(org, routed):
    p = routed()
    answer = post(login("agent1"), f"/staff/petitions/{p['id']}/notes/", text="批注".encode() + b"\xff")
    assert "批注内容含有无法识别的字符" in answer.content.decode()
    assert not CaseNote.objects.exists()


def test_the_api_refuses_an_explicit_replacement_character_by_field(api, org, routed):
    p = routed()
    answer = api("agent1").act(p["id"], "contact", {"method": "phone", "note": "电话\ufffd联系"})
    assert answer.status_code == 400
    assert answer.data["error"]["fields"]["note"] == "联系内容含有无法识别的字符“\ufffd”（编码错误），请删除后重新输入"
    intake = api("agent1").post("/petitions", petition_body(content="草场\ufffd被占"))
    assert intake.status_code == 400 and "content" in intake.data["error"]["fields"]
    person = api("agent1").post("/petitions", petition_body(petitioner={"name": "王\ufffd", "id_number": id_number()}))
    assert person.status_code == 400 and "petitioner.name" in person.data["error"]["fields"]
    assert Petition.objects.count() == 1


def test_bulk_urging_refuses_a_bad_or_too_long_note_instead_of_cutting_it(org, routed):
    p = routed()
    client = login("agent1")
    for note, said in ((BAD, "催办内容含有无法识别的字符"), ("催" * 5001, "催办内容不能超过5000字")):
        answer = client.post("/staff/petitions/bulk/", form(op="urge", ids=str(p["id"]), note=note),
                             content_type="application/x-www-form-urlencoded", follow=True)
        assert said in answer.content.decode()
    assert not Urging.objects.exists()
    client.post("/staff/petitions/bulk/", {"op": "urge", "ids": str(p["id"]), "note": "催" * 600}, follow=True)
    assert Urging.objects.get().note == "催" * 600  # kept whole (it was cut to 500 before)


def test_a_saved_filter_name_is_refused_not_cut(org):
    client = login("agent1")
    answer = client.post("/staff/petitions/filters/", {"name": "名" * 31, "query": "status=received"}, follow=True)
    assert "名称不能超过30字" in answer.content.decode() and not SavedFilter.objects.exists()
    answer = client.post("/staff/petitions/filters/", form(name=b"\xff\xfe", query="status=received"),
                         content_type="application/x-www-form-urlencoded", follow=True)
    assert "名称含有无法识别的字符" in answer.content.decode() and not SavedFilter.objects.exists()
    client.post("/staff/petitions/filters/", {"name": "名" * 30, "query": "status=received"})
    assert SavedFilter.objects.get().name == "名" * 30


@pytest.mark.parametrize("path", ["/", "/submit/", "/track/", "/staff/login/"])
def test_a_form_declared_in_another_charset_is_a_chinese_400_even_with_debug(org, settings, path):
    """Django refuses urlencoded forms that are not UTF-8 (BadRequest); with DEBUG on, its error
    page read the body again and answered 500."""
    settings.DEBUG = True
    answer = Client(raise_request_exception=False).post(
        path, b"name=%FF%FE&a=b", content_type="application/x-www-form-urlencoded; charset=utf-16")
    assert answer.status_code == 400 and "UTF-8" in answer.content.decode()


def test_a_refused_filter_is_named_and_the_others_still_apply(org, new_petition, accepted):
    """One bad filter (a status that does not exist, a month 13, U+FFFD in the search) dropped every
    filter without a word, so the list showed everything as if filtered."""
    accepted()
    target = new_petition(petitioner={"name": "赵六"})
    client = login("agent1")
    for bad, label in (({"status": "bogus"}, "状态"), ({"received_from": "2026-13-01"}, "收到日期"),):
        page = client.get("/staff/petitions/", {"q": "赵六", **bad}).content.decode()
        assert "以下筛选条件有误，已忽略" in page and f"{label}" in page
        assert "共 1 件" in page and target["number"] in page  # q still applies
    page = client.get("/staff/petitions/?q=%FF%E8%B5%B5").content.decode()
    assert "以下筛选条件有误，已忽略：搜索" in page and "无法识别的字符" in page


def test_a_saved_filter_that_the_list_would_refuse_is_not_kept(org):
    client = login("agent1")
    for query in ("status=bogus&order=zzz", "q=%EF%BF%BD草"):
        answer = client.post("/staff/petitions/filters/", {"name": "测试", "query": query}, follow=True)
        assert "筛选条件有误，未保存" in answer.content.decode()
    assert not SavedFilter.objects.exists()


def test_every_refusal_names_its_field_as_the_form_does(api, org, routed, clock):
    """Portal: a vanished agent and U+FFFD say which field; API: 申请理由 (not 原因), and a too-long
    result says its limit (it read 处理结果太长)."""
    from tests.test_portal_pages import FORM

    page = Client().post("/submit/", {**FORM, "agent_id": "999"}).content.decode()
    assert "所选代办员不存在或已调整" in page
    page = Client().post("/submit/", form(**{**FORM, "address": b"\xff"}),
                         content_type="application/x-www-form-urlencoded").content.decode()
    assert "住址含有无法识别的字符" in page
    p = routed()
    too_long = api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "长" * 6000})
    assert too_long.status_code == 400 and too_long.data["error"]["fields"]["result"] == "处理结果不能超过5000字"
    review = api().post(f"/public/petitions/{p['number']}/review?code={Petition.objects.get(pk=p['id']).query_code}",
                        {"reason": "理\ufffd由"})
    assert review.status_code == 400 and review.data["error"]["fields"]["reason"].startswith("申请理由")


def test_an_attachment_name_that_lost_bytes_or_is_too_long_is_refused_not_cut(org, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes
    from tests.test_portal_pages import FORM

    for name, said in (("照\ufffd片.png", "文件名含有无法识别的字符"), ("长" * 120 + ".png", "文件名不能超过100字（现有124字）")):
        page = Client().post("/submit/", {**FORM, "files": SimpleUploadedFile(name, png_bytes(), content_type="image/png")})
        assert page.status_code == 400 and said in page.content.decode()
    assert not Petition.objects.exists()


def test_a_note_refused_as_too_long_comes_back_whole(org, routed):
    p = routed()
    text = "批" * 2500
    answer = login("agent1").post(f"/staff/petitions/{p['id']}/notes/", {"text": text}, HTTP_HX_REQUEST="true")
    assert "批注内容不能超过2000字" in answer.content.decode() and text in answer.content.decode()


def test_utf8_by_another_name_is_utf8(org):
    answer = Client().post("/track/", b"number=WS-2026-000001&code=ABC",
                           content_type="application/x-www-form-urlencoded; charset=utf8")
    assert answer.status_code == 302


def test_the_admin_refuses_a_damaged_or_too_long_name_of_what_letters_print(org):
    """Stations', departments' and agents' names are printed on every letter: the admin's forms clean
    and refuse as every other form does (no maxlength that cuts a paste, U+FFFD refused by name)."""
    from daiban.org.models import Department

    client = login("admin")
    department = Department.objects.first()
    page = client.get(f"/admin/org/department/{department.pk}/change/").content.decode()
    assert 'name="name"' in page and "maxlength" not in page.split('name="name"')[1].split(">")[0]
    original = department.name
    answer = client.post(f"/admin/org/department/{department.pk}/change/",
                         form(name=original.encode() + b"\xff", kind=department.kind, phone=department.phone or "",
                              active="on"), content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and "含有无法识别的字符" in answer.content.decode()
    department.refresh_from_db()
    assert department.name == original
