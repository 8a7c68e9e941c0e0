"""The GeoJSON checker every published layer is tested with (STANDARDS §9): structure,
shapely validity, [lon, lat] inside Seoul's bounds, counter-clockwise exterior rings."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from shapely.geometry import shape

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def _positions(coords: Any) -> list[list[float]]:
    if coords and isinstance(coords[0], int | float):
        return [coords]
    return [p for c in coords for p in _positions(c)]


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in pairwise(ring)) / 2


def problems(fc: Any) -> list[str]:
    found: list[str] = []
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection" or not isinstance(fc.get("features"), list):
        return ["not a FeatureCollection"]
    if "crs" in fc:
        found.append("a crs member is not allowed")
    for n, f in enumerate(fc["features"]):
        where = f"feature {n}"
        if f.get("type") != "Feature" or "geometry" not in f or "properties" not in f:
            found.append(f"{where}: not a Feature with geometry and properties")
            continue
        if "id" in f and not isinstance(f["id"], str | int | float):
            found.append(f"{where}: id must be a string or a number")
        if f["properties"] is not None and not isinstance(f["properties"], dict):
            found.append(f"{where}: properties must be an object or null")
        g = f["geometry"]
        if g is None:
            continue
        if g.get("type") not in GEOMETRY_TYPES or not isinstance(g.get("coordinates"), list):
            found.append(f"{where}: bad geometry")
            continue
        if not shape(g).is_valid:
            found.append(f"{where}: geometry is not valid")
        for lon, lat, *_ in _positions(g["coordinates"]):
            if not (124 <= lon <= 132 and 33 <= lat <= 39):
                found.append(f"{where}: position [{lon}, {lat}] is outside Seoul's bounds (lon/lat order?)")
                break
            if round(lon, 6) != lon or round(lat, 6) != lat:
                found.append(f"{where}: more than 6 decimals")
                break
        polygons = {"Polygon": [g["coordinates"]], "MultiPolygon": g["coordinates"]}.get(g["type"], [])
        for rings in polygons:
            for i, ring in enumerate(rings):
                if len(ring) < 4 or ring[0] != ring[-1]:
                    found.append(f"{where}: ring not closed or too short")
                elif i == 0 and _signed_area(ring) <= 0:
                    found.append(f"{where}: exterior ring is not counter-clockwise")
                elif i > 0 and _signed_area(ring) >= 0:
                    found.append(f"{where}: hole is not clockwise")
    return found
