"""The API's own documentation (/api/v1/docs, /api/v1/openapi.json) for a newcomer at the bureau:
every operation says in Chinese what it does (9 said "Me", "Petition Get"…), the description points
to what is in the repository (it named shared/API.md, which is not), and the schema is built once,
not on every request (1.3–7 s each)."""

from __future__ import annotations

import re

from django.test import Client

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_operation_has_a_chinese_summary_and_the_description_names_nothing_outside_the_repository(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "shared/" not in schema["info"]["description"] and "README" in schema["info"]["description"]
    missing = [f"{method.upper()} {path}: {operation.get('summary')}"
               for path, item in schema["paths"].items() for method, operation in item.items()
               if not CJK.search(operation.get("summary") or "")]
    assert not missing, missing


def test_the_schema_is_built_once(db, monkeypatch):
    import ninja.main

    from daiban.api.main import api

    built = []
    original = ninja.main.get_schema
    monkeypatch.setattr(ninja.main, "get_schema", lambda **kw: built.append(1) or original(**kw))
    monkeypatch.setattr(api, "_schemas", {}, raising=False)
    client = Client()
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")
    assert first.status_code == second.status_code == docs.status_code == 200
    assert first.content == second.content and len(built) == 1
