"""Two people acting on one case at once: one wins, the other is told; nothing is lost.

Real threads with their own database connections, on PostgreSQL (row locks). SQLite serialises
writers with IMMEDIATE transactions; these tests are skipped there.
"""

import datetime
import threading

import pytest
from django.db import connection

from daiban.lib.errors import Conflict
from daiban.org.models import User
from daiban.petitions import services
from daiban.petitions.models import Event, Petition, Urging
from tests.factories import petition_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_together(count: int, work, *, timeout: float = 30):
    """Start `count` threads at the same moment; return what each returned or raised (each thread
    waited for up to `timeout` seconds)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (the test inspects what each thread got)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def test_two_conclusions_at_once_one_wins_one_conflicts(routed):
    petition = routed()
    agent = User.objects.get(username="agent1")
    dept = User.objects.get(username="dept1")
    services.disposition_act(disposition_id=petition["dispositions"][0]["id"], action="result", user=dept,
                             data={"result": "已办"})

    def conclude(i):
        return services.petition_act(petition_id=petition["id"], action="conclude", user=agent,
                                     data={"result": f"办结{i}"})

    results = run_together(2, conclude)
    wins = [r for r in results if isinstance(r, Petition)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert Event.objects.filter(petition_id=petition["id"], action="conclude").count() == 1
    assert Petition.objects.get(pk=petition["id"]).result == wins[0].result


def test_concurrent_urgings_are_all_kept(routed):
    petition = routed()
    agent = User.objects.get(username="agent1")
    before = Petition.objects.get(pk=petition["id"]).version

    def urge(i):
        for n in range(5):
            services.petition_act(petition_id=petition["id"], action="urge", user=agent,
                                  data={"disposition_id": petition["dispositions"][0]["id"], "note": f"{i}-{n}"})
        return True

    assert run_together(3, urge) == [True, True, True]
    assert Urging.objects.filter(disposition_id=petition["dispositions"][0]["id"]).count() == 15
    assert Petition.objects.get(pk=petition["id"]).version == before + 15


def test_concurrent_intake_numbers_have_no_gaps_or_duplicates(org):
    agent = User.objects.get(username="agent1")

    def intake(i):
        return [services.petition_intake(data=petition_body(), user=agent).petition.number for _ in range(5)]

    numbers = sorted(n for batch in run_together(3, intake) for n in batch)
    year = numbers[0].split("-")[1]
    assert numbers == [f"WS-{year}-{n:06d}" for n in range(1, 16)]


def test_same_external_id_at_once_is_one_petition(org):
    agent = User.objects.get(username="agent1")
    body = petition_body(source="hotline_12345", channel="phone", external_id="12345-RACE")

    def intake(i):
        return services.petition_intake_or_existing(data=dict(body), user=agent)

    results = run_together(4, intake)
    assert len({r.petition.pk for r in results}) == 1, results
    assert sum(r.created for r in results) == 1
    assert Petition.objects.filter(external_id="12345-RACE").count() == 1


def test_one_idempotency_key_sent_at_once_is_one_petition(org):
    """A desk system's request and its retry racing (no external_id): one registers, the other
    answers that petition, replayed."""
    from daiban.api import idempotency

    agent = User.objects.get(username="agent1")
    body = petition_body()

    def intake(i):
        return idempotency.register_once(agent, "retry-race-1", dict(body),
                                         lambda: services.petition_intake_or_existing(data=dict(body), user=agent))

    results = run_together(4, intake)
    assert len({r.petition.pk for r, _ in results}) == 1, results
    assert sorted(replayed for _, replayed in results) == [False, True, True, True]
    assert Petition.objects.count() == 1


def test_one_file_uploaded_twice_at_once_is_one_attachment(routed):
    """A double tap on a slow line: both requests reach the server together; one attachment."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from daiban.documents import services as documents
    from tests.factories import png_bytes

    petition = routed()
    agent = User.objects.get(username="agent1")

    def upload(i):
        return documents.attachment_add(petition_id=petition["id"], user=agent, kind="photo",
                                        upload=SimpleUploadedFile("现场照片.png", png_bytes()))

    results = run_together(3, upload)
    assert len({a.pk for a in results}) == 1, results
    assert sorted(bool(getattr(a, "repeated", False)) for a in results) == [False, True, True]
    assert Petition.objects.get(pk=petition["id"]).attachments.count() == 1


