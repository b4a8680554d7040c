"""Statistics round: what the figures cost, what their links open, the roster's hand edits, the demo.

1. `/stats/departments` (and the dashboard's ranking, the monthly report's) in a fixed number of
   grouped queries, none of them joining every 处置单 to its petition or an urging per row;
2. every count on the dashboard that links opens a list as long as the count; 超期 opens the
   petitions whose 处置单 deadline passed in the period (list filter `overdue_from`/`overdue_to`,
   the API's and the staff list's), not those received in it;
3. a hand-edited duty day on a day made a holiday stays (and says so) instead of disappearing;
4. the demo month has late work and 网上信访, so the dashboard's 超期 and channels are not zeros.
"""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from daiban.org.models import User
from daiban.petitions.models import Disposition
from daiban.staff import roster
from daiban.staff.demo_month import load_demo_month
from daiban.staff.models import DutyDay
from daiban.stats import queries
from daiban.stats.queries import Period
from tests.factories import id_number, login, petition_body

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
D = datetime.date.fromisoformat


def at(day: str, hour: int = 10) -> datetime.datetime:
    d = D(day)
    return datetime.datetime(d.year, d.month, d.day, hour, tzinfo=TZ)



# --- 1. the departments' figures: a fixed number of grouped queries --------------------------------

def test_the_department_ranking_is_three_grouped_queries_whatever_the_rows(api, org, clock):
    """Actor: the center asking /stats/departments for a year. The figures' queries neither join a
    row per urging (COUNT DISTINCT over their product) nor repeat the extension look-up per
    condition; their number does not grow with the petitions."""
    with time_machine.travel(at("2026-11-30", 9), tick=False):
        load_demo_month()
        center = User.objects.get(username="center")
        year = Period(D("2026-01-01"), D("2026-11-30"))
        with CaptureQueriesContext(connection) as seen:
            rows = queries.departments(queries.scope(center, year), year, today=D("2026-11-30"))
    figures = [q["sql"] for q in seen.captured_queries if "petitions_disposition" in q["sql"]]
    assert len(figures) == 2, figures  # the cohort's 处置单 and urgings; the overdue ones
    assert len(seen.captured_queries) <= 4  # and the names (the station tree when scoped)
    cohort = next(sql for sql in figures if "received_on" in sql)
    assert "COUNT(DISTINCT" not in cohort and "JOIN \"petitions_urging\"" not in cohort, cohort
    overdue = next(sql for sql in figures if sql is not cohort)
    # Narrowed first by a range on the 处置单's own date (an index), never a join to every petition.
    assert '("petitions_disposition"."due_on" >= ' in overdue and "JOIN" not in overdue, overdue
    assert sum(r["overdue"] for r in rows) > 0 and sum(r["urgings"] for r in rows) > 0


# --- 2. each linked count opens a list of its length --------------------------------------------

_LINK = re.compile(r'<a\b[^>]*href="(/staff/petitions/\?[^"]*)"[^>]*>(.*?)</a>', re.S)


def _linked_counts(page: str) -> list[tuple[str, int]]:
    """(list url, the count shown) of every link to the petition list whose text ends in a number
    (a rate such as 66.7% is not a count, a department's name is not a number)."""
    found = []
    for url, inner in _LINK.findall(page):
        text = re.sub(r"<[^>]+>", " ", inner).strip()
        number = re.search(r"(\d+)\s*件?$", text)
        if number and "%" not in text:
            found.append((html.unescape(url), int(number.group(1))))
    return found


def _listed(client: Client, url: str) -> int:
    page = client.get(url).content.decode()
    shown = re.search(r'data-testid="result-count">共 (\d+)(\+?) 件', page)
    assert shown and not shown.group(2), url
    assert "已忽略" not in page, (url, page[:2000])  # every filter of the link taken
    return int(shown.group(1))


@pytest.mark.parametrize("day", ["2026-11-30", "2027-01-04"])
def test_every_count_on_the_dashboard_opens_a_list_as_long_as_itself(org, day):
    """Actor: the center, a station's leader in charge and a township agent, each following every
    linked count of the dashboard (the default period, a whole month, a station) to the list."""
    with time_machine.travel(at(day, 9), tick=False):
        load_demo_month()
        today = D(day)
        month = queries.calendar_period(today.replace(day=1) - datetime.timedelta(days=1), "month")
        for who, params in [
            ("center", {}),
            ("center", {"from": month.start.isoformat(), "to": month.end.isoformat()}),
            ("center", {"station": str(org.bureau.pk)}),
            ("leader", {"from": month.start.isoformat(), "to": month.end.isoformat()}),
            ("agent12", {}),
        ]:
            client = login(who)
            page = client.get("/staff/stats/", params).content.decode()
            links = _linked_counts(page)
            assert links, (who, params)
            for url, count in links:
                assert _listed(client, url) == count, (who, params, url)
        # The 超期 column is among them, and lists by the deadline's period, not the receipt's.
        page = login("center").get("/staff/stats/").content.decode()
        late = [(url, n) for url, n in _linked_counts(page) if "overdue_from" in url]
        assert late and all("received_from" not in url for url, _ in late), late


