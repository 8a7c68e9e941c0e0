"""Point-in-area look-up over prepared shapely geometries, and small GeoJSON helpers.

Geometries are projected once to a local metric plane (equirectangular around the areas'
mean latitude: error well under 1 % over a city), so "within 200 m" is a real distance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

EARTH_M_PER_DEG_LAT = 110_574.0
EARTH_M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Area:
    """One area of a partition (a district, a neighbourhood …) with its WGS84 geometry."""

    key: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Match:
    key: str
    distance_m: float  # 0 inside the area; the distance to it when matched as the nearest


class AreaIndex:
    """Answers "which area contains this point" for one partition of a city.

    `locate` handles one point; `locate_many` handles arrays (vectorised, millions per second).
    A point outside every area matches the nearest one when it lies within `tolerance_m`.
    """

    def __init__(self, areas: Sequence[Area], *, tolerance_m: float = 200.0) -> None:
        if not areas:
            raise ValueError("an area index needs at least one area")
        self.keys = [a.key for a in areas]
        self.tolerance_m = tolerance_m
        bounds = np.array([a.geometry.bounds for a in areas])
        self.lat0 = float((bounds[:, 1].min() + bounds[:, 3].max()) / 2)
        self._kx = EARTH_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat0))
        self._ky = EARTH_M_PER_DEG_LAT
        self._geoms = np.array([self._project(a.geometry) for a in areas], dtype=object)
        for g in self._geoms:
            shapely.prepare(g)
        self._tree = shapely.STRtree(self._geoms)

    def _project(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky = self._kx, self._ky
        return shapely.transform(geom, lambda c: c * np.array([kx, ky]))

    def locate(self, lat: float, lon: float) -> Match | None:
        x, y = lon * self._kx, lat * self._ky
        point = shapely.Point(x, y)
        for i in self._tree.query(point, predicate="intersects"):
            return Match(self.keys[int(i)], 0.0)
        idx, dist = self._tree.query_nearest(point, max_distance=self.tolerance_m, return_distance=True)
        if len(idx) == 0:
            return None
        return Match(self.keys[int(idx[0])], float(dist[0]))

    def locate_nearest_any(self, lat: float, lon: float) -> Match | None:
        """The nearest area whatever the distance (for sub-areas of an already matched area)."""
        point = shapely.Point(lon * self._kx, lat * self._ky)
        idx, dist = self._tree.query_nearest(point, return_distance=True)
        if len(idx) == 0:
            return None
        return Match(self.keys[int(idx[0])], float(dist[0]))

    def locate_many(self, lats: np.ndarray, lons: np.ndarray) -> list[str | None]:
        """Vectorised look-up; returns the area key (or None) for every point, in order."""
        xs = np.asarray(lons, dtype=float) * self._kx
        ys = np.asarray(lats, dtype=float) * self._ky
        points = shapely.points(xs, ys)
        result = np.full(len(points), -1, dtype=np.int64)
        pt_idx, geom_idx = self._tree.query(points, predicate="intersects")
        result[pt_idx] = geom_idx  # a point on a shared border takes one of its areas
        missing = np.nonzero(result < 0)[0]
        if len(missing):
            near_pt, near_geom = self._tree.query_nearest(
                points[missing], max_distance=self.tolerance_m, all_matches=False
            )
            result[missing[near_pt]] = near_geom
        return [self.keys[i] if i >= 0 else None for i in result.tolist()]


def geometry_from_geojson(obj: Mapping[str, Any]) -> BaseGeometry:
    """A valid shapely geometry from a GeoJSON geometry; raises ValueError when it cannot be made valid."""
    try:
        geom = shape(obj)
    except Exception as exc:  # shapely raises several types for malformed input
        raise ValueError(f"not a GeoJSON geometry: {exc}") from exc
    if geom.is_empty:
        raise ValueError("empty geometry")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in {"Polygon", "MultiPolygon"}]
        if not polys:
            raise ValueError(f"expected a polygon, got {geom.geom_type}")
        geom = shapely.union_all(polys)
    return geom


def to_rfc7946(geom: BaseGeometry, precision: int = 6) -> dict[str, Any]:
    """GeoJSON geometry with counter-clockwise exterior rings, rounded to `precision` decimals."""
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    geom = shapely.set_precision(geom, 10**-precision) if precision else geom
    if geom.geom_type == "Polygon":  # set_precision may flip orientation back
        geom = orient(geom, sign=1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    return dict(mapping(geom))


def feature_collection(features: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def point_feature(
    lon: float, lat: float, properties: Mapping[str, Any], feature_id: str | int | None = None
) -> dict[str, Any]:
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": dict(properties),
    }
    if feature_id is not None:
        feature["id"] = feature_id
    return feature


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def round_to_grid(lat: float, lon: float, metres: float = 50.0) -> tuple[float, float]:
    """Coarsen a position to a grid of about `metres`, for public copies of private locations."""
    step_lat = metres / EARTH_M_PER_DEG_LAT
    step_lon = metres / (EARTH_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)))
    return round(round(lat / step_lat) * step_lat, 6), round(round(lon / step_lon) * step_lon, 6)
