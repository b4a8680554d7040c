"""The citizens' side: submit a petition, follow it with its number and query code, rate the result,
ask for review. Every entry point is rate-limited per client; wrong codes for a number ask that
client for the CAPTCHA (the portal) or answer 429 to that client (the API), never locking the number."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from daiban.documents.notices import screened_status, screening_told
from daiban.documents.services import check_upload, store_attachment
from daiban.lib import crypto, ratelimit
from daiban.lib.errors import Conflict, Invalid, NotFound, RateLimited
from daiban.lib.identity import is_mobile
from daiban.lib.text import clean_line, clean_text
from daiban.org.models import Agent
from daiban.petitions import deadlines, events
from daiban.petitions import feedback as facts
from daiban.petitions import services as petitions
from daiban.petitions.choices import REVIEW_STATUS_LABELS
from daiban.petitions.guards import next_review_level, review_window_open
from daiban.petitions.models import (
    PETITIONER_ACTOR,
    Event,
    Petition,
    Review,
    Satisfaction,
    ScreenOutcome,
    Status,
)
from daiban.petitions.undo import undone_steps
from daiban.petitions.workflow import CONCLUDED_OR_LATER, RUNNING, SCREENED_OUT
from daiban.portal.models import QrTicket, Submission
from daiban.workdays.engine import deadlines_being_set

HOUR = 3600

# What each status means, said to a citizen.
PUBLIC_STATUS = {
    "received": "已收到，正在甄别受理",
    "answered": "已直接答复",
    "redirected_legal": "已告知您按照法定途径（诉讼、仲裁、行政复议等）解决",
    "guided": "已引导您到信访接待窗口或相关事权单位办理",
    "declined": "不属于代办范围，已向您说明原因",
    "accepted": "已受理代办，代办员将为您全程免费代办",
    "in_progress": "相关部门正在办理",
    "escalated": "已上报上级机构协调办理",
    "concluded": "已办结，代办员将向您反馈结果",
    "feedback_given": "已向您反馈办理结果",
    "under_review": "复查中",  # or 复核中: public_view says which (status_text)
    "terminated": "已终结，代办员将回访",
    "followed_up": "已回访",
    "archived": "已办结归档",
}
# The heading of what a screening outcome means for the petitioner (documents.notices.screening_told).
EXPLANATION_TITLES: dict[str, str] = {
    Status.DECLINED: "为什么不予代办，可以到哪里反映",
    Status.REDIRECTED_LEGAL: "怎样通过法定途径解决",
    Status.GUIDED: "到哪里办理",
}
SCREEN_TEXT = {  # the outcome of screening, said to a citizen
    ScreenOutcome.DIRECT_REPLY: "已直接答复", ScreenOutcome.LEGAL_CHANNEL: "已告知按照法定途径解决",
    ScreenOutcome.GUIDED: "已引导至信访接待窗口或事权单位", ScreenOutcome.AGENCY: "已受理代办",
    ScreenOutcome.DECLINED: "不予代办",
}


# --- submission -------------------------------------------------------------------------------------

# A /48 is one site's IPv6 allocation (an enterprise's, a campus's, a tunnel broker's): 65,536 /64
# clients, each with its own hour of submissions. This many clients' worth an hour from one /48
# (160 by default) is far above what a county's portal receives from one site, and stops a script
# that walks through the /64s it was given.
NETWORK_SHARE = 16


def _submission_limits(client: str) -> list[tuple[str, str, int]]:
    """(scope, ident, clients' worth) counting a submission from `client`: the client itself (1),
    and its /48 (NETWORK_SHARE) when it is an IPv6 network."""
    limits = [("public-submit", client, 1)]
    network = ratelimit.network(client)
    if network:
        limits.append(("public-submit-network", network, NETWORK_SHARE))
    return limits


@contextlib.contextmanager
def submitting(client: str) -> Iterator[None]:
    """Hold while deciding on a submission from `client` (whether a CAPTCHA is due, the checks and
    the count): one at a time for the widest of its limits, the /48 of an IPv6 client (else posts
    sent at once from many /64s of one /48 all passed its checks before any was counted), else the
    client. One lock, never two nested: the memory store's locks are 64 shared stripes, and two
    requests each holding one and waiting for the other's blocked both."""
    scope, ident, _ = _submission_limits(client)[-1]
    with ratelimit.one_at_a_time(scope, ident):
        yield


def needs_captcha(client: str) -> bool:
    """Whether the portal asks `client` for a CAPTCHA before its next submission: past
    DAIBAN_PUBLIC_CAPTCHA_AFTER submissions in the hour by the client, or NETWORK_SHARE times as
    many by its /48."""
    return bool(_captcha_due(client))


def _captcha_due(client: str) -> list[int]:
    """For each limit past which a CAPTCHA is due: the seconds until its oldest counted submission
    leaves the hour (asked of the counts as they are kept: `limits` keys them by the limit too).
    Past that one, a client that only used the API is below the threshold again; one that went on
    with solved CAPTCHAs may need longer, and is told again."""
    per_hour, after = settings.DAIBAN_PUBLIC_SUBMIT_PER_HOUR, settings.DAIBAN_PUBLIC_CAPTCHA_AFTER
    return [ratelimit.retry_after(scope, ident, limit=per_hour * share, window=HOUR)
            for scope, ident, share in _submission_limits(client)
            if ratelimit.count(scope, ident, limit=per_hour * share, window=HOUR) >= after * share]


ONCE_KEEP = datetime.timedelta(days=1)  # how long a form's one-time token is remembered


class AlreadySubmitted(Exception):  # noqa: N818 (an outcome, not an error)
    """The form's one-time token was used meanwhile: `sent` says for which petition, and by whom."""

    def __init__(self, sent: Sent | None) -> None:
        super().__init__("already submitted")
        self.sent = sent


def same_complaint(petition: Petition, content: object) -> bool:
    """Is `content` (as posted) the complaint `petition` registered, as intake would store it?"""
    return clean_text(content if isinstance(content, str) else "") == petition.content


def changed_token(token: str, content: object) -> str:
    """The token of a form sent again with another complaint: derived from the first and the text."""
    text = clean_text(content if isinstance(content, str) else "")
    return hashlib.sha256(f"{token}:{text}".encode()).hexdigest()[:32]


def browser_mark(csrf_cookie: str | None) -> str:
    """What identifies the browser that sent a form: a keyed hash of its CSRF cookie ('' without one)."""
    return crypto.lookup_hash(f"portal-browser:{csrf_cookie}")[:32] if csrf_cookie else ""


@dataclass(frozen=True)
class Sent:
    """A form's one-time token as used: the petition, and whether this browser sent it."""

    petition: Petition
    same_browser: bool


def submitted_with(token: str, browser: str = "") -> Sent | None:
    """The petition a form's one-time token was already used for (within ONCE_KEEP), or None."""
    if not token:
        return None
    found = Submission.objects.filter(token=token, created_at__gte=timezone.now() - ONCE_KEEP).select_related(
        "petition").first()
    return Sent(found.petition, found.browser == browser) if found else None


def submit(*, data: dict, client: str, files=(), agent_id=None, captcha_solved: bool = False,
           once: str = "", browser: str = "") -> Petition:
    """A petition from the portal: channel online, source self, at the chosen agent's station or the default.

    Invalid (naming the field) before anything is counted: a citizen correcting a mistyped ID number
    or a damaged photo does not use up the hour's submissions. RateLimited past
    DAIBAN_PUBLIC_SUBMIT_PER_HOUR for the client (`client`: ratelimit.client), or NETWORK_SHARE
    times as many for an IPv6 client's /48; and, unless `captcha_solved` (the portal's form had a
    CAPTCHA and it was solved), past DAIBAN_PUBLIC_CAPTCHA_AFTER: the API, which has no CAPTCHA,
    answers 429 where the portal would ask for one. Callers hold `submitting(client)`, so the
    checks and the count are one step."""
    agent = None
    if agent_id not in (None, ""):
        pk = petitions.parse_id(agent_id)
        agent = Agent.objects.in_post().filter(pk=pk).select_related("station").first() if pk else None
        if agent is None:
            raise Invalid.of({"agent_id": "所选代办员不存在"})
    body = {"channel": "online", "source": "self", "petitioner": data.get("petitioner"), "content": data.get("content")}
    petitions.validate_intake(body)
    per_hour, limits = settings.DAIBAN_PUBLIC_SUBMIT_PER_HOUR, _submission_limits(client)
    for scope, ident, share in limits:
        ratelimit.refuse_if_exceeded(scope, ident, limit=per_hour * share, window=HOUR,
                                     message="提交过于频繁，请{wait}后再试")
    due = [] if captcha_solved else _captcha_due(client)
    if due:
        wait = max(due)
        raise RateLimited(f"提交较多，请{ratelimit.wait_text(wait)}后再试（或在网页上输入验证码提交）", retry_after=wait)
    # The files are read and checked before the transaction: parsing a crafted file takes time that
    # must not hold the number sequence's lock (every other intake would wait on it).
    checked = [(upload, check_upload(upload)) for upload in files]
    with transaction.atomic():
        result = petitions.petition_intake(data=body, user=None, agent=agent, as_petitioner=True)
        for upload, ok in checked:
            store_attachment(result.petition, upload, kind="by_content", user=None, checked=ok)
        if once:  # the form's token, used: a second post of it shows this petition (views.submit)
            Submission.objects.filter(created_at__lt=timezone.now() - ONCE_KEEP).delete()
            try:
                with transaction.atomic():
                    Submission.objects.create(token=once, petition=result.petition, browser=browser)
            except IntegrityError:  # the same form posted at once from elsewhere: it won, this is undone
                raise AlreadySubmitted(submitted_with(once, browser)) from None
        # Counted last, in the transaction: a submission refused for its content or a file is not
        # counted, and one refused by the count is not saved.
        for scope, ident, share in limits:
            ratelimit.take(scope, ident, limit=per_hour * share, window=HOUR, message="提交过于频繁，请{wait}后再试")
    return result.petition


def fixed_line(petition: Petition) -> bool:
    """Whether the petitioner left a fixed-line number, which no SMS reaches (the messages are kept
    for the agent to phone: notifications.services.sms)."""
    phone = crypto.decrypt(petition.petitioner_phone_enc) if petition.petitioner_phone_enc else ""
    return bool(phone) and not is_mobile(phone)


# --- tracking ---------------------------------------------------------------------------------------

class CaptchaRequired(RateLimited):
    """This client looked up or guessed too often: the portal asks for the CAPTCHA; the API, which
    has none, answers 429. `reason`: what was too often, for either's message."""

    default_code = "captcha_required"

    def __init__(self, reason: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{reason}，请输入验证码后再查询", retry_after=retry_after)
        self.reason = reason


# Dashes people type or paste between the parts of a number: hyphen, minus, en and em dashes, the
# full-width forms (folded by NFKC), 一 typed for a dash, underscores, dots and spaces.
_DASHES = r"[\s\-_.\u2010-\u2015\u2212\u30fc\u4e00]*"
_NUMBER_PARTS = re.compile(rf"^([A-Z]{{1,8}}){_DASHES}(\d{{4}}){_DASHES}(\d{{1,9}})$")


# A number typed without its letters: the year (20xx), then the serial.
_BARE_NUMBER = re.compile(rf"^(20\d{{2}}){_DASHES}(\d{{1,9}})$")
# A number inside other text (a label before it, the receipt SMS pasted whole): letters, the year and
# the serial, standing apart from other letters and digits.
_NUMBER_IN_TEXT = re.compile(rf"(?<![A-Z0-9])([A-Z]{{1,8}}){_DASHES}(\d{{4}}){_DASHES}(\d{{1,9}})(?![A-Z0-9])")
_BARE_IN_TEXT = re.compile(rf"(?<![A-Z0-9])(20\d{{2}}){_DASHES}(\d{{1,9}})(?![A-Z0-9])")
_NUMBER_LABEL = re.compile(r"编号\s*(?:是|为)?\s*:?\s*")
CODE_LENGTH = 10  # intake's query codes (_QUERY_ALPHABET, ten characters)
# The code after its label ("查询码FRWKPL7L84", "查询码：frwk-pl7l-84", "查询码是 FRWK PL7L 84"): groups of
# letters and digits with separators between them.
_CODE_LABEL = re.compile(r"查询码\s*(?:是|为)?\s*:?\s*((?:[A-Z0-9]+[\s\-_.\u00b7\u2022\u2027\u30fb\u2010-\u2015\u2212\u30fc]*)+)")


def _folded(raw: str | None) -> str:
    """What a citizen typed or pasted, cleaned, NFKC-folded (full-width letters, digits and colons)
    and in upper case."""
    return unicodedata.normalize("NFKC", clean_line(raw or "")).upper().strip()


def _without_code(value: str) -> str:
    """`value` without a labelled query code (查询码…): its letters and digits are no number."""
    return _CODE_LABEL.sub(" ", value)


def _number_in(value: str) -> str:
    """The petition number inside text (folded), in its registered form, or "": after its label
    编号 first, then anywhere with its letters; without letters only after the label."""
    text = _without_code(value)
    label = _NUMBER_LABEL.search(text)
    if label:
        after = text[label.end():]
        for pattern in (_NUMBER_IN_TEXT, _BARE_IN_TEXT):
            found = pattern.match(after)
            if found:
                return _registered(found.group(0))
    found = _NUMBER_IN_TEXT.search(text)
    return _registered(found.group(0)) if found else ""


def _registered(value: str) -> str:
    """A number matched whole (with or without its prefix) in its registered form WS-2026-000054."""
    bare = _BARE_NUMBER.match(value)
    if bare:  # typed without its prefix (2026000063, 2026-63): the prefix numbers are given (a setting)
        value = f"{settings.DAIBAN_NUMBER_PREFIX}-{bare.group(1)}-{bare.group(2)}"
    parts = _NUMBER_PARTS.match(value)
    if parts:
        prefix, year, serial = parts.groups()
        return f"{prefix}-{year}-{int(serial):06d}"[:40]
    return ""


def normalise_number(raw: str | None) -> str:
    """A petition number as people type or paste it: cleaned, full-width folded, upper case, no
    spaces; a number typed without its hyphens or with other dashes (WS2026000054, WS 2026 000054,
    WS—2026—000054), or without its prefix (2026000054, 2026-54: the prefix is
    settings.DAIBAN_NUMBER_PREFIX, intake._next_number's), with a label or inside other text
    (编号：WS-2026-000054, the receipt SMS pasted whole, the number in quotes or with a full stop),
    in its registered form WS-2026-000054. Text without a number: its letters, digits and dashes."""
    value = _folded(raw)
    whole = _registered(value)
    if whole:
        return whole
    inside = _number_in(value)
    if inside:
        return inside
    return re.sub(r"[^\w-]", "", value)[:40]


# What people put between the characters of a query code they read off a receipt or an SMS: spaces,
# dashes of every kind, dots and middle dots, underscores (full-width forms folded by NFKC first), and
# the invisible characters a paste from a chat app carries.
_CODE_SEPARATORS = re.compile(r"[\s\-_.\u00b7\u2022\u2027\u30fb\u2010-\u2015\u2212\u30fc"
                              r"\u00ad\u180b-\u180f\u200b-\u200f\u2060-\u2064\ufeff]+")
_NOT_CODE_ENDS = re.compile(r"^[^A-Z0-9]+|[^A-Z0-9]+$")


def _labelled_code(value: str) -> str:
    """The code after its label 查询码 in text (folded), or "": its groups up to a code's length
    ("查询码 FRWK PL7L84 2026年…" is FRWKPL7L84, not FRWKPL7L842026)."""
    found = _CODE_LABEL.search(value)
    if not found:
        return ""
    code = ""
    for group in re.findall(r"[A-Z0-9]+", found.group(1)):
        if len(code) >= CODE_LENGTH:
            break
        code += group
    return code


def normalise_code(raw: str | None) -> str:
    """A query code as people type or paste it (`AB3D 5FGH7K`, `ab3d-5fgh-7k`, full-width, in quotes
    or with a full stop, after its label `查询码：…`, the receipt SMS pasted whole, the number before
    it): cleaned, NFKC-folded, upper case, without separators; at most 40 characters. A code is never
    read as a petition number (`normalise_number` would turn a code of letters then digits,
    ABCD234567, into ABCD-2345-000067, and its petitioner could never track the case)."""
    value = _folded(raw)
    labelled = _labelled_code(value)
    if labelled:
        return labelled[:40]
    if ":" in value:  # another label ("code: …"); a code has no colon
        value = value.rsplit(":", 1)[1]
    value = _NOT_CODE_ENDS.sub("", value)
    # The number pasted before the code ("WS-2026-000054 FRWKPL7L84"); a code that is itself shaped
    # like a number is kept whole.
    numbers = list(_NUMBER_IN_TEXT.finditer(value))
    ours = [m for m in numbers if m.group(1) == settings.DAIBAN_NUMBER_PREFIX] or numbers
    if ours:
        rest = _NOT_CODE_ENDS.sub("", value[:ours[0].start()] + " " + value[ours[0].end():])
        value = rest or value
    return _CODE_SEPARATORS.sub("", value)[:40]


def read_pasted(number_raw: str | None, code_raw: str | None) -> tuple[str, str]:
    """(number, code) of the tracking form as typed: each normalised; and where one box is empty, what
    the other holds when it was pasted with both (the receipt SMS in the number's box, or in the
    code's; "WS-2026-000054 FRWKPL7L84")."""
    number, code = normalise_number(number_raw), normalise_code(code_raw)
    if not code and number_raw:
        folded = _folded(number_raw)
        code = _labelled_code(folded)
        found = _NUMBER_IN_TEXT.search(folded)
        if not code and found:  # the number, then the code alone
            rest = _NOT_CODE_ENDS.sub("", folded[:found.start()] + " " + folded[found.end():])
            alone = _CODE_SEPARATORS.sub("", rest)
            code = alone if re.fullmatch(r"[A-Z0-9]{6,16}", alone) else ""
    if not number and code_raw:
        number = _number_in(_folded(code_raw))
    return number, code


def find(number: str, code: str, client: str, *, captcha_pass: str = "") -> Petition:
    """The petition if the code is right; the same NotFound for a wrong code and an unknown number.

    Every limit is per client (`client`: ratelimit.client), never per number alone, so a stranger's
    wrong codes on a (sequential) number never lock the petitioner out. Past any of these, each
    further try needs a solved CAPTCHA (CaptchaRequired; the API, which has none, answers 429):
    - lookups (DAIBAN_PUBLIC_TRACK_PER_HOUR);
    - wrong codes for this number (DAIBAN_PUBLIC_WRONG_CODES), or for any number (four times as
      many: one person guessing, or many people behind one address).
    `captcha_pass` names the CAPTCHA this browser solved for this number (the portal keeps it in
    the session): lookups go through on it, and one wrong code, then it is spent, whatever address
    or session replays it. Twenty times the wrong codes: RateLimited, CAPTCHA or not. A right code
    forgives this client's wrong codes for this number. The check, the comparison and the count run
    for one client at a time: sixty guesses sent at once are not all compared.
    """
    number, code = normalise_number(number), normalise_code(code)
    wrong = settings.DAIBAN_PUBLIC_WRONG_CODES
    pair = f"{client}|{number}"
    spent = f"{number}|{captcha_pass}"
    with ratelimit.one_at_a_time("public-find", client):
        ratelimit.refuse_if_exceeded("public-wrong-ceiling", client, limit=wrong * 20, window=HOUR,
                                     message="查询码错误次数过多，请{wait}后再试")
        passed = bool(captcha_pass) and not ratelimit.exceeded("public-captcha-spent", spent, limit=1, window=HOUR)
        limits = [("public-track", client, settings.DAIBAN_PUBLIC_TRACK_PER_HOUR, "查询过于频繁"),
                  ("public-wrong", pair, wrong, "查询码错误次数较多"),
                  ("public-wrong-client", client, wrong * 4, "查询码错误次数较多")]
        reached = [(scope, ident, limit, reason) for scope, ident, limit, reason in limits
                   if ratelimit.exceeded(scope, ident, limit=limit, window=HOUR)]
        if reached and not passed:
            wait = max(ratelimit.retry_after(scope, ident, limit=limit, window=HOUR) for scope, ident, limit, _ in reached)
            raise CaptchaRequired(reached[0][3], retry_after=wait)
        ratelimit.hit("public-track", client, limit=settings.DAIBAN_PUBLIC_TRACK_PER_HOUR, window=HOUR)
        petition = Petition.objects.filter(number=number).select_related("agent").first() if number else None
        if petition is None or not code or not constant_time_compare(petition.query_code, code):
            for scope, ident, limit, _ in limits[1:]:
                ratelimit.hit(scope, ident, limit=limit, window=HOUR)
            ratelimit.hit("public-wrong-ceiling", client, limit=wrong * 20, window=HOUR)
            if reached:
                ratelimit.hit("public-captcha-spent", spent, limit=1, window=HOUR)
            raise NotFound("编号或查询码不正确")
        ratelimit.clear("public-wrong", pair, limit=wrong, window=HOUR)
    return petition


@dataclass
class PublicEvent:
    on: datetime.date
    text: str


def _chinese_date(value: object) -> str:
    """An ISO date an event recorded, as the page writes dates: 2026年12月10日 ('' when it is none)."""
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def _event_text(event: Event) -> str | None:
    data = event.data or {}
    match event.action:
        case "intake":
            return "收到您的信访事项"
        case "screen":
            return SCREEN_TEXT.get(data.get("outcome", ""), "已甄别")
        case "route":
            return f"已转交{len(data.get('departments', []))}个事权单位办理"
        case "determine_solution":
            due = _chinese_date(data.get("due_on"))
            return f"已确定解决方案，计划于{due}前办结" if due else "已确定解决方案"
        case "escalate":
            return "已上报上级机构协调"
        case "return_escalation":
            return "上级机构已提出办理意见，由代办机构继续办理"
        case "reassign":
            return "已为您更换代办员"
        case "disposition_decide_extension" if data.get("approved"):
            return f"因情况复杂，经批准办理期限延长{data.get('workdays', '')}个工作日"
        case "contact":
            return "代办员与您联系，通报办理进展"
        case "extend":
            return f"因情况复杂，办理期限延长{data.get('days', '')}日"
        case "conclude":
            return "已办结"
        case "feedback":
            return "已向您反馈办理结果"
        case "public_rating":
            return "您对办理结果作出评价"
        case "request_review":
            level = Review.Level(data["level"]).label if data.get("level") else "复查"
            due = f"，应于{_chinese_date(data['answer_due_on'])}前作出决定" if _chinese_date(data.get("answer_due_on")) else ""
            return f"已受理您的{level}申请{due}"
        case "decide_review":
            return _decision_text(data)
        case "terminate":
            return "信访事项终结"
        case "follow_up":
            return "代办员已回访"
        case "archive":
            return "整理归档"
    return None  # internal steps (opinions, urgings, attachments, recomputations) stay inside


def _level_label(data: dict) -> str:
    level = data.get("level")
    return Review.Level(level).label if level in Review.Level.values else "复查"


# A 复核 that keeps the answer ends the matter at every level (《信访工作条例》第三十五条: 三级终结).
FINAL_WORDS = "这是最终决定（三级终结）：以同样的事实和理由再反映，各级机关都不再受理；有新的事实和理由的，可以另行提出。"


def _decision_text(data: dict, *, named: bool = True) -> str:
    """A 复查/复核 decision as the timeline tells it (the event's data: level, upheld, due_on); `named`:
    headed by its level ("复查决定：…"), as the timeline says it (the page's card has it as its title)."""
    if data.get("upheld"):
        due = _chinese_date(data.get("due_on"))
        text = f"申请有理，有关部门须在{due}前解决（限期化解）" if due else "申请有理，限期化解"
    elif data.get("level") == Review.Level.RE_REVIEW:
        text = "维持原处理意见，这是最终决定"
    else:
        text = "维持原处理意见"
    return f"{_level_label(data)}决定：{text}" if named else text


def _decisions(petition: Petition, standing: list[Event]) -> list[dict]:
    """Each standing 复查/复核 decision as the page shows it: {"level", "on", "text", "note", "final"},
    `note` the decision's own words when recorded (Review.note), `final` after a 复核 that kept the
    answer (FINAL_WORDS)."""
    reviews = list(petition.reviews.filter(decided_on__isnull=False).order_by("id"))
    shown = []
    for event in standing:
        if event.action != "decide_review":
            continue
        data = event.data or {}
        own = [r for r in reviews if r.level == data.get("level") and r.decided_on and r.decided_on <= event.on]
        shown.append({"level": _level_label(data), "on": event.on, "text": _decision_text(data, named=False),
                      "note": own[-1].note if own else "",
                      "final": FINAL_WORDS if not data.get("upheld") and data.get("level") == Review.Level.RE_REVIEW else ""})
    return shown


def _deadline(petition: Petition, standing: list[Event]) -> dict:
    """The date the matter is due by as it holds now, and what to say about it:
    {"due_on", "extended", "late", "planned_passed"}. `due_on`: the 办结时限, or the regulation's
    extended limit when an extension (《信访工作条例》第三十六条, the `extension` SMS "办理期限延至…")
    moved it past the 办结时限; `extended` when an extension moved the matter's date (that one, or a
    处置单's that moved the 办结时限); `late` when a running matter is past `due_on`, or
    with none fixed yet past the regulation's limit (selectors.is_overdue; it is being urged: the
    sweep's 催办, the agent's); `planned_passed` (a date) when only the earlier 办结时限 has passed."""
    planned, limit = petition.due_on, petition.national_due_on
    by_regulation = bool(petition.national_extension_days) and limit is not None and (planned is None or limit > planned)
    # An extension of a 处置单 since returned no longer holds (deadlines.after_return; the petitioner
    # is told the date before it, the `due_restored` SMS).
    returned = {pk for pk, status in petition.dispositions.values_list("pk", "status") if status == "returned"}
    moved = any(e.action == "disposition_decide_extension" and (e.data or {}).get("approved")
                and (e.data or {}).get("petition_due_moved") and (e.data or {}).get("disposition_id") not in returned
                for e in standing)
    holds = limit if by_regulation else planned
    today = timezone.localdate()
    running = petition.status in RUNNING
    judged = holds or limit  # with no 办结时限 fixed yet (待定), the regulation's limit
    return {"due_on": holds, "extended": by_regulation or moved,
            "late": running and judged is not None and judged < today,
            "planned_passed": (planned if running and by_regulation and planned and holds and planned < today <= holds
                               else None)}


def _status_text(petition: Petition) -> str:
    if petition.status == Status.UNDER_REVIEW and petition.review_level in REVIEW_STATUS_LABELS:
        due_on = petition.review_answer_due_on
        due = f"，应于{due_on.year}年{due_on.month}月{due_on.day}日前作出决定" if due_on else ""
        return REVIEW_STATUS_LABELS[petition.review_level] + due
    return PUBLIC_STATUS[petition.status]


def public_view(petition: Petition) -> dict:
    """What the petitioner may see: no internal notes, no staff personal data, no one else's data."""
    timeline = list(petition.events.order_by("id"))
    gone = undone_steps(timeline)  # a step taken back (撤销上一步) is not told as if it stood
    standing = [e for e in timeline if e.pk not in gone]
    events = [PublicEvent(e.on, text) for e in standing if (text := _event_text(e))]
    deadline = _deadline(petition, standing)
    screened = screened_status(petition)
    shows_result = petition.status in CONCLUDED_OR_LATER - {Status.CONCLUDED}
    agent = petition.agent
    return {
        "number": petition.number,
        "status": petition.status,
        "status_text": _status_text(petition),
        "received_on": petition.received_on,
        "agent": {"name": agent.name, "kind": agent.get_kind_display(), "office_phone": agent.office_phone} if agent else None,
        "reply": petition.reply if screened in SCREENED_OUT else "",
        # What a screening that kept the matter out of agency means, with or without a typed reply.
        "explanation": screening_told(petition),
        "explanation_title": EXPLANATION_TITLES.get(screened, ""),
        "due_on": petition.due_on,
        "due_now": deadline["due_on"],
        "extended": deadline["extended"],
        "late": deadline["late"],
        "planned_passed": deadline["planned_passed"],
        "review_decisions": _decisions(petition, standing),
        "national_forward_due_on": petition.national_forward_due_on,
        "national_due_on": petition.national_due_on,
        "result": petition.result if shows_result else "",
        "satisfaction": petition.satisfaction or None,
        "may_rate": facts.may_rate(petition),
        "may_request": _review_open(petition),
        "review_level": next_review_level(petition) if petition.status == Status.FEEDBACK_GIVEN else None,
        "review_request_due_on": petition.review_request_due_on,
        "review_answer_due_on": petition.review_answer_due_on,
        "review_in_progress": (Review.Level(petition.review_level).label
                               if petition.status == Status.UNDER_REVIEW and petition.review_level else None),
        "timeline": [{"on": e.on, "text": e.text} for e in events],
    }


def _review_open(petition: Petition) -> bool:
    return review_window_open(petition, timezone.localdate())


def _rated_already(petition: Petition, satisfaction: str) -> bool:
    """Whether `satisfaction` is the petitioner's own rating of the latest feedback, standing."""
    return (petition.rated_by_petitioner and petition.online_satisfaction == satisfaction
            and facts.online_counts(petition))


def rate(petition: Petition, satisfaction: str) -> Petition:
    """The petitioner's own rating of the result (满意度评价), once per feedback. The same rating sent
    again (a double tap, the form sent again from the browser's history, an API retry after a
    timeout) answers as the first did and records nothing more; another rating after it is
    Conflict (您已经评价过了)."""
    if satisfaction not in Satisfaction.values:
        raise Invalid.of({"satisfaction": "请选择：满意、比较满意、理解或不满意"})
    with transaction.atomic():
        deadlines_being_set()  # a dissatisfied rating computes the review window (engine.CALENDAR_LOCK)
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if _rated_already(locked, satisfaction):
            return locked
        if locked.status != Status.FEEDBACK_GIVEN:
            # After the feedback the rating stays open until the matter ends (终结) or goes to review.
            message = ("该事项已终结，不能再评价" if locked.status in (Status.TERMINATED, Status.FOLLOWED_UP, Status.ARCHIVED)
                       else "该事项正在复查复核中，暂不能评价" if locked.status == Status.UNDER_REVIEW
                       else "办理结果反馈后才能评价")
            raise Conflict(message, code="not_allowed")
        if not facts.may_rate(locked):
            raise Conflict("您已经评价过了", code="not_allowed")
        # Kept apart from what staff recorded at the feedback (petitions.feedback).
        facts.record_online_rating(locked, satisfaction)
        # A dissatisfied rating opens the window to ask for review (30 days from the feedback), a
        # satisfied one closes it.
        deadlines.set_review_deadlines(locked)
        locked.version += 1
        locked.save(update_fields=["satisfaction", "rated_by_petitioner", "online_satisfaction", "online_rated_at",
                                   "review_request_due_on", "version", "updated_at"])
        events.record(locked, "public_rating", actor_name=PETITIONER_ACTOR,
                      note=f"信访人评价：{Satisfaction(satisfaction).label}", data={"satisfaction": satisfaction})
    return locked


def request_review(petition: Petition, reason: str | None = None) -> Petition:
    """The petitioner applies for review (or re-review) within the window, with a reason (申请理由,
    required: Invalid naming `reason` when empty); the answer is due 30 days later
    (`review_answer_due_on`, deadlines.review_answer_due).

    The same request sent again (a double tap, the form sent again from the browser's history, an
    API retry) while the one it made is pending answers with the petition as the first did, and
    registers no second request."""
    if _requested_already(petition, reason):
        return petition
    level = next_review_level(petition)
    if level is None:
        raise Conflict("复核已作出，同一事项不再受理复查复核", code="not_allowed")
    try:
        return petitions.petition_act(petition_id=petition.pk, action="request_review", user=None,
                                      as_petitioner=True, data={"level": level, "reason": reason or ""})
    except Conflict:
        # Sent twice at once: the other request went first (the action locks the petition).
        current = Petition.objects.get(pk=petition.pk)
        if _requested_already(current, reason):
            return current
        raise


def _requested_already(petition: Petition, reason: str | None) -> bool:
    """Whether the petition is under review on a pending request with this reason (as stored)."""
    if petition.status != Status.UNDER_REVIEW:
        return False
    pending = petition.reviews.filter(decided_on__isnull=True).order_by("-id").first()
    return pending is not None and bool(pending.reason) and pending.reason == clean_text(reason or "")


# --- the QR code's ticket (models.QrTicket): the tracking result without JavaScript ---------------------

TICKET_DAYS = 30  # a ticket not used by then is void (and deleted when the next one is made)
TICKET_OPEN_HOURS = 1  # used within this time of its first opening, or void: its address may sit in a log
TICKET_MAX = 64


def _ticket_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def new_ticket(number: str) -> str:
    """A new ticket for the QR code of petition `number`'s answer page: the key to put in its address
    (only its SHA-256 is kept); '' when there is no such petition. Tickets older than TICKET_DAYS are
    deleted on the way."""
    petition = Petition.objects.filter(number=number).first()
    if petition is None:
        return ""
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        QrTicket.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=TICKET_DAYS)).delete()
        QrTicket.objects.create(token_hash=_ticket_hash(raw), petition=petition)
    return raw


