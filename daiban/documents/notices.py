"""The written notices the petitioner is owed (《信访工作条例》 and the 代办单's 书面告知), built from
the case record in the official-letter layout of layout.py (GB/T 9704 fonts and margins, 编号, the
issuing organ's name and date, a place for the seal).

Kinds (API.md, Documents): acceptance 受理告知书, non_acceptance 不予代办告知书, legal_route
告知按法定途径解决告知书, extension 延期办理告知书, result 处理意见书, review_decision 复查意见书,
re_review_decision 复核意见书, follow_up 回访记录. A kind is available once the case has reached it;
otherwise it does not apply yet (404). A letter given more than once keeps each copy: the earlier
处理意见书 rounds are `result-1`, `result-2`…, the earlier 延期办理告知书 `extension-1`, `extension-2`…
(one per extension granted), the plain kind being the latest.

A letter printed again (a later download, the case file) says what it said the day it was given: the
dates it states and whether their year's calendar was still unconfirmed are read from the event that
fixed them (extend, decide_extension, screen), never from today's calendar; only events recorded
before those were kept fall back to the dates as they stand.

The organ's name, address and phone come from settings (DAIBAN_BUREAU_*), a station's own address
and phone (admin) taking precedence; the 复查意见书 and 复核意见书 are signed by the organs that decided
them (DAIBAN_REVIEW_ORGAN_NAME, DAIBAN_RE_REVIEW_ORGAN_NAME; review_organ).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from daiban.documents.forms import petitioner_address, petitioner_name
from daiban.documents.layout import FormDoc, Para, Row, date_text, typed_clause, typed_sentence
from daiban.documents.records import registered_on
from daiban.org.models import Agent, Station
from daiban.petitions import deadlines
from daiban.petitions.guards import level_after, next_review_level
from daiban.petitions.models import Channel, Event, Petition, Review, Satisfaction, Status
from daiban.petitions.undo import undone_steps
from daiban.petitions.workflow import EXCLUSIONS, SCREEN_OUTCOMES
from daiban.workdays.engine import unconfirmed_years

TITLES = {
    "acceptance": "受理告知书",
    "non_acceptance": "不予代办告知书",
    "legal_route": "告知按法定途径解决告知书",
    "extension": "延期办理告知书",
    "result": "处理意见书",
    "review_decision": "复查意见书",
    "re_review_decision": "复核意见书",
    "follow_up": "回访记录",
}
SUFFIX = {"acceptance": "SL", "non_acceptance": "BY", "legal_route": "FD", "extension": "YQ", "result": "CL",
          "review_decision": "FC", "re_review_decision": "FH", "follow_up": "HF"}

# Where to go instead, for each of the four exclusions (plan §六; 《信访工作条例》 §31, §35).
ELSEWHERE = {
    "three_in_place": "你反映的问题已按“三到位一处理”要求处理到位。如对处理意见不服，可依照《信访工作条例》的规定向原办理机关的上一级机关请求复查、复核。",
    "terminated_three_levels": "你反映的问题已经复查、复核，依照《信访工作条例》第三十五条，各级机关不再受理以同一事实和理由提出的信访事项。如有新的事实和理由，可另行依法提出。",
    "in_progress": "你反映的同一问题正在办理中，本机构将按原事项继续办理，请勿重复反映。你可向原代办员或通过“掌上信访”查询办理进度。",
    "judicial": "你反映的问题已进入司法程序，请依照法律规定的程序向人民法院、人民检察院等机关提出。未进入司法程序或在执行阶段遇到的问题，在不干预法律的前提下，代办员可以帮助协调；你坚持到上级机关反映的，代办员可以陪同依法反映和咨询。",
}


# The legal route (《信访工作条例》 §31), as the 告知按法定途径解决告知书 says it: the letter, the portal's
# page and the phone script read it.
LEGAL_ROUTE = ("属于依法应当通过诉讼、仲裁、行政复议等法定途径解决的请求。依照《信访工作条例》第三十一条的规定，"
               "请你依照有关法律、行政法规规定的程序向有关机关提出。")
# The same in plain words, when no route was typed for this petitioner.
LEGAL_ROUTE_PLAIN = "比如：到人民法院起诉，申请仲裁，或者向上一级行政机关申请行政复议。"
# 引导 with nothing typed: where to go, in plain words.
GUIDED_PLAIN = "请到信访接待窗口或者负责这件事的部门（事权单位）办理。"
# Where a petitioner who does not know the way asks.
ASK_STATION = "不清楚怎么办的，可以打电话问代办服务站（电话{phone}）。"
DECLINED_DEFAULT = "你可到信访接待窗口或有关事权单位反映。"


def screening_told(petition: Petition, *, you: str = "您", ask: bool = True) -> list[str]:
    """What the petitioner is told of a screening that kept the matter out of agency, whether or not
    staff typed a reply (screening.screen leaves it optional): for 不予代办 the reason
    (workflow.EXCLUSIONS) and where to go instead (ELSEWHERE), for 告知法定途径 the route (LEGAL_ROUTE),
    for 引导 where to go (GUIDED_PLAIN); the typed reply after it; the station's phone last. `you`: the
    pronoun (the letters say 你, the portal and the phone say 您); `ask`: with the station's phone (not
    on a call from the station). [] for any other status. The
    portal's page and the phone script for a fixed-line petitioner read it (plan §三(一); 条例 §31)."""
    phone = _organ(petition)[2]
    reply = typed_sentence(petition.reply) if typed_clause(petition.reply) else ""

    def ours(text: str) -> str:  # the bureau's own words; what staff typed is shown as typed
        return text.replace("你", you)

    status = screened_status(petition)
    if status == Status.DECLINED:
        reason = EXCLUSIONS.get(petition.decline_reason, "")
        lines = [f"不予代办的原因：{reason}。" if reason else "",
                 ours(ELSEWHERE.get(petition.decline_reason, DECLINED_DEFAULT)), f"说明：{reply}" if reply else ""]
    elif status == Status.REDIRECTED_LEGAL:
        lines = [ours(f"你反映的问题{LEGAL_ROUTE}"),
                 f"具体途径和受理机关：{reply}" if reply else LEGAL_ROUTE_PLAIN]
    elif status == Status.GUIDED:
        lines = [reply or GUIDED_PLAIN]
    else:
        return []
    return [line for line in [*lines, ASK_STATION.format(phone=phone) if ask else ""] if line]


