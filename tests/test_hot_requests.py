"""Issue 16: the hot requests ask a fixed, small number of narrow queries, whatever the size of
the tables, and no count walks every matching row (lists and workbench badges are capped)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from daiban.audit.models import AuditEntry
from daiban.org.models import User
from daiban.petitions import counting
from daiban.petitions.models import Contact, PersonalDataView, Petition
from daiban.workdays.engine import unconfirmed_years
from daiban.workdays.models import CalendarDay
from tests.factories import COMPLAINT, id_number

PERSON = {"name": "李四", "id_number": id_number(serial=77), "phone": "13912345670", "address": "嘎鲁图镇"}


def _queries(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    # Transaction control is not a query: the test's own transaction turns the app's BEGIN/COMMIT
    # into SAVEPOINT/RELEASE, which production does not send.
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def _hot(api, pid: int) -> dict[str, list[str]]:
    """The queries of each hot request on petition `pid` (agent1, the assigned agent)."""
    a = api("agent1")

    def detail():
        assert a.get(f"/petitions/{pid}").status_code == 200

    def listing():
        assert a.get("/petitions").status_code == 200

    def filtered():
        assert a.get("/petitions", status="in_progress", overdue="false").status_code == 200

    def eligibility():
        assert a.get(f"/petitions/{pid}/eligibility").status_code == 200

    def action():
        response = a.act(pid, "contact", {"method": "phone", "note": "告知进度"})
        assert response.status_code == 200, response.data

    detail()  # warm: the first request of a client may read what later ones have cached
    return {"detail": _queries(detail), "list": _queries(listing), "filtered": _queries(filtered),
            "eligibility": _queries(eligibility), "action": _queries(action)}


@pytest.fixture
def grown(api, routed, new_petition, org, clock):
    """One routed petition of a petitioner; `grow()` adds earlier-and-later petitions of the same
    person on the same matter (links), contacts, and petitions of others: more rows everywhere."""
    first = routed(petitioner=PERSON)
    pid = first["id"]

    def grow(n: int) -> None:
        for i in range(n):
            new_petition(petitioner=PERSON, content=f"{COMPLAINT}第{i + 2}次反映。")
            new_petition(petitioner={"id_number": id_number(serial=1000 + i)}, content=f"{COMPLAINT}另{i}")
            api("agent1").act(pid, "contact", {"method": "visit", "note": f"走访{i}"})

    return pid, grow


def test_hot_requests_ask_the_same_number_of_queries_however_much_data(api, grown):
    pid, grow = grown
    before = _hot(api, pid)
    grow(3)
    after = _hot(api, pid)
    assert Contact.objects.filter(petition_id=pid).count() >= 4 and Petition.objects.count() >= 7
    for name in before:
        assert len(after[name]) == len(before[name]), (name, before[name], after[name])
    # …and few of them: the token (with the user's agent, one join), the station tree, the petitions
    # the agent was replaced on (one index read, permissions.reassigned_from), the rows shown.
    # The detail's 20 and the action's 24 (it answers with the detail): issue 12 added seven
    # prefetches (escalations, extension requests, conduct, referrals, 一案双查 and its assignee,
    # the 处置单's 补充意见), each one query however many rows.
    limits = {"detail": 21, "list": 6, "filtered": 6, "eligibility": 5, "action": 25}
    if connection.vendor == "postgresql":  # the audit chain's advisory lock; SELECT … FOR UPDATE is in the read
        limits["detail"] += 1
        limits["action"] += 1
    for name, limit in limits.items():
        assert len(after[name]) <= limit, (name, len(after[name]), after[name])


def test_no_request_counts_every_matching_row(api, grown):
    pid, grow = grown
    grow(1)
    for name, sqls in _hot(api, pid).items():
        for sql in sqls:
            if "COUNT(" in sql.upper():
                assert "LIMIT" in sql.upper(), (name, sql)


def test_narrow_reads_and_writes(api, grown):
    pid, _ = grown
    hot = _hot(api, pid)
    # Eligibility reads the judicial flag and the linked petitions' flags, not whole petitions.
    assert not any('"content"' in sql for sql in hot["eligibility"]), hot["eligibility"]
    # The token query brings the user's agent: no separate query of the agents' table.
    for name in ("detail", "list", "eligibility"):
        assert not any(sql.lstrip().startswith('SELECT "org_agent"') for sql in hot[name]), (name, hot[name])
    # An action updates the columns it changed, not all sixty.
    updates = [sql for sql in hot["action"] if sql.startswith('UPDATE "petitions_petition"')]
    assert updates and all('"content"' not in sql and '"number"' not in sql for sql in updates), updates
    # The urgings shown on the detail do not join the accounts of who urged.
    assert not any("petitions_urging" in sql and "org_user" in sql for sql in hot["detail"]), hot["detail"]
    # The deadline's calendar check is one query, however many years it spans.
    assert sum("workdays_calendarday" in sql for sql in hot["detail"]) <= 1


def test_the_personal_data_view_log_stays_complete(api, grown):
    pid, _ = grown
    views, audit = PersonalDataView.objects.count(), AuditEntry.objects.filter(action="personal_data_view").count()
    hot = _hot(api, pid)
    inserts = [sql for sql in hot["detail"] if sql.startswith('INSERT INTO "petitions_personaldataview"')]
    assert len(inserts) == 1
    # warm-up detail + detail + the action's answer: each full view logged, and in the audit trail
    assert PersonalDataView.objects.count() == views + 3
    assert AuditEntry.objects.filter(action="personal_data_view").count() == audit + 3


def test_api_list_count_is_capped_and_says_so(api, grown, monkeypatch):
    pid, grow = grown
    grow(3)  # agent1 sees 7 petitions
    a = api("agent1")
    exact = a.get("/petitions", page_size=20)
    assert exact.data["count"] == 7 and exact["X-Count-Exact"] == "true"
    assert set(exact.data) == {"items", "count", "page", "page_size"}  # the body of API.md, unchanged
    monkeypatch.setattr(counting, "COUNT_CAP", 3)
    # page_size 1: counted as far as 5 pages ahead (the cap follows the page asked for)
    capped = a.get("/petitions", page_size=1)
    assert capped.data["count"] == 5 and capped["X-Count-Exact"] == "false"
    assert len(capped.data["items"]) == 1
    deep = a.get("/petitions", page_size=1, page=3)  # from the third row on: 2 + 5 = 7 counted, all there are
    assert deep.data["count"] == 7 and deep["X-Count-Exact"] == "true"


def test_capped_count_counts_at_most_cap_plus_one(org, db):
    for cap, expected in [(0, (0, True))]:
        assert (counting.capped(Petition.objects.all(), cap).value,
                counting.capped(Petition.objects.all(), cap).exact) == expected
    # One SELECT (on PostgreSQL between the SET LOCAL that plans it serially and the one that puts it back).
    sqls = [s for s in _queries(lambda: counting.capped(Petition.objects.all(), 10)) if s.upper().startswith("SELECT")]
    assert len(sqls) == 1 and "LIMIT 11" in sqls[0].upper()


def test_staff_list_and_workbench_do_not_count_the_whole_table(grown, monkeypatch):
    pid, grow = grown
    grow(2)
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    monkeypatch.setattr(counting, "COUNT_CAP", 2)
    for url in ("/staff/", "/staff/petitions/"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
        assert counts and all("LIMIT" in sql.upper() for sql in counts), (url, counts)
    page = client.get("/staff/petitions/").content.decode()
    assert "共 100 件" not in page
    # 5 petitions visible to agent1; the list counts up to its cap (5 pages of 20 ahead): exact.
    assert "共 5 件" in page
    monkeypatch.setattr("daiban.staff.views.lists.PAGE_SIZE", 1)
    page = client.get("/staff/petitions/").content.decode()  # counted to max(2, 5 × 1) = 5: exact still
    assert "共 5 件" in page
    grow(1)  # 7 now: more than the 5 counted
    page = client.get("/staff/petitions/").content.decode()
    assert "共 5+ 件" in page


def test_unconfirmed_years_in_one_query(db):
    CalendarDay.objects.all().delete()
    days = [CalendarDay(date=datetime.date(2030, 1, 1) + datetime.timedelta(days=i), is_workday=True,
                        confirmed=True) for i in range(365)]
    days += [CalendarDay(date=datetime.date(2031, 1, 1) + datetime.timedelta(days=i), is_workday=True,
                         confirmed=i != 100) for i in range(365)]
    CalendarDay.objects.bulk_create(days)
    sqls = _queries(lambda: unconfirmed_years({2029, 2030, 2031}))
    assert len(sqls) == 1
    assert unconfirmed_years({2029, 2030, 2031}) == {2029, 2031}  # 2029 missing, 2031 has one unconfirmed day
    assert unconfirmed_years({2030}) == set()
    assert unconfirmed_years(set()) == set()


def test_the_api_list_reads_only_the_columns_it_shows(api, grown):
    pid, grow = grown
    grow(1)
    rows = [sql for sql in _hot(api, pid)["list"] if "petitions_petition" in sql and "org_station" in sql]
    assert rows and all('"petitions_petition"."query_code"' not in sql and '"petitions_petition"."reply"' not in sql
                        for sql in rows), rows
    # department users see masked identities through the same narrow rows (no query per row)


def test_workbench_reads_its_cards_in_a_fixed_number_of_queries(grown):
    pid, grow = grown
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    client.get("/staff/")
    before = _queries(lambda: client.get("/staff/"))
    grow(2)
    after = _queries(lambda: client.get("/staff/"))
    assert len(after) == len(before), (before, after)
    # the petitions of every card in one query (ids per card through the indexes, then the rows)
    assert sum('"petitions_petition"."content"' in sql for sql in after) == 1, after
    page = client.get("/staff/").content.decode()
    assert Petition.objects.get(pk=pid).number in page


def test_the_audit_trail_lists_count_no_further_than_needed(api, grown, monkeypatch):
    pid, _ = grown
    a = api("agent1")
    for _ in range(6):
        a.get(f"/petitions/{pid}")  # each full view of personal data is a row of the trail
    admin = api("admin")
    exact = admin.get("/audit", page_size=50)
    assert exact.status_code == 200 and exact["X-Count-Exact"] == "true"
    assert exact.data["count"] == AuditEntry.objects.count()
    monkeypatch.setattr(counting, "COUNT_CAP", 2)
    capped = admin.get("/audit", page_size=1)
    assert capped.data["count"] == 5 and capped["X-Count-Exact"] == "false"
    counts = [sql for sql in _queries(lambda: admin.get("/audit", page_size=1)) if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    monkeypatch.setattr("daiban.staff.views.audit.PAGE_SIZE", 1)
    page = client.get("/staff/audit/").content.decode()
    assert "共 5+ 条" in page
