"""Finding petitions and people in a real browser: search by ID number, the petitioner profile, and
同一事项，多名信访人 at intake, at 1366 px and on a 360 px phone."""

import pytest
from playwright.sync_api import expect

from tests.factories import id_number

pytestmark = [pytest.mark.django_db(transaction=True)]

RAILWAY = [
    "乌审召镇巴音敖包嘎查牧民反映：浩吉铁路建设征用我家草场，征地补偿款被嘎查委员会截留了一部分，请求核查补偿款分配情况。",
    "浩吉铁路占了我们巴音敖包嘎查的草场，补偿款嘎查扣下了一部分没发给我们，请上级查一查铁路征地补偿款是怎么分的。",
]


@pytest.mark.parametrize("width", [1366, 360])
def test_search_by_id_number_then_open_the_profile(site, new_petition, width):
    person = {"name": "乌云", "id_number": id_number(serial=801), "phone": "13900000801"}
    first = new_petition(petitioner=person, content=RAILWAY[0])
    second = new_petition(petitioner=person, content="我家宅基地不动产登记办了三个月没办下来。")
    page = site.login("leader", width=width, height=900)  # a station leader may see full personal data
    page.goto(site.url("/staff/petitions/"))
    page.get_by_label("搜索").fill(" ".join([person["id_number"][:6], person["id_number"][6:]]))
    page.get_by_label("搜索").press("Enter")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 2 件")
    page.get_by_role("link", name="乌云").first.click()
    expect(page.get_by_test_id("person-id")).to_have_text(person["id_number"])
    expect(page.get_by_test_id("profile-petition")).to_have_count(2)
    expect(page.locator(f'[data-number="{first["number"]}"]')).to_be_visible()
    expect(page.locator(f'[data-number="{second["number"]}"]')).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_intake_shows_the_same_matter_of_other_petitioners(site, new_petition):
    other = new_petition(petitioner={"name": "苏和", "id_number": id_number(serial=811)}, content=RAILWAY[0])
    page = site.login("agent1", width=360, height=900)
    page.goto(site.url("/staff/intake/"))
    page.get_by_label("身份证号").fill(id_number(serial=812))
    page.get_by_label("反映的问题及诉求").fill(RAILWAY[1])
    expect(page.get_by_test_id("similar")).to_contain_text(other["number"])
    with page.expect_popup() as opened:  # a new tab: the form being typed stays
        page.get_by_test_id("similar").get_by_role("link", name=other["number"]).click()
    expect(opened.value.get_by_test_id("content")).to_contain_text("浩吉铁路")
