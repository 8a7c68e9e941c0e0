"""Reads of the Digital Mayor's Office and Smart Seoul Map.

Everything about other modules comes through the registry: widgets (`registry.widgets()`) and
map layers (`registry.layers()`), never their tables. Widget results are cached in the Django
cache (fresh for `WIDGET_TTL` seconds, then refreshed in the background; one `get_many` per
page), so a page view never scans raw tables;
layers are cached per process as numpy arrays (`LAYER_TTL`), then clustered or turned into a
heat map per request with `smartseoul.lib.cluster`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from smartseoul.core import clock, poi, registry
from smartseoul.core import selectors as core_selectors
from smartseoul.core.registry import LayerQuery, Period, WidgetQuery
from smartseoul.lib.cluster import grid_clusters, hexagon_heat
from smartseoul.lib.geo import EARTH_M_PER_DEG_LAT, EARTH_M_PER_DEG_LON_EQUATOR

from .errors import DashboardErrorCode, DashboardInvalid, DashboardNotFound
from .models import ThemeMap, ThemePoint, ThemeStatus

log = logging.getLogger("smartseoul.dashboard")

WIDGET_TTL = int(getattr(settings, "DASHBOARD_WIDGET_TTL", 20))  # a shown area's figures are recomputed after this
LAYER_TTL = float(getattr(settings, "DASHBOARD_LAYER_TTL", 30))
SHAPES_TTL = 300
POLL_SECONDS = 10
CACHE_VERSION = 1
MAX_RAW_POINTS = 5000
SEOUL_BOUNDS = (124.0, 33.0, 132.0, 39.0)  # west, south, east, north: the checker's bounds for any layer

PERIODS: dict[str, tuple[Any, timedelta | None]] = {
    "today": (_("Today"), None),
    "7d": (_("7 days"), timedelta(days=7)),
    "30d": (_("30 days"), timedelta(days=30)),
    "90d": (_("90 days"), timedelta(days=90)),
    "365d": (_("1 year"), timedelta(days=365)),
}
DEFAULT_PERIOD = "7d"

SECTIONS: dict[str, Any] = {
    "city": _("City status now"),
    "participation": _("Participation"),
    "environment": _("Environment and safety"),
    "opendata": _("Open data"),
}

# --- periods ---------------------------------------------------------------------------------


def period_for(key: str) -> Period:
    if key not in PERIODS:
        raise DashboardInvalid(gettext("Unknown period %(key)r; use one of %(keys)s.")
                               % {"key": key, "keys": ", ".join(PERIODS)},
                               code=DashboardErrorCode.UNKNOWN_PERIOD)
    end = clock.now()
    delta = PERIODS[key][1]
    if delta is None:
        local = clock.today_local()
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        start = end - delta
    return Period(start=start, end=end)


# --- the board -------------------------------------------------------------------------------


@dataclass
class Card:
    key: str
    title: str
    kind: str
    section: str
    internal: bool
    data: Mapping[str, Any]
    error: str = ""
    pending: bool = False  # never computed yet: the task worker is computing it


@dataclass
class Section:
    key: str
    title: str
    cards: list[Card] = field(default_factory=list)


def can_see_internal(user: Any) -> bool:
    """Officials see the internal version of the mayor's office (its gate and the back-office tile ask this)."""
    return bool(user is not None and user.is_authenticated and user.acts_as_staff)


def visible_widgets(internal: bool) -> list[registry.Widget]:
    """Public pages never even compute internal widgets."""
    return [w for w in registry.widgets() if internal or not w.internal]


def current_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE or "ko").split("-")[0]


