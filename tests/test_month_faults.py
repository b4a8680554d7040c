"""A bureau's real month, as a helper lived it: the rules the plan sets for dates and messages, each
fault found as one example of its kind.

- a date-dependent check asks of the action's date, not of today (a back-dated 终结 inside the
  review window needs the waiver);
- undo puts the floor for back-dated work back with the step;
- the matter is due when its last 处置单 is (routed again after a return);
- every calendar-dependent date says when its year is not confirmed;
- every date the petitioner holds is told again when it changes, and every decision that gives them
  a new one is told (终结 made again, 延期 under the regulation, 复查 decided, the calendar moving the
  review window); an urging reaches the department it urges;
- a limit in calendar days is counted in days on the workbench, and a late follow-up says it is late.
"""

from __future__ import annotations

import datetime

from daiban.notifications.models import Notification
from daiban.notifications.sweep import run_sweep
from daiban.org.models import User
from daiban.petitions import undo
from daiban.petitions.models import Petition
from tests.factories import id_number, petition_body

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    d = datetime.date.fromisoformat(day)
    return datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


def accepted_on(api, org, clock, day: str) -> int:
    clock.move_to(at(day))
    a = api("agent1")
    r = a.post("/petitions", petition_body(petitioner={"id_number": id_number()}))
    assert r.status_code == 201, r.data
    r = a.act(r.data["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                       "agent_chosen_by": "designated", "notification": "written"})
    assert r.status_code == 200, r.data
    return r.data["id"]


def answer_all(api, org, data: dict) -> None:
    handlers = {d.pk: f"dept{i}" for i, d in enumerate(org.departments, start=1)}
    for d in data["dispositions"]:
        if d["status"] in ("routed", "received"):
            r = api(handlers[d["department"]["id"]]).act_disposition(d["id"], "result", {"result": "已处理"})
            assert r.status_code == 200, r.data


def fed_back(api, org, clock, accepted: str, answered: str, satisfaction: str) -> int:
    """A petition accepted on `accepted`, routed, answered and concluded on `answered`, fed back."""
    pid = accepted_on(api, org, clock, accepted)
    a = api("agent1")
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    clock.move_to(at(answered))
    answer_all(api, org, r.data)
    assert a.act(pid, "conclude", {"result": "已依法处理"}).status_code == 200
    r = a.act(pid, "feedback", {"method": "visit", "satisfaction": satisfaction})
    assert r.status_code == 200, r.data
    return pid


def sms(pid: int) -> list[tuple[str, str]]:
    """The SMS the petitioner gets: queued or sent, not cancelled (a step taken back before it went out)."""
    return [(n.template, n.body) for n in Notification.objects.filter(petition_id=pid, channel="sms")
            .exclude(state=Notification.State.CANCELLED).order_by("id")]


def test_a_back_dated_termination_inside_the_review_window_needs_the_waiver(api, org, clock):
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    assert Petition.objects.get(pk=pid).review_request_due_on == datetime.date(2026, 11, 19)
    clock.move_to(at("2026-11-25"))  # the window closed yesterday's week; the paper says 11-05
    r = api("agent1").act(pid, "terminate", {"note": "补录", "on": "2026-11-05"})
    assert r.status_code == 409 and r.data["error"]["code"] == "review_window_open", r.data
    assert Petition.objects.get(pk=pid).status == "feedback_given"
    # With the written waiver it is recorded as waived, dated as the paper says.
    r = api("agent1").act(pid, "terminate", {"note": "信访人书面放弃", "on": "2026-11-05", "waived": True})
    assert r.status_code == 200, r.data
    assert r.data["terminated_on"] == "2026-11-05"
    assert "书面放弃" in Petition.objects.get(pk=pid).events.get(action="terminate").note
    # Dated after the window closed, no waiver is needed.
    other = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    clock.move_to(at("2026-11-25"))
    r = api("agent1").act(other, "terminate", {"note": "补录", "on": "2026-11-20"})
    assert r.status_code == 200, r.data


def test_undo_lets_the_step_be_entered_again_with_its_earlier_date(api, org, clock):
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-11-20", 10, 0))
    assert api("agent1").act(pid, "terminate", {"note": "终结"}).status_code == 200
    clock.move_to(at("2026-11-20", 10, 5))
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="日期录错")
    assert Petition.objects.get(pk=pid).last_event_on == datetime.date(2026, 10, 20)
    r = api("agent1").act(pid, "terminate", {"note": "终结", "on": "2026-10-21"})
    assert r.status_code == 200, r.data
    assert r.data["terminated_on"] == "2026-10-21"
    # Still never before the step before it.
    clock.move_to(at("2026-10-21", 10, 10))
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="再改")
    r = api("agent1").act(pid, "terminate", {"note": "终结", "on": "2026-10-19"})
    assert r.status_code == 400 and "2026-10-20" in r.data["error"]["message"], r.data


