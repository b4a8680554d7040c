"""Round 10: deadlines judged by the limit in force when each step was taken.

1. 按期办结 is judged at each conclusion against the limit in force that day (Petition.concluded_late),
   never by today's state: the statistics, the ledger and the case summary read the one rule; the
   月报's 超期未办 is counted as of the period's end.
2. A 处置单 is never due before the day it is routed: past the regulation's limit the matter is late,
   the department still has its working days (and may ask for more).
3. A returned 处置单 no longer carries the matter's date.
"""

from __future__ import annotations

import datetime
import io

from openpyxl import load_workbook

from daiban.documents import casefile
from daiban.petitions.models import Petition
from tests.factories import id_number, petition_body

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str, hour: int = 10) -> datetime.datetime:
    d = datetime.date.fromisoformat(day)
    return datetime.datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def routed_on(api, org, clock, intake: str, route: str | None = None) -> tuple[int, int, str]:
    """A petition taken in and screened on `intake`, routed (standard) to the first department on
    `route` (default the same day). Returns (petition id, 处置单 id, the petition's due_on)."""
    a = api("agent1")
    clock.move_to(at(intake, 9))
    pid = a.post("/petitions", petition_body(petitioner={"id_number": id_number()})).data["id"]
    a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                          "notification": "written"})
    if route is not None:
        clock.move_to(at(route, 9))
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    assert r.status_code == 200, r.data
    return pid, r.data["dispositions"][0]["id"], r.data["due_on"]


def handed_back(api, org, clock, pid: int, did: int, *, first: str, decided: str, due: str) -> None:
    """Concluded on `first`, a dissatisfied feedback, a review found right on `decided` with 限期 `due`."""
    a, c = api("agent1"), api("center")
    clock.move_to(at(first))
    assert api("dept1").act_disposition(did, "result", {"result": "已核实"}).status_code == 200
    assert a.act(pid, "conclude", {"result": "已核实"}).status_code == 200
    a.act(pid, "feedback", {"method": "letter", "satisfaction": "dissatisfied"})
    a.act(pid, "request_review", {"level": "review", "requested_on": first, "reason": "不服"})
    clock.move_to(at(decided))
    r = c.act(pid, "decide_review", {"upheld": True, "due_on": due, "note": "有理"})
    assert r.status_code == 200, r.data


def conclude_again(api, org, clock, pid: int, day: str) -> None:
    a = api("agent1")
    clock.move_to(at(day))
    d2 = a.act(pid, "route", {"departments": [org.departments[0].pk]}).data["dispositions"][-1]["id"]
    assert api("dept1").act_disposition(d2, "result", {"result": "已更正"}).status_code == 200
    r = a.act(pid, "conclude", {"result": "已更正"})
    assert r.status_code == 200, r.data


def ledger_on_time(api, pid: int, start: str, end: str) -> str:
    r = api("center").client.get(f"/api/v1/ledger.xlsx?from={start}&to={end}", **api("center").headers)
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True).active.iter_rows(values_only=True))
    header = rows[2]
    number = Petition.objects.get(pk=pid).number
    row = next(r for r in rows[3:] if r[header.index("编号")] == number)
    return row[header.index("是否按期")]


def summary_says(pid: int) -> str:
    from pypdf import PdfReader

    pdf = casefile.case_summary_pdf(Petition.objects.get(pk=pid))
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# 1. 按期办结 ---------------------------------------------------------------------------------------

