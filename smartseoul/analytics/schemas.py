"""API schemas of the analytics module."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class JobIn(Schema):
    kind: str
    params: dict[str, Any] = {}
    title: str = ""


class JobOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    progress: float
    message: str
    cancel_requested: bool
    params: dict[str, Any]
    result: dict[str, Any]
    error_code: str
    error_message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    geojson_url: str | None = None

    @staticmethod
    def resolve_geojson_url(obj: Any) -> str | None:
        return f"/api/v1/analytics/jobs/{obj.pk}/geojson" if obj.geojson is not None else None


class ImportOut(Schema):
    id: int
    source: str
    synthetic: bool
    rows_total: int
    rows_good: int
    rows_bad: int
    bad_rows: list[dict[str, Any]]
    bad_reasons: dict[str, int]
    first_date: date | None
    last_date: date | None


class IndicatorOut(Schema):
    area_code: str
    district_code: str
    category: str
    reference_date: date
    stores: int
    openings_1y: int
    closures_1y: int
    survival_1y: float | None
    survival_3y: float | None
    closure_rate: float | None
    store_growth: float | None
    sales_trend: float | None
    sales_per_store: float | None
    light: int | None
    reasons: list[str]


class RouteOut(Schema):
    id: int
    name: str
    cells: list[int]
    resolution: int