def test_routed_again_after_a_return_the_matter_is_due_when_the_new_department_is(api, org, clock):
    pid = accepted_on(api, org, clock, "2026-10-09")
    a = api("agent1")
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    assert r.data["due_on"] == "2026-10-29"
    first = r.data["dispositions"][0]["id"]
    clock.move_to(at("2026-10-26"))
    r = api("dept1").act_disposition(first, "return", {"reason": "不属于本单位职责"})
    assert r.status_code == 200, r.data
    r = a.act(pid, "route", {"departments": [org.departments[1].pk]})
    assert r.status_code == 200, r.data
    new = [d for d in r.data["dispositions"] if d["id"] != first][0]
    assert new["due_on"] == "2026-11-16"
    assert r.data["due_on"] == "2026-11-16"
    assert "随之延至 2026-11-16" in Petition.objects.get(pk=pid).events.filter(action="route").last().note
    clock.move_to(at("2026-11-05"))
    assert api("agent1").get(f"/petitions/{pid}").data["overdue"] is False


def test_every_deadline_in_an_unconfirmed_year_says_so(api, org, clock):
    pid = fed_back(api, org, clock, "2026-12-21", "2027-01-08", "dissatisfied")
    detail = api("agent1").get(f"/petitions/{pid}").data
    assert detail["review_request_due_on"].startswith("2027-")
    assert "review_request_due_on" in detail["provisional_deadlines"]
    page = api("agent1").client
    page.force_login(User.objects.get(username="agent1"))
    html = page.get(f"/staff/petitions/{pid}/").content.decode()
    review_due = html[html.index('data-testid="review-request-due"'):]
    assert "该年度节假日安排未确认" in review_due[:400]


def test_a_termination_made_again_tells_the_new_follow_up_date(api, org, clock):
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-11-20", 10, 0))
    api("agent1").act(pid, "terminate", {"note": "终结"})
    clock.move_to(at("2026-11-20", 10, 5))
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="还不该终结")
    clock.move_to(at("2026-11-27", 10, 0))
    assert api("agent1").act(pid, "terminate", {"note": "终结"}).status_code == 200
    follow_ups = [body for template, body in sms(pid) if template == "follow_up"]
    # The first was taken back with its step before it went out (tests send nothing); the second stands.
    assert len(follow_ups) == 1 and "12月14日" in follow_ups[0], follow_ups


def test_the_regulation_s_extension_is_told_to_the_petitioner(api, org, clock):
    pid = accepted_on(api, org, clock, "2026-10-09")
    r = api("leader").act(pid, "extend", {"days": 30, "reason": "涉及多个部门，情况复杂"})
    assert r.status_code == 200, r.data
    sent = [body for template, body in sms(pid) if template == "extension"]
    due = datetime.date.fromisoformat(r.data["national"]["due_on"])
    assert sent == [f"【乌审旗信访代办】您的事项{r.data['number']}情况复杂，经批准延期办理，办理期限延至"
                    f"{due.month}月{due.day}日。代办员将继续跟踪督办。"]


