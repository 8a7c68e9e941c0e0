"""Night-bus route planning on the hexagon grid (no Django).

The method of Seoul's Owl bus: late-night trips are counted between cells; candidate routes are
shortest paths on the cell adjacency graph (edges weighted by the distance between cell
centres), with k alternatives per busy origin–destination pair; a trip is served when one route
passes through both its origin and its destination cell; the set of routes serving the most
trips is chosen by maximum coverage (`siting.max_coverage`: greedy + swaps, or exact for small
cases). Each route then gets stops every ~`stop_spacing_m`, riders per segment (drawn as line
width), and suggested intervals by weekday from its demand and the buses it is given.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .hexgrid import haversine_m
from .siting import max_coverage

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Adjacency = Sequence[Sequence[tuple[int, float]]]


class PlanningError(ValueError):
    """Impossible planning constraints or input; `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PlanParams:
    routes: int = 5
    max_length_m: float = 25_000.0
    stop_spacing_m: float = 500.0
    alternatives: int = 3  # k shortest paths per origin–destination pair
    top_pairs: int = 300  # busiest pairs that seed candidates
    buses: int = 40  # fleet to share between the routes
    bus_capacity: int = 50  # riders per bus trip
    speed_kmh: float = 30.0  # average night speed
    layover_min: float = 10.0
    max_interval_min: float = 60.0
    method: str = "auto"  # auto | greedy | exact
    catchment_rings: int = 0  # cells around the path whose trips a route also serves (walk to the stop)

    def validate(self) -> None:
        if self.routes < 1:
            raise PlanningError("bad_route_count", "Plan at least one route.")
        if self.routes > 50:
            raise PlanningError("bad_route_count", "Plan at most 50 routes at once.")
        if not (100 <= self.stop_spacing_m <= 5_000):
            raise PlanningError("bad_stop_spacing", "Stop spacing must be between 100 m and 5,000 m.")
        if self.max_length_m < self.stop_spacing_m:
            raise PlanningError(
                "route_too_short",
                "The maximum route length is shorter than one stop spacing: no route can have two stops.",
            )
        if self.max_length_m > 200_000:
            raise PlanningError("route_too_long", "The maximum route length must be at most 200 km.")
        if not (1 <= self.alternatives <= 10):
            raise PlanningError("bad_alternatives", "Alternatives per pair must be between 1 and 10.")
        if not (1 <= self.top_pairs <= 5_000):
            raise PlanningError("bad_top_pairs", "Seed pairs must be between 1 and 5,000.")
        if self.buses < self.routes:
            raise PlanningError("too_few_buses", "Give every route at least one bus.")
        if self.bus_capacity < 1 or self.speed_kmh <= 0:
            raise PlanningError("bad_vehicle", "Bus capacity and speed must be positive.")
        if not (0 <= self.catchment_rings <= 2):
            raise PlanningError("bad_catchment", "The walking catchment must be 0, 1 or 2 rings of cells.")
        if self.method not in {"auto", "greedy", "exact"}:
            raise PlanningError("bad_method", "Method must be auto, greedy or exact.")


@dataclass(frozen=True)
class Flows:
    """Trips between grid positions over the analysed period: origin, destination, weight;
    optionally trips per night of each weekday (n × 7, averaged over the nights of that weekday)
    and the hour-of-day profile (n × 24)."""

    origin: np.ndarray
    dest: np.ndarray
    weight: np.ndarray
    by_weekday: np.ndarray | None = None
    by_hour: np.ndarray | None = None

    def undirected(self) -> Flows:
        """Merges a→b with b→a (a bus serves both directions) and drops trips inside one cell."""
        a = np.minimum(self.origin, self.dest)
        b = np.maximum(self.origin, self.dest)
        keep = a != b
        a, b = a[keep], b[keep]
        key = a.astype(np.int64) * 1_000_003 + b
        uniq, inv = np.unique(key, return_inverse=True)
        w = np.bincount(inv, weights=self.weight[keep], minlength=uniq.size)
        wd = _sum_rows(inv, self.by_weekday[keep], uniq.size) if self.by_weekday is not None else None
        hr = _sum_rows(inv, self.by_hour[keep], uniq.size) if self.by_hour is not None else None
        return Flows((uniq // 1_000_003).astype(np.int64), (uniq % 1_000_003).astype(np.int64), w, wd, hr)


def _sum_rows(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Row sums of `values` (m × k) grouped by `groups` (m) into an n × k array."""
    return np.stack([np.bincount(groups, weights=values[:, j], minlength=n) for j in range(values.shape[1])],
                    axis=1)


def grouped_matrix(groups: np.ndarray, columns: np.ndarray, weights: np.ndarray, n: int, k: int) -> np.ndarray:
    """An n × k matrix of summed `weights` at (group, column) — what np.add.at does, much faster."""
    flat = np.bincount(groups.astype(np.int64) * k + columns.astype(np.int64), weights=weights, minlength=n * k)
    return flat.reshape(n, k)


def shortest_path(
    adj: Adjacency, source: int, target: int, *, cost: Mapping[tuple[int, int], float] | None = None,
    limit_m: float = math.inf,
) -> tuple[list[int], float] | None:
    """Dijkstra on the cell graph; `cost` overrides edge weights (for alternatives); the true
    length in metres is returned. None when the target is unreachable within `limit_m` (cost units)."""
    dist = {source: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == target:
            break
        if d > dist.get(u, math.inf) or d > limit_m:
            continue
        for v, w in adj[u]:
            c = cost.get((u, v), w) if cost else w
            nd = d + c
            if nd < dist.get(v, math.inf):
                dist[v] = nd
                prev[v] = u
                heapq.heappush(heap, (nd, v))
    if target not in dist or dist[target] > limit_m:
        return None
    path = [target]
    while path[-1] != source:
        path.append(prev[path[-1]])
    path.reverse()
    return path, path_length(adj, path)


def path_length(adj: Adjacency, path: Sequence[int]) -> float:
    total = 0.0
    for u, v in itertools.pairwise(path):
        total += next(w for n, w in adj[u] if n == v)
    return total


def alternative_paths(
    adj: Adjacency, source: int, target: int, k: int, *, max_length_m: float, penalty: float = 0.6,
) -> list[tuple[list[int], float]]:
    """Up to k distinct paths no longer than `max_length_m`: the shortest, then paths found after
    making the edges of earlier ones `penalty` times more expensive (the penalty method)."""
    found: list[tuple[list[int], float]] = []
    cost: dict[tuple[int, int], float] = {}
    seen: set[tuple[int, ...]] = set()
    for _ in range(k * 2):
        res = shortest_path(adj, source, target, cost=cost, limit_m=max_length_m * (1 + penalty) ** k)
        if res is None:
            break
        path, length = res
        key = tuple(path)
        if key not in seen and length <= max_length_m:
            seen.add(key)
            found.append((path, length))
            if len(found) >= k:
                break
        for u, v in itertools.pairwise(path):
            w = next(w for n, w in adj[u] if n == v)
            cost[(u, v)] = cost.get((u, v), w) * (1 + penalty)
            cost[(v, u)] = cost[(u, v)]
    return found


@dataclass
class Route:
    path: list[int]  # grid positions in order
    length_m: float
    seed: tuple[int, int]
    served: float = 0.0  # trips per analysed period it serves alone (marginal, in plan order)
    riders: float = 0.0  # all trips it carries in the plan
    peak_segment: float = 0.0  # riders on its busiest segment
    segment_riders: list[float] = field(default_factory=list)
    stop_boardings: dict[int, float] = field(default_factory=dict)  # grid position → boardings + alightings
    weekday_riders: list[float] = field(default_factory=list)
    peak_hour_share: float = 0.0
    buses: int = 0
    round_trip_min: float = 0.0
    intervals_min: dict[str, float] = field(default_factory=dict)
    crowded: dict[str, bool] = field(default_factory=dict)


def candidate_routes(
    adj: Adjacency, flows: Flows, params: PlanParams, *, should_stop: Callable[[], None] | None = None
) -> list[Route]:
    """Shortest paths (and alternatives) between the busiest pairs that fit the length limit."""
    order = np.argsort(-flows.weight, kind="stable")[: params.top_pairs]
    routes: list[Route] = []
    seen: set[tuple[int, ...]] = set()
    for n, i in enumerate(order.tolist()):
        if should_stop is not None and n % 20 == 0:
            should_stop()
        o, d = int(flows.origin[i]), int(flows.dest[i])
        for path, length in alternative_paths(adj, o, d, params.alternatives, max_length_m=params.max_length_m):
            key = tuple(path) if path[0] <= path[-1] else tuple(reversed(path))
            if key in seen:
                continue
            seen.add(key)
            routes.append(Route(list(key), length, (o, d)))
    return routes


def catchment(path: Sequence[int], adj: Adjacency | None, rings: int) -> dict[int, int]:
    """Cell → the position on the path where its riders board: the path's own cells, then
    (for `rings` > 0) the cells around them, each given to the nearest earlier-found path cell."""
    where = {c: i for i, c in reversed(list(enumerate(path)))}
    frontier = [(c, i) for c, i in where.items()]
    for _ in range(rings if adj is not None else 0):
        nxt = []
        for c, i in frontier:
            for n, _w in adj[c]:  # type: ignore[index]
                if n not in where:
                    where[n] = i
                    nxt.append((n, i))
        frontier = nxt
    return where


def flows_served(path: Sequence[int], pair_index: Mapping[tuple[int, int], int]) -> np.ndarray:
    """Indices of the (undirected) flows with both ends among the given cells (a path or its catchment)."""
    cells = sorted(set(path))
    out = []
    for x, a in enumerate(cells):
        for b in cells[x + 1:]:
            j = pair_index.get((a, b))
            if j is not None:
                out.append(j)
    return np.asarray(out, dtype=np.int64)


@dataclass
class Plan:
    routes: list[Route]
    total_demand: float
    served_demand: float
    method: str
    candidates: int

    @property
    def share(self) -> float:
        return self.served_demand / self.total_demand if self.total_demand > 0 else 0.0


def plan_routes(
    adj: Adjacency, flows: Flows, params: PlanParams, *, progress: Callable[[float, str], None] | None = None,
) -> Plan:
    """Chooses `params.routes` routes covering the most demand; see the module docstring."""
    params.validate()

    def tick(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    und = flows.undirected()
    total = float(und.weight.sum())
    if und.weight.size == 0 or total <= 0:
        raise PlanningError("no_demand", "There is no demand between different cells in this window.")
    tick(0.05, "candidates")
    routes = candidate_routes(adj, und, params, should_stop=lambda: tick(0.05, "candidates"))
    if not routes:
        raise PlanningError(
            "no_candidate_routes",
            "No route fits the constraints: raise the maximum length or check that the demand lies on the grid.",
        )
    pair_index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(und.origin.tolist(), und.dest.tolist(),
                                                                      strict=True))}
    tick(0.4, "coverage")
    areas = [catchment(r.path, adj, params.catchment_rings) for r in routes]
    sets = [_served_on_route(a, pair_index, und) for a in areas]
    tick(0.5, "selection")
    result = max_coverage(sets, und.weight, params.routes, method=params.method,
                          should_stop=lambda: tick(0.6, "selection"))
    chosen = [routes[c] for c in result.chosen]
    for r, gain in zip(chosen, result.gains, strict=True):
        r.served = gain
    tick(0.9, "loads")
    _assign_loads(chosen, [sets[c] for c in result.chosen], und, [areas[c] for c in result.chosen])
    _allocate_buses(chosen, params)
    return Plan(chosen, total, result.covered_weight, result.method, len(routes))


def _served_on_route(area: Mapping[int, int], pair_index: Mapping[tuple[int, int], int], flows: Flows) -> np.ndarray:
    """Flows with both ends in the route's catchment that ride at least one segment."""
    served = flows_served(list(area), pair_index)
    o, d = flows.origin, flows.dest
    return np.asarray([j for j in served.tolist() if area[int(o[j])] != area[int(d[j])]], dtype=np.int64)


def _assign_loads(routes: list[Route], sets: list[np.ndarray], flows: Flows, areas: list[dict[int, int]]) -> None:
    """Each served trip rides the first chosen route that serves it (plan order), boarding at the
    path position of its origin's catchment and alighting at its destination's."""
    taken = np.zeros(flows.weight.size, dtype=bool)
    for r, s, pos in zip(routes, sets, areas, strict=True):
        mine = s[~taken[s]]
        taken[mine] = True
        seg = np.zeros(max(len(r.path) - 1, 0))
        stops: dict[int, float] = {}
        for j in mine.tolist():
            a, b = pos[int(flows.origin[j])], pos[int(flows.dest[j])]
            lo, hi = min(a, b), max(a, b)
            w = float(flows.weight[j])
            seg[lo:hi] += w
            stops[r.path[lo]] = stops.get(r.path[lo], 0.0) + w
            stops[r.path[hi]] = stops.get(r.path[hi], 0.0) + w
        r.segment_riders = seg.round(3).tolist()
        r.stop_boardings = {k: round(v, 3) for k, v in stops.items()}
        r.riders = float(flows.weight[mine].sum())
        if flows.by_weekday is not None and mine.size:
            r.weekday_riders = flows.by_weekday[mine].sum(axis=0).round(3).tolist()
        else:
            r.weekday_riders = [r.riders / 7] * 7
        if flows.by_hour is not None and mine.size:
            hours = flows.by_hour[mine].sum(axis=0)
            r.peak_hour_share = float(hours.max() / hours.sum()) if hours.sum() > 0 else 0.0
        else:
            r.peak_hour_share = 1 / 5
        r.peak_segment = float(seg.max()) if seg.size else 0.0


def _allocate_buses(routes: list[Route], params: PlanParams) -> None:
    """One bus per route, the rest in proportion to round-trip time × peak load (largest remainder);
    then intervals per weekday: what the fleet allows, relaxed where demand is lower."""
    for r in routes:
        r.round_trip_min = 2 * r.length_m / 1000 / params.speed_kmh * 60 + params.layover_min
    need = np.array([r.round_trip_min * max(r.peak_segment, 1e-6) for r in routes])
    spare = params.buses - len(routes)
    share = need / need.sum() * spare if need.sum() > 0 else np.zeros(len(routes))
    extra = np.floor(share).astype(int)
    for i in np.argsort(-(share - extra), kind="stable")[: spare - int(extra.sum())]:
        extra[i] += 1
    for r, e in zip(routes, extra.tolist(), strict=True):
        r.buses = 1 + int(e)
        fleet_interval = r.round_trip_min / r.buses
        for day, riders in zip(WEEKDAYS, r.weekday_riders, strict=True):
            # the busiest segment in the busiest hour of an average night of that weekday
            # (weekday_riders are trips per night of that weekday; segment loads cover the period)
            load = r.peak_segment * (riders / r.riders if r.riders > 0 else 0.0) * r.peak_hour_share
            per_hour = max(1, math.ceil(load / params.bus_capacity))
            demand_interval = 60.0 / per_hour
            interval = max(fleet_interval, min(demand_interval, params.max_interval_min))
            r.intervals_min[day] = float(max(5, round(interval / 5) * 5))
            r.crowded[day] = demand_interval < fleet_interval


def place_stops(lats: Sequence[float], lons: Sequence[float], spacing_m: float) -> list[tuple[float, float, int]]:
    """Stops along a polyline every `spacing_m` (and at both ends): (lat, lon, segment index)."""
    stops = [(float(lats[0]), float(lons[0]), 0)]
    carried = 0.0
    for i in range(len(lats) - 1):
        seg = float(haversine_m(lats[i], lons[i], lats[i + 1], lons[i + 1]))
        pos = spacing_m - carried
        while pos <= seg - 1e-6:
            t = pos / seg
            stops.append((lats[i] + (lats[i + 1] - lats[i]) * t, lons[i] + (lons[i + 1] - lons[i]) * t, i))
            pos += spacing_m
        carried = seg - (pos - spacing_m)
    last = len(lats) - 1
    if len(lats) > 1 and (len(stops) == 1 or carried > spacing_m * 0.3):
        stops.append((float(lats[last]), float(lons[last]), max(last - 1, 0)))
    return stops


def plan_geojson(
    plan: Plan, lats: np.ndarray, lons: np.ndarray, cell_ids: Sequence[str], params: PlanParams,
    *, max_width: float = 14.0,
) -> dict[str, Any]:
    """The plan as RFC 7946 GeoJSON: one LineString per route segment with `riders` and `width`,
    one Point per stop, and one summary LineString per route."""
    top = max((max(r.segment_riders, default=0.0) for r in plan.routes), default=0.0) or 1.0
    features: list[dict[str, Any]] = []
    for n, r in enumerate(plan.routes, start=1):
        coords = [[round(float(lons[c]), 6), round(float(lats[c]), 6)] for c in r.path]
        features.append({
            "type": "Feature", "id": f"route-{n}",
            "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {
                "kind": "route", "route": n, "name": f"N{n}", "length_m": round(r.length_m),
                "riders": round(r.riders, 1), "served": round(r.served, 1), "buses": r.buses,
                "round_trip_min": round(r.round_trip_min, 1), "intervals_min": r.intervals_min,
                "crowded": r.crowded, "cells": [cell_ids[c] for c in r.path],
            },
        })
        for i, riders in enumerate(r.segment_riders):
            a, b = r.path[i], r.path[i + 1]
            features.append({
                "type": "Feature", "id": f"route-{n}-seg-{i}",
                "geometry": {"type": "LineString", "coordinates": [coords[i], coords[i + 1]]},
                "properties": {"kind": "segment", "route": n, "segment": i, "from_cell": cell_ids[a],
                               "to_cell": cell_ids[b], "riders": round(riders, 1),
                               "width": round(2 + (max_width - 2) * riders / top, 2)},
            })
        path_lats = [float(lats[c]) for c in r.path]
        path_lons = [float(lons[c]) for c in r.path]
        for s, (la, lo, seg) in enumerate(place_stops(path_lats, path_lons, params.stop_spacing_m), start=1):
            near = r.path[seg] if haversine_m(la, lo, lats[r.path[seg]], lons[r.path[seg]]) <= haversine_m(
                la, lo, lats[r.path[min(seg + 1, len(r.path) - 1)]], lons[r.path[min(seg + 1, len(r.path) - 1)]]
            ) else r.path[min(seg + 1, len(r.path) - 1)]
            features.append({
                "type": "Feature", "id": f"route-{n}-stop-{s}",
                "geometry": {"type": "Point", "coordinates": [round(lo, 6), round(la, 6)]},
                "properties": {"kind": "stop", "route": n, "stop": s, "cell": cell_ids[near]},
            })
    return {
        "type": "FeatureCollection", "features": features,
        "properties": {"share_served": round(plan.share, 4), "served": round(plan.served_demand, 1),
                       "total": round(plan.total_demand, 1), "method": plan.method, "candidates": plan.candidates},
    }


def coverage_of_paths(
    paths: Sequence[Sequence[int]], flows: Flows, *, adj: Adjacency | None = None, catchment_rings: int = 0,
) -> tuple[float, list[float]]:
    """Share of the (undirected) demand that a given set of routes serves (with the same walking
    catchment as a plan), and each route's own share."""
    und = flows.undirected()
    total = float(und.weight.sum())
    if total <= 0:
        return 0.0, [0.0 for _ in paths]
    pair_index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(und.origin.tolist(), und.dest.tolist(),
                                                                      strict=True))}
    sets = [_served_on_route(catchment(p, adj, catchment_rings), pair_index, und) if p else
            np.zeros(0, dtype=np.int64) for p in paths]
    union = np.unique(np.concatenate(sets)) if sets else np.zeros(0, dtype=np.int64)
    return float(und.weight[union].sum()) / total, [float(und.weight[s].sum()) / total for s in sets]
