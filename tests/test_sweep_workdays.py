"""Issue 12, fault 5: the daily sweep urges on working days only, at most once a 处置单 a day, and
its automatic events never raise the floor for back-dated paper work."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from daiban.notifications.models import Notification, SweepRun
from daiban.notifications.sweep import run_sweep
from daiban.petitions.models import Event, Petition, Urging

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=9, tzinfo=TZ)


@pytest.fixture
def overdue(routed, clock):
    """Three 处置单 routed on 2026-09-16, due 2026-10-13: overdue from 10-14 on."""
    return [routed(petitioner={"name": name}) for name in ("张三", "李四", "王五")]


def automatic_urgings() -> int:
    return Urging.objects.filter(automatic=True).count()


def test_a_weekend_run_urges_nothing(overdue, clock):
    clock.move_to(at("2026-11-30"))  # a Monday
    out = StringIO()
    call_command("sweep", "--no-send", "--today", "2026-11-28", stdout=out)  # Saturday
    call_command("sweep", "--no-send", "--today", "2026-11-29", stdout=out)  # Sunday
    assert automatic_urgings() == 0
    assert not Event.objects.filter(action="urge").exists()
    assert not Notification.objects.filter(template__in=["overdue", "due_soon"]).exists()
    assert not SweepRun.objects.exists()  # a rest day is not claimed: nothing to replay
    assert "休息日" in out.getvalue()
    call_command("sweep", "--no-send", stdout=out)  # Monday itself
    assert automatic_urgings() == 3


def test_a_holiday_week_counts_one_urging_per_working_day(routed, clock):
    # Routed 2026-09-16, due 10-13; 10-01..10-07 is the National Day holiday, 10-10 (a Saturday) a
    # make-up working day. The sweep runs every calendar day from 09-30 to 10-25, as cron does.
    petition = routed()
    disposition = petition["dispositions"][0]["id"]
    day = datetime.date(2026, 9, 30)
    swept = []
    while day <= datetime.date(2026, 10, 25):
        clock.move_to(at(day.isoformat()))
        report = run_sweep(day=day, send=False)
        if not report.rest_day:
            swept.append(day)
        day += datetime.timedelta(days=1)
    urged_on = list(Urging.objects.filter(disposition_id=disposition, automatic=True).values_list("on", flat=True))
    # Due soon from 10-09 (three working days before 10-13, counting the make-up Saturday 10-10),
    # then overdue: every working day, never on 10-01..10-07 nor a weekend.
    expected = [d for d in swept if d >= datetime.date(2026, 10, 9)]
    assert urged_on == expected
    assert datetime.date(2026, 10, 10) in urged_on  # 调休上班
    assert not {datetime.date(2026, 10, d) for d in range(1, 8)} & set(urged_on)
    assert not {d for d in urged_on if d.weekday() >= 5} - {datetime.date(2026, 10, 10)}


def test_at_most_one_automatic_urging_per_disposition_per_working_day(overdue, clock):
    clock.move_to(at("2026-10-14"))
    day = datetime.date(2026, 10, 14)
    assert run_sweep(day=day, send=False).overdue == 3
    assert run_sweep(day=day, send=False).already_ran
    # Even when the day's claim is gone (a replay by hand, a restored backup), a 处置单 urged that day
    # is not urged again.
    SweepRun.objects.all().delete()
    report = run_sweep(day=day, send=False)
    assert (report.overdue, report.due_soon) == (0, 0)
    assert automatic_urgings() == 3
    assert Event.objects.filter(action="urge", actor__isnull=True).count() == 3


def test_an_automatic_urging_does_not_raise_the_floor_for_paper_work(api, overdue, clock):
    petition = overdue[0]
    clock.move_to(at("2026-11-30"))
    call_command("sweep", "--no-send", "--today", "2026-11-28", stdout=StringIO())  # Saturday: nothing
    call_command("sweep", "--no-send", stdout=StringIO())  # Monday: urged
    assert Urging.objects.filter(disposition_id=petition["dispositions"][0]["id"], on=datetime.date(2026, 11, 30)).exists()
    # Friday's phone call, entered on Monday after the sweep ran.
    response = api("agent1").act(petition["id"], "contact", {"method": "phone", "note": "说明办理进度", "on": "2026-11-27"})
    assert response.status_code == 200, response.data
    assert Petition.objects.get(pk=petition["id"]).last_event_on == datetime.date(2026, 11, 27)
    # A person's entry still sets the floor.
    response = api("agent1").act(petition["id"], "contact", {"method": "phone", "note": "再次联系", "on": "2026-11-26"})
    assert response.status_code == 400
    assert "on" in response.data["error"]["fields"]


def test_the_floor_after_a_working_day_sweep_is_the_last_persons_entry(api, overdue, clock):
    petition = overdue[1]
    for day in ("2026-10-14", "2026-10-15", "2026-10-16"):
        clock.move_to(at(day))
        run_sweep(day=datetime.date.fromisoformat(day), send=False)
    assert Petition.objects.get(pk=petition["id"]).last_event_on == datetime.date(2026, 9, 16)
    response = api("agent1").act(petition["id"], "contact", {"method": "visit", "on": "2026-10-13"})
    assert response.status_code == 200, response.data


def test_the_migration_gives_open_petitions_back_the_floor_an_earlier_sweep_raised(api, overdue, clock):
    import importlib
    import pkgutil

    from django.apps import apps

    from daiban.petitions import migrations

    name = next(m.name for m in pkgutil.iter_modules(migrations.__path__) if m.name.endswith("_i12d_sweep_floor"))
    migration = importlib.import_module(f"daiban.petitions.migrations.{name}")  # the number changes at merge
    clock.move_to(at("2026-10-15"))
    run_sweep(day=datetime.date(2026, 10, 15), send=False)
    raised = [p["id"] for p in overdue]
    Petition.objects.filter(pk__in=raised).update(last_event_on=datetime.date(2026, 10, 15))  # as main's sweep did
    api("agent1").act(raised[0], "contact", {"method": "phone", "on": "2026-10-15"})  # a person's entry that day
    Petition.objects.filter(pk=raised[0]).update(last_event_on=datetime.date(2026, 10, 15))
    migration.restore_floor(apps, None)
    floors = dict(Petition.objects.filter(pk__in=raised).values_list("pk", "last_event_on"))
    assert floors == {raised[0]: datetime.date(2026, 10, 15), raised[1]: datetime.date(2026, 9, 16),
                      raised[2]: datetime.date(2026, 9, 16)}
