"""Generated petitions for the benchmark, in bulk and as the workflow would have left them.

Each petition lives a whole life: it is received, screened (answered, redirected, guided, declined or
taken into agency), routed to departments whose 处置单 are signed for, given leaders' opinions, urged
by the daily sweep when due, answered (a few late), concluded, fed back, sometimes reviewed,
terminated, visited again and archived. The data set is that life cut at its anchor date, so the
status shares follow from the petition's age: years of archived history, an open share of the last
months, a small overdue share. Every step leaves what the app would have written: the fields, the
Event with the app's own note, the 处置单, urgings, contacts, reviews, notifications.

Petitioners repeat (most file once, a few file dozens of times), mostly on the same matter, in
paraphrased words; a repeat while the earlier one is open or after a three-level termination is
declined at screening, as the eligibility rule says, and is linked to the earlier petition with its
real similarity score. ID and phone numbers are valid, unique, SM4-encrypted with keyed hashes.

Profiles: "history" spreads petitions over the three years before the anchor; "open" gives each
petition an open status at the anchor (for the daily sweep at 100,000 open petitions).

Incremental: the data set records how many petitions it holds (bench_meta); asking for more adds
only the difference, spread over the same span, in batches that each commit with the count, so an
interrupted run resumes. All table knowledge is in bench/schema.py.
"""

from __future__ import annotations

import bisect
import datetime
import json
import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from bench import schema, text
from bench.datasets import GENERATOR_VERSION
from bench.schema import IdPool, Table
from daiban.lib import crypto
from daiban.notifications.models import Notification, SweepRun
from daiban.notifications.templates_text import IN_APP, REVIEW_BY, SMS
from daiban.org.models import Agent, Department, Station, User
from daiban.petitions.guards import level_after
from daiban.petitions.index_models import PetitionFeatures
from daiban.petitions.models import (
    PETITIONER_ACTOR,
    SYSTEM_ACTOR,
    Channel,
    Contact,
    ContactMethod,
    Disposition,
    DoubleInvestigation,
    Event,
    NumberSequence,
    Petition,
    Petitioner,
    PetitionLink,
    Review,
    Satisfaction,
    Source,
    Track,
    Urging,
)
from daiban.petitions.similarity import features, similarity
from daiban.workdays.models import CalendarDay

QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Profile:
    name: str
    span_days: int  # petitions are received over this many days before the anchor
    open_only: bool = False


PROFILES = {"history": Profile("history", 3 * 365 + 1), "open": Profile("open", 0, open_only=True)}

# --- shares (each from the bureau's plan or a plausible county figure; change here, bump the version)
CHANNELS = {"visit": 38, "phone": 27, "letter": 15, "online": 20}
SOURCES = {"self": 62, "hotline_12345": 14, "village": 9, "center": 7, "proactive": 4, "platform_baixing": 2,
           "platform_jiefen": 2}
STATIONS = {"bureau": 76, "galutu": 9, "wushenzhao": 8, "village-sarlig": 4, "village-bayan": 3}
OUTCOMES = {"agency": 54, "direct_reply": 22, "guided": 12, "legal_channel": 8, "declined": 4}
TRACKS = {Track.STANDARD: 85, Track.MULTI_DEPARTMENT: 12, Track.MAJOR: 3}
SATISFACTION = {Satisfaction.SATISFIED: 68, Satisfaction.FAIRLY_SATISFIED: 16, Satisfaction.UNDERSTANDING: 10,
                Satisfaction.DISSATISFIED: 6}
# Petitions per petitioner: most once, a few "frequent petitioners" dozens of times.
REPEATS = [(1, 780), (2, 120), (3, 50), (4, 20), (5, 10), (6, 5), (8, 6), (12, 5), (20, 3), (35, 1)]
# PostgreSQL loads of at least this many petitions drop the secondary indexes and rebuild them after.
DROP_INDEXES_FROM = int(os.environ.get("BENCH_DROP_INDEXES_FROM", 200_000))
OPEN_STOPS = {"received": 6, "accepted": 5, "in_progress": 58, "escalated": 4, "concluded": 9, "feedback_given": 15,
              "under_review": 3}


def _weighted(rng: random.Random, table: dict) -> Callable[[], object]:
    keys, weights = list(table), list(table.values())
    cum = [sum(weights[: i + 1]) for i in range(len(weights))]
    total = cum[-1]
    return lambda: keys[bisect.bisect_right(cum, rng.random() * total)]


# --- the working-day calendar, read once ----------------------------------------------------------

class Workdays:
    """The calendar table as arrays: n-th working day after a date in O(1) (days missing from the
    table count Monday–Friday, like the app's engine)."""

    def __init__(self, first: int, last: int):
        table = {d.toordinal(): w for d, w in CalendarDay.objects.filter(
            date__gte=datetime.date.fromordinal(first), date__lte=datetime.date.fromordinal(last)
        ).values_list("date", "is_workday")}
        self.first = first
        self.days = [o for o in range(first, last + 1) if table.get(o, datetime.date.fromordinal(o).weekday() < 5)]

    def add(self, start: int, count: int) -> int:
        """The count-th working day after start (start not counted)."""
        return self.days[bisect.bisect_right(self.days, start) + count - 1]

    def before(self, day: int, count: int) -> int:
        """The count-th working day before `day`."""
        return self.days[max(0, bisect.bisect_left(self.days, day) - count)]

    def statutory(self, start: int, days: int) -> int:
        """Calendar days; a last day on a rest day moves to the next working day."""
        end = start + days
        return self.days[bisect.bisect_left(self.days, end)]


# --- the organisation, read once ------------------------------------------------------------------

