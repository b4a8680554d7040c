"""Attachments to a petition and the frozen case archive. Files live outside MEDIA_ROOT and are
served only through views that check who may see the petition."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from daiban.petitions.models import Conduct, Petition


class Attachment(models.Model):
    class Kind(models.TextChoices):
        LETTER = "letter", "来信扫描件"
        PHOTO = "photo", "照片"
        DOCUMENT = "document", "文书材料"
        OTHER = "other", "其他"
        EVIDENCE = "evidence", "证据材料"

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    stored_name = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Evidence of one recorded occurrence of pressure or disruption (action record_conduct).
    conduct = models.ForeignKey(Conduct, verbose_name="行为记录", null=True, blank=True, on_delete=models.RESTRICT,
                                related_name="evidence")

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]


class ArchiveFile(models.Model):
    """一案一档: the case file as it was when the petition was archived; later downloads are these bytes."""

    petition = models.OneToOneField(Petition, on_delete=models.PROTECT, related_name="archive_file")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=120)
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "归档案卷"
