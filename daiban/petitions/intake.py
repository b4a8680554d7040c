"""登记 (intake) and numbering: a new petition from any channel, gapless numbers per year.

The staff API and pages call `petition_intake_or_existing` for a user who may take petitions in
(abilities: "intake"); the portal calls it `as_petitioner` (the petitioner, through 掌上信访).
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from daiban.audit import services as audit
from daiban.audit.models import Action as AuditAction
from daiban.audit.models import AuditEntry
from daiban.lib import crypto, ratelimit
from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Invalid
from daiban.lib.identity import InvalidValue, normalize_id_number, normalize_phone
from daiban.lib.text import clean_line
from daiban.lib.validation import DATE_MAX, DATE_MIN, ID_MAX, NoSuchDay, line_field, parse_day, text_field
from daiban.org.models import Agent, Station, User
from daiban.petitions import deadlines, events, indexing
from daiban.petitions.abilities import require
from daiban.petitions.actions.screening import category_name
from daiban.petitions.eligibility import Preview, preview
from daiban.petitions.models import (
    PETITIONER_ACTOR,
    Channel,
    NumberSequence,
    Petition,
    Petitioner,
    Source,
    Status,
)
from daiban.petitions.permissions import sees_everything, station_scope, visible_petitions
from daiban.workdays.engine import deadlines_being_set

_QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone

log = logging.getLogger(__name__)


# --- small validators: each raises Invalid naming the field --------------------------------------

# The small validators every service shares (daiban.lib.validation), by their old names here.
_text, _line = text_field, line_field


def parse_id(value: Any) -> int | None:
    """A primary key given by a client, or None when it cannot be one (not a whole number in range):
    a 20-digit number must not reach the database, where it overflows."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= ID_MAX else None


def _choice(data: dict, key: str, label: str, choices, *, required: bool = True, default: str = "") -> str:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise Invalid.of({key: f"请选择{label}"})
        return default
    allowed = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in allowed:
        # Named by their labels (来信、来访…), as the pages offer them: a message for a person, the
        # same on the page and in the API, never a list of codes (the API's codes are in OpenAPI).
        names = "、".join(str(c[1]) if isinstance(c, tuple) else str(c) for c in choices)
        raise Invalid.of({key: f"{label}的取值无效（收到“{str(value)[:20]}”），应为{names}之一"})
    return str(value)


def _date(data: dict, key: str, label: str, *, required: bool = True, default: datetime.date | None = None):
    value = data.get(key)
    if value in (None, ""):
        if required and default is None:
            raise Invalid.of({key: f"请填写{label}"})
        return default
    if not isinstance(value, datetime.date):
        try:
            value = parse_day(clean_line(str(value)), bounded=False)
        except NoSuchDay as exc:
            raise Invalid.of({key: f"{label}{exc}"}) from None
        except ValueError:  # another form (20260916, a week date)
            raise Invalid.of({key: f"{label}应为YYYY-MM-DD格式的日期"}) from None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not DATE_MIN <= value <= DATE_MAX:
        raise Invalid.of({key: f"{label}应在{DATE_MIN:%Y-%m-%d}至{DATE_MAX:%Y-%m-%d}之间"})
    return value



# --- intake ---------------------------------------------------------------------------------------

@dataclass
class IntakeResult:
    petition: Petition
    created: bool


# A label typed or pasted before the value into its own field ("姓名：巴特尔", "住址：嘎鲁图镇…"): not
# part of it. A name's label may stand without its colon (姓名 巴特尔); an address's needs one.
_FIELD_LABELS = {
    "name": re.compile(r"^(?:信访人|本人|我的)?(?:姓名|名字)\s*(?:是|为)?\s*(?:[:：]\s*|\s+)"),
    "address": re.compile(r"^(?:信访人|本人|我的)?(?:家庭|现|居|户籍)?(?:住址|地址)\s*(?:是|为)?\s*[:：]\s*"),
}


def _unlabelled(data: dict, key: str) -> dict:
    """`data` with the label before its `key`'s value taken off."""
    value = data.get(key)
    if not isinstance(value, str):
        return data
    return {**data, key: _FIELD_LABELS[key].sub("", clean_line(value), count=1)}


