"""Where attachments and frozen case files are kept: PRIVATE_ROOT, never under MEDIA_ROOT (they are
served only through views that check who may see the petition)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from daiban.documents.models import Attachment


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_ROOT)


def attachment_bytes(attachment: Attachment) -> bytes:
    with private_storage().open(attachment.stored_name, "rb") as handle:
        return handle.read()