def test_a_review_decision_is_told_with_the_next_window(api, org, clock):
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    clock.move_to(at("2026-10-26"))
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": "补偿标准不对"}).status_code == 200
    clock.move_to(at("2026-11-09"))
    r = api("center").act(pid, "decide_review", {"upheld": False, "note": "维持"})
    assert r.status_code == 200, r.data
    assert r.data["review_request_due_on"] == "2026-12-09"
    assert [b for t, b in sms(pid) if t == "review_maintained"] == [
        f"【乌审旗信访代办】经复查，您的事项{r.data['number']}维持原处理意见。如不服可在12月9日前申请复核。"]
    # Upheld: the date it is to be resolved by.
    other = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    clock.move_to(at("2026-10-26"))
    api("agent1").act(other, "request_review", {"level": "review", "reason": "补偿标准不对"})
    r = api("center").act(other, "decide_review", {"upheld": True, "due_on": "2026-11-30", "note": "有理"})
    assert r.status_code == 200, r.data
    assert [b for t, b in sms(other) if t == "review_upheld"] == [
        f"【乌审旗信访代办】经复查，您的事项{r.data['number']}申请有理，有关部门须在11月30日前解决，可凭查询码在网上查看。"]


def test_a_calendar_change_that_moves_the_review_window_tells_the_petitioner(api, org, clock):
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    untouched = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-10-21"))
    r = api("admin").post("/calendar/days", {"days": [{"date": "2026-11-19", "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    p = Petition.objects.get(pk=pid)
    assert p.review_request_due_on == datetime.date(2026, 11, 20)
    assert [b for t, b in sms(pid) if t == "window_moved"] == [
        f"【乌审旗信访代办】因节假日安排调整，您的事项{p.number}申请复查的截止日期由11月19日改为11月20日。"]
    assert not [t for t, _ in sms(untouched) if t == "window_moved"]


def test_urging_reaches_the_department_it_urges(api, org, clock):
    pid = accepted_on(api, org, clock, "2026-09-16")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    disposition = r.data["dispositions"][0]
    dept1 = User.objects.get(username="dept1")
    r = api("agent1").act(pid, "urge", {"disposition_id": disposition["id"], "note": "请于本周内报送处理结果"})
    assert r.status_code == 200, r.data
    mine = Notification.objects.filter(recipient=dept1, template="disposition_urged")
    assert [n.body for n in mine] == [f"处置单 {disposition['number']} 催办：请于本周内报送处理结果（办理时限 10月13日）"]
    # The sweep's urgings too, once a working day.
    run_sweep(day=datetime.date(2026, 10, 9), send=False)
    run_sweep(day=datetime.date(2026, 10, 14), send=False)
    bodies = [n.body for n in mine.order_by("id")][1:]
    assert bodies == [f"处置单 {disposition['number']} 催办：系统自动催办（将于10月13日到期）（办理时限 10月13日）",
                      f"处置单 {disposition['number']} 催办：系统自动催办（已超期1个工作日）（办理时限 10月13日）"]


def test_follow_up_limits_count_calendar_days_and_a_late_one_says_so(api, org, clock):
    pid = fed_back(api, org, clock, "2026-09-16", "2026-09-28", "satisfied")
    clock.move_to(at("2026-09-29"))
    r = api("agent1").act(pid, "terminate", {"note": "终结"})
    assert r.data["follow_up_due_on"] == "2026-10-14"
    clock.move_to(at("2026-10-20"))
    run_sweep(day=datetime.date(2026, 10, 20), send=False)
    agent = User.objects.get(username="agent1")
    late = Notification.objects.filter(recipient=agent, petition_id=pid, template="follow_up_overdue")
    assert [n.body for n in late] == [f"信访事项 {r.data['number']} 回访已超期（时限 10月14日），请尽快回访"]
    page = api("agent1").client
    page.force_login(agent)
    html = page.get("/staff/").content.decode()
    assert "超期6日" in html and "超期6个工作日" not in html and "超期4个工作日" not in html


def test_a_termination_made_again_on_the_same_day_says_nothing_new(api, org, clock):
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-11-20", 10, 0))
    api("agent1").act(pid, "terminate", {"note": "终结"})
    clock.move_to(at("2026-11-20", 10, 5))
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="说明写错了")
    assert api("agent1").act(pid, "terminate", {"note": "终结，说明已更正"}).status_code == 200
    assert len([t for t, _ in sms(pid) if t == "follow_up"]) == 1


def test_an_undone_step_tells_nothing_and_its_unsent_message_is_withdrawn(api, org, clock):
    """Actor: agent1 terminates at 10:00 and takes it back at 10:05. Whether the worker ran before the
    undo (the SMS queued) or after it (nothing to queue), the petitioner is not told of a 终结 that no
    longer stands; a message already sent stays sent, and the step made again is told once."""
    from daiban.notifications.services import send_due
    from daiban.petitions.events import run_consumer
    from daiban.petitions.models import Event

    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-11-20", 10, 0))
    assert api("agent1").act(pid, "terminate", {"note": "终结"}).status_code == 200
    queued = Notification.objects.get(petition_id=pid, template="follow_up")
    assert queued.event.action == "terminate"
    clock.move_to(at("2026-11-20", 10, 5))
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="还不该终结")
    queued.refresh_from_db()
    assert queued.state == Notification.State.CANCELLED and queued.dedupe_key is None
    send_due()
    queued.refresh_from_db()
    assert queued.state == Notification.State.CANCELLED
    assert [t for t, _ in sms(pid) if t == "follow_up"] == []
    # The worker late: its consumer for the undone step runs after the undo and queues nothing.
    step = Event.objects.filter(petition_id=pid, action="terminate").latest("id")
    run_consumer.call("daiban.notifications.consumers.follow_up_announced", step.pk)
    assert [t for t, _ in sms(pid) if t == "follow_up"] == []
    # Made again the same day: told once.
    assert api("agent1").act(pid, "terminate", {"note": "终结，说明已更正"}).status_code == 200
    assert len([t for t, _ in sms(pid) if t == "follow_up"]) == 1


def test_a_message_queued_before_its_step_was_undone_is_not_sent(org, api, clock):
    """Actor: the SMS sender (manage.py notify) meeting a message whose step was undone before the
    undo's own consumer ran: it cancels it instead of sending."""
    from daiban.notifications.services import send_due
    from daiban.petitions.models import Event

    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-11-20", 10, 0))
    assert api("agent1").act(pid, "terminate", {"note": "终结"}).status_code == 200
    step = Event.objects.filter(petition_id=pid, action="terminate").latest("id")
    # An undo recorded without its consumers having run (the worker is behind).
    Event.record(Petition.objects.get(pk=pid), "undo", actor=User.objects.get(username="agent1"),
                 data={"undid": step.pk})
    row = Notification.objects.get(petition_id=pid, template="follow_up")
    assert row.state == Notification.State.QUEUED
    counts = send_due()
    row.refresh_from_db()
    assert row.state == Notification.State.CANCELLED and counts["cancelled"] >= 1


def test_a_matter_whose_date_was_never_fixed_is_late_after_the_regulation_s_limit(api, org, clock):
    """Actor: the center reading the on-time rate. A multi-department matter accepted 2026-09-18 whose
    solution was never determined (no 办结时限) and concluded 2026-12-20 is late: the regulation's 60
    days ended in November. /stats, the departments' ranking and the ledger's 是否按期 say so alike."""
    import io

    import openpyxl

    pid = accepted_on(api, org, clock, "2026-09-18")
    a = api("agent1")
    r = a.act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                             "track": "multi_department"})
    assert r.status_code == 200, r.data
    petition = Petition.objects.get(pk=pid)
    assert petition.due_on is None and petition.national_due_on is not None
    # The sweep urges the departments once the regulation's limit is near or past (待定 is no date).
    run_sweep(day=datetime.date(2026, 11, 18), send=False)
    urged = Notification.objects.filter(template="disposition_urged", petition_id=pid)
    assert {n.recipient.username for n in urged} >= {"dept1", "dept2"}
    clock.move_to(at("2026-12-18"))
    # Past the regulation's limit with no date fixed: overdue on the list, the workbench and the
    # department's own queue (first there, marked).
    from django.test import Client

    handler = Client()
    handler.force_login(User.objects.get(username="dept1"))
    queue = handler.get("/staff/dispositions/").content.decode()
    mine = next(d for d in r.data["dispositions"] if d["department"]["id"] == org.departments[0].pk)
    assert f'data-disposition="{mine["id"]}" class="table-danger" data-overdue="1"' in queue
    assert petition.number in [i["number"] for i in api("agent1").get("/petitions", overdue="true").data["items"]]
    assert petition.number not in [i["number"] for i in api("agent1").get("/petitions", overdue="false").data["items"]]
    answer_all(api, org, r.data)
    clock.move_to(at("2026-12-21"))
    assert a.act(pid, "conclude", {"result": "已依法处理"}).status_code == 200
    period = {"from": "2026-09-01", "to": "2026-12-31"}
    totals = api("center").get("/stats", **period).data
    assert totals["concluded"] == 1 and totals["concluded_on_time"] == 0, totals
    ranking = {d["id"]: d for d in api("center").get("/stats/departments", **period).data}
    assert ranking[org.departments[0].pk]["on_time"] == 0 and ranking[org.departments[0].pk]["answered"] == 1
    response = api("center").client.get("/api/v1/ledger.xlsx", **api("center").headers)
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[3]]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1] == petition.number)
    assert row[header.index("是否按期")] == "否"


