"""甄别受理: exactly the four outcomes of the flowchart, plus 不予代办."""

import pytest


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("direct_reply", "answered"), ("legal_channel", "redirected_legal"), ("guided", "guided")],
)
def test_outcomes_that_end_at_the_door(api, new_petition, clock, outcome, status):
    petition = new_petition()
    response = api("agent2").act(petition["id"], "screen", {"outcome": outcome, "reply": "已当面解释政策"})
    assert response.status_code == 200, response.data
    assert response.data["status"] == status
    assert response.data["agent"] is None
    assert [a["name"] for a in api("agent2").get(f"/petitions/{petition['id']}/actions").data] == ["archive"]


def _refused_field(api, new_petition, body: dict, field: str) -> str:
    """Screen a new petition with `body`: 400, and the message of `field`."""
    petition = new_petition()
    response = api("agent1").act(petition["id"], "screen", body)
    assert response.status_code == 400
    return response.data["error"]["fields"][field]


def test_direct_reply_needs_the_reply(api, new_petition, clock):
    assert "答复" in _refused_field(api, new_petition, {"outcome": "direct_reply"}, "reply")


def test_agency_designates_an_agent_and_fills_the_agency_form(api, new_petition, org, clock):
    petition = new_petition()
    response = api("agent1").act(petition["id"], "screen", {
        "outcome": "agency", "agent_id": org.agent2.pk, "agent_chosen_by": "designated", "notification": "oral",
    })
    data = response.data
    assert data["status"] == "accepted"
    assert data["agent"]["id"] == org.agent2.pk
    assert (data["agent_chosen_by"], data["notification"]) == ("designated", "oral")
    assert data["accepted_on"] == "2026-09-16"
    # 《信访工作条例》: handled within 60 days of acceptance (2026-11-15 is a Sunday → Monday).
    assert data["national"]["due_on"] == "2026-11-16"


def test_petitioner_may_choose_the_agent(api, new_petition, org, clock):
    petition = new_petition()
    response = api("agent1").act(petition["id"], "screen", {
        "outcome": "agency", "agent_id": org.agent12.pk, "agent_chosen_by": "petitioner"})
    assert response.data["agent_chosen_by"] == "petitioner"
    assert response.data["agent"]["id"] == org.agent12.pk


def test_agency_without_an_agent_is_refused(api, new_petition, clock):
    petition = new_petition()
    response = api("agent1").act(petition["id"], "screen", {"outcome": "agency"})
    assert response.status_code == 400
    assert "agent_id" in response.data["error"]["fields"]
    response = api("agent1").act(petition["id"], "screen", {"outcome": "agency", "agent_id": 99999})
    assert response.status_code == 400
    assert api("agent1").get(f"/petitions/{petition['id']}").data["status"] == "received"


def test_declined_records_the_reason(api, new_petition, clock):
    petition = new_petition(in_judicial_proceedings=True)
    response = api("agent1").act(petition["id"], "screen", {
        "outcome": "declined", "reason": "judicial", "reply": "该事项已由法院受理，请依法通过诉讼解决"})
    assert response.status_code == 200
    assert response.data["status"] == "declined"
    assert response.data["decline_reason"] == "judicial"


def test_declined_needs_a_known_reason(api, new_petition, clock):
    petition = new_petition()
    response = api("agent1").act(petition["id"], "screen", {"outcome": "declined", "reason": "dislike"})
    assert response.status_code == 400
    assert "reason" in response.data["error"]["fields"]


def test_unknown_outcome_is_refused(api, new_petition, clock):
    assert "甄别结果" in _refused_field(api, new_petition, {"outcome": "ignore"}, "outcome")


def test_screening_twice_is_a_conflict(api, accepted, org, clock):
    petition = accepted()
    response = api("agent1").act(petition["id"], "screen", {"outcome": "direct_reply", "reply": "x"})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "not_allowed"
