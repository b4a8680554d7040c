"""Workflow review round: what a page offers is what the server accepts, for that actor and on that
day; a returned 处置单 stays in sight; a request's notice goes to those who can decide it; a date the
center fixes never comes before an open 处置单's; the petitioner's 复查 window as the SMS says it."""

from __future__ import annotations

import datetime
import re

from django.db import transaction

from daiban.lib.errors import Conflict, Forbidden, Invalid
from daiban.notifications.models import Notification
from daiban.org import roles
from daiban.org.models import Agent, User
from daiban.petitions import services
from daiban.petitions.actions import ACTIONS
from daiban.petitions.models import Disposition, Petition, Reassignment
from daiban.petitions.permissions import actor_kinds, stations_below
from daiban.staff.action_forms import fields_for
from tests.factories import login, petition_body


def _form(page: str, action: str) -> str:
    """The markup of one action's form on the case page."""
    found = re.search(rf'<details[^>]*data-action="{action}".*?</details>', page, re.S)
    assert found, action
    return found.group(0)


def _offered_values(form: str, name: str) -> set[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', form, re.S)
    assert select, name
    return {v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v}


# --- 1. choices offered are exactly what the server accepts from that actor --------------------------

def test_a_station_leader_is_offered_only_the_agents_the_server_accepts(api, routed, org, clock):
    """Actor: the bureau's leader on duty (`duty`) reassigns; the center for comparison."""
    petition = routed()
    pid = petition["id"]
    own = stations_below(org.bureau.pk)
    in_post = Agent.objects.filter(active=True).exclude(pk=org.agent1.pk)
    offered = _offered_values(_form(login("duty").get(f"/staff/petitions/{pid}/").content.decode(), "reassign"),
                              "agent_id")
    assert offered == {str(a.pk) for a in in_post if a.station_id in own}
    assert str(org.agent12.pk) not in offered
    # The center may pick any agent in post, and is offered every one.
    center = _offered_values(_form(login("center").get(f"/staff/petitions/{pid}/").content.decode(), "reassign"),
                             "agent_id")
    assert center == {str(a.pk) for a in in_post}
    # What the leader was not offered, the server refuses: 400 naming the field in Chinese, nothing changed.
    before = Petition.objects.get(pk=pid)
    refused = api("duty").act(pid, "reassign", {"agent_id": org.agent12.pk, "reason": "调整"})
    assert refused.status_code == 400
    assert "不属于本代办机构" in refused.data["error"]["fields"]["agent_id"]
    after = Petition.objects.get(pk=pid)
    assert (after.agent_id, after.version) == (before.agent_id, before.version)
    assert not Reassignment.objects.filter(petition_id=pid).exists()
    # Every agent offered is accepted.
    for agent_id in sorted(offered, key=int)[:2]:
        with transaction.atomic():
            services.petition_act(petition_id=pid, action="reassign", user=User.objects.get(username="duty"),
                                  data={"agent_id": int(agent_id), "reason": "调整"})
            transaction.set_rollback(True)


def test_screening_says_which_agents_only_the_petitioner_may_choose(api, new_petition, org, clock):
    """Actor: agent1 screens at the bureau: another station's agent is accepted only as the
    petitioner's own choice (自主选择), and the select says so; the center may designate anyone."""
    pid = new_petition()["id"]
    petition = Petition.objects.get(pk=pid)
    agent1 = User.objects.get(username="agent1")
    fields = {f.name: f for f in fields_for(ACTIONS["screen"].input, petition, actor_kinds(agent1, petition))}
    labels = dict(fields["agent_id"].choices)
    assert "仅限信访人自主选择" in labels[org.agent12.pk]
    assert "仅限信访人自主选择" not in labels[org.agent2.pk]
    center = User.objects.get(username="center")
    fields = {f.name: f for f in fields_for(ACTIONS["screen"].input, petition, actor_kinds(center, petition))}
    assert "仅限信访人自主选择" not in dict(fields["agent_id"].choices)[org.agent12.pk]
    designated = api("agent1").act(pid, "screen", {"outcome": "agency", "agent_id": org.agent12.pk,
                                                    "agent_chosen_by": "designated", "notification": "written"})
    assert designated.status_code == 400 and "agent_id" in designated.data["error"]["fields"]
    assert Petition.objects.get(pk=pid).status == "received"


def test_the_review_level_offered_is_the_one_accepted(api, dissatisfied, clock):
    """Actor: agent1 records the petitioner's request; after a 复查 not upheld only 复核 is offered."""
    pid = dissatisfied()
    form = _form(login("agent1").get(f"/staff/petitions/{pid}/").content.decode(), "request_review")
    assert set(re.findall(r'name="level"[^>]*value="([a-z_]+)"', form)) == {"review"}
    api("agent1").act(pid, "request_review", {"level": "review", "reason": "补偿标准有误"})
    assert api("center").act(pid, "decide_review", {"upheld": False, "note": "维持"}).status_code == 200
    form = _form(login("agent1").get(f"/staff/petitions/{pid}/").content.decode(), "request_review")
    assert set(re.findall(r'name="level"[^>]*value="([a-z_]+)"', form)) == {"re_review"}


# --- 2. a returned 处置单 stays in sight -------------------------------------------------------------

def test_a_returned_disposition_stays_in_the_departments_lists_and_asks_the_agent_to_route_again(
        api, routed, org, clock):
    """Actor: dept1 returns its 处置单; agent1 then sees the matter waiting to be routed again."""
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    number = Disposition.objects.get(pk=did).number
    assert api("dept1").act_disposition(did, "return", {"reason": "不属于本单位职权"}).status_code == 200
    dept = login("dept1")
    queue = dept.get("/staff/dispositions/").content.decode()
    done = re.search(r'id="h-done".*?</section>', queue, re.S).group(0)
    assert number in done and "已退回" in done and "不属于本单位职权" in done
    listed = dept.get("/staff/petitions/").content.decode()
    assert petition["number"] in listed and 'data-testid="own-returned"' in listed
    # The agent's workbench: a card for matters whose 处置单 came back, linking to the list of them.
    agent = login("agent1")
    bench = agent.get("/staff/").content.decode()
    card = re.search(r'data-card="rerouting".*?</section>', bench, re.S).group(0)
    assert petition["number"] in card and 'data-testid="count-rerouting"' in card
    assert re.search(r'data-testid="count-rerouting"[^>]*>1<', card)
    assert petition["number"] in agent.get("/staff/petitions/", {"rerouting": "on"}).content.decode()
    # The API's list takes the same filter (it listed every petition, the filter unknown to it).
    assert [i["number"] for i in api("agent1").get("/petitions?rerouting=on").data["items"]] == [petition["number"]]
    assert api("agent1").get("/petitions?rerouting=abc").status_code == 400
    # Routed again: no longer waiting; the department still has its returned one in its history.
    again = api("agent1").act(pid, "route", {"departments": [org.departments[1].pk]})
    assert again.status_code == 200, again.data
    assert petition["number"] not in agent.get("/staff/petitions/", {"rerouting": "on"}).content.decode()
    assert re.search(r'data-testid="count-rerouting"[^>]*>0<', agent.get("/staff/").content.decode())
    assert api("agent1").get("/petitions?rerouting=true").data["items"] == []
    assert number in dept.get("/staff/dispositions/").content.decode()


# --- 3. a request's notice goes to those who can decide it ----------------------------------------------

def _told(did: int) -> set[str]:
    return set(Notification.objects.filter(template="extension_requested", body__contains=Disposition.objects.get(
        pk=did).number).values_list("recipient__username", flat=True))


def test_a_second_extension_request_is_told_only_to_the_center(api, routed, clock):
    """Actor: dept1 asks twice; the first request goes to the station's leaders and the center, the
    second (which only the center may approve) to the center alone."""
    petition = routed()
    did = petition["dispositions"][0]["id"]
    center = {u.username for u in User.objects.filter(is_active=True) if roles.CENTER in u.role_set}
    leaders = {u.username for u in User.objects.filter(is_active=True, station__code="bureau")
               if u.role_set & roles.STATION_LEADERS}
    assert leaders and center
    assert api("dept1").act_disposition(did, "request_extension", {"workdays": 3, "reason": "需测绘"}).status_code == 200
    assert _told(did) == leaders | center
    assert api("duty").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200
    Notification.objects.filter(template="extension_requested").delete()
    assert api("dept1").act_disposition(did, "request_extension", {"workdays": 2, "reason": "仍需测绘"}).status_code == 200
    assert _told(did) == center
    # As told: a leader may not approve it, the center may.
    assert api("duty").act_disposition(did, "decide_extension", {"approved": True}).status_code == 409
    assert api("center").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200


# --- 4. what is offered is what the guards allow ---------------------------------------------------------

def test_no_extension_is_offered_after_the_due_date(api, routed, clock):
    """Actor: dept1, the day after its 处置单 fell due."""
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    due = datetime.date.fromisoformat(petition["dispositions"][0]["due_on"])
    dept = User.objects.get(username="dept1")
    clock.move_to(datetime.datetime.combine(due, datetime.time(10)))
    p, d = Petition.objects.get(pk=pid), Disposition.objects.get(pk=did)
    assert "request_extension" in [a.name for a in services.available_disposition_actions(dept, p, d)]
    clock.move_to(datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(10)))
    assert "request_extension" not in [a.name for a in services.available_disposition_actions(dept, p, d)]
    late = api("dept1").act_disposition(did, "request_extension", {"workdays": 3, "reason": "需测绘"})
    assert late.status_code == 409 and "已过" in late.data["error"]["message"]
    # Paper work dated back to the due date itself is still in time.
    back = api("dept1").act_disposition(did, "request_extension",
                                        {"workdays": 3, "reason": "需测绘", "on": due.isoformat()})
    assert back.status_code == 200, back.data


