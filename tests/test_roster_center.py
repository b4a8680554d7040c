"""The duty roster (带班 and reception) for the users who have none of their own, and its audit trail.

1. The center's staff (the top of the three-level network), a department's handler and the
   administrator keep no roster: /staff/roster/ shows them a service station's with the chooser
   and a line saying so, never the center's own page of "— —"; their workbench names who leads
   and who receives today at each service station, not 带班领导：未安排 of the center. A village
   point's agent is on the roster of the station above. The center and a village point cannot be
   asked for (?station=) nor generated.
2. Every change of duty (by hand, by generating a month, by removing a day, by a calendar change)
   appends an audit row (roster_change) naming the day and who was on duty before and after,
   shown on the audit page.
"""

from __future__ import annotations

import datetime
import re

from daiban.audit.models import AuditEntry
from daiban.org import roles
from daiban.org.models import Station, User
from daiban.staff import roster
from daiban.staff.models import DutyDay
from tests.factories import login

TZ = datetime.timezone(datetime.timedelta(hours=8))
D = datetime.date.fromisoformat


def at(day: str, hour: int = 10) -> datetime.datetime:
    d = D(day)
    return datetime.datetime(d.year, d.month, d.day, hour, tzinfo=TZ)



def roster_rows(page: str) -> list[tuple[str, str]]:
    """(带班领导, 接访人员) of each row of the roster table."""
    table = page.split('data-testid="roster"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"</td><td>[^<]*</td>\s*<td>([^<]*)</td><td>([^<]*)</td>", table)


# --- 1. the center, a department, the administrator --------------------------------------------------

def test_the_center_opening_the_roster_gets_a_service_station_with_the_chooser(org, clock):
    """Actor: 乌日娜 of the center opens 带班与接访安排: the first service station's month, filled,
    with a line saying the center keeps no roster and a chooser of the service stations only."""
    clock.move_to(at("2026-11-02"))
    roster.generate_month(org.bureau, 2026, 11)
    page = login("center").get("/staff/roster/", {"month": "2026-11"}).content.decode()
    heading = re.search(r"<h1[^>]*>([^<]*)</h1>", page).group(1)
    assert org.bureau.name in heading and org.center.name not in heading
    assert 'data-testid="roster-choose"' in page and "旗信访代办服务中心不排带班" in page
    rows = roster_rows(page)
    assert rows and all(leader != "—" and receptionist != "—" for leader, receptionist in rows), rows
    assert "张建国" in page or "刘振华" in page or "白永胜" in page
    options = re.findall(r'<option value="(\d+)"', page.split('id="station"', 1)[1].split("</select>", 1)[0])
    assert {int(o) for o in options} == {s.pk for s in Station.objects.filter(level="station")}
    assert org.center.pk not in {int(o) for o in options}


def test_the_roster_of_the_center_or_a_village_point_is_not_asked_for_nor_generated(org, clock):
    """Actor: the center forging ?station= of the center itself (a page of "— —" before) and
    posting 生成 for it: said by the field's name, the service station shown, nothing generated."""
    clock.move_to(at("2026-11-02"))
    roster.generate_month(org.bureau, 2026, 11)
    center = login("center")
    village = Station.objects.get(code="village-sarlig")
    for station in (org.center, village):
        r = center.get("/staff/roster/", {"month": "2026-11", "station": station.pk}, follow=True)
        page = r.content.decode()
        assert r.status_code == 200 and "不排带班" in page and f"（收到“{station.name}”）" in page
        assert org.bureau.name in re.search(r"<h1[^>]*>([^<]*)</h1>", page).group(1)
        before = DutyDay.objects.count()
        posted = center.post("/staff/roster/", {"month": "2026-11", "station": station.pk, "generate": "1"})
        assert posted.status_code == 302 and DutyDay.objects.count() == before
        assert not DutyDay.objects.filter(station=station).exists()


def test_the_demo_month_keeps_no_roster_for_the_center_or_the_village_points(org):
    from daiban.staff.demo_month import _roster

    assert _roster(D("2026-11-02")) > 0
    assert set(DutyDay.objects.values_list("station__level", flat=True).distinct()) == {"station"}


def test_the_centers_workbench_names_todays_duty_at_each_service_station(org, clock):
    """Actor: the center, a department's handler and the administrator on a working morning: one
    line per service station with who leads and who receives today; never the center's own
    带班领导：未安排."""
    clock.move_to(at("2026-11-02"))
    for station in Station.objects.filter(level="station"):
        roster.generate_month(station, 2026, 11)
    clock.move_to(at("2026-11-05", 9))
    today = DutyDay.objects.get(station=org.bureau, date=D("2026-11-05"))
    for username in ("center", "dept1", "admin"):
        page = login(username).get("/staff/").content.decode()
        box = page.split('data-testid="duty-today"', 1)[1].split("</section>", 1)[0]
        assert org.center.name not in box, username
        stations = re.findall(r'data-testid="duty-station" data-station="(\d+)"', box)
        assert [int(s) for s in stations] == list(Station.objects.filter(level="station").order_by("id")
                                                  .values_list("pk", flat=True)), username
        bureau = box.split(f'data-station="{org.bureau.pk}"', 1)[1].split("</li>", 1)[0]
        assert today.leader.display_name in bureau and today.receptionist.display_name in bureau, bureau
        galutu = box.split(f'data-station="{org.galutu.pk}"', 1)[1].split("</li>", 1)[0]
        assert "巴特尔" in galutu or "其木格" in galutu, galutu  # agent12 receives at 嘎鲁图镇


def test_a_station_user_gets_their_own_line_and_a_village_agent_their_stations(org, clock):
    clock.move_to(at("2026-11-02"))
    for station in Station.objects.filter(level="station"):
        roster.generate_month(station, 2026, 11)
    clock.move_to(at("2026-11-05", 9))
    village = Station.objects.get(code="village-sarlig")
    User.objects.create_user("agent_v", password="x-Daiban-2026!", name="苏和", roles=roles.AGENT, station=village)
    for username, station in (("agent1", org.bureau), ("agent12", org.galutu), ("agent_v", org.galutu)):
        page = login(username).get("/staff/").content.decode()
        box = page.split('data-testid="duty-today"', 1)[1].split("</section>", 1)[0]
        assert f"{station.name} 今日" in box and 'data-testid="duty-receptionist"' in box, username
        assert 'data-testid="duty-station"' not in box
        assert f"?station={station.pk}" in box
    assert roster.station_for(User.objects.get(username="agent_v")) == org.galutu
    assert "旗信访代办服务中心不排带班" not in login("agent_v").get("/staff/roster/").content.decode()


# --- 2. the audit trail of the roster ------------------------------------------------------------

def _rows():
    return list(AuditEntry.objects.filter(action="roster_change").order_by("seq"))


def test_a_hand_change_of_duty_is_an_audit_row_with_the_day_and_old_and_new(org, clock):
    """Actor: 张建国 (带班领导) moves 11-10's duty from the generated pair to 刘振华 and agent3: the
    audit trail says who did it, which station and day, and who was on duty before and after; the
    center reads it on the audit page."""
    clock.move_to(at("2026-11-02"))
    roster.generate_month(org.bureau, 2026, 11)
    day = DutyDay.objects.select_related("leader", "receptionist").get(station=org.bureau, date=D("2026-11-10"))
    old_leader, old_receptionist = day.leader.display_name, day.receptionist.display_name
    new_leader = next(u for u in roster.leaders_of(org.bureau) if u.pk != day.leader_id)
    new_receptionist = next(u for u in roster.receptionists_of(org.bureau)
                            if u.pk not in (day.receptionist_id, new_leader.pk))
    count = len(_rows())
    r = login("duty").post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "day": day.pk,
                                              "leader": new_leader.pk, "receptionist": new_receptionist.pk,
                                              "note": "换班"})
    assert r.status_code == 302
    rows = _rows()
    assert len(rows) == count + 1
    row = rows[-1]
    assert row.actor_username == "duty" and row.target_type == "station" and row.target_id == str(org.bureau.pk)
    assert row.target_label == f"{org.bureau.name} 2026-11-10"
    assert row.detail["how"] == "手工调整" and row.detail["note"] == "换班" and row.detail["count"] == 1
    assert row.detail["days"] == (f"2026-11-10 带班领导 {old_leader}→{new_leader.display_name}；"
                                  f"接访人员 {old_receptionist}→{new_receptionist.display_name}")
    page = login("center").get("/staff/audit/", {"action": "roster_change"}).content.decode()
    assert "调整带班与接访安排" in page and f"{old_leader}→{new_leader.display_name}" in page
    # Saving the same people again changes no one's duty: no row.
    login("duty").post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "day": day.pk,
                                          "leader": new_leader.pk, "receptionist": new_receptionist.pk})
    assert len(_rows()) == count + 1
    # A refused change (the same person twice) is no row either.
    login("duty").post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "day": day.pk,
                                          "leader": new_leader.pk, "receptionist": new_leader.pk})
    assert len(_rows()) == count + 1


