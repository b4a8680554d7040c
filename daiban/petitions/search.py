"""The list's `q`: petitions by number (any part), by the petitioner's ID number or phone (exact,
through the keyed hash), by name (any part) and by words of the content and results, ranked.

Chinese has no spaces, so the text is indexed as tokens made here, the same on both databases:
the content's and results' character bigrams ("采砂场" → "采砂 砂场"; a lone character stays one
token), the name's characters and bigrams (so "王" and "建国" find 王建国), the number's trigrams
("WS-2026-000123" → "ws2 s20 202 …", so any three or more characters of it match). A query is cut
the same way and matches when every one of its tokens is there, in the number, or in the name and
text. SQLite keeps the tokens in an FTS5 table (ranked by bm25), PostgreSQL in a generated tsvector
column with a GIN index (ranked by ts_rank); the columns are weighted number > name > text on both.

Who may see what is not decided here: the search narrows the caller's `visible_petitions`, so a
department never finds by ID number a petition that was not routed to it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from daiban.lib import crypto
from daiban.lib.identity import InvalidValue, normalize_id_number, normalize_phone
from daiban.petitions.models import Petitioner

FTS_TABLE = "petitions_searchentry_fts"
_RUN = re.compile(r"[^\W_]+")
_MAX_QUERY_TOKENS = 24  # a pasted paragraph is cut to its first words rather than refused
# Relevance is computed for at most this many matches. A query that matches more (one common word
# such as "草场" in a third of all petitions) is listed in the list's own order (newest first):
# bm25 over tens of thousands of petitions says little and costs more than the whole page.
RANK_LIMIT = 5000

# --- tokens ---------------------------------------------------------------------------------------


# Unicode's default-ignorable code points (DerivedCoreProperties): invisible, so a name or a word typed
# with one (a joiner pasted from a chat app, a Mongolian variation selector) is found by the same word
# typed without it. Text cleaning (lib/text.py) removes some at the boundary and keeps those that
# shape emoji and Mongolian script; the index and the query both ignore all of them.
_IGNORABLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]")


def _clean(text: str) -> str:
    return _IGNORABLE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def text_tokens(text: str) -> list[str]:
    """Character bigrams of each run of letters and digits; a run of one character is itself."""
    tokens: list[str] = []
    for run in _RUN.findall(_clean(text)):
        tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return tokens


def name_tokens(name: str) -> list[str]:
    """Each character of the name and its bigrams, the bigrams read across the separators of a
    Mongolian or Tibetan name too (阿拉坦·其其格 is found by 阿拉坦其其格, typed without the dot, as
    well as with ·, ・ or •)."""
    runs = _RUN.findall(_clean(name))
    return [ch for run in runs for ch in run] + [t for t in text_tokens("".join(runs)) if len(t) == 2]


def number_tokens(number: str) -> list[str]:
    compact = "".join(_RUN.findall(_clean(number)))
    return [compact[i : i + 3] for i in range(len(compact) - 2)]


def _unique(tokens: list[str]) -> str:
    return " ".join(dict.fromkeys(tokens))


def indexed_name(petition) -> str:
    """The name a petition is found by. One place, so that a per-petition snapshot of the
    petitioner's name (when the petition carries one) replaces the shared record here only."""
    snapshot = getattr(petition, "petitioner_name", None)
    return snapshot if isinstance(snapshot, str) and snapshot else petition.petitioner.name


def entry_values(number: str, name: str, texts: list[str]) -> dict[str, str]:
    """The SearchEntry columns for a petition."""
    return {
        "number": _unique(number_tokens(number)),
        "name": _unique(name_tokens(name)),
        "body": _unique([t for text in texts for t in text_tokens(text)]),
    }