def test_each_conclusion_is_judged_against_the_limit_in_force_when_it_was_made(api, org, clock):
    """Three matters of January, each concluded, handed back by a review found right, concluded again:
    late then in time (the stats said 按期), in time then late, in time twice. Only the last is 按期."""
    late_first, did, due = routed_on(api, org, clock, "2027-01-04")
    assert due == "2027-01-25"
    handed_back(api, org, clock, late_first, did, first="2027-01-28", decided="2027-02-03", due="2027-03-01")
    conclude_again(api, org, clock, late_first, "2027-02-18")
    late_second, did, _ = routed_on(api, org, clock, "2027-01-04")
    handed_back(api, org, clock, late_second, did, first="2027-01-15", decided="2027-01-20", due="2027-02-10")
    conclude_again(api, org, clock, late_second, "2027-02-15")
    never_late, did, _ = routed_on(api, org, clock, "2027-01-05")
    handed_back(api, org, clock, never_late, did, first="2027-01-15", decided="2027-01-20", due="2027-03-01")
    conclude_again(api, org, clock, never_late, "2027-02-18")
    st = api("center").get("/stats", **{"from": "2027-01-01", "to": "2027-01-31"}).data
    assert (st["concluded"], st["concluded_on_time"]) == (3, 1), st
    ledger = {pid: ledger_on_time(api, pid, "2027-01-01", "2027-01-31") for pid in (late_first, late_second, never_late)}
    assert ledger == {late_first: "否", late_second: "否", never_late: "是"}
    assert "超期" in summary_says(late_first) and "超期" in summary_says(late_second)
    assert "按期" in summary_says(never_late)
    # Each conclude event says how that conclusion stood.
    events = api("agent1").get(f"/petitions/{late_first}").data["events"]
    assert [e["action"] for e in events].count("conclude") == 2


def test_the_backfill_reads_every_conclusion_on_record(api, org, clock):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("daiban.petitions.migrations.0027_concluded_late")
    late_first, did, _ = routed_on(api, org, clock, "2027-01-04")
    handed_back(api, org, clock, late_first, did, first="2027-01-28", decided="2027-02-03", due="2027-03-01")
    conclude_again(api, org, clock, late_first, "2027-02-18")
    Petition.objects.update(concluded_late=False)  # as the rows stood before the column
    migration.backfill(apps, None)
    assert Petition.objects.get(pk=late_first).concluded_late is True


def test_the_case_summary_judges_a_matter_without_a_bureau_date_by_the_regulation(api, org, clock):
    """The summary read `due_on` only: a multi-department matter concluded after the regulation's 60
    days with no solution determined was silent there while the statistics counted it late."""
    a = api("agent1")
    clock.move_to(at("2027-01-04", 9))
    pid = a.post("/petitions", petition_body(petitioner={"id_number": id_number()})).data["id"]
    a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                          "notification": "written"})
    did = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "multi_department"}
                ).data["dispositions"][0]["id"]
    clock.move_to(at("2027-03-15"))
    assert api("dept1").act_disposition(did, "result", {"result": "已办理"}).status_code == 200
    r = a.act(pid, "conclude", {"result": "已办理"})
    assert r.status_code == 200, r.data
    assert r.data["due_on"] is None
    st = api("center").get("/stats", **{"from": "2027-01-01", "to": "2027-01-31"}).data
    assert st["concluded_on_time"] == 0
    assert "超期" in summary_says(pid)


# 2. A 处置单 is never due before its routing day ------------------------------------------------

def test_a_disposition_routed_after_the_regulations_limit_has_its_own_working_days(api, org, clock):
    """Intake 08-03: the regulation's limit (60 days + at most 30) is 11-02. Routed on 11-05 the
    处置单 was due 11-02, overdue at birth, and its extension refused (办理时限已过)."""
    pid, did, due = routed_on(api, org, clock, "2026-08-03", route="2026-11-05")
    petition = api("agent1").get(f"/petitions/{pid}").data
    d = petition["dispositions"][0]
    assert d["due_on"] == "2026-11-26" and d["overdue"] is False, d      # 15 working days after 11-05
    assert due == "2026-11-02" and petition["overdue"] is True             # the matter is late
    note = next(e["note"] for e in petition["events"] if e["action"] == "route")
    assert "已超过《信访工作条例》规定的办理期限 2026-11-02" in note, note
    clock.move_to(at("2026-11-20"))
    asked = api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场核实"})
    assert asked.status_code == 200, asked.data
    approved = api("duty").act_disposition(did, "decide_extension", {"approved": True, "note": "同意"})
    assert approved.status_code == 200, approved.data
    assert approved.data["dispositions"][0]["due_on"] == "2026-12-03"
    assert approved.data["due_on"] == "2026-11-02"   # the extension never carries the matter past the limit


