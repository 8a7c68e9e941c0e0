"""The analyses a job runs: each reads the lake (through the portable expressions) and the city
grid, reports progress through `tick(fraction, message)` (which raises JobCancelled when the job
is cancelled) and returns (summary, GeoJSON). They write nothing; services store the result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from smartseoul.core import clock
from smartseoul.core import selectors as core_selectors
from smartseoul.lib import routing
from smartseoul.lib.hexgrid import cell_polygon, haversine_m
from smartseoul.lib.siting import maximal_covering_location

from . import lake, portable, selectors
from .errors import AnalyticsErrorCode, AnalyticsInvalid, PlanningRefused
from .params import CommerceParams, DensityParams, ODParams, RoutePlanParams, SitingParams, Window
from .synth import CATEGORIES

Tick = Callable[[float, str], None]
Outcome = tuple[dict[str, Any], dict[str, Any] | None]


def _window(p: Window) -> dict[str, Any]:
    return {"start_hour": p.start_hour, "end_hour": p.end_hour, "weekdays": p.weekdays, "date_from": p.date_from,
            "date_to": p.date_to}


def _require_trips() -> None:
    if not lake.has_files(lake.TRIPS):
        raise AnalyticsInvalid("There are no trips in the lake yet: import a file or generate demand first.",
                               code=AnalyticsErrorCode.NO_TRIPS)


def load_flows(cg: selectors.CityGrid, p: Window) -> tuple[routing.Flows, dict[str, float]]:
    """The window's OD demand on grid positions, with trips per night of each weekday and by hour."""
    _require_trips()
    with lake.session() as con:
        od = lake.run(portable.od_by_weekday_hour(**_window(p)), con)
        nights = lake.run(portable.nights_per_weekday(date_from=p.date_from, date_to=p.date_to), con)
    per_dow = {int(d): max(int(n), 1) for d, n in zip(nights["dow"].to_list(), nights["days"].to_list(),
                                                       strict=True)}
    if od.height == 0:
        raise PlanningRefused("There are no trips in this time window.", code="no_demand")
    o = cg.grid.index_of(od["origin_cell"].to_numpy())
    d = cg.grid.index_of(od["dest_cell"].to_numpy())
    trips = od["trips"].to_numpy().astype(np.float64)
    inside = (o >= 0) & (d >= 0)
    stats = {"trips_in_window": float(trips.sum()), "trips_outside_grid": float(trips[~inside].sum())}
    o, d, trips = o[inside], d[inside], trips[inside]
    dow = od["dow"].to_numpy()[inside].astype(np.int64)
    hour = od["hour"].to_numpy()[inside].astype(np.int64)
    n = len(cg)
    key = o.astype(np.int64) * n + d
    uniq, inv = np.unique(key, return_inverse=True)
    weight = np.bincount(inv, weights=trips, minlength=uniq.size)
    night_count = np.array([per_dow.get(int(x), 1) for x in range(7)], dtype=np.float64)
    by_weekday = routing.grouped_matrix(inv, dow, trips / night_count[dow], uniq.size, 7)
    by_hour = routing.grouped_matrix(inv, hour, trips, uniq.size, 24)
    return routing.Flows(uniq // n, uniq % n, weight, by_weekday, by_hour), stats


# --- origin–destination ------------------------------------------------------------------------


def _arc(lat1: float, lon1: float, lat2: float, lon2: float, points: int = 9) -> list[list[float]]:
    """A gentle curve from origin to destination (so two-way flows do not overlap)."""
    mx, my = (lon1 + lon2) / 2, (lat1 + lat2) / 2
    dx, dy = lon2 - lon1, lat2 - lat1
    cx, cy = mx - dy * 0.2, my + dx * 0.2
    out = []
    for i in range(points):
        t = i / (points - 1)
        x = (1 - t) ** 2 * lon1 + 2 * (1 - t) * t * cx + t**2 * lon2
        y = (1 - t) ** 2 * lat1 + 2 * (1 - t) * t * cy + t**2 * lat2
        out.append([round(x, 6), round(y, 6)])
    return out


def run_od(p: ODParams, tick: Tick) -> Outcome:
    cg = selectors.city_grid(p.resolution)
    tick(0.1, "aggregating trips")
    _require_trips()
    with lake.session() as con:
        od = lake.run(portable.od_by_hour(**_window(p)), con)
    tick(0.6, "top flows")
    if od.height == 0:
        return {"total_trips": 0.0, "pairs": 0, "by_hour": [0.0] * 24, "top": []}, {"type": "FeatureCollection",
                                                                                     "features": []}
    by_hour_total = od.group_by("hour").agg(pl.col("trips").sum()).sort("hour")
    hours = [0.0] * 24
    for h, v in zip(by_hour_total["hour"].to_list(), by_hour_total["trips"].to_list(), strict=True):
        hours[int(h)] = round(float(v), 3)
    pairs = od.group_by(["origin_cell", "dest_cell"]).agg(pl.col("trips").sum().alias("trips"))
    top = pairs.filter(pl.col("origin_cell") != pl.col("dest_cell")).sort("trips", descending=True).head(p.top)
    hourly = od.join(top.select(["origin_cell", "dest_cell"]), on=["origin_cell", "dest_cell"])
    per_pair: dict[tuple[int, int], list[float]] = {}
    for oc, dc, h, v in hourly.select(["origin_cell", "dest_cell", "hour", "trips"]).iter_rows():
        per_pair.setdefault((oc, dc), [0.0] * 24)[int(h)] += float(v)
    idx = {int(c): i for i, c in enumerate(cg.grid.cells.tolist())}
    biggest = float(top["trips"].max() or 1.0)  # type: ignore[arg-type]
    features = []
    rows = []
    for oc, dc, v in top.iter_rows():
        i, j = idx.get(int(oc)), idx.get(int(dc))
        if i is None or j is None:
            continue
        lat1, lon1, lat2, lon2 = (float(cg.grid.lats[i]), float(cg.grid.lons[i]), float(cg.grid.lats[j]),
                                  float(cg.grid.lons[j]))
        row = {"origin_cell": cg.ids[i], "dest_cell": cg.ids[j], "origin_district": cg.districts[i],
               "dest_district": cg.districts[j], "trips": round(float(v), 3),
               "distance_m": round(float(haversine_m(lat1, lon1, lat2, lon2)))}
        rows.append(row)
        features.append({
            "type": "Feature", "id": f"{cg.ids[i]}-{cg.ids[j]}",
            "geometry": {"type": "LineString", "coordinates": _arc(lat1, lon1, lat2, lon2)},
            "properties": {**row, "by_hour": [round(x, 3) for x in per_pair.get((oc, dc), [0.0] * 24)],
                           "width": round(1 + 11 * float(v) / biggest, 2)},
        })
    summary = {"total_trips": round(float(od["trips"].sum()), 3), "pairs": pairs.height, "by_hour": hours,
               "top": rows[:50]}
    return summary, {"type": "FeatureCollection", "features": features}


# --- route plan ----------------------------------------------------------------------------------


def run_plan(p: RoutePlanParams, tick: Tick) -> Outcome:
    cg = selectors.city_grid(p.resolution)
    params = p.planner()
    tick(0.05, "reading demand")
    flows, stats = load_flows(cg, p)
    tick(0.2, "planning")
    try:
        plan = routing.plan_routes(cg.adjacency, flows, params,
                                   progress=lambda f, m: tick(0.2 + 0.7 * f, m))
    except routing.PlanningError as exc:
        raise PlanningRefused(exc.message, code=exc.code) from exc
    tick(0.92, "map")
    fc = routing.plan_geojson(plan, cg.grid.lats, cg.grid.lons, cg.ids, params)
    routes = [{
        "name": f"N{n}", "length_km": round(r.length_m / 1000, 2), "cells": len(r.path),
        "riders": round(r.riders, 1), "served": round(r.served, 1), "buses": r.buses,
        "round_trip_min": round(r.round_trip_min, 1), "intervals_min": r.intervals_min, "crowded": r.crowded,
        "from_district": cg.districts[r.path[0]], "to_district": cg.districts[r.path[-1]],
        "peak_segment_riders": round(r.peak_segment, 1),
    } for n, r in enumerate(plan.routes, start=1)]
    existing = compare_existing(cg, flows, params.catchment_rings)
    summary = {
        "share_served": round(plan.share, 4), "served": round(plan.served_demand, 1),
        "total": round(plan.total_demand, 1), "method": plan.method, "candidates": plan.candidates,
        "routes": routes, "existing": existing, **{k: round(v, 1) for k, v in stats.items()},
    }
    fc["properties"]["existing_share"] = existing["share"] if existing else None
    return summary, fc


def compare_existing(cg: selectors.CityGrid, flows: routing.Flows, rings: int) -> dict[str, Any] | None:
    routes = list(selectors.existing_routes().filter(resolution=cg.resolution))
    if not routes:
        return None
    paths = []
    for r in routes:
        pos = cg.grid.index_of(np.array(r.cells, dtype=np.int64)) if r.cells else np.zeros(0, dtype=np.int64)
        paths.append([int(x) for x in pos.tolist() if x >= 0])
    share, each = routing.coverage_of_paths(paths, flows, adj=cg.adjacency, catchment_rings=rings)
    return {"share": round(share, 4),
            "routes": [{"name": r.name, "share": round(s, 4)} for r, s in zip(routes, each, strict=True)]}


# --- siting --------------------------------------------------------------------------------------


def run_siting(p: SitingParams, tick: Tick) -> Outcome:
    cg = selectors.city_grid(p.resolution)
    tick(0.1, "demand")
    n = len(cg)
    if p.demand == "residents":
        pops = {d.code: d.population for d in core_selectors.districts()}
        codes = np.asarray(cg.districts)
        weight = np.zeros(n)
        for code in set(cg.districts):
            mask = codes == code
            weight[mask] = pops.get(code, 0) / max(int(mask.sum()), 1)
    else:
        _require_trips()
        end = "dest" if p.demand == "night_destinations" else "origin"
        frame = lake.run(portable.density_by_cell(end=end, **_window(p)))
        cells = frame.group_by("cell").agg(pl.col("trips").sum())
        pos = cg.grid.index_of(cells["cell"].to_numpy())
        weight = np.zeros(n)
        ok = pos >= 0
        np.add.at(weight, pos[ok], cells["trips"].to_numpy()[ok])
    if weight.sum() <= 0:
        raise AnalyticsInvalid("There is no demand to cover in this window.", code=AnalyticsErrorCode.NO_TRIPS)
    candidates = np.arange(n)
    if p.district_code:
        candidates = np.nonzero(np.asarray(cg.districts) == p.district_code)[0]
        if candidates.size == 0:
            raise AnalyticsInvalid("No grid cell lies in that district.", code=AnalyticsErrorCode.BAD_PARAMS)
    if p.k > candidates.size:
        raise AnalyticsInvalid(f"Only {candidates.size} candidate sites exist; choose fewer.",
                               code=AnalyticsErrorCode.BAD_PARAMS)
    tick(0.3, "choosing sites")
    result = maximal_covering_location(
        cg.grid.lats, cg.grid.lons, weight, cg.grid.lats[candidates], cg.grid.lons[candidates], k=p.k,
        radius_m=p.radius_m, method=p.method, should_stop=lambda: tick(0.5, "choosing sites"),
    )
    tick(0.9, "map")
    features: list[dict[str, Any]] = []
    sites = []
    for rank, (c, gain) in enumerate(zip(result.sites, result.site_weight, strict=True), start=1):
        i = int(candidates[c])
        site = {"rank": rank, "cell": cg.ids[i], "district": cg.districts[i], "dong": cg.dongs[i],
                "lat": round(float(cg.grid.lats[i]), 6), "lon": round(float(cg.grid.lons[i]), 6),
                "covers": round(float(gain), 2)}
        sites.append(site)
        features.append({"type": "Feature", "id": f"site-{rank}",
                         "geometry": {"type": "Point", "coordinates": [site["lon"], site["lat"]]},
                         "properties": {"kind": "site", **site, "radius_m": p.radius_m}})
    for i in np.nonzero(weight > 0)[0].tolist():
        features.append({"type": "Feature", "id": cg.ids[i], "geometry": cell_polygon(cg.ids[i]),
                         "properties": {"kind": "demand", "cell": cg.ids[i], "weight": round(float(weight[i]), 2),
                                        "covered": bool(result.covered_demand[i])}})
    summary = {"share_covered": round(result.share, 4), "covered": round(result.covered_weight, 2),
               "total": round(result.total_weight, 2), "method": result.method, "sites": sites}
    return summary, {"type": "FeatureCollection", "features": features,
                     "properties": {"share_covered": round(result.share, 4)}}


# --- density -------------------------------------------------------------------------------------


def _point_dataset_cells(p: DensityParams) -> pl.DataFrame:
    """Cell, weekday and hour of every point of a lake dataset with latitude/longitude columns."""
    from smartseoul.lib.hexgrid import assign_cells

    if not lake.has_files(p.dataset):
        raise AnalyticsInvalid(f"The lake has no dataset {p.dataset!r}.", code=AnalyticsErrorCode.UNKNOWN_DATASET)
    with lake.session() as con:
        cols = [r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{lake.glob(p.dataset)}', hive_partitioning = true)").fetchall()]  # noqa: S608  (the lake's own parquet paths, quoted; no request text)
        for c in (p.lat_column, p.lon_column):
            if c not in cols:
                raise AnalyticsInvalid(f"Dataset {p.dataset!r} has no column {c!r} (it has {', '.join(cols)}).",
                                       code=AnalyticsErrorCode.BAD_COLUMNS)
        time = p.time_column if p.time_column and p.time_column in cols else None
        select = (f'"{p.lat_column}" AS lat, "{p.lon_column}" AS lon, '
                  + (f"hour(timezone('Asia/Seoul', \"{time}\"::TIMESTAMPTZ)) AS hour, "
                     f"isodow(timezone('Asia/Seoul', \"{time}\"::TIMESTAMPTZ)) - 1 AS dow" if time
                     else "NULL::INTEGER AS hour, NULL::INTEGER AS dow"))
        frame = con.execute(f"SELECT {select} FROM read_parquet('{lake.glob(p.dataset)}', "  # noqa: S608  (the lake's own parquet paths, quoted; no request text)
                            "hive_partitioning = true)").pl()
    cells = assign_cells(frame["lat"].to_numpy(), frame["lon"].to_numpy(), p.resolution)
    out = pl.DataFrame({"cell": cells, "dow": frame["dow"], "hour": frame["hour"], "trips": np.ones(frame.height)})
    if time:
        hours = portable.hours_in_window(p.start_hour, p.end_hour)
        out = out.filter(pl.col("hour").is_in(hours))
        if p.weekdays:
            out = out.filter(pl.col("dow").is_in(p.weekdays))
    return out.filter(pl.col("cell") != 0)


def run_density(p: DensityParams, tick: Tick) -> Outcome:
    cg = selectors.city_grid(p.resolution)
    tick(0.1, "counting")
    if p.dataset == lake.TRIPS:
        _require_trips()
        frame = lake.run(portable.density_by_cell(end=p.end, **_window(p)))
    else:
        frame = _point_dataset_cells(p)
    tick(0.6, "aggregating")
    pos = cg.grid.index_of(frame["cell"].to_numpy()) if frame.height else np.zeros(0, dtype=np.int64)
    values = frame["trips"].to_numpy().astype(np.float64) if frame.height else np.zeros(0)
    ok = pos >= 0
    n = len(cg)
    per_cell = np.bincount(pos[ok], weights=values[ok], minlength=n) if ok.any() else np.zeros(n)
    by_hour = [0.0] * 24
    by_weekday = [0.0] * 7
    if frame.height:
        hours = frame["hour"].to_numpy()
        dows = frame["dow"].to_numpy()
        for h in range(24):
            by_hour[h] = round(float(values[ok & (hours == h)].sum()), 3)
        for d in range(7):
            by_weekday[d] = round(float(values[ok & (dows == d)].sum()), 3)
    by_district: dict[str, float] = {}
    by_dong: dict[str, float] = {}
    for i in np.nonzero(per_cell > 0)[0].tolist():
        by_district[cg.districts[i]] = by_district.get(cg.districts[i], 0.0) + float(per_cell[i])
        if cg.dongs[i]:
            by_dong[cg.dongs[i]] = by_dong.get(cg.dongs[i], 0.0) + float(per_cell[i])
    top = float(per_cell.max()) if per_cell.size and per_cell.max() > 0 else 1.0
    features = [{
        "type": "Feature", "id": cg.ids[i], "geometry": cell_polygon(cg.ids[i]),
        "properties": {"cell": cg.ids[i], "district": cg.districts[i], "dong": cg.dongs[i],
                       "count": round(float(per_cell[i]), 3), "intensity": round(float(per_cell[i]) / top, 4)},
    } for i in np.nonzero(per_cell > 0)[0].tolist()]
    summary = {
        "dataset": p.dataset, "total": round(float(per_cell.sum()), 3),
        "outside_grid": round(float(values[~ok].sum()), 3), "cells": int((per_cell > 0).sum()),
        "by_hour": by_hour, "by_weekday": by_weekday,
        "by_district": {k: round(v, 3) for k, v in sorted(by_district.items())},
        "by_dong": {k: round(v, 3) for k, v in sorted(by_dong.items())},
    }
    return summary, {"type": "FeatureCollection", "features": features}


# --- commercial districts ----------------------------------------------------------------------

# The start-up traffic light: risk points per area × category, compared with the same category
# city-wide (documented in docs/analytics.md). 0 points → low risk, 1 → caution, 2 → warning,
# 3 or more → high risk. Fewer than MIN_STORES open stores → no light (too little evidence).
MIN_STORES = 3
RULES = (
    ("closure_rate", "closure rate at least 1.25 × the city's for this category"),
    ("survival_3y", "3-year survival at most 0.8 × the city's for this category"),
    ("sales_trend", "sales fell more than 5 % over the last year"),
    ("oversupply", "stores grew more than 10 % while sales did not grow"),
)

INDICATOR_SQL = """
WITH ref AS (SELECT DATE '{ref}' AS d),
s AS (SELECT area_code, category, opened_on, closed_on FROM commerce_stores),
base AS (
  SELECT area_code, category,
    count(*) FILTER (WHERE opened_on <= (SELECT d FROM ref)
                     AND (closed_on IS NULL OR closed_on > (SELECT d FROM ref))) AS stores,
    count(*) FILTER (WHERE opened_on <= (SELECT d FROM ref) - INTERVAL 1 YEAR
                     AND (closed_on IS NULL OR closed_on > (SELECT d FROM ref) - INTERVAL 1 YEAR)) AS stores_1y_ago,
    count(*) FILTER (WHERE opened_on > (SELECT d FROM ref) - INTERVAL 1 YEAR
                     AND opened_on <= (SELECT d FROM ref)) AS openings_1y,
    count(*) FILTER (WHERE closed_on > (SELECT d FROM ref) - INTERVAL 1 YEAR
                     AND closed_on <= (SELECT d FROM ref)) AS closures_1y,
    count(*) FILTER (WHERE opened_on > (SELECT d FROM ref) - INTERVAL 5 YEAR
                     AND opened_on <= (SELECT d FROM ref) - INTERVAL 1 YEAR) AS cohort_1y,
    count(*) FILTER (WHERE opened_on > (SELECT d FROM ref) - INTERVAL 5 YEAR
                     AND opened_on <= (SELECT d FROM ref) - INTERVAL 1 YEAR
                     AND (closed_on IS NULL OR closed_on >= opened_on + INTERVAL 1 YEAR)) AS survived_1y,
    count(*) FILTER (WHERE opened_on > (SELECT d FROM ref) - INTERVAL 7 YEAR
                     AND opened_on <= (SELECT d FROM ref) - INTERVAL 3 YEAR) AS cohort_3y,
    count(*) FILTER (WHERE opened_on > (SELECT d FROM ref) - INTERVAL 7 YEAR
                     AND opened_on <= (SELECT d FROM ref) - INTERVAL 3 YEAR
                     AND (closed_on IS NULL OR closed_on >= opened_on + INTERVAL 3 YEAR)) AS survived_3y
  FROM s GROUP BY area_code, category
)
SELECT * FROM base ORDER BY area_code, category
"""


def _quarter_start(label: str) -> date | None:
    try:
        year, q = label.upper().split("Q")
        return date(int(year), (int(q) - 1) * 3 + 1, 1)
    except ValueError:
        return None


def commerce_indicators(reference: date) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Indicator rows per area × category and the city-wide value per category."""
    if not lake.has_files(lake.STORES):
        raise AnalyticsInvalid("There is no store data yet: import stores or load the demo.",
                               code=AnalyticsErrorCode.NO_COMMERCE_DATA)
    with lake.session() as con:
        base = con.execute(INDICATOR_SQL.format(ref=reference.isoformat())).pl()
        sales = con.execute("SELECT area_code, category, quarter, sales FROM commerce_sales").pl() if lake.has_files(
            lake.SALES) else pl.DataFrame(schema={"area_code": pl.Utf8, "category": pl.Utf8, "quarter": pl.Utf8,
                                                  "sales": pl.Float64})
    # sales trend: the latest four quarters up to the reference date against the four before them
    series: dict[tuple[str, str], list[tuple[date, float]]] = {}
    for area, cat, quarter, amount in sales.iter_rows():
        start = _quarter_start(str(quarter))
        if start is not None and start <= reference and amount is not None:
            series.setdefault((area, cat), []).append((start, float(amount)))
    trend: dict[tuple[str, str], tuple[float, float]] = {}
    for key, values in series.items():
        values.sort()
        amounts = [v for _, v in values]
        cur = sum(amounts[-4:])
        prev = sum(amounts[-8:-4]) if len(amounts) >= 8 else 0.0
        trend[key] = (cur, prev)

    def ratio(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    rows: list[dict[str, Any]] = []
    city: dict[str, dict[str, float]] = {}
    for r in base.iter_rows(named=True):
        cur, prev = trend.get((r["area_code"], r["category"]), (0.0, 0.0))
        rows.append({
            "area_code": r["area_code"], "category": r["category"], "stores": int(r["stores"]),
            "openings_1y": int(r["openings_1y"]), "closures_1y": int(r["closures_1y"]),
            "survival_1y": ratio(r["survived_1y"], r["cohort_1y"]),
            "survival_3y": ratio(r["survived_3y"], r["cohort_3y"]),
            "closure_rate": ratio(r["closures_1y"], r["stores_1y_ago"]),
            "store_growth": (r["stores"] - r["stores_1y_ago"]) / r["stores_1y_ago"] if r["stores_1y_ago"] else None,
            "sales_trend": (cur - prev) / prev if prev > 0 else None,
            "sales_per_store": cur / r["stores"] if r["stores"] and cur > 0 else None,
        })
        agg = city.setdefault(r["category"], {"closures": 0, "at_risk": 0, "cohort_3y": 0, "survived_3y": 0})
        agg["closures"] += r["closures_1y"]
        agg["at_risk"] += r["stores_1y_ago"]
        agg["cohort_3y"] += r["cohort_3y"]
        agg["survived_3y"] += r["survived_3y"]
    city_rates = {
        cat: {"closure_rate": (a["closures"] / a["at_risk"]) if a["at_risk"] else 0.0,
              "survival_3y": (a["survived_3y"] / a["cohort_3y"]) if a["cohort_3y"] else 0.0}
        for cat, a in city.items()
    }
    for row in rows:
        row["light"], row["reasons"] = traffic_light(row, city_rates.get(row["category"], {}))
    return rows, city_rates


def traffic_light(row: dict[str, Any], city: dict[str, float]) -> tuple[int | None, list[str]]:
    """The four-level start-up traffic light of one area × category (see RULES)."""
    if row["stores"] < MIN_STORES:
        return None, ["too_few_stores"]
    reasons = []
    if row["closure_rate"] is not None and city.get("closure_rate") and \
            row["closure_rate"] >= 1.25 * city["closure_rate"]:
        reasons.append("closure_rate")
    if row["survival_3y"] is not None and city.get("survival_3y") and \
            row["survival_3y"] <= 0.8 * city["survival_3y"]:
        reasons.append("survival_3y")
    if row["sales_trend"] is not None and row["sales_trend"] < -0.05:
        reasons.append("sales_trend")
    if row["store_growth"] is not None and row["store_growth"] > 0.10 and (row["sales_trend"] or 0.0) <= 0:
        reasons.append("oversupply")
    return min(len(reasons), 3), reasons


def run_commerce(p: CommerceParams, tick: Tick) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    reference = p.reference_date or clock.now().date()
    tick(0.1, "indicators")
    rows, city = commerce_indicators(reference)
    counts = [0, 0, 0, 0]
    for r in rows:
        if r["light"] is not None:
            counts[r["light"]] += 1
    summary = {"reference_date": reference.isoformat(), "rows": len(rows), "lights": counts,
               "city": {k: {m: round(v, 4) for m, v in d.items()} for k, d in city.items()},
               "categories": [c[0] for c in CATEGORIES]}
    return summary, rows


CATEGORY_NAMES = {c[0]: (c[1], c[2]) for c in CATEGORIES}


def category_keys() -> list[str]:
    """Categories present in the indicators (the synthetic set when there is none yet)."""
    found = sorted(set(selectors.commerce_indicators().values_list("category", flat=True)))
    return found or [c[0] for c in CATEGORIES]


def analyse_store(*, lat: float, lon: float, category: str, radius_m: float = 500.0) -> dict[str, Any]:
    """'Analyse my store': the area's indicators and light for a point and a business category,
    with the competitors open within `radius_m` and the city-wide values to compare with."""
    from smartseoul.core import geography

    if category not in category_keys():
        raise AnalyticsInvalid(f"Unknown business category {category!r}.", code=AnalyticsErrorCode.UNKNOWN_CATEGORY)
    place = geography.district_for_point(lat, lon)
    area = place.neighborhood_code or ""
    ind = selectors.commerce_indicator(area, category)
    if ind is None and not selectors.commerce_indicators().exists():
        raise AnalyticsInvalid("Commercial-district indicators have not been computed yet.",
                               code=AnalyticsErrorCode.NO_COMMERCE_DATA)
    competitors = 0
    if lake.has_files(lake.STORES):
        dlat = radius_m / 110_574.0
        dlon = radius_m / (111_320.0 * np.cos(np.radians(lat)))
        with lake.session() as con:
            frame = con.execute(
                "SELECT lat, lon FROM commerce_stores WHERE category = ? AND opened_on <= ? "
                "AND (closed_on IS NULL OR closed_on > ?) AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                [category, clock.now().date(), clock.now().date(), lat - dlat, lat + dlat, lon - dlon, lon + dlon],
            ).pl()
        if frame.height:
            competitors = int((haversine_m(lat, lon, frame["lat"].to_numpy(), frame["lon"].to_numpy())
                               <= radius_m).sum())
    same_category = selectors.commerce_indicators(category=category).exclude(light=None)
    city_lights = [0, 0, 0, 0]
    for light in same_category.values_list("light", flat=True):
        if light is not None:
            city_lights[int(light)] += 1
    indicator = None
    if ind is not None:
        indicator = {k: getattr(ind, k) for k in ("stores", "openings_1y", "closures_1y", "survival_1y", "survival_3y",
                                                  "closure_rate", "store_growth", "sales_trend", "sales_per_store",
                                                  "light", "reasons")}
        indicator["reference_date"] = ind.reference_date.isoformat()
    return {"district_code": place.district_code, "district_name": place.district_name_ko,
            "area_code": area, "area_name": place.neighborhood_name_ko or "", "category": category,
            "category_name_ko": CATEGORY_NAMES.get(category, (category, category))[0],
            "category_name_en": CATEGORY_NAMES.get(category, (category, category))[1],
            "competitors_within_m": radius_m, "competitors": competitors, "indicator": indicator,
            "city_lights": city_lights}