def _petitioner_fields(raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The petitioner's name, ID number, phone and address, cleaned and normalised (ASCII digits,
    one form per number; a label typed before a value, 姓名：, 住址：, 电话：, taken off), with each
    problem under its field name."""
    data = raw if isinstance(raw, dict) else {}
    data = _unlabelled(_unlabelled(data, "name"), "address")
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for key, label, limit in (("name", "信访人姓名", 50), ("address", "地址", 200)):
        try:
            values[key] = _line(data, key, label, required=key == "name", max_length=limit)
        except Invalid as exc:
            errors[f"petitioner.{key}"] = exc.fields[key]
            values[key] = ""
    for key, normalize in (("id_number", normalize_id_number), ("phone", normalize_phone)):
        try:
            values[key] = normalize(str(data.get(key) or ""))
        except InvalidValue as exc:
            errors[f"petitioner.{key}"] = str(exc)
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
    try:
        clean["external_id"] = _line(data, "external_id", "外部编号", required=False, max_length=100) or None
    except Invalid as exc:
        errors.update(exc.fields)
    judicial = data.get("in_judicial_proceedings", False)
    if not isinstance(judicial, bool):
        errors["in_judicial_proceedings"] = "是否已进入司法程序应为是或否"
    clean["in_judicial_proceedings"] = bool(judicial)
    try:
        clean["category"] = category_name(_line(data, "category", "内容分类", required=False, max_length=50))
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


def intake_check(data: dict, user: User) -> Preview:
    """The check before registering (API `POST /petitions/check`, the intake page's live check): the
    petitioner's earlier petitions scored against the content, the exclusions they imply and the
    same matter across petitioners (eligibility.preview). `data`: {"petitioner": {"id_number"},
    "content", "in_judicial_proceedings", "station_id"}, validated as intake validates them.
    Forbidden without the "intake" ability; Invalid naming the field for a bad ID number, content
    or station; RateLimited past DAIBAN_INTAKE_CHECKS_PER_HOUR for the account (the answer says
    whether an ID number is a known petitioner's). Saves nothing."""
    require(user, "intake")
    ratelimit.take("intake_check", str(user.pk), limit=settings.DAIBAN_INTAKE_CHECKS_PER_HOUR, window=3600,
                   message="登记前检查过于频繁，请{wait}后再试")
    raw = data.get("petitioner")
    try:
        id_number = normalize_id_number(str((raw if isinstance(raw, dict) else {}).get("id_number") or ""))
    except InvalidValue as exc:
        raise Invalid.of({"petitioner.id_number": str(exc)}) from None
    content = _text(data, "content", "反映的问题及诉求", required=False, max_length=10000)
    station = _intake_station(user, data)
    found = preview(user, id_number=id_number, content=content, station_id=station.pk,
                    judicial=bool(data.get("in_judicial_proceedings")))
    if found.petitioner_id is not None:
        note_identity_lookup(user, found.petitioner_id, via="intake")
    return found


def note_identity_lookup(user: User, petitioner_id: int, *, via: str) -> None:
    """The intake check found a registered petitioner by the ID number typed and showed their earlier
    petitions: an `identity_search` audit row as a search of the list is (count_identity_search),
    `people` 1 and the petitioner by id, never the number. The check runs as the agent types, so one
    row per account, petitioner and `via` an hour is enough to answer "who looked this person up"
    without a row per keystroke. Rate limits are the caller's (DAIBAN_INTAKE_CHECKS_PER_HOUR)."""
    since = timezone.now() - datetime.timedelta(hours=1)
    # (actor_username, at) is indexed (audit_actor_at_idx): a short range of one account's rows.
    if AuditEntry.objects.filter(actor_username=user.get_username(), at__gte=since,
                                 action=AuditAction.IDENTITY_SEARCH, target_id=str(petitioner_id),
                                 detail__via=via).exists():
        return
    audit.record(AuditAction.IDENTITY_SEARCH, actor=user, target_type="petitioner", target_id=petitioner_id,
                 label=f"信访人#{petitioner_id}", detail={"via": via, "kind": "id_number", "people": 1})


def _intake_station(user: User | None, data: dict) -> Station:
    """The station that screens the petition: the one asked for (only within the user's own
    stations, unless the user is the center or admin), else the user's, else the default.
    A station outside the user's scope is refused (400 naming station_id) before anything is saved."""
    raw = data.get("station_id")
    if raw not in (None, ""):
        station_id = parse_id(raw)
        station = Station.objects.filter(pk=station_id).first() if station_id else None
        if station is None:
            raise Invalid.of({"station_id": "代办机构不存在"})
        if user is not None and not (sees_everything(user) or station.pk in station_scope(user)):
            raise Invalid.of({"station_id": "只能在本机构（及下属机构）登记信访事项"})
        return station
    if user is not None and user.station is not None:
        return user.station
    if user is not None and not sees_everything(user):
        raise Invalid.of({"station_id": "您的账号没有所属代办机构，无法登记，请联系管理员"})
    station = Station.objects.filter(code=settings.DAIBAN_DEFAULT_STATION).first() or Station.objects.first()
    if station is None:
        if user is None:  # the portal: the citizen is told where else to go, the log tells the administrator
            log.error("portal submission refused: no station is set up (admin: 代办机构)")
            raise Invalid.of({"station_id": "网上反映暂时无法受理，请到就近的代办服务站当面反映或打电话反映"})
        raise Invalid.of({"station_id": "系统中还没有代办机构，请先在管理后台添加"})
    return station


def _next_number(received_on: datetime.date) -> str:
    """The next number of the year. The sequence row stays locked until the intake commits, so a
    rolled-back intake gives its number back: numbers have no gaps."""
    prefix = settings.DAIBAN_NUMBER_PREFIX
    # One statement in the common case: the UPDATE locks the row (until the intake commits) and
    # returns the new number; the year's first intake creates the row, then updates it.
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE prefix = %s AND year = %s RETURNING last",  # noqa: S608
                           [prefix, received_on.year])
            row = cursor.fetchone()
            if row is not None:
                return f"{prefix}-{received_on.year}-{row[0]:06d}"
            NumberSequence.objects.bulk_create(
                [NumberSequence(prefix=prefix, year=received_on.year, last=0)], ignore_conflicts=True
            )
    raise RuntimeError("number sequence row missing")  # unreachable: the row was just created


def _find_or_create_petitioner(values: dict[str, str]) -> Petitioner:
    """The person, linked by the keyed hash of the ID number. An existing person's record is never
    changed by an intake (anyone who knows an ID number can submit one): their current contact data
    changes only through corrections.petitioner_correct. A new person starts with what this intake
    registered."""
    id_hash = crypto.lookup_hash(values["id_number"])
    petitioner = Petitioner.objects.filter(id_hash=id_hash).first()
    if petitioner is not None:
        return petitioner
    # ON CONFLICT DO NOTHING, then read: two intakes of one new person at once (dated in two years,
    # so not queued on one number sequence) both get here; the second waits for the first to commit
    # and takes its row instead of meeting id_hash's uniqueness (a 500 on PostgreSQL).
    Petitioner.objects.bulk_create([Petitioner(
        id_hash=id_hash, id_number_enc=crypto.encrypt(values["id_number"]), name=values["name"],
        phone_enc=crypto.encrypt(values["phone"]), phone_hash=crypto.lookup_hash(values["phone"]),
        address=values["address"],
    )], ignore_conflicts=True)
    return Petitioner.objects.get(id_hash=id_hash)


def petitioner_snapshot(values: dict[str, str]) -> dict[str, str]:
    """The Petition fields that keep the petitioner as registered with it (name, phone encrypted
    with SM4 and its keyed hash, address), from normalised intake or correction values."""
    return {
        "petitioner_name": values["name"],
        "petitioner_phone_enc": crypto.encrypt(values["phone"]),
        "petitioner_phone_hash": crypto.lookup_hash(values["phone"]),
        "petitioner_address": values["address"],
    }


def _existing_external(user: User | None, source: str, external_id: str) -> Petition | None:
    """The petition already registered under this source + external_id, if the caller may see it.
    One they may not see (another station's) is a conflict that names no number: 409."""
    existing = Petition.objects.filter(source=source, external_id=external_id).first()
    if existing is None:
        return None
    if user is not None and not visible_petitions(user).filter(pk=existing.pk).exists():
        raise Conflict("该外部编号已由其他代办机构登记，请联系旗信访代办服务中心", code="duplicate_external_id",
                       fields={"external_id": "该外部编号已由其他代办机构登记"})
    return existing


def petition_intake(*, data: dict, user: User | None, agent: Agent | None = None,
                    as_petitioner: bool = False) -> IntakeResult:
    """登记: a new petition from any channel. The same source + external_id twice is the same petition.
    A staff `user` needs the "intake" ability; `as_petitioner` is the portal's own submission."""
    if not as_petitioner:
        require(user, "intake")
    clean = _validate_intake(data)
    station = agent.station if agent else _intake_station(user, data)
    with transaction.atomic():
        deadlines_being_set()  # the forwarding limit is read from the calendar (engine.CALENDAR_LOCK)
        number = _next_number(clean["received_on"])  # also serialises intakes: see _next_number
        if clean["external_id"]:
            existing = _existing_external(user, clean["source"], clean["external_id"])
            if existing is not None:
                transaction.set_rollback(True)  # give the number back
                return IntakeResult(existing, False)
        petition = Petition.objects.create(
            number=number,
            query_code="".join(secrets.choice(_QUERY_ALPHABET) for _ in range(10)),
            channel=clean["channel"], source=clean["source"], external_id=clean["external_id"],
            received_on=clean["received_on"], petitioner=_find_or_create_petitioner(clean["petitioner"]),
            **petitioner_snapshot(clean["petitioner"]),
            content=clean["content"], category=clean["category"],
            in_judicial_proceedings=clean["in_judicial_proceedings"], station=station,
            national_forward_due_on=deadlines.statutory(clean["received_on"], deadlines.NATIONAL_FORWARD_DAYS),
            last_event_on=clean["received_on"], created_by=user,
        )
        indexing.petition_added(petition)  # features, same-matter links, LSH keys, search entry
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
        source, external_id = data.get("source"), clean_line(str(data.get("external_id") or ""))
        existing = _existing_external(user, str(source), external_id) if external_id else None
        if existing is None:
            raise
        return IntakeResult(existing, False)
