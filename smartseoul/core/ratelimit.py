"""Fixed-window rate limits on the cache. Raise `RateLimited` (HTTP 429) when exceeded."""

from __future__ import annotations

from django.core.cache import cache

from . import clock
from .errors import CoreErrorCode, RateLimited


def hit(key: str, *, limit: int, window_seconds: int, message: str = "") -> int:
    """Counts one use of `key`; raises RateLimited past `limit` uses in the current window."""
    now = clock.now().timestamp()  # the platform clock, so tests can move time across windows
    bucket = int(now // window_seconds)
    cache_key = f"rl:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds + 5)
            count = 1
    if count > limit:
        raise RateLimited(
            message or "Too many requests; please wait and try again.",
            code=CoreErrorCode.RATE_LIMITED,
            retry_after=window_seconds - int(now % window_seconds),
        )
    return count


def client_ip(request: object) -> str:
    """The peer's address. Never X-Forwarded-For as sent: any client can write that header, and a
    limit keyed on it is no limit. Behind a proxy, the WSGI entry point (smartseoul/wsgi.py) puts the client's
    address into REMOTE_ADDR for the proxies it trusts (FORWARDED_ALLOW_IPS, 127.0.0.1 by default)."""
    meta = getattr(request, "META", {})
    return meta.get("REMOTE_ADDR", "") or "unknown"  # one shared bucket for requests without an address