def screened_status(petition: Petition) -> str:
    """The status the screening left: the petition's own, or, once archived (a matter screened out
    may be archived at once), the standing screening's outcome's (workflow.SCREEN_OUTCOMES)."""
    if petition.status != Status.ARCHIVED:
        return petition.status
    return SCREEN_OUTCOMES.get(screen_outcome(petition), "")


@dataclass(frozen=True)
class Extension:
    """One extension of a deadline, whoever granted it: the petition's national extension (action
    `extend`, calendar days) or, later, a department's (`decide_extension`, working days)."""

    on: datetime.date
    days: int
    unit: str  # "日" (calendar days) or "个工作日"
    reason: str
    new_due: datetime.date | None
    department: str = ""
    # Whether new_due's year was unconfirmed when it was granted (None: not recorded, read the calendar).
    provisional: bool | None = None


def standing(petition: Petition) -> list[Event]:
    """The petition's events, in order, without the steps taken back (they stay in the timeline but
    no longer stand, so no notice is built from them)."""
    gone = undone_steps(petition.events.all())
    return [e for e in petition.events.all() if e.pk not in gone]


def screen_outcome(petition: Petition) -> str:
    """The outcome of the screening that stands (direct_reply, legal_channel, guided, agency,
    declined), or '': the last one not undone (an undone screening is screened again)."""
    found = ""
    for event in standing(petition):
        if event.action == "screen":
            found = (event.data or {}).get("outcome", "")
    return found


def _stated(data: dict, key: str) -> datetime.date | None:
    value = data.get(key)
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _flag(data: dict) -> bool | None:
    value = data.get("provisional")
    return value if isinstance(value, bool) else None