class Org:
    def __init__(self) -> None:
        self.stations = {s.code: s for s in Station.objects.all()}
        users = {u.pk: u for u in User.objects.all()}
        self.user_name = {pk: u.display_name for pk, u in users.items()}
        self.agents = list(Agent.objects.filter(active=True, user__isnull=False).order_by("id"))
        self.departments = list(Department.objects.filter(active=True).order_by("id"))
        self.dept_users = {d.pk: [u.pk for u in users.values() if u.department_id == d.pk] for d in self.departments}
        by_role = lambda role: [u.pk for u in users.values() if role in u.role_set]  # noqa: E731
        self.leaders = by_role("leader_in_charge") or by_role("admin")
        self.principals = by_role("principal") or self.leaders
        self.center = by_role("center") or by_role("admin")
        self.admin = by_role("admin")[0]
        if not self.agents or not self.departments:
            raise RuntimeError("no agents or departments: run `manage.py load_demo` first")

    def agents_for(self, station: Station) -> list[Agent]:
        """Agents who take a petition received at this station: its own, else its parent's, else any."""
        for sid in (station.pk, station.parent_id):
            found = [a for a in self.agents if a.station_id == sid]
            if found:
                return found
        return self.agents


# --- one batch of rows ----------------------------------------------------------------------------

class Tables:
    def __init__(self, starts: dict[str, int] | None = None, worker: int = 0, workers: int = 1) -> None:
        now = datetime.datetime.now(schema.UTC)
        self.petitioner = Table(Petitioner, with_id=True, now=now)
        self.petition = Table(Petition, with_id=True, now=now)
        self.disposition = Table(Disposition, with_id=True, now=now)
        self.review = Table(Review, with_id=True, now=now)
        self.double = Table(DoubleInvestigation, now=now)
        self.urging = Table(Urging, now=now)
        self.contact = Table(Contact, now=now)
        self.event = Table(Event, now=now)
        self.link = Table(PetitionLink, now=now)
        # Stored features, as intake leaves them (indexing.petition_added), for the petitions whose
        # petitioner has others: the ones a same-matter check reads. The norm is left 0 (computed when
        # read), as the weights of a data set being generated are not final.
        self.features = Table(PetitionFeatures, keyed_by_parent=True, now=now)
        self.notification = Table(Notification, now=now)
        self.order = [self.petitioner, self.petition, self.disposition, self.review, self.double, self.urging,
                      self.contact, self.event, self.link, self.features, self.notification]
        self.ids = {t.name: IdPool((starts or {}).get(t.name, 1), worker, workers) for t in self.order if t.with_id}

    def take(self, table: Table) -> int:
        return self.ids[table.name].take()


