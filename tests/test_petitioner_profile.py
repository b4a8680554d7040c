"""信访人档案: every petition of one person (by the keyed hash), for staff who may see full personal
data; each visit is a logged personal-data view; everyone else gets 404."""

import pytest

from daiban.petitions.models import PersonalDataView, Petition
from tests.factories import OTHER_MATTER, PARAPHRASE, id_number, login


@pytest.fixture
def person(api, accepted, new_petition, org):
    """One person with three petitions: one handled to feedback, a repeat of it, another matter."""
    body = {"name": "巴特尔", "id_number": id_number(serial=71), "phone": "13900000071"}
    first = accepted(petitioner=body)
    agent = api("agent1")
    assert agent.act(first["id"], "route", {"departments": [org.departments[0].pk], "track": "standard"}).status_code == 200
    assert agent.act(first["id"], "contact", {"method": "phone", "note": "告知正在核实补偿标准"}).status_code == 200
    disposition = agent.get(f"/petitions/{first['id']}").data["dispositions"][0]["id"]
    assert api("dept1").act_disposition(disposition, "result", {"result": "补偿款已发放"}).status_code == 200
    assert agent.act(first["id"], "conclude", {"result": "已协调发放补偿款"}).status_code == 200
    assert agent.act(first["id"], "feedback", {"method": "visit", "satisfaction": "fairly_satisfied"}).status_code == 200
    repeat = new_petition(petitioner=body, content=PARAPHRASE)
    other = new_petition(petitioner=body, content=OTHER_MATTER)
    stranger = new_petition(petitioner={"name": "别人", "id_number": id_number(serial=72)})
    return Petition.objects.get(pk=first["id"]).petitioner_id, first, repeat, other, stranger


def test_profile_lists_every_petition_with_outcomes_satisfaction_repeats_contacts(person):
    petitioner_id, first, repeat, other, stranger = person
    page = login("agent1").get(f"/staff/petitioners/{petitioner_id}/").content.decode()
    for p in (first, repeat, other):
        assert p["number"] in page
    assert stranger["number"] not in page
    assert "已协调发放补偿款" in page and "比较满意" in page
    assert "告知正在核实补偿标准" in page
    assert "同一事项以前" in page  # the repeat links to the first
    assert id_number(serial=71) in page and "13900000071" in page
    assert "信访事项 <strong>3</strong> 件" in page


def test_each_visit_is_logged(person):
    petitioner_id = person[0]
    before = PersonalDataView.objects.filter(via="petitioner_profile").count()
    assert login("leader").get(f"/staff/petitioners/{petitioner_id}/").status_code == 200
    row = PersonalDataView.objects.filter(via="petitioner_profile").order_by("-id").first()
    assert PersonalDataView.objects.filter(via="petitioner_profile").count() == before + 1
    assert row.user.username == "leader" and "id_number" in row.fields


@pytest.mark.parametrize("username", ["dept1", "agent12"])
def test_who_may_not_see_the_persons_data_gets_404(person, username):
    petitioner_id = person[0]
    before = PersonalDataView.objects.count()
    assert login(username).get(f"/staff/petitioners/{petitioner_id}/").status_code == 404
    assert PersonalDataView.objects.count() == before


def test_unknown_person_is_404(org):
    assert login("center").get("/staff/petitioners/999999/").status_code == 404


def test_linked_from_case_page_and_search_results(person):
    petitioner_id, first, *_ = person
    client = login("agent1")
    url = f"/staff/petitioners/{petitioner_id}/"
    assert url in client.get(f"/staff/petitions/{first['id']}/").content.decode()
    assert url in client.get("/staff/petitions/", {"q": id_number(serial=71)}).content.decode()
    # A department sees the case masked and no profile link.
    assert url not in login("dept1").get(f"/staff/petitions/{first['id']}/").content.decode()


def test_profile_lists_the_corrections_of_contact_data_with_who_and_when(person, api):
    petitioner_id, first = person[0], person[1]
    corrected = api("agent1").post(f"/petitions/{first['id']}/petitioner/correction",
                                   {"phone": "13900000099", "reason": "信访人换了手机号"})
    assert corrected.status_code == 200
    page = login("agent1").get(f"/staff/petitioners/{petitioner_id}/").content.decode()
    assert 'data-testid="correction-row"' in page
    assert "13900000071 → 13900000099" in page and "信访人换了手机号" in page and first["number"] in page


def test_another_station_sees_no_correction_made_on_a_petition_it_may_not_see(person, api, org):
    """Actors: agent1 corrects the person's phone on the bureau's petition; agent12, at another
    station, registers and takes a new petition of the same person and opens the profile: the
    correction (the bureau's petition number, its agent, the old and new phone, the reason) is not
    shown there."""
    from tests.factories import petition_body

    petitioner_id, first = person[0], person[1]
    assert api("agent1").post(f"/petitions/{first['id']}/petitioner/correction",
                              {"phone": "13900000099", "reason": "信访人换了手机号"}).status_code == 200
    own = api("agent12").post("/petitions", petition_body(
        petitioner={"name": "巴特尔", "id_number": id_number(serial=71)},
        content="图克镇的亲戚家林地边界与邻村不清，请求依法勘界确权。"))
    assert own.status_code == 201, own.data
    assert api("agent12").act(own.data["id"], "screen", {
        "outcome": "agency", "agent_id": org.agent12.pk, "agent_chosen_by": "designated",
        "notification": "oral"}).status_code == 200
    page = login("agent12").get(f"/staff/petitioners/{petitioner_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="correction-row"' not in html
    assert "信访人换了手机号" not in html and first["number"] not in html and "13900000071" not in html