def extensions(petition: Petition) -> list[Extension]:
    """Every granted extension in date order, read from the timeline (the actions' events), each as
    granted that day: the new due date its event recorded (`national_due_on` of `extend`, `due_on` of
    a 处置单's approval) and whether that year was confirmed then. A later calendar change or step
    moves the date on the case page (and the petitioner is told by SMS), never in the letter given.
    An `extend` recorded before its date was kept states the matter's current one."""
    found = []
    for event in standing(petition):
        data = event.data or {}
        if event.action == "extend":
            due = _stated(data, "national_due_on") or petition.national_due_on
            found.append(Extension(event.on, int(data.get("days") or petition.national_extension_days or 0), "日",
                                   data.get("reason") or petition.extension_reason or event.note, due,
                                   provisional=_flag(data)))
        elif event.action in ("decide_extension", "disposition_decide_extension") and data.get("approved"):
            found.append(Extension(event.on, int(data.get("workdays") or 0), "个工作日", data.get("reason") or event.note,
                                   _stated(data, "due_on"), data.get("department", ""), _flag(data)))
    return found


@dataclass(frozen=True)
class Conclusion:
    """One 办结 of the matter and what the petitioner was told (a 处理意见书): a review found right
    sends the matter back to be handled again, and each round's letter stays in the file."""

    on: datetime.date
    result: str
    # The review the petitioner could still ask for when the letter was handed over: 复查 first, 复核
    # after one, none after that (None: read it from the reviews requested by that day).
    following: str | None = None
    known: bool = False


def conclusions(petition: Petition) -> list[Conclusion]:
    """Every conclusion that stands, in order: from the `conclude` events (their result, or for an
    event written before it was recorded, its note), each with the review still open at that point of
    the timeline (requests after it, the same day included, do not count); the current one's text from
    the petition's own fields. A petition concluded without an event (imported) has its fields' one."""
    found: list[Conclusion] = []
    asked: set[str] = set()
    for e in standing(petition):
        if e.action == "request_review":
            asked.add((e.data or {}).get("level", ""))
        elif e.action == "conclude":
            found.append(Conclusion(e.on, (e.data or {}).get("result") or e.note, level_after(asked), known=True))
    if petition.concluded_on is not None and petition.result:
        if found and found[-1].on == petition.concluded_on:
            last = found[-1]
            found[-1] = Conclusion(last.on, petition.result, last.following, last.known)
        elif not found or found[-1].on < petition.concluded_on:
            found.append(Conclusion(petition.concluded_on, petition.result))
    return found


# An earlier copy of a letter given more than once: "result-1" (处理意见书) or "extension-1" (延期办理告知书)
# for the first of two or more.
_EARLIER = re.compile(r"(result|extension)-([1-9][0-9]*)")


def _decided(petition: Petition, level: str) -> Review | None:
    decided = [r for r in petition.reviews.all() if r.level == level and r.decided_on]
    return decided[-1] if decided else None


def available(petition: Petition) -> dict[str, bool]:
    """Which notices apply to this petition now (reads only what load_case prefetches)."""
    outcome = screen_outcome(petition)
    return {
        "acceptance": petition.accepted_on is not None and petition.agent_id is not None,
        # The screening that stands decides (an undone 不予代办 or 法定途径 no longer has its notice).
        "non_acceptance": outcome == "declined" or (not outcome and bool(petition.decline_reason)),
        "legal_route": outcome == "legal_channel" or petition.status == Status.REDIRECTED_LEGAL,
        "extension": bool(extensions(petition)),
        # The latest conclusion's letter; one handled again after a review found right keeps it.
        "result": bool(conclusions(petition)),
        "review_decision": _decided(petition, Review.Level.REVIEW) is not None,
        "re_review_decision": _decided(petition, Review.Level.RE_REVIEW) is not None,
        "follow_up": petition.followed_up_on is not None,
    }


def earlier_results(petition: Petition) -> list[str]:
    """The kinds of the earlier rounds' 处理意见书 ("result-1", …): all but the latest conclusion."""
    return [f"result-{n}" for n in range(1, len(conclusions(petition)))]


def earlier_extensions(petition: Petition) -> list[str]:
    """The kinds of the earlier 延期办理告知书 ("extension-1", …): one per extension granted before the
    latest, each the letter given that day."""
    return [f"extension-{n}" for n in range(1, len(extensions(petition)))]


