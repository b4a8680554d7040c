"""The daily reminder sweep: urging recorded on the 处置单 once a day, follow-up reminders,
the calendar warning, idempotent, with a dry run."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from daiban.notifications.models import Notification, SweepRun
from daiban.notifications.sweep import run_sweep
from daiban.petitions.models import Event, Urging

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day):
    return datetime.datetime.fromisoformat(day).replace(hour=7, tzinfo=TZ)


@pytest.fixture
def two_cases(api, routed, org, clock):
    """One 处置单 due 2026-10-13 (standard) and one routed later, due further out."""
    first = routed()
    clock.move_to(at("2026-09-30"))
    second = routed(departments=[org.departments[1].pk], petitioner={"name": "李四"})
    return first, second


def test_urges_what_is_due_within_three_working_days(two_cases, clock):
    first, second = two_cases
    # 10-13 is the 4th working day after 10-08 and the 3rd after 10-09 (10-10 is a make-up Saturday).
    assert run_sweep(day=datetime.date(2026, 10, 8), send=False).due_soon == 0
    clock.move_to(at("2026-10-09"))
    report = run_sweep(day=datetime.date(2026, 10, 9), send=False)
    assert (report.due_soon, report.overdue) == (1, 0)
    urging = Urging.objects.get()
    assert urging.disposition_id == first["dispositions"][0]["id"] and urging.automatic and urging.on == datetime.date(2026, 10, 9)
    assert Event.objects.filter(petition_id=first["id"], action="urge", actor__isnull=True).count() == 1
    assert Notification.objects.filter(template="due_soon", recipient__username="agent1").count() == 1


def test_overdue_is_urged_every_day_but_once_a_day(two_cases, clock):
    first, _ = two_cases
    clock.move_to(at("2026-10-14"))
    out = StringIO()
    call_command("sweep", "--no-send", stdout=out)
    call_command("sweep", "--no-send", stdout=out)
    assert "不重复催办" in out.getvalue()
    assert Urging.objects.filter(disposition_id=first["dispositions"][0]["id"]).count() == 1
    assert Notification.objects.filter(template="overdue").count() == 1
    clock.move_to(at("2026-10-15"))
    call_command("sweep", "--no-send", stdout=out)
    assert Urging.objects.filter(disposition_id=first["dispositions"][0]["id"]).count() == 2
    assert SweepRun.objects.count() == 2


def test_dry_run_changes_nothing(two_cases, clock):
    clock.move_to(at("2026-10-14"))
    out = StringIO()
    call_command("sweep", "--dry-run", stdout=out)
    assert "（试运行）" in out.getvalue() and "已超期 1 件" in out.getvalue()
    assert not Urging.objects.exists() and not SweepRun.objects.exists()
    assert Notification.objects.filter(channel="sms", state="queued").exists()  # nothing was sent either


def test_urgings_appear_on_the_disposition_form_record(api, two_cases, clock):
    first, _ = two_cases
    clock.move_to(at("2026-10-14"))
    run_sweep(day=datetime.date(2026, 10, 14), send=False)
    detail = api("agent1").get(f"/petitions/{first['id']}").data
    assert detail["dispositions"][0]["urgings"] == [{"on": "2026-10-14", "note": "系统自动催办（已超期1个工作日）", "automatic": True}]


def test_follow_up_reminders(api, routed, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办结"})
    api("agent1").act(petition["id"], "feedback", {"method": "phone", "satisfaction": "satisfied"})
    api("agent1").act(petition["id"], "terminate")
    report = run_sweep(day=datetime.date(2026, 9, 25), send=False)  # follow-up due 10-08 (after 国庆)
    assert report.follow_ups == 0
    # 09-30 is the last working day before the holiday: 10-08 is its third working day after.
    report = run_sweep(day=datetime.date(2026, 9, 30), send=False)
    assert report.follow_ups == 1
    assert Notification.objects.filter(template="follow_up_due", recipient__username="agent1").count() == 1


def test_calendar_warning_in_november_and_december_only(org):
    assert run_sweep(day=datetime.date(2026, 10, 30), send=False).calendar_warning is None
    report = run_sweep(day=datetime.date(2026, 11, 2), send=False)
    assert report.calendar_warning == 2027
    assert Notification.objects.filter(template="calendar_unconfirmed", recipient__username="admin").count() == 1
    from daiban.workdays.services import calendar_confirm_year

    calendar_confirm_year(year=2027)
    assert run_sweep(day=datetime.date(2026, 11, 3), send=False).calendar_warning is None


def test_sweep_sends_queued_sms(new_petition, clock):
    new_petition()
    report = run_sweep(day=datetime.date(2026, 9, 16))
    assert report.sms["sent"] == 1
