"""登记 (intake) and numbering: a new petition from any channel, gapless numbers per year.

The staff API and pages call `petition_intake_or_existing` for a user who may take petitions in
(abilities: "intake"); the portal calls it `as_petitioner` (the petitioner, through 掌上信访).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from daiban.lib import crypto
from daiban.lib.dates import today
from daiban.lib.errors import Invalid
from daiban.lib.identity import InvalidValue, normalize_id_number, normalize_phone
from daiban.org.models import Agent, Station, User
from daiban.petitions import deadlines, eligibility, events
from daiban.petitions.abilities import require
from daiban.petitions.actions.screening import category_name
from daiban.petitions.models import (
    PETITIONER_ACTOR,
    Channel,
    NumberSequence,
    Petition,
    Petitioner,
    Source,
    Status,
)

_QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


# --- small validators: each raises Invalid naming the field --------------------------------------

def _text(data: dict, key: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise Invalid.of({key: f"请填写{label}"})
    if len(value) > max_length:
        raise Invalid.of({key: f"{label}不能超过{max_length}字"})
    return value


def _choice(data: dict, key: str, label: str, choices, *, required: bool = True, default: str = "") -> str:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise Invalid.of({key: f"请选择{label}"})
        return default
    allowed = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in allowed:
        raise Invalid.of({key: f"{label}的取值无效，可选：{'、'.join(allowed)}"})
    return str(value)


def _date(data: dict, key: str, label: str, *, required: bool = True, default: datetime.date | None = None):
    value = data.get(key)
    if value in (None, ""):
        if required and default is None:
            raise Invalid.of({key: f"请填写{label}"})
        return default
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid.of({key: f"{label}应为YYYY-MM-DD格式的日期"}) from exc



# --- intake ---------------------------------------------------------------------------------------

@dataclass
class IntakeResult:
    petition: Petition
    created: bool


def _petitioner_fields(raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    data = raw if isinstance(raw, dict) else {}
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["petitioner.name"] = "请填写信访人姓名"
    elif len(name) > 50:
        errors["petitioner.name"] = "信访人姓名不能超过50字"
    values["name"] = name
    for key, normalize in (("id_number", normalize_id_number), ("phone", normalize_phone)):
        try:
            values[key] = normalize(str(data.get(key) or ""))
        except InvalidValue as exc:
            errors[f"petitioner.{key}"] = str(exc)
    values["address"] = str(data.get("address") or "").strip()[:200]
    return values, errors


def _validate_intake(data: dict) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, label, choices in (("channel", "渠道", Channel.choices), ("source", "来源", Source.choices)):
        try:
            clean[key] = _choice(data, key, label, choices)
        except Invalid as exc:
            errors.update(exc.fields)
    try:
        clean["received_on"] = _date(data, "received_on", "收到日期", default=today())
        if clean["received_on"] > today():
            errors["received_on"] = "收到日期不能晚于今天"
    except Invalid as exc:
        errors.update(exc.fields)
    try:
        clean["content"] = _text(data, "content", "反映的问题及诉求", max_length=10000)
    except Invalid as exc:
        errors.update(exc.fields)
    external = data.get("external_id")
    clean["external_id"] = str(external).strip()[:100] if external not in (None, "") else None
    judicial = data.get("in_judicial_proceedings", False)
    if not isinstance(judicial, bool):
        errors["in_judicial_proceedings"] = "是否已进入司法程序应为是或否"
    clean["in_judicial_proceedings"] = bool(judicial)
    try:
        clean["category"] = category_name(str(data.get("category") or ""))
    except Invalid as exc:
        errors.update(exc.fields)
    clean["petitioner"], petitioner_errors = _petitioner_fields(data.get("petitioner"))
    errors.update(petitioner_errors)
    if errors:
        raise Invalid.of(errors)
    return clean


def validate_intake(data: dict) -> None:
    """Check intake data without saving anything (pages show every problem at once)."""
    _validate_intake(data)


def _intake_station(user: User | None, data: dict) -> Station:
    station_id = data.get("station_id")
    if station_id:
        station = Station.objects.filter(pk=station_id).first()
        if station is None:
            raise Invalid.of({"station_id": "代办机构不存在"})
        return station
    if user is not None and user.station is not None:
        return user.station
    station = Station.objects.filter(code=settings.DAIBAN_DEFAULT_STATION).first() or Station.objects.first()
    if station is None:
        raise Invalid.of({"station_id": "系统中还没有代办机构，请先在管理后台添加"})
    return station


def _next_number(received_on: datetime.date) -> str:
    """The next number of the year. The sequence row stays locked until the intake commits, so a
    rolled-back intake gives its number back: numbers have no gaps."""
    prefix = settings.DAIBAN_NUMBER_PREFIX
    NumberSequence.objects.bulk_create(
        [NumberSequence(prefix=prefix, year=received_on.year, last=0)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=received_on.year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{received_on.year}-{sequence.last:06d}"


def _upsert_petitioner(values: dict[str, str]) -> Petitioner:
    id_hash = crypto.lookup_hash(values["id_number"])
    petitioner = Petitioner.objects.filter(id_hash=id_hash).first()
    if petitioner is None:
        petitioner = Petitioner(id_hash=id_hash, id_number_enc=crypto.encrypt(values["id_number"]))
    petitioner.name = values["name"]
    petitioner.phone_enc = crypto.encrypt(values["phone"])
    petitioner.phone_hash = crypto.lookup_hash(values["phone"])
    if values["address"]:
        petitioner.address = values["address"]
    petitioner.save()
    return petitioner


def petition_intake(*, data: dict, user: User | None, agent: Agent | None = None,
                    as_petitioner: bool = False) -> IntakeResult:
    """登记: a new petition from any channel. The same source + external_id twice is the same petition.
    A staff `user` needs the "intake" ability; `as_petitioner` is the portal's own submission."""
    if not as_petitioner:
        require(user, "intake")
    clean = _validate_intake(data)
    station = _intake_station(user, data)
    with transaction.atomic():
        number = _next_number(clean["received_on"])  # also serialises intakes: see _next_number
        if clean["external_id"]:
            existing = Petition.objects.filter(source=clean["source"], external_id=clean["external_id"]).first()
            if existing is not None:
                transaction.set_rollback(True)  # give the number back
                return IntakeResult(existing, False)
        petition = Petition.objects.create(
            number=number,
            query_code="".join(secrets.choice(_QUERY_ALPHABET) for _ in range(10)),
            channel=clean["channel"], source=clean["source"], external_id=clean["external_id"],
            received_on=clean["received_on"], petitioner=_upsert_petitioner(clean["petitioner"]),
            content=clean["content"], category=clean["category"],
            in_judicial_proceedings=clean["in_judicial_proceedings"], station=agent.station if agent else station,
            national_forward_due_on=deadlines.statutory(clean["received_on"], deadlines.NATIONAL_FORWARD_DAYS),
            last_event_on=clean["received_on"], created_by=user,
        )
        eligibility.link_related(petition)
        note = f"{Channel(petition.channel).label}，{Source(petition.source).label}"
        if agent is not None:
            note += f"；信访人选择代办员 {agent.name}"
        events.record(petition, "intake", actor=None if as_petitioner else user, actor_name=PETITIONER_ACTOR,
                      on=clean["received_on"], note=note, data={"chosen_agent_id": agent.pk} if agent else {},
                      from_status="", to_status=Status.RECEIVED)
    return IntakeResult(petition, True)


def petition_intake_or_existing(*, data: dict, user: User | None, agent: Agent | None = None,
                                as_petitioner: bool = False) -> IntakeResult:
    """Intake, tolerating the race of two identical external submissions on PostgreSQL."""
    try:
        return petition_intake(data=data, user=user, agent=agent, as_petitioner=as_petitioner)
    except IntegrityError:
        existing = Petition.objects.filter(source=data.get("source"), external_id=data.get("external_id")).first()
        if existing is None:
            raise
        return IntakeResult(existing, False)
