"""The hot requests of issue 16, each beside the SQL it needs: detail, list (filtered and not),
eligibility, intake, one action (contact). Target: ≤ 10× the floor on SQLite 100k and PostgreSQL 1M;
the lists also ≤ 1.3× their figure at the smaller size.

A floor is what a hand-written server would have to ask the database for the same response: the
token and its user, the agent record and the station tree (for visibility), the rows the response
shows, and for writes the same inserts and updates in one transaction. It reads the same columns
the response prints (whole rows where the response prints most of them) and makes one query per
table, not one per row. Floors run with a raw cursor and fetch every row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from bench.core import Ctx, Figure, growth, ratio
from bench.schema import Table
from daiban.api.models import ApiToken, digest
from daiban.audit.models import AuditEntry
from daiban.lib import crypto
from daiban.notifications.models import Notification
from daiban.org.models import Agent, Department, Station, User
from daiban.petitions import matters, search, similarity
from daiban.petitions.index_models import MatterBucket, MatterLink, PetitionFeatures, SearchEntry, TermCount
from daiban.petitions.models import (
    Contact,
    Disposition,
    Event,
    NumberSequence,
    PersonalDataView,
    Petition,
    Petitioner,
    PetitionLink,
    Reassignment,
    Review,
    Urging,
)
from daiban.workdays.models import CalendarDay
from tests.factories import COMPLAINT, id_number

ORDER = 10


def t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def q(cursor, sql: str, params: Iterable = ()) -> list[tuple]:
    cursor.execute(sql, list(params))
    return cursor.fetchall() if cursor.description is not None else []


def _in(values: Iterable[int]) -> str:
    return ",".join(str(int(v)) for v in values) or "NULL"


class Floor:
    """The SQL of one request, as a server written by hand would send it."""

    def __init__(self, ctx: Ctx, username: str, client):
        self.user = User.objects.get(username=username)
        self.agent = Agent.objects.filter(user=self.user).first()
        self.key_hash = digest(client.token)
        parents = dict(Station.objects.values_list("id", "parent_id"))
        scope, frontier = set(), {self.user.station_id}
        while frontier:
            scope |= frontier
            frontier = {s for s, p in parents.items() if p in frontier} - scope
        self.scope = sorted(scope)
        # An agent also reads the petitions they were replaced on (action `reassign`): visibility needs it.
        self.visible = f"(p.station_id IN ({_in(self.scope)})" + (
            f" OR p.agent_id = {self.agent.pk} OR p.id IN (SELECT petition_id FROM {t(Reassignment)} "
            f"WHERE from_agent_id = {self.agent.pk}))" if self.agent else ")")
        self.lock = " FOR UPDATE OF p" if connection.vendor == "postgresql" else ""

    def auth(self, c) -> None:
        """The bearer token with its user, station and department; the agent; the station tree."""
        q(c, f"SELECT tk.id, tk.expires_at, u.*, s.*, d.* FROM {t(ApiToken)} tk JOIN {t(User)} u ON u.id = tk.user_id "
             f"LEFT JOIN {t(Station)} s ON s.id = u.station_id LEFT JOIN {t(Department)} d ON d.id = u.department_id "
             "WHERE tk.key_hash = %s AND tk.revoked_at IS NULL AND tk.expires_at > %s",
          [self.key_hash, timezone.now()])
        q(c, f"SELECT * FROM {t(Agent)} WHERE user_id = %s", [self.user.pk])
        q(c, f"SELECT id, parent_id FROM {t(Station)}")

    def detail(self, c, pid: int, *, reveal: bool) -> None:
        """Everything the detail shows: the petition with petitioner, agent and station; its 处置单
        with departments; their urgings; contacts; reviews; related petitions; the timeline; whether
        the deadline's years are confirmed. The personal-data view is logged when revealed."""
        row = q(c, f"SELECT p.due_from, p.due_on, p.*, pr.*, a.name, s.name FROM {t(Petition)} p JOIN {t(Petitioner)} pr ON pr.id = p.petitioner_id "
                   f"LEFT JOIN {t(Agent)} a ON a.id = p.agent_id JOIN {t(Station)} s ON s.id = p.station_id "
                   f"WHERE p.id = %s AND {self.visible}", [pid])
        q(c, f"SELECT d.*, dep.name FROM {t(Disposition)} d JOIN {t(Department)} dep ON dep.id = d.department_id "
             "WHERE d.petition_id = %s ORDER BY d.id", [pid])
        q(c, f'SELECT u.disposition_id, u."on", u.note, u.automatic FROM {t(Urging)} u JOIN {t(Disposition)} d '
             "ON d.id = u.disposition_id WHERE d.petition_id = %s ORDER BY u.id", [pid])
        q(c, f'SELECT method, "on", note FROM {t(Contact)} WHERE petition_id = %s ORDER BY id', [pid])
        q(c, f"SELECT * FROM {t(Review)} WHERE petition_id = %s ORDER BY id", [pid])
        q(c, f"SELECT l.related_id, l.reason, l.score, r.number, r.status FROM {t(PetitionLink)} l "
             f"JOIN {t(Petition)} r ON r.id = l.related_id WHERE l.petition_id = %s", [pid])
        q(c, f"SELECT * FROM {t(Event)} WHERE petition_id = %s ORDER BY id", [pid])
        due_from, due_on = row[0][:2] if row else (None, None)
        if due_from and due_on:
            q(c, f"SELECT count(*), sum(CASE WHEN confirmed THEN 0 ELSE 1 END) FROM {t(CalendarDay)} "
                 "WHERE date BETWEEN %s AND %s", [datetime.date(_d(due_from).year, 1, 1), datetime.date(_d(due_on).year, 12, 31)])
        if reveal:
            # The view log and its row of the audit trail (petitions/audit_hooks.py: every full view is
            # audited), which chains to the trail's last row: one transaction, as the app writes them.
            now = timezone.now()
            with transaction.atomic():
                q(c, f"INSERT INTO {t(PersonalDataView)} (user_id, petition_id, at, fields, via) VALUES (%s, %s, %s, %s, %s)",
                  [self.user.pk, pid, now, "id_number,phone", "api"])
                tail = q(c, f"SELECT seq, hash FROM {t(AuditEntry)} ORDER BY seq DESC LIMIT 1")
                q(c, f"INSERT INTO {t(AuditEntry)} (seq, at, actor_id, actor_username, action, target_type, target_id, "
                     "target_label, ip, detail, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                  [(tail[0][0] if tail else 0) + 1, now, self.user.pk, self.user.username, "personal_data_view", "petition",
                   str(pid), str(pid), "127.0.0.1", '{"fields": "id_number,phone", "via": "api"}',
                   tail[0][1] if tail else "0" * 64, "0" * 64])


