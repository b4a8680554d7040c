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


# --- search entries written before the index ignored invisible characters ---------------------------

def test_the_refresh_of_search_bodies_covers_invisible_characters_in_content_and_results(api, new_petition, org, clock):
    import importlib

    from django.apps import apps

    from daiban.petitions.index_models import SearchEntry
    from daiban.petitions.search import text_tokens

    stored = new_petition(content="沙尔利格嘎查的采砂场长期违法开采，河道被挖出大坑。")
    plain = new_petition(content="草场被占，请求补偿。")
    # As a content stored before the boundary removed the joiner, its entry cut apart at it; a plain
    # petition's entry is left as it is.
    Petition.objects.filter(pk=stored["id"]).update(content="沙尔利格嘎查的采\u200b砂场长期违法开采，河道被挖出大坑。")
    SearchEntry.objects.filter(petition_id=stored["id"]).update(
        body=" ".join(text_tokens("沙尔利格嘎查的采 砂场长期违法开采，河道被挖出大坑。")))
    untouched = SearchEntry.objects.get(petition_id=plain["id"]).body
    agent = api("agent1")
    assert stored["id"] not in {p["id"] for p in agent.get("/petitions", q="采砂场").data["items"]}
    importlib.import_module("daiban.petitions.migrations.0028_search_bodies_without_invisible_characters").refresh(apps, None)
    assert stored["id"] in {p["id"] for p in agent.get("/petitions", q="采砂场").data["items"]}
    assert SearchEntry.objects.get(petition_id=plain["id"]).body == untouched