def earlier_letters(petition: Petition) -> list[str]:
    """earlier_extensions and earlier_results: every earlier copy of a letter given more than once."""
    return [*earlier_extensions(petition), *earlier_results(petition)]


def letter_round(kind: str, earlier: list[str]) -> int | None:
    """Which copy `kind` is (1-based) of a letter given several times (`earlier`: earlier_letters or
    earlier_results), for its title 处理意见书（第N次） / 延期办理告知书（第N次）; None for a letter given once."""
    base = kind.split("-")[0]
    mine = [k for k in earlier if k.split("-")[0] == base]
    if not mine:
        return None
    return int(kind.split("-")[1]) if "-" in kind else len(mine) + 1


result_round = letter_round  # the name the case file used before extensions had copies of their own


def listing(petition: Petition) -> list[dict]:
    """[{"kind", "title", "available"}] in the order a case meets them (API.md); before "extension"
    and "result", their earlier copies ("extension-1": 延期办理告知书（第1次）, "result-1":
    处理意见书（第1次）), each available."""
    flags = available(petition)
    out = []
    earlier = earlier_letters(petition)
    for kind, title in TITLES.items():
        out += [{"kind": k, "title": f"{title}（第{letter_round(k, earlier)}次）", "available": True}
                for k in earlier if k.split("-")[0] == kind]
        out.append({"kind": kind, "title": title, "available": flags[kind]})
    return out


def _organ(petition: Petition) -> tuple[str, str, str]:
    station = petition.station
    return (settings.DAIBAN_BUREAU_NAME, station.address or settings.DAIBAN_BUREAU_ADDRESS,
            station.phone or settings.DAIBAN_BUREAU_PHONE)


def agent_on(petition: Petition, day: datetime.date | None) -> Agent | None:
    """The agent who held the matter on `day` (None: today's): the one a later 更换代办员 took it from,
    else the current one. A letter says who held the matter the day it is dated: the 受理告知书 of
    9-16 names the agent designated that day, whoever took over on 9-22 (the SMS of 9-16 did too)."""
    if day is not None:
        later = petition.reassignments.filter(on__gt=day).select_related("from_agent__station").order_by("on", "id").first()
        if later is not None:
            return later.from_agent
    return petition.agent if petition.agent_id else None


def _designated(petition: Petition) -> Agent | None:
    """The agent the standing acceptance (screen, 受理代办) designated: the one the 受理告知书 and that
    day's SMS name, even if the matter changed hands later the same day."""
    chosen = None
    for e in standing(petition):
        if e.action == "screen" and isinstance((e.data or {}).get("agent_id"), int):
            chosen = e.data["agent_id"]
    return Agent.objects.select_related("station").filter(pk=chosen).first() if chosen else None


def _note(petition: Petition, day: datetime.date | None = None, agent: Agent | None = None) -> str:
    """The letter's contact line: `agent`, else the agent who held the matter on the letter's date
    (agent_on), with their own office phone where there is one (the number the portal, the agent board
    and the SMS give), else the station's or the bureau's: one number per person wherever it is read."""
    _, address, phone = _organ(petition)
    agent = agent or agent_on(petition, day)
    if agent is None:
        return f"（联系地址：{address}　联系电话：{phone}）"
    return f"（代办员：{agent.name}　联系地址：{address}　联系电话：{agent.office_phone or phone}）"


def _received(petition: Petition) -> str:
    channel = dict(Channel.choices).get(petition.channel, "")
    return f"你于{date_text(petition.received_on)}以{channel}方式提出的信访事项（编号：{petition.number}）"


def review_organ(kind: str) -> str:
    """The organ that decided a 复查 (`review_decision`) or 复核 (`re_review_decision`), which signs
    its letter and is its 责任者 in the 卷内目录: DAIBAN_REVIEW_ORGAN_NAME (blank: the center station,
    which decides reviews here), DAIBAN_RE_REVIEW_ORGAN_NAME. The 处理意见书 sends the petitioner to
    原办理机关的上一级机关 (《信访工作条例》第三十五条): never the bureau whose handling is reviewed."""
    if kind == "re_review_decision":
        return settings.DAIBAN_RE_REVIEW_ORGAN_NAME or settings.DAIBAN_BUREAU_NAME
    if settings.DAIBAN_REVIEW_ORGAN_NAME:
        return settings.DAIBAN_REVIEW_ORGAN_NAME
    center = Station.objects.filter(level=Station.Level.CENTER).order_by("id").values_list("name", flat=True).first()
    return center or str(Station.Level.CENTER.label)


