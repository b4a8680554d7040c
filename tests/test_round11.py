"""Round 11 (2026-12-01): faults of kinds found again, each as a behaviour."""

from __future__ import annotations

from django.test import Client

from daiban.audit.models import Action, AuditEntry
from daiban.org.models import User
from daiban.petitions.models import Petition
from tests.factories import id_number


def _staff(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# --- a lookup of a person by ID number or phone is audited, without the number ----------------------

def test_each_search_by_id_number_or_phone_is_an_audit_row_naming_the_person_not_the_number(api, accepted, org, clock):
    number, phone = id_number(serial=811), "13900000811"
    petition = accepted(petitioner={"name": "赵六", "id_number": number, "phone": phone})
    person = Petition.objects.get(pk=petition["id"]).petitioner_id
    before = AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).count()

    assert api("center").get("/petitions", q=number).data["count"] == 1
    assert _staff("agent2").get("/staff/petitions/", {"q": "139 0000 0811"}).status_code == 200
    assert api("center").get("/petitions", q="13900000999").data["count"] == 0  # nobody's
    assert api("center").get("/petitions", q="赵六").data["count"] == 1  # a name: not an identity search

    rows = list(AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).order_by("seq"))[before:]
    assert [(r.actor_username, r.detail["kind"], r.detail["people"], r.target_id) for r in rows] == [
        ("center", "id_number", 1, str(person)), ("agent2", "phone", 1, str(person)), ("center", "phone", 0, ""),
    ]
    for row in rows:  # the number, its digits or the name are nowhere in the row
        text = f"{row.target_label} {row.detail}"
        assert number not in text and "0811" not in text and "赵六" not in text


def test_a_search_past_the_allowance_is_refused_and_not_audited_as_done(api, accepted, org, clock, settings):
    settings.DAIBAN_IDENTITY_SEARCHES_PER_HOUR = 1
    accepted(petitioner={"name": "钱七", "id_number": id_number(serial=812), "phone": "13900000812"})
    before = AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).count()
    agent = api("agent1")
    assert agent.get("/petitions", q="13900000812").status_code == 200
    assert agent.get("/petitions", q="13900000812").status_code == 429
    assert AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).count() == before + 1
