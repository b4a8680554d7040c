"""Attack: an attachment uploaded as "CON.png" is stored as "_CON.png" (Windows reserves the device
names), but the download's ASCII file name (Content-Disposition `filename=`, what a browser without
RFC 5987 support saves under) lost the underscore again: `filename="CON.png"`. Both names of every
download now keep it."""

from __future__ import annotations

import pytest

from daiban.documents.http import content_disposition
from daiban.documents.safe import ascii_filename
from tests.factories import png_bytes


@pytest.mark.parametrize(("name", "ascii_name"), [
    ("_CON.png", "_CON.png"), ("_nul.txt", "_nul.txt"), ("_COM1.pdf", "_COM1.pdf"), ("_aux", "_aux"),
    ("_LPT9.docx", "_LPT9.docx"), ("WS-2026-000004-信访事项代办单.pdf", "WS-2026-000004-daibandan.pdf"),
    ("CONTRACT.pdf", "CONTRACT.pdf"),
])
def test_the_ascii_name_keeps_windows_from_a_device_name(name, ascii_name):
    assert ascii_filename(name) == ascii_name
    assert f'filename="{ascii_name}"' in content_disposition(name)


def test_an_attachment_named_con_downloads_as_con_with_its_underscore(api, routed, clock):
    petition = routed()
    agent = api("agent1")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = agent.client.post(f"/api/v1/petitions/{petition['id']}/attachments",
                               {"file": SimpleUploadedFile("CON.png", png_bytes(), content_type="image/png"),
                                "kind": "document"}, **agent.headers)
    assert upload.status_code == 201 and upload.json()["name"] == "_CON.png"
    download = agent.client.get(f"/api/v1/attachments/{upload.json()['id']}", **agent.headers)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="_CON.png"; ')