def test_overdue_lists_the_petitions_whose_deadline_passed_in_the_period(api, org, clock):
    """Actor: the center reading October's 超期 of the first department in November and following
    it, by the API and the staff list: the petition received in September whose 处置单 fell due in
    October unanswered is there; one received in October and due in November is not; a petition
    whose 处置单 to the department lapsed twice (returned late, routed again, late again) is one."""
    def take_in(day: str) -> tuple[int, int]:
        clock.move_to(at(day))
        a = api("agent1")
        r = a.post("/petitions", petition_body(petitioner={"id_number": id_number()}, received_on=day))
        assert r.status_code == 201, r.data
        body = {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated", "notification": "written"}
        assert a.act(r.data["id"], "screen", body).status_code == 200
        routed = a.act(r.data["id"], "route", {"departments": [org.departments[0].pk], "track": "standard"})
        assert routed.status_code == 200, routed.data
        return r.data["id"], routed.data["dispositions"][0]["id"]

    september, _ = take_in("2026-09-07")   # due in late September, unanswered: September's, and
    late, first = take_in("2026-09-28")    # due in October: October's
    take_in("2026-10-26")                  # due in November: not October's
    due = Disposition.objects.get(pk=first).due_on
    assert due.month == 10
    # Returned after its limit, routed again, the second 处置单 lapses in October too.
    clock.move_to(datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(10), TZ))
    assert api("dept1").act_disposition(first, "return", {"reason": "不属于本单位职责，请重新流转"}).status_code == 200
    again = api("agent1").act(late, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    assert again.status_code == 200, again.data
    second = max(d["id"] for d in again.data["dispositions"])
    Disposition.objects.filter(pk=second).update(due_on=D("2026-10-30"))  # as a decision fixed it
    clock.move_to(at("2026-11-10"))

    dept = org.departments[0].pk
    rows = api("center").get("/stats/departments", **{"from": "2026-10-01", "to": "2026-10-31"}).data
    october = {r["id"]: r["overdue"] for r in rows}
    assert october[dept] == 1, rows  # one petition, though two of its 处置单 lapsed
    listed = api("center").get("/petitions", department=dept, overdue_from="2026-10-01", overdue_to="2026-10-31")
    assert listed.status_code == 200, listed.data
    assert [p["id"] for p in listed.data["items"]] == [late] and listed.data["count"] == 1
    received = api("center").get("/petitions", department=dept, received_from="2026-10-01", received_to="2026-10-31")
    assert late not in [p["id"] for p in received.data["items"]]  # what the old link listed
    september_list = api("center").get("/petitions", department=dept, overdue_from="2026-09-01", overdue_to="2026-09-30")
    assert [p["id"] for p in september_list.data["items"]] == [september]

    # The dashboard's 超期 links to exactly that list; the staff list says the count.
    page = login("center").get("/staff/stats/", {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    url = next(u for u, _ in _linked_counts(page) if f"department={dept}&" in u and "overdue_from" in u)
    assert parse_qs(urlsplit(url).query)["overdue_to"] == ["2026-10-31"]
    assert _listed(login("center"), url) == 1


def test_the_overdue_list_judges_the_limit_as_it_stood_on_the_periods_last_day(api, org, clock, routed):
    """Actor: the center following October's 超期 in December, after an extension asked on the last
    day of the limit was approved in November: the list keeps the petition, as the figure does."""
    clock.move_to(at("2026-09-28"))
    petition = routed()
    did = petition["dispositions"][0]["id"]
    due = Disposition.objects.get(pk=did).due_on
    assert due.month == 10 and due.day < 31, due
    clock.move_to(datetime.datetime.combine(due, datetime.time(9), TZ))
    r = api("dept1").act_disposition(did, "request_extension", {"workdays": 10, "reason": "需现场复核测量"})
    assert r.status_code == 200, r.data
    clock.move_to(at("2026-11-03"))
    assert api("center").act_disposition(did, "decide_extension", {"approved": True, "note": "同意"}).status_code == 200
    clock.move_to(at("2026-12-01"))
    dept = org.departments[0].pk
    rows = api("center").get("/stats/departments", **{"from": "2026-10-01", "to": "2026-10-31"}).data
    assert {r["id"]: r["overdue"] for r in rows if r["overdue"]} == {dept: 1}
    listed = api("center").get("/petitions", department=dept, overdue_from="2026-10-01", overdue_to="2026-10-31")
    assert [p["id"] for p in listed.data["items"]] == [petition["id"]]


def test_an_impossible_overdue_period_is_refused_by_name(api, org):
    """Actor: a user typing the overdue period backwards, in the API and on the list page."""
    r = api("center").get("/petitions", overdue_from="2026-10-31", overdue_to="2026-10-01")
    assert r.status_code == 400 and "overdue_to" in str(r.data), r.data
    page = login("center").get("/staff/petitions/", {"overdue_from": "2026-10-31", "overdue_to": "2026-10-01"})
    assert page.status_code == 200
    assert "超期期间" in page.content.decode()


@pytest.mark.parametrize("field", ["overdue_from", "overdue_to", "received_from", "received_to", "due_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_filter_day_outside_the_plausible_years_is_named_on_the_list_page(api, org, field, day):
    """Actor: the center editing the list's address by hand to the first day of year 1 (the overdue
    filter's day before it overflowed: 500) or to year 9999. The page names the field and the
    range as the API does for the same day (400), and lists as if that filter were not given."""
    page = login("center").get("/staff/petitions/", {field: day})
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "应在2000-01-01至2099-12-31之间" in text and f"（收到“{day}”）" in text, field
    if field != "due_to":
        r = api("center").get("/petitions", **{field: day})
        assert r.status_code == 400 and field in r.data["error"]["fields"], r.data


# --- 3. the roster keeps a hand-edited day made a holiday -----------------------------------------

def mark(api, day: str, workday: bool, name: str) -> None:
    r = api("admin").post("/calendar/days", {"days": [{"date": day, "is_workday": workday, "name": name}], "reason": name})
    assert r.status_code == 200, r.data


def test_a_hand_edited_duty_day_made_a_holiday_stays_and_says_so(api, org, clock):
    """Actor: the administrator making a Friday a holiday after the duty leader had arranged that
    day by hand: the arrangement stays (holiday duty is the office's to decide), the roster page
    marks it as a rest day now and offers to remove it; a generated day on a holiday goes."""
    clock.move_to(at("2026-11-02"))
    roster.generate_month(org.bureau, 2026, 11)
    duty = login("duty")
    edited = DutyDay.objects.get(station=org.bureau, date=D("2026-11-20"))
    leader, receptionist = roster.leaders_of(org.bureau)[0], roster.receptionists_of(org.bureau)[-1]
    r = duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "day": edited.pk,
                                     "leader": leader.pk, "receptionist": receptionist.pk})
    assert r.status_code == 302
    clock.move_to(at("2026-11-10"))
    mark(api, "2026-11-20", False, "旗政府通知放假")
    mark(api, "2026-11-19", False, "旗政府通知放假")
    kept = DutyDay.objects.get(pk=edited.pk)
    assert (kept.leader_id, kept.receptionist_id) == (leader.pk, receptionist.pk)
    assert not DutyDay.objects.filter(station=org.bureau, date=D("2026-11-19")).exists()  # generated: gone
    duty = login("duty")  # a new day's session
    page = duty.get("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk})
    assert page.status_code == 200, page
    page = page.content.decode()
    assert 'data-rest-day="2026-11-20"' in page and "休息日" in page
    # Generating the month again keeps it too; the duty leader removes it when it is not wanted.
    assert duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "generate": "1"}).status_code == 302
    assert DutyDay.objects.filter(pk=edited.pk).exists()
    assert duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "remove": edited.pk}).status_code == 302
    assert not DutyDay.objects.filter(pk=edited.pk).exists()
    # A working day's arrangement is not removed that way (the roster covers every working day).
    workday = DutyDay.objects.get(station=org.bureau, date=D("2026-11-23"))
    duty.post("/staff/roster/", {"month": "2026-11", "station": org.bureau.pk, "remove": workday.pk})
    assert DutyDay.objects.filter(pk=workday.pk).exists()


def test_a_day_added_for_a_make_up_working_day_goes_when_it_is_a_rest_day_again(api, org, clock):
    """Actor: the administrator making a Saturday a working day and then taking it back: the duty
    the roster added for it was the calendar's, not a hand edit, so it goes again."""
    clock.move_to(at("2026-11-02"))
    roster.generate_month(org.bureau, 2026, 11)
    mark(api, "2026-11-21", True, "调休上班")
    assert DutyDay.objects.filter(station=org.bureau, date=D("2026-11-21")).exists()
    mark(api, "2026-11-21", False, "取消调休")
    assert not DutyDay.objects.filter(station=org.bureau, date=D("2026-11-21")).exists()
