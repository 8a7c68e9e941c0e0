"""Open API of the dashboard and the map (/api/v1/dashboard): public widget figures, the layer
catalogue, every layer as GeoJSON, nearest items, published theme maps. Read-only and public:
internal widgets and internal layers are never served here."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from smartseoul.core.schemas import Page

from . import selectors, services
from .schemas import LayerOut, NearbyOut, ThemeOut, WidgetOut

router = Router()


@router.get("/widgets", response=list[WidgetOut])
def widgets(request: HttpRequest, period: str = selectors.DEFAULT_PERIOD, district: str | None = None,
            dong: str | None = None) -> Any:
    """Every public widget of the Digital Mayor's Office with its figures (cached ~20 s)."""
    selectors.check_area(district, dong)
    cards = services.board(internal=False, period_key=period, district_code=district, neighborhood_code=dong)
    return selectors.public_board_json(cards)


@router.get("/layers", response=list[LayerOut])
def layers(request: HttpRequest) -> Any:
    """The layer catalogue: modules' layers, facility types and published theme maps."""
    return [{"key": e.key, "title": e.title, "category": e.category, "source": e.source, "style": dict(e.style),
             "legend": {str(k): str(v) for k, v in e.legend.items()}, "description": e.description,
             "geojson": f"/map/layers/{e.key}.geojson"} for e in selectors.catalogue(internal=False)]


@router.get("/layers/{key}", response={200: dict[str, Any]})
def layer(request: HttpRequest, key: str, bbox: str | None = None, zoom: int | None = None,
          mode: str = "cluster") -> HttpResponse:
    """One layer as RFC 7946 GeoJSON: the whole layer, or clusters/heat for a view (bbox + zoom)."""
    fc = selectors.layer_geojson(key, bbox=selectors.parse_bbox(bbox), zoom=zoom, mode=mode)
    return HttpResponse(json.dumps(fc, ensure_ascii=False, separators=(",", ":")),
                        content_type="application/geo+json; charset=utf-8")


@router.get("/nearby", response=list[NearbyOut])
def nearby(request: HttpRequest, lat: float, lon: float, layers: list[str] = Query(...),
           radius: int = 500) -> Any:
    """The nearest items of the chosen layers within `radius` metres (at most 5,000), nearest first."""
    return selectors.nearby(lat=lat, lon=lon, radius_m=radius, layer_keys=layers)


@router.get("/themes", response=list[ThemeOut])
def themes(request: HttpRequest, page: Query[Page]) -> Any:
    return [{"id": t.pk, "title_ko": t.title_ko, "title_en": t.title_en, "description": t.description,
             "by_official": t.by_official, "layer": t.layer_key, "geojson": f"/map/layers/{t.layer_key}.geojson"}
            for t in page.window(selectors.published_themes())]