def issuer(kind: str) -> str:
    """The organ that issues a letter of `kind` (an earlier copy's kind too): review_organ for the
    two review letters, DAIBAN_BUREAU_NAME for the others."""
    base = kind.split("-")[0]
    return review_organ(base) if base in ("review_decision", "re_review_decision") else settings.DAIBAN_BUREAU_NAME


def _letter(petition: Petition, kind: str, day: datetime.date | None, body: list[str]) -> FormDoc:
    name = issuer(kind)
    return FormDoc(
        title=TITLES[kind], number=f"{petition.number}-{SUFFIX[kind]}", date=day, kind="letter",
        filename=f"{petition.number}-{TITLES[kind]}", author=name,
        addressee=registered_on(petition, "name", petitioner_name(petition), day),  # as addressed that day
        body=[Para(text) for text in body if text], signature=[name], note=_note(petition, day),
    )


def build(petition: Petition, kind: str) -> FormDoc:
    """The notice of `kind` for this petition. Raises KeyError for an unknown kind and LookupError
    when the kind does not apply to the petition yet (callers answer 404)."""
    earlier = _EARLIER.fullmatch(kind)
    if earlier is not None:
        if kind not in earlier_letters(petition):
            raise LookupError(kind)
        which = int(earlier.group(2))
        return _result(petition, which) if earlier.group(1) == "result" else _extension(petition, which)
    if kind not in TITLES:
        raise KeyError(kind)
    if not available(petition)[kind]:
        raise LookupError(kind)
    return BUILDERS[kind](petition)


def _acceptance(p: Petition) -> FormDoc:
    agent = _designated(p) or agent_on(p, p.accepted_on)
    assert agent is not None  # available() offers it only once an agent took the matter
    # The notice is dated the day of acceptance and says what held then: the regulation's 60 days from
    # acceptance. The bureau's 办结时限 is fixed later by the routing (a date printed from it changed
    # each time the notice was printed again); the case page, the portal and an extension notice tell it.
    limit, provisional = _accepted_limit(p)
    note = unconfirmed_note(limit, provisional)
    by = f"（即{date_text(limit)}前{'；' + note if note else ''}）" if limit else ""
    letter = _letter(p, "acceptance", p.accepted_on, [
        f"{_received(p)}，经甄别，属于信访代办范围，本机构已于{date_text(p.accepted_on)}予以受理，"
        f"由{agent.station.name}{agent.get_kind_display()}代办员{agent.name}为你无偿代办。",
        "代办员将依据职能向有关职能部门、苏木镇流转你的信访事项，跟踪办理进度，督促有关部门在规定时限内依法依规办理，"
        "并定期与你联系，反馈办理进展情况。",
        "涉及旗级职能部门的事项在15个工作日内办结；需多个部门协同解决的，在确定解决方案后30个工作日内办结；"
        "疑难复杂、重大的事项在会商确定解决方案后60个工作日内办结。"
        f"依照《信访工作条例》第三十六条，信访事项应当自受理之日起60日内办结{by}。",
        "特此告知。",
    ])
    letter.note = _note(p, p.accepted_on, agent=agent)  # the agent it names, even if changed that day
    return letter


def _accepted_limit(p: Petition) -> tuple[datetime.date | None, bool | None]:
    """The regulation's limit the 受理告知书 states and whether its year was unconfirmed: as the standing
    acceptance recorded them that day; for one recorded before they were kept, read now."""
    for e in reversed(standing(p)):
        data = e.data or {}
        if e.action == "screen" and data.get("outcome") == "agency":
            if (day := _stated(data, "national_due_on")) is not None:
                return day, _flag(data)
            break
    limit = deadlines.statutory(p.accepted_on, deadlines.NATIONAL_HANDLING_DAYS) if p.accepted_on else None
    return limit, None


