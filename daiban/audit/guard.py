"""Append-only tables: rows are added, never changed or removed through the ORM.

Used by the audit trail and by the petitions' timeline (`petitions.Event`, `PersonalDataView`).
The admin registers these tables read-only; this is the guard below it, for any code path
(a bulk delete, a cascade, a script) that would reach them through Django. It does not stop
someone with SQL access to the database: the audit trail's hash chain (`manage.py audit_verify`)
detects that.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.db import models
from django.db.models.signals import pre_delete, pre_save

_maintenance: contextvars.ContextVar[bool] = contextvars.ContextVar("daiban_append_only_maintenance", default=False)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


@contextlib.contextmanager
def maintenance():
    """Allow deletes for the duration of the block: for the benchmark's reset of generated data only."""
    token = _maintenance.set(True)
    try:
        yield
    finally:
        _maintenance.reset(token)


def maintenance_on() -> bool:
    """Inside `maintenance()`: deletes of protected history are let through."""
    return _maintenance.get()


def _refuse(what: str) -> None:
    if not _maintenance.get():
        raise AppendOnlyError(f"{what}：只能追加，不能修改或删除")


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset whose update() and delete() refuse (bulk paths send no per-row signals)."""

    def update(self, **kwargs):
        _refuse(self.model._meta.verbose_name)
        return super().update(**kwargs)

    def delete(self):
        _refuse(self.model._meta.verbose_name)
        return super().delete()

    delete.queryset_only = True  # type: ignore[attr-defined]  # Django reads this flag off the method


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    # A row with a primary key already stored is an update. `_state.adding` is False for loaded rows.
    if not raw and not instance._state.adding:
        _refuse(sender._meta.verbose_name)


def _on_delete(sender, instance, **kwargs) -> None:
    _refuse(sender._meta.verbose_name)


def protect(model: type[models.Model]) -> None:
    """Refuse save() of a loaded row and every delete (one by one, bulk, or by cascade) of `model`."""
    pre_save.connect(_on_save, sender=model, dispatch_uid=f"append-only-save-{model._meta.label}")
    pre_delete.connect(_on_delete, sender=model, dispatch_uid=f"append-only-delete-{model._meta.label}")
