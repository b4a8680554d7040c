"""`q` in the API list and the staff list: number (any part), ID number and phone in any typed form
(exact, keyed hash), name (any part), words of content and results, ranked, combined with filters,
and never a petition the caller may not see. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

import pytest
from django.test import Client

from daiban.org.models import User
from daiban.petitions import search
from tests.factories import OTHER_MATTER, id_number

SAND = "无定河镇排子湾村附近的采砂场长期违法开采，河道被挖出大坑，河岸塌了好几处，请求依法查处并恢复河道。"
ROAD = "我家位于嘎鲁图镇沙尔利格嘎查的承包草场约300亩，被修建公路征用，至今未收到征地补偿款。"


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [item["number"] for item in response.data["items"]]


@pytest.fixture
def three(new_petition):
    """Three petitioners, three matters, registered by agent1 at the bureau."""
    wang = new_petition(petitioner={"name": "王建国", "id_number": id_number(serial=11), "phone": "13900000011"},
                        content=SAND)
    li = new_petition(petitioner={"name": "李桂兰", "id_number": id_number(serial=12), "phone": "0477-7654321"},
                      content=ROAD)
    zhao = new_petition(petitioner={"name": "赵建华", "id_number": id_number(serial=13), "phone": "13900000013"},
                        content=OTHER_MATTER)
    return wang, li, zhao


def test_by_id_number_in_any_form_people_type(api, three):
    wang, _, _ = three
    raw = id_number(serial=11)
    spaced = f"{raw[:6]} {raw[6:14]} {raw[14:]}"
    full_width = raw.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for typed in (raw, raw.lower(), spaced, full_width, f"  {raw}  "):
        assert numbers(api("agent1").get("/petitions", q=typed)) == [wang["number"]], typed


def test_the_issue_example_a_registered_id_number_is_found_in_the_staff_list(org, three):
    wang, _, _ = three
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get("/staff/petitions/", {"q": id_number(serial=11)}).content.decode()
    assert wang["number"] in page and "没有符合条件的信访事项" not in page


def test_by_phone_with_or_without_country_code_and_dashes(api, three):
    wang, li, _ = three
    for typed in ("13900000011", "+86 139 0000 0011", "139-0000-0011", "86-13900000011"):
        assert numbers(api("agent1").get("/petitions", q=typed)) == [wang["number"]], typed
    assert numbers(api("agent1").get("/petitions", q="0477-7654321")) == [li["number"]]


def test_an_unknown_id_number_finds_nothing_and_never_matches_text(api, three):
    assert numbers(api("agent1").get("/petitions", q=id_number(serial=99))) == []


def test_by_any_part_of_the_number(api, three):
    wang, li, zhao = three
    serial = wang["number"].rsplit("-", 1)[1]  # e.g. 000001
    assert numbers(api("agent1").get("/petitions", q=serial)) == [wang["number"]]
    assert numbers(api("agent1").get("/petitions", q=wang["number"])) == [wang["number"]]
    assert numbers(api("agent1").get("/petitions", q=wang["number"].lower())) == [wang["number"]]
    year = wang["number"].split("-")[1]
    assert set(numbers(api("agent1").get("/petitions", q=year))) == {wang["number"], li["number"], zhao["number"]}


def test_by_any_part_of_the_name(api, three):
    wang, li, zhao = three
    assert numbers(api("agent1").get("/petitions", q="王建国")) == [wang["number"]]
    assert numbers(api("agent1").get("/petitions", q="建国")) == [wang["number"]]
    assert numbers(api("agent1").get("/petitions", q="桂")) == [li["number"]]
    assert set(numbers(api("agent1").get("/petitions", q="建"))) == {wang["number"], zhao["number"]}


def test_by_words_of_the_content_two_characters_and_phrases(api, three):
    wang, li, zhao = three
    assert numbers(api("agent1").get("/petitions", q="采砂")) == [wang["number"]]
    assert numbers(api("agent1").get("/petitions", q="河道 大坑")) == [wang["number"]]
    assert numbers(api("agent1").get("/petitions", q="征地补偿款")) == [li["number"]]
    assert numbers(api("agent1").get("/petitions", q="不动产登记")) == [zhao["number"]]
    assert numbers(api("agent1").get("/petitions", q="光伏")) == []


def test_by_words_of_the_result_once_it_is_recorded(api, routed, org):
    petition = routed(content=ROAD)
    assert numbers(api("agent1").get("/petitions", q="一次性补足")) == []
    disposition = petition["dispositions"][0]["id"]
    dept = api("dept1")
    assert dept.act_disposition(disposition, "receive").status_code == 200
    assert dept.act_disposition(disposition, "result", {"result": "经核实，补偿款已于本月一次性补足"}).status_code == 200
    assert numbers(api("agent1").get("/petitions", q="一次性补足")) == [petition["number"]]
    assert api("agent1").act(petition["id"], "conclude", {"result": "已协调交通局兑付征地补偿"}).status_code == 200
    assert numbers(api("agent1").get("/petitions", q="交通局兑付")) == [petition["number"]]


def test_ranked_by_relevance_number_and_name_before_text(api, new_petition):
    # The name's petition is the older: the newer one must not come first for being newer (on
    # PostgreSQL every lexeme once ranked alike, its weights lost, and the newest won).
    named = new_petition(petitioner={"name": "王建国", "id_number": id_number(serial=22)}, content=ROAD)
    mentions = new_petition(petitioner={"name": "刘强", "id_number": id_number(serial=21)},
                            content="反映邻居王建国占用我家宅基地的问题。")
    found = numbers(api("agent1").get("/petitions", q="王建国"))
    assert found == [named["number"], mentions["number"]]
    # Part of a number outranks the same characters in a text (weights number > name > text).
    in_text = new_petition(petitioner={"id_number": id_number(serial=25)}, content=f"此前已反映过，编号{named['number']}。")
    assert numbers(api("agent1").get("/petitions", q=named["number"][-6:]))[0] == named["number"], in_text
    # A petition that says it twice outranks one that says it once, whatever their age.
    once = new_petition(petitioner={"id_number": id_number(serial=23)}, content="草场被占用，请求查处。")
    twice = new_petition(petitioner={"id_number": id_number(serial=24)},
                         content="采砂破坏草场，河道采砂无人管，请求查处非法采砂。")
    assert numbers(api("agent1").get("/petitions", q="采砂"))[0] == twice["number"]
    assert once["number"] not in numbers(api("agent1").get("/petitions", q="采砂"))


def test_filters_combine_with_q_and_count_is_exact(api, three, org):
    wang, li, _ = three
    assert api("agent1").act(li["id"], "screen", {"outcome": "direct_reply", "reply": "已答复"}).status_code == 200
    response = api("agent1").get("/petitions", q="嘎鲁图", status="answered")
    assert numbers(response) == [li["number"]] and response.data["count"] == 1
    assert numbers(api("agent1").get("/petitions", q="采砂", status="answered")) == []
    response = api("agent1").get("/petitions", q="000", page_size=1)
    assert response.data["count"] == 3 and len(response.data["items"]) == 1


def test_a_department_never_finds_a_petition_not_routed_to_it(api, routed, new_petition, org):
    routed_one = routed(petitioner={"name": "孙红", "id_number": id_number(serial=31), "phone": "13900000031"},
                        departments=[org.departments[0].pk])
    hidden = new_petition(petitioner={"name": "孙红", "id_number": id_number(serial=32), "phone": "13900000032"},
                          content=SAND)
    dept1, dept2 = api("dept1"), api("dept2")
    assert numbers(dept1.get("/petitions", q=id_number(serial=31))) == [routed_one["number"]]
    assert numbers(dept1.get("/petitions", q=id_number(serial=32))) == []
    assert numbers(dept1.get("/petitions", q="13900000032")) == []
    assert numbers(dept1.get("/petitions", q="孙红")) == [routed_one["number"]]
    assert numbers(dept1.get("/petitions", q="采砂")) == []
    assert numbers(dept2.get("/petitions", q=id_number(serial=31))) == []
    assert hidden["number"] in numbers(api("center").get("/petitions", q="孙红"))


def test_other_stations_petitions_are_not_found_by_a_township_agent(api, three):
    wang, _, _ = three
    assert numbers(api("agent12").get("/petitions", q=id_number(serial=11))) == []
    assert numbers(api("agent12").get("/petitions", q="采砂")) == []


@pytest.mark.parametrize("q", ["", "   ", "\"", "'", "*", "NEAR(", "a OR b", "-", "：：", "%", "\\", "x" * 200,
                               "采砂\" OR \"", "') | ('", "'a':* & !", "\x00", "😀"])
def test_odd_queries_never_fail(api, three, q):
    response = api("agent1").get("/petitions", q=q)
    assert response.status_code == 200


def test_an_over_long_query_is_refused_naming_q(api, three):
    response = api("agent1").get("/petitions", q="x" * 500)
    assert response.status_code == 400 and "q" in response.data["error"]["fields"]


def test_staff_list_search_links_to_profile_and_ranks(org, three):
    wang, _, _ = three
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get("/staff/petitions/", {"q": "采砂"}).content.decode()
    assert wang["number"] in page


def test_tokens_are_the_same_for_index_and_query():
    assert search.text_tokens("采砂场") == ["采砂", "砂场"]
    assert search.text_tokens("砂") == ["砂"]
    assert "建" in search.name_tokens("王建国") and "建国" in search.name_tokens("王建国")
    assert search.number_tokens("WS-2026-000123")[:2] == ["ws2", "s20"]


def test_the_admins_petition_search_finds_what_the_staff_list_finds(org, three):
    """The admin's search box on 信访事项 reads its term as `q` does: an ID number or phone in any typed
    form (keyed hash), a name, words (a LIKE on encrypted columns would find nothing)."""
    wang, li, _ = three
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    raw = id_number(serial=11)
    for term, expected in ((f"{raw[:6]} {raw[6:14]} {raw[14:]}", wang), ("+86 139 0000 0011", wang),
                           ("李桂兰", li), ("采砂", wang), (wang["number"], wang)):
        page = client.get("/admin/petitions/petition/", {"q": term}).content.decode()
        assert expected["number"] in page, term
        others = {wang["number"], li["number"]} - {expected["number"]}
        assert not any(n in page for n in others), term
    page = client.get("/admin/petitions/petition/", {"q": id_number(serial=99)})
    assert page.status_code == 200 and wang["number"] not in page.content.decode()
