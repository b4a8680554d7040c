"""认定为同一事项: an earlier petition of the same petitioner that the check scored "possibly the same"
(below the threshold: a retelling in other words) is shown on the case page, and an agent, a leader
or the center rules it the same matter. The link then counts as intake's would (不予代办 while the
earlier one runs, `related`), the ruling is on the timeline, and a leader may still dismiss it."""

import pytest

from daiban.org.models import User
from daiban.petitions.models import Event, Petition, PetitionLink
from tests.factories import COMPLAINT, OTHER_MATTER, PARAPHRASE, id_number, login

WANG = {"name": "王建国", "id_number": id_number(serial=61), "phone": "13900000061"}


@pytest.fixture
def retold(settings, new_petition):
    """Two petitions of 王建国 on one matter that the check scores between the two thresholds (the
    same-matter threshold is set above any score here, so intake links nothing)."""
    settings.DAIBAN_SAME_MATTER_THRESHOLD = 0.999
    settings.DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD = 0.2
    first = new_petition(petitioner=WANG, content=COMPLAINT)
    second = new_petition(petitioner=WANG, content=PARAPHRASE)
    assert second["related"] == []
    return first, second



def confirm(api, username, petition, related, reason="同一地块同一笔补偿款，信访人电话确认"):
    return api(username).post(f"/petitions/{petition}/related/{related}/confirm", {"reason": reason})


def test_the_case_page_offers_a_possible_repeat_and_an_agent_confirms_it(retold):
    first, second = retold
    client = login("agent1")
    page = client.get(f"/staff/petitions/{second['id']}/").content.decode()
    assert 'data-testid="possibly-same"' in page and first["number"] in page and "认定为同一事项" in page
    response = client.post(f"/staff/petitions/{second['id']}/related/{first['id']}/confirm/", {"reason": "同一笔补偿款"})
    assert response.status_code == 302
    page = client.get(f"/staff/petitions/{second['id']}/").content.decode()
    assert 'data-testid="related"' in page and 'data-testid="possibly-same"' not in page
    assert "认定与 " + first["number"] + " 是同一事项：同一笔补偿款" in page


def test_the_confirmed_link_counts_for_eligibility_and_related(api, retold):
    first, second = retold
    assert api("agent1").get(f"/petitions/{second['id']}/eligibility").data["eligible"] is True
    response = confirm(api, "agent1", second["id"], first["id"])
    assert response.status_code == 200, response.data
    related = response.data["related"]
    assert [(r["id"], r["reason"]) for r in related] == [(first["id"], "confirmed")] and 0 < related[0]["score"] < 1
    eligibility = api("agent1").get(f"/petitions/{second['id']}/eligibility").data
    assert eligibility["eligible"] is False and eligibility["reasons"][0]["code"] == "in_progress"
    event = Event.objects.filter(petition_id=second["id"], action="link").get()
    assert event.actor.username == "agent1" and event.data["related_id"] == first["id"]


def test_confirming_twice_is_a_conflict_and_a_leader_may_dismiss_it(api, retold):
    first, second = retold
    assert confirm(api, "agent1", second["id"], first["id"]).status_code == 200
    again = confirm(api, "agent1", second["id"], first["id"])
    assert again.status_code == 409 and again.data["error"]["code"] == "already_linked"
    dismissed = api("leader").post(f"/petitions/{second['id']}/related/{first['id']}/dismiss", {"reason": "核实不是同一事项"})
    assert dismissed.status_code == 200 and dismissed.data["related"] == []


@pytest.mark.parametrize("case", ["other_person", "later", "itself", "empty_reason", "missing"])
def test_what_cannot_be_linked_is_refused_and_changes_nothing(api, new_petition, retold, case):
    first, second = retold
    stranger = new_petition(petitioner={"name": "李四", "id_number": id_number(serial=62), "phone": "13900000062"},
                            content=COMPLAINT)
    petition, related, reason, status, field = {
        "other_person": (second["id"], stranger["id"], "理由", 400, "related_id"),
        "later": (first["id"], second["id"], "理由", 400, "related_id"),
        "itself": (second["id"], second["id"], "理由", 400, "related_id"),
        "empty_reason": (second["id"], first["id"], "  ", 400, "reason"),
        "missing": (second["id"], 999999, "理由", 404, None),
    }[case]
    before = (PetitionLink.objects.count(), Event.objects.count(), Petition.objects.get(pk=second["id"]).version)
    response = confirm(api, "agent1", petition, related, reason)
    assert response.status_code == status, response.data
    if field:
        assert field in response.data["error"]["fields"]
    assert (PetitionLink.objects.count(), Event.objects.count(), Petition.objects.get(pk=second["id"]).version) == before


@pytest.mark.parametrize(("username", "status"), [(None, 401), ("agent12", 404), ("dept1", 404)])
def test_who_may_not_see_the_petition_gets_nothing(api, retold, username, status):
    first, second = retold
    response = confirm(api, username, second["id"], first["id"])
    assert response.status_code == status, response.data
    assert not PetitionLink.objects.exists()


def test_an_archived_petition_is_not_changed(api, retold):
    first, second = retold
    Petition.objects.filter(pk=second["id"]).update(status="archived")
    response = confirm(api, "agent1", second["id"], first["id"])
    assert response.status_code == 409 and not PetitionLink.objects.exists()


