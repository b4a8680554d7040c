"""The calendar table: seeded from the library, editable, importable; changes move running deadlines."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from daiban.petitions.models import Event, Petition
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import NoticeError, parse_notice, seed_years


def test_2026_is_seeded_and_confirmed_with_make_up_days(db):
    day = CalendarDay.objects.get
    assert day(date=datetime.date(2026, 10, 1)).is_workday is False
    assert day(date=datetime.date(2026, 9, 20)).is_workday is True  # Sunday make-up day
    assert day(date=datetime.date(2026, 9, 20)).kind == "makeup"
    assert day(date=datetime.date(2026, 10, 1)).kind == "holiday"
    assert CalendarDay.objects.filter(date__year=2026, confirmed=False).count() == 0
    assert CalendarDay.objects.filter(date__year=2027, confirmed=True).count() == 0


def test_seeding_again_keeps_administrator_changes(db):
    CalendarDay.objects.filter(date=datetime.date(2027, 3, 1)).update(is_workday=False, source="admin", name="停电")
    seed_years([2027])
    assert CalendarDay.objects.get(date=datetime.date(2027, 3, 1)).is_workday is False


def test_calendar_change_recomputes_running_deadlines_and_records_it(api, routed, clock):
    petition = routed()
    assert petition["due_on"] == "2026-10-13"
    response = api("admin").post("/calendar/days", {
        "days": [{"date": "2026-09-22", "is_workday": False, "name": "临时放假"}], "reason": "旗政府通知临时放假"})
    assert response.status_code == 200 and response.data["changed"] == ["2026-09-22"]
    detail = api("agent1").get(f"/petitions/{petition['id']}").data
    assert detail["due_on"] == "2026-10-14"
    assert detail["dispositions"][0]["due_on"] == "2026-10-14"
    recorded = detail["events"][-1]
    assert recorded["action"] == "deadline_recomputed" and "2026-10-14" in recorded["note"]


def test_a_change_after_the_deadline_leaves_it_alone(api, routed, clock):
    petition = routed()
    api("admin").post("/calendar/days", {"days": [{"date": "2026-10-20", "is_workday": False}]})
    assert Petition.objects.get(pk=petition["id"]).due_on == datetime.date(2026, 10, 13)
    assert not Event.objects.filter(action="deadline_recomputed").exists()


def test_only_the_administrator_edits_the_calendar(api, clock):
    response = api("agent1").post("/calendar/days", {"days": [{"date": "2026-09-22", "is_workday": False}]})
    assert response.status_code == 403


NOTICE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知（示例）
2027-01-01..2027-01-03 休 元旦
2027-02-05..2027-02-11 休 春节
2027-02-20 班 春节调休上班
"""


def test_import_a_year_from_a_notice_file(db, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    out = StringIO()
    call_command("calendar_import", "2027", str(notice), stdout=out)
    day = CalendarDay.objects.get
    assert day(date=datetime.date(2027, 2, 20)).is_workday is True
    assert day(date=datetime.date(2027, 2, 8)).is_workday is False
    assert day(date=datetime.date(2027, 2, 8)).source == "import"
    assert CalendarDay.objects.filter(date__year=2027, confirmed=False).count() == 0
    assert "已导入" in out.getvalue()


def test_import_dry_run_changes_nothing(db, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    call_command("calendar_import", "2027", str(notice), "--dry-run", stdout=StringIO())
    assert CalendarDay.objects.get(date=datetime.date(2027, 2, 20)).is_workday is False


def test_notice_errors_name_the_line():
    with pytest.raises(NoticeError, match="第2行"):
        parse_notice("2027-01-01 休\n2027-13-01 休\n", 2027)
    with pytest.raises(NoticeError, match="不在 2027 年"):
        parse_notice("2026-12-31 休\n", 2027)


def test_calendar_endpoint_lists_a_year(api):
    days = api("agent1").get("/calendar/2026").data
    assert len(days) == 365
    assert {d["kind"] for d in days} == {"workday", "weekend", "holiday", "makeup"}


def test_admin_edit_of_a_day_recomputes_deadlines(routed, clock, org):
    from django.test import Client

    from daiban.org.models import User

    petition = routed()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    response = client.post("/admin/workdays/calendarday/2026-09-22/change/", {
        "date": "2026-09-22", "is_workday": "", "name": "临时放假", "source": "admin", "confirmed": "on"})
    assert response.status_code == 302
    assert Petition.objects.get(pk=petition["id"]).due_on == datetime.date(2026, 10, 14)
    assert Event.objects.filter(petition_id=petition["id"], action="deadline_recomputed").exists()
