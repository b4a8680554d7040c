"""The same matter across petitioners (联名 / 集体 / 群体性苗头): open petitions of other people at the
same station on a similar matter, and the 矛盾纠纷热点 (clusters of them over the last 90 days).

Comparing a complaint with every open petition of a station would read thousands of texts. MinHash
LSH (datasketch) turns each petition's words and place names into band keys; two petitions whose
word sets overlap enough (Jaccard around LSH_THRESHOLD or more) share a key with high probability.
The keys live in a table (MatterBucket, indexed by station and key), so the candidates are one index
look-up on SQLite and PostgreSQL alike; only they are scored (similarity.overlap on stored features:
the text overlap with contradicting facts counted against it, not the same-petitioner `score`,
whose demand and amount signals were fitted on one person's matters).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from daiban.petitions.index_models import MatterBucket, MatterLink, PetitionFeatures
from daiban.petitions.models import Petition
from daiban.petitions.similarity import BIGRAM, CHAR, Features, TermStats, norm, overlap
from daiban.petitions.workflow import OPEN

NUM_PERM = 48
# Retellings of one matter share a third of their words (median), other matters of one petitioner a
# tenth (tests/data). datasketch answers 18 bands of 2 rows for this: a pair sharing a quarter of its
# words becomes a candidate with probability 0.69, a third 0.88, 40 % 0.96; 18 keys per petition.
LSH_THRESHOLD = 0.25
MAX_CANDIDATES = 100  # the most similar candidates (most shared keys) that are scored
PER_KEY = 50  # newest rows read per band key
HOTSPOT_DAYS = 90


@functools.cache
def bands() -> tuple[int, int]:
    """(bands, rows per band) that datasketch finds best for LSH_THRESHOLD with NUM_PERM."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


@functools.cache
def _permutations():
    """datasketch draws its hash permutations from the seed on every MinHash(); drawn once here."""
    from datasketch import MinHash

    template = MinHash(num_perm=NUM_PERM, seed=1)
    return template.permutations, template.scheme


def band_keys(f: Features) -> list[int]:
    """The petition's LSH band keys (signed 64-bit), one per band; [] for a text without words."""
    from datasketch import MinHash

    terms = sorted(t for t in f.terms if t[:1] not in (CHAR, BIGRAM))
    if not terms:
        return []
    permutations, scheme = _permutations()
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=permutations, scheme=scheme)
    minhash.update_batch([t.encode() for t in terms])
    b, r = bands()
    keys = []
    for i in range(b):
        digest = hashlib.blake2b(minhash.hashvalues[i * r : (i + 1) * r].tobytes(), digest_size=8,
                                 person=f"band{i}".encode())
        keys.append(int.from_bytes(digest.digest(), "big", signed=True))
    return keys


def threshold() -> float:
    return settings.DAIBAN_SIMILAR_MATTER_THRESHOLD


def similar_open(*, station_id: int, features: Features, stats: TermStats, keys: list[int],
                 exclude_petitioner: int | None, exclude_petition: int | None = None,
                 limit: int = 20) -> list[tuple[int, float]]:
    """Open petitions at the station, of other petitioners, whose content scores at least the
    threshold against `features`: [(petition id, score)], best first. Reads the candidates through
    the bucket index and scores at most MAX_CANDIDATES of them."""
    if not keys:
        return []
    candidates = _candidates(station_id, keys, exclude_petitioner, exclude_petition)
    mine = norm(features, stats)
    found = []
    for pf in PetitionFeatures.objects.filter(petition_id__in=candidates).only("petition_id", "terms", "facts", "norm"):
        value = overlap(features, Features.loads(pf.terms, pf.facts), stats, norm_a=mine, norm_b=pf.norm or None)
        if value >= threshold():
            found.append((pf.petition_id, value))
    found.sort(key=lambda x: (-x[1], -x[0]))
    return found[:limit]