class _Rollback(Exception):
    pass


def _sample(petition: Petition, act, kinds: frozenset[str], today: datetime.date) -> dict:
    """A plausible body for `act` from its page form: the first choice offered, text, 1, today, ticked."""
    body: dict = {}
    for f in fields_for(act.input, petition, kinds):
        values = [v for v, _ in f.choices if v != ""]
        if f.kind in ("select", "radio"):
            if values:
                body[f.name] = values[0]
        elif f.kind == "multiselect":
            body[f.name] = values[:1]
        elif f.kind in ("text", "textarea"):
            body[f.name] = "测试：乌审旗"
        elif f.kind == "number":
            body[f.name] = 1
        elif f.kind == "date":
            body[f.name] = today.isoformat()
        elif f.kind == "checkbox":
            body[f.name] = True
    if act.name == "opinion":
        body.setdefault("role", "leader_in_charge")
    return body


def _conflicts(users: list[User], petition_ids: list[int]) -> list[str]:
    """Every action offered to each user on each petition (and its 处置单), fired with a plausible body
    and rolled back: the ones refused with 409 (offered, yet the workflow refuses them now)."""
    today = datetime.date.today()
    found = []
    for pid in petition_ids:
        for user in users:
            p = Petition.objects.get(pk=pid)
            if not services.visible_ids(user, [pid]):
                continue
            offers = [(a, None) for a in services.available_actions(user, p)]
            for d in p.dispositions.all():
                offers += [(a, d) for a in services.available_disposition_actions(user, p, d)]
            for act, d in offers:
                kinds = actor_kinds(user, p, d)
                body = _sample(p, act, kinds, today)
                try:
                    with transaction.atomic():
                        if d is None:
                            services.petition_act(petition_id=pid, action=act.name, user=user, data=body)
                        else:
                            services.disposition_act(disposition_id=d.pk, action=act.name, user=user, data=body)
                        raise _Rollback
                except _Rollback:
                    pass
                except Conflict as exc:
                    found.append(f"{p.status}/{d.status if d else '-'} {user.username} {act.name}: {exc.message}")
                except (Invalid, Forbidden):
                    pass  # what was typed (a sample body), not the offer
    return found


