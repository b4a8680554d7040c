"""A third re-attack, on the mends of the second (ae50e40..35d8e8a): each test failed on 35d8e8a and
shows one fault of its kind, mended since."""

from __future__ import annotations

from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions.models import Petition
from tests.factories import id_number, petition_body
from tests.test_month_faults import at, sms
from tests.test_round9 import found_right_with_a_limit


def test_a_solution_determined_keeps_the_date_a_review_decision_fixed(api, org, clock):
    """The center finds the 复查 right, 限期 10-30 (told by SMS). agent1 routes it as 多部门协同: the fix
    keeps 10-30 for the matter and its 处置单. Two days later the solution is determined: the matter
    and every 处置单 get 30 working days from then (12-03), the decided 10-30 is gone without any
    decision, and the petitioner, told 10-30, hears nothing."""
    pid = found_right_with_a_limit(api, org, clock)
    a = api("agent1")
    r = a.act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                             "track": "multi_department"})
    assert r.status_code == 200 and r.data["due_on"] == "2026-10-30", r.data
    clock.move_to(at("2026-10-22"))
    r = a.act(pid, "determine_solution", {"determined_on": "2026-10-22"})
    assert r.status_code == 200, r.data
    assert r.data["due_on"] == "2026-10-30", r.data["due_on"]


def test_the_landline_call_goes_to_someone_who_can_see_the_number(api, org):
    """agent12 registers a 嘎鲁图 petitioner's fixed line (嘎鲁图 has no leaders). case_workers falls
    back to the registrar: agent12 is told "请电话告知…", but agent12 is not the assigned agent, station
    leader or center (see_personal_data), so the case shows the number masked (047****4321)."""
    from daiban.petitions.abilities import may_see_personal_data

    r = api("agent12").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=81),
                                                                    "phone": "0477-7654321"}))
    assert r.status_code == 201, r.data
    p = Petition.objects.get(pk=r.data["id"])
    told = list(Notification.objects.filter(petition=p, channel="in_app", template="sms_landline")
                .select_related("recipient"))
    assert told
    shown = api("agent12").get(f"/petitions/{p.pk}").data["petitioner"]["phone"]
    assert all(may_see_personal_data(n.recipient, p) for n in told), (
        [n.recipient.username for n in told], shown)


def test_a_call_request_made_by_the_sender_is_withdrawn_with_its_step(api, org, monkeypatch):
    """A fixed-line SMS still queued from before fixed lines were told apart (as 0006 left them, no
    in-app request): send_due finds it and asks the agent to phone (_to_landline). That notice is
    written outside any event (current_event is None), so when the screening is undone, withdraw(event)
    marks the SMS cancelled but the call request stays unread and unqualified."""
    from daiban.notifications import services
    from daiban.petitions import undo

    r = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=82),
                                                                   "phone": "0477-7654321"}))
    pid = r.data["id"]
    assert api("agent1").act(pid, "screen", {"outcome": "declined", "reason": "judicial"}).status_code == 200
    row = Notification.objects.get(petition_id=pid, channel="sms", template="screened_declined")
    Notification.objects.filter(pk=row.pk).update(state="queued")  # as a row queued before 0006
    Notification.objects.filter(petition_id=pid, channel="in_app", template="sms_landline").delete()
    monkeypatch.setattr(services, "get_backend", lambda: type("B", (), {"send": lambda self, phone, text: None})())
    services.send_due()
    ask = Notification.objects.filter(petition_id=pid, channel="in_app", template="sms_landline",
                                      body__contains="不予代办")
    assert ask.exists()
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="选错了结果")
    assert not ask.filter(state="sent").exists(), list(ask.values_list("recipient__username", "state", "event_id"))


