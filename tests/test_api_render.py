"""daiban.api.render: the hot responses written to JSON without pydantic are byte for byte what
ninja sends (every test checks each one: conftest._fast_json_is_ninjas), and they do take the fast
path on ordinary data rather than falling back to validation."""

from __future__ import annotations

import datetime
import enum
import json

import pytest
from pydantic import BaseModel

from daiban.api import render
from daiban.api import schemas as s
from daiban.api.common import petition_out
from daiban.org.models import User
from daiban.petitions import selectors
from daiban.petitions.models import Petition


def _fast(schema, data):
    return render._model(schema)(data)  # raises render._Mismatch where it would fall back


def test_detail_list_and_eligibility_take_the_fast_path(api, routed, rf):
    pid = routed()["id"]
    a = api("agent1")
    assert a.act(pid, "contact", {"method": "phone", "note": "告知进度"}).status_code == 200
    request = rf.get("/")
    request.user = User.objects.get(username="agent1")
    detail = petition_out(request, pid)
    out = _fast(s.PetitionOut, detail)
    assert list(out) == list(s.PetitionOut.model_fields)  # the schema's order
    assert json.dumps(out, cls=render.NinjaJSONEncoder) == render.ninja_dumps(s.PetitionOut, detail)
    assert out["events"] and "review_level" not in out["events"][0]  # a key the schema does not name is left out
    rows = Petition.objects.select_related("petitioner", "agent", "station")
    items = [selectors.list_item(p, request.user) for p in rows]
    _fast(s.PetitionPage, {"items": items, "count": len(items), "page": 1, "page_size": 20})
    response = a.get(f"/petitions/{pid}/eligibility")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"


class Kind(enum.StrEnum):
    A = "a"


class Inner(BaseModel):
    at: s.LocalDateTime
    score: float


class Outer(BaseModel):
    kind: Kind
    inner: Inner | None
    items: list[Inner] = []
    day: datetime.date | None = None


@pytest.mark.parametrize("data", [
    {"kind": "a", "inner": {"at": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC), "score": 1},
     "extra": 1},
    {"kind": "a", "inner": None, "items": [{"at": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC), "score": 0.5}]},
])
def test_the_same_bytes_as_validation(data):
    assert render.dumps(Outer, data) == render.ninja_dumps(Outer, data)


@pytest.mark.parametrize("data", [
    {"kind": "b", "inner": None},  # not a member
    {"kind": "a", "inner": None, "day": "2026-01-02"},  # a string for a date
    {"kind": "a"},  # a required key missing
    {"kind": "a", "inner": {"at": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC), "score": "1"}},
])
def test_anything_else_is_left_to_pydantic(data):
    with pytest.raises(render._Mismatch):
        _fast(Outer, data)
    try:
        expected = render.ninja_dumps(Outer, data)
    except Exception as exc:  # pydantic refuses it: so does respond()
        with pytest.raises(type(exc)):
            render.respond(Outer, data)
    else:
        assert render.respond(Outer, data).content.decode() == expected
