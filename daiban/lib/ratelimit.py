"""Rate limits per client: at most N attempts in any `window` seconds (a moving window).

The counting is `limits` (the library behind Flask-Limiter and SlowAPI), its moving-window strategy,
kept in Redis when REDIS_URL is set (shared by every server and worker) and in this process's memory
otherwise (the embedded default, one server process).

Why a moving window: the fixed hourly buckets used before let a client spend its limit in the last
seconds of one hour and again in the first seconds of the next, twice the limit at once; CI caught
it when a test of four submissions an hour across two servers let seven through at the turn of
an hour. A moving window keeps a timestamp per attempt (at most N of them per client and scope).

Who a client is (`client_key`): an IPv4 address, or an IPv6 address's /64 network (one household's
or phone's allocation: otherwise each of its 2^64 addresses would count apart). Identifiers are
stored as a keyed HMAC (SECRET_KEY): Redis holds no addresses, and its keys cannot be reversed by
hashing every IPv4 address.

If Redis cannot be reached (down, or silent for a second), each server counts in its own memory
until Redis answers again, and says so in the log: the portal stays open to citizens, the limits
still hold (per server), and nothing answers 500.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import itertools
import logging
import math
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import TypeVar

import redis
from django.conf import settings
from django.utils.crypto import salted_hmac
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from daiban.lib.errors import RateLimited

log = logging.getLogger(__name__)
T = TypeVar("T")
# A Redis that accepts connections but does not answer holds a request this long, no longer.
_REDIS_TIMEOUT = 1.0


@functools.cache
def _memory() -> MovingWindowRateLimiter:
    """This process's own counts: the store of the embedded default, and the stand-in while Redis
    cannot be reached."""
    return MovingWindowRateLimiter(MemoryStorage())


@functools.cache
def _shared() -> MovingWindowRateLimiter | None:
    """The counts every server and worker shares (Redis), or None without REDIS_URL."""
    url = settings.REDIS_URL
    if not url:
        return None
    # The same prefix as the cache's: installations sharing one Redis database count apart, and
    # clearing a prefix (a test run's) clears its limits too.
    return MovingWindowRateLimiter(RedisStorage(
        url.replace("unix://", "redis+unix://", 1) if url.startswith("unix://") else url,
        key_prefix=f"{_prefix()}:rl", wrap_exceptions=True,
        socket_timeout=_REDIS_TIMEOUT, socket_connect_timeout=_REDIS_TIMEOUT))


@functools.cache
def _redis() -> redis.Redis:
    """A client of the same Redis, for the locks of `one_at_a_time`."""
    return redis.Redis.from_url(str(settings.REDIS_URL), socket_timeout=_REDIS_TIMEOUT,
                                socket_connect_timeout=_REDIS_TIMEOUT)


def _prefix() -> str:
    return str(settings.CACHES["default"].get("KEY_PREFIX") or "daiban")


def _item(limit: int, window: int) -> RateLimitItem:
    return RateLimitItemPerSecond(max(0, limit), max(1, window))


def _ident(ident: str) -> str:
    return salted_hmac("daiban.ratelimit", ident).hexdigest()[:32]


# After a failure Redis is left alone this many seconds: a silent Redis would otherwise cost each
# request a timeout per call (six or more), and each call a log line.
_RETRY_REDIS_AFTER = 10.0
_down_until = 0.0


def _unavailable(exc: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + _RETRY_REDIS_AFTER
    # The exception's text names the Redis address, never the client: safe to log.
    log.error("rate-limit store unavailable, counting in this process's memory for %d s: %s",
              _RETRY_REDIS_AFTER, type(exc.__cause__ or exc).__name__)


def _store_down() -> bool:
    return time.monotonic() < _down_until


def _run(operation: Callable[[MovingWindowRateLimiter], T]) -> T:
    """`operation` on the shared counts, or on this process's own while Redis is unreachable (as
    Flask-Limiter's in-memory fallback does). Down, each server counts for itself: a limit of N
    lets at most N per server through, rather than all (an earlier version let everything through,
    so stopping Redis lifted every limit, the staff intake check's included). What a server counted
    meanwhile is not carried into Redis when it is back."""
    shared = _shared()
    if shared is not None and not _store_down():
        try:
            return operation(shared)
        except StorageError as exc:
            _unavailable(exc)
    return operation(_memory())


# Every this many attempts the memory store drops the clients whose attempts have all expired.
_PRUNE_EVERY = 1024
_attempts = itertools.count(1)


def _prune_memory(storage: MemoryStorage) -> None:
    """limits' memory store empties a client's expired attempts but keeps the client's key for
    good: a script trying from many addresses (or IPv6 networks) would grow it without end. A
    client trying at the very moment its expired key is dropped may, once, be counted under a fresh
    lock beside one still held: at most one attempt too many, in memory only."""
    now = time.time()
    for key in list(storage.events):
        with storage.locks[key]:
            events = storage.events.get(key)
            # Expired at exactly its expiry, as limits' own expiry thread treats it.
            if events is not None and (not events or events[0].expiry <= now):  # newest first
                del storage.events[key]
                storage.locks.pop(key, None)


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one attempt by `ident` in `scope`; False (and not counted) when `limit` attempts were
    already made in the last `window` seconds."""
    if next(_attempts) % _PRUNE_EVERY == 0:
        storage = _memory().storage
        assert isinstance(storage, MemoryStorage)  # noqa: S101 (made so in _memory)
        _prune_memory(storage)
    return _run(lambda limiter: limiter.hit(_item(limit, window), scope, _ident(ident)))


def count(scope: str, ident: str, *, limit: int, window: int) -> int:
    """Attempts by `ident` in `scope` in the last `window` seconds, at most `limit`."""
    stats = _run(lambda limiter: limiter.get_window_stats(_item(limit, window), scope, _ident(ident)))
    return max(0, limit - stats.remaining)


def exceeded(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Whether `limit` attempts were already made in the last `window` seconds (nothing counted)."""
    return not _run(lambda limiter: limiter.test(_item(limit, window), scope, _ident(ident)))


def clear(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Forget `ident`'s attempts in `scope` (a right query code forgives the wrong ones before it)."""
    _run(lambda limiter: limiter.clear(_item(limit, window), scope, _ident(ident)))


def retry_after(scope: str, ident: str, *, limit: int, window: int) -> int:
    """Seconds (≥ 1, ≤ `window` + 1) until `ident` may try again in `scope`: when its oldest counted
    attempt leaves the window, plus one second (at exactly `window` seconds an attempt may still
    count or not: limits counts it, its memory store's expiry drops it), so a client that waits
    as told is not refused. For the Retry-After header of a 429."""
    stats = _run(lambda limiter: limiter.get_window_stats(_item(limit, window), scope, _ident(ident)))
    return min(window + 1, max(1, int(stats.reset_time - time.time()) + 1))


def wait_text(seconds: int) -> str:
    """How long to wait, as a citizen reads it: 约 N 分钟 (N ≥ 1, rounded up)."""
    return f"约{max(1, math.ceil(seconds / 60))}分钟"


def _refuse(message: str, seconds: int) -> RateLimited:
    return RateLimited(message.replace("{wait}", wait_text(seconds)), retry_after=seconds)


def take(scope: str, ident: str, *, limit: int, window: int, message: str) -> None:
    """Count one attempt, or raise RateLimited(message) (429, with the seconds to wait as `retry_after`;
    "{wait}" in the message becomes 约 N 分钟) when `limit` attempts were already made in the last
    `window` seconds."""
    if not hit(scope, ident, limit=limit, window=window):
        raise _refuse(message, retry_after(scope, ident, limit=limit, window=window))


def refuse_if_exceeded(scope: str, ident: str, *, limit: int, window: int, message: str) -> None:
    """Raise RateLimited(message) with `retry_after` when `limit` attempts were already made in the
    last `window` seconds ("{wait}" as in `take`); count nothing."""
    if exceeded(scope, ident, limit=limit, window=window):
        raise _refuse(message, retry_after(scope, ident, limit=limit, window=window))


# The embedded default's locks: a fixed set, each key always on the same one (two clients may share
# a lock and wait for each other a few milliseconds; a lock per client would grow without end).
# Never hold two: two requests each holding one stripe and waiting for the other's would wait for
# each other until the timeout (portal.services.submitting takes one lock for that reason).
_LOCKS = tuple(threading.Lock() for _ in range(64))


@contextlib.contextmanager
def one_at_a_time(scope: str, ident: str, *, timeout: float = 10) -> Iterator[None]:
    """Run the block for one `ident` in `scope` at a time, across servers (a Redis lock) or threads
    (the embedded default). For a check, then an action, then a count that must not interleave:
    sixty guesses of a query code sent at once must not all pass the check before any is counted.
    RateLimited when the lock is not had within `timeout` seconds. While Redis is unreachable, one at
    a time within this server (as the counts fall back to its memory)."""
    key = f"lock:{scope}:{_ident(ident)}"
    if settings.REDIS_URL and not _store_down():
        lock = _redis().lock(f"{_prefix()}:rl:{key}", timeout=timeout, blocking_timeout=timeout)
        try:
            acquired = lock.acquire()
        except redis.RedisError as exc:
            _unavailable(exc)
        else:
            if not acquired:
                raise RateLimited("请求过于频繁，请稍后再试", retry_after=1)
            try:
                yield
            finally:
                with contextlib.suppress(redis.RedisError):  # expired meanwhile, or Redis gone: it frees itself
                    lock.release()
            return
    # The embedded default, or Redis unreachable: one at a time within this process.
    local = _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]
    if not local.acquire(timeout=timeout):
        raise RateLimited("请求过于频繁，请稍后再试", retry_after=1)
    try:
        yield
    finally:
        local.release()


def reset() -> None:
    """Forget every count, this process's and (when reachable) the shared ones, and any note that
    Redis was down (each test starts with none)."""
    global _down_until
    _down_until = 0.0
    _memory().storage.reset()
    shared = _shared()
    if shared is not None:
        with contextlib.suppress(StorageError, redis.RedisError):
            shared.storage.reset()


def client_key(address: str) -> str:
    """Who a client is for the limits: an IPv4 address as it is; an IPv6 address as its /64 network
    (an IPv4-mapped one as the IPv4 address); with a port ("203.0.113.5:4001", "[2001:db8::1]:443")
    as without; anything else (a malformed header) as one client, "unparsable"."""
    ip = _parse_address(address)
    if ip is None:
        # Not an address (a proxy writing something odd): all such clients are one, not each a new one.
        return "unparsable"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def network(key: str) -> str | None:
    """The /48 an IPv6 client (`client_key`'s "…/64") belongs to, for a ceiling over the clients of
    one site; None for an IPv4 client or an unparsable one."""
    if not key.endswith("/64"):
        return None
    try:
        return str(ipaddress.IPv6Network(key).supernet(new_prefix=48))
    except ValueError:
        return None


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    candidates = [text]
    if text.startswith("[") and "]" in text:  # [v6] or [v6]:port
        candidates = [text[1:text.index("]")]]
    elif text.count(":") == 1:  # v4:port
        candidates.append(text.split(":")[0])
    for candidate in candidates:
        try:
            return ipaddress.ip_address(candidate.split("%")[0])  # without a v6 zone ("%eth0")
        except ValueError:
            continue
    return None


def client_ip(request) -> str:
    """The client's address. A forwarding header is believed only from a configured proxy:
    otherwise anyone could send a fresh X-Real-IP with every request and never be limited. Of a
    list (X-Forwarded-For), the last entry: the one our proxy added; those before it are whatever
    the client sent."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.DAIBAN_TRUSTED_PROXIES:
        forwarded = request.META.get(settings.DAIBAN_CLIENT_IP_HEADER, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return remote


def client(request) -> str:
    """The client as the limits count it: `client_key(client_ip(request))`."""
    return client_key(client_ip(request))
