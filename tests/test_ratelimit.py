"""Rate limits hold in any hour, not per clock hour (daiban/lib/ratelimit.py).

CI found the fault: four portal submissions an hour across two servers let seven through, because
the counters were fixed hourly buckets and the test ran across the turn of an hour. Every limit
is checked here across that turn: submissions, lookups, wrong query codes, the intake check; the
429 says how long to wait (Retry-After, and 约 N 分钟 in the message) and that wait is right.
"""

import datetime
import os
import uuid

import pytest
import time_machine

from daiban.lib import ratelimit
from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

CST = datetime.timezone(datetime.timedelta(hours=8))
BEFORE_TEN = datetime.datetime(2026, 9, 16, 9, 59, 50, tzinfo=CST)  # a Wednesday, ten seconds to ten
PERSON = {"name": "刘八", "id_number": id_number(serial=888), "phone": "13812345678"}


@pytest.fixture
def at():
    """Frozen at 09:59:50; at(seconds) moves to that many seconds after it."""
    with time_machine.travel(BEFORE_TEN, tick=False) as traveller:
        yield lambda seconds: traveller.move_to(BEFORE_TEN + datetime.timedelta(seconds=seconds))


def submit(api):
    return api().post("/public/petitions", {"petitioner": PERSON, "content": COMPLAINT})


def test_submissions_stay_limited_across_the_turn_of_the_hour(api, org, at, settings):
    settings.DAIBAN_PUBLIC_SUBMIT_PER_HOUR = 2
    assert [submit(api).status_code for _ in range(2)] == [201, 201]  # at 09:59:50
    at(15)  # 10:00:05, a new clock hour: the two are still within the last hour
    refused = submit(api)
    assert refused.status_code == 429 and refused.data["error"]["code"] == "rate_limited"
    assert refused["Retry-After"] == "3586"  # the first submission leaves the window after 10:59:50
    assert "约60分钟后再试" in refused.data["error"]["message"]
    at(3600)  # the window includes its first second
    assert submit(api).status_code == 429
    at(3601)  # an hour after both: one place is free again, then both
    assert [submit(api).status_code for _ in range(3)] == [201, 201, 429]
    assert Petition.objects.count() == 4


def test_lookups_stay_limited_across_the_turn_of_the_hour(api, org, at, settings):
    settings.DAIBAN_PUBLIC_TRACK_PER_HOUR = 3
    created = submit(api).data
    look = lambda: api().get(f"/public/petitions/{created['number']}", code=created["query_code"])  # noqa: E731
    assert [look().status_code for _ in range(3)] == [200, 200, 200]
    at(30)
    refused = look()
    assert refused.status_code == 429 and refused["Retry-After"] == "3571"
    at(3601)
    assert look().status_code == 200


def test_wrong_codes_stay_counted_across_the_turn_of_the_hour(api, org, at, settings):
    created = submit(api).data
    url = f"/public/petitions/{created['number']}"
    for _ in range(settings.DAIBAN_PUBLIC_WRONG_CODES):
        assert api().get(url, code="AAAAAAAAAA").status_code == 404
    at(20)
    locked = api().get(url, code=created["query_code"])
    assert locked.status_code == 429 and int(locked["Retry-After"]) == 3581
    assert "约60分钟后再试" in locked.data["error"]["message"]
    at(3601)
    assert api().get(url, code=created["query_code"]).status_code == 200


def test_the_intake_check_stays_limited_across_the_turn_of_the_hour(api, org, at, settings):
    settings.DAIBAN_INTAKE_CHECKS_PER_HOUR = 2

    def check(serial: int):
        return api("agent1").post("/petitions/check", {"petitioner": {"id_number": id_number(serial=serial)},
                                                       "content": COMPLAINT})

    assert [check(400 + i).status_code for i in range(2)] == [200, 200]
    at(11)
    refused = check(410)
    assert refused.status_code == 429 and refused["Retry-After"] == "3590"
    assert "约60分钟后再试" in refused.data["error"]["message"]
    at(3601)
    assert check(411).status_code == 200


def test_the_portal_page_says_how_long_to_wait(client, org, at, settings):
    settings.DAIBAN_PUBLIC_TRACK_PER_HOUR = 1
    assert client.post("/track/WS-2026-000001/", {"code": "AAAAAAAAAA"}).status_code == 404
    at(1801)  # 30 minutes left
    page = client.post("/track/WS-2026-000001/", {"code": "AAAAAAAAAA"})
    assert page.status_code == 429 and "约30分钟后再试" in page.content.decode()


def test_a_wait_reads_in_whole_minutes_rounded_up():
    assert [ratelimit.wait_text(s) for s in (1, 59, 60, 61, 3600)] == ["约1分钟", "约1分钟", "约1分钟", "约2分钟",
                                                                       "约60分钟"]


@pytest.fixture
def redis_limits(settings):
    """The limits kept in Redis (DAIBAN_TEST_REDIS_URL, default db 11) under a prefix of this test."""
    import redis

    url = os.environ.get("DAIBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {url} (DAIBAN_TEST_REDIS_URL)")
    prefix = f"test-rl-{uuid.uuid4().hex[:8]}"
    settings.REDIS_URL = url
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    ratelimit._storage.cache_clear()
    ratelimit._limiter.cache_clear()
    yield client, prefix
    ratelimit.reset()
    ratelimit._storage.cache_clear()
    ratelimit._limiter.cache_clear()
    assert not list(client.scan_iter(f"{prefix}:*"))


def test_in_redis_two_servers_share_one_count_and_no_address_is_stored(redis_limits, at):
    client, prefix = redis_limits
    assert ratelimit.hit("public-submit", "203.0.113.7", limit=2, window=3600)
    # A second server: its own connection, the same counts.
    ratelimit._storage.cache_clear()
    ratelimit._limiter.cache_clear()
    assert ratelimit.hit("public-submit", "203.0.113.7", limit=2, window=3600)
    at(15)
    assert not ratelimit.hit("public-submit", "203.0.113.7", limit=2, window=3600)
    assert ratelimit.count("public-submit", "203.0.113.7", limit=2, window=3600) == 2
    assert ratelimit.retry_after("public-submit", "203.0.113.7", limit=2, window=3600) == 3586
    assert ratelimit.hit("public-submit", "203.0.113.8", limit=2, window=3600)  # another client
    keys = [key.decode() for key in client.scan_iter(f"{prefix}:*")]
    assert keys and all("203.0.113" not in key for key in keys)
    at(3601)
    assert ratelimit.hit("public-submit", "203.0.113.7", limit=2, window=3600)
