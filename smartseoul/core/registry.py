"""The module registry: each module declares itself once, in its AppConfig's `manifest()`.

A manifest names the module's API router, its HTML urls, the protocol urls it mounts at the
site root, and what it offers to the rest of the platform: dashboard widgets, map layers,
open-data exports and home-page tiles. The registry is read after app loading and is frozen
from then on (a tuple, built once): nothing registers at request time.

The dashboard and opendata modules read other modules only through these hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from ninja import Router


@dataclass(frozen=True)
class Period:
    """The time window a widget or export is asked for."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class WidgetQuery:
    period: Period
    district_code: str | None = None  # drill-down: one district (gu) …
    neighborhood_code: str | None = None  # … or one neighbourhood (dong)
    internal: bool = False  # True only for officials; public views never receive internal figures


@dataclass(frozen=True)
class Widget:
    """A dashboard widget: `compute` returns plain JSON-able data, e.g.
    {"value": 12, "unit": "", "series": [{"t": "2026-11-01", "v": 3}, …],
     "by_district": {"11110": 4, …}, "items": [{"title": …, "url": …}, …]}.
    `internal=True` widgets are shown only on the officials' version."""

    key: str
    title: StrOrPromise
    kind: str  # "stat" | "series" | "districts" | "list"
    compute: Callable[[WidgetQuery], Mapping[str, Any]]
    section: str = "city"  # city | participation | environment | opendata
    internal: bool = False
    order: int = 100


@dataclass(frozen=True)
class LayerQuery:
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    zoom: int | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    internal: bool = False


@dataclass(frozen=True)
class MapLayer:
    """A map layer: `features` returns an RFC 7946 FeatureCollection (lon/lat, WGS84)."""

    key: str
    title: StrOrPromise
    features: Callable[[LayerQuery], Mapping[str, Any]]
    style: Mapping[str, Any] = field(default_factory=dict)  # {"color": "#d33", "icon": "…", "kind": "point"}
    legend: Mapping[str, StrOrPromise] = field(default_factory=dict)  # lazy: read in the page's language
    category: str = "city"
    internal: bool = False
    shown_first: bool = False  # on when the city map opens without a chosen view


@dataclass(frozen=True)
class ExportField:
    name: str
    type: str  # Table Schema types: string, integer, number, boolean, date, datetime, geopoint …
    description: str = ""  # in English: the column's English label and its note
    label_ko: str = ""  # the column's name in Korean, shown on Korean pages (like the export's title_ko)


@dataclass(frozen=True)
class OpenDataExport:
    """A dataset a module offers to the open-data catalogue. `rows` yields plain dicts that
    contain no personal data; the catalogue refreshes it on a schedule."""

    key: str  # unique, becomes the dataset name, e.g. "complaints-daily"
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    category: str  # one of the 12 open-data categories (see opendata)
    fields: tuple[ExportField, ...]
    rows: Callable[[], Iterable[Mapping[str, Any]]]
    licence: str = "KOGL-1"
    frequency: str = "daily"
    keywords: tuple[str, ...] = ()
    primary_key: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tile:
    """A service tile on the home page or, with group "office", in the back office.

    `allowed(user)` says who may open the tile's page: pass the very function the target view
    checks (not a copy of its rule), so a tile is shown exactly to the people its page lets in.
    None: everyone who sees the page the tile is on."""

    title: StrOrPromise
    url_name: str
    icon: str  # a symbol of the site's icon sprite (static/smartseoul/icons.svg), e.g. "megaphone"
    group: str  # "report" | "participate" | "data" | "live" | "life" | "mine" (my page) | "office" (back office)
    description: StrOrPromise = ""
    order: int = 100
    allowed: Callable[[Any], bool] | None = None
    featured: bool = False  # one of the few services the home page leads with

    def allows(self, user: Any) -> bool:
        return self.allowed is None or bool(self.allowed(user))


@dataclass(frozen=True)
class Command:
    """A `smartseoul` sub-command a module offers: `smartseoul <group> <name> …` (or
    `smartseoul <name>` without a group). `handler` returns the exit code; it raises
    CommandError (or a DomainError) for bad input, which the CLI prints as one line, exit 2."""

    name: str
    help: str
    add_arguments: Callable[[Any], None]
    handler: Callable[[Any], int]
    group: str | None = None


@dataclass(frozen=True)
class Periodic:
    """Work the scheduler runs every `seconds` (checkpoint signing, derived data, care checks)."""

    name: str
    seconds: int
    run: Callable[[], Any]


@dataclass(frozen=True)
class SearchHit:
    """One result of the site-wide search, found by a module's own search."""

    title: StrOrPromise
    url: str
    summary: StrOrPromise = ""


@dataclass(frozen=True)
class ModuleManifest:
    name: str
    title: StrOrPromise
    router: Router | None = None  # mounted on the one NinjaAPI at /api/v1/<api_prefix>
    api_prefix: str | None = None
    urls: str | None = None  # module path of HTML urls, included at /<url_prefix>
    url_prefix: str | None = None
    root_urls: str | None = None  # protocol adapters mounted at the site root (Open311, CKAN, STA …)
    widgets: tuple[Widget, ...] = ()
    layers: tuple[MapLayer, ...] = ()
    exports: tuple[OpenDataExport, ...] = ()
    tiles: tuple[Tile, ...] = ()
    on_day: Callable[[date], None] | None = None  # daily housekeeping (escalations, expiry, refresh)
    demo: Callable[[], None] | None = None  # idempotent Seoul demo data (runs after core's)
    commands: tuple[Command, ...] = ()
    periodic: tuple[Periodic, ...] = ()
    # The module's part of the site-wide search: (query, user, limit) -> what this person may see.
    search: Callable[[str, Any, int], Sequence[SearchHit]] | None = None


@cache
def manifests() -> tuple[ModuleManifest, ...]:
    """All manifests, in INSTALLED_APPS order. Built once after app loading; frozen afterwards."""
    found: list[ModuleManifest] = []
    names: set[str] = set()
    for config in apps.get_app_configs():
        factory = getattr(config, "manifest", None)
        if factory is None:
            continue
        manifest = factory()
        if manifest.name in names:
            raise RuntimeError(f"two modules registered the name {manifest.name!r}")
        names.add(manifest.name)
        found.append(manifest)
    return tuple(found)


def widgets() -> tuple[Widget, ...]:
    return tuple(sorted((w for m in manifests() for w in m.widgets), key=lambda w: (w.section, w.order)))


def layers() -> tuple[MapLayer, ...]:
    return tuple(layer for m in manifests() for layer in m.layers)


def layer(key: str) -> MapLayer | None:
    return next((lyr for lyr in layers() if lyr.key == key), None)


def exports() -> tuple[OpenDataExport, ...]:
    return tuple(e for m in manifests() for e in m.exports)


def periodic() -> tuple[Periodic, ...]:
    return tuple(p for m in manifests() for p in m.periodic)


def commands() -> tuple[Command, ...]:
    return tuple(c for m in manifests() for c in m.commands)


def tiles() -> tuple[Tile, ...]:
    return tuple(sorted((t for m in manifests() for t in m.tiles), key=lambda t: (t.group, t.order)))
