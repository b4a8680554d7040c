"""The petitions' side of the audit trail: the timeline, the personal-data view log and the log of
corrections of a petitioner's data are append-only, and every full view of a petitioner's data is also a row of the audit trail.
Connected in PetitionsConfig.ready (the audit app sits below petitions and does not know them)."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete

from daiban.audit.guard import AppendOnlyError, maintenance_on, protect
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.org.models import User
from daiban.petitions.models import Event, PersonalDataView, PetitionerCorrection


def _personal_data_view(sender, instance: PersonalDataView, created: bool, raw: bool = False, **kwargs) -> None:
    """Every full view of a petitioner's ID or phone number (and every case-file download, which
    carries them) is also a row of the audit trail."""
    if not created or raw:
        return
    archive = instance.fields == "archive"
    record(Action.EXPORT_ARCHIVE if archive else Action.PERSONAL_DATA_VIEW, actor=instance.user,
           target_type="petition", target_id=instance.petition_id, label=instance.petition.number,
           detail={"fields": instance.fields, "via": instance.via})


def _keep_accounts_with_history(sender, instance: User, **kwargs) -> None:
    """A staff account that acted on a petition is deactivated, never deleted: deleting it would set
    the actor of its timeline rows to NULL (Django's collector updates them directly, past the
    append-only guard), and the record would no longer say which account acted."""
    if not maintenance_on() and Event.objects.filter(actor=instance).exists():
        raise AppendOnlyError(f"工作人员账号 {instance.username} 有办理记录，不能删除，请停用（取消“有效”）")


def connect() -> None:
    pre_delete.connect(_keep_accounts_with_history, sender=User, dispatch_uid="keep-accounts-with-history")
    protect(Event)
    protect(PersonalDataView)
    protect(PetitionerCorrection)
    post_save.connect(_personal_data_view, sender=PersonalDataView, dispatch_uid="audit-personal-data-view")
