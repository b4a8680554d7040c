"""daiban.lib.compiled: a query compiled once gives what its queryset gives, each time with the new
arguments, and refuses what it cannot substitute."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daiban.lib.compiled import Compiled, KeyedCompiled
from daiban.org.models import User
from daiban.petitions.models import Contact, Petition
from daiban.petitions.permissions import petitions_visible_to, visibility


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_rows_are_the_querysets_rows_with_their_joins(api, routed):
    pid = routed()["id"]
    for note in ("一", "二"):
        assert api("agent1").act(pid, "contact", {"method": "phone", "note": note}).status_code == 200
    rows = Compiled(lambda p: Petition.objects.select_related("petitioner", "agent", "station").filter(pk=p))
    got, want = rows.first(pid), Petition.objects.select_related("petitioner", "agent", "station").get(pk=pid)
    assert _fields(got) == _fields(want)
    assert _fields(got.petitioner) == _fields(want.petitioner) and got.station.name == want.station.name
    with CaptureQueriesContext(connection) as seen:
        assert got.agent.name == want.agent.name  # joined: no query
    assert not seen.captured_queries
    contacts = Compiled(lambda p: Contact.objects.filter(petition_id=p).order_by("id"))
    assert [c.note for c in contacts.rows(pid)] == ["一", "二"]
    assert contacts.rows(pid + 1000) == []  # the same shape with another argument


def test_keyed_shapes_follow_the_key(api, routed, org):
    pid = routed()["id"]
    one = KeyedCompiled(lambda seen, p: petitions_visible_to(seen).filter(pk=p).order_by()[:1])
    for username in ("agent1", "center", "agent12", "dept1", "dept3"):
        user = User.objects.get(username=username)
        expected = list(petitions_visible_to(visibility(user)).filter(pk=pid))
        assert [p.pk for p in one.rows(visibility(user), pid)] == [p.pk for p in expected], username
    nobody = visibility(None)  # .none(): no query at all
    with CaptureQueriesContext(connection) as seen:
        assert one.rows(nobody, pid) == []
    assert not seen.captured_queries


def test_what_it_cannot_substitute_is_refused(db):
    rows = Compiled(lambda p: Contact.objects.filter(petition_id=p))
    with pytest.raises(TypeError):
        rows.rows("1")
    with pytest.raises(TypeError):
        rows.rows(True)
    twice = Compiled(lambda p: Contact.objects.filter(petition_id=p, by_id=p))
    with pytest.raises(ValueError, match="once"):
        twice.rows(1)


def test_the_details_related_rows_stay_the_petitions_own_in_derived_queries(api, routed):
    """petition_for_detail leaves the related rows where prefetch_related would, in the related
    manager's own queryset: a query derived from it (a guard's `.filter(…).exists()`) reads only
    this petition's rows, never the whole table."""
    from daiban.petitions import selectors
    from daiban.petitions.models import Disposition

    first, second = routed()["id"], routed()["id"]
    user = User.objects.get(username="agent1")
    petition = selectors.petition_for_detail(user, first)
    own = set(Disposition.objects.filter(petition_id=first).values_list("id", flat=True))
    assert own and Disposition.objects.filter(petition_id=second).exists()
    with CaptureQueriesContext(connection) as seen:
        assert {d.pk for d in petition.dispositions.all()} == own
    assert not seen.captured_queries  # as loaded
    assert set(petition.dispositions.values_list("id", flat=True)) == own
    assert set(petition.dispositions.filter(pk__gt=0).values_list("id", flat=True)) == own
    assert not petition.contacts.exclude(petition_id=first).exists()
    d = petition.dispositions.all()[0]
    assert list(d.urgings.values_list("disposition_id", flat=True).distinct()) in ([], [d.pk])
