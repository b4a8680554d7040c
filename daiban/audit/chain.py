"""Appending to and verifying the audit trail's SM3 hash chain.

Each row's hash is SM3 over the previous row's hash and this row's canonical content; the first
row chains to 64 zeros. Writers are serialised so the chain never forks: PostgreSQL takes a
transaction-scoped advisory lock, SQLite's IMMEDIATE transactions (settings.py) already hold the
database's write lock from BEGIN. A unique `seq` is the last line of defence: two writers that
somehow read the same tail cannot both commit.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from django.db import connection, transaction

from daiban.audit.models import AuditEntry
from daiban.lib.compiled import Compiled

GENESIS = "0" * 64
_LOCK_KEY = 0x6461_6962_616E_0A  # "daiban\n": the advisory lock's number, arbitrary but fixed
_FIELDS = ("seq", "at", "actor_id", "actor_username", "action", "target_type", "target_id", "target_label",
           "ip", "detail")


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _canonical_at(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def content_bytes(values: dict) -> bytes:
    """The canonical bytes of a row's content: JSON, sorted keys, time in UTC to the microsecond."""
    data = {name: values[name] for name in _FIELDS}
    data["at"] = _canonical_at(values["at"])
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_hash(prev_hash: str, values: dict) -> str:
    return sm3_hex(prev_hash.encode() + b"\n" + content_bytes(values))


# The last row, read by every append (each personal-data view writes one): compiled once (issue 16).
_TAIL: Compiled[AuditEntry] = Compiled(lambda: AuditEntry.objects.order_by("-seq").only("id", "seq", "hash")[:1], kinds=())


def append(**values) -> AuditEntry:
    """Append one row (fields of AuditEntry except seq, prev_hash, hash) and return it."""
    # Inside the caller's transaction no savepoint: a failed append fails the whole write it audits.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        tail = _TAIL.first()
        seq, prev = (tail.seq + 1, tail.hash) if tail else (1, GENESIS)
        values = {**values, "seq": seq}
        # JSON round trip now, so the hash covers exactly what the database will give back.
        values["detail"] = json.loads(json.dumps(values.get("detail") or {}, ensure_ascii=False, default=str))
        return AuditEntry.objects.create(**values, prev_hash=prev, hash=row_hash(prev, values))


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, and why."""

    seq: int
    reason: str


def verify(batch: int = 2000) -> tuple[int, Break | None]:
    """Walk the chain in order; return (rows checked, first break or None).

    Reasons: the row's content no longer gives its hash (altered), its previous hash is not the
    previous row's hash, or its number is not the previous number + 1 (a row was removed).
    """
    checked, prev_seq, prev_hash = 0, 0, GENESIS
    for row in _rows(batch):
        if row["seq"] != prev_seq + 1:
            return checked, Break(row["seq"], f"缺少第 {prev_seq + 1} 条至第 {row['seq'] - 1} 条记录（被删除）")
        if row["prev_hash"] != prev_hash:
            return checked, Break(row["seq"], "与上一条记录的哈希不衔接")
        if row_hash(row["prev_hash"], row) != row["hash"]:
            return checked, Break(row["seq"], "记录内容与其哈希不符（被修改）")
        checked, prev_seq, prev_hash = checked + 1, row["seq"], row["hash"]
    return checked, None


def _rows(batch: int) -> Iterator[dict]:
    last = 0
    names = (*_FIELDS, "prev_hash", "hash")
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq").values(*names)[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def head() -> tuple[int, str]:
    """(seq, hash) of the last row: write it down elsewhere to detect a truncated tail later."""
    tail = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return tail if tail else (0, GENESIS)
