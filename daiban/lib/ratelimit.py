"""Rate limits per client: at most N attempts in any `window` seconds (a moving window).

The counting is `limits` (the library behind Flask-Limiter and SlowAPI), its moving-window strategy,
kept in Redis when REDIS_URL is set (shared by every server and worker) and in this process's memory
otherwise (the embedded default, one server process).

Why a moving window: the fixed hourly buckets used before let a client spend its limit in the last
seconds of one hour and again in the first seconds of the next, twice the limit at once; CI caught
it when a test of four submissions an hour across two servers let seven through at the turn of
an hour. A moving window keeps a timestamp per attempt (at most N of them per client and scope).

Identifiers (an IP address, an account's id, a number with its client) are hashed before they are
stored: Redis holds no addresses.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time

from django.conf import settings
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from daiban.lib.errors import RateLimited


@functools.cache
def _limiter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(_storage())


@functools.cache
def _storage() -> Storage:
    url = settings.REDIS_URL
    if not url:
        return MemoryStorage()
    # The same prefix as the cache's: installations sharing one Redis database count apart, and
    # clearing a prefix (a test run's) clears its limits too.
    prefix = f"{settings.CACHES['default'].get('KEY_PREFIX') or 'daiban'}:rl"
    return RedisStorage(url.replace("unix://", "redis+unix://", 1) if url.startswith("unix://") else url,
                        key_prefix=prefix)


def _item(limit: int, window: int) -> RateLimitItem:
    return RateLimitItemPerSecond(max(0, limit), max(1, window))


def _ident(ident: str) -> str:
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one attempt by `ident` in `scope`; False (and not counted) when `limit` attempts were
    already made in the last `window` seconds."""
    return _limiter().hit(_item(limit, window), scope, _ident(ident))


def count(scope: str, ident: str, *, limit: int, window: int) -> int:
    """Attempts by `ident` in `scope` in the last `window` seconds, at most `limit`."""
    stats = _limiter().get_window_stats(_item(limit, window), scope, _ident(ident))
    return max(0, limit - stats.remaining)


def exceeded(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Whether `limit` attempts were already made in the last `window` seconds (nothing counted)."""
    return not _limiter().test(_item(limit, window), scope, _ident(ident))


def retry_after(scope: str, ident: str, *, limit: int, window: int) -> int:
    """Seconds (≥ 1) until `ident` may try again in `scope`: when its oldest counted attempt leaves
    the window (the window includes its first second: an attempt made exactly `window` seconds
    later is still refused). For the Retry-After header of a 429."""
    stats = _limiter().get_window_stats(_item(limit, window), scope, _ident(ident))
    return max(1, int(stats.reset_time - time.time()) + 1)


def wait_text(seconds: int) -> str:
    """How long to wait, as a citizen reads it: 约 N 分钟 (N ≥ 1, rounded up)."""
    return f"约{max(1, math.ceil(seconds / 60))}分钟"


def _refuse(error: type[RateLimited], message: str, seconds: int) -> RateLimited:
    return error(message.replace("{wait}", wait_text(seconds)), retry_after=seconds)


def take(scope: str, ident: str, *, limit: int, window: int, message: str,
         error: type[RateLimited] = RateLimited) -> None:
    """Count one attempt, or raise `error(message)` (429, with the seconds to wait as `retry_after`;
    "{wait}" in the message becomes 约 N 分钟) when `limit` attempts were already made in the last
    `window` seconds."""
    if not hit(scope, ident, limit=limit, window=window):
        raise _refuse(error, message, retry_after(scope, ident, limit=limit, window=window))


def refuse_if_exceeded(scope: str, ident: str, *, limit: int, window: int, message: str,
                       error: type[RateLimited] = RateLimited) -> None:
    """Raise `error(message)` with `retry_after` when `limit` attempts were already made in the
    last `window` seconds ("{wait}" as in `take`); count nothing."""
    if exceeded(scope, ident, limit=limit, window=window):
        raise _refuse(error, message, retry_after(scope, ident, limit=limit, window=window))


def reset() -> None:
    """Forget every count (each test starts with none)."""
    _storage().reset()


def client_ip(request) -> str:
    """The client's address. A forwarding header is believed only from a configured proxy:
    otherwise anyone could send a fresh X-Real-IP with every request and never be limited."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.DAIBAN_TRUSTED_PROXIES:
        forwarded = request.META.get(settings.DAIBAN_CLIENT_IP_HEADER, "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return remote
