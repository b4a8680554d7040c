"""撤销上一步 (petitions/undo.py): a mistaken 终结 or screening taken back within minutes, before the
next step, by someone who could have taken it, with a reason, recorded as an `undo` event."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from daiban.lib.errors import Conflict, Forbidden, Invalid
from daiban.org.models import User
from daiban.petitions import undo
from daiban.petitions.models import Event, Petition


def _terminated(api, routed):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": "satisfied"})
    assert api("agent1").act(petition["id"], "terminate", {"three_in_place": True}).status_code == 200
    return petition["id"]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_a_mistaken_termination_goes_back_and_is_recorded(api, routed, clock):
    pid = _terminated(api, routed)
    client = Client()
    client.force_login(_user("agent1"))
    html = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert 'data-testid="undo"' in html and "data-confirm=\"撤销“终结”后，事项恢复为“已反馈”" in html
    response = client.post(f"/staff/petitions/{pid}/undo/", {"reason": "误点终结"}, follow=True)
    assert "已撤销，事项恢复为“已反馈”" in response.content.decode()
    p = Petition.objects.get(pk=pid)
    assert p.status == "feedback_given" and p.terminated_on is None and p.follow_up_due_on is None
    assert not p.three_in_place
    event = Event.objects.filter(petition_id=pid).last()
    terminate = Event.objects.get(petition_id=pid, action="terminate")
    assert event.action == "undo" and event.from_status == "terminated" and event.to_status == "feedback_given"
    assert event.data == {"undid": terminate.pk, "action": "terminate", "restored": "feedback_given"}
    assert "误点终结" in event.note
    # Terminated again, properly, and the follow-up limit counts from then.
    assert api("agent1").act(pid, "terminate", {}).status_code == 200


def test_no_undo_after_the_next_step_or_the_time(api, routed, clock):
    pid = _terminated(api, routed)
    clock.shift(datetime.timedelta(minutes=undo.UNDO_MINUTES + 1))
    with pytest.raises(Conflict):
        undo.undo(petition_id=pid, user=_user("agent1"), reason="太迟了")
    pid = _terminated(api, routed)
    assert api("agent1").act(pid, "follow_up", {"note": "已回访"}).status_code == 200
    with pytest.raises(Conflict):
        undo.undo(petition_id=pid, user=_user("agent1"), reason="已回访后")
    assert Petition.objects.get(pk=pid).status == "followed_up"


def test_only_who_could_take_the_step_undoes_it_with_a_reason(api, routed, clock):
    pid = _terminated(api, routed)
    with pytest.raises(Invalid):
        undo.undo(petition_id=pid, user=_user("agent1"), reason="  ")
    with pytest.raises(Forbidden):
        undo.undo(petition_id=pid, user=_user("dept1"), reason="部门不能撤销")
    html = Client()
    html.force_login(_user("dept1"))
    assert 'data-testid="undo"' not in html.get(f"/staff/petitions/{pid}/").content.decode()
    assert Petition.objects.get(pk=pid).status == "terminated"


def test_a_mistaken_decline_goes_back_to_screening(api, new_petition, org, clock):
    petition = new_petition()
    assert api("agent1").act(petition["id"], "screen", {"outcome": "declined", "reason": "judicial"}).status_code == 200
    p = undo.undo(petition_id=petition["id"], user=_user("agent1"), reason="选错了结果")
    assert p.status == "received" and p.decline_reason == "" and p.screened_on is None
    # Now screened as it should have been.
    response = api("agent1").act(petition["id"], "screen", {
        "outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated", "notification": "written"})
    assert response.status_code == 200 and response.data["status"] == "accepted"


def test_an_acceptance_or_a_routing_is_not_undone(api, routed, clock):
    petition = routed()
    with pytest.raises(Conflict):
        undo.undo(petition_id=petition["id"], user=_user("agent1"), reason="不可撤销")