def test_wrong_query_codes_sent_at_once_are_compared_no_more_than_the_limit(org, settings):
    """Twenty guesses of one number's code from one client at the same moment: the check, the
    comparison and the count run one at a time, so only DAIBAN_PUBLIC_WRONG_CODES are compared; the
    rest are asked for a CAPTCHA. Then one solved CAPTCHA, sent ten times at once, lets one through."""
    from daiban.lib.errors import NotFound
    from daiban.portal import services as portal
    from tests.factories import COMPLAINT, id_number

    settings.DAIBAN_PUBLIC_TRACK_PER_HOUR = 1000
    petition = portal.submit(data={"petitioner": {"name": "刘八", "id_number": id_number(serial=888),
                                                  "phone": "13812345678"}, "content": COMPLAINT}, client="198.51.100.9")
    guesses = run_together(20, lambda i: portal.find(petition.number, f"WRONG{i:05d}", "198.51.100.1"))
    compared = [r for r in guesses if isinstance(r, NotFound)]
    asked = [r for r in guesses if isinstance(r, portal.CaptchaRequired)]
    assert len(compared) == settings.DAIBAN_PUBLIC_WRONG_CODES and len(asked) == 20 - len(compared), guesses
    with_pass = run_together(10, lambda i: portal.find(petition.number, f"WRONG{i:05d}", "198.51.100.1",
                                                       captcha_pass="solved-once"))
    assert sum(isinstance(r, NotFound) for r in with_pass) == 1, with_pass
    assert sum(isinstance(r, portal.CaptchaRequired) for r in with_pass) == 9


def test_portal_submissions_sent_at_once_still_meet_the_captcha(org, settings):
    """Twelve submissions from one new address at the same moment: whether a CAPTCHA is due and the
    count it depends on are one step, so only DAIBAN_PUBLIC_CAPTCHA_AFTER go in without one."""
    from django.test import Client

    from tests.factories import id_number
    from tests.test_portal_pages import FORM

    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 2
    answers = run_together(12, lambda i: Client().post("/submit/", {**FORM, "id_number": id_number(serial=700 + i)}))
    codes = sorted(r.status_code for r in answers)
    assert codes == [302, 302] + [400] * 10, answers
    assert Petition.objects.count() == 2


def test_one_solved_captcha_sent_at_once_from_many_sessions_passes_once(org):
    """django-simple-captcha reads the answer, then deletes it: twenty sessions posting one solved
    CAPTCHA at the same moment passed three at a time. Checked and spent in one DELETE: one."""
    from captcha.models import CaptchaStore
    from django import forms

    from daiban.portal.captcha import field

    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    results = run_together(20, lambda i: field().clean([key, answer]))
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert sum(isinstance(r, forms.ValidationError) for r in results) == 19


def test_api_submissions_sent_at_once_still_meet_the_captcha_limit(org, settings):
    """The API asks no CAPTCHA: past DAIBAN_PUBLIC_CAPTCHA_AFTER it answers 429, and posts sent at
    once from one client are checked and counted one at a time, so no more get in."""
    from django.test import Client

    from tests.factories import COMPLAINT, id_number

    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 2
    answers = run_together(12, lambda i: Client().post(
        "/api/v1/public/petitions", {"petitioner": {"name": "刘八", "id_number": id_number(serial=720 + i),
                                                    "phone": "13812345678"}, "content": COMPLAINT},
        content_type="application/json"))
    assert sorted(r.status_code for r in answers) == [201, 201] + [429] * 10, answers
    assert Petition.objects.count() == 2


