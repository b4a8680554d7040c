"""Receivers that turn events raised elsewhere into audit rows, and the append-only guards."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from daiban.audit.guard import protect
from daiban.audit.models import Action, AuditEntry
from daiban.audit.services import record

protect(AuditEntry)


_ADMIN_FLAGS = {ADDITION: "新增", CHANGE: "修改", DELETION: "删除"}


@receiver(post_save, sender=LogEntry, dispatch_uid="audit-admin-log-entry")
def _admin_change(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    """Every add, change and delete made in /admin/ (reference data, the calendar, accounts, settings)."""
    if not created or raw:
        return
    content_type: Any = instance.content_type  # django-stubs types the relation generically
    model = content_type.model_class() if instance.content_type_id else None
    record(Action.SETTINGS_CHANGE, actor=instance.user,
           target_type=content_type.model if instance.content_type_id else "",
           target_id=instance.object_id or "", label=instance.object_repr,
           detail={"operation": _ADMIN_FLAGS.get(instance.action_flag, str(instance.action_flag)),
                   "model": str(model._meta.verbose_name) if model else "",
                   "change": instance.get_change_message()[:500]})