# --- queries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What `q` asks for: an identity (keyed hashes) or text tokens for number / name and text.
    `names`: False for a viewer who may not learn who the petitioner is (a department that does
    not see the identity): the words then match the text only, never the name."""

    id_hash: str | None = None
    phone_hashes: tuple[str, ...] = ()
    number: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    names: bool = True

    @property
    def empty(self) -> bool:
        return not (self.id_hash or self.phone_hashes or self.number or self.words)


def is_identity(q: str) -> bool:
    """Does `q` ask by ID number or phone (looked up through the keyed hash)?"""
    query = parse(q)
    return bool(query.id_hash or query.phone_hashes)


def parse(q: str) -> Query:
    """Read `q` as people type it. An ID number (18 or 15 digits, with spaces, full-width digits…)
    or a phone number (+86, spaces, dashes) is looked up exactly through its keyed hash; anything
    else is a text query."""
    raw = (q or "").strip()[:200]
    if not raw:
        return Query()
    typed = unicodedata.normalize("NFKC", raw)
    try:
        return Query(id_hash=crypto.lookup_hash(normalize_id_number(typed.replace("-", ""))))
    except InvalidValue:
        pass
    phones = set()
    for form in (typed, typed.replace("-", "")):  # 139-1234-5678 as well as 0477-7654321
        try:
            phones.add(normalize_phone(form))
        except InvalidValue:
            continue
    if phones:
        return Query(phone_hashes=tuple(sorted(crypto.lookup_hash(p) for p in phones)))
    words = tuple(dict.fromkeys(text_tokens(raw)))[:_MAX_QUERY_TOKENS]
    number = tuple(dict.fromkeys(number_tokens(raw)))[:_MAX_QUERY_TOKENS]
    return Query(number=number, words=words)


def _fts5_expression(query: Query) -> str:
    parts = []
    if query.number:
        parts.append("(number : (" + " AND ".join(f'"{t}"' for t in query.number) + "))")
    if query.words:
        columns = "{name body}" if query.names else "{body}"
        parts.append(f"({columns} : (" + " AND ".join(f'"{t}"' for t in query.words) + "))")
    return " OR ".join(parts)


def _tsquery(query: Query) -> str:
    # No weight restrictions (':A', ':BD'): with them GIN must recheck every row against its stored
    # vector (5× slower for a common word). They are not needed: number tokens have three characters,
    # name and text tokens one or two, so a token can only match where FTS5's column filter would.
    parts = []
    if query.number:
        parts.append("(" + " & ".join(f"'{t}'" for t in query.number) + ")")
    if query.words:
        parts.append("(" + " & ".join(f"'{t}'" for t in query.words) + ")")
    return " | ".join(parts)


def _pg_match(query: Query, alias: str = "") -> tuple[str, list]:
    """The PostgreSQL condition on a SearchEntry row (`alias.`) that it matches, and its parameters.
    Without names the index finds the candidates and each is checked against its number's and its
    text's own tokens: a weight in the query (:D) would keep the name out too, but GIN then rechecks
    every row against its stored vector (`_tsquery`)."""
    a = f"{alias}." if alias else ""
    condition, params = f"{a}vec @@ %s::tsquery", [_tsquery(query)]
    if query.names:
        return condition, params
    checks, more = [], []
    if query.number:
        checks.append(f"string_to_array({a}number, ' ') @> %s::text[]")
        more.append(list(query.number))
    if query.words:
        checks.append(f"string_to_array({a}body, ' ') @> %s::text[]")
        more.append(list(query.words))
    return f"{condition} AND ({' OR '.join(checks)})", params + more


def _match_sql(query: Query) -> tuple[str, list]:
    """SQL selecting the ids of matching petitions, and its parameters."""
    if connection.vendor == "postgresql":
        condition, params = _pg_match(query)
        return f"SELECT petition_id FROM petitions_searchentry WHERE {condition}", params  # noqa: S608
    return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [_fts5_expression(query)]  # noqa: S608


@dataclass
class Ranked:
    """A text search over a filtered queryset: `count()` and `page()` in relevance order."""

    qs: QuerySet
    query: Query

    def count(self) -> int:
        return self.qs.count()

    def broad(self) -> bool:
        """Does the text match more petitions than RANK_LIMIT (counted no further than that)?"""
        sql, params = _match_sql(self.query)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) m", [*params, RANK_LIMIT + 1])  # noqa: S608
            return cursor.fetchone()[0] > RANK_LIMIT

    def page(self, start: int, size: int) -> list[int]:
        """Ids of one page, best match first (then newest); for a broad query in the list's order."""
        if self.broad():
            return list(self.qs.values_list("id", flat=True)[start : start + size])
        inner, inner_params = self.qs.order_by().values("id").query.sql_with_params()
        if connection.vendor == "postgresql":
            # Django's own SQL for the filtered queryset is nested; the query text is a parameter.
            condition, match_params = _pg_match(self.query, "s")
            sql = (f"SELECT s.petition_id FROM petitions_searchentry s WHERE {condition} "  # noqa: S608
                   f"AND s.petition_id IN ({inner}) "
                   "ORDER BY ts_rank('{0.2, 0.2, 0.6, 1.0}', s.vec, %s::tsquery) DESC, s.petition_id DESC "
                   "LIMIT %s OFFSET %s")
            params = [*match_params, *inner_params, _tsquery(self.query), size, start]
        else:
            # "+rowid": the list is a filter, not a rowid constraint (FTS5 would rerun the MATCH per id).
            sql = (f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND +rowid IN ({inner}) "  # noqa: S608
                   f"ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0), rowid DESC LIMIT %s OFFSET %s")
            params = [_fts5_expression(self.query), *inner_params, size, start]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]


def narrow(qs: QuerySet, q: str, *, identity: bool = True) -> QuerySet | Ranked:
    """The petitions of `qs` (already limited to what the caller may see, and filtered) that match
    `q`. Identity matches are a plain queryset (newest first); text matches come ranked. With
    `identity` False (a viewer who may not learn who the petitioner is, permissions.identity_hidden)
    an ID number or phone finds nothing and words never match the name: a search must not confirm
    what the page masks (《信访工作条例》: the identity never reaches the unit complained about).

    A phone finds the petitions registered with it (each petition keeps the phone it was registered
    with: what its pages and forms print) and the person's petitions by their current phone (a
    correction changes it)."""
    query = parse(q)
    if not identity:
        if query.id_hash or query.phone_hashes:
            return qs.none()
        query = Query(number=query.number, words=query.words, names=False)
    if query.empty:
        return qs.none()
    if query.id_hash:
        return qs.filter(petitioner__id_hash=query.id_hash)
    if query.phone_hashes:
        people = Petitioner.objects.filter(phone_hash__in=query.phone_hashes).values("pk")
        return qs.filter(Q(petitioner_phone_hash__in=query.phone_hashes) | Q(petitioner_id__in=people))
    from django.db.models.expressions import RawSQL

    sql, params = _match_sql(query)
    return Ranked(qs.filter(Q(pk__in=RawSQL(sql, params))), query)  # noqa: S611 (constant SQL, q is a parameter)