def test_extensions_told_before_petition_due_moved_was_recorded_stay_told(api, org, clock):
    """From 8c66722 to 5561a40 every approved extension was told by SMS ("办理期限延至…") and its event
    had no `petition_due_moved`. petitions 0025 marks told only approvals whose event says
    petition_due_moved: those SMS'd approvals become told=False and a calendar change moving their
    date (still the matter's) is never re-told."""
    import importlib

    from django.apps import apps

    from daiban.petitions.models import Event
    from daiban.petitions.practice_models import ExtensionRequest
    from tests.test_month_faults import accepted_on

    pid = accepted_on(api, org, clock, "2026-09-16")
    a = api("agent1")
    d1 = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    clock.move_to(at("2026-09-28"))
    assert api("dept1").act_disposition(d1, "request_extension", {"workdays": 5, "reason": "需测绘"}).status_code == 200
    assert api("duty").act_disposition(d1, "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    assert [b for t, b in sms(pid) if t == "extension"]  # told
    event = Event.objects.filter(petition_id=pid, action="disposition_decide_extension").get()
    data = {k: v for k, v in event.data.items() if k != "petition_due_moved"}  # as written before 5561a40
    from daiban.audit.guard import maintenance

    with maintenance():  # the row as it was written then
        Event.objects.filter(pk=event.pk).update(data=data)
    ExtensionRequest.objects.update(told=False)
    importlib.import_module("daiban.petitions.migrations.0025_extension_told").told_before(apps, None)
    assert ExtensionRequest.objects.get(approved=True).told


def test_an_agents_hotspots_are_those_of_the_figures_beside_them(api, org, clock):
    """Two 嘎鲁图 petitioners with the same grievance both choose agent1 (信访人自主选择). agent1's
    statistics without a station chosen count only the bureau's petitions (station_scope), and so do
    they with the bureau chosen; but 矛盾纠纷热点 without a station reads visible_petitions (every
    petition agent1 holds anywhere): the 嘎鲁图 cluster shows beside figures that do not count it, and
    disappears when agent1 picks their own station, though the figures stay the same."""
    from django.test import Client

    clock.move_to(at("2026-09-16"))
    for serial in (91, 92):
        r = api("agent12").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=serial)}))
        assert r.status_code == 201, r.data
        r = api("agent12").act(r.data["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                                       "agent_chosen_by": "petitioner", "notification": "written"})
        assert r.status_code == 200, r.data
    c = Client()
    c.force_login(User.objects.get(username="agent1"))
    mine = c.get("/staff/stats/", {"from": "2026-09-01", "to": "2026-09-30"}).context
    own = c.get("/staff/stats/", {"from": "2026-09-01", "to": "2026-09-30", "station": org.bureau.pk}).context
    assert mine["summary"]["received"] == own["summary"]["received"] == 0
    shown = [p.number for h in mine["hotspots"] for p in h.petitions]
    assert shown == [p.number for h in own["hotspots"] for p in h.petitions], shown


def test_rows_the_migration_keeps_as_landline_are_still_phoned(api, org):
    """Before 0006 a fixed-line receipt (with its 查询码) was queued and failed at the gateway; nobody
    was asked to phone. notifications 0007 turns it into `landline` silently: send_due, which would
    have asked the case's workers to phone (_to_landline), never sees it again, and no one is ever
    told: the petitioner never gets the number and code."""
    import importlib

    from django.apps import apps

    r = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=93),
                                                                   "phone": "0477-7654321"}))
    pid = r.data["id"]
    Notification.objects.filter(petition_id=pid, channel="sms").update(state="failed")  # as before 0006
    Notification.objects.filter(petition_id=pid, channel="in_app", template="sms_landline").delete()
    importlib.import_module("daiban.notifications.migrations.0007_landline_rows").to_landline(apps, None)
    # The migration leaves a failed row to the sender, which keeps it as landline and asks for a call.
    from daiban.notifications.services import send_due

    send_due()
    assert set(Notification.objects.filter(petition_id=pid, channel="sms").values_list("state", flat=True)) == {"landline"}
    assert Notification.objects.filter(petition_id=pid, channel="in_app", template="sms_landline").exists()
