from __future__ import annotations

from typing import Any

from ninja import Schema


class WidgetOut(Schema):
    key: str
    title: str
    kind: str
    section: str
    data: dict[str, Any]
    error: str | None = None
    state: str = "ready"  # ready | computing (never computed yet; ask again in a few seconds) | unavailable
    message: str | None = None  # the state in the request's language, when not ready


class LayerOut(Schema):
    key: str
    title: str
    category: str
    source: str
    style: dict[str, Any]
    legend: dict[str, str]
    geojson: str
    description: str = ""


class NearbyOut(Schema):
    layer: str
    layer_title: str
    name: str
    lat: float
    lon: float
    distance_m: float
    detail: str = ""


class ThemeOut(Schema):
    id: int
    title_ko: str
    title_en: str
    description: str
    by_official: bool
    layer: str
    geojson: str