def test_generating_removing_and_a_calendar_change_are_audit_rows(api, org, clock):
    clock.move_to(at("2026-11-02"))
    duty = login("duty")
    assert duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "generate": "1"}).status_code == 302
    made = _rows()[-1]
    workdays = DutyDay.objects.filter(station=org.bureau, date__month=11).count()
    assert made.actor_username == "duty" and made.detail["how"] == "按轮换生成" and made.detail["month"] == "2026-11"
    assert made.detail["count"] == workdays and "2026-11-02 带班领导 （无安排）→" in made.detail["days"]
    count = len(_rows())
    # Generating it again the same day changes nobody's duty: no row.
    duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "generate": "1"})
    assert len(_rows()) == count
    # The administrator makes 11-20 a holiday: its generated duty goes, said in one row by them.
    gone = DutyDay.objects.select_related("leader").get(station=org.bureau, date=D("2026-11-20"))
    r = api("admin").post("/calendar/days", {"days": [{"date": "2026-11-20", "is_workday": False, "name": "放假"}],
                                             "reason": "放假"})
    assert r.status_code == 200, r.data
    row = _rows()[-1]
    assert row.actor_username == "admin" and row.detail["how"] == "随工作日历调整"
    assert f"{org.bureau.name} 2026-11-20 带班领导 {gone.leader.display_name}→（无安排）" in row.detail["days"]
    # A hand-arranged day made a holiday, removed on the roster page: a row saying whose duty it was.
    kept = DutyDay.objects.select_related("leader").get(station=org.bureau, date=D("2026-11-19"))
    duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "day": kept.pk,
                                 "leader": kept.leader_id, "receptionist": kept.receptionist_id, "note": "节前值班"})
    api("admin").post("/calendar/days", {"days": [{"date": "2026-11-19", "is_workday": False, "name": "放假"}],
                                         "reason": "放假"})
    assert DutyDay.objects.filter(pk=kept.pk).exists()
    assert duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "remove": kept.pk}).status_code == 302
    row = _rows()[-1]
    assert row.detail["how"] == "删除休息日安排" and row.actor_username == "duty"
    assert row.detail["days"].startswith(f"2026-11-19 带班领导 {kept.leader.display_name}→（无安排）")