def _d(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def figures(ctx: Ctx) -> Iterable[Figure]:
    big = ctx.size >= 1_000_000 or connection.vendor == "sqlite"
    hot = [ratio(10)] if big else []
    listed = [*hot, growth(1.3)] if connection.vendor == "postgresql" else hot
    api = ctx.api("agent1")
    floor = Floor(ctx, "agent1", api)
    agent = floor.agent
    today = timezone.localdate()
    rng = ctx.rng
    mine = list(Petition.objects.filter(agent=agent).values_list("id", flat=True)[:20000])
    running = list(Petition.objects.filter(agent=agent, status__in=["in_progress", "escalated"])
                   .values_list("id", flat=True)[:5000])
    linked = list(PetitionLink.objects.filter(petition__agent=agent).values_list("petition_id", flat=True)[:5000])
    if not mine or not running:
        raise RuntimeError("agent1 has no petitions: is the data set generated?")
    sample = lambda ids: lambda: ids[int(rng.random() * len(ids))]  # noqa: E731

    def get(client, path: str, params: dict | None = None) -> None:
        response = client.get(path, params or {})
        assert response.status_code == 200, (path, response.status_code, response.content[:200])

    # -- the framework's own cost: a request that reads one small table (no target; a yardstick)
    if ctx.wanted("reference"):
        def app_reference():
            get(api, "/api/v1/departments")

        def floor_reference():
            with connection.cursor() as c:
                floor.auth(c)
                q(c, f"SELECT id, name, kind, phone FROM {t(Department)} WHERE active ORDER BY id")

        yield ctx.measure("reference GET /api/v1/departments (tiny)", app_reference, floor_reference,
                          queries=_count(app_reference), note="no target: what any authenticated API request costs here")

    # -- detail: a random case of agent1's (revealed to the assigned agent, so the view is logged)
    if ctx.wanted("detail"):
        pick = sample(mine)
        state = {}

        def app_detail():
            state["id"] = pick()
            get(api, f"/api/v1/petitions/{state['id']}")

        def floor_detail():
            with connection.cursor() as c:
                floor.auth(c)
                floor.detail(c, pick(), reveal=True)

        yield ctx.measure("detail GET /api/v1/petitions/{id}", app_detail, floor_detail, targets=hot,
                          queries=_count(app_detail))

    # -- the list, filtered (running and overdue) and not, as agent1 sees it
    for label, params, where in [
        ("list GET /api/v1/petitions?status=in_progress&overdue=true", {"status": "in_progress", "overdue": "true"},
         "p.status = 'in_progress' AND p.due_on < %s"),
        ("list GET /api/v1/petitions (unfiltered)", {}, ""),
    ]:
        if not ctx.wanted(label):
            continue

        def app_list(params=params):
            get(api, "/api/v1/petitions", params)

        def floor_list(where=where):
            cond = floor.visible + (f" AND {where}" if where else "")
            args = [today] if where else []
            with connection.cursor() as c:
                floor.auth(c)
                if where and connection.vendor == "postgresql":  # filter first through its index, then sort the
                    # few (PostgreSQL otherwise walks the primary key backwards: it misjudges how many running
                    # petitions are overdue; OFFSET 0 keeps the subquery from being flattened)
                    ids = [r[0] for r in q(c, f"SELECT id FROM (SELECT p.id FROM {t(Petition)} p WHERE {cond} OFFSET 0) s "
                                              "ORDER BY id DESC LIMIT 20", args)]
                else:
                    ids = [r[0] for r in q(c, f"SELECT p.id FROM {t(Petition)} p WHERE {cond} ORDER BY p.id DESC LIMIT 20",
                                           args)]
                q(c, f"SELECT p.id, p.number, p.channel, p.source, p.received_on, substr(p.content, 1, 200), p.category, "
                     "p.status, p.station_id, p.agent_id, p.track, p.due_on, p.satisfaction, pr.name, pr.id_number_enc, "
                     f"pr.phone_enc, pr.address, s.name, a.name FROM {t(Petition)} p JOIN {t(Petitioner)} pr "
                     f"ON pr.id = p.petitioner_id JOIN {t(Station)} s ON s.id = p.station_id LEFT JOIN {t(Agent)} a "
                     f"ON a.id = p.agent_id WHERE p.id IN ({_in(ids)})")
                # the count, no further than the list needs it (issue 16: counting.capped, cap + 1 rows)
                q(c, f"SELECT count(*) FROM (SELECT 1 FROM {t(Petition)} p WHERE {cond} LIMIT 1001) n", args)

        yield ctx.measure(label, app_list, floor_list, targets=listed, queries=_count(app_list))

    # -- eligibility of a petition with earlier ones on the same matter (or any, when none is linked)
    if ctx.wanted("eligibility"):
        pick = sample(linked or mine)

        def app_eligibility():
            get(api, f"/api/v1/petitions/{pick()}/eligibility")

        def floor_eligibility():
            with connection.cursor() as c:
                floor.auth(c)
                pid = pick()
                q(c, f"SELECT p.id, p.in_judicial_proceedings FROM {t(Petition)} p WHERE p.id = %s AND {floor.visible}", [pid])
                q(c, f"SELECT r.id, r.number, r.status, r.three_level_terminated, r.three_in_place FROM {t(PetitionLink)} l "
                     f"JOIN {t(Petition)} r ON r.id = l.related_id WHERE l.petition_id = %s ORDER BY l.id", [pid])

        yield ctx.measure("eligibility GET /api/v1/petitions/{id}/eligibility", app_eligibility, floor_eligibility,
                          targets=hot, queries=_count(app_eligibility))

    # -- intake: half by people with earlier petitions (their ID numbers, decrypted), half new
    if ctx.wanted("intake"):
        repeaters = [crypto.decrypt(e) for e in Petitioner.objects.filter(
            pk__in=Petition.objects.filter(agent=agent).values("petitioner_id")[:400]).values_list("id_number_enc", flat=True)]
        fresh = iter(range(10**6))

        def person() -> str:
            if rng.random() < 0.5 and repeaters:
                return repeaters[int(rng.random() * len(repeaters))]
            return id_number(born="20000101", region="110101", serial=next(fresh))  # never in the generated data

        def app_intake():
            body = {"channel": "visit", "source": "self", "content": COMPLAINT,
                    "petitioner": {"name": "张三", "id_number": person(), "phone": "13912345678", "address": "嘎鲁图镇"}}
            response = api.post("/api/v1/petitions", body, content_type="application/json")
            assert response.status_code == 201, response.content[:300]

        petition_t, event_t, notice_t = Table(Petition), Table(Event), Table(Notification)
        cols = lambda tbl: ", ".join(connection.ops.quote_name(c) for c in tbl.columns)  # noqa: E731
        marks = lambda tbl: ", ".join(["%s"] * len(tbl.columns))  # noqa: E731
        prefix = NumberSequence.objects.filter(year=today.year).values_list("prefix", flat=True).first() or "WS"
        # The index an intake writes in its transaction (petitions/indexing.py: petition_added), of the
        # one complaint every run sends: its terms, facts, band keys and search entry, worked out here
        # once (the Python of it is the app's own cost, not SQL).
        feats = similarity.features(COMPLAINT)
        terms = sorted(x for x in feats.terms if len(x) <= 64)
        term_list, fact_list = feats.dumps()
        keys = matters.band_keys(feats)
        entry = search.entry_values(f"{prefix}-{today.year}-000001F", "张三", [COMPLAINT])

        def floor_index(c, pid: int, person_id: int) -> None:
            tc = t(TermCount)
            q(c, f"INSERT INTO {tc} (term, petitions) VALUES {', '.join(['(%s, %s)'] * (len(terms) + 1))} "
                 f"ON CONFLICT (term) DO UPDATE SET petitions = {tc}.petitions + excluded.petitions",
              [v for x in [*terms, ""] for v in (x, 1)])
            q(c, f"SELECT term, petitions FROM {tc} WHERE term IN ({', '.join(['%s'] * (len(terms) + 1))})", [*terms, ""])
            q(c, f"INSERT INTO {t(PetitionFeatures)} (petition_id, terms, facts, norm) VALUES (%s, %s, %s, %s)",
              [pid, term_list, fact_list, 1.0])
            q(c, f"INSERT INTO {t(MatterBucket)} (key, petition_id, station_id) VALUES "
                 f"{', '.join(['(%s, %s, %s)'] * len(keys))}", [v for k in keys for v in (k, pid, floor.user.station_id)])
            found = matters._candidates(floor.user.station_id, keys, person_id, pid)  # its statement, as the app sends it
            rows = q(c, f"SELECT petition_id, terms, facts, norm FROM {t(PetitionFeatures)} WHERE petition_id IN ({_in(found)})")
            linked = [r[0] for r in rows][:20]  # the same complaint: every candidate is the same matter (≤ 20 kept)
            if linked:
                q(c, f"INSERT INTO {t(MatterLink)} (petition_id, other_id, score) VALUES "
                     f"{', '.join(['(%s, %s, %s)'] * len(linked))} ON CONFLICT DO NOTHING",
                  [v for other in linked for v in (pid, other, 1.0)])
            q(c, f"INSERT INTO {t(SearchEntry)} (petition_id, number, name, body) VALUES (%s, %s, %s, %s)",
              [pid, entry["number"], entry["name"], entry["body"]])

        def floor_intake():
            ident = person()
            now = timezone.now()
            with connection.cursor() as c:
                floor.auth(c)
                with transaction.atomic():
                    last = q(c, f"UPDATE {t(NumberSequence)} SET last = last + 1 WHERE prefix = %s AND year = %s RETURNING last",
                             [prefix, today.year])
                    q(c, f"SELECT date, is_workday, confirmed FROM {t(CalendarDay)} WHERE date BETWEEN %s AND %s",
                      [today + datetime.timedelta(days=15), today + datetime.timedelta(days=30)])
                    person_id = q(c, f"INSERT INTO {t(Petitioner)} (name, id_number_enc, id_hash, phone_enc, phone_hash, address, "
                                     "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id_hash) DO UPDATE "
                                     "SET name = excluded.name, phone_enc = excluded.phone_enc, phone_hash = excluded.phone_hash, "
                                     "address = excluded.address, updated_at = excluded.updated_at RETURNING id",
                                  ["张三", crypto.encrypt(ident), crypto.lookup_hash(ident), crypto.encrypt("13912345678"),
                                   crypto.lookup_hash("13912345678"), "嘎鲁图镇", now, now])[0][0]
                    row = petition_t.row(
                        number=f"{prefix}-{today.year}-{last[0][0]:06d}F", query_code="ABCDEFGH23", channel="visit",
                        source="self", received_on=today, petitioner_id=person_id, content=COMPLAINT,
                        station_id=floor.user.station_id, national_forward_due_on=today + datetime.timedelta(days=15),
                        last_event_on=today, created_by_id=floor.user.pk)
                    pid = q(c, f"INSERT INTO {t(Petition)} ({cols(petition_t)}) VALUES ({marks(petition_t)}) RETURNING id",
                            petition_t.prepare([row])[0])[0][0]
                    q(c, f"SELECT id, number, content, status, received_on, station_id, three_level_terminated, three_in_place "
                         f"FROM {t(Petition)} WHERE petitioner_id = %s AND id < %s ORDER BY id DESC", [person_id, pid])
                    floor_index(c, pid, person_id)
                    ev = event_t.row(petition_id=pid, at=now, on=today, actor_id=floor.user.pk, actor_name="x",
                                     action="intake", from_status="", to_status="received", note="来访，信访人本人", data={})
                    q(c, f"INSERT INTO {t(Event)} ({cols(event_t)}) VALUES ({marks(event_t)})", event_t.prepare([ev])[0])
                    sms = notice_t.row(channel="sms", template="receipt", petition_id=pid, phone_enc="x", body="x" * 60,
                                       created_at=now)
                    q(c, f"INSERT INTO {t(Notification)} ({cols(notice_t)}) VALUES ({marks(notice_t)})", notice_t.prepare([sms])[0])
                floor.detail(c, pid, reveal=False)

        yield ctx.measure("intake POST /api/v1/petitions", app_intake, floor_intake, targets=hot,
                          queries=_count(app_intake), note="half the petitioners have earlier petitions (same-matter check)")

    # -- one action: contact the petitioner, on a running case of agent1's
    if ctx.wanted("action"):
        pick = sample(running)
        contact_t, event_t = Table(Contact), Table(Event)

        def app_action():
            response = api.post(f"/api/v1/petitions/{pick()}/actions/contact", {"method": "phone", "note": "告知进度"},
                                content_type="application/json")
            assert response.status_code == 200, response.content[:300]

        def floor_action():
            pid, now = pick(), timezone.now()
            with connection.cursor() as c:
                floor.auth(c)
                with transaction.atomic():
                    q(c, f"SELECT p.* FROM {t(Petition)} p WHERE p.id = %s AND {floor.visible}{floor.lock}", [pid])
                    row = contact_t.row(petition_id=pid, method="phone", on=today, note="告知进度", by_id=floor.user.pk)
                    q(c, f"INSERT INTO {t(Contact)} ({', '.join(connection.ops.quote_name(x) for x in contact_t.columns)}) "
                         f"VALUES ({', '.join(['%s'] * len(contact_t.columns))})", contact_t.prepare([row])[0])
                    q(c, f"UPDATE {t(Petition)} SET last_event_on = %s, version = version + 1, updated_at = %s WHERE id = %s",
                      [today, now, pid])
                    ev = event_t.row(petition_id=pid, at=now, on=today, actor_id=floor.user.pk, actor_name="x", action="contact",
                                     from_status="in_progress", to_status="in_progress", note="电话联系信访人：告知进度",
                                     data={"method": "phone"})
                    q(c, f"INSERT INTO {t(Event)} ({', '.join(connection.ops.quote_name(x) for x in event_t.columns)}) "
                         f"VALUES ({', '.join(['%s'] * len(event_t.columns))})", event_t.prepare([ev])[0])
                floor.detail(c, pid, reveal=True)

        yield ctx.measure("action POST …/actions/contact", app_action, floor_action, targets=hot, queries=_count(app_action))


def _count(fn: Callable[[], None]) -> int:
    """The number of queries one app run makes (run once more, outside the timing)."""
    from django.db import connection as conn

    n = 0

    def count(execute, sql, params, many, context):
        nonlocal n
        n += 1
        return execute(sql, params, many, context)

    with conn.execute_wrapper(count):
        fn()
    return n