class FastRandom(random.Random):
    """random.Random with the cheap integer draws the generator makes millions of times."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


_MIDNIGHT: dict[int, datetime.datetime] = {}
_OFFICE = [datetime.timedelta(seconds=s) for s in range(0, 10 * 3600, 37)]  # 08:00–18:00 Beijing time, in UTC


def _at(day: int, rng: random.Random) -> datetime.datetime:
    """A moment in office hours (Beijing time) on that day, as UTC."""
    base = _MIDNIGHT.get(day)
    if base is None:
        d = datetime.date.fromordinal(day)
        base = _MIDNIGHT[day] = datetime.datetime(d.year, d.month, d.day, tzinfo=schema.UTC)
    return base + _OFFICE[int(rng.random() * len(_OFFICE))]


# --- the generator ---------------------------------------------------------------------------------

@dataclass
class Plan:
    """Who petitions when, made once by the parent: (day, petitioner number, position in their
    series, year, number in the year) in date order, and the length of each repeat series."""

    entries: list[tuple[int, int, int, int, int]]
    series_size: dict[int, int]
    petitioner_top: int
    sequences: dict[int, int]


def make_plan(profile: Profile, anchor: int, count: int, petitioner_base: int, rng: random.Random,
              sequences: dict[int, int]) -> Plan:
    entries, k, series_size = [], petitioner_base, {}
    sizes, weights = zip(*REPEATS, strict=True)
    first_day = anchor - profile.span_days
    while len(entries) < count:
        n = 1 if profile.open_only else min(rng.choices(sizes, weights)[0], count - len(entries))
        if n > 1:
            series_size[k] = n
        if profile.open_only:
            days = [anchor - rng.randint(0, 60)]
        else:
            days = sorted(first_day + rng.randrange(profile.span_days) for _ in range(n))
        entries.extend((day, k, pos) for pos, day in enumerate(days))
        k += 1
    entries.sort()
    sequences = dict(sequences)
    numbered = []
    for day, who, pos in entries:
        year = _date(day).year
        sequences[year] = sequences.get(year, 0) + 1
        numbered.append((day, who, pos, year, sequences[year]))
    return Plan(numbered, series_size, k, sequences)


class Generator:
    def __init__(self, profile: Profile, anchor: datetime.date, seed: int, plan: Plan, tables: Tables):
        self.profile, self.anchor = profile, anchor.toordinal()
        self.rng = FastRandom(seed)
        self.org = Org()
        self.t = tables
        span = max(profile.span_days, 400)
        self.cal = Workdays(self.anchor - span - 400, self.anchor + 800)
        self.first_day = self.anchor - profile.span_days
        self.threshold = settings.DAIBAN_SAME_MATTER_THRESHOLD
        self.prefix = settings.DAIBAN_NUMBER_PREFIX
        self.series_size = plan.series_size
        rng = self.rng
        self.pick_channel, self.pick_source = _weighted(rng, CHANNELS), _weighted(rng, SOURCES)
        self.pick_station, self.pick_outcome = _weighted(rng, STATIONS), _weighted(rng, OUTCOMES)
        self.pick_track, self.pick_satisfaction = _weighted(rng, TRACKS), _weighted(rng, SATISFACTION)
        self.pick_stop = _weighted(rng, OPEN_STOPS)
        self.stations = [s for s in STATIONS if s in self.org.stations] or [next(iter(self.org.stations))]
        self.series: dict[int, list[dict]] = {}  # petitioner → its earlier petitions (for repeats)

    # -- one petitioner ---------------------------------------------------------------------------
    def petitioner(self, k: int, rows: dict) -> tuple[int, str]:
        """A new petitioner number k: a valid ID number unique to k, a phone, both encrypted."""
        rng = FastRandom(k * 7919 + 17)
        born = datetime.date(1945, 1, 1) + datetime.timedelta(days=k % 21900)
        region = ["150626", "150602", "150621", "150622", "150627"][(k // 21900) % 5]
        serial = (k // (21900 * 5)) % 1000
        first17 = f"{region}{born:%Y%m%d}{serial:03d}"
        check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2),
                                                              strict=True)) % 11]
        id_number = first17 + check
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        matter = text.new_matter(rng)
        pid = self.t.take(self.t.petitioner)
        phone_enc = crypto.encrypt(phone)
        rows[self.t.petitioner].append(self.t.petitioner.row(
            id=pid, name=text.person_name(rng), id_number_enc=crypto.encrypt(id_number),
            id_hash=crypto.lookup_hash(id_number), phone_enc=phone_enc, phone_hash=crypto.lookup_hash(phone),
            address=text.address(rng, matter)))
        return pid, phone_enc

    # -- one petition's life ---------------------------------------------------------------------
    def petition(self, day: int, k: int, pos: int, number: str, petitioner: tuple[int, str], rows: dict) -> None:
        rng = self.rng
        earlier = self.series.get(k, [])
        same = earlier[-1] if earlier and rng.random() < 0.7 else None
        matter = same["matter"] if same is not None else text.new_matter(FastRandom(k * 104729 + pos))
        channel = self.pick_channel()
        source = "self" if channel == "online" else self.pick_source()
        if channel == "phone" and rng.random() < 0.6:
            source = "hotline_12345"
        content = text.complaint(matter, rng, channel, repeat=same is not None)
        station = self.org.stations[self.pick_station() if len(self.stations) > 1 else self.stations[0]]
        agents = self.org.agents_for(station)
        # Full-time agents carry most cases.
        agent = agents[min(int(rng.expovariate(1 / 3)), len(agents) - 1)] if len(agents) > 1 else agents[0]
        stop = self.pick_stop() if self.profile.open_only else None
        life = Life(self, rng, day, matter, channel, source, station, agent, same, stop)
        life.script()
        if stop is not None:
            life.shift_to_stop(stop)
        pid = self.t.take(self.t.petition)
        life.emit(pid, number, petitioner, content, rows)
        mine = features(content) if pos + 1 < self.series_size.get(k, 1) or earlier else None
        if mine is not None:
            terms, facts = mine.dumps()
            rows[self.t.features].append(self.t.features.row(petition_id=pid, terms=terms, facts=facts, norm=0.0))
        if mine is not None and (same is not None or pos > 0):
            for other in earlier:
                if other["matter"] == matter and other["shingles"] is not None:
                    score = similarity(mine, other["shingles"])
                    if score >= self.threshold:
                        rows[self.t.link].append(self.t.link.row(petition_id=pid, related_id=other["id"], score=score))
        earlier.append({"id": pid, "matter": matter, "shingles": mine, "closed": life.closed_day,
                        "three_level": life.three_level_day, "three_in_place": life.three_in_place_day,
                        "number": life.number})
        if pos + 1 < self.series_size.get(k, 1):
            self.series[k] = earlier[-4:]
        else:
            self.series.pop(k, None)


class Life:
    """One petition's steps from receipt to archive; `emit` writes what happened up to the anchor."""

    def __init__(self, gen: Generator, rng: random.Random, day: int, matter: text.Matter, channel: str, source: str,
                 station: Station, agent: Agent, same: dict | None, stop: str | None):
        self.g, self.rng, self.day, self.matter = gen, rng, day, matter
        self.channel, self.source, self.station, self.agent, self.same, self.stop = channel, source, station, agent, same, stop
        self.steps: list[tuple[int, str, tuple]] = []
        self.dispositions: list[dict] = []
        self.closed_day = self.three_level_day = self.three_in_place_day = None
        self.number = ""
        self.decline = ""

    # -- the script: (day, action, args), in workflow order ------------------------------------------
    def script(self) -> None:
        rng, g, cal, d = self.rng, self.g, self.g.cal, self.day
        add = self.steps.append
        add((d, "intake", ()))
        d += rng.choice((0, 0, 0, 1, 1, 2, 3, 5))
        outcome = self._outcome(d)
        if outcome != "agency":
            add((d, "screen", (outcome,)))
            if rng.random() < 0.93:
                add((d + rng.randint(2, 40), "archive", ()))
            return
        add((d, "screen", ("agency",)))
        d += rng.choice((0, 1, 1, 2, 3, 5))
        track = g.pick_track() if self.stop != "escalated" else Track.STANDARD
        departments = rng.sample(g.org.departments, min(len(g.org.departments), rng.choice((1, 1, 1, 1, 2, 2, 3))))
        route_day = d
        if track == Track.STANDARD:
            due = cal.add(d, 15)
        else:
            determined = d + rng.randint(3, 15 if track == Track.MULTI_DEPARTMENT else 25)
            due = cal.add(determined, 30 if track == Track.MULTI_DEPARTMENT else 60)
        add((d, "route", (departments, track, due)))
        middle: list[tuple[int, str, tuple]] = []
        if track != Track.STANDARD:
            middle.append((determined, "determine_solution", (track, determined, due)))
        last_answer = d
        for dept in departments:
            plan = {"department": dept, "routed": d, "due": due, "track": track}
            self.dispositions.append(plan)
            answer = self._answer_day(route_day, due)
            plan["answer"] = answer
            last_answer = max(last_answer, answer)
            middle.append((min(answer, d + rng.randint(0, 4)), "receive", (plan,)))
            if rng.random() < 0.5:
                middle.append((min(answer, d + rng.randint(0, 3)), "opinion", (plan, "leader_in_charge")))
            if rng.random() < 0.1:
                middle.append((min(answer, d + rng.randint(1, 5)), "opinion", (plan, "principal")))
            middle.append((answer, "result", (plan,)))
            if rng.random() < 0.08 and answer - d > 5:
                middle.append((d + rng.randint(3, answer - d - 1), "urge", (plan, False)))
            first_auto = max(cal.before(due, 3), d + 1)
            # The daily sweep urges on working days only.
            for u in cal.days[bisect.bisect_left(cal.days, first_auto):bisect.bisect_left(cal.days, answer)]:
                middle.append((u, "urge", (plan, True)))
        end = last_answer + rng.randint(0, 3)
        for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
            middle.append((d + rng.randint(1, max(1, end - d)), "contact", ()))
        if self.stop == "escalated" or rng.random() < 0.03:
            middle.append((d + rng.randint(2, max(2, (end - d) // 2)), "escalate", ()))
        if rng.random() < 0.02:
            middle.append((d + rng.randint(2, max(2, end - d)), "extend", ()))
        middle.sort(key=lambda s: s[0])
        self.steps.extend(middle)
        d = end
        add((d, "conclude", ()))
        d += rng.randint(1, 7)
        dissatisfied = self.stop == "under_review" or g.pick_satisfaction() == Satisfaction.DISSATISFIED
        add((d, "feedback", (Satisfaction.DISSATISFIED if dissatisfied else None,)))
        if dissatisfied and (self.stop == "under_review" or rng.random() < 0.45):
            for level in ("review", "re_review"):
                d += rng.randint(3, 25)
                add((d, "request_review", (level,)))
                d += rng.randint(10, 30)
                upheld = level == "review" and rng.random() < 0.15 and self.stop is None
                add((d, "decide_review", (level, upheld)))
                if upheld:
                    d += rng.randint(10, 28)
                    add((d, "conclude", ()))
                    d += rng.randint(1, 5)
                    add((d, "feedback", (Satisfaction.FAIRLY_SATISFIED,)))
                    break
                if level == "review" and rng.random() < 0.6:
                    break  # accepts the review's answer
            else:
                self._close(d + rng.randint(15, 60))
                return
        d += rng.randint(3, 25)
        add((d, "terminate", ()))
        self._close(d + rng.randint(2, 18))

    def _close(self, d: int) -> None:
        self.steps.append((d, "follow_up", ()))
        self.steps.append((d + self.rng.randint(1, 25), "archive", ()))

    def _outcome(self, day: int) -> str:
        """Screening, with the eligibility rule applied to an earlier petition on the same matter."""
        if self.stop not in (None, "received"):
            return "agency"
        same = self.same
        if same is not None:
            if same["three_level"] is not None and same["three_level"] <= day:
                self.decline = "terminated_three_levels"
                return "declined"
            if same["three_in_place"] is not None and same["three_in_place"] <= day:
                self.decline = "three_in_place"
                return "declined"
            if same["closed"] is None or same["closed"] > day:
                if self.rng.random() < 0.75:
                    self.decline = "in_progress"
                    return "declined"
                return "guided"
        outcome = self.g.pick_outcome()
        if outcome == "declined":
            self.decline = "judicial"
        return outcome

    def _answer_day(self, route: int, due: int) -> int:
        r = self.rng.random()
        if r < 0.003:  # stuck: months late
            return due + self.rng.randint(30, 90)
        if r < 0.053:
            return due + self.rng.randint(1, 12)
        return max(route + 1, due - int(self.rng.expovariate(1 / 10)))

    def shift_to_stop(self, stop: str) -> None:
        """Open profile: move the whole life so that the anchor falls while it is in `stop`."""
        status_of = {"intake": "received", "screen": "accepted", "route": "in_progress", "escalate": "escalated",
                     "conclude": "concluded", "feedback": "feedback_given", "request_review": "under_review"}
        enter = leave = None
        for i, (day, action, _) in enumerate(self.steps):
            if status_of.get(action) == stop and enter is None:
                enter = day
                changes = [s[0] for s in self.steps[i + 1:] if s[1] in status_of or s[1] in (
                    "decide_review", "terminate", "archive", "route")]
                leave = changes[0] if changes else day + 30
                break
        if enter is None:
            enter, leave = self.steps[0][0], self.steps[0][0] + 2
        cut = self.rng.randint(enter, max(enter, leave - 1))
        delta = self.g.anchor - cut
        self.day += delta
        shifted = []
        for d, a, args in self.steps:
            if a == "route":
                args = (args[0], args[1], args[2] + delta)
            elif a == "determine_solution":
                args = (args[0], args[1] + delta, args[2] + delta)
            shifted.append((d + delta, a, args))
        self.steps = shifted
        for plan in self.dispositions:
            for key in ("routed", "due", "answer"):
                plan[key] += delta

    # -- applying the script up to the anchor ------------------------------------------------------
    def emit(self, pid: int, number: str, petitioner: tuple[int, str], content: str, rows: dict) -> None:
        g, rng, t, anchor, cal = self.g, self.rng, self.g.t, self.g.anchor, self.g.cal
        received = self.day
        self.number = number
        agent_user = self.agent.user_id
        intake_user = None if self.channel == "online" else agent_user
        p = {
            "id": pid, "number": self.number, "query_code": "".join(rng.choices(QUERY_ALPHABET, k=10)),
            "channel": self.channel, "source": self.source, "received_on": _date(received),
            "petitioner_id": petitioner[0], "content": content, "category": self.matter.category,
            "station_id": self.station.pk, "status": "received",
            "national_forward_due_on": _date(cal.statutory(received, 15)), "created_by_id": intake_user,
            "created_at": _at(received, rng), "version": 1,
        }
        events, notices = rows[t.event], rows[t.notification]

        def event(day: int, action: str, before: str, after: str, note: str = "", data: dict | None = None,
                  actor: int | None = None, actor_name: str = SYSTEM_ACTOR) -> None:
            events.append(t.event.row(
                petition_id=pid, at=_at(day, rng), on=_date(day), actor_id=actor,
                actor_name=g.org.user_name[actor] if actor else actor_name, action=action, from_status=before,
                to_status=after, note=note[:2000], data=data or {}))

        def notice(day: int, template: str, user: int | None, dedupe: str | None = None, **params) -> None:
            if user is None:
                return
            notices.append(t.notification.row(
                channel="in_app", template=template, petition_id=pid, recipient_id=user, body=IN_APP[template].format(**params),
                state="read" if day < anchor - 3 else "sent", dedupe_key=dedupe, created_at=_at(day, rng),
                sent_at=_at(day, rng)))

        def sms(day: int, template: str, dedupe: str | None = None, **params) -> None:
            notices.append(t.notification.row(
                channel="sms", template=template, petition_id=pid, phone_enc=petitioner[1], body=SMS[template].format(sign=settings.DAIBAN_SMS_SIGNATURE, **params),
                state="sent", attempts=1, dedupe_key=dedupe, created_at=_at(day, rng), sent_at=_at(day, rng)))

        dispositions: dict[int, dict] = {}
        last = received
        agent_name = self.agent.name
        for day, action, args in self.steps:
            if day > anchor:
                break
            if action == "urge" and args[1] and day == anchor:
                continue  # the anchor day's sweep has not run yet: the benchmark runs it
            before = p["status"]
            if not (action == "urge" and args[1]):  # the sweep's urgings do not move the last event date
                last = max(last, day)
            p["version"] += 1
            if action == "intake":
                p["version"] = 1
                note = f"{Channel(self.channel).label}，{Source(self.source).label}"
                event(day, "intake", "", "received", note, {}, intake_user, PETITIONER_ACTOR)
                sms(day, "receipt", number=self.number, code=p["query_code"],
                    forward_due=p["national_forward_due_on"].strftime("%Y年%m月%d日"))
            elif action == "screen":
                outcome = args[0]
                p["screened_on"] = _date(day)
                p["notification"] = rng.choice(("oral", "written"))
                if outcome == "agency":
                    p.update(status="accepted", agent_id=self.agent.pk, agent_chosen_by="designated", accepted_on=_date(day),
                             national_due_on=_date(cal.statutory(day, 60)))
                    event(day, "screen", before, "accepted", f"受理代办，代办员 {agent_name}",
                          {"agent_id": self.agent.pk, "outcome": "agency"}, agent_user)
                    sms(day, "accepted", number=self.number, agent=agent_name, agent_phone=self.agent.office_phone or "—")
                    notice(day, "new_assignment", agent_user, number=self.number, summary=content[:30])
                else:
                    status = {"direct_reply": "answered", "legal_channel": "redirected_legal", "guided": "guided",
                              "declined": "declined"}[outcome]
                    reason = self.decline if outcome == "declined" else ""
                    p.update(status=status, reply=rng.choice(text.REPLIES[outcome]), decline_reason=reason)
                    event(day, "screen", before, status, p["reply"], {"outcome": outcome, "reason": reason}, agent_user)
                    self.closed_day = day
            elif action == "route":
                departments, track, due = args
                p.update(status="in_progress", track=track, proposed_handling=rng.choice(text.PROPOSED))
                if track == Track.STANDARD:
                    p.update(due_from=_date(day), due_workdays=15, due_on=_date(due))
                names = []
                for plan in self.dispositions:
                    did = g.t.take(g.t.disposition)
                    n = len(dispositions) + 1
                    dispositions[did] = plan["row"] = {
                        "id": did, "petition_id": pid, "department_id": plan["department"].pk, "station_id": self.station.pk,
                        "number": f"{self.number}-{n:02d}", "status": "routed", "routed_on": _date(day),
                        "proposed_handling": p["proposed_handling"],
                    }
                    if track == Track.STANDARD:
                        plan["row"].update(due_from=_date(day), due_workdays=15, due_on=_date(due))
                    names.append(plan["department"].name)
                    for user in g.org.dept_users.get(plan["department"].pk, []):
                        notice(day, "disposition_routed", user, disposition=plan["row"]["number"], summary=content[:30],
                               due=_date(due) if track == Track.STANDARD else "待定")
                event(day, "route", before, "in_progress", f"流转至 {'、'.join(names)}（{Track(track).label}）",
                      {"departments": [pl["department"].pk for pl in self.dispositions], "track": track}, agent_user)
            elif action == "determine_solution":
                track, determined, due = args
                workdays = 30 if track == Track.MULTI_DEPARTMENT else 60
                p.update(solution_determined_on=_date(determined), due_from=_date(determined), due_workdays=workdays,
                         due_on=_date(due), convened_by="banner_head" if track == Track.MAJOR else "")
                for plan in self.dispositions:
                    if plan["row"]["status"] != "answered":
                        plan["row"].update(due_from=_date(determined), due_workdays=workdays, due_on=_date(due))
                event(day, "determine_solution", before, before, f"{_date(determined):%Y-%m-%d} 确定解决方案，办结时限 {_date(due):%Y-%m-%d}",
                      {"determined_on": _date(determined).isoformat(), "due_on": _date(due).isoformat()}, agent_user)
            elif action in ("receive", "opinion", "result"):
                plan = args[0]
                row, dept = plan["row"], plan["department"]
                dept_user = (g.org.dept_users.get(dept.pk) or [g.org.admin])[0]
                if action == "receive":
                    if row["status"] != "routed":
                        continue
                    row.update(status="received", received_on=_date(day))
                    note, actor = "签收处置单", dept_user
                    notice(day, "disposition_received", agent_user, department=dept.name, disposition=row["number"])
                elif action == "opinion":
                    text_ = rng.choice(text.OPINIONS)
                    if args[1] == "leader_in_charge":
                        actor = g.org.leaders[0]
                        row.update(leader_opinion=text_, leader_opinion_by_id=actor, leader_opinion_on=_date(day))
                        note = f"分管领导处理意见：{text_}"
                    else:
                        actor = g.org.principals[0]
                        row.update(principal_instruction=text_, principal_by_id=actor, principal_on=_date(day))
                        note = f"领导批示：{text_}"
                else:
                    result = rng.choice(text.DEPT_RESULTS)
                    row.update(status="answered", result=result, result_on=_date(day))
                    row.setdefault("received_on", _date(day))
                    note, actor = f"处理结果：{result}", dept_user
                    notice(day, "disposition_answered", agent_user, department=dept.name, disposition=row["number"])
                event(day, f"disposition_{action}", before, before, f"{dept.name}：{note}", {"disposition_id": row["id"]}, actor)
            elif action == "urge":
                plan, automatic = args
                row = plan["row"]
                if row["status"] == "answered" or row.get("due_on") is None:
                    continue
                due = row["due_on"]
                late = due < _date(day)
                if automatic:
                    note = "系统自动催办：" + ("已超期" if late else "即将到期")
                    rows[t.urging].append(t.urging.row(disposition_id=row["id"], on=_date(day), note=note, automatic=True,
                                                       created_at=_at(day, rng)))
                    event(day, "urge", before, before,
                          f"系统自动催办 {plan['department'].name}：处置单 {row['number']} "
                          + ("已超期" if late else f"将于{due:%m月%d日}到期"), {"disposition_id": row["id"], "automatic": True})
                    template = "overdue" if late else "due_soon"
                    notice(day, template, agent_user, f"{template}:{row['id']}:{_date(day)}:{agent_user}",
                           disposition=row["number"], department=plan["department"].name, due=f"{due:%m月%d日}")
                else:
                    note = "请抓紧办理"
                    rows[t.urging].append(t.urging.row(disposition_id=row["id"], on=_date(day), note=note, by_id=agent_user,
                                                       created_at=_at(day, rng)))
                    event(day, "urge", before, before, f"催办 {plan['department'].name}：{note}", {"disposition_id": row["id"]},
                          agent_user)
            elif action == "contact":
                method = rng.choice((ContactMethod.PHONE, ContactMethod.PHONE, ContactMethod.VISIT, ContactMethod.LETTER))
                note = rng.choice(text.CONTACT_NOTES)
                rows[t.contact].append(t.contact.row(petition_id=pid, method=method, on=_date(day), note=note, by_id=agent_user))
                event(day, "contact", before, before, f"{ContactMethod(method).label}联系信访人" + (f"：{note}" if note else ""),
                      {"method": method}, agent_user)
            elif action == "escalate":
                if before not in ("accepted", "in_progress"):
                    continue
                reason = rng.choice(text.ESCALATE_REASONS)
                p.update(status="escalated", escalated_to="center")
                event(day, "escalate", before, "escalated", f"上报旗信访代办服务中心：{reason}", {"to": "center"}, agent_user)
            elif action == "extend":
                reason = "涉及多个部门，情况复杂"
                p.update(national_extension_days=30, extension_reason=reason,
                         national_due_on=_date(cal.statutory(p["accepted_on"].toordinal(), 90)))
                event(day, "extend", before, before, f"延长办理期限30日：{reason}", {"days": 30}, g.org.leaders[0])
            elif action == "conclude":
                result = rng.choice(text.RESULTS)
                # deadlines.concluded_late: against the limit in force that day, kept for every round
                limit = p.get("due_on") or p.get("national_due_on")
                on_time = limit is None or _date(day) <= limit
                p.update(status="concluded", result=result, concluded_on=_date(day),
                         concluded_late=bool(p.get("concluded_late")) or not on_time)
                event(day, "conclude", before, "concluded", result, {"on_time": on_time, "result": result}, agent_user)
            elif action == "feedback":
                satisfaction = args[0] or g.pick_satisfaction()
                if satisfaction == Satisfaction.DISSATISFIED and args[0] is None:
                    satisfaction = Satisfaction.UNDERSTANDING  # dissatisfaction was decided by the script
                method = rng.choice((ContactMethod.VISIT, ContactMethod.PHONE, ContactMethod.PHONE))
                p.update(status="feedback_given", feedback_method=method, satisfaction=satisfaction, feedback_on=_date(day),
                         feedback_satisfaction=satisfaction,
                         rated_by_petitioner=False, review_request_due_on=_date(cal.statutory(day, 30)))
                event(day, "feedback", before, "feedback_given",
                      f"{ContactMethod(method).label}反馈办理结果，信访人意见：{Satisfaction(satisfaction).label}",
                      {"satisfaction": satisfaction, "method": method}, agent_user)
                # The review still open (guards.level_after): 复查 first, 复核 after one, none after that.
                following = level_after({p["review_level"]} if p.get("review_level") else set())
                sms(day, "result", number=self.number,
                    review=REVIEW_BY.format(review_due=p["review_request_due_on"].strftime("%Y年%m月%d日"),
                                            level=Review.Level(following).label) if following else "")
            elif action == "request_review":
                level = args[0]
                rid = g.t.take(g.t.review)
                p["_review"] = {"id": rid, "petition_id": pid, "level": level, "requested_on": _date(day),
                                "answer_due_on": _date(cal.statutory(day, 30)), "reason": "对处理结果不满意"}
                p.update(status="under_review", review_level=level, review_answer_due_on=p["_review"]["answer_due_on"],
                         review_request_due_on=None)
                label = Review.Level(level).label
                event(day, "request_review", before, "under_review",
                      f"信访人申请{label}，应于 {p['_review']['answer_due_on']:%Y-%m-%d} 前答复",
                      {"level": level, "review_id": rid}, agent_user)
                rows.setdefault("_reviews", []).append(p["_review"])
                for user in g.org.center:
                    notice(day, "review_requested", user, number=self.number, level=label,
                           answer_due=p["_review"]["answer_due_on"])
            elif action == "decide_review":
                level, upheld = args
                review = p["_review"]
                review.update(decided_on=_date(day), upheld=upheld, note="经复查，原处理意见正确" if not upheld else "申请有理")
                p["review_answer_due_on"] = None
                label = Review.Level(level).label
                center = g.org.center[0]
                if upheld:
                    due = day + 30
                    p.update(status="in_progress", due_from=_date(day), due_workdays=None, due_on=_date(due),
                             concluded_on=None, satisfaction="", feedback_on=None, feedback_satisfaction="")
                    rows[t.double].append(t.double.row(petition_id=pid, review_id=review["id"], opened_on=_date(day),
                                                       note=review["note"]))
                    event(day, "decide_review", before, "in_progress",
                          f"{label}认为申请有理，按“三到位一处理”限期 {_date(due):%Y-%m-%d} 前化解，启动“一案双查”",
                          {"upheld": True, "level": level, "due_on": _date(due).isoformat()}, center)
                elif level == "review":
                    p.update(status="feedback_given", review_request_due_on=_date(cal.statutory(day, 30)))
                    event(day, "decide_review", before, "feedback_given", f"{label}维持原处理意见：{review['note']}",
                          {"upheld": False, "level": level}, center)
                else:
                    p.update(status="terminated", terminated_on=_date(day), three_level_terminated=True,
                             follow_up_due_on=_date(cal.statutory(day, 15)))
                    self.three_level_day = self.closed_day = day
                    event(day, "decide_review", before, "terminated", "复核维持原处理意见，信访事项三级终结",
                          {"upheld": False, "level": level}, center)
                    sms(day, "follow_up", f"follow_up_sms:{pid}", number=self.number,
                        follow_up_due=p["follow_up_due_on"].strftime("%Y年%m月%d日"))
            elif action == "terminate":
                three = rng.random() < 0.02
                p.update(status="terminated", terminated_on=_date(day), three_in_place=three,
                         follow_up_due_on=_date(cal.statutory(day, 15)))
                self.closed_day = day
                if three:
                    self.three_in_place_day = day
                event(day, "terminate", before, "terminated", "信访事项终结",
                      {"follow_up_due_on": p["follow_up_due_on"].isoformat()}, agent_user)
                sms(day, "follow_up", f"follow_up_sms:{pid}", number=self.number,
                    follow_up_due=p["follow_up_due_on"].strftime("%Y年%m月%d日"))
            elif action == "follow_up":
                if before != "terminated":
                    continue
                rebound = rng.random() < 0.03
                note = rng.choice(text.FOLLOW_UP_NOTES)
                p.update(status="followed_up", followed_up_on=_date(day), follow_up_note=note, rebound=rebound)
                event(day, "follow_up", before, "followed_up", note + ("；存在反弹回流风险" if rebound else ""),
                      {"visited_on": _date(day).isoformat(), "rebound": rebound,
                       "within_limit": _date(day) <= p["follow_up_due_on"]}, agent_user)
            elif action == "archive":
                p.update(status="archived", archived_on=_date(day))
                self.closed_day = self.closed_day or day
                event(day, "archive", before, "archived", "一案一档，整理归档", {}, agent_user)
        p.pop("_review", None)
        p["last_event_on"] = _date(last)
        p["updated_at"] = _at(last, rng)
        rows[t.petition].append(t.petition.row(**p))
        for row in dispositions.values():
            rows[t.disposition].append(t.disposition.row(**row))


_DATES: dict[int, datetime.date] = {}


def _date(day: int) -> datetime.date:
    found = _DATES.get(day)
    if found is None:
        found = _DATES[day] = datetime.date.fromordinal(day)
    return found


# --- the entry point -------------------------------------------------------------------------------

_WORK: dict = {}  # what forked workers inherit from the parent


def generate(total: int, profile: str = "history", *, anchor: datetime.date | None = None, batch: int = 5000,
             workers: int | None = None, bulk: bool = True, log: Callable[[str], None] = print) -> dict[str, str]:
    """Bring the data set to `total` generated petitions (adds only what is missing) and return its
    bench_meta (anchor, profile, generated count…). Run after django.setup(), migrate and load_demo.

    The parent plans the pass (dates, petitioners, numbers, first free ids) and reserves it in one
    transaction; `workers` forked processes (BENCH_WORKERS, default 2) then each generate the
    petitions of their share of the petitioners and commit them in batches with the count. `bulk`:
    loosen durability on the loading connections (off in tests, which share their connection)."""
    prof = PROFILES[profile]
    workers = workers or int(os.environ.get("BENCH_WORKERS", "2"))
    with transaction.atomic():
        meta = schema.meta_get()
    if meta.get("profile", profile) != profile:
        raise RuntimeError(f"this data set is of profile {meta['profile']}, not {profile}")
    if "dropped_indexes" in meta:  # an earlier load stopped before rebuilding them
        _rebuild_indexes(json.loads(meta["dropped_indexes"]), log)
    have = int(meta.get("generated", 0))
    if have >= total:
        return meta
    day = datetime.date.fromisoformat(meta["anchor"]) if "anchor" in meta else (anchor or datetime.date.today())
    passes = int(meta.get("passes", 0))
    seed = int.from_bytes(f"{GENERATOR_VERSION}:{profile}:{passes}:{have}".encode()[-8:], "big")
    prefix = settings.DAIBAN_NUMBER_PREFIX
    sequences = {s.year: s.last for s in NumberSequence.objects.filter(prefix=prefix)}
    plan = make_plan(prof, day.toordinal(), total - have, int(meta.get("petitioners", 0)), FastRandom(seed), sequences)
    tables = Tables()
    starts = schema.next_ids(t for t in tables.order if t.with_id)
    dropped: list[str] = []
    with transaction.atomic():
        # Numbers and petitioner numbers of the whole pass are taken now: a resumed run never reuses one.
        for year, last in plan.sequences.items():
            NumberSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"last": last})
        schema.meta_set({"profile": profile, "anchor": day.isoformat(), "generated": have,
                         "petitioners": plan.petitioner_top, "passes": passes + 1, "generator": GENERATOR_VERSION})
        if bulk and total - have >= DROP_INDEXES_FROM:
            dropped = schema.drop_secondary_indexes(tables.order)
            if dropped:
                schema.meta_set({"dropped_indexes": json.dumps(dropped)})
    log(f"生成 {total - have} 件信访事项（{profile}，截至 {day}，已有 {have} 件，{workers} 个进程）……")
    _WORK.update(profile=prof, anchor=day, seed=seed, plan=plan, starts=starts, batch=batch, log=log, total=total,
                 bulk=bulk)
    started = time.perf_counter()
    if workers == 1:
        _work(0, 1)
    else:
        connection.close()  # each worker opens its own
        ctx = multiprocessing.get_context("fork")
        procs = [ctx.Process(target=_work, args=(w, workers, True)) for w in range(workers)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        if any(proc.exitcode for proc in procs):
            raise RuntimeError("a generator process failed (see above)")
    schema.sync_sequences(t for t in tables.order if t.with_id)
    if dropped:
        _rebuild_indexes(dropped, log)
    if not SweepRun.objects.exists() and not prof.open_only:
        # The sweep ran every working day of the history (not yet on the anchor day: the benchmark runs that one).
        first = day.toordinal() - prof.span_days
        SweepRun.objects.bulk_create([SweepRun(day=_date(d)) for d in Workdays(first, day.toordinal() - 1).days],
                                     batch_size=2000)
    log(f"生成完毕：{total - have} 件，{time.perf_counter() - started:.0f} 秒")
    return schema.meta_get()


def _rebuild_indexes(definitions: list[str], log: Callable[[str], None]) -> None:
    t0 = time.perf_counter()
    schema.create_indexes(definitions)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {schema.META_TABLE} WHERE key = 'dropped_indexes'")
    log(f"重建 {len(definitions)} 个索引：{time.perf_counter() - t0:.0f} 秒")


def _work(worker: int, workers: int, forked: bool = False) -> None:
    w = _WORK
    if w["bulk"]:
        schema.bulk_session()
    gen = Generator(w["profile"], w["anchor"], w["seed"] + worker, w["plan"], Tables(w["starts"], worker, workers))
    prefix = gen.prefix
    mine = [e for e in w["plan"].entries if e[1] % workers == worker]
    known: dict[int, tuple[int, str]] = {}  # petitioner number → (id, phone ciphertext), for repeats
    started, done = time.perf_counter(), 0
    for start in range(0, len(mine), w["batch"]):
        chunk = mine[start:start + w["batch"]]
        rows: dict = {tbl: [] for tbl in gen.t.order}
        t0 = time.perf_counter()
        for d, k, pos, year, seq in chunk:
            who = known.get(k) or gen.petitioner(k, rows)
            if k in gen.series_size:
                known[k] = who
            gen.petition(d, k, pos, f"{prefix}-{year}-{seq:06d}", who, rows)
        rows[gen.t.review] = [gen.t.review.row(**r) for r in rows.pop("_reviews", [])]
        t1 = time.perf_counter()
        with transaction.atomic():
            for tbl in gen.t.order:
                schema.write(tbl, rows[tbl])
            schema.meta_add("generated", len(chunk))
        done += len(chunk)
        if worker == 0:
            rate = done * workers / (time.perf_counter() - started)
            w["log"](f"  约 {done * workers:>9,} 件  {rate:,.0f} 件/秒（本批生成 {t1 - t0:.1f} 秒，写入 {time.perf_counter() - t1:.1f} 秒）")
    # CPU seconds spent, here and (PostgreSQL on this machine) in the server process: on a shared
    # machine the wall-clock rate says more about the neighbours than about the generator.
    server = _backend_cpu()
    w["log"](f"  进程 {worker}：{done} 件，生成器 CPU {time.process_time():.0f} 秒"
             + (f"，数据库服务进程 CPU {server:.0f} 秒" if server is not None else ""))
    if forked:
        connection.close()


def _backend_cpu() -> float | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def analyze() -> None:
    """Fresh planner statistics (and the visibility map on PostgreSQL, for index-only scans)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
