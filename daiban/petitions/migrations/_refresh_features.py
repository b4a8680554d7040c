"""Cutting every petition's stored same-matter features again, for the migrations that change them
(0020; 0019 and 0018 before it). A module whose name starts with "_" is not a migration itself.

PetitionFeatures (terms, facts, norm), the document frequencies (TermCount) and the LSH band keys
(MatterBucket), which come from the words, are rebuilt; search entries do not use these features and
stay, links already found stay. Works with the models as they are at the calling migration
(apps.get_model) and today's pure functions (similarity.features, matters.band_keys). Two passes over
the petitions in batches, so memory does not grow with the table: the first cuts and stores the terms
and counts them, the second computes each norm with the final counts. A database without petitions has
nothing to do. Cost, in the migration's transaction: about 3 minutes at 100,000 petitions on SQLite,
988 s at 1,000,000 on PostgreSQL (bench/search.py's data, 2026-11-30).

Going back: the reverse of the calling migrations does nothing, so features stored by this version stay.
Code of an earlier version may not read them (it does not know the kinds of fact added since, 位 and 已);
after rolling the code back across such a migration, run that version's `manage.py reindex`.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

BATCH = 2000
_MAX_TERM = 64  # TermCount.term's length


def refresh(apps, schema_editor) -> None:
    Petition = apps.get_model("petitions", "Petition")
    PetitionFeatures = apps.get_model("petitions", "PetitionFeatures")
    TermCount = apps.get_model("petitions", "TermCount")
    MatterBucket = apps.get_model("petitions", "MatterBucket")
    if not Petition.objects.exists():
        return
    from daiban.petitions.matters import band_keys
    from daiban.petitions.similarity import Features, TermStats, background, features, norm

    PetitionFeatures.objects.all().delete()
    MatterBucket.objects.all().delete()
    df: dict[str, int] = {}
    total = 0
    last = 0
    while True:  # first pass: terms, facts and band keys; document frequencies counted
        rows = list(Petition.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "content", "station_id")[:BATCH])
        if not rows:
            break
        stored, buckets = [], []
        for pk, content, station_id in rows:
            f = _features_or_empty(features, pk, content)
            total += 1
            for t in f.terms:
                df[t] = df.get(t, 0) + 1
            terms, facts = f.dumps()
            stored.append(PetitionFeatures(petition_id=pk, terms=terms, facts=facts, norm=0.0))
            buckets += [MatterBucket(key=k, petition_id=pk, station_id=station_id) for k in band_keys(f)]
        PetitionFeatures.objects.bulk_create(stored, batch_size=500)
        MatterBucket.objects.bulk_create(buckets, batch_size=1000)
        last = rows[-1][0]
    TermCount.objects.all().delete()
    counts = [TermCount(term=t, petitions=n) for t, n in df.items() if t and len(t) <= _MAX_TERM]
    TermCount.objects.bulk_create([*counts, TermCount(term="", petitions=total)], batch_size=1000)
    prior = background()
    stats = TermStats(total + prior.total, {t: n + prior.df.get(t, 0) for t, n in df.items()})
    last = 0
    while True:  # second pass: each norm with the final weights
        batch = list(PetitionFeatures.objects.filter(petition_id__gt=last).order_by("petition_id")[:BATCH])
        if not batch:
            break
        for pf in batch:
            pf.norm = norm(Features.loads(pf.terms, pf.facts), stats)
        PetitionFeatures.objects.bulk_update(batch, ["norm"], batch_size=500)
        last = batch[-1].petition_id


def _features_or_empty(features, pk: int, content: str):
    """One petition's features; if cutting its text fails (a bug, not expected), its features are left
    empty and its id is logged (no personal data), so one row cannot roll back the upgrade of all of them:
    it is then only left out of the same-matter checks until `manage.py reindex`."""
    try:
        return features(content)
    except Exception:  # noqa: BLE001 — any failure of one text must not block the migration
        log.warning("same-matter features of petition id %s could not be cut; left empty", pk, exc_info=True)
        return features("")