def test_every_action_offered_in_each_state_is_allowed(api, routed, upheld, org, clock):
    """Actors: the agent, the station's leader, the center and the department, on petitions in each
    stage of the workflow (received, accepted, routed, escalated, concluded, fed back dissatisfied
    with the window open and closed, under review, terminated, followed up, with a 一案双查 open,
    a 处置单 with an extension waiting and one past its due date)."""
    a1 = api("agent1")
    ids = [upheld["id"]]
    received = a1.post("/petitions", petition_body(content="草原补偿款未发放到户")).data["id"]
    ids.append(received)
    routed_one = routed()
    ids.append(routed_one["id"])
    waiting = routed()
    api("dept1").act_disposition(waiting["dispositions"][0]["id"], "request_extension",
                                 {"workdays": 2, "reason": "需测绘"})
    ids.append(waiting["id"])
    escalated = routed()
    a1.act(escalated["id"], "escalate", {"to": "center", "reason": "跨部门"})
    ids.append(escalated["id"])

    def to_feedback(satisfaction: str) -> int:
        p = routed()
        api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "已答复"})
        a1.act(p["id"], "conclude", {"result": "已办理"})
        assert a1.act(p["id"], "feedback", {"method": "phone", "satisfaction": satisfaction}).status_code == 200
        return p["id"]

    dissatisfied = to_feedback("dissatisfied")
    understood = to_feedback("understanding")
    under_review = to_feedback("dissatisfied")
    a1.act(under_review, "request_review", {"level": "review", "reason": "补偿标准有误"})
    terminated = to_feedback("satisfied")
    a1.act(terminated, "terminate", {"note": "办结", "three_in_place": True})
    followed = to_feedback("satisfied")
    a1.act(followed, "terminate", {"note": "办结", "three_in_place": True})
    a1.act(followed, "follow_up", {"note": "已回访"})
    ids += [dissatisfied, understood, under_review, terminated, followed]
    users = [User.objects.get(username=n) for n in ("agent1", "duty", "center", "dept1")]
    assert _conflicts(users, ids) == []
    # Later: 处置单 past their dates, review windows closed.
    clock.move_to("2026-12-20")
    assert _conflicts(users, ids) == []