@dataclass(frozen=True)
class AreaKey:
    """One area of the mayor's office as its figures are stored: period, district, dong, version
    and language (a widget's translated labels must never reach a page in the other language)."""

    period: str
    district_code: str | None
    neighborhood_code: str | None
    internal: bool
    language: str

    @property
    def area(self) -> str:
        return "|".join([self.period, self.district_code or "-", self.neighborhood_code or "-",
                         "i" if self.internal else "p", self.language])

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)

    def fields(self) -> dict[str, Any]:
        """The stored row's fields (its code columns hold "" for none)."""
        return {**asdict(self), "district_code": self.district_code or "",
                "neighborhood_code": self.neighborhood_code or ""}

    def query(self) -> WidgetQuery:
        return WidgetQuery(period=period_for(self.period), district_code=self.district_code,
                           neighborhood_code=self.neighborhood_code, internal=self.internal)

    @classmethod
    def of(cls, row: Any) -> AreaKey:
        return cls(row.period, row.district_code or None, row.neighborhood_code or None, row.internal, row.language)


def compute_widget(widget: registry.Widget, query: WidgetQuery) -> tuple[dict[str, Any], str]:
    """One widget's figures, or ({}, "unavailable") when its module fails: one module's failure
    must not take the mayor's screen down."""
    try:
        return dict(widget.compute(query)), ""
    except Exception:
        log.exception("dashboard widget %s failed", widget.key)
        return {}, "unavailable"


PENDING_RECHECK = 2  # seconds a "being computed" answer is kept before the store is read again
PENDING_POLL_SECONDS = 3  # the board polls faster while a figure is being computed
VIEWED_MARK_SECONDS = 300  # how often a shown area records that it was shown


def sections(cards: Sequence[Card]) -> list[Section]:
    out: dict[str, Section] = {}
    for key, title in SECTIONS.items():
        out[key] = Section(key, str(title))
    for card in cards:
        if card.section not in out:
            out[card.section] = Section(card.section, card.section.replace("_", " ").capitalize())
        out[card.section].cards.append(card)
    return [s for s in out.values() if s.cards]


def card_state(card: Card) -> tuple[str, str | None]:
    """The card's state for the API and the page, with its message in the request's language."""
    from django.utils.translation import gettext

    if card.pending:
        return "computing", gettext("Being computed. The figures appear in a few seconds.")
    if card.error:
        return "unavailable", gettext("Temporarily unavailable.")
    return "ready", None


def public_board_json(cards: Sequence[Card]) -> list[dict[str, Any]]:
    out = []
    for c in cards:
        if c.internal:
            continue
        state, message = card_state(c)
        out.append({"key": c.key, "title": c.title, "kind": c.kind, "section": c.section, "data": c.data,
                    "error": c.error or None, "state": state, "message": message})
    return out


# --- areas and shapes for the choropleth and the drill-down ----------------------------------


@dataclass(frozen=True)
class Area:
    code: str
    name_ko: str
    name_en: str
    path: str  # SVG path data in the shapes' viewBox

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") and self.name_en else self.name_ko


@dataclass(frozen=True)
class Shapes:
    areas: tuple[Area, ...]
    view_box: str

    def by_code(self) -> dict[str, Area]:
        return {a.code: a for a in self.areas}


def _svg_shapes(rows: Sequence[tuple[str, str, str, Mapping[str, Any] | None]], tolerance: float) -> Shapes:
    geoms = []
    for code, ko, en, boundary in rows:
        if not boundary:
            continue
        try:
            geom = shapely.geometry.shape(boundary).simplify(tolerance, preserve_topology=True)
        except Exception:  # a broken boundary is left off the picture, not the page
            log.warning("boundary of %s cannot be drawn", code)
            continue
        geoms.append((code, ko, en, geom))
    if not geoms:
        return Shapes((), "0 0 100 100")
    bounds = np.array([g.bounds for *_, g in geoms])
    west, south, east, north = bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
    kx = math.cos(math.radians((south + north) / 2)) * 1000
    ky = 1000.0

    def ring(coords: Any) -> str:
        pts = [f"{(x - west) * kx:.1f},{(north - y) * ky:.1f}" for x, y in list(coords)[:-1]]
        return "M" + "L".join(pts) + "Z"

    areas = []
    for code, ko, en, geom in geoms:
        polys = geom.geoms if hasattr(geom, "geoms") else [geom]
        path = "".join(ring(p.exterior.coords) + "".join(ring(i.coords) for i in p.interiors)
                       for p in polys if p.geom_type == "Polygon")
        areas.append(Area(code, ko, en, path))
    width, height = (east - west) * kx, (north - south) * ky
    return Shapes(tuple(areas), f"0 0 {width:.1f} {height:.1f}")


