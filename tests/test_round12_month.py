"""Round 12, a bureau's real month (statistics, dashboard, duty roster, the official calendar):

1. the dashboard's 环比 compares whole calendar periods (a month with the month before, a quarter
   with the quarter before, a year with the year before) and says on the page what it compares; a
   running or arbitrary period is not compared (the monthly report of a running month neither);
2. the duty roster follows a calendar the administrator changed after it was made, on its future
   days, and keeps the past days as they were;
3. a closed month's per-department 超期 is judged as of its last day, in the month where the
   deadline passed whatever month the petition came in, and does not change when looked at later.
"""

from __future__ import annotations

import datetime
import io
import re

import openpyxl

from daiban.org.models import User
from daiban.staff import roster
from daiban.staff.models import DutyDay
from tests.factories import id_number, login, petition_body

TZ = datetime.timezone(datetime.timedelta(hours=8))
D = datetime.date.fromisoformat


def at(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    d = D(day)
    return datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)



def take_in(api, org, clock, day: str, outcome: str = "agency", department: int | None = None) -> tuple[int, int | None]:
    """A petition received and screened on `day` (agency or a direct reply), routed to a department
    when one is given. Returns (petition id, 处置单 id or None)."""
    clock.move_to(at(day))
    a = api("agent1")
    r = a.post("/petitions", petition_body(petitioner={"id_number": id_number()}, received_on=day))
    assert r.status_code == 201, r.data
    pid = r.data["id"]
    body = ({"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated", "notification": "written"}
            if outcome == "agency" else {"outcome": "direct_reply", "reply": "政策解释"})
    assert a.act(pid, "screen", body).status_code == 200
    if department is None:
        return pid, None
    r = a.act(pid, "route", {"departments": [org.departments[department].pk], "track": "standard"})
    assert r.status_code == 200, r.data
    return pid, r.data["dispositions"][0]["id"]


# --- 1. 环比 over whole calendar periods ------------------------------------------------------------

def _month_pair(api, org, clock) -> None:
    """October: one agency on 10-01 and one direct reply on 10-05 (代办率 50%); November: one agency
    (100%). A 30-day window before November (10-02…10-31) would miss 10-01 and read 0%."""
    take_in(api, org, clock, "2026-10-01")
    take_in(api, org, clock, "2026-10-05", outcome="direct_reply")
    take_in(api, org, clock, "2026-11-10")