# --- 5. the center's date never comes before an open 处置单's -------------------------------------------

def test_an_escalation_returned_with_a_date_before_an_open_disposition_is_refused(api, routed, clock):
    """Actor: the center sends an escalated matter back with a new date."""
    petition = routed()
    pid, did = petition["id"], petition["dispositions"][0]["id"]
    assert api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需测绘"}).status_code == 200
    assert api("duty").act_disposition(did, "decide_extension", {"approved": True}).status_code == 200
    d_due = Disposition.objects.get(pk=did).due_on
    assert api("agent1").act(pid, "escalate", {"to": "center", "reason": "本站无法协调"}).status_code == 200
    before = Petition.objects.get(pk=pid)
    early = d_due - datetime.timedelta(days=1)
    refused = api("center").act(pid, "return_escalation", {"instructions": "请继续协调", "due_on": early.isoformat()})
    assert refused.status_code == 400
    message = refused.data["error"]["fields"]["due_on"]
    assert "不能早于未办结处置单" in message and f"{d_due:%Y-%m-%d}" in message
    after = Petition.objects.get(pk=pid)
    assert (after.status, after.due_on, after.version) == ("escalated", before.due_on, before.version)
    done = api("center").act(pid, "return_escalation", {"instructions": "请继续协调", "due_on": d_due.isoformat()})
    assert done.status_code == 200, done.data
    assert done.data["due_on"] == d_due.isoformat()
