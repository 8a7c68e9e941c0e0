"""Big-data administration benchmark: H3 assignment, the OD aggregation over the trip lake, and
night-bus route planning over the city's cells — each next to a baseline measured in this run.

1. H3 assignment of 10,000,000 points (`lib.hexgrid.assign_cells`, the polars-h3 plug-in in
   parallel chunks) against `h3.latlng_to_cell` in a Python loop on a 200,000-point sample
   (whose results must agree exactly).
2. The portable OD aggregation (the Ibis expression compiled to SQL, run by DuckDB) over
   100,000,000 synthetic trips in Hive-partitioned Parquet, against the raw DuckDB GROUP BY on
   the same files. Both materialise their result.
3. Planning 10 night-bus routes over the city's cells from the 00–05 OD demand.

Targets: ≥ 2,000,000 points/s; OD aggregation ≥ 50 % of the raw DuckDB rate; planning < 60 s.
The grid is built over the official boundaries when ../shared/data is present (1,190 cells),
else over the demo shapes. Nothing here touches a database.

    .venv/bin/python bench/analytics.py            # full size
    .venv/bin/python bench/analytics.py --quick    # smoke run (1M points, 5M trips, 3 routes)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
console = Console(stderr=True)
SHARED = Path(os.environ.get("SMARTSEOUL_SHARED_DIR", REPO.parent / "shared")) / "data"


def city_cells() -> tuple[np.ndarray, list[str], dict[str, int], str]:
    """Grid cells of the city, the district of each and district populations."""
    import shapely
    from shapely.geometry import mapping

    from smartseoul.core.demo_data.districts import DISTRICTS
    from smartseoul.lib.geo import Area, AreaIndex, geometry_from_geojson
    from smartseoul.lib.hexgrid import cell_centres, cells_for_geometry

    population = {code: pop for code, _ko, _en, _la, _lo, pop in DISTRICTS}
    official = SHARED / "seoul-boundaries" / "juso" / "2015" / "json" / "seoul_municipalities_geo.json"
    if official.is_file():
        fc = json.loads(official.read_text(encoding="utf-8"))
        shapes = {str(f["properties"]["SIG_CD"]): geometry_from_geojson(f["geometry"]) for f in fc["features"]}
        source = "official boundaries (JUSO 2015)"
    else:
        from smartseoul.core.demo import _demo_district_shapes

        shapes = dict(_demo_district_shapes())
        source = "demo shapes"
    union = shapely.union_all(list(shapes.values()))
    cells = np.array(cells_for_geometry(mapping(union), 8), dtype=np.int64)
    lats, lons = cell_centres(cells.tolist())
    index = AreaIndex([Area(k, g) for k, g in shapes.items()])
    districts = [d or "" for d in index.locate_many(lats, lons)]
    return cells, districts, population, source


def bench_h3(n: int) -> dict[str, Any]:
    import h3

    from smartseoul.lib.hexgrid import assign_cells

    rng = np.random.default_rng(1)
    lats = rng.uniform(37.42, 37.70, n)
    lons = rng.uniform(126.77, 127.18, n)
    assign_cells(lats[:10_000], lons[:10_000])  # warm-up (plug-in load)
    t = time.perf_counter()
    cells = assign_cells(lats, lons, 8)
    fast = time.perf_counter() - t
    sample = min(200_000, n)
    t = time.perf_counter()
    loop = [h3.latlng_to_cell(a, b, 8) for a, b in zip(lats[:sample].tolist(), lons[:sample].tolist(), strict=True)]
    slow = time.perf_counter() - t
    agree = all(int(h3.str_to_int(c)) == int(x) for c, x in zip(loop, cells[:sample].tolist(), strict=True))
    return {"points": n, "rate": n / fast, "baseline_rate": sample / slow, "agree": agree}


def write_trips(root: Path, rows: int, cells: np.ndarray, districts: list[str], population: dict[str, int]) -> float:
    """Synthetic trips as Hive-partitioned Parquet under root/trips/date=…/ (the lake layout)."""
    from smartseoul.analytics.synth import cell_weights, synth_trips
    from smartseoul.lib.hexgrid import cell_centres

    lats, lons = cell_centres(cells.tolist())
    weights = cell_weights(lats, lons, cells, districts, population)
    t = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("writing synthetic trips", total=rows)
        for part, frame in enumerate(synth_trips(weights, rows, end=date(2026, 11, 1), days=28, seed=7,
                                                 chunk_rows=4_000_000)):
            for (day,), chunk in frame.partition_by("date", as_dict=True).items():
                target = root / "trips" / f"date={day.isoformat()}"
                target.mkdir(parents=True, exist_ok=True)
                chunk.drop("date").write_parquet(target / f"part-{part:05d}.parquet", compression="zstd",
                                                 row_group_size=1_000_000)
            progress.update(task, advance=frame.height)
    return time.perf_counter() - t


def bench_od(root: Path, rows: int) -> dict[str, Any]:
    import duckdb

    from smartseoul.analytics import portable

    files = str(root / "trips" / "date=*" / "*.parquet")
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count() or 2}")
    con.execute("SET memory_limit = '12GB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE VIEW trips AS SELECT * FROM read_parquet('{files}', hive_partitioning = true, "
                "hive_types = {'date': DATE})")
    job_sql = portable.sql(portable.od_by_hour(start_hour=0, end_hour=24))
    raw_sql = (f"SELECT origin_cell, dest_cell, hour, sum(weight) AS trips, count(*) AS records "
               f"FROM read_parquet('{files}') GROUP BY origin_cell, dest_cell, hour")
    timings: dict[str, list[float]] = {"job": [], "raw": []}
    for _ in range(2):  # alternate, best of two each (the first also warms the file cache)
        for name, query in (("raw", raw_sql), ("job", job_sql)):
            t = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TEMP TABLE r_{name} AS {query}")
            timings[name].append(time.perf_counter() - t)
    groups_job = con.execute("SELECT count(*), sum(trips) FROM r_job").fetchone()
    groups_raw = con.execute("SELECT count(*), sum(trips) FROM r_raw").fetchone()
    night = con.execute(portable.sql(portable.od_by_weekday_hour(start_hour=0, end_hour=5))).pl()
    con.close()
    best_job, best_raw = min(timings["job"]), min(timings["raw"])
    return {"rate": rows / best_job, "baseline_rate": rows / best_raw, "seconds": best_job,
            "baseline_seconds": best_raw, "same_result": groups_job == groups_raw, "groups": groups_job[0],
            "night": night}


def bench_plan(cells: np.ndarray, night: Any, routes: int) -> dict[str, Any]:
    from smartseoul.lib import routing
    from smartseoul.lib.hexgrid import Grid

    grid = Grid.from_cells(cells.tolist(), 8)
    t = time.perf_counter()
    adjacency = grid.neighbours()
    o = grid.index_of(night["origin_cell"].to_numpy())
    d = grid.index_of(night["dest_cell"].to_numpy())
    ok = (o >= 0) & (d >= 0)
    trips = night["trips"].to_numpy()[ok]
    dow = night["dow"].to_numpy()[ok].astype(np.int64)
    hour = night["hour"].to_numpy()[ok].astype(np.int64)
    key = o[ok].astype(np.int64) * len(grid) + d[ok]
    uniq, inv = np.unique(key, return_inverse=True)
    weight = np.bincount(inv, weights=trips, minlength=uniq.size)
    by_weekday = routing.grouped_matrix(inv, dow, trips / 4.0, uniq.size, 7)  # 28 days = 4 nights per weekday
    by_hour = routing.grouped_matrix(inv, hour, trips, uniq.size, 24)
    flows = routing.Flows(uniq // len(grid), uniq % len(grid), weight, by_weekday, by_hour)
    plan = routing.plan_routes(adjacency, flows, routing.PlanParams(routes=routes, buses=8 * routes, catchment_rings=1))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "share": plan.share, "routes": len(plan.routes), "candidates": plan.candidates,
            "cells": len(grid)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1M points, 5M trips, 3 routes")
    args = parser.parse_args()
    points, rows, routes = (1_000_000, 5_000_000, 3) if args.quick else (10_000_000, 100_000_000, 10)

    tmp = Path(tempfile.mkdtemp(prefix="ss-bench-analytics-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    os.environ.setdefault("SMARTSEOUL_DATA_DIR", str(tmp / "data"))
    import django

    django.setup()

    console.print(f"[bold]H3 assignment[/bold] of {points:,} points")
    h3_result = bench_h3(points)
    cells, districts, population, source = city_cells()
    console.print(f"grid: {len(cells):,} cells over the {source}")
    gen = write_trips(tmp / "lake", rows, cells, districts, population)
    console.print(f"[bold]OD aggregation[/bold] of {rows:,} trips (written in {gen:.0f} s)")
    od = bench_od(tmp / "lake", rows)
    console.print(f"[bold]Planning[/bold] {routes} routes")
    plan = bench_plan(cells, od.pop("night"), routes)

    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    metrics = {
        "h3_points": points, "h3_points_per_s": round(h3_result["rate"]), "h3_agrees_with_h3": h3_result["agree"],
        "od_rows": rows, "od_rows_per_s": round(od["rate"]), "od_seconds": round(od["seconds"], 2),
        "od_groups": od["groups"], "od_same_result_as_raw": od["same_result"],
        "od_share_of_raw_rate": round(od["rate"] / od["baseline_rate"], 3),
        "plan_routes": plan["routes"], "plan_seconds": round(plan["seconds"], 2), "plan_cells": plan["cells"],
        "plan_candidates": plan["candidates"], "plan_share_served": round(plan["share"], 4),
        "trips_generation_seconds": round(gen, 1),
    }
    baselines = {"h3_python_loop_points_per_s": round(h3_result["baseline_rate"]),
                 "raw_duckdb_group_by_rows_per_s": round(od["baseline_rate"]),
                 "raw_duckdb_seconds": round(od["baseline_seconds"], 2)}
    targets = {"h3_points_per_s": ">= 2000000", "od_share_of_raw_rate": ">= 0.5", "plan_seconds": "< 60"}
    ok = (h3_result["rate"] >= 2_000_000 and h3_result["agree"] and od["rate"] >= 0.5 * od["baseline_rate"]
          and od["same_result"] and plan["seconds"] < 60)
    print(json.dumps({"bench": "analytics", "metrics": metrics, "baselines": baselines, "targets": targets,
                      "ok": ok}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