def district_shapes() -> Shapes:
    shapes = cache.get("dash:shapes:gu")
    if shapes is None:
        rows = [(d.code, d.name_ko, d.name_en, d.boundary) for d in core_selectors.districts()]
        shapes = _svg_shapes(rows, tolerance=0.0015)
        cache.set("dash:shapes:gu", shapes, SHAPES_TTL)
    return shapes


def neighborhood_shapes(district_code: str) -> Shapes:
    key = f"dash:shapes:dong:{district_code}"
    shapes = cache.get(key)
    if shapes is None:
        rows = [(n.code, n.name_ko, n.name_en, n.boundary) for n in core_selectors.neighborhoods(district_code)]
        shapes = _svg_shapes(rows, tolerance=0.0003)
        cache.set(key, shapes, SHAPES_TTL)
    return shapes


def check_area(district_code: str | None, neighborhood_code: str | None) -> tuple[Area | None, Area | None]:
    """The chosen district and dong (from the cached shapes), refusing unknown codes."""
    if not district_code:
        if neighborhood_code:
            raise DashboardInvalid(gettext("Choose a district before a neighbourhood."), code="unknown_district")
        return None, None
    district = district_shapes().by_code().get(district_code)
    if district is None:
        raise DashboardNotFound(gettext("No district with code %(code)s.") % {"code": district_code},
                                code="unknown_district")
    if not neighborhood_code:
        return district, None
    dong = neighborhood_shapes(district_code).by_code().get(neighborhood_code)
    if dong is None:
        raise DashboardNotFound(gettext("No neighbourhood %(dong)s in district %(district)s.")
                                % {"dong": neighborhood_code, "district": district_code},
                                code="unknown_neighborhood")
    return district, dong


PALETTE = ("#e8f0fa", "#bcd3ee", "#7fa9dc", "#3f7cc4", "#0b4ea2")
NO_DATA = "#f3f4f6"  # an area without a figure (never a colour of the scale)