def _non_acceptance(p: Petition) -> FormDoc:
    reason = EXCLUSIONS.get(p.decline_reason, "")
    return _letter(p, "non_acceptance", p.screened_on or p.received_on, [
        f"{_received(p)}，经甄别，{reason or '不属于信访代办范围'}，依照本机构信访代办工作规定，不予代办。",
        ELSEWHERE.get(p.decline_reason, DECLINED_DEFAULT),
        f"说明：{typed_sentence(p.reply)}" if typed_clause(p.reply) else "",
        "特此告知。",
    ])


def _legal_route(p: Petition) -> FormDoc:
    return _letter(p, "legal_route", p.screened_on or p.received_on, [
        f"{_received(p)}，经甄别，{LEGAL_ROUTE}",
        f"具体途径和受理机关：{typed_sentence(p.reply)}" if typed_clause(p.reply) else "具体途径和受理机关，代办员已当面向你解释说明。",
        "特此告知。",
    ])


# The legal basis of an extension: the regulation's own (extend, in calendar days) is 《信访工作条例》
# 第三十六条; a 处置单's (in working days) is the bureau's agency rules, which the regulation does not name.
REGULATION_BASIS = "依照《信访工作条例》第三十六条的规定"
AGENCY_BASIS = "依照信访代办工作有关规定"


def _basis(granted: list[Extension]) -> str:
    regulation = any(e.unit == "日" for e in granted)
    bureau = any(e.unit != "日" for e in granted)
    if regulation and bureau:
        return "依照《信访工作条例》第三十六条和信访代办工作有关规定"
    return REGULATION_BASIS if regulation else AGENCY_BASIS


def unconfirmed_note(day: datetime.date | None, provisional: bool | None = None) -> str:
    """What a printed deadline adds when its year's holidays are not yet announced (the calendar may
    still move it; DOMAIN.md: say plainly when a deadline is provisional), else ''. `provisional`: as
    recorded when the date was given (a letter printed again keeps its caveat once the year is
    confirmed, and gains none it did not have); None reads the calendar now."""
    if day is None:
        return ""
    if provisional is None:
        provisional = bool(unconfirmed_years({day.year}))
    return f"{day.year}年节假日安排公布后如有调整，将另行告知" if provisional else ""


def deadline_text(day: datetime.date | None, provisional: bool | None = None) -> str:
    """A deadline as documents print it (date_text), with `unconfirmed_note` in brackets when due."""
    note = unconfirmed_note(day, provisional)
    return f"{date_text(day)}（{note}）" if note else date_text(day)


def _extension(p: Petition, which: int | None = None) -> FormDoc:
    """The 延期办理告知书 of extension `which` (1-based; None: the latest): one letter per extension
    granted, dated its approval, stating that extension and the due date granted then (extensions)."""
    granted = extensions(p)
    index = len(granted) - 1 if which is None else which - 1
    this = granted[index]
    who = f"{this.department}的" if this.department else ""
    new_due = f"，延长后的办理期限为{deadline_text(this.new_due, this.provisional)}" if this.new_due else ""
    letter = _letter(p, "extension", this.on, [
        f"{_received(p)}，因{typed_clause(this.reason) or '情况复杂'}，不能在规定期限内办结。"
        f"{_basis([this])}，经批准，{who}办理期限延长{this.days}{this.unit}{new_due}。",
        "代办员将继续跟踪督促办理，并及时向你反馈办理结果。",
        "特此告知。",
    ])
    if index > 0:  # a later extension's letter: its own number and file name (the first keeps its own)
        letter.number = f"{letter.number}{index + 1}"
        letter.filename = f"{letter.filename}（第{index + 1}次）"
    return letter


