"""An H3 hexagon grid over a city, and fast cell assignment for millions of points (no Django).

Cells are handled as 64-bit integers (H3 indexes fit in a signed int64, which every engine
— DuckDB, Spark, Trino — stores natively); `cell_str` / `cell_int` convert to the usual
hexadecimal strings. Point → cell assignment runs in the `polars-h3` plug-in (native code),
split into chunks that run on all cores; the result is identical to `h3.latlng_to_cell`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import polars as pl
import polars_h3 as plh3

DEFAULT_RESOLUTION = 8
EARTH_RADIUS_M = 6_371_008.8


def cell_int(cell: str | int) -> int:
    return cell if isinstance(cell, int) else int(h3.str_to_int(cell))


def cell_str(cell: str | int) -> str:
    return cell if isinstance(cell, str) else str(h3.int_to_str(int(cell)))


def assign_cells(
    lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray, resolution: int = DEFAULT_RESOLUTION,
    *, chunks: int | None = None,
) -> np.ndarray:
    """The H3 cell (int64) of every point; invalid coordinates (NaN, out of range) give 0."""
    lat = np.ascontiguousarray(lats, dtype=np.float64)
    lon = np.ascontiguousarray(lons, dtype=np.float64)
    if lat.shape != lon.shape:
        raise ValueError("latitudes and longitudes differ in length")
    n = lat.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if not valid.all():
        lat = np.where(valid, lat, 0.0)
        lon = np.where(valid, lon, 0.0)
    parts = chunks or max(1, min(16, n // 250_000))
    bounds = np.linspace(0, n, parts + 1, dtype=np.int64)
    frames = [
        pl.LazyFrame({"lat": lat[a:b], "lng": lon[a:b]}).select(
            plh3.latlng_to_cell("lat", "lng", resolution, return_dtype=pl.UInt64).alias("c")
        )
        for a, b in itertools.pairwise(bounds)
    ]
    collected = pl.collect_all(frames)
    out = np.concatenate([f.get_column("c").to_numpy() for f in collected]).astype(np.int64, copy=False)
    if not valid.all():
        out = np.where(valid, out, 0)
    return out


def cells_for_geometry(geometry: Mapping[str, Any], resolution: int = DEFAULT_RESOLUTION) -> list[int]:
    """Cells whose centre lies inside a GeoJSON (Multi)Polygon (lon/lat), sorted."""
    cells = h3.geo_to_cells(dict(geometry), resolution)
    return sorted(cell_int(c) for c in cells)


def cell_centres(cells: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of cell centres."""
    pts = [h3.cell_to_latlng(cell_str(c)) for c in cells]
    if not pts:
        return np.zeros(0), np.zeros(0)
    arr = np.asarray(pts, dtype=np.float64)
    return arr[:, 0], arr[:, 1]


def cell_polygon(cell: int | str, precision: int = 6) -> dict[str, Any]:
    """The hexagon as an RFC 7946 Polygon (counter-clockwise, closed)."""
    ring = [[round(lon, precision), round(lat, precision)] for lat, lon in h3.cell_to_boundary(cell_str(cell))]
    if _signed_area(ring) < 0:
        ring.reverse()
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True)) / 2


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (scalars or numpy arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


@dataclass(frozen=True)
class Grid:
    """The cells of a city at one resolution, with centres and the adjacency graph."""

    resolution: int
    cells: np.ndarray  # int64, sorted
    lats: np.ndarray
    lons: np.ndarray

    @classmethod
    def from_cells(cls, cells: Iterable[int], resolution: int) -> Grid:
        arr = np.array(sorted(set(int(c) for c in cells)), dtype=np.int64)
        lats, lons = cell_centres(arr.tolist())
        return cls(resolution, arr, lats, lons)

    def __len__(self) -> int:
        return int(self.cells.size)

    def index_of(self, cells: np.ndarray) -> np.ndarray:
        """Position of each cell in the grid, -1 for a cell outside it."""
        cells = np.asarray(cells, dtype=np.int64)
        pos = np.searchsorted(self.cells, cells)
        pos = np.clip(pos, 0, max(len(self) - 1, 0))
        ok = (self.cells[pos] == cells) if len(self) else np.zeros(cells.shape, dtype=bool)
        return np.where(ok, pos, -1)

    def neighbours(self) -> list[list[tuple[int, float]]]:
        """For each cell (by position) its adjacent cells inside the grid with centre distance in metres."""
        index = {int(c): i for i, c in enumerate(self.cells.tolist())}
        result: list[list[tuple[int, float]]] = []
        for i, c in enumerate(self.cells.tolist()):
            row = []
            for n in h3.grid_ring(cell_str(c), 1):
                j = index.get(cell_int(n))
                if j is not None:
                    d = float(haversine_m(self.lats[i], self.lons[i], self.lats[j], self.lons[j]))
                    row.append((j, d))
            result.append(row)
        return result

    def within(self, i: int, radius_m: float) -> np.ndarray:
        """Positions of the cells whose centre lies within `radius_m` of cell i's centre."""
        d = haversine_m(self.lats[i], self.lons[i], self.lats, self.lons)
        return np.nonzero(d <= radius_m)[0]


def cells_along_line(coords: Sequence[Sequence[float]], resolution: int, step_m: float = 100.0) -> list[int]:
    """Cells a GeoJSON LineString (lon, lat pairs) passes through, in order, without repeats."""
    out: list[int] = []
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        length = float(haversine_m(lat1, lon1, lat2, lon2))
        steps = max(1, math.ceil(length / step_m))
        for s in range(steps + 1):
            t = s / steps
            c = cell_int(h3.latlng_to_cell(lat1 + (lat2 - lat1) * t, lon1 + (lon2 - lon1) * t, resolution))
            if not out or out[-1] != c:
                out.append(c)
    if len(coords) == 1:
        lon, lat = coords[0][:2]
        out.append(cell_int(h3.latlng_to_cell(lat, lon, resolution)))
    return out