def test_a_review_found_right_starts_the_regulation_s_limit_again_everywhere(api, org, clock):
    """Actor: the center upholding a 复查 on 2026-11-09. The matter is handled again: the regulation's
    limit counts from the decision (60 days: 2027-01-08) on the case data, the public page and after
    a calendar change, as statutory_limit already did for the dates it allows."""
    from daiban.petitions import deadlines
    from daiban.petitions.recompute import recompute_after_calendar_change

    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    before = Petition.objects.get(pk=pid).national_due_on
    clock.move_to(at("2026-10-26"))
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": "补偿标准不对"}).status_code == 200
    clock.move_to(at("2026-11-09"))
    r = api("center").act(pid, "decide_review", {"upheld": True, "due_on": "2026-12-30", "note": "有理"})
    assert r.status_code == 200, r.data
    petition = Petition.objects.get(pk=pid)
    expected = deadlines.statutory(datetime.date(2026, 11, 9), deadlines.NATIONAL_HANDLING_DAYS)
    assert petition.national_due_on == expected != before
    assert api("agent1").get(f"/petitions/{pid}").data["national"]["due_on"] == expected.isoformat()
    public = api("agent1").client.get(f"/api/v1/public/petitions/{petition.number}", {"code": petition.query_code})
    assert public.json()["national_due_on"] == expected.isoformat()
    # A calendar change recomputes it from the same start (not from the acceptance again).
    recompute_after_calendar_change([expected])
    assert Petition.objects.get(pk=pid).national_due_on == expected


