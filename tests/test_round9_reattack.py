"""A re-attack of this round's second batch (statistics links, review wording, extension SMS,
letters' agents, routing dates, 处理意见书 rounds, fixed-line SMS): each test failed on 4f519ad and
shows one fault of its kind, mended since."""

from __future__ import annotations

import datetime
import io

from django.test import Client

from daiban.org.models import User
from daiban.petitions.models import Petition
from tests.factories import id_number, petition_body
from tests.test_month_faults import accepted_on, answer_all, at, fed_back, sms


def login(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def _docx_text(content: bytes) -> str:
    import docx as python_docx

    d = python_docx.Document(io.BytesIO(content))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def test_result_letter_of_the_day_a_review_is_asked_still_points_to_review(api, org, clock):
    """Concluded, fed back and 复查 asked the same day (the petitioner, dissatisfied at the visit, asks at
    once). The 处理意见书 dated that day was handed over before the request: it must say 复查, but
    next_review_level(as_of=day) counts the review requested that day and the letter says 复核."""
    pid = fed_back(api, org, clock, "2026-09-16", "2026-09-30", "dissatisfied")
    a = api("agent1")
    before = _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content)
    assert "机关复查" in before
    r = a.act(pid, "request_review", {"level": "review", "requested_on": "2026-09-30", "reason": "补偿标准过低"})
    assert r.status_code == 200, r.data
    after = _docx_text(a.get(f"/petitions/{pid}/notices/result.docx").content)
    assert after == before, after


def test_a_routing_that_changes_the_track_keeps_the_centers_time_limit(api, org, clock):
    """The center finds the 复查 right with 限期 10-30 (told by SMS). The matter now needs several
    departments: agent1 routes it as 多部门协同. `track != p.track` clears the matter's date (no solution
    determined yet), and the 处置单 get none: the decided 10-30 is gone. As 一般事项 → 15 working days
    from the routing replace it the same way when the first round was multi-department."""
    from tests.test_round9 import found_right_with_a_limit

    pid = found_right_with_a_limit(api, org, clock)
    a = api("agent1")
    r = a.act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk],
                             "track": "multi_department"})
    assert r.status_code == 200, r.data
    assert r.data["due_on"] == "2026-10-30", r.data["due_on"]


