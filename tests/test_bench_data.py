"""The benchmark's generated data is data the app could have written: every timeline follows the
workflow, fields match the status, personal data is valid and encrypted, repeats are linked, and a
data set grows incrementally past deleted rows. Runs the bulk writers of bench/schema.py (COPY on
PostgreSQL, executemany on SQLite) on the test database."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.core.management import call_command

from bench import data, schema
from daiban.audit.guard import maintenance
from daiban.lib import crypto
from daiban.lib.identity import normalize_id_number
from daiban.org.models import User
from daiban.petitions import selectors
from daiban.petitions.actions import ACTIONS
from daiban.petitions.models import Disposition, Event, Petition, Petitioner, PetitionLink, Urging
from daiban.petitions.workflow import OPEN, RUNNING, SCREENED_OUT

ANCHOR = datetime.date(2026, 6, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    call_command("load_demo", quiet=True)


def _generate(total: int, profile: str = "history") -> dict:
    return data.generate(total, profile, anchor=ANCHOR, batch=150, workers=1, bulk=False, log=lambda _: None)


def test_timelines_follow_the_workflow_and_fields_match_the_status(org):
    meta = _generate(400)
    assert meta["generated"] == "400" and meta["anchor"] == ANCHOR.isoformat()
    petitions = {p.pk: p for p in Petition.objects.all()}
    assert len(petitions) == 400
    events = defaultdict(list)
    for e in Event.objects.order_by("id"):
        events[e.petition_id].append(e)
    workflow = {a.name: a for a in ACTIONS.values()}
    for pid, p in petitions.items():
        timeline = events[pid]
        assert timeline[0].action == "intake" and timeline[0].to_status == "received"
        status = "received"
        for e in timeline[1:]:
            assert e.from_status == status, (p.number, e.action)
            assert e.on <= ANCHOR and e.on >= p.received_on
            action = workflow.get(e.action)
            if action is not None:  # petition actions: allowed from that status, to one of its targets
                assert status in action.sources, (p.number, e.action, status)
                assert e.to_status in (action.targets or (status,)), (p.number, e.action, e.to_status)
            status = e.to_status
        assert status == p.status, p.number
        # The floor for back-dated paper work: people's entries only, not the sweep's urgings.
        assert p.last_event_on == max(e.on for e in timeline if e.actor_name != "系统")
        assert (p.agent_id is not None) == (p.accepted_on is not None)
        if p.status in RUNNING:
            assert p.dispositions.exists() and p.track
        if p.status == "archived":
            assert p.archived_on is not None
        if p.status in SCREENED_OUT:
            assert p.agent_id is None and p.screened_on is not None
        if p.status == "declined":
            assert p.decline_reason
    shares = Counter(p.status for p in petitions.values())
    # Three years of history: most of it closed, a small open share, a smaller overdue one.
    assert shares["archived"] > 0.7 * 400
    open_ = sum(n for s, n in shares.items() if s in OPEN)
    overdue = sum(1 for p in petitions.values() if p.status in RUNNING and p.due_on < ANCHOR)
    assert 0 < open_ < 0.15 * 400 and overdue <= open_
    # The sweep's urgings fall on working days only, at most one per 处置单 a day.
    from daiban.workdays.engine import is_workday

    swept = list(Urging.objects.filter(automatic=True).values_list("disposition_id", "on"))
    assert swept and len(set(swept)) == len(swept)
    assert all(is_workday(day) for day in {on for _, on in swept})
        # Dispositions of running petitions are open or answered, never answered before they were routed.
    for d in Disposition.objects.all():
        assert d.result_on is None or d.result_on >= d.routed_on


def test_people_are_valid_encrypted_and_repeats_are_linked(org):
    _generate(400)
    for person in Petitioner.objects.all()[:100]:
        number = crypto.decrypt(person.id_number_enc)
        assert normalize_id_number(number) == number
        assert person.id_hash == crypto.lookup_hash(number)
        assert person.phone_hash == crypto.lookup_hash(crypto.decrypt(person.phone_enc))
    assert Petitioner.objects.count() < Petition.objects.count()  # people come back
    links = list(PetitionLink.objects.select_related("petition", "related"))
    assert links
    for link in links:
        assert link.related.petitioner_id == link.petition.petitioner_id
        assert link.related.received_on <= link.petition.received_on and link.score >= settings.DAIBAN_SAME_MATTER_THRESHOLD


def test_the_data_set_grows_incrementally_past_gaps_and_the_app_reads_it(org):
    _generate(200)
    first = set(Petition.objects.values_list("id", flat=True))
    gone = sorted(first)[50:60]
    with maintenance():  # events are append-only; the benchmark's own reset is the exception
        Petition.objects.filter(pk__in=gone).delete()  # gaps in the ids
    meta = _generate(300)
    assert meta["generated"] == "300" and meta["passes"] == "2"
    assert Petition.objects.count() == 290
    assert not set(gone) & set(Petition.objects.values_list("id", flat=True))
    assert len(set(Petition.objects.values_list("number", flat=True))) == 290
    assert _generate(300)["generated"] == "300"  # nothing more to do
    center = User.objects.get(username="center")
    pid = Petition.objects.filter(status="archived").values_list("id", flat=True).first()
    detail = selectors.petition_detail(selectors.petition_for_detail(center, pid), center)
    assert detail["events"] and detail["petitioner"]["id_number"]


def test_the_open_profile_is_open_at_its_anchor(org):
    _generate(120, "open")
    statuses = Counter(Petition.objects.values_list("status", flat=True))
    assert sum(n for s, n in statuses.items() if s in OPEN) >= 0.95 * 120
    assert statuses["in_progress"] > statuses["received"]


def test_rows_take_the_models_defaults_and_name_a_changed_model():
    table = schema.Table(Event)
    row = table.row(petition_id=1, on=ANCHOR, action="intake")
    assert len(row) == len(table.columns)
    assert row[table.columns.index("data")] == {} and row[table.columns.index("note")] == ""
    with pytest.raises(TypeError, match="petitions_event"):
        table.row(petition_id=1, on=ANCHOR, action="intake", no_such_field=1)
