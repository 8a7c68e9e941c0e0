"""Time parsing for SensorThings and S-DoT values (instants, intervals, offsets without a colon)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
KST = ZoneInfo("Asia/Seoul")


def local_zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "TIME_ZONE", "Asia/Seoul") or "Asia/Seoul")


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant. Offsets may lack the colon (`-0700`); a time without an offset is
    taken as the city's local time."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a time must be an ISO 8601 string")
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    s = _OFFSET_NO_COLON.sub(r"\1:\2", s) if "T" in s else s
    try:
        dt = datetime.fromisoformat(s)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=local_zone())
    return dt.astimezone(UTC)


def parse_time_value(text: str) -> tuple[datetime, datetime | None]:
    """An instant or a `start/end` interval."""
    if isinstance(text, str) and "/" in text:
        a, b = text.split("/", 1)
        start, end = parse_instant(a), parse_instant(b)
        if end < start:
            raise ValueError("an interval cannot end before it starts")
        return start, end
    return parse_instant(text), None


def to_us(dt: datetime) -> int:
    return (dt - EPOCH_UTC) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return EPOCH_UTC + timedelta(microseconds=int(us))


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    dt = dt.astimezone(UTC)
    text = dt.isoformat(timespec="milliseconds" if dt.microsecond % 1000 == 0 and dt.microsecond else "seconds")
    if dt.microsecond and dt.microsecond % 1000:
        text = dt.isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z")


def iso_interval(start: datetime | None, end: datetime | None) -> str | None:
    if start is None:
        return None
    if end is None or end == start:
        return iso(start)
    return f"{iso(start)}/{iso(end)}"
