"""Keeping the finding tables current, inside the transaction that changes a petition.

- `petition_added` (intake): the content's features and their document frequencies, the LSH band
  keys, the links to earlier petitions of the same petitioner on the same matter (eligibility) and
  to open petitions of other petitioners on a similar matter (matters), and the search entry.
- `text_changed` (a result recorded): the search entry again, so results are found by their words.
- `reindex` (manage.py reindex): everything rebuilt from the petitions, e.g. after loading data.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from daiban.petitions import matters, search
from daiban.petitions.index_models import MatterBucket, PetitionFeatures, SearchEntry, TermCount
from daiban.petitions.models import Disposition, Petition
from daiban.petitions.similarity import Features, TermStats, background, features, norm

TOTAL = ""  # TermCount row counting petitions
_MAX_TERM = 64


def stats_for(terms: Iterable[str]) -> TermStats:
    """Document frequencies of these terms (and the petition count): the bureau's own (TermCount,
    one query) plus the shipped background (similarity.background)."""
    wanted = {t for t in terms if len(t) <= _MAX_TERM}
    wanted.add(TOTAL)
    rows = dict(TermCount.objects.filter(term__in=wanted).values_list("term", "petitions"))
    prior = background()
    total = rows.pop(TOTAL, 0) + prior.total
    return TermStats(total, {t: rows.get(t, 0) + prior.df.get(t, 0) for t in wanted if t})


def count_terms(terms: Iterable[str], delta: int = 1) -> None:
    """Add `delta` to the document frequency of each term and to the petition count."""
    _count_many(dict.fromkeys(terms, delta), delta)


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
    count_terms(f.terms)
    stats = stats_for(f.terms)
    own_norm = norm(f, stats)
    terms, facts = f.dumps()
    PetitionFeatures.objects.create(petition=petition, terms=terms, facts=facts, norm=own_norm)
    keys = matters.band_keys(f)
    MatterBucket.objects.bulk_create([MatterBucket(key=k, petition=petition, station_id=petition.station_id) for k in keys])
    eligibility.link_related(petition, f, stats)
    matters.link_across(petition, matters.similar_open(
        station_id=petition.station_id, features=f, stats=stats, keys=keys,
        exclude_petitioner=petition.petitioner_id, exclude_petition=petition.pk))
    write_search_entry(petition)


def text_changed(petition_id: int) -> None:
    """A result was recorded: search its words too."""
    petition = Petition.objects.select_related("petitioner").get(pk=petition_id)
    write_search_entry(petition)


def reindex(petitions: Iterable[Petition] | None = None, *, batch: int = 2000, progress=None) -> int:
    """Rebuild features, document frequencies, band keys and search entries (not the links) of
    every petition, or of those given. Returns the number indexed."""
    qs = petitions if petitions is not None else Petition.objects.select_related("petitioner").order_by("id")
    done = 0
    buffer: list[Petition] = []

    def flush() -> None:
        nonlocal done
        with transaction.atomic():
            ids = [p.pk for p in buffer]
            old = PetitionFeatures.objects.filter(petition_id__in=ids)
            for pf in old:
                count_terms(pf.terms.split(), -1)
            old.delete()
            MatterBucket.objects.filter(petition_id__in=ids).delete()
            SearchEntry.objects.filter(petition_id__in=ids).delete()
            feats = {p.pk: features(p.content) for p in buffer}
            df: dict[str, int] = {}
            for f in feats.values():
                for t in f.terms:
                    df[t] = df.get(t, 0) + 1
            _count_many(df, len(buffer))
            stats = stats_for({t for f in feats.values() for t in f.terms})
            PetitionFeatures.objects.bulk_create([
                PetitionFeatures(petition_id=pk, terms=f.dumps()[0], facts=f.dumps()[1], norm=norm(f, stats))
                for pk, f in feats.items()])
            MatterBucket.objects.bulk_create([
                MatterBucket(key=k, petition_id=p.pk, station_id=p.station_id)
                for p in buffer for k in matters.band_keys(feats[p.pk])], batch_size=5000)
            SearchEntry.objects.bulk_create([
                SearchEntry(petition_id=p.pk, **search.entry_values(p.number, search.indexed_name(p), _search_texts(p)))
                for p in buffer])
        done += len(buffer)
        buffer.clear()
        if progress:
            progress(done)

    for petition in qs.iterator(chunk_size=batch) if hasattr(qs, "iterator") else qs:
        buffer.append(petition)
        if len(buffer) >= batch:
            flush()
    if buffer:
        flush()
    return done


def _count_many(df: dict[str, int], petitions: int) -> None:
    """Add each term's count (and `petitions` to the total): one upsert statement per 500 terms, in
    the syntax SQLite (≥ 3.24) and PostgreSQL share."""
    table = TermCount._meta.db_table
    items = sorted((t, n) for t, n in df.items() if len(t) <= _MAX_TERM)
    items.append((TOTAL, petitions))
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        # Only the table name (a constant) and placeholders are formatted in; values are parameters.
        sql = (f"INSERT INTO {table} (term, petitions) VALUES " + ", ".join(["(%s, %s)"] * len(chunk))  # noqa: S608
               + f" ON CONFLICT (term) DO UPDATE SET petitions = {table}.petitions + excluded.petitions")
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for item in chunk for v in item])


__all__ = ["Features", "count_terms", "petition_added", "reindex", "stats_for", "text_changed"]
