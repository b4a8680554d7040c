"""Fixed-window rate limits in the cache (local memory by default, Redis in production)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, ident: str, window: int) -> str:
    bucket = int(time.time()) // window
    return f"rl:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}:{bucket}"


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False when the limit for this window is already used up."""
    key = _key(scope, ident, window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def seconds_left(window: int) -> int:
    """Seconds until the current fixed window of `window` seconds ends (for Retry-After)."""
    return max(1, window - int(time.time()) % window)


def count(scope: str, ident: str, *, window: int) -> int:
    return cache.get(_key(scope, ident, window)) or 0


def exceeded(scope: str, ident: str, *, limit: int, window: int) -> bool:
    return (cache.get(_key(scope, ident, window)) or 0) >= limit


def client_ip(request) -> str:
    """The client's address. A forwarding header is believed only from a configured proxy:
    otherwise anyone could send a fresh X-Real-IP with every request and never be limited."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.DAIBAN_TRUSTED_PROXIES:
        forwarded = request.META.get(settings.DAIBAN_CLIENT_IP_HEADER, "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return remote