def test_submissions_from_many_64s_of_one_48_at_once_meet_its_ceiling_and_count_nothing_refused(org, settings,
                                                                                                monkeypatch):
    """Checked per /64 only, posts sent at once from forty /64s of one /48 all passed the /48's
    checks before any was counted (43 of 80 went in where 32 may); and a /64 refused by the /48
    kept a count for nothing. The /48 is decided one post at a time too."""
    from django.test import Client

    from daiban.lib import ratelimit
    from daiban.portal import services
    from tests.factories import COMPLAINT, id_number

    # Three clients' worth, not sixteen: the posts wait for each other under the /48's lock (at
    # most 10 s), and sixteen whole intakes in a row on a busy runner could outlast it.
    monkeypatch.setattr(services, "NETWORK_SHARE", 3)
    NETWORK_SHARE = services.NETWORK_SHARE

    settings.DAIBAN_PUBLIC_SUBMIT_PER_HOUR = 1
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 1
    settings.DAIBAN_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.DAIBAN_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    senders = NETWORK_SHARE + 8
    answers = run_together(senders, lambda i: Client().post(
        "/api/v1/public/petitions", {"petitioner": {"name": "刘八", "id_number": id_number(serial=740 + i),
                                                    "phone": "13812345678"}, "content": COMPLAINT},
        content_type="application/json", HTTP_X_FORWARDED_FOR=f"2001:db8:9:{i:x}::1"))
    codes = [r.status_code for r in answers]
    assert sorted(codes) == [201] * NETWORK_SHARE + [429] * 8, answers
    assert Petition.objects.count() == NETWORK_SHARE
    refused = [i for i, code in enumerate(codes) if code == 429]
    assert all(ratelimit.count("public-submit", f"2001:db8:9:{i:x}::/64", limit=1, window=3600) == 0 for i in refused)


def test_a_capped_count_is_planned_serially_and_leaves_the_setting_as_it_was(org, new_petition):
    """PostgreSQL planned a name search's capped count with parallel workers, whose start cost more
    than the count; it is counted serially, and the setting does not outlive the count."""
    from django.db import connection, transaction

    from daiban.petitions.counting import capped

    new_petition()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        before = cursor.fetchone()[0]
        assert capped(Petition.objects.all()).value == 1
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == before
    assert capped(Petition.objects.all()).value == 1  # outside a transaction too


def test_one_form_sent_at_once_from_many_addresses_registers_one_petition(org, settings):
    """A portal form's one-time token posted at the same moment from six addresses (a double tap on a
    phone switching networks, a retry through another proxy): one petition; every answer is its
    number, none an error."""
    from django.test import Client

    from daiban.portal.models import Submission
    from tests.test_portal_pages import FORM

    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 100
    token = "ab" * 16
    answers = run_together(6, lambda i: Client(REMOTE_ADDR=f"10.9.0.{i + 1}").post("/submit/", {**FORM, "once": token}))
    assert sorted(r.status_code for r in answers) == [302] * 6, answers
    assert Petition.objects.count() == 1 and Submission.objects.get(token=token).petition == Petition.objects.get()


def test_a_routing_under_way_during_a_calendar_change_ends_with_the_new_calendar(accepted, org):
    """Actors: agent1 routes a petition (its transaction has read the calendar and written the 处置单's
    date) while the administrator makes a working day inside that window a holiday. The calendar change
    waits for the routing to commit and then recomputes its 处置单 too: no stale date is left behind
    (without the calendar lock, the recomputation ran first and never saw the uncommitted row)."""
    import time

    from django.db import transaction

    from daiban.petitions.models import Disposition
    from daiban.workdays.models import CalendarDay
    from daiban.workdays.seed import DaySpec

    petition = accepted()
    agent, admin = User.objects.get(username="agent1"), User.objects.get(username="admin")
    routed_event = threading.Event()
    holiday = None

    def route() -> str:
        with transaction.atomic():
            services.petition_act(petition_id=petition["id"], action="route", user=agent,
                                  data={"departments": [org.departments[0].pk], "track": "standard"})
            routed_event.set()
            time.sleep(1.5)  # the routing's transaction stays open while the calendar changes
        return "routed"

    def change_calendar() -> list:
        routed_event.wait(10)
        d = Disposition.objects.filter(petition_id=petition["id"]).first()
        assert d is None  # not committed yet: the change must wait for it
        return services.calendar_change(actor=admin, specs=[DaySpec(holiday, False, "调整")], reason="测试")

    # A working day two days before the date the routing will compute (inside its window).
    from daiban.lib.dates import today
    from daiban.workdays.engine import add_workdays

    due = add_workdays(today(), 15).date
    holiday = next(d for d in (due - datetime.timedelta(days=k) for k in range(1, 8))
                   if CalendarDay.objects.filter(date=d, is_workday=True).exists())
    results = [None, None]

    def both(i):
        return route() if i == 0 else change_calendar()

    results = run_together(2, both)
    assert results[0] == "routed" and not isinstance(results[1], Exception), results
    d = Disposition.objects.get(petition_id=petition["id"])
    assert d.due_on == add_workdays(d.due_from, d.due_workdays).date != due, (d.due_on, due)
