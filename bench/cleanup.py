"""Undo what a benchmark run wrote, so the data set is the same for the next run.

Measuring writes (intake, actions, the personal-data view log, the sweep's urgings, API tokens).
`Snapshot()` notes each table's highest id and the number sequences; `restore()` deletes every row
above those ids (through the ORM, so cascades and protections are the models' own) and puts the
sequences back. Rows that the run only updated (a petition's version, its last event date) keep the
change; nothing measured depends on them.
"""

from __future__ import annotations

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from daiban.audit import guard
from daiban.petitions.models import NumberSequence


def _numbered_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models()
            if isinstance(m._meta.pk, models.AutoField | models.BigAutoField) and m._meta.managed]


class Snapshot:
    def __init__(self) -> None:
        self.top = {m: (m.objects.aggregate(top=models.Max("pk"))["top"] or 0) for m in _numbered_models()}
        self.sequences = {(s.prefix, s.year): s.last for s in NumberSequence.objects.all()}

    def restore(self) -> int:
        removed = 0
        pending = list(self.top)
        for _ in range(5):  # protected rows go once what protects them is gone
            left = []
            for model in pending:
                try:
                    with transaction.atomic(), guard.maintenance():  # the view log and audit rows a run wrote
                        removed += model.objects.filter(pk__gt=self.top[model]).delete()[0]
                except (ProtectedError, RestrictedError, IntegrityError):
                    left.append(model)
            pending = left
            if not pending:
                break
        with transaction.atomic():
            for s in NumberSequence.objects.all():
                last = self.sequences.get((s.prefix, s.year))
                if last is None:
                    s.delete()
                elif s.last != last:
                    s.last = last
                    s.save(update_fields=["last"])
        return removed
