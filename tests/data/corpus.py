"""The labelled "same matter" corpus (tests/data/same_matter.jsonl), read as pairs.

Each line is one matter of one petitioner, written for this project: `text` as first recorded,
`same` the same matter retold by the petitioner, the agent, a 12345 operator or a platform, and
`other` hard negatives: the same petitioner's other matters of the same kind (another plot,
project, year or demand). The split is fixed per matter (`split`: "tune" or "held_out"), so no
text of a held-out matter is seen while the threshold is chosen.

Pairs: (text, each `same`) → same matter; (text, each `other`) and (the first retelling, each
`other`) → not the same matter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).with_name("same_matter.jsonl")


@dataclass(frozen=True)
class Pair:
    matter: str
    a: str
    b: str
    same: bool
    how: str  # the voice of a retelling, or how a negative differs
    split: str


def matters() -> list[dict]:
    with PATH.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def pairs(split: str | None = None) -> list[Pair]:
    out: list[Pair] = []
    for m in matters():
        if split and m["split"] != split:
            continue
        for s in m["same"]:
            out.append(Pair(m["id"], m["text"], s["text"], True, s["voice"], m["split"]))
        for o in m["other"]:
            out.append(Pair(m["id"], m["text"], o["text"], False, o["differs"], m["split"]))
            out.append(Pair(m["id"], m["same"][0]["text"], o["text"], False, o["differs"], m["split"]))
    return out
