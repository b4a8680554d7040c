"""manage.py reindex rebuilds what intake keeps current: the same features, counts, keys and entries."""

from django.core.management import call_command

from daiban.petitions.index_models import MatterBucket, PetitionFeatures, SearchEntry, TermCount
from tests.factories import OTHER_MATTER, PARAPHRASE, id_number


def snapshot():
    return (
        sorted(PetitionFeatures.objects.values_list("petition_id", "terms", "facts")),
        sorted(TermCount.objects.values_list("term", "petitions")),
        sorted(MatterBucket.objects.values_list("petition_id", "key", "station_id")),
        sorted(SearchEntry.objects.values_list("petition_id", "number", "name", "body")),
    )


def test_reindex_gives_what_intake_built(api, new_petition):
    person = {"id_number": id_number(serial=601)}
    new_petition(petitioner=person)
    new_petition(petitioner=person, content=PARAPHRASE)
    new_petition(content=OTHER_MATTER)
    before = snapshot()
    SearchEntry.objects.all().delete()
    PetitionFeatures.objects.filter(petition_id__in=[1]).delete()
    call_command("reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == before
    assert [i["number"] for i in api("agent1").get("/petitions", q="宅基地").data["items"]]


def test_reindex_finds_the_hotspot_links_of_recent_open_petitions_again(new_petition):
    from daiban.petitions.index_models import MatterLink
    from tests.test_same_matter_across import RAILWAY

    for i, text in enumerate(RAILWAY):
        new_petition(petitioner={"id_number": id_number(serial=610 + i)}, content=text)
    links = MatterLink.objects.count()
    assert links >= 2
    MatterLink.objects.all().delete()
    call_command("reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert MatterLink.objects.count() >= links


def test_upgrade_migration_cuts_stored_features_again(new_petition):
    """0020_i14_short_retellings_refresh_features: features stored by an older version (here: stale terms, facts, norms,
    counts and keys) are what intake builds today after the migration runs, with no reindex."""
    import importlib

    from django.apps import apps
    from django.db import connection

    person = {"id_number": id_number(serial=620)}
    new_petition(petitioner=person)
    new_petition(petitioner=person, content=PARAPHRASE)
    new_petition(content=OTHER_MATTER)
    norms = dict(PetitionFeatures.objects.values_list("petition_id", "norm"))
    before = snapshot()[:3]
    PetitionFeatures.objects.update(terms="旧 词", facts="诉:旧", norm=1.0)
    TermCount.objects.all().delete()
    MatterBucket.objects.all().delete()
    migration = importlib.import_module("daiban.petitions.migrations.0020_i14_short_retellings_refresh_features")
    migration.refresh(apps, connection.schema_editor())
    assert snapshot()[:3] == before
    after = dict(PetitionFeatures.objects.values_list("petition_id", "norm"))
    # Intake weighs each petition with the counts known when it arrived; the migration with all of them.
    assert after.keys() == norms.keys() and all(v > 0 for v in after.values())


def test_upgrade_migration_is_not_stopped_by_one_text(new_petition, monkeypatch, caplog):
    """If cutting one petition's text failed, the others are still cut and that one is left empty."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from daiban.petitions import similarity

    first = new_petition(petitioner={"id_number": id_number(serial=630)})
    new_petition(content=OTHER_MATTER)
    real = similarity.features

    def failing(text):
        if text == OTHER_MATTER:
            raise RuntimeError("boom")
        return real(text)

    monkeypatch.setattr(similarity, "features", failing)
    migration = importlib.import_module("daiban.petitions.migrations._refresh_features")
    migration.refresh(apps, connection.schema_editor())
    stored = dict(PetitionFeatures.objects.values_list("petition_id", "terms"))
    assert stored[first["id"]] and "" in stored.values()
    assert "could not be cut" in caplog.text