def test_routed_again_after_a_return_past_the_limit(api, org, clock):
    pid, did, due = routed_on(api, org, clock, "2026-08-03", route="2026-10-20")
    assert due == "2026-11-02"                                            # held to the limit
    clock.move_to(at("2026-11-05"))
    assert api("dept1").act_disposition(did, "return", {"reason": "不属本单位职权"}).status_code == 200
    r = api("agent1").act(pid, "route", {"departments": [org.departments[1].pk]})
    assert r.status_code == 200, r.data
    again = r.data["dispositions"][-1]
    assert again["due_on"] == "2026-11-26" and again["overdue"] is False
    assert r.data["due_on"] == "2026-11-02" and r.data["overdue"] is True


def test_routed_after_a_date_the_center_fixed_has_passed(api, org, clock):
    """An escalation sent back with a new date: a 处置单 routed after that date copied it."""
    a, c = api("agent1"), api("center")
    clock.move_to(at("2026-09-01", 9))
    pid = a.post("/petitions", petition_body(petitioner={"id_number": id_number()})).data["id"]
    a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                          "notification": "written"})
    assert a.act(pid, "escalate", {"to": "center", "reason": "本站无法解决"}).status_code == 200
    r = c.act(pid, "return_escalation", {"instructions": "请流转自然资源局", "due_on": "2026-09-10"})
    assert r.status_code == 200, r.data
    clock.move_to(at("2026-09-15"))
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    assert r.status_code == 200, r.data
    d = r.data["dispositions"][0]
    assert d["due_on"] > "2026-09-15" and d["overdue"] is False, d
    assert r.data["due_on"] == "2026-09-10" and r.data["overdue"] is True   # the decided date stands, passed
    note = next(e["note"] for e in reversed(r.data["events"]) if e["action"] == "route")
    assert "原定时限 2026-09-10 已过" in note, note


def test_a_solution_determined_after_the_limit_gives_the_departments_their_working_days(api, org, clock):
    a = api("agent1")
    clock.move_to(at("2026-08-03", 9))
    pid = a.post("/petitions", petition_body(petitioner={"id_number": id_number()})).data["id"]
    a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                          "notification": "written"})
    a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "multi_department"})
    clock.move_to(at("2026-11-05"))
    r = a.act(pid, "determine_solution", {"determined_on": "2026-11-05"})
    assert r.status_code == 200, r.data
    assert r.data["due_on"] == "2026-11-02" and r.data["overdue"] is True
    d = r.data["dispositions"][0]
    assert d["due_on"] > "2026-12-01" and d["overdue"] is False, d         # 30 working days after 11-05


# 3. A returned 处置单 no longer carries the matter's date ----------------------------------------

def test_a_returned_dispositions_extension_no_longer_moves_the_matters_date(api, org, clock):
    a = api("agent1")
    clock.move_to(at("2026-12-01", 9))
    pid = a.post("/petitions", petition_body(petitioner={"id_number": id_number()})).data["id"]
    a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                          "notification": "written"})
    r = a.act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "standard"})
    d1, d2 = (x["id"] for x in r.data["dispositions"])
    assert r.data["due_on"] == "2026-12-22"
    clock.move_to(at("2026-12-08"))
    api("dept2").act_disposition(d2, "request_extension", {"workdays": 5, "reason": "需鉴定"})
    moved = api("duty").act_disposition(d2, "decide_extension", {"approved": True, "note": "同意"})
    assert moved.data["due_on"] == "2026-12-29"
    clock.move_to(at("2026-12-10"))
    back = api("dept2").act_disposition(d2, "return", {"reason": "不属本单位职权"})
    assert back.status_code == 200, back.data
    assert back.data["due_on"] == "2026-12-22", back.data["due_on"]
    note = next(e["note"] for e in reversed(back.data["events"]) if e["action"] == "disposition_return")
    assert "信访事项办结时限恢复为 2026-12-22" in note, note
    clock.move_to(at("2026-12-24"))
    c = api("center")
    assert pid in [p["id"] for p in c.get("/petitions", overdue="true").data["items"]]
    assert c.get(f"/petitions/{pid}").data["overdue"] is True
    assert api("dept1").act_disposition(d1, "result", {"result": "已办理"}).status_code == 200
    assert a.act(pid, "conclude", {"result": "已办理"}).status_code == 200
    st = c.get("/stats", **{"from": "2026-12-01", "to": "2026-12-31"}).data
    assert (st["concluded"], st["concluded_on_time"]) == (1, 0), st


