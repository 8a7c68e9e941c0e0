"""Reads of the analytics module: the city grid, jobs, imports, routes and commercial indicators."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import QuerySet

from smartseoul.core import selectors as core_selectors
from smartseoul.lib.hexgrid import Grid

from .errors import AnalyticsErrorCode, AnalyticsForbidden, AnalyticsNotFound
from .models import CommerceIndicator, ExistingRoute, GridCell, Job, JobKind, JobState, TripImport

if TYPE_CHECKING:
    from smartseoul.accounts.models import User


@dataclass(frozen=True)
class CityGrid:
    """The city grid at one resolution: cells (sorted int64), centres, ids, district and dong."""

    resolution: int
    version: int
    grid: Grid
    ids: list[str]
    districts: list[str]
    dongs: list[str]

    @cached_property
    def adjacency(self) -> list[list[tuple[int, float]]]:
        return self.grid.neighbours()

    def __len__(self) -> int:
        return len(self.grid)


_grid_cache: dict[tuple[int, int], CityGrid] = {}
_grid_lock = threading.Lock()


def boundaries_version() -> int:
    city = core_selectors.city()
    return int(city.boundaries_version) if city is not None else 0


def grid_rows(resolution: int) -> QuerySet[GridCell]:
    return GridCell.objects.filter(resolution=resolution)


def grid_is_current(resolution: int) -> bool:
    row = grid_rows(resolution).values_list("boundaries_version", flat=True).first()
    return row is not None and row == boundaries_version()


def city_grid(resolution: int = 8) -> CityGrid:
    """The stored grid (build it with services.grid_build); cached per boundaries version."""
    version = boundaries_version()
    key = (resolution, version)
    with _grid_lock:
        cached = _grid_cache.get(key)
    if cached is not None:
        return cached
    rows = list(grid_rows(resolution).filter(boundaries_version=version)
                .values_list("cell_id", "cell", "lat", "lon", "district_code", "dong_code"))
    if not rows:
        raise AnalyticsNotFound("The city grid has not been built yet.", code=AnalyticsErrorCode.NO_GRID)
    rows.sort()
    grid = Grid(resolution, np.array([r[0] for r in rows], dtype=np.int64), np.array([r[2] for r in rows]),
                np.array([r[3] for r in rows]))
    result = CityGrid(resolution, version, grid, [r[1] for r in rows], [r[4] for r in rows], [r[5] for r in rows])
    with _grid_lock:
        _grid_cache.clear()
        _grid_cache[key] = result
    return result


def forget_grid_cache() -> None:
    with _grid_lock:
        _grid_cache.clear()


def is_analyst(user: Any) -> bool:
    from smartseoul.accounts.models import Capability

    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.ANALYST))


def require_analyst(user: Any) -> User:
    if not is_analyst(user):
        raise AnalyticsForbidden("This needs the data analyst capability.", code=AnalyticsErrorCode.NOT_ANALYST)
    return user  # type: ignore[no-any-return]


def jobs(kind: str | None = None) -> QuerySet[Job]:
    qs = Job.objects.select_related("created_by")
    return qs.filter(kind=kind) if kind else qs


def job(job_id: int) -> Job:
    found = Job.objects.filter(pk=job_id).first()
    if found is None:
        raise AnalyticsNotFound("No such analysis job.", code=AnalyticsErrorCode.JOB_NOT_FOUND)
    return found


def latest_job(kind: str) -> Job | None:
    return Job.objects.filter(kind=kind, state=JobState.DONE).order_by("-finished_at", "-id").first()


def finished_plans() -> QuerySet[Job]:
    return Job.objects.filter(kind=JobKind.PLAN, state=JobState.DONE).order_by("-finished_at", "-id")


def imports() -> QuerySet[TripImport]:
    return TripImport.objects.all()


def existing_routes() -> QuerySet[ExistingRoute]:
    return ExistingRoute.objects.all()


def commerce_indicators(category: str | None = None, area_code: str | None = None) -> QuerySet[CommerceIndicator]:
    qs = CommerceIndicator.objects.all()
    if category:
        qs = qs.filter(category=category)
    if area_code:
        qs = qs.filter(area_code=area_code)
    return qs


def commerce_indicator(area_code: str, category: str) -> CommerceIndicator | None:
    return CommerceIndicator.objects.filter(area_code=area_code, category=category).first()
