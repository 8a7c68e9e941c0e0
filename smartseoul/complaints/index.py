"""An in-memory column store of every report's public facts (coarsened position, category,
status, district, department, assignee, times), kept per process.

Map layers and dashboard widgets read it instead of scanning the table: a whole-city clustered
map over 200,000 reports is a few numpy passes. It follows the table incrementally: writes in
this process mark it dirty (`mark_dirty`, on commit); other processes' writes are picked up by a
cheap signature check (count, max id, max updated_at) at most every `RECHECK_SECONDS`, which
then reads only the rows changed since the last look.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

RECHECK_SECONDS = 3.0
OVERLAP = timedelta(seconds=2)
STATUS_CODES = ("received", "assigned", "in_progress", "transferred", "reopened", "resolved", "rejected", "merged")
OPEN_CODES = np.array([0, 1, 2, 3, 4], dtype=np.int8)
STATUS_INDEX = {s: i for i, s in enumerate(STATUS_CODES)}
FIELDS = (
    "id",
    "public_lon",
    "public_lat",
    "category_id",
    "status",
    "district_id",
    "department_id",
    "assignee_id",
    "created_at",
    "due_at",
    "closed_at",
)


@dataclass(frozen=True)
class Columns:
    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    category: np.ndarray
    status: np.ndarray
    district: np.ndarray
    department: np.ndarray
    assignee: np.ndarray
    created: np.ndarray  # epoch seconds
    due: np.ndarray
    closed: np.ndarray  # NaN while open

    def __len__(self) -> int:
        return int(self.ids.size)

    @property
    def is_open(self) -> np.ndarray:
        return np.isin(self.status, OPEN_CODES)


def _empty() -> Columns:
    f = np.empty(0, dtype=np.float64)
    i = np.empty(0, dtype=np.int64)
    return Columns(i, f, f, i, np.empty(0, dtype=np.int8), i, i, i, f, f, f)


def _epoch(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("nan")


def _columns(rows: list[tuple[Any, ...]]) -> Columns:
    if not rows:
        return _empty()
    ids, lon, lat, cat, status, district, dept, assignee, created, due, closed = zip(*rows, strict=True)
    return Columns(
        ids=np.array(ids, dtype=np.int64),
        lon=np.array(lon, dtype=np.float64),
        lat=np.array(lat, dtype=np.float64),
        category=np.array(cat, dtype=np.int64),
        status=np.array([STATUS_INDEX.get(s, 0) for s in status], dtype=np.int8),
        district=np.array(district, dtype=np.int64),
        department=np.array([d or 0 for d in dept], dtype=np.int64),  # 0: not routed yet
        assignee=np.array([a or 0 for a in assignee], dtype=np.int64),
        created=np.array([_epoch(v) for v in created], dtype=np.float64),
        due=np.array([_epoch(v) for v in due], dtype=np.float64),
        closed=np.array([_epoch(v) for v in closed], dtype=np.float64),
    )


class ComplaintIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cols: Columns = _empty()
        self._pos: dict[int, int] = {}
        self._loaded = False
        self._dirty = True
        self._checked = 0.0
        self._max_id = 0
        self._max_updated: datetime | None = None
        self.full_loads = 0

    def mark_dirty(self) -> None:
        self._dirty = True

    def invalidate(self) -> None:
        with self._lock:
            self._loaded = False
            self._dirty = True

    def columns(self) -> Columns:
        """The current snapshot (refreshed when stale). Snapshots are never mutated."""
        if self._dirty or time.monotonic() - self._checked > RECHECK_SECONDS or not self._loaded:
            with self._lock:
                if self._dirty or time.monotonic() - self._checked > RECHECK_SECONDS or not self._loaded:
                    self._refresh()
        return self._cols

    def _refresh(self) -> None:
        from django.db.models import Count, Max

        from .models import Complaint

        self._dirty = False
        self._checked = time.monotonic()
        sig = Complaint.objects.aggregate(n=Count("id"), mx=Max("id"), mu=Max("updated_at"))
        n, mx, mu = sig["n"] or 0, sig["mx"] or 0, sig["mu"]
        if n == 0:
            self._set(_empty(), 0, None)
            return
        if (
            not self._loaded
            or mx < self._max_id
            or self._max_updated is None
            or (mu is not None and mu < self._max_updated)
        ):
            self._full_load(mu)
            return
        if mx == self._max_id and mu == self._max_updated and n == len(self._cols):
            return
        changed = list(
            Complaint.objects.filter(updated_at__gte=self._max_updated - OVERLAP).values_list(*FIELDS)
        ) + list(Complaint.objects.filter(id__gt=self._max_id).values_list(*FIELDS))
        self._apply(changed)
        if len(self._cols) != n:
            self._full_load(mu)
            return
        self._max_id, self._max_updated = mx, mu

    def _full_load(self, mu: datetime | None) -> None:
        """Reads every row; `mu` is the max updated_at seen *before* reading, so rows changed
        during the read are read again by the next incremental refresh."""
        from .models import Complaint

        self.full_loads += 1
        rows = list(Complaint.objects.order_by("id").values_list(*FIELDS).iterator(chunk_size=20_000))
        cols = _columns(rows)
        self._set(cols, int(cols.ids.max()) if len(cols) else 0, mu)

    def _set(self, cols: Columns, max_id: int, max_updated: datetime | None) -> None:
        self._cols = cols
        self._pos = {int(v): i for i, v in enumerate(cols.ids.tolist())}
        self._max_id = max_id
        self._max_updated = max_updated
        self._loaded = True

    def _apply(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        latest: dict[int, tuple[Any, ...]] = {r[0]: r for r in rows}
        update = _columns(list(latest.values()))
        cols = self._cols
        existing = np.array([self._pos.get(int(i), -1) for i in update.ids.tolist()], dtype=np.int64)
        old = existing >= 0
        names = (
            "ids",
            "lon",
            "lat",
            "category",
            "status",
            "district",
            "department",
            "assignee",
            "created",
            "due",
            "closed",
        )
        merged: dict[str, np.ndarray] = {}
        for name in names:
            base = getattr(cols, name).copy()
            new = getattr(update, name)
            base[existing[old]] = new[old]
            merged[name] = np.concatenate([base, new[~old]])
        fresh = Columns(**merged)
        start = len(cols)
        pos = dict(self._pos)
        for k, v in enumerate(update.ids[~old].tolist()):
            pos[int(v)] = start + k
        self._cols = fresh
        self._pos = pos


complaint_index = ComplaintIndex()
