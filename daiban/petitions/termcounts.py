"""The bureau's own document frequencies (TermCount): how many petitions use each term, kept by one
upsert in the intake transaction. The same-matter checks (eligibility, matters) weigh terms by them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from daiban.petitions.index_models import TermCount
from daiban.petitions.similarity import TermStats, background

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
