"""The demo month (issue 15, fault 7): cases in every status and track, made through the real
services, on any day of the year, once, and never in production."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.test import override_settings

from daiban.org.models import User
from daiban.petitions.choices import Status, Track
from daiban.petitions.models import Conduct, Disposition, DoubleInvestigation, Event, Petition, Review
from daiban.petitions.practice_models import Escalation, ExtensionRequest, Reassignment
from daiban.staff.demo_month import cases, load_demo_month
from daiban.staff.models import DutyDay
from daiban.stats import queries
from daiban.stats.queries import Period

pytestmark = pytest.mark.django_db

# A Monday, the day after a weekend, the first working day after the National Day holiday, and
# the day the sessions of this project run: the scripts count working days back on the calendar.
DAYS = ["2026-11-30", "2026-10-08", "2026-12-06", "2027-01-04"]


@pytest.mark.parametrize("day", DAYS)
def test_demo_month_covers_every_status_and_track(org, day):
    with time_machine.travel(datetime.datetime.fromisoformat(f"{day}T09:30:00+08:00"), tick=False):
        made = load_demo_month()
        now = datetime.date.fromisoformat(day)
        assert made == len(cases()) >= 40
        assert Petition.objects.count() == made
        statuses = set(Petition.objects.values_list("status", flat=True))
        assert statuses == set(Status.values), set(Status.values) - statuses
        tracks = set(Petition.objects.exclude(track="").values_list("track", flat=True))
        assert tracks == set(Track.values)
        # Overdue work on the workbench, reviews at both levels, repeats and a joint matter.
        overdue = Petition.objects.filter(status__in=[Status.IN_PROGRESS, Status.ESCALATED], due_on__lt=now)
        assert overdue.count() >= 2
        assert Petition.objects.filter(status=Status.TERMINATED, follow_up_due_on__lt=now).exists()
        assert set(Review.objects.values_list("level", flat=True)) == {"review", "re_review"}
        assert Petition.objects.filter(links__isnull=False).distinct().count() >= 3
        # Channels and sources as a month brings them, portal submissions included.
        assert set(Petition.objects.values_list("channel", flat=True)) == {"visit", "letter", "online", "phone"}
        assert Petition.objects.filter(source="hotline_12345").exists()
        # Work passing between people (issue 12): escalations signed for and sent back, a 处置单
        # returned and routed again, an extension asked, a new agent, 一案双查 assigned, conduct
        # after termination recorded.
        assert Escalation.objects.filter(taken_by__isnull=False).count() >= 2
        assert Escalation.objects.filter(returned_on__isnull=False).exists()
        assert Disposition.objects.filter(status="returned").exists()
        assert ExtensionRequest.objects.filter(decided_on__isnull=True).exists()
        assert Reassignment.objects.exists() and Conduct.objects.exists()
        assert DoubleInvestigation.objects.exists()
        assert not DoubleInvestigation.objects.filter(assignee__isnull=True).exists()
        # Nothing in the future: every event happened on or before today.
        assert not Event.objects.filter(on__gt=now).exists()
        # Late work and 网上信访 (statistics round): a 处置单 answered past its limit and the matter
        # concluded late, one past its limit unanswered; portal submissions taken on, handled and
        # answered at the door. The dashboard's default period (this year so far) shows them, on
        # the first working day of a year too: its 超期 and its 网上 channel are not zeros.
        assert Disposition.objects.filter(status="answered", result_on__gt=F("due_on")).exists()
        assert Petition.objects.filter(concluded_late=True).exists()
        online = Petition.objects.filter(channel="online")
        assert online.count() >= 6 and online.filter(accepted_on__isnull=False).count() >= 3
        assert online.filter(status=Status.ARCHIVED).exists() or online.filter(followed_up_on__isnull=False).exists()
        center = User.objects.get(username="center")
        year = Period(now.replace(month=1, day=1), now)
        figures = queries.summary(queries.scope(center, year))
        assert figures["online"] >= 1 and figures["by_channel"].get("online", 0) >= 1, figures
        assert sum(d["overdue"] for d in queries.departments(queries.scope(center, year), year, today=now)) >= 1
        # The roster: every working day of this month at every station has a leader on duty.
        month = DutyDay.objects.filter(date__year=now.year, date__month=now.month)
        assert month.exists() and not month.filter(leader__isnull=True, station__code="bureau").exists()


def test_demo_month_is_loaded_once(org):
    first = load_demo_month()
    events = Event.objects.count()
    assert first > 0
    assert load_demo_month() == 0
    call_command("load_demo_month")
    assert Event.objects.count() == events


def test_demo_month_never_in_production(org):
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo_month")
    assert not Petition.objects.exists()


def test_demo_month_needs_the_demo_organisation(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_month")