def test_a_department_does_not_see_the_possible_repeats(api, org, retold):
    """A department routed to the petition sees the case, not the agency's judgement of repeats."""
    first, second = retold
    api("agent1").act(second["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                               "agent_chosen_by": "designated", "notification": "written"})
    api("agent1").act(second["id"], "route", {"departments": [org.departments[0].pk], "track": "standard"})
    page = login("dept1").get(f"/staff/petitions/{second['id']}/")
    assert page.status_code == 200 and 'data-testid="possibly-same"' not in page.content.decode()


def test_another_matter_is_not_offered(settings, new_petition):
    settings.DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD = 0.4
    new_petition(petitioner=WANG, content=COMPLAINT)
    other = new_petition(petitioner=WANG, content=OTHER_MATTER)
    page = login("agent1").get(f"/staff/petitions/{other['id']}/").content.decode()
    assert 'data-testid="possibly-same"' not in page


def test_a_leaders_ruling_stands_against_an_agent_and_is_not_offered_again(api, retold):
    """A leader dismisses the link; the pair is no longer offered, an agent's confirmation is refused
    (409 dismissed), a leader may rule again."""
    first, second = retold
    assert confirm(api, "agent1", second["id"], first["id"]).status_code == 200
    assert api("leader").post(f"/petitions/{second['id']}/related/{first['id']}/dismiss",
                              {"reason": "不是同一块草场"}).status_code == 200
    page = login("agent1").get(f"/staff/petitions/{second['id']}/").content.decode()
    assert 'data-testid="possibly-same"' not in page
    again = confirm(api, "agent1", second["id"], first["id"])
    assert again.status_code == 409 and again.data["error"]["code"] == "dismissed"
    assert not PetitionLink.objects.exists()
    assert confirm(api, "leader", second["id"], first["id"], "复核后认定是同一事项").status_code == 200


def test_an_archived_petitions_link_is_not_dismissed(api, retold):
    first, second = retold
    assert confirm(api, "agent1", second["id"], first["id"]).status_code == 200
    Petition.objects.filter(pk=second["id"]).update(status="archived")
    response = api("leader").post(f"/petitions/{second['id']}/related/{first['id']}/dismiss", {"reason": "理由"})
    assert response.status_code == 409 and PetitionLink.objects.count() == 1


def test_the_stored_score_is_the_one_the_page_showed(api, retold):
    from daiban.petitions import eligibility

    first, second = retold
    shown = {e.petition.pk: e.score for e in eligibility.possibly_same(Petition.objects.get(pk=second["id"]),
                                                                         User.objects.get(username="agent1"))}
    confirm(api, "agent1", second["id"], first["id"])
    assert PetitionLink.objects.get().score == shown[first["id"]]


def test_the_possible_repeats_through_the_api(api, org, retold):
    """What the case page offers, for API clients: listed until ruled on; 403 for a department that
    sees the case, 404 for who does not."""
    first, second = retold
    listed = api("agent1").get(f"/petitions/{second['id']}/possibly_same")
    assert listed.status_code == 200, listed.data
    assert [(p["id"], p["number"]) for p in listed.data] == [(first["id"], first["number"])]
    assert 0.2 <= listed.data[0]["score"] < 0.999
    assert api("agent12").get(f"/petitions/{second['id']}/possibly_same").status_code == 404
    api("agent1").act(second["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                               "agent_chosen_by": "designated", "notification": "written"})
    api("agent1").act(second["id"], "route", {"departments": [org.departments[0].pk], "track": "standard"})
    assert api("dept1").get(f"/petitions/{second['id']}").status_code == 200
    assert api("dept1").get(f"/petitions/{second['id']}/possibly_same").status_code == 403
    confirm(api, "agent1", second["id"], first["id"])
    assert api("agent1").get(f"/petitions/{second['id']}/possibly_same").data == []


def test_a_leader_rules_a_possible_repeat_not_the_same_without_a_link_first(api, retold):
    """Found by an attack: a candidate never linked could not be dismissed. Now the leader's ruling is
    recorded on the timeline, the candidate is offered no more, the petition stays eligible."""
    first, second = retold
    page = login("leader").get(f"/staff/petitions/{second['id']}/").content.decode()
    assert "认定不是同一事项" in page
    response = api("leader").post(f"/petitions/{second['id']}/related/{first['id']}/dismiss", {"reason": "另一块草场"})
    assert response.status_code == 200, response.data
    assert response.data["related"] == [] and not PetitionLink.objects.exists()
    assert api("agent1").get(f"/petitions/{second['id']}/possibly_same").data == []
    assert api("agent1").get(f"/petitions/{second['id']}/eligibility").data["eligible"] is True
    assert Event.objects.filter(petition_id=second["id"], action="unlink").count() == 1
    assert confirm(api, "agent1", second["id"], first["id"]).data["error"]["code"] == "dismissed"
    again = api("leader").post(f"/petitions/{second['id']}/related/{first['id']}/dismiss", {"reason": "再次"})
    assert again.status_code == 404  # nothing left to rule on


def test_an_agent_on_a_stale_page_gets_the_403_page_naming_why(retold, api):
    """A role that may not rule answers the Chinese 403 page saying who may (as the API and every
    other action of the case page), not a redirect with a message; nothing changes."""
    first, second = retold
    confirm(api, "agent1", second["id"], first["id"])
    response = login("agent1").post(f"/staff/petitions/{second['id']}/related/{first['id']}/dismiss/", {"reason": "x"})
    assert response.status_code == 403 and "只有带班、分管、主要领导或代办服务中心可以认定不是同一事项" in response.content.decode()
    assert 'data-testid="forbidden"' in response.content.decode()
    assert PetitionLink.objects.count() == 1
