"""What is offered succeeds; what is not offered is refused (the offers' kind, not one example).

An action offered to a user (GET …/actions, a button and its form on the case page, each choice of
that form's lists) must go through when performed with valid input; and one not offered must be
refused (403/409). Offering and performing read the same guards with the same object: a 处置单's
actions and their choices are judged on that 处置单 (services._open, Widget.choices with the
处置单), so a station leader is not offered 批准 on a second extension request (409
`extension_limit`), nor a department more time its 处置单 can no longer have.

The walk: every petition of the demo month (every status and track) plus the extension cases built
here, every demo user, every offered petition and 处置单 action, each value of each offered choice
list, performed in a savepoint that is rolled back.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
import time_machine
from django.db import transaction

from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound
from daiban.org.models import User
from daiban.petitions import deadlines, services
from daiban.petitions.abilities import opinion_roles
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS, Action
from daiban.petitions.actions.disposition import signed_opinion
from daiban.petitions.models import Disposition, Petition
from daiban.petitions.permissions import actor_kinds, get_visible_petition, visible_dispositions
from daiban.staff.action_forms import fields_for
from daiban.staff.demo_month import load_demo_month
from tests.factories import COMPLAINT, PARAPHRASE, id_number

pytestmark = pytest.mark.django_db

NOW = datetime.datetime.fromisoformat("2026-11-30T10:00:00+08:00")  # a Monday
USERS = ("agent1", "agent2", "agent12", "duty", "leader", "chief", "center", "admin", "dept1", "dept2", "dept3")


class _Undo(Exception):
    """Raised inside the savepoint so that what was performed is rolled back."""


def attempt(perform: Callable[[], Any]) -> Exception | None:
    """Perform in a savepoint rolled back afterwards: None if it went through, else the refusal."""
    try:
        with transaction.atomic():
            perform()
            raise _Undo
    except _Undo:
        return None
    except (Conflict, Forbidden, Invalid, NotFound) as exc:
        return exc


def _plain(value: Any) -> Any:
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def inputs(act: Action[Any], petition: Petition, user: User, disposition: Disposition | None) -> Iterator[dict]:
    """Valid bodies for `act`: every value of every offered choice list in turn (the other lists at
    their first value), the free fields filled as a careful clerk fills them."""
    kinds = actor_kinds(user, petition, disposition)
    today = NOW.date()
    base: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {}
    for f in fields_for(act.input, petition, kinds, disposition):
        values = [_plain(v) for v, _ in f.choices if v != ""]
        if f.kind in ("select", "radio"):
            lists[f.name] = values
            base[f.name] = values[0] if values else None
        elif f.kind == "multiselect":
            lists[f.name] = [[v] for v in values]
            base[f.name] = [values[0]] if values else []
        elif f.kind in ("text", "textarea"):
            base[f.name] = "测试：按规定办理"
        elif f.kind == "number":
            base[f.name] = 1
        elif f.kind == "date" and f.required:  # an optional date left to its default
            base[f.name] = today.isoformat()
        elif f.kind == "checkbox":
            base[f.name] = False
    # What a valid body of these actions says beyond its lists (the form says so in its help).
    if act.name == "screen":
        base.update(agent_chosen_by="petitioner", reason=base.get("reason") or "in_progress")
    if act.name == "terminate":
        base.update(waived=True)  # the petitioner's written waiver, noted: always valid
    if act.name == "decide_review":
        base.update(due_on=today.isoformat())
    if act.name == "decide_extension":
        base["note"] = "意见"
    if act.name == "opinion" and disposition is not None:
        for role in opinion_roles(user, petition, disposition):
            yield {**base, "role": role, "text": "同意", "supplement": bool(signed_opinion(disposition, role))}
        return
    yield base
    for name, values in lists.items():
        for value in values[1:]:
            yield {**base, name: value}


def offered_and_performed(petition_ids: list[int]) -> tuple[int, list[str], int]:
    """Walk every petition × user × offered action × body; returns (performed, failures, refused
    not offered)."""
    users = {u.username: u for u in User.objects.filter(username__in=USERS)}
    performed, failures, refused = 0, [], 0
    for pid in petition_ids:
        for user in users.values():
            try:
                petition = get_visible_petition(user, pid)
            except NotFound:
                continue
            offered = services.available_actions(user, petition)
            for act in offered:
                for body in inputs(act, petition, user, None):
                    problem = attempt(partial(services.petition_act, petition_id=pid, action=act.name,
                                              user=user, data=body))
                    performed += 1
                    if problem is not None:
                        failures.append(f"{petition.number} {petition.status} {user.username} {act.name} {body}: "
                                        f"{type(problem).__name__} {problem}")
            # Conversely: a few not offered are refused before their input is read.
            for name in [n for n in ACTIONS if n not in {a.name for a in offered}][:4]:
                problem = attempt(partial(services.petition_act, petition_id=pid, action=name, user=user, data={}))
                if not isinstance(problem, (Conflict, Forbidden)):
                    failures.append(f"{petition.number} {petition.status} {user.username} {name} not offered, "
                                    f"yet: {problem!r}")
                refused += 1
            for d in Disposition.objects.filter(petition_id=pid).select_related("department").order_by("id"):
                petition = get_visible_petition(user, pid)
                if not visible_dispositions(user).filter(pk=d.pk).exists():
                    continue
                d_offered = services.available_disposition_actions(user, petition, d)
                for act in d_offered:
                    for body in inputs(act, petition, user, d):
                        problem = attempt(partial(services.disposition_act, disposition_id=d.pk, action=act.name,
                                                  user=user, data=body))
                        performed += 1
                        if problem is not None:
                            failures.append(f"{petition.number} 处置单{d.pk}({d.status}) {user.username} {act.name} "
                                            f"{body}: {type(problem).__name__} {problem}")
                for name in [n for n in DISPOSITION_ACTIONS if n not in {a.name for a in d_offered}][:3]:
                    problem = attempt(partial(services.disposition_act, disposition_id=d.pk, action=name,
                                              user=user, data={}))
                    if not isinstance(problem, (Conflict, Forbidden)):
                        failures.append(f"{petition.number} 处置单{d.pk} {user.username} {name} not offered, "
                                        f"yet: {problem!r}")
                    refused += 1
    return performed, failures, refused


def _one_of_each() -> list[int]:
    """One petition of each shape: status, track, its 处置单's states and waiting extension requests
    (the walk is slow: every user, every action, every choice)."""
    shapes: dict[tuple, int] = {}
    for p in Petition.objects.order_by("id").prefetch_related("dispositions__extension_requests"):
        ds = p.dispositions.all()
        shape = (p.status, p.track, p.agent_id is None, tuple(sorted(d.status for d in ds)),
                 tuple(sorted((str(r.approved), r.lapsed_on is None) for d in ds for r in d.extension_requests.all())))
        shapes.setdefault(shape, p.pk)
    return sorted(shapes.values())


def _second_request(api, routed) -> tuple[int, int]:
    """A 处置单 with one approved extension and a second request waiting: (petition, 处置单)."""
    petition = routed()
    did = petition["dispositions"][0]["id"]
    assert api("dept1").act_disposition(did, "request_extension", {"workdays": 2, "reason": "需测绘"}).status_code == 200
    assert api("duty").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200
    again = api("dept1").act_disposition(did, "request_extension", {"workdays": 2, "reason": "测绘复核"})
    assert again.status_code == 200, again.data
    return petition["id"], did


def test_every_offer_in_the_demo_month_succeeds_and_the_rest_are_refused(org, api, routed):
    with time_machine.travel(NOW, tick=False):
        load_demo_month()
        _second_request(api, routed)
        ids = _one_of_each()
        performed, failures, refused = offered_and_performed(ids)
    assert not failures, "\n".join(failures[:30])
    assert performed > 200 and refused > 100, (performed, refused)


def test_a_leader_is_not_offered_approval_of_a_second_extension(org, api, routed, clock):
    pid, did = _second_request(api, routed)
    duty = User.objects.get(username="duty")
    petition = Petition.objects.get(pk=pid)
    d = Disposition.objects.get(pk=did)
    (act,) = [a for a in services.available_disposition_actions(duty, petition, d) if a.name == "decide_extension"]
    (approved,) = [f for f in fields_for(act.input, petition, actor_kinds(duty, petition, d), d) if f.name == "approved"]
    assert [v for v, _ in approved.choices] == ["false"]  # 不批准 only: what a leader may still do
    refused = api("duty").act_disposition(did, "decide_extension", {"approved": True})
    assert refused.status_code == 409 and refused.data["error"]["code"] == "extension_limit"
    # The center is offered 批准, and it goes through.
    center = User.objects.get(username="center")
    (c_act,) = [a for a in services.available_disposition_actions(center, petition, d) if a.name == "decide_extension"]
    (c_approved,) = [f for f in fields_for(c_act.input, petition, actor_kinds(center, petition, d), d)
                     if f.name == "approved"]
    assert [v for v, _ in c_approved.choices] == ["true", "false"]
    # The API lists the same: GET /dispositions/{id}/actions with each action's choices.
    listed = {a["name"]: a for a in api("duty").get(f"/dispositions/{did}/actions").data}
    assert listed["decide_extension"]["choices"]["approved"] == [{"value": "false", "label": "不批准"}]
    by_center = {a["name"]: a for a in api("center").get(f"/dispositions/{did}/actions").data}
    assert [c["value"] for c in by_center["decide_extension"]["choices"]["approved"]] == ["true", "false"]
    # A department reads its own 处置单's actions, not another's (404 as for a 处置单 not there).
    assert "request_extension" not in {a["name"] for a in api("dept1").get(f"/dispositions/{did}/actions").data}
    assert api("dept2").get(f"/dispositions/{did}/actions").status_code == 404
    # The case page draws the leader's form without 批准, the center's with it.
    radios = re.compile(r'type="radio" name="approved" id="[^"]*" value="(\w+)"')
    assert radios.findall(_page("duty", pid, did)) == ["false"]
    assert radios.findall(_page("center", pid, did)) == ["true", "false"]
    assert api("center").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200


def test_no_extension_request_is_offered_when_the_statutory_limit_leaves_no_day(org, api, routed, clock):
    """A 处置单 already due on the petition's statutory limit: one more working day would pass it, so
    request_extension is not offered (guard extension_room) and is refused 409 when asked."""
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    d = Disposition.objects.get(pk=did)
    limit = deadlines.statutory_limit(Petition.objects.get(pk=pid))
    Disposition.objects.filter(pk=did).update(due_on=limit, due_from=None, due_workdays=None)
    names = {a["name"] for a in api("dept1").get(f"/dispositions/{did}/actions").data}
    assert "request_extension" not in names and {"receive", "return"} <= names
    refused = api("dept1").act_disposition(did, "request_extension", {"workdays": 1, "reason": "需测绘"})
    assert refused.status_code == 409 and refused.data["error"]["code"] == "beyond_statutory_limit"
    assert "法定办理期限" in refused.data["error"]["message"]
    assert not d.extension_requests.exists()


def _page(username: str, pid: int, did: int) -> str:
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(f"/staff/petitions/{pid}/?d={did}")
    assert response.status_code == 200
    return response.content.decode()


def test_agency_is_not_offered_for_a_petition_not_eligible(org, api, accepted, new_petition, clock):
    """受理代办 on a repeat of a matter being handled is 409 `not_eligible` (API.md): the screening
    form and GET …/actions do not offer that outcome; the others stay offered and go through."""
    person = {"id_number": id_number(serial=556), "name": "李四"}
    accepted(petitioner=person, content=COMPLAINT)
    repeat = new_petition(petitioner=person, content=PARAPHRASE, channel="phone")
    listed = {a["name"]: a for a in api("agent1").get(f"/petitions/{repeat['id']}/actions").data}
    outcomes = [c["value"] for c in listed["screen"]["choices"]["outcome"]]
    assert "agency" not in outcomes and "declined" in outcomes
    refused = api("agent1").act(repeat["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    assert refused.status_code == 409 and refused.data["error"]["code"] == "not_eligible"
    declined = api("agent1").act(repeat["id"], "screen", {"outcome": "declined", "reason": "in_progress"})
    assert declined.status_code == 200, declined.data
    # An eligible petition is offered 受理代办.
    fresh = new_petition()
    listed = {a["name"]: a for a in api("agent1").get(f"/petitions/{fresh['id']}/actions").data}
    assert "agency" in [c["value"] for c in listed["screen"]["choices"]["outcome"]]