def choropleth(values: Mapping[str, Any], shapes: Shapes,
               categories: Sequence[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Each area with its value, its fill and its path.

    Numbers fall in five classes of the maximum (PALETTE). With `categories` (a widget's ordered
    scale `[{"key", "label", "color", "range"}]`, e.g. fine-dust grades) an area's value is a
    category key and takes that category's colour; `rank` is its place on the scale."""
    out: list[dict[str, Any]] = []
    if categories:
        by_key = {str(c.get("key")): (i, c) for i, c in enumerate(categories)}
        for area in shapes.areas:
            hit = by_key.get(str(values.get(area.code))) if values.get(area.code) is not None else None
            rank, cat = hit if hit else (None, None)
            out.append({"code": area.code, "name": area.name, "path": area.path, "value": None, "rank": rank,
                        "label": str(cat.get("label", cat.get("key"))) if cat else None,
                        "fill": str(cat.get("color")) if cat else NO_DATA,
                        "dark": bool(cat and cat.get("dark"))})
        return out
    numbers = {k: float(v) for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    top = max(numbers.values(), default=0.0)
    for area in shapes.areas:
        value = numbers.get(area.code)
        level = 0 if not value or top <= 0 else min(4, int(value / top * 5 - 1e-9))
        out.append({"code": area.code, "name": area.name, "path": area.path, "value": value, "rank": None,
                    "label": None, "fill": PALETTE[level] if value is not None else NO_DATA, "dark": level >= 3})
    return out


def numeric_legend(values: Mapping[str, Any]) -> list[dict[str, str]]:
    """The five classes of `choropleth` with the range of values each colour stands for."""
    numbers = [float(v) for v in values.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    top = max(numbers, default=0.0)
    out = []
    for i, colour in enumerate(PALETTE):
        low, high = top * i / 5, top * (i + 1) / 5
        out.append({"color": colour, "label": "", "range": f"{_short(low)}–{_short(high)}" if top > 0 else "0"})
    return out


def _short(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or float(value).is_integer() else f"{value:,.1f}"


# --- the layer catalogue ---------------------------------------------------------------------


@dataclass(frozen=True)
class LayerInfo:
    key: str
    title: str
    category: str
    style: Mapping[str, Any]
    legend: Mapping[str, str]
    source: str  # "module" | "poi" | "theme"
    internal: bool = False
    description: str = ""
    shown_first: bool = False


CATEGORY_TITLES: dict[str, Any] = {
    "city": _("City"), "facilities": _("Public facilities"), "themes": _("Theme maps"),
    "environment": _("Environment"), "safety": _("Safety"), "traffic": _("Traffic"),
    "participation": _("Participation"), "complaints": _("Complaints"), "analytics": _("Analysis"),
    "transport": _("Traffic"), "data": _("Analysis"), "administration": _("City"),
}


def catalogue(*, internal: bool = False) -> list[LayerInfo]:
    """All map layers: registered by modules (facilities included), facility types imported
    since start-up, and published theme maps."""
    entries = [
        LayerInfo(layer.key, str(layer.title), layer.category, dict(layer.style),
                  {k: str(v) for k, v in layer.legend.items()},  # lazy legends: read in the page's language
                  "poi" if layer.key.startswith("poi-") else "module", layer.internal, shown_first=layer.shown_first)
        for layer in registry.layers() if internal or not layer.internal
    ]
    known = {e.key for e in entries}
    for poi_type in poi.poi_types():
        key = f"poi-{poi_type.key}"
        if key not in known:
            entries.append(LayerInfo(key, poi_type.name, "facilities",
                                     {"color": poi_type.color, "icon": poi_type.icon, "kind": "point"}, {}, "poi"))
    for theme in published_themes():
        entries.append(LayerInfo(theme.layer_key, theme.title, "themes",
                                 {"color": theme.color, "icon": "pin", "kind": "point"}, {}, "theme",
                                 description=theme.description[:200]))
    return entries


def catalogue_groups(entries: Sequence[LayerInfo]) -> list[tuple[str, list[LayerInfo]]]:
    groups: dict[str, list[LayerInfo]] = {}
    for entry in entries:
        groups.setdefault(entry.category, []).append(entry)
    return [(str(CATEGORY_TITLES.get(cat, cat.replace("_", " ").capitalize())), items)
            for cat, items in groups.items()]


# --- layer data: full GeoJSON, clusters, heat ------------------------------------------------


def _layer_source(key: str, internal: bool) -> Callable[[], Mapping[str, Any]]:
    layer = registry.layer(key)
    if layer is not None:
        if layer.internal and not internal:
            raise DashboardNotFound(gettext("No map layer %(key)r.") % {"key": key},
                                    code=DashboardErrorCode.UNKNOWN_LAYER)
        return lambda: layer.features(LayerQuery(internal=internal))
    if key.startswith("poi-"):
        type_key = key[4:]
        poi.poi_type(type_key)  # 404 for an unknown facility type
        return lambda: poi.poi_geojson(type_key)
    if key.startswith("theme-") and key[6:].isdigit():
        theme = ThemeMap.objects.filter(pk=int(key[6:]), status=ThemeStatus.PUBLISHED).first()
        if theme is not None:
            return lambda: theme_geojson(theme)
    raise DashboardNotFound(gettext("No map layer %(key)r.") % {"key": key},
                            code=DashboardErrorCode.UNKNOWN_LAYER)


class _Subset(Sequence[Any]):
    """A view of `items` at `index` without copying (for singleton properties after a bbox cut)."""

    def __init__(self, items: Sequence[Any], at: np.ndarray) -> None:
        self.items, self.at = items, at

    def __len__(self) -> int:
        return len(self.at)

    def __getitem__(self, i: Any) -> Any:
        return self.items[int(self.at[i])]

    def __iter__(self) -> Iterator[Any]:
        return (self.items[int(j)] for j in self.at)


@dataclass
class PointSet:
    """One layer held in memory: point features as arrays, other geometries as they are."""

    lons: np.ndarray
    lats: np.ndarray
    ids: list[Any]
    properties: list[Mapping[str, Any]]
    others: list[Mapping[str, Any]]
    full: Mapping[str, Any]


_lock = threading.Lock()
_layers: dict[tuple[str, bool], tuple[float, PointSet]] = {}
_reloading: set[tuple[str, bool]] = set()
_heat: dict[tuple[str, bool, int], tuple[float, dict[str, Any]]] = {}


def clear_layer_cache() -> None:
    with _lock:
        _layers.clear()
        _heat.clear()
        _reloading.clear()
        _zoom_clusters.clear()


def _build_pointset(fc: Mapping[str, Any]) -> PointSet:
    lons: list[float] = []
    lats: list[float] = []
    ids: list[Any] = []
    props: list[Mapping[str, Any]] = []
    others: list[Mapping[str, Any]] = []
    for feature in fc.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            lons.append(lon)
            lats.append(lat)
            ids.append(feature.get("id"))
            props.append(feature.get("properties") or {})
        else:
            others.append(feature)
    return PointSet(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float), ids, props, others, fc)


def _load_layer(key: str, internal: bool, fetch: Callable[[], Mapping[str, Any]]) -> PointSet:
    points = _build_pointset(fetch())
    with _lock:
        _layers[(key, internal)] = (time.monotonic() + LAYER_TTL, points)
        _reloading.discard((key, internal))
    return points


def _reload_in_background(key: str, internal: bool, fetch: Callable[[], Mapping[str, Any]]) -> None:
    from django.db import connection

    try:
        _load_layer(key, internal, fetch)
    except Exception:  # keep serving the previous copy; the next request tries again
        log.exception("map layer %s could not be reloaded", key)
        with _lock:
            _reloading.discard((key, internal))
    finally:
        connection.close()


def _pointset(key: str, internal: bool) -> PointSet:
    """A layer's points in memory: loaded on first use; after LAYER_TTL the old copy is served
    while one background thread reloads it, so no map request waits for a reload."""
    fetch = _layer_source(key, internal)  # checked every time: a withdrawn layer is gone at once
    hit = _layers.get((key, internal))
    if hit is None:
        return _load_layer(key, internal, fetch)
    if hit[0] <= time.monotonic():
        with _lock:
            start = (key, internal) not in _reloading
            _reloading.add((key, internal))
        if start and getattr(settings, "DASHBOARD_BACKGROUND_REFRESH", True):
            threading.Thread(target=_reload_in_background, args=(key, internal, fetch), daemon=True,
                             name="dashboard-layer-reload").start()
        elif start:
            return _load_layer(key, internal, fetch)
    return hit[1]


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError as exc:
        raise DashboardInvalid(gettext("bbox is west,south,east,north in degrees."),
                               code=DashboardErrorCode.BAD_BBOX) from exc
    if not (all(math.isfinite(v) for v in (west, south, east, north)) and -180 <= west < east <= 180
            and -90 <= south < north <= 90):
        raise DashboardInvalid(gettext("bbox is west,south,east,north in degrees."),
                               code=DashboardErrorCode.BAD_BBOX)
    return west, south, east, north


MODES = ("cluster", "heat", "points")
# Layers whose module clusters or bins its own data for a view (style kind "cluster" or "heat"):
# they get the bbox and zoom, and their answer is cached briefly per view instead of re-clustered.
SELF_RENDERED = ("cluster", "heat")


def _self_rendered(layer: registry.MapLayer, *, bbox: tuple[float, float, float, float] | None, zoom: int | None,
                   internal: bool) -> dict[str, Any]:
    if layer.internal and not internal:
        raise DashboardNotFound(gettext("No map layer %(key)r.") % {"key": layer.key},
                                code=DashboardErrorCode.UNKNOWN_LAYER)
    view = ",".join(f"{v:.3f}" for v in bbox) if bbox else "-"
    # per language: a module's features may carry names and labels in the page's language
    cache_key = f"dash:{CACHE_VERSION}:layer:{layer.key}:{int(internal)}:{zoom}:{view}:{get_language() or 'ko'}"
    fc = cache.get(cache_key)
    if fc is None:
        fc = dict(layer.features(LayerQuery(bbox=bbox, zoom=zoom, internal=internal)))
        cache.set(cache_key, fc, WIDGET_TTL)
    return fc


def heat_resolution(zoom: int) -> int:
    return 7 if zoom <= 11 else 8 if zoom <= 13 else 9


def layer_geojson(
    key: str, *, bbox: tuple[float, float, float, float] | None = None, zoom: int | None = None,
    mode: str = "cluster", internal: bool = False,
) -> dict[str, Any]:
    """A layer for one map view: point layers clustered on a screen grid (`cluster`), as H3 heat
    hexagons (`heat`) or as raw points (`points`, at most MAX_RAW_POINTS); other geometries as
    they are. Without zoom, the whole layer as published (for downloads)."""
    if mode not in MODES:
        raise DashboardInvalid(gettext("mode is one of %(modes)s.") % {"modes": ", ".join(MODES)},
                               code=DashboardErrorCode.BAD_MODE)
    if zoom is not None and not (0 <= zoom <= 22):
        raise DashboardInvalid(gettext("zoom is between 0 and 22."), code=DashboardErrorCode.BAD_ZOOM)
    layer = registry.layer(key)
    if layer is not None and str(layer.style.get("kind", "")) in SELF_RENDERED:
        return _self_rendered(layer, bbox=bbox, zoom=zoom, internal=internal)
    points = _pointset(key, internal)
    if zoom is None and bbox is None:
        return dict(points.full)
    if mode == "heat":
        resolution = heat_resolution(zoom if zoom is not None else 11)
        heat_key = (key, internal, resolution)
        hit = _heat.get(heat_key)
        if hit is not None and hit[0] > time.monotonic():
            heat = hit[1]
        else:
            heat = hexagon_heat(points.lons, points.lats, resolution=resolution)
            with _lock:
                _heat[heat_key] = (time.monotonic() + LAYER_TTL, heat)
        return {"type": "FeatureCollection", "features": [*heat["features"], *points.others]}
    if bbox is not None and points.lons.size:
        west, south, east, north = bbox
        index = np.nonzero((points.lons >= west) & (points.lons <= east)
                           & (points.lats >= south) & (points.lats <= north))[0]
    else:
        index = np.arange(points.lons.size)
    if mode == "points":
        features = [{"type": "Feature", "id": points.ids[i],
                     "geometry": {"type": "Point", "coordinates": [round(float(points.lons[i]), 6),
                                                                   round(float(points.lats[i]), 6)]},
                     "properties": dict(points.properties[i])} for i in index[:MAX_RAW_POINTS].tolist()]
        if features and features[0]["id"] is None:
            for f in features:
                f.pop("id")
        return {"type": "FeatureCollection", "features": [*features, *points.others]}
    zoom = zoom if zoom is not None else 11
    if zoom <= WHOLE_LAYER_MAX_ZOOM and bbox is not None:
        return {"type": "FeatureCollection", "features": [*_clusters_in_view(key, internal, points, zoom, bbox),
                                                          *points.others]}
    clustered = grid_clusters(points.lons[index], points.lats[index], zoom=zoom,
                              ids=_Subset(points.ids, index) if any(i is not None for i in points.ids[:1]) else None,
                              properties=_Subset(points.properties, index))
    return {"type": "FeatureCollection", "features": [*clustered["features"], *points.others]}


# Up to this zoom a layer is clustered once per zoom over all its points (a few thousand cells
# over Seoul at most) and each view only picks the clusters inside it: stable clusters while
# panning, and a whole-city view costs a mask over the clusters, not a pass over every point.
WHOLE_LAYER_MAX_ZOOM = 13
_zoom_clusters: dict[tuple[str, bool, int], tuple[PointSet, list[dict[str, Any]], np.ndarray, np.ndarray]] = {}


def _clusters_in_view(key: str, internal: bool, points: PointSet, zoom: int,
                      bbox: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    hit = _zoom_clusters.get((key, internal, zoom))
    if hit is None or hit[0] is not points:
        has_ids = any(i is not None for i in points.ids[:1])
        features = grid_clusters(points.lons, points.lats, zoom=zoom, ids=points.ids if has_ids else None,
                                 properties=points.properties)["features"]
        xs = np.array([f["geometry"]["coordinates"][0] for f in features], dtype=float)
        ys = np.array([f["geometry"]["coordinates"][1] for f in features], dtype=float)
        hit = (points, features, xs, ys)
        with _lock:
            _zoom_clusters[(key, internal, zoom)] = hit
    _, features, xs, ys = hit
    pad = 360.0 / (256 * 2**zoom) * 60  # one cluster cell: a cluster straddling the edge stays visible
    west, south, east, north = bbox
    inside = np.nonzero((xs >= west - pad) & (xs <= east + pad) & (ys >= south - pad) & (ys <= north + pad))[0]
    return [features[i] for i in inside.tolist()]


# --- information around me -------------------------------------------------------------------

MAX_RADIUS_M = poi.MAX_RADIUS_M


@dataclass(frozen=True)
class Nearby:
    layer: str
    layer_title: str
    name: str
    lat: float
    lon: float
    distance_m: float
    color: str
    icon: str
    detail: str = ""

    @property
    def name_lang(self) -> str:
        """"ko" when an English page shows a name only known in Korean, so the page marks it."""
        return _korean_on_english_page(self.name)

    @property
    def detail_lang(self) -> str:
        return _korean_on_english_page(self.detail)


def _korean_on_english_page(text: str) -> str:
    english = (get_language() or "ko").startswith("en")
    return "ko" if english and any("\uac00" <= ch <= "\ud7a3" for ch in text) else ""


def _feature_name(props: Mapping[str, Any]) -> str:
    english = (get_language() or "ko").startswith("en")
    for key in (("name_en", "title_en") if english else ()) + ("name_ko", "title_ko", "name", "title", "label"):
        value = props.get(key)
        if value:
            return str(value)
    return ""


def nearby(
    *, lat: float, lon: float, radius_m: float, layer_keys: Sequence[str], internal: bool = False, limit: int = 50,
) -> list[Nearby]:
    """The nearest items of the chosen layers within `radius_m`, nearest first."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise DashboardInvalid(gettext("Latitude or longitude is out of range."), code=DashboardErrorCode.BAD_POINT)
    if not (0 < radius_m <= MAX_RADIUS_M):
        raise DashboardInvalid(gettext("The radius must be between 1 and %(max)d metres.") % {"max": MAX_RADIUS_M},
                               code=DashboardErrorCode.BAD_RADIUS)
    infos = {e.key: e for e in catalogue(internal=internal)}
    unknown = [k for k in layer_keys if k not in infos]
    if unknown:
        raise DashboardNotFound(gettext("No map layer %(key)r.") % {"key": unknown[0]},
                                code=DashboardErrorCode.UNKNOWN_LAYER)
    binned = [k for k in layer_keys if str(infos[k].style.get("kind", "")) in SELF_RENDERED]
    if binned:
        raise DashboardInvalid(gettext("Layer %(key)r is clustered by its module; choose a layer of places.")
                               % {"key": binned[0]},
                               code=DashboardErrorCode.UNKNOWN_LAYER)
    found: list[Nearby] = []
    poi_keys = [k[4:] for k in layer_keys if infos[k].source == "poi"]
    if poi_keys:
        english = (get_language() or "ko").startswith("en")
        for p in poi.poi_nearest(lat=lat, lon=lon, radius_m=radius_m, type_keys=poi_keys, limit=limit):
            info = infos[f"poi-{p.type_key}"]
            found.append(Nearby(info.key, info.title, (p.name_en if english and p.name_en else p.name_ko),
                                p.lat, p.lon, p.distance_m, str(info.style.get("color", "#0b4ea2")),
                                str(info.style.get("icon", "•")), p.address))
    kx = EARTH_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat))
    for key in layer_keys:
        info = infos[key]
        if info.source == "poi":
            continue
        points = _pointset(key, internal)
        if not points.lons.size:
            continue
        dist = np.hypot((points.lons - lon) * kx, (points.lats - lat) * EARTH_M_PER_DEG_LAT)
        for i in np.nonzero(dist <= radius_m)[0].tolist():
            props = points.properties[i]
            found.append(Nearby(key, info.title, _feature_name(props) or info.title, float(points.lats[i]),
                                float(points.lons[i]), round(float(dist[i]), 1),
                                str(info.style.get("color", "#b3261e")),
                                str(info.style.get("icon", "•")), str(props.get("description", ""))[:140]))
    found.sort(key=lambda n: n.distance_m)
    return found[:limit]


# --- theme maps ------------------------------------------------------------------------------


def published_themes() -> QuerySet[ThemeMap]:
    return ThemeMap.objects.filter(status=ThemeStatus.PUBLISHED).order_by("-moderated_at", "-id")


def pending_themes() -> QuerySet[ThemeMap]:
    return (ThemeMap.objects.filter(status=ThemeStatus.PENDING).select_related("author")
            .annotate(n_points=Count("points")).order_by("submitted_at", "id"))


def themes_of(user: Any) -> QuerySet[ThemeMap]:
    return ThemeMap.objects.filter(author=user).annotate(n_points=Count("points")).order_by("-created_at")


def theme_for(pk: int, user: Any) -> ThemeMap:
    """A theme map the user may see: published ones for everyone, others for the author and moderators."""
    from .services import is_moderator

    theme = (ThemeMap.objects.select_related("author")
             .prefetch_related(Prefetch("points", ThemePoint.objects.order_by("order", "id"))).filter(pk=pk).first())
    if theme is None or (theme.status != ThemeStatus.PUBLISHED and not (
            user is not None and user.is_authenticated and (theme.author_id == user.pk or is_moderator(user)))):
        raise DashboardNotFound(gettext("No such theme map."), code=DashboardErrorCode.UNKNOWN_THEME)
    return theme


def theme_geojson(theme: ThemeMap) -> dict[str, Any]:
    """A theme map as an RFC 7946 FeatureCollection ([lon, lat]); the photo as a public URL."""
    media = settings.MEDIA_URL
    features = []
    for point in theme.points.order_by("order", "id"):
        features.append({
            "type": "Feature", "id": f"theme-{theme.pk}-{point.pk}",
            "geometry": {"type": "Point", "coordinates": [round(point.lon, 6), round(point.lat, 6)]},
            "properties": {"title": point.title, "description": point.description,
                           "photo": f"{media}{point.photo}" if point.photo else None,
                           "district_code": point.district_code, "theme": theme.title_ko,
                           "theme_en": theme.title_en},
        })
    return {"type": "FeatureCollection", "features": features}


def theme_counts() -> dict[str, int]:
    return dict(ThemeMap.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def theme_proposals_by_day(start: datetime, end: datetime, district_code: str | None = None) -> list[dict[str, Any]]:
    qs = ThemeMap.objects.filter(submitted_at__gte=start, submitted_at__lte=end)
    if district_code:
        qs = qs.filter(points__district_code=district_code).distinct()
    counts: dict[str, int] = {}
    for at in qs.values_list("submitted_at", flat=True):
        if at is None:
            continue
        day = at.astimezone(start.tzinfo).date().isoformat() if start.tzinfo else at.date().isoformat()
        counts[day] = counts.get(day, 0) + 1
    days = []
    cursor = start.date()
    while cursor <= end.date():
        days.append({"t": cursor.isoformat(), "v": counts.get(cursor.isoformat(), 0)})
        cursor += timedelta(days=1)
    return days
