"""Fixed-window rate limits on the cache. Raise `RateLimited` (HTTP 429) when exceeded."""

from __future__ import annotations

import time

from django.core.cache import cache

from .errors import CoreErrorCode, RateLimited


def hit(key: str, *, limit: int, window_seconds: int, message: str = "") -> int:
    """Counts one use of `key`; raises RateLimited past `limit` uses in the current window."""
    bucket = int(time.time() // window_seconds)
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
            retry_after=window_seconds - int(time.time() % window_seconds),
        )
    return count


def client_ip(request: object) -> str:
    meta = getattr(request, "META", {})
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else meta.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