def test_a_calendar_change_tells_every_date_the_petitioner_was_told_once(api, org, clock):
    """Actors: agent1 registers one petition (its receipt SMS names the day it will be told how it
    is handled) and terminates another (its SMS names the follow-up day); the administrator then makes
    the days those dates fall on holidays. Each petitioner gets one SMS naming the moved date; a
    petition already screened is not told of its forwarding date (it was told the outcome)."""
    from tests.factories import petition_body

    # Registered on 11-09, told by 11-24: the change on 11-21 moves dates still to come (a date
    # already passed stays as it was, tests/test_closed_month.py).
    clock.move_to(at("2026-11-09"))
    r = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number()}))
    assert r.status_code == 201, r.data
    received = Petition.objects.get(pk=r.data["id"])
    screened = accepted_on(api, org, clock, "2026-11-09")
    ended = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "satisfied")
    clock.move_to(at("2026-11-20"))
    assert api("agent1").act(ended, "terminate", {"note": "终结"}).status_code == 200
    forward, follow_up = received.national_forward_due_on, Petition.objects.get(pk=ended).follow_up_due_on
    assert Petition.objects.get(pk=screened).national_forward_due_on == forward
    clock.move_to(at("2026-11-21"))
    r = api("admin").post("/calendar/days", {"days": [
        {"date": forward.isoformat(), "is_workday": False, "name": "调整"},
        {"date": follow_up.isoformat(), "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    received.refresh_from_db()
    moved_forward = received.national_forward_due_on
    moved_follow_up = Petition.objects.get(pk=ended).follow_up_due_on
    assert moved_forward != forward and moved_follow_up != follow_up
    day = lambda d: f"{d.month}月{d.day}日"  # noqa: E731
    assert [b for t, b in sms(received.pk) if t == "window_moved"] == [
        f"【乌审旗信访代办】因节假日安排调整，您的事项{received.number}告知办理方式的日期由{day(forward)}改为"
        f"{day(moved_forward)}。"]
    ended_number = Petition.objects.get(pk=ended).number
    assert [b for t, b in sms(ended) if t == "window_moved"] == [
        f"【乌审旗信访代办】因节假日安排调整，您的事项{ended_number}回访日期由{day(follow_up)}改为{day(moved_follow_up)}。"]
    assert not [t for t, _ in sms(screened) if t == "window_moved"]


def test_a_determined_solution_tells_each_department_its_date(api, org, clock):
    """Actor: agent1 fixing the solution of a multi-department matter: dept1 and dept2, told 待定 at
    the routing, are told the date."""
    pid = accepted_on(api, org, clock, "2026-09-16")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                                         "track": "multi_department"})
    assert r.status_code == 200, r.data
    clock.move_to(at("2026-09-18"))
    r = api("agent1").act(pid, "determine_solution", {"determined_on": "2026-09-18"})
    assert r.status_code == 200, r.data
    for handler, disposition in zip(("dept1", "dept2"), r.data["dispositions"], strict=True):
        told = Notification.objects.filter(recipient__username=handler, template="disposition_due_set")
        assert [n.body for n in told] == [f"处置单 {disposition['number']} 的解决方案已确定，办理时限 11月5日"]


def test_an_agent_who_left_is_not_the_one_told(api, org, clock):
    """Actor: the administrator deactivating agent1, whose case then gets a department's answer: the
    station's leaders are told (they reassign it), not the closed account; the sweep's reminders
    skip it."""
    pid = accepted_on(api, org, clock, "2026-09-16")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    disposition = r.data["dispositions"][0]
    second = accepted_on(api, org, clock, "2026-09-16")
    assert api("agent1").act(second, "route", {"departments": [org.departments[1].pk],
                                               "track": "standard"}).status_code == 200
    User.objects.filter(username="agent1").update(is_active=False)
    assert api("dept1").act_disposition(disposition["id"], "result", {"result": "已处理"}).status_code == 200
    answered = Notification.objects.filter(template="disposition_answered", petition_id=pid)
    assert answered.exists() and not answered.filter(recipient__username="agent1").exists()
    assert answered.filter(recipient__username="leader").exists()
    run_sweep(day=datetime.date(2026, 10, 12), send=False)
    assert Notification.objects.filter(template="disposition_urged", petition_id=second).exists()  # the sweep ran
    assert not Notification.objects.filter(recipient__username="agent1", template__in=["due_soon", "overdue"]).exists()
    assert Notification.objects.filter(recipient__username="leader", template="due_soon", petition_id=second).exists()


def test_every_screening_outcome_is_told_as_the_receipt_promised(api, org, clock):
    """Actor: agent1 screening four petitions otherwise than into agency: each petitioner, promised
    by the receipt to hear how it is handled, gets one SMS saying so (no reason on the phone)."""
    clock.move_to(at("2026-10-09"))
    a = api("agent1")
    cases = {
        "direct_reply": ({"reply": "经核实，补偿款已于上月发放。"}, "screened_answered", "已作答复"),
        "legal_channel": ({"reply": "请依法申请行政复议。"}, "screened_legal", "法定途径"),
        "guided": ({"reply": "已引导至登记中心窗口。"}, "screened_guided", "引导"),
        "declined": ({"reason": "judicial", "reply": "已进入诉讼程序。"}, "screened_declined", "不予代办"),
    }
    for outcome, (extra, template, words) in cases.items():
        r = a.post("/petitions", petition_body(petitioner={"id_number": id_number()}))
        assert r.status_code == 201, r.data
        done = a.act(r.data["id"], "screen", {"outcome": outcome, "notification": "written", **extra})
        assert done.status_code == 200, (outcome, done.data)
        told = [b for t, b in sms(r.data["id"]) if t == template]
        assert len(told) == 1 and words in told[0] and r.data["number"] in told[0], (outcome, sms(r.data["id"]))
        assert "诉讼程序" not in told[0]


def test_the_upgrade_recounts_the_limit_of_matters_whose_review_was_found_right(api, org, clock):
    """The migration 0024 puts right what an earlier version stored (the limit from acceptance)."""
    import importlib

    from django.apps import apps

    from daiban.petitions import deadlines

    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    clock.move_to(at("2026-10-26"))
    assert api("agent1").act(pid, "request_review", {"level": "review", "reason": "补偿标准不对"}).status_code == 200
    clock.move_to(at("2026-11-09"))
    assert api("center").act(pid, "decide_review", {"upheld": True, "due_on": "2026-12-30"}).status_code == 200
    right = Petition.objects.get(pk=pid).national_due_on
    stale = deadlines.statutory(datetime.date(2026, 10, 9), deadlines.NATIONAL_HANDLING_DAYS)
    Petition.objects.filter(pk=pid).update(national_due_on=stale)
    importlib.import_module("daiban.petitions.migrations.0024_national_due_after_upheld_review").recount(apps, None)
    assert Petition.objects.get(pk=pid).national_due_on == right != stale


def test_a_calendar_change_tells_each_department_whose_date_moved_once(api, org, clock):
    """Actor: the administrator making a working day inside dept1's 处置单 window a holiday: dept1's
    handlers are told once, naming the 处置单 (they were told the old date at the routing)."""
    pid = accepted_on(api, org, clock, "2026-11-02")
    r = api("agent1").act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    disposition = r.data["dispositions"][0]
    before = disposition["due_on"]
    clock.move_to(at("2026-11-03"))
    r = api("admin").post("/calendar/days", {"days": [{"date": "2026-11-10", "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    after = api("agent1").get(f"/petitions/{pid}").data["dispositions"][0]["due_on"]
    assert after != before
    told = Notification.objects.filter(recipient__username="dept1", template="dispositions_moved")
    assert told.count() == 1 and disposition["number"] in told.get().body, [n.body for n in told]
    assert not Notification.objects.filter(recipient__username="dept2", template="dispositions_moved").exists()


def test_an_undo_after_a_calendar_change_restores_the_window_of_today_s_calendar(api, org, clock):
    """Actors: agent1 terminates a matter whose review window ended 11-19; the administrator then makes
    11-19 a holiday (the recomputation skips a terminated matter); agent1 undoes the 终结. The window
    restored is the new calendar's (11-20), not the date saved before the step."""
    pid = fed_back(api, org, clock, "2026-10-09", "2026-10-20", "dissatisfied")
    assert Petition.objects.get(pk=pid).review_request_due_on == datetime.date(2026, 11, 19)
    clock.move_to(at("2026-11-20", 10, 0))
    assert api("agent1").act(pid, "terminate", {"note": "终结"}).status_code == 200
    clock.move_to(at("2026-11-20", 10, 2))
    r = api("admin").post("/calendar/days", {"days": [{"date": "2026-11-19", "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    clock.move_to(at("2026-11-20", 10, 5))
    undo.undo(petition_id=pid, user=User.objects.get(username="agent1"), reason="还不该终结")
    assert Petition.objects.get(pk=pid).review_request_due_on == datetime.date(2026, 11, 20)