def _candidates(station_id: int, keys: list[int], exclude_petitioner: int | None,
                exclude_petition: int | None) -> list[int]:
    """Open petitions of other petitioners sharing band keys, most shared keys first. Each key is
    read no further than its PER_KEY newest rows (an index range scan), so a crowded bucket — a
    common phrasing at a busy station — costs no more than a rare one."""
    table = MatterBucket._meta.db_table
    per_key = " UNION ALL ".join(
        [f"SELECT * FROM (SELECT petition_id FROM {table} WHERE station_id = %s AND key = %s "  # noqa: S608
         "ORDER BY petition_id DESC LIMIT %s) k"] * len(keys))
    statuses = sorted(OPEN)
    sql = (f"SELECT b.petition_id, count(*) AS shared FROM ({per_key}) b "  # noqa: S608
           "JOIN petitions_petition p ON p.id = b.petition_id "
           f"WHERE p.status IN ({', '.join(['%s'] * len(statuses))}) AND p.petitioner_id <> %s AND p.id <> %s "
           "GROUP BY b.petition_id ORDER BY shared DESC, b.petition_id DESC LIMIT %s")
    params: list[Any] = [v for key in keys for v in (station_id, key, PER_KEY)]
    params += [*statuses, exclude_petitioner or 0, exclude_petition or 0, MAX_CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def similar_to(petition: Petition, visible=None) -> list[tuple[Petition, float]]:
    """For a stored petition: open petitions of other petitioners at its station on a similar
    matter, limited to `visible` (a queryset) when given. [(petition, score)], best first."""
    from daiban.petitions.termcounts import stats_for

    pf = PetitionFeatures.objects.filter(petition_id=petition.pk).first()
    if pf is None:
        return []
    f = Features.loads(pf.terms, pf.facts)
    stats = stats_for(f.terms)
    keys = list(MatterBucket.objects.filter(petition_id=petition.pk).values_list("key", flat=True))
    scored = similar_open(station_id=petition.station_id, features=f, stats=stats, keys=keys,
                          exclude_petitioner=petition.petitioner_id, exclude_petition=petition.pk)
    qs = visible if visible is not None else Petition.objects.all()
    return _rows(qs, scored)


def _rows(qs, scored: list[tuple[int, float]]) -> list[tuple[Petition, float]]:
    rows = {p.pk: p for p in qs.filter(pk__in=[pid for pid, _ in scored]).select_related("petitioner").only(
        "id", "number", "status", "review_level", "received_on", "content", "petitioner__name")}
    return [(rows[pid], value) for pid, value in scored if pid in rows]


def similar_to_text(content: str, *, station_id: int, petitioner_id: int | None, visible) -> list[tuple[Petition, float]]:
    """For a complaint being typed at intake (not saved): the same list as similar_to."""
    from daiban.petitions.similarity import features
    from daiban.petitions.termcounts import stats_for

    f = features(content)
    scored = similar_open(station_id=station_id, features=f, stats=stats_for(f.terms), keys=band_keys(f),
                          exclude_petitioner=petitioner_id)
    return _rows(visible, scored)


# --- 矛盾纠纷热点 ------------------------------------------------------------------------------------


@dataclass
class Hotspot:
    petitions: list[Petition] = field(default_factory=list)
    petitioners: int = 0
    top_score: float = 0.0

    @property
    def summary(self) -> str:
        return self.petitions[0].content[:60] if self.petitions else ""


def hotspots(visible, *, today: datetime.date, limit: int = 10) -> list[Hotspot]:
    """Clusters of similar open petitions of different petitioners received in the last 90 days,
    among `visible` (the caller's petitions), largest first. Built from the links found at intake
    (MatterLink), joined transitively (union–find)."""
    since = today - datetime.timedelta(days=HOTSPOT_DAYS)
    recent = visible.filter(status__in=OPEN, received_on__gte=since)
    links = list(MatterLink.objects.filter(petition__in=recent.values("pk"), other__in=recent.values("pk"))
                 .values_list("petition_id", "other_id", "score"))
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best: dict[int, float] = {}
    for a, b, _value in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    for a, _b, value in links:
        root = find(a)
        best[root] = max(best.get(root, 0.0), value)
    groups: dict[int, list[int]] = {}
    for pid in list(parent):
        groups.setdefault(find(pid), []).append(pid)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), -max(kv[1])))[:limit]
    ids = [pid for _, members in ranked for pid in members]
    rows = {p.pk: p for p in Petition.objects.filter(pk__in=ids).only(
        "id", "number", "status", "review_level", "content", "received_on", "petitioner_id", "station_id")}
    out = []
    for root, members in ranked:
        petitions = sorted((rows[m] for m in members if m in rows), key=lambda p: p.received_on)
        out.append(Hotspot(petitions, len({p.petitioner_id for p in petitions}), best.get(root, 0.0)))
    return out


def link_across(petition: Petition, found: list[tuple[int, float]]) -> None:
    MatterLink.objects.bulk_create([MatterLink(petition=petition, other_id=pid, score=value) for pid, value in found],
                                   ignore_conflicts=True)


