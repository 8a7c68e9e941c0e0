"""Server-side marker clustering and hexagon heat maps for map layers (numpy, no Django).

`grid_clusters` groups points into screen-sized grid cells for a zoom level (like
Leaflet.markercluster, but on the server, so a phone receives a few hundred features instead
of 100,000 points). Output is RFC 7946 GeoJSON (lon, lat).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def grid_clusters(
    lons: Sequence[float] | np.ndarray,
    lats: Sequence[float] | np.ndarray,
    *,
    zoom: int,
    cell_px: int = 60,
    ids: Sequence[Any] | None = None,
    properties: Sequence[Mapping[str, Any]] | None = None,
    weights: Sequence[float] | np.ndarray | None = None,
) -> dict[str, Any]:
    """Clusters points on a Web-Mercator grid of `cell_px` screen pixels at `zoom`.

    A cell holding one point yields that point (with its id and properties); a cell holding
    several yields one Point feature at their mean position with `cluster: true`, `count` and
    `weight`. Features are sorted by count, largest first.
    """
    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    if x.size == 0:
        return {"type": "FeatureCollection", "features": []}
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    zoom = max(0, min(int(zoom), 22))
    world_px = 256 * 2**zoom
    mx = (x + 180.0) / 360.0 * world_px
    lat_r = np.radians(np.clip(y, -85.05, 85.05))
    my = (1 - np.log(np.tan(lat_r) + 1 / np.cos(lat_r)) / math.pi) / 2 * world_px
    cx = np.floor(mx / cell_px).astype(np.int64)
    cy = np.floor(my / cell_px).astype(np.int64)
    key = cx * 10_000_000 + cy
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    sum_x = np.bincount(inverse, weights=x)
    sum_y = np.bincount(inverse, weights=y)
    sum_w = np.bincount(inverse, weights=w)
    first = np.full(uniq.size, -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(x.size)[::-1]
    features: list[dict[str, Any]] = []
    order = np.argsort(-counts, kind="stable")
    for k in order.tolist():
        n = int(counts[k])
        if n == 1:
            i = int(first[k])
            feature: dict[str, Any] = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(x[i]), 6), round(float(y[i]), 6)]},
                "properties": {"cluster": False, "count": 1, **(dict(properties[i]) if properties else {})},
            }
            if ids is not None:
                feature["id"] = ids[i]
        else:
            feature = {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(sum_x[k] / n), 6), round(float(sum_y[k] / n), 6)],
                },
                "properties": {"cluster": True, "count": n, "weight": round(float(sum_w[k]), 3)},
            }
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def hexagon_heat(
    lons: Sequence[float] | np.ndarray,
    lats: Sequence[float] | np.ndarray,
    *,
    resolution: int = 8,
    weights: Sequence[float] | np.ndarray | None = None,
) -> dict[str, Any]:
    """A heat map as H3 hexagons: one Polygon feature per occupied cell with `count`/`weight`
    and `intensity` in 0–1 (relative to the busiest cell)."""
    import h3

    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    totals: dict[str, list[float]] = {}
    for lon, lat, wt in zip(x.tolist(), y.tolist(), w.tolist(), strict=True):
        cell = h3.latlng_to_cell(lat, lon, resolution)
        agg = totals.setdefault(cell, [0.0, 0.0])
        agg[0] += 1
        agg[1] += wt
    top = max((v[1] for v in totals.values()), default=1.0) or 1.0
    features = []
    for cell, (count, weight) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        boundary = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(cell)]
        ring = list(reversed(boundary))  # h3 returns clockwise; RFC 7946 wants counter-clockwise
        if _signed_area(ring) < 0:
            ring.reverse()
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "cell": cell,
                    "count": int(count),
                    "weight": round(weight, 3),
                    "intensity": round(weight / top, 4),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True)) / 2