def test_a_returned_later_routing_no_longer_carries_the_matter(api, org, clock):
    """One more department routed a week later carried the matter to its 15 working days; returned,
    the matter is due on its own date again (and the remaining 处置单 still decide it)."""
    pid, d1, due = routed_on(api, org, clock, "2026-12-01")
    assert due == "2026-12-22"
    clock.move_to(at("2026-12-08"))
    r = api("agent1").act(pid, "route", {"departments": [org.departments[1].pk]})
    assert r.data["due_on"] == "2026-12-29"
    d2 = r.data["dispositions"][-1]["id"]
    back = api("dept2").act_disposition(d2, "return", {"reason": "不属本单位职权"})
    assert back.data["due_on"] == "2026-12-22"
    # Returning one that does not carry the date changes nothing.
    clock.move_to(at("2026-12-09"))
    r = api("agent1").act(pid, "route", {"departments": [org.departments[2].pk]})
    assert r.data["due_on"] == "2026-12-30"
    back = api("dept1").act_disposition(d1, "return", {"reason": "不属本单位职权"})
    assert back.data["due_on"] == "2026-12-30"


# 1b. 超期未办 of a past month, as of that month's end -----------------------------------------------

def test_a_january_report_made_in_march_counts_januarys_overdue(api, org, clock):
    from daiban.org.models import User
    from daiban.stats import report
    from daiban.stats.queries import Period

    a = api("agent1")
    late, d_late, due = routed_on(api, org, clock, "2027-01-04")       # due 01-25, open at the month's end
    assert due == "2027-01-25"
    clock.move_to(at("2027-01-25", 9))
    pid = a.post("/petitions", petition_body(petitioner={"id_number": id_number()})).data["id"]
    a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                          "notification": "written"})
    later = a.act(pid, "route", {"departments": [org.departments[1].pk], "track": "standard"}).data
    assert later["due_on"] > "2027-02-01"                               # due in February
    clock.move_to(at("2027-02-10"))
    assert api("dept1").act_disposition(d_late, "result", {"result": "已办理"}).status_code == 200
    clock.move_to(at("2027-03-15"))                                      # the second one still open, late now
    rows = api("center").get("/stats/departments", **{"from": "2027-01-01", "to": "2027-01-31"}).data
    overdue = {r["id"]: r["overdue"] for r in rows}
    assert overdue == {org.departments[0].pk: 1, org.departments[1].pk: 0}, overdue
    data = report.collect(User.objects.get(username="center"),
                          Period(datetime.date(2027, 1, 1), datetime.date(2027, 1, 31)), None)
    assert {d["id"]: d["overdue"] for d in data["departments"]} == overdue
    # The quarter still running counts as of today: the first 处置单's deadline passed in it (January,
    # answered late in February) and so did the second's (still open); round 12: 超期 is counted in
    # the period where the deadline passed, answered late or not yet.
    rows = api("center").get("/stats/departments", **{"from": "2027-01-01", "to": "2027-03-31"}).data
    assert {r["id"]: r["overdue"] for r in rows} == {org.departments[0].pk: 1, org.departments[1].pk: 1}
    rows = api("center").get("/stats/departments", **{"from": "2027-03-01", "to": "2027-03-31"}).data
    assert not any(r["overdue"] for r in rows), rows  # both deadlines passed before March