def _live_tickets(number: str, raw: str):
    """The ticket `raw` of petition `number` while it may be used: not used, younger than TICKET_DAYS,
    never opened or opened within TICKET_OPEN_HOURS. What cannot be a ticket matches nothing."""
    if not raw or len(raw) > TICKET_MAX or not number:
        return QrTicket.objects.none()
    now = timezone.now()
    return QrTicket.objects.filter(
        token_hash=_ticket_hash(raw), petition__number=number, used_at__isnull=True,
        created_at__gte=now - datetime.timedelta(days=TICKET_DAYS),
    ).filter(models.Q(opened_at__isnull=True) | models.Q(opened_at__gte=now - datetime.timedelta(hours=TICKET_OPEN_HOURS)))


def open_ticket(number: str, raw: str) -> bool:
    """Whether ticket `raw` of petition `number` may be used (its first opening is recorded: from then
    on it lasts TICKET_OPEN_HOURS). Opening never spends it: a link preview fetching the address
    leaves it to the person."""
    live = _live_tickets(number, raw)
    live.filter(opened_at__isnull=True).update(opened_at=timezone.now())
    return live.exists()


def use_ticket(number: str, raw: str) -> Petition | None:
    """Spend ticket `raw` of petition `number`: its petition, or None when it is not live (used,
    expired, unknown). One UPDATE: the same ticket posted twice at once is spent once."""
    found = _live_tickets(number, raw).values_list("pk", "petition_id").first()
    if found is None or not QrTicket.objects.filter(pk=found[0], used_at__isnull=True).update(used_at=timezone.now()):
        return None
    return Petition.objects.get(pk=found[1])
