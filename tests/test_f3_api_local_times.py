"""Fix round f3, fault 5: an attachment's `uploaded_at` came out in UTC (…Z) while the events' `at`
is +08:00. Every datetime the API returns carries the Asia/Shanghai offset."""

from __future__ import annotations

import datetime
import typing

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import Schema

import daiban.api.main  # noqa: F401  (every API module, so every schema class is defined)
from daiban.api.schemas import LocalDateTime
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db


def _schemas(cls: type = Schema) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found += _schemas(sub)
    return found


def _is_datetime(annotation: object) -> bool:
    if annotation is datetime.datetime:
        return True
    return any(_is_datetime(arg) for arg in typing.get_args(annotation))


def test_every_datetime_field_of_the_api_schemas_is_local():
    localiser = typing.get_args(LocalDateTime)[1]
    plain = []
    checked = 0
    for schema in _schemas():
        if not schema.__module__.startswith("daiban."):
            continue
        for name, field in schema.model_fields.items():
            if _is_datetime(field.annotation):
                checked += 1
                if localiser not in field.metadata:
                    plain.append(f"{schema.__module__}.{schema.__qualname__}.{name}")
    assert checked >= 5 and plain == []


def test_an_attachment_is_listed_with_the_local_offset(api, accepted, clock):
    petition = accepted()
    agent = api("agent1")
    uploaded = agent.client.post(f"/api/v1/petitions/{petition['id']}/attachments",
                                 {"file": SimpleUploadedFile("现场照片.png", png_bytes()), "kind": "photo"},
                                 **agent.headers)
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["uploaded_at"].endswith("+08:00")
    listed = agent.get(f"/petitions/{petition['id']}/attachments").data
    assert listed and all(a["uploaded_at"].endswith("+08:00") for a in listed)
    events = agent.get(f"/petitions/{petition['id']}").data["events"]
    assert events and all(e["at"].endswith("+08:00") for e in events)


def test_audit_rows_are_local(api, org, clock):
    from daiban.audit.models import Action
    from daiban.audit.services import record

    record(Action.SETTINGS_CHANGE, actor_username="admin", label="x")
    rows = api("admin").get("/audit").data["items"]
    assert rows and all(r["at"].endswith("+08:00") for r in rows)
