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
        self._bounds = np.array([g.bounds for g in self._geoms])  # minx, miny, maxx, maxy (metres)
        self._tree = shapely.STRtree(self._geoms)
        self._near = shapely.union_all(list(self._geoms)).buffer(tolerance_m)  # "close enough to the city"
        shapely.prepare(self._near)
        self._grid: tuple[np.ndarray, tuple[float, float, float, int, int]] | None = None
        self._edge_index: tuple[shapely.STRtree, np.ndarray] | None = None

    def _project(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky = self._kx, self._ky
        return shapely.transform(geom, lambda c: c * np.array([kx, ky]))

    def locate(self, lat: float, lon: float) -> Match | None:
        x, y = lon * self._kx, lat * self._ky
        b = self._bounds
        candidates = np.nonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))[0]
        for i in candidates.tolist():
            if shapely.contains_xy(self._geoms[i], x, y):
                return Match(self.keys[i], 0.0)
        if not shapely.contains_xy(self._near, x, y):
            return None
        return self._nearest(shapely.Point(x, y), self.tolerance_m)

    def _nearest(self, point: BaseGeometry, max_distance: float | None) -> Match | None:
        tree, owner = self._edges()
        idx, dist = tree.query_nearest(point, max_distance=max_distance, return_distance=True)
        if len(idx) == 0:
            return None
        return Match(self.keys[int(owner[int(idx[0])])], float(dist[0]))

    def _edges(self) -> tuple[shapely.STRtree, np.ndarray]:
        """Every boundary edge as its own tiny segment: nearest-area queries then prune to a
        handful of segments instead of measuring whole polygons of thousands of vertices."""
        if self._edge_index is None:
            segments: list[np.ndarray] = []
            owners: list[np.ndarray] = []
            for i, geom in enumerate(self._geoms):
                for ring in shapely.get_rings(shapely.get_parts(geom)):
                    coords = shapely.get_coordinates(ring)
                    segments.append(np.stack([coords[:-1], coords[1:]], axis=1))
                    owners.append(np.full(len(coords) - 1, i, dtype=np.int64))
            lines = shapely.linestrings(np.concatenate(segments))
            self._edge_index = (shapely.STRtree(lines), np.concatenate(owners))
        return self._edge_index

    def locate_nearest_any(self, lat: float, lon: float) -> Match | None:
        """The nearest area whatever the distance (for sub-areas of an already matched area)."""
        return self._nearest(shapely.Point(lon * self._kx, lat * self._ky), None)

    def locate_many(self, lats: np.ndarray, lons: np.ndarray) -> list[str | None]:
        """Vectorised look-up; returns the area key (or None) for every point, in order.

        A raster of `GRID_CELL_M` cells answers most points with one array read: cells lying
        wholly inside one area, or wholly away from the city, need no geometry test. Only
        points in cells that straddle a border go through the exact test.
        """
        xs = np.asarray(lons, dtype=float) * self._kx
        ys = np.asarray(lats, dtype=float) * self._ky
        grid, (x0, y0, cell, nx, ny) = self._raster()
        ix = np.floor((xs - x0) / cell).astype(np.int64)
        iy = np.floor((ys - y0) / cell).astype(np.int64)
        on_grid = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        result = np.full(xs.size, -1, dtype=np.int64)
        result[on_grid] = grid[iy[on_grid], ix[on_grid]]
        straddling = np.nonzero(result == _MIXED)[0]
        if straddling.size:
            result[straddling] = self._exact_many(xs[straddling], ys[straddling])
        keys = self.keys
        return [keys[i] if i >= 0 else None for i in result.tolist()]

    GRID_CELL_M = 100.0

    def prepare_bulk(self) -> None:
        """Builds the raster and edge index `locate_many` uses (done on first use otherwise)."""
        self._raster()
        self._edges()

    def _raster(self) -> tuple[np.ndarray, tuple[float, float, float, int, int]]:
        if self._grid is None:
            cell = self.GRID_CELL_M
            x0, y0, x1, y1 = self._near.bounds
            nx, ny = int((x1 - x0) // cell) + 1, int((y1 - y0) // cell) + 1
            gx, gy = np.meshgrid(x0 + np.arange(nx) * cell, y0 + np.arange(ny) * cell)
            boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
            grid = np.where(shapely.intersects(self._near, boxes), _MIXED, -1).astype(np.int64)
            box_idx, area_idx = self._tree.query(boxes, predicate="within")
            grid[box_idx] = area_idx
            self._grid = (grid.reshape(ny, nx), (x0, y0, cell, nx, ny))
        return self._grid

    def _exact_many(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        result = np.full(xs.size, -1, dtype=np.int64)
        for i, (minx, miny, maxx, maxy) in enumerate(self._bounds.tolist()):
            cand = np.nonzero((result < 0) & (xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy))[0]
            if cand.size:
                hit = shapely.contains_xy(self._geoms[i], xs[cand], ys[cand])
                result[cand[hit]] = i
        missing = np.nonzero(result < 0)[0]
        if missing.size:
            close = missing[shapely.contains_xy(self._near, xs[missing], ys[missing])]
            if close.size:
                tree, owner = self._edges()
                near_pt, near_edge = tree.query_nearest(
                    shapely.points(xs[close], ys[close]), max_distance=self.tolerance_m, all_matches=False
                )
                result[close[near_pt]] = owner[near_edge]
        return result


_MIXED = -2


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


def simplified_coverage(
    geometries: Sequence[Mapping[str, Any]], tolerance: float, precision: int = 5
) -> list[dict[str, Any]]:
    """Polygons that tile an area (districts, dongs), simplified together so neighbours keep one
    shared edge (no gaps or slivers), for drawing: `tolerance` in the coordinates' units."""
    shapes = [geometry_from_geojson(g) for g in geometries]
    return [to_rfc7946(g, precision) for g in shapely.coverage_simplify(shapes, tolerance)]


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
