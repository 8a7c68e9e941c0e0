"""Turns widget data into what the templates draw: server-rendered SVG charts and choropleths
(no client-side charting library, so the board survives every htmx refresh and prints well)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext

from . import selectors
from .selectors import Card

CHART_W, CHART_H, PAD = 320.0, 96.0, 6.0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def chart(series: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """A line chart of [{"t": label, "v": number}, …] in a 320×96 viewBox."""
    points: list[tuple[str, float]] = []
    for p in series:
        value = _number(p.get("v")) if isinstance(p, Mapping) else None
        if value is not None:
            points.append((str(p.get("t", "")), value))
    if not points:
        return None
    values = [v for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    n = len(points)
    coords = []
    for i, (_, v) in enumerate(points):
        x = PAD + (CHART_W - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)
        y = CHART_H - PAD - (CHART_H - 2 * PAD) * ((v - low) / span)
        coords.append((round(x, 1), round(y, 1)))
    line = " ".join(f"{x},{y}" for x, y in coords)
    area = f"M{coords[0][0]},{CHART_H - PAD} L" + " L".join(f"{x},{y}" for x, y in coords) + \
        f" L{coords[-1][0]},{CHART_H - PAD} Z"
    return {"line": line, "area": area, "low": _fmt(low), "high": _fmt(high), "first": points[0][0],
            "last": points[-1][0], "last_value": _fmt(values[-1]), "rows": [(t, _fmt(v)) for t, v in points],
            "dots": coords[-1:], "w": int(CHART_W), "h": int(CHART_H)}


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _categories(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = data.get("categories")
    return [c for c in raw if isinstance(c, Mapping) and "key" in c] if isinstance(raw, list) else []


def present(card: Card, *, district_code: str | None) -> dict[str, Any]:
    data = card.data or {}
    categories = _categories(data)
    labels = {str(c["key"]): str(c.get("label") or c["key"]) for c in categories}
    out: dict[str, Any] = {"card": card, "value": None, "unit": data.get("unit", ""), "chart": None, "map": None,
                           "top": [], "items": [],
                           "detail": data.get("detail") if isinstance(data.get("detail"), str) else None}
    value = data.get("value")
    if value is not None and value != "":
        out["value"] = _fmt(_number(value)) if _number(value) is not None else labels.get(str(value), str(value))
    if isinstance(data.get("series"), list):
        out["chart"] = chart(data["series"])
    if isinstance(data.get("items"), list):
        out["items"] = [i for i in data["items"][:10] if isinstance(i, Mapping)]
    values: Mapping[str, Any] | None = None
    shapes = None
    if district_code:
        # a drill-down draws the dongs only for a widget that counts by dong: a district-only
        # figure is the big number, never an empty grey map
        if isinstance(data.get("by_neighborhood"), Mapping):
            shapes = selectors.neighborhood_shapes(district_code)
            values = data["by_neighborhood"]
    elif isinstance(data.get("by_district"), Mapping):
        shapes = selectors.district_shapes()
        values = data["by_district"]
    if shapes is not None and values is not None and shapes.areas:
        areas = selectors.choropleth(values, shapes, categories or None)
        if categories:
            legend = [{"color": str(c.get("color", selectors.NO_DATA)), "label": labels[str(c["key"])],
                       "range": str(c.get("range") or "")} for c in categories]
        else:
            legend = selectors.numeric_legend(values)
        no_data = any(a["fill"] == selectors.NO_DATA for a in areas)
        out["map"] = {"areas": areas, "view_box": shapes.view_box, "level": "dong" if district_code else "gu",
                      "legend": legend, "categorical": bool(categories),
                      "no_data": str(data.get("no_data_label") or gettext("no data")) if no_data else ""}
        if categories:
            ranked = sorted((a for a in areas if a["rank"] is not None), key=lambda a: -a["rank"])[:5]
            out["top"] = [(a["code"], a["name"], a["label"]) for a in ranked]
        else:
            ranked = sorted((a for a in areas if a["value"] is not None), key=lambda a: -a["value"])[:5]
            out["top"] = [(a["code"], a["name"], _fmt(a["value"])) for a in ranked]
    return out