def _result(p: Petition, which: int | None = None) -> FormDoc:
    """The 处理意见书 of round `which` (1-based; None: the latest). It lists the answers of that round's
    处置单 only (answered after the round before was concluded): a matter handled again after a review
    found right does not restate the first round's answers as this round's."""
    rounds = conclusions(p)
    index = len(rounds) - 1 if which is None else which - 1
    this = rounds[index]
    before = rounds[index - 1].on if index > 0 else None
    answers = [f"{d.department.name}：{typed_clause(d.result)}" for d in p.dispositions.all()
               if typed_clause(d.result) and d.result_on is not None and d.result_on <= this.on
               and (before is None or d.result_on > before)]
    body = [f"{_received(p)}，经有关部门办理，现将处理意见告知如下：", typed_sentence(this.result)]
    if answers:
        body.append("各承办单位办理情况：" + "；".join(answers) + "。")
    # The review still open to the petitioner (guards.next_review_level): after a 复查 found right and
    # the matter handled again, it is 复核; after a 复核 none (三级终结).
    following = this.following if this.known else next_review_level(p, as_of=this.on)
    if following == Review.Level.REVIEW:
        body.append("如对处理意见不服，可以自收到本意见书之日起30日内请求原办理机关的上一级机关复查。")
    elif following == Review.Level.RE_REVIEW:
        body.append("如对处理意见不服，可以自收到本意见书之日起30日内向复查机关的上一级机关请求复核。")
    letter = _letter(p, "result", this.on, body)
    if index > 0:  # a later round's letter: its own number and file name (the first keeps its own)
        letter.number = f"{letter.number}{index + 1}"
        letter.filename = f"{letter.filename}（第{index + 1}次）"
    return letter


def _review(p: Petition, level: str) -> FormDoc:
    review = _decided(p, level)
    assert review is not None  # available() offers it only once the review is decided
    kind = "review_decision" if level == Review.Level.REVIEW else "re_review_decision"
    word = "复查" if level == Review.Level.REVIEW else "复核"
    if review.upheld:
        decision = f"经{word}，认为你的请求有理，已责成有关部门按照“三到位一处理”要求限期化解，并进行“一案双查”。"
    else:
        decision = f"经{word}，原处理意见事实清楚、处理适当，予以维持。"
    body = [f"{_received(p)}，你对处理意见不服，于{date_text(review.requested_on)}请求{word}。{decision}",
            f"{word}意见：{typed_sentence(review.note)}" if typed_clause(review.note) else ""]
    if level == Review.Level.REVIEW and not review.upheld:
        body.append("如对复查意见不服，可以自收到本意见书之日起30日内向复查机关的上一级机关请求复核。")
    if level == Review.Level.RE_REVIEW and not review.upheld:
        body.append("依照《信访工作条例》第三十五条的规定，本复核意见为最终意见，本信访事项三级终结。信访人对复核意见不服，"
                    "仍以同一事实和理由提出信访的，各级机关不再受理。")
    return _letter(p, kind, review.decided_on, body)  # signed by the organ that decided it (issuer)


def _follow_up(p: Petition) -> FormDoc:
    name, _, _ = _organ(p)
    held = agent_on(p, p.followed_up_on)
    agent = held.name if held else ""
    rebound = "" if p.rebound is None else ("有反弹回流风险" if p.rebound else "无反弹回流")
    satisfaction = dict(Satisfaction.choices).get(p.satisfaction, "")
    return FormDoc(
        title=TITLES["follow_up"], number=f"{p.number}-{SUFFIX['follow_up']}", date=p.followed_up_on,
        filename=f"{p.number}-{TITLES['follow_up']}", author=name,
        rows=[
            Row("信访人", registered_on(p, "name", petitioner_name(p), p.followed_up_on), "信访事项编号", p.number),
            Row("住址", registered_on(p, "address", petitioner_address(p), p.followed_up_on)),
            Row("终结日期", date_text(p.terminated_on) if p.terminated_on else "", "回访时限",
                deadline_text(p.follow_up_due_on) if p.follow_up_due_on else ""),
            Row("回访日期", date_text(p.followed_up_on), "回访人", agent),
            Row("信访人意见", satisfaction),
            Row("回访情况", p.follow_up_note, lines=6),
            Row("有无反弹回流", rebound),
        ],
    )


BUILDERS: dict[str, Callable[[Petition], FormDoc]] = {
    "acceptance": _acceptance, "non_acceptance": _non_acceptance, "legal_route": _legal_route,
    "extension": _extension, "result": _result, "review_decision": lambda p: _review(p, Review.Level.REVIEW),
    "re_review_decision": lambda p: _review(p, Review.Level.RE_REVIEW), "follow_up": _follow_up,
}
