"""不予代办: the four exclusions, found through the petitioner's own petitions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daiban.petitions.models import Petition, PetitionLink
from tests.factories import COMPLAINT, OTHER_MATTER, PARAPHRASE, id_number


@pytest.fixture
def person():
    return {"id_number": id_number(serial=555), "name": "李四"}


def _eligibility(api, petition):
    return api("agent1").get(f"/petitions/{petition['id']}/eligibility").data


def test_new_petition_is_eligible(api, new_petition, person, clock):
    petition = new_petition(petitioner=person)
    assert _eligibility(api, petition) == {"eligible": True, "reasons": []}


def test_same_matter_being_handled_is_excluded_and_related(api, accepted, new_petition, person, org, clock):
    first = accepted(petitioner=person, content=COMPLAINT)
    repeat = new_petition(petitioner=person, content=PARAPHRASE, channel="phone")
    result = _eligibility(api, repeat)
    assert result["eligible"] is False
    assert [(r["code"], r["petition"], r["petition_number"]) for r in result["reasons"]] == [
        ("in_progress", first["id"], first["number"])]
    related = api("agent1").get(f"/petitions/{repeat['id']}").data["related"]
    assert [(r["id"], r["reason"]) for r in related] == [(first["id"], "same_matter")]
    assert PetitionLink.objects.filter(petition_id=repeat["id"], related_id=first["id"]).exists()
    screened = api("agent1").act(repeat["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    assert screened.status_code == 409
    assert screened.data["error"]["code"] == "not_eligible"
    assert screened.data["error"]["reasons"] == [{"code": "in_progress", "petition": first["id"]}]
    assert Petition.objects.get(pk=repeat["id"]).status == "received"


def test_a_different_matter_of_the_same_person_is_eligible(api, accepted, new_petition, person, clock):
    accepted(petitioner=person, content=COMPLAINT)
    other = new_petition(petitioner=person, content=OTHER_MATTER)
    assert _eligibility(api, other)["eligible"] is True
    assert api("agent1").get(f"/petitions/{other['id']}").data["related"] == []


def test_same_text_from_another_person_is_not_the_same_matter(api, accepted, new_petition, person, clock):
    accepted(petitioner=person, content=COMPLAINT)
    other = new_petition(petitioner={"id_number": id_number(serial=556)}, content=COMPLAINT)
    assert _eligibility(api, other)["eligible"] is True


def test_judicial_proceedings_are_excluded(api, new_petition, org, clock):
    petition = new_petition(in_judicial_proceedings=True)
    assert _eligibility(api, petition)["reasons"] == [
        {"code": "judicial", "petition": None, "petition_number": None, "message": "已进入司法程序的涉法涉诉问题"}]
    response = api("agent1").act(petition["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    assert response.status_code == 409 and response.data["error"]["code"] == "not_eligible"


def _to_feedback(api, petition, org, satisfaction="dissatisfied"):
    agent = api("agent1")
    did = petition["dispositions"][0]["id"]
    assert api("dept1").act_disposition(did, "result", {"result": "已答复"}).status_code == 200
    assert agent.act(petition["id"], "conclude", {"result": "已办理"}).status_code == 200
    assert agent.act(petition["id"], "feedback", {"method": "phone", "satisfaction": satisfaction}).status_code == 200


def test_three_level_termination_is_excluded(api, routed, new_petition, person, org, clock):
    first = routed(petitioner=person, content=COMPLAINT)
    _to_feedback(api, first, org)
    agent, center = api("agent1"), api("center")
    assert agent.act(first["id"], "request_review", {"level": "review", "reason": "对处理结果不服"}).status_code == 200
    assert center.act(first["id"], "decide_review", {"upheld": False, "note": "维持"}).status_code == 200
    assert agent.act(first["id"], "request_review", {"level": "re_review", "reason": "对处理结果不服"}).status_code == 200
    final = center.act(first["id"], "decide_review", {"upheld": False, "note": "复核维持"})
    assert final.data["status"] == "terminated" and final.data["three_level_terminated"] is True
    repeat = new_petition(petitioner=person, content=PARAPHRASE)
    codes = [r["code"] for r in _eligibility(api, repeat)["reasons"]]
    assert codes == ["terminated_three_levels"]


def test_three_in_place_is_excluded(api, routed, new_petition, person, org, clock):
    first = routed(petitioner=person, content=COMPLAINT)
    _to_feedback(api, first, org, satisfaction="understanding")
    terminated = api("agent1").act(first["id"], "terminate", {"note": "三到位一处理已落实", "three_in_place": True})
    assert terminated.data["three_in_place"] is True
    repeat = new_petition(petitioner=person, content=PARAPHRASE)
    assert [r["code"] for r in _eligibility(api, repeat)["reasons"]] == ["three_in_place"]


def test_a_closed_matter_without_exclusion_may_be_taken_again(api, routed, new_petition, person, org, clock):
    first = routed(petitioner=person, content=COMPLAINT)
    _to_feedback(api, first, org, satisfaction="satisfied")
    api("agent1").act(first["id"], "terminate", {"note": "终结"})
    repeat = new_petition(petitioner=person, content=PARAPHRASE)
    result = _eligibility(api, repeat)
    assert result["eligible"] is True
    assert [r["id"] for r in api("agent1").get(f"/petitions/{repeat['id']}").data["related"]] == [first["id"]]


def test_the_check_reads_only_the_petitioners_own_petitions(api, new_petition, person, clock):
    for serial in range(30):
        new_petition(petitioner={"id_number": id_number(serial=1000 + serial)})
    with CaptureQueriesContext(connection) as queries:
        new_petition(petitioner=person, content=COMPLAINT)
    scans = [q["sql"] for q in queries if 'FROM "petitions_petition"' in q["sql"] and "petitioner_id" in q["sql"]]
    assert scans, "the same-matter look-up must filter by petitioner"
    assert all('"petitions_petition"."petitioner_id" =' in sql for sql in scans)


def test_a_leader_can_rule_that_it_is_not_the_same_matter(api, accepted, new_petition, person, org, clock):
    first = accepted(petitioner=person, content=COMPLAINT)
    repeat = new_petition(petitioner=person, content=PARAPHRASE)
    url = f"/petitions/{repeat['id']}/related/{first['id']}/dismiss"
    assert api("agent1").post(url, {"reason": "另一块草场"}).status_code == 403
    assert api("leader").post(url, {"reason": ""}).status_code == 400
    ruled = api("leader").post(url, {"reason": "涉及另一块承包草场，不是同一事项"})
    assert ruled.status_code == 200 and ruled.data["related"] == []
    assert "不是同一事项" in ruled.data["events"][-1]["note"] and ruled.data["events"][-1]["actor"] == "刘振华"
    assert _eligibility(api, repeat)["eligible"] is True
    screened = api("agent1").act(repeat["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    assert screened.status_code == 200
    assert api("leader").post(url, {"reason": "再次"}).status_code == 404
