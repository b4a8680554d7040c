"""更正信访人信息: the only way a petitioner's registered name, phone or address changes.

Intake never changes an existing person or petition (anyone who knows an ID number can submit one);
staff who may see a petition's full personal data correct it here, explicitly and on the record.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from daiban.lib import crypto
from daiban.lib.dates import today
from daiban.lib.errors import Forbidden, Invalid
from daiban.lib.identity import InvalidValue, normalize_phone
from daiban.org.models import User
from daiban.petitions import events
from daiban.petitions.abilities import may_see_personal_data
from daiban.petitions.guards import ensure_not_archived
from daiban.petitions.intake import _line, _text, petitioner_snapshot
from daiban.petitions.models import Petition, Petitioner, PetitionerCorrection, Status
from daiban.petitions.permissions import get_visible_petition, visible_petitions
from daiban.workdays.engine import deadlines_being_set

CORRECTABLE = {"name": "姓名", "phone": "电话", "address": "地址"}
# Petitions that will not contact the petitioner again.
_CLOSED = frozenset({Status.ANSWERED, Status.REDIRECTED_LEGAL, Status.GUIDED, Status.DECLINED, Status.ARCHIVED})
# Who may not correct (403): those who do not see the petitioner in full.
REFUSAL = "只有承办代办员、本机构领导和代办服务中心可以更正信访人信息"


def _wanted(data: dict[str, Any]) -> dict[str, str]:
    """The corrected values given, cleaned and normalised; Invalid naming each bad field."""
    wanted: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, limit in (("name", 50), ("address", 200)):
        if data.get(key) not in (None, ""):
            try:
                wanted[key] = _line(data, key, CORRECTABLE[key], max_length=limit)
            except Invalid as exc:
                errors.update(exc.fields)
    if data.get("phone") not in (None, ""):
        try:
            wanted["phone"] = normalize_phone(str(data["phone"]))
        except InvalidValue as exc:
            errors["phone"] = str(exc)
    if errors:
        raise Invalid.of(errors)
    return wanted


# In a correction's encrypted values: the values before of each other petition it was applied to.
OTHERS = "_others"


def _registered(petition: Petition, key: str) -> str:
    return {"name": petition.petitioner_name, "phone": petition.petitioner_phone,
            "address": petition.petitioner_address}[key]


def correction_changes(row: PetitionerCorrection, petition_id: int | None = None) -> dict[str, dict[str, str]]:
    """{field: {"old", "new"}} of a correction, decrypted, as it changed `petition_id` (default: the
    petition it was made on): a petition it was applied to (apply_to_open) had its own values before,
    which may differ from the first one's (a name registered apart, 其木格 beside 其其格)."""
    changes = json.loads(crypto.decrypt(row.changes_enc))
    others = changes.pop(OTHERS, {})
    if petition_id is not None and petition_id != row.petition_id and str(petition_id) in others:
        return others[str(petition_id)]
    return changes


def petitioner_correct(*, petition_id: int, user: User, data: dict[str, Any]) -> Petition:
    """更正信访人信息: staff who may see this petition's full personal data (the case agent, the
    station's leaders, the center) correct the name, phone or address registered with it — and the
    person's current contact data with it. `apply_to_open` also corrects the person's other open
    petitions that this user may see in full. Recorded with who, when and why; the old and new
    values are kept SM4-encrypted in PetitionerCorrection, never in the timeline.

    data: {"name"?, "phone"?, "address"?, "reason", "apply_to_open"?: bool}. Raises NotFound (not
    visible), Forbidden (visible but not in full), Invalid (bad or unchanged values, no reason)."""
    # The role before the form: who may not correct is told so whatever the form holds (403).
    if not may_see_personal_data(user, get_visible_petition(user, petition_id)):
        raise Forbidden(REFUSAL)
    reason = _text(data, "reason", "更正理由", max_length=500)
    wanted = _wanted(data)
    apply_to_open = data.get("apply_to_open", False)
    if not isinstance(apply_to_open, bool):
        raise Invalid.of({"apply_to_open": "是否同时更正其他在办事项应为是或否"})
    with transaction.atomic():
        # Two corrections of one person queue on the person before either locks a petition: each
        # locks its own and then (apply_to_open) the person's others, which in the other order is a
        # deadlock the database ends with an error. A calendar change, which locks running petitions
        # in its own order, waits for this one, or this one for it (engine.deadlines_being_set).
        deadlines_being_set()
        seen = get_visible_petition(user, petition_id)
        person = Petitioner.objects.select_for_update().get(pk=seen.petitioner_id)
        petition = get_visible_petition(user, petition_id, lock=True)
        if not may_see_personal_data(user, petition):
            raise Forbidden(REFUSAL)
        ensure_not_archived(petition)
        current = {"name": petition.petitioner_name, "phone": petition.petitioner_phone,
                   "address": petition.petitioner_address}
        changes = {k: {"old": current[k], "new": v} for k, v in wanted.items() if v != current[k]}
        if not changes:
            raise Invalid.of({"name": "请填写与现登记信息不同的姓名、电话或地址"})
        targets = [petition]
        if apply_to_open:
            others = (visible_petitions(user).select_for_update()
                      .filter(petitioner_id=petition.petitioner_id).exclude(status__in=_CLOSED)
                      .exclude(pk=petition.pk).order_by("id"))
            targets += [p for p in others if may_see_personal_data(user, p)]
        # Each other petition's own values before (they may differ from this one's: registered apart).
        before = {str(t.pk): {k: {"old": _registered(t, k), "new": c["new"]} for k, c in changes.items()}
                  for t in targets[1:]}
        values = {**current, **{k: c["new"] for k, c in changes.items()}}
        snapshot = petitioner_snapshot(values)
        for key, change in changes.items():
            if key == "phone":
                person.phone_enc, person.phone_hash = snapshot["petitioner_phone_enc"], snapshot["petitioner_phone_hash"]
            else:
                setattr(person, key, change["new"])
        person.save()
        correction = PetitionerCorrection.objects.create(
            petitioner=person, petition=petition, by=user, reason=reason, fields=",".join(changes),
            changes_enc=crypto.encrypt(json.dumps({**changes, OTHERS: before} if before else changes, ensure_ascii=False)),
            applied_to=[p.pk for p in targets],
        )
        labels = "、".join(CORRECTABLE[k] for k in changes)
        for target in targets:
            for key in changes:
                if key == "phone":
                    target.petitioner_phone_enc = snapshot["petitioner_phone_enc"]
                    target.petitioner_phone_hash = snapshot["petitioner_phone_hash"]
                else:
                    setattr(target, f"petitioner_{key}", values[key])
            target.version += 1
            target.save()
            events.record(target, "petitioner_correction", actor=user, on=today(),
                          note=f"更正信访人{labels}：{reason}",
                          data={"fields": list(changes), "correction_id": correction.pk})
    return petition
