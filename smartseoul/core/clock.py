"""The platform's clock. All modules ask `clock.now()` instead of `timezone.now()`, so tests
(including browser tests against a live server in the same process) can move time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from django.utils import timezone

_lock = threading.Lock()
_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    with _lock:
        if _frozen is not None:
            return _frozen
        return timezone.now() + _offset


def today_local() -> datetime:
    return timezone.localtime(now())


def advance(seconds: float) -> None:
    """Move the clock forward (test helper)."""
    global _offset, _frozen
    with _lock:
        if _frozen is not None:
            _frozen += timedelta(seconds=seconds)
        else:
            _offset += timedelta(seconds=seconds)


def freeze(at: datetime) -> None:
    global _frozen
    with _lock:
        _frozen = at


def reset() -> None:
    global _offset, _frozen
    with _lock:
        _offset = timedelta(0)
        _frozen = None