def test_a_whole_month_is_compared_with_the_whole_calendar_month_before(api, org, clock):
    _month_pair(api, org, clock)
    clock.move_to(at("2026-12-02"))
    page = login("center").get("/staff/stats/", {"from": "2026-11-01", "to": "2026-11-30"}).content.decode()
    said = re.search(r'data-testid="comparison">([^<]*)<', page).group(1)
    assert "2026年11月与2026年10月比较" in said and "完整的自然月" in said, said
    # Agency rate 100% against October's 50% (both October petitions counted): ↑50 points.
    delta = re.search(r'data-delta="agency_rate"[^>]*>([^<]*)<', page).group(1)
    assert delta == "↑50.0个百分点", delta
    # A fall reads ↓ and its size, never ↓-50.0 (down minus fifty).
    page = login("center").get("/staff/stats/", {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    assert "2026年10月与2026年9月比较" in page
    delta = re.search(r'data-delta="agency_rate"[^>]*>([^<]*)<', page)
    assert delta is None  # September has nothing screened: no rate to compare


def test_a_whole_quarter_and_a_whole_year_are_compared_with_the_previous_ones(api, org, clock):
    _month_pair(api, org, clock)
    clock.move_to(at("2027-01-05"))
    client = login("center")
    page = client.get("/staff/stats/", {"from": "2026-10-01", "to": "2026-12-31"}).content.decode()
    assert "2026年第四季度与2026年第三季度比较" in page
    page = client.get("/staff/stats/", {"from": "2026-01-01", "to": "2026-12-31"}).content.decode()
    assert "2026年与2025年比较" in page


def test_a_running_or_odd_period_is_not_compared_and_the_page_says_so(api, org, clock):
    _month_pair(api, org, clock)
    clock.move_to(at("2026-11-20"))
    client = login("center")
    page = client.get("/staff/stats/").content.decode()  # the default: the year so far
    assert "2026年尚未结束" in page and "查看2025年" in page and "查看2026年10月" in page
    for params in ({}, {"from": "2026-11-01"}, {"from": "2026-11-01", "to": "2026-11-30"}):
        page = client.get("/staff/stats/", params).content.decode()
        said = re.search(r'data-testid="comparison">(.*?)</p>', page, re.S).group(1)
        assert "尚未结束" in said and "不作环比" in said, (params, said)
        assert "data-delta=" not in page, params
    page = client.get("/staff/stats/", {"from": "2026-10-02", "to": "2026-10-31"}).content.decode()
    said = re.search(r'data-testid="comparison">(.*?)</p>', page, re.S).group(1)
    assert "不是一个完整的自然月" in said and "data-delta=" not in page
    # The link to the latest whole month does compare.
    assert "from=2026-10-01&amp;to=2026-10-31" in said


def test_a_fall_is_shown_as_a_fall_not_as_a_negative_fall(api, org, clock):
    take_in(api, org, clock, "2026-10-01")
    take_in(api, org, clock, "2026-11-02")
    take_in(api, org, clock, "2026-11-03", outcome="direct_reply")
    clock.move_to(at("2026-12-02"))
    page = login("center").get("/staff/stats/", {"from": "2026-11-01", "to": "2026-11-30"}).content.decode()
    delta = re.search(r'data-delta="agency_rate"[^>]*>([^<]*)<', page).group(1)
    assert delta == "↓50.0个百分点", delta


def test_the_monthly_report_of_a_running_month_is_not_compared_with_the_whole_month_before(api, org, clock):
    _month_pair(api, org, clock)
    clock.move_to(at("2026-11-20"))
    data = api("center").get("/stats/report.xlsx", month="2026-11")
    assert data.status_code == 200
    sheet_rows = [row for ws in openpyxl.load_workbook(io.BytesIO(data.content)).worksheets
                  for row in ws.iter_rows(values_only=True)]
    kpi = [row for row in sheet_rows if row and row[0] == "代办率"]
    assert kpi and kpi[0][3] == "本月尚未结束，不作环比", kpi
    clock.move_to(at("2026-12-01"))
    data = api("center").get("/stats/report.xlsx", month="2026-11")
    rows = [row for ws in openpyxl.load_workbook(io.BytesIO(data.content)).worksheets for row in ws.iter_rows(values_only=True)]
    kpi = [row for row in rows if row and row[0] == "代办率"]
    assert kpi[0][1:4] == (1.0, 0.5, "上升50.0个百分点"), kpi


# --- 2. the duty roster follows the calendar --------------------------------------------------------

def mark(api, day: str, workday: bool, name: str) -> None:
    r = api("admin").post("/calendar/days", {"days": [{"date": day, "is_workday": workday, "name": name}], "reason": name})
    assert r.status_code == 200, r.data


def test_the_roster_follows_a_calendar_changed_after_it_was_made(api, org, clock):
    clock.move_to(at("2026-11-02"))
    made = {d.date: (d.leader_id, d.receptionist_id) for d in roster.generate_month(org.bureau, 2026, 11)}
    assert D("2026-11-20") in made and D("2026-11-21") not in made  # a Friday on duty, a Saturday not
    clock.move_to(at("2026-11-10"))
    mark(api, "2026-11-20", False, "旗政府通知放假")
    mark(api, "2026-11-21", True, "调休上班")
    mark(api, "2026-11-05", False, "补记：当日停止办公")  # a past day: its duty stays on record
    days = {d.date: d for d in DutyDay.objects.filter(station=org.bureau, date__month=11)}
    assert D("2026-11-20") not in days
    added = days[D("2026-11-21")]
    assert added.leader_id and added.receptionist_id and added.leader_id != added.receptionist_id
    assert (days[D("2026-11-05")].leader_id, days[D("2026-11-05")].receptionist_id) == made[D("2026-11-05")]
    page = login("duty").get("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk}).content.decode()
    assert "11-21" in page or "11月21日" in page or "2026-11-21" in page


def test_regenerating_a_running_month_keeps_its_past_days(api, org, clock):
    clock.move_to(at("2026-11-02"))
    made = {d.date: (d.leader_id, d.receptionist_id) for d in roster.generate_month(org.bureau, 2026, 11)}
    clock.move_to(at("2026-11-16"))
    # The calendar changes a past day; then the month is generated again from the roster page.
    mark(api, "2026-11-07", True, "调休上班（补记）")
    assert login("duty").post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "generate": "1"}).status_code == 302
    after = {d.date: (d.leader_id, d.receptionist_id) for d in DutyDay.objects.filter(station=org.bureau, date__month=11)}
    past = {d: v for d, v in made.items() if d <= D("2026-11-16")}
    assert {d: v for d, v in after.items() if d <= D("2026-11-16")} == past  # 11-07 not added in the past


# --- 3. 超期 of a closed month ------------------------------------------------------------------

def _overdue(api, month_from: str, month_to: str) -> dict[int, int]:
    rows = api("center").get("/stats/departments", **{"from": month_from, "to": month_to}).data
    return {r["id"]: r["overdue"] for r in rows if r["overdue"]}


def test_overdue_counts_in_the_month_the_deadline_passed_and_stays(api, org, clock):
    # Received in September, due in October, answered in November: October's overdue.
    _, sept = take_in(api, org, clock, "2026-09-28", department=0)
    from daiban.petitions.models import Disposition

    due_sept = Disposition.objects.get(pk=sept).due_on
    assert due_sept.month == 10, due_sept
    # Received in October, due after October's end: not October's; answered late in November.
    _, octo = take_in(api, org, clock, "2026-10-26", department=1)
    due_oct = Disposition.objects.get(pk=octo).due_on
    assert due_oct.month == 11, due_oct
    dept0, dept1 = org.departments[0].pk, org.departments[1].pk

    clock.move_to(at("2026-11-01"))
    seen_on_nov_1 = _overdue(api, "2026-10-01", "2026-10-31")
    assert seen_on_nov_1 == {dept0: 1}, seen_on_nov_1
    assert _overdue(api, "2026-09-01", "2026-09-30") == {}

    clock.move_to(at("2026-11-05"))
    assert api("dept1").act_disposition(sept, "result", {"result": "已办理"}).status_code == 200
    clock.move_to(datetime.datetime.combine(due_oct + datetime.timedelta(days=3), datetime.time(10), TZ))
    assert api("dept2").act_disposition(octo, "result", {"result": "已办理"}).status_code == 200

    clock.move_to(at("2027-01-10"))
    assert _overdue(api, "2026-10-01", "2026-10-31") == seen_on_nov_1  # looked at later: the same
    assert _overdue(api, "2026-11-01", "2026-11-30") == {dept1: 1}
    # The monthly report, the dashboard and the API agree.
    from daiban.stats import report
    from daiban.stats.queries import Period

    data = report.collect(User.objects.get(username="center"), Period(D("2026-10-01"), D("2026-10-31")), None)
    assert {d["id"]: d["overdue"] for d in data["departments"] if d["overdue"]} == {dept0: 1}
    page = login("center").get("/staff/stats/", {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    table = page[page.index('data-testid="departments"'):]
    table = table[:table.index("</table>")]
    row = re.search(rf"department={dept0}\">[^<]*</a></td><td>\d+</td><td>[^<]*</td><td>(?:<a [^>]*>)?(\d+)(?:</a>)?</td>", table)
    assert row and row.group(1) == "1", table


def test_an_extension_approved_after_the_month_does_not_undo_its_overdue(api, org, clock):
    _, did = take_in(api, org, clock, "2026-09-28", department=0)
    from daiban.petitions.models import Disposition

    due = Disposition.objects.get(pk=did).due_on
    assert due.month == 10 and due.day < 31, due
    clock.move_to(datetime.datetime.combine(due, datetime.time(9), TZ))  # asked on the last day, in time
    r = api("dept1").act_disposition(did, "request_extension", {"workdays": 10, "reason": "需现场复核测量"})
    assert r.status_code == 200, r.data
    clock.move_to(at("2026-11-01"))
    october = _overdue(api, "2026-10-01", "2026-10-31")
    assert october == {org.departments[0].pk: 1}, october  # not decided by the month's end: overdue then
    clock.move_to(at("2026-11-03"))
    r = api("center").act_disposition(did, "decide_extension", {"approved": True, "note": "同意"})
    assert r.status_code == 200, r.data
    assert Disposition.objects.get(pk=did).due_on > D("2026-11-03")
    clock.move_to(at("2026-12-01"))
    assert _overdue(api, "2026-10-01", "2026-10-31") == october
    assert _overdue(api, "2026-11-01", "2026-11-30") == {org.departments[0].pk: 1}  # the new limit passed too


# --- month boundaries in Asia/Shanghai time -----------------------------------------------------------

def test_a_petition_at_23_59_on_the_last_day_and_one_at_00_01_fall_in_their_own_months(api, org, clock):
    a = api("agent1")
    clock.move_to(at("2026-11-30", 23, 59))  # 15:59 UTC
    late = a.post("/petitions", petition_body(petitioner={"id_number": id_number()}, channel="online"))
    clock.move_to(at("2026-12-01", 0, 1))  # still 30 November in UTC
    early = a.post("/petitions", petition_body(petitioner={"id_number": id_number()}, channel="online"))
    assert (late.data["received_on"], early.data["received_on"]) == ("2026-11-30", "2026-12-01")
    center = api("center")
    assert center.get("/stats", **{"from": "2026-11-01", "to": "2026-11-30"}).data["received"] == 1
    assert center.get("/stats", **{"from": "2026-12-01", "to": "2026-12-31"}).data["received"] == 1
    months = {r["key"]: r["received"] for r in center.get("/stats/breakdown", by="month",
                                                         **{"from": "2026-11-01", "to": "2026-12-31"}).data}
    assert months == {"2026-11": 1, "2026-12": 1}, months
    ledger = center.get("/ledger.xlsx", **{"from": "2026-11-01", "to": "2026-11-30"})
    body = b"".join(ledger.streaming_content) if getattr(ledger, "streaming", False) else ledger.content
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))[3:]
    assert [r[1] for r in rows] == [late.data["number"]]
    # At 00:01 on 1 December November is a closed month: compared whole with October.
    page = login("center").get("/staff/stats/", {"from": "2026-11-01", "to": "2026-11-30"}).content.decode()
    assert "2026年11月与2026年10月比较" in page



# --- the ledger of a station counts as its statistics do ------------------------------------------------

def test_a_stations_ledger_holds_what_its_statistics_count(api, org, clock):
    from daiban.org.models import Station
    from daiban.petitions.models import Petition

    at_bureau, _ = take_in(api, org, clock, "2026-11-02")
    at_village, _ = take_in(api, org, clock, "2026-11-03")
    village = Station.objects.get(code="village-sarlig")  # a village point under 嘎鲁图镇
    Petition.objects.filter(pk=at_village).update(station=village)
    clock.move_to(at("2026-12-02"))
    center = api("center")

    def ledger(station: int) -> int:
        r = center.get("/ledger.xlsx", **{"from": "2026-11-01", "to": "2026-11-30", "station": station})
        body = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
        return len(list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))) - 3

    for station in (org.center, org.galutu, org.bureau, village):
        stats = center.get("/stats", **{"from": "2026-11-01", "to": "2026-11-30", "station": station.pk}).data
        assert ledger(station.pk) == stats["received"], station.code
    assert ledger(org.center.pk) == 2 and ledger(org.galutu.pk) == 1


def test_a_saturday_made_a_working_day_the_same_morning_gets_its_duty_on_the_workbench(api, org, clock):
    clock.move_to(at("2026-11-02"))
    roster.generate_month(org.bureau, 2026, 11)
    clock.move_to(at("2026-11-14", 7, 30))  # a Saturday: no duty
    assert not DutyDay.objects.filter(station=org.bureau, date=D("2026-11-14")).exists()
    mark(api, "2026-11-14", True, "临时调休上班")
    day = DutyDay.objects.get(station=org.bureau, date=D("2026-11-14"))
    assert day.leader_id and day.receptionist_id
    page = login("agent1").get("/staff/").content.decode()
    assert 'data-testid="duty-none"' not in page
    mark(api, "2026-11-14", False, "恢复休息")  # the day has begun: its duty stays on record
    assert DutyDay.objects.filter(station=org.bureau, date=D("2026-11-14")).exists()
