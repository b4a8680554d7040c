"""Keeping the finding tables current, inside the transaction that changes a petition.

- `petition_added` (intake): the content's features and their document frequencies, the LSH band
  keys, the links to earlier petitions of the same petitioner on the same matter (eligibility) and
  to open petitions of other petitioners on a similar matter (matters), and the search entry.
- `text_changed` (a result recorded): the search entry again, so results are found by their words.
- `rebuild` (manage.py reindex): everything rebuilt from the petitions, e.g. after loading data.
"""

from __future__ import annotations

from django.db import transaction

from daiban.petitions import matters, search
from daiban.petitions.events import projects
from daiban.petitions.index_models import MatterBucket, PetitionFeatures, SearchEntry, TermCount
from daiban.petitions.models import Disposition, Event, Petition
from daiban.petitions.similarity import Features, TermStats, background, features, norm
from daiban.petitions.termcounts import _count_many, count_terms, stats_for  # noqa: F401  (re-exported)


def _search_texts(petition: Petition) -> list[str]:
    results = list(Disposition.objects.filter(petition_id=petition.pk).exclude(result="").values_list("result", flat=True))
    return [petition.content, petition.result or "", *results]


def write_search_entry(petition: Petition) -> None:
    values = search.entry_values(petition.number, search.indexed_name(petition), _search_texts(petition))
    SearchEntry.objects.update_or_create(petition_id=petition.pk, defaults=values)


def petition_added(petition: Petition) -> None:
    """Index a petition just taken in (called by intake inside its transaction)."""
    from daiban.petitions import eligibility

    f = features(petition.content)
    # Scored with the frequencies the check before saving used (without this petition's own text),
    # so the score stored with a link is the one shown at intake; counted after. The norm kept for
    # later comparisons is the one reindex would keep: with its own text counted.
    stats = stats_for(f.terms)
    terms, facts = f.dumps()
    PetitionFeatures.objects.create(petition=petition, terms=terms, facts=facts, norm=norm(f, stats.plus(f.terms)))
    keys = matters.band_keys(f)
    MatterBucket.objects.bulk_create([MatterBucket(key=k, petition=petition, station_id=petition.station_id) for k in keys])
    eligibility.link_related(petition, f, stats)
    matters.link_across(petition, matters.similar_open(
        station_id=petition.station_id, features=f, stats=stats, keys=keys,
        exclude_petitioner=petition.petitioner_id, exclude_petition=petition.pk))
    count_terms(f.terms)
    # A new petition has no results yet: its entry is created directly, without looking for one.
    SearchEntry.objects.create(petition=petition, **search.entry_values(
        petition.number, search.indexed_name(petition), [petition.content]))


def text_changed(petition_id: int) -> None:
    """A result was recorded: search its words too."""
    petition = Petition.objects.select_related("petitioner").get(pk=petition_id)
    write_search_entry(petition)


@projects("conclude", "disposition_result", "petitioner_correction")
def _result_recorded(event: Event) -> None:
    # The petition and its 处置单 are saved before their event is recorded (services.py).
    text_changed(event.petition_id)


def rebuild(*, batch: int = 2000, progress=None) -> int:
    """Rebuild features, document frequencies, band keys and search entries of every petition from
    scratch (`manage.py reindex`; after bulk loading). Cross-petitioner links found at intake stay,
    and those of the open petitions of the last 90 days are found again (relink_recent).
    Runs in batches, each in its own transaction; returns the number of petitions indexed."""
    with transaction.atomic():
        for model in (SearchEntry, MatterBucket, PetitionFeatures, TermCount):
            model.objects.all().delete()
    qs = Petition.objects.order_by("id")
    # First pass: document frequencies of everything, so every stored norm uses the final weights.
    df: dict[str, int] = {}
    total = 0
    feats: dict[int, Features] = {}
    for petition in qs.only("id", "content").iterator(chunk_size=batch):
        f = features(petition.content)
        feats[petition.pk] = f
        total += 1
        for t in f.terms:
            df[t] = df.get(t, 0) + 1
    with transaction.atomic():
        _count_many(df, total)
    prior = background()
    stats = TermStats(total + prior.total, {t: n + prior.df.get(t, 0) for t, n in df.items()})
    done = 0
    ids = list(feats)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        petitions = list(Petition.objects.select_related("petitioner").filter(pk__in=chunk)
                         .only("id", "number", "content", "result", "station_id", "petitioner_id", "petitioner__name"))
        results: dict[int, list[str]] = {}
        for pid, text in Disposition.objects.filter(petition_id__in=chunk).exclude(result="").values_list("petition_id", "result"):
            results.setdefault(pid, []).append(text)
        with transaction.atomic():
            PetitionFeatures.objects.bulk_create([
                PetitionFeatures(petition_id=pid, terms=feats[pid].dumps()[0], facts=feats[pid].dumps()[1],
                                 norm=norm(feats[pid], stats)) for pid in chunk])
            MatterBucket.objects.bulk_create([
                MatterBucket(key=k, petition_id=p.pk, station_id=p.station_id)
                for p in petitions for k in matters.band_keys(feats[p.pk])], batch_size=5000)
            SearchEntry.objects.bulk_create([
                SearchEntry(petition_id=p.pk, **search.entry_values(
                    p.number, search.indexed_name(p), [p.content, p.result or "", *results.get(p.pk, [])]))
                for p in petitions])
        done += len(chunk)
        if progress:
            progress(done)
    relink_recent(stats)
    return done


def relink_recent(stats: TermStats | None = None) -> int:
    """Find again the cross-petitioner links (MatterLink) of the open petitions received in the last
    90 days, so the 矛盾纠纷热点 are there after a bulk load. Returns the links written."""
    import datetime

    from django.utils import timezone

    from daiban.petitions.index_models import MatterLink
    from daiban.petitions.workflow import OPEN

    since = timezone.localdate() - datetime.timedelta(days=matters.HOTSPOT_DAYS)
    recent = Petition.objects.filter(status__in=OPEN, received_on__gte=since).values_list("id", "station_id", "petitioner_id")
    written = 0
    for pid, station_id, petitioner_id in recent.iterator(chunk_size=2000):
        pf = PetitionFeatures.objects.filter(petition_id=pid).first()
        if pf is None:
            continue
        f = Features.loads(pf.terms, pf.facts)
        keys = list(MatterBucket.objects.filter(petition_id=pid).values_list("key", flat=True))
        found = matters.similar_open(station_id=station_id, features=f, stats=stats or stats_for(f.terms), keys=keys,
                                     exclude_petitioner=petitioner_id, exclude_petition=pid)
        MatterLink.objects.bulk_create([MatterLink(petition_id=pid, other_id=o, score=v) for o, v in found],
                                       ignore_conflicts=True)
        written += len(found)
    return written


