"""同一事项，多名信访人: open petitions of other petitioners at the same station on a similar matter —
at intake (htmx check), on the case page, through the API — and the 矛盾纠纷热点 on the dashboard."""

import datetime

import pytest

from daiban.petitions import matters
from daiban.petitions.index_models import MatterBucket
from tests.factories import OTHER_MATTER, id_number, login

# Three villagers of 巴音敖包嘎查 on one railway's compensation, each in their own words.
RAILWAY = [
    "乌审召镇巴音敖包嘎查牧民反映：浩吉铁路建设征用我家草场，征地补偿款被嘎查委员会截留了一部分，请求核查补偿款分配情况。",
    "浩吉铁路占了我们巴音敖包嘎查的草场，补偿款嘎查扣下了一部分没发给我们，请上级查一查铁路征地补偿款是怎么分的。",
    "我是巴音敖包嘎查牧民，浩吉铁路征地的补偿款到我手里少了三成，嘎查委员会说截留做了集体提留，要求公开补偿款分配并足额发放。",
]
OTHER = "图克镇葫芦素嘎查因煤矿开采造成地面塌陷，我家房屋墙体开裂，请求煤矿赔偿并搬迁安置。"



@pytest.fixture
def villagers(new_petition):
    made = [new_petition(petitioner={"name": f"牧民{i}", "id_number": id_number(serial=40 + i), "phone": f"1390000004{i}"},
                         content=text) for i, text in enumerate(RAILWAY)]
    unrelated = new_petition(petitioner={"name": "其他人", "id_number": id_number(serial=49)}, content=OTHER)
    return made, unrelated


def test_lsh_parameters_come_from_datasketch_and_keys_are_stored(villagers):
    b, r = matters.bands()
    assert b * r <= matters.NUM_PERM and b > 1
    made, _ = villagers
    assert MatterBucket.objects.filter(petition_id=made[0]["id"]).count() == b


def test_api_lists_open_petitions_of_other_petitioners_on_the_same_matter(api, villagers):
    made, unrelated = villagers
    response = api("agent1").get(f"/petitions/{made[0]['id']}/similar")
    assert response.status_code == 200
    found = {item["number"] for item in response.data}
    assert found == {made[1]["number"], made[2]["number"]}
    assert all(set(item) == {"id", "number", "status", "score"} and 0 < item["score"] <= 1 for item in response.data)
    assert unrelated["number"] not in found
    assert api("agent1").get(f"/petitions/{unrelated['id']}/similar").data == []


def test_only_open_petitions_and_never_the_same_petitioner(api, villagers, new_petition, org):
    made, _ = villagers
    again = new_petition(petitioner={"name": "牧民0", "id_number": id_number(serial=40)}, content=RAILWAY[1])
    assert again["number"] not in {i["number"] for i in api("agent1").get(f"/petitions/{made[0]['id']}/similar").data}
    assert api("agent1").act(made[1]["id"], "screen", {"outcome": "direct_reply", "reply": "已答复"}).status_code == 200
    found = {i["number"] for i in api("agent1").get(f"/petitions/{made[0]['id']}/similar").data}
    assert made[1]["number"] not in found and made[2]["number"] in found


def test_other_stations_and_invisible_petitions_are_not_listed(api, villagers, new_petition):
    made, _ = villagers
    township = new_petition(by="agent12", petitioner={"name": "镇上牧民", "id_number": id_number(serial=48)},
                            content=RAILWAY[2])
    assert township["number"] not in {i["number"] for i in api("agent1").get(f"/petitions/{made[0]['id']}/similar").data}
    assert api("agent12").get(f"/petitions/{made[0]['id']}/similar").status_code == 404
    assert api("dept1").get(f"/petitions/{made[0]['id']}/similar").status_code == 404


def test_case_page_shows_them_with_score_and_link(org, villagers):
    made, _ = villagers
    page = login("agent1").get(f"/staff/petitions/{made[0]['id']}/").content.decode()
    assert "同一事项，多名信访人" in page
    assert f"/staff/petitions/{made[1]['id']}/" in page and "相似度" in page


def test_intake_check_shows_them_before_saving(org, villagers):
    made, _ = villagers
    response = login("agent1").post("/staff/intake/check/", {
        "id_number": id_number(serial=47),
        "content": "巴音敖包嘎查浩吉铁路征地补偿款被嘎查截留，我家也没拿全，请求查清补偿款去向。",
    })
    page = response.content.decode()
    assert "同一事项，多名信访人" in page
    assert made[0]["number"] in page


def test_hotspots_on_the_dashboard(clock, org, villagers):
    made, unrelated = villagers
    page = login("center").get("/staff/stats/").content.decode()
    assert "矛盾纠纷热点" in page
    assert 'data-testid="hotspots"' in page and "3 名信访人，3 件" in page
    assert unrelated["number"] not in page.split('data-testid="hotspots"')[1].split("</ol>")[0]
    # Ninety days later the matter is no longer a recent hotspot.
    clock.move_to(datetime.datetime(2026, 12, 20, 10, 0))
    page = login("center").get("/staff/stats/").content.decode()
    assert 'data-testid="no-hotspots"' in page


def test_hotspots_respect_what_the_user_may_see(org, villagers):
    """agent12 works at the 嘎鲁图镇 station: the bureau's hotspot is not theirs to see."""
    page = login("agent12").get("/staff/stats/")
    assert page.status_code == 200
    assert 'data-testid="no-hotspots"' in page.content.decode()
    assert 'data-testid="hotspots"' in login("agent1").get("/staff/stats/").content.decode()


def test_lsh_reads_candidates_by_index_not_every_petition(villagers, django_assert_max_num_queries):
    made, _ = villagers
    from daiban.petitions.models import Petition

    petition = Petition.objects.get(pk=made[0]["id"])
    with django_assert_max_num_queries(6):
        found = matters.similar_to(petition)
    assert len(found) == 2


def test_unrelated_complaint_of_another_kind_is_not_similar(new_petition, api):
    a = new_petition(petitioner={"id_number": id_number(serial=60)}, content=OTHER_MATTER)
    new_petition(petitioner={"id_number": id_number(serial=61)}, content=RAILWAY[0])
    assert api("agent1").get(f"/petitions/{a['id']}/similar").data == []
