"""What the module offers the rest of the platform: map layers, open-data exports and widgets.
All read stored results (the latest finished job), never the lake."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ExportField, LayerQuery, MapLayer, OpenDataExport, Widget, WidgetQuery

from . import selectors
from .models import JobKind

EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}


def _in_bbox(feature: Mapping[str, Any], bbox: tuple[float, float, float, float] | None) -> bool:
    if bbox is None:
        return True
    w, s, e, n = bbox
    geom = feature["geometry"]
    coords = geom["coordinates"]
    if geom["type"] == "Point":
        pts = [coords]
    elif geom["type"] == "LineString":
        pts = coords
    else:
        pts = coords[0]
    return any(w <= x <= e and s <= y <= n for x, y in pts)


def density_layer(q: LayerQuery) -> Mapping[str, Any]:
    job = selectors.latest_job(JobKind.DENSITY)
    if job is None or not job.geojson:
        return EMPTY
    return {"type": "FeatureCollection",
            "features": [f for f in job.geojson["features"] if _in_bbox(f, q.bbox)]}


def routes_layer(q: LayerQuery) -> Mapping[str, Any]:
    job = selectors.latest_job(JobKind.PLAN)
    if job is None or not job.geojson:
        return EMPTY
    feats = [f for f in job.geojson["features"] if f["properties"]["kind"] in ("segment", "stop")
             and _in_bbox(f, q.bbox)]
    return {"type": "FeatureCollection", "features": feats}


def plan_share_widget(q: WidgetQuery) -> Mapping[str, Any]:
    job = selectors.latest_job(JobKind.PLAN)
    if job is None:
        return {"value": None, "unit": "%"}
    return {"value": round(100 * float(job.result.get("share_served", 0)), 1), "unit": "%",
            "items": [{"title": r["name"], "value": r["riders"]} for r in job.result.get("routes", [])]}


def traffic_light_widget(q: WidgetQuery) -> Mapping[str, Any]:
    qs = selectors.commerce_indicators()
    if q.district_code:
        qs = qs.filter(district_code=q.district_code)
    counts = {str(k): 0 for k in range(4)}
    for light in qs.exclude(light=None).values_list("light", flat=True):
        counts[str(light)] += 1
    return {"value": counts["3"], "unit": "", "series": [{"t": k, "v": v} for k, v in counts.items()]}


# --- open-data exports ---------------------------------------------------------------------------


def _plan_rows() -> Iterable[Mapping[str, Any]]:
    job = selectors.latest_job(JobKind.PLAN)
    if job is None or not job.geojson:
        return []
    return [
        {"route": f["properties"]["route"], "segment": f["properties"]["segment"],
         "from_cell": f["properties"]["from_cell"], "to_cell": f["properties"]["to_cell"],
         "riders": f["properties"]["riders"], "plan_id": job.pk}
        for f in job.geojson["features"] if f["properties"]["kind"] == "segment"
    ]


def _od_rows() -> Iterable[Mapping[str, Any]]:
    job = selectors.latest_job(JobKind.OD)
    if job is None or not job.geojson:
        return []
    return [{k: f["properties"][k] for k in ("origin_cell", "dest_cell", "origin_district", "dest_district", "trips",
                                             "distance_m")} for f in job.geojson["features"]]


def _density_rows() -> Iterable[Mapping[str, Any]]:
    job = selectors.latest_job(JobKind.DENSITY)
    if job is None or not job.geojson:
        return []
    return [{k: f["properties"][k] for k in ("cell", "district", "dong", "count")} for f in job.geojson["features"]]


def _commerce_rows() -> Iterable[Mapping[str, Any]]:
    yield from selectors.commerce_indicators().values(
        "area_code", "district_code", "category", "reference_date", "stores", "openings_1y", "closures_1y",
        "survival_1y", "survival_3y", "closure_rate", "store_growth", "sales_trend", "light",
    )


LAYERS = (
    MapLayer("analytics-density", _("Hexagon density (latest analysis)"), density_layer,
             style={"kind": "hexagon", "color": "#d9480f", "property": "intensity"},
             legend={"intensity": _("share of the busiest cell")}, category="data"),
    MapLayer("analytics-owl-routes", _("Night-bus plan: routes"), routes_layer,
             style={"kind": "line", "color": "#5f3dc4", "width_property": "width"},
             legend={"width": _("riders per segment")}, category="transport"),
)

EXPORTS = (
    OpenDataExport(
        "analytics-night-od", "심야 통행 기종점(OD) 상위 흐름", "Late-night origin–destination top flows",
        "H3 해상도 8 육각형 간 심야(00–05시) 통행량 상위 흐름. 개인 위치는 포함되지 않습니다.",
        "Top late-night (00–05) flows between H3 resolution-8 hexagons. No individual location is included.",
        "transport",
        (
            ExportField("origin_cell", "string", "H3 cell", label_ko="출발 셀(H3)"),
            ExportField("dest_cell", "string", "H3 cell", label_ko="도착 셀(H3)"),
            ExportField("origin_district", "string", label_ko="출발 자치구"),
            ExportField("dest_district", "string", label_ko="도착 자치구"),
            ExportField("trips", "number", label_ko="통행 수"),
            ExportField("distance_m", "integer", label_ko="거리(m)"),
        ),
        _od_rows, keywords=("OD", "심야", "H3"), primary_key=("origin_cell", "dest_cell"),
    ),
    OpenDataExport(
        "analytics-owl-plan", "심야버스 노선 계획 구간별 승객", "Night-bus plan: riders per segment",
        "최신 심야버스 노선 계획의 노선·구간별 예상 승객 수.", "Expected riders per route segment of the latest plan.",
        "transport",
        (
            ExportField("plan_id", "integer", label_ko="계획 번호"),
            ExportField("route", "integer", label_ko="노선"),
            ExportField("segment", "integer", label_ko="구간"),
            ExportField("from_cell", "string", label_ko="시작 셀(H3)"),
            ExportField("to_cell", "string", label_ko="끝 셀(H3)"),
            ExportField("riders", "number", label_ko="승객 수"),
        ),
        _plan_rows, keywords=("올빼미버스", "심야버스"), primary_key=("route", "segment"),
    ),
    OpenDataExport(
        "analytics-hexagon-density", "육각형 밀도", "Hexagon density",
        "최신 밀도 분석의 H3 육각형별 건수와 자치구·행정동.", "Counts per H3 hexagon of the latest density analysis.",
        "transport",
        (
            ExportField("cell", "string", label_ko="셀(H3)"),
            ExportField("district", "string", label_ko="자치구"),
            ExportField("dong", "string", label_ko="행정동"),
            ExportField("count", "number", label_ko="건수"),
        ),
        _density_rows, keywords=("H3", "밀도"), primary_key=("cell",),
    ),
    OpenDataExport(
        "analytics-startup-traffic-light", "우리마을가게 상권분석 창업위험도", "Start-up traffic light by area",
        "행정동 × 업종별 생존율, 폐업률, 점포 증감, 매출 추세와 4단계 창업위험도.",
        "Survival, closure rate, store growth, sales trend and the four-level start-up light per dong × category.",
        "industry",
        (
            ExportField("area_code", "string", label_ko="상권 코드"),
            ExportField("district_code", "string", label_ko="자치구 코드"),
            ExportField("category", "string", label_ko="업종"),
            ExportField("reference_date", "date", label_ko="기준일"),
            ExportField("stores", "integer", label_ko="점포 수"),
            ExportField("openings_1y", "integer", label_ko="1년 개업 수"),
            ExportField("closures_1y", "integer", label_ko="1년 폐업 수"),
            ExportField("survival_1y", "number", label_ko="1년 생존율"),
            ExportField("survival_3y", "number", label_ko="3년 생존율"),
            ExportField("closure_rate", "number", label_ko="폐업률"),
            ExportField("store_growth", "number", label_ko="점포 증가율"),
            ExportField("sales_trend", "number", label_ko="매출 추세"),
            ExportField(
                "light", "integer", "0 low risk, 1 caution, 2 warning, 3 high risk",
                label_ko="창업 신호등(0 낮음 – 3 높음)",
            ),
        ),
        _commerce_rows, keywords=("상권", "창업"), primary_key=("area_code", "category"),
    ),
)

WIDGETS = (
    Widget("analytics-plan-share", _("Night demand served by the latest bus plan"), "stat", plan_share_widget,
           section="city", internal=True, order=60),
    Widget("analytics-high-risk", _("Areas × categories at high start-up risk"), "stat", traffic_light_widget,
           section="city", order=70),
)