def test_an_agents_statistics_card_lists_the_petitions_it_counts(api, org, clock):
    """agent1 (the bureau's room) is chosen by a 嘎鲁图 petitioner (信访人自主选择). agent1's statistics
    count the bureau's petitions (stats.queries.scope: station_scope), but with no station chosen the
    card's link carries no `under`, and the list shows every petition agent1 may see: 1 counted, 2
    listed (the by-agent row of agent1 likewise)."""
    import re

    clock.move_to(at("2026-09-16"))
    own = accepted_on(api, org, clock, "2026-09-16")
    r = api("agent12").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=71)}))
    assert r.status_code == 201, r.data
    other = r.data
    r = api("agent12").act(other["id"], "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                                   "agent_chosen_by": "petitioner", "notification": "written"})
    assert r.status_code == 200, r.data
    c = login("agent1")
    html = c.get("/staff/stats/", {"from": "2026-09-01", "to": "2026-09-30"}).content.decode()
    m = re.search(r'href="([^"]+)"><div class="small text-muted">收到信访事项</div>'
                  r'<div class="card-count" data-kpi="received">(\d+)', html)
    assert m, html[:3000]
    listed = c.get(m.group(1).replace("&amp;", "&")).content.decode()
    counted = int(m.group(2))
    shown = [n for n in (Petition.objects.get(pk=own).number, other["number"]) if n in listed]
    assert len(shown) == counted, (counted, shown)


def _landline_petition(api, by: str, serial: int) -> dict:
    r = api(by).post("/petitions", petition_body(petitioner={"id_number": id_number(serial=serial),
                                                             "phone": "0477-7654321"}))
    assert r.status_code == 201, r.data
    return r.data


def test_a_township_stations_landline_receipt_reaches_someone(api, org):
    """agent12 registers a 嘎鲁图 petitioner's fixed line. The receipt (with its 查询码) is kept as
    `landline` and is to be said on the phone; with no agent yet it goes to the station's leaders, and
    嘎鲁图 has none (its only staff is agent12): the notice goes to nobody, the row says 已提醒代办员."""
    from daiban.notifications.models import Notification

    p = _landline_petition(api, "agent12", 72)
    assert Notification.objects.get(petition_id=p["id"], channel="sms", template="receipt").state == "landline"
    told = Notification.objects.filter(petition_id=p["id"], channel="in_app", template="sms_landline")
    assert told.exists(), "nobody is told to phone the petitioner"


def test_an_undone_step_withdraws_the_call_it_asked_for(api, org):
    """A landline petitioner declined by mistake; the screening is undone within minutes (for a mobile
    the queued SMS is cancelled: "the petitioner is not told of a step that no longer stands"). The
    leaders' in-app "请电话告知：…经甄别不予代办…" stays unread and unqualified: they phone a refusal
    that no longer stands."""
    from daiban.notifications.models import Notification
    from daiban.petitions import undo

    p = _landline_petition(api, "agent1", 73)
    assert api("agent1").act(p["id"], "screen", {"outcome": "declined", "reason": "judicial"}).status_code == 200
    ask = Notification.objects.filter(petition_id=p["id"], channel="in_app", template="sms_landline",
                                      body__contains="不予代办")
    assert ask.exists()
    undo.undo(petition_id=p["id"], user=User.objects.get(username="agent1"), reason="选错了结果")
    assert not ask.filter(state="sent").exists(), list(ask.values_list("recipient__username", "state"))


def test_no_delivery_ever_goes_to_a_fixed_line(api, org, monkeypatch):
    """Rows queued to a fixed line before 0006_landline_state (failed at the gateway, retried, or given
    up) were not converted by the migration, and the admin's 立即重试 puts a given-up one back: send_due
    hands the fixed-line number to the gateway. Nothing checks the number at delivery."""
    from daiban.notifications import services
    from daiban.notifications.models import Notification

    p = _landline_petition(api, "agent1", 74)
    row = Notification.objects.get(petition_id=p["id"], channel="sms", template="receipt")
    Notification.objects.filter(pk=row.pk).update(state="gave_up", attempts=7)  # as a pre-0006 row ended
    sent: list[str] = []
    monkeypatch.setattr(services, "get_backend",
                        lambda: type("B", (), {"send": lambda self, phone, text: sent.append(phone)})())
    admin = User.objects.get(username="admin")
    c = Client()
    c.force_login(admin)
    c.post("/admin/notifications/notification/", {"action": "retry_now", "_selected_action": [row.pk]})
    services.send_due()
    assert sent == [], sent


def test_after_a_re_review_no_sms_points_to_a_review_that_is_refused(api, org, clock):
    """复查 found right, handled, 复核 asked and found right, handled again, concluded and fed back
    dissatisfied (三级终结: no further review). The result SMS rightly leaves the clause out, but the
    feedback still opened a 30-day `review_request_due_on`, and a calendar change moving it sends
    "申请复查的截止日期由…改为…" (window_moved's fallback "复查"): a review the system refuses, of a
    date never told."""
    pid = fed_back(api, org, clock, "2026-09-16", "2026-09-30", "dissatisfied")
    a, center = api("agent1"), api("center")
    for level, asked, decided, answered in (("review", "2026-10-09", "2026-10-12", "2026-10-20"),
                                            ("re_review", "2026-10-26", "2026-10-28", "2026-11-05")):
        clock.move_to(at(asked))
        assert a.act(pid, "request_review", {"level": level, "reason": "仍不满意"}).status_code == 200
        clock.move_to(at(decided))
        r = center.act(pid, "decide_review", {"upheld": True, "note": "有理", "due_on": answered})
        assert r.status_code == 200, r.data
        r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
        assert r.status_code == 200, r.data
        clock.move_to(at(answered))
        answer_all(api, org, r.data)
        assert a.act(pid, "conclude", {"result": "再次处理"}).status_code == 200
        assert a.act(pid, "feedback", {"method": "visit", "satisfaction": "dissatisfied"}).status_code == 200
    p = Petition.objects.get(pk=pid)
    assert "申请复" not in [b for t, b in sms(pid) if t == "result"][-1]
    due = p.review_request_due_on
    if due is None:
        return  # no window opened: nothing to tell
    r = api("admin").post("/calendar/days", {"days": [{"date": due.isoformat(), "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    moved = [b for t, b in sms(pid) if t == "window_moved"]
    assert not any("申请复查" in b or "申请复核" in b for b in moved), moved


def test_the_unassigned_agent_row_links_to_its_own_petitions(api, org, clock):
    """By-agent table: the 未指定 row (petitions no agent holds: not yet screened, or screened out)
    counts 1 and links to link(), the whole period's list (2 petitions)."""
    import re

    accepted_on(api, org, clock, "2026-09-16")
    r = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=75)}))
    assert r.status_code == 201
    c = login("center")
    resp = c.get("/staff/stats/", {"from": "2026-09-01", "to": "2026-09-30"})
    [(row, url)] = [(row, url) for row, url in resp.context["by_agent"] if row["key"] is None]
    listed = c.get(url).content.decode()
    numbers = set(re.findall(r"WS-2026-\d{6}", listed))
    assert len(numbers) == row["received"], (row["received"], numbers, url)


def test_an_extension_never_told_is_not_told_as_moved(api, org, clock):
    """dept1's 处置单 is extended to exactly the matter's date (set by dept2's later 处置单): the matter's
    date did not move, so no extension SMS (petition_due_moved is False). recompute's `told` predicate
    (_extended and _carries: due_on == the matter's) still counts it as told: a calendar change then
    sends "延期后的办理期限由…改为…" of an extension the petitioner never heard of."""
    from daiban.petitions.models import Disposition
    from daiban.workdays.engine import add_workdays

    pid = accepted_on(api, org, clock, "2026-09-16")
    a = api("agent1")
    d1 = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    clock.move_to(at("2026-09-28"))
    r = a.act(pid, "route", {"departments": [org.departments[1].pk], "track": "standard"})
    matter_due = datetime.date.fromisoformat(r.data["due_on"])
    first = Disposition.objects.get(pk=d1)
    n = next(n for n in range(1, 11)
             if add_workdays(first.due_from, first.due_workdays + n).date == matter_due)
    clock.move_to(at("2026-10-09"))
    assert api("dept1").act_disposition(d1, "request_extension", {"workdays": n, "reason": "需测绘"}).status_code == 200
    assert api("duty").act_disposition(d1, "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    assert Disposition.objects.get(pk=d1).due_on == matter_due == Petition.objects.get(pk=pid).due_on
    assert not [b for t, b in sms(pid) if t == "extension"]  # nothing told
    day = add_workdays(datetime.date(2026, 10, 9), 1).date
    r = api("admin").post("/calendar/days", {"days": [{"date": day.isoformat(), "is_workday": False, "name": "调整"}]})
    assert r.status_code == 200, r.data
    moved = [b for t, b in sms(pid) if t == "window_moved"]
    assert not any("延期后的办理期限" in b for b in moved), moved


def test_the_acceptance_notice_names_the_agent_designated_even_after_a_same_day_change(api, org, clock):
    """agent1 designated at 10:00 (the SMS names agent1); at 15:00 the same day duty replaces agent1
    (回避: a relative of the petitioner). agent_on() looks for reassignments `on__gt=day` only: the
    受理告知书 says agent2 was designated at acceptance, unlike the SMS of that morning."""
    from daiban.org.models import Agent

    pid = accepted_on(api, org, clock, "2026-09-16")
    clock.move_to(at("2026-09-16", 15))
    r = api("duty").act(pid, "reassign", {"agent_id": org.agent2.pk, "reason": "回避"})
    assert r.status_code == 200, r.data
    first = Agent.objects.get(pk=org.agent1.pk)
    text = _docx_text(api("agent2").get(f"/petitions/{pid}/notices/acceptance.docx").content)
    assert f"代办员{first.name}为你无偿代办" in text, text


def test_sms_queued_to_a_fixed_line_before_the_fix_are_kept_as_landline(api, org):
    """The data migration (notifications 0007) turns rows given up on a fixed line into `landline`
    (queued and failed ones are the sender's: tests/test_round9_third.py); a mobile's row is left alone."""
    import importlib

    from django.apps import apps

    from daiban.notifications.models import Notification

    migration = importlib.import_module("daiban.notifications.migrations.0007_landline_rows")
    fixed = _landline_petition(api, "agent1", 75)
    mobile = api("agent1").post("/petitions", petition_body(petitioner={"id_number": id_number(serial=76)})).data
    Notification.objects.filter(petition_id__in=[fixed["id"], mobile["id"]], channel="sms").update(state="gave_up")
    migration.to_landline(apps, None)
    assert set(Notification.objects.filter(petition_id=fixed["id"], channel="sms").values_list("state", flat=True)) == {"landline"}
    assert set(Notification.objects.filter(petition_id=mobile["id"], channel="sms").values_list("state", flat=True)) == {"gave_up"}
