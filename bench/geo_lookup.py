"""Point → district look-ups per second over the official boundaries.

Measures, in one run: the platform's vectorised look-up (prepared geometries + STRtree, the
path bulk imports and analytics use), its single-point look-up (the path a report takes), and
a naive loop over unprepared shapely polygons. Target: ≥ 50,000 look-ups/s and ≥ 10× naive.

    python bench/geo_lookup.py [--quick] [--points N] [--boundaries FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from smartseoul.lib.geo import Area, AreaIndex, geometry_from_geojson

DEFAULT_FILE = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/seoul-boundaries/juso/2015/json/seoul_municipalities_geo.json"
)


def load_areas(path: Path) -> list[Area]:
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            Area(
                str(f["properties"].get("SIG_CD") or f["properties"].get("code")), geometry_from_geojson(f["geometry"])
            )
            for f in data["features"]
        ]
    # No official file beside the checkout: fall back to the demo's own approximate shapes.
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()
    from smartseoul.core.demo import _demo_district_shapes

    return [Area(code, geom) for code, geom in _demo_district_shapes().items()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--boundaries", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    n = 50_000 if args.quick else args.points
    console = Console(stderr=True)
    areas = load_areas(args.boundaries)
    source = "official" if args.boundaries.exists() else "demo"
    rng = np.random.default_rng(42)
    west, south, east, north = shapely.union_all([a.geometry for a in areas]).bounds
    lats = rng.uniform(south, north, n)
    lons = rng.uniform(west, east, n)

    with console.status("building the index"):
        t0 = time.perf_counter()
        index = AreaIndex(areas)
        index.prepare_bulk()
        build_s = time.perf_counter() - t0

    with console.status(f"vectorised look-up of {n:,} points"):
        t0 = time.perf_counter()
        found = index.locate_many(lats, lons)
        vector_s = time.perf_counter() - t0
    vector_rate = n / vector_s

    sample = min(n, 20_000 if args.quick else 100_000)
    with console.status(f"single-point look-up of {sample:,} points"):
        t0 = time.perf_counter()
        single = [
            m.key if (m := index.locate(float(a), float(b))) else None
            for a, b in zip(lats[:sample], lons[:sample], strict=True)
        ]
        single_s = time.perf_counter() - t0
    single_rate = sample / single_s

    naive_sample = min(n, 5_000 if args.quick else 20_000)
    polys = [(a.key, a.geometry) for a in areas]
    with console.status(f"naive loop over unprepared polygons, {naive_sample:,} points"):
        t0 = time.perf_counter()
        naive = []
        for a, b in zip(lats[:naive_sample], lons[:naive_sample], strict=True):
            p = shapely.Point(float(b), float(a))
            naive.append(next((k for k, g in polys if g.contains(p)), None))
        naive_s = time.perf_counter() - t0
    naive_rate = naive_sample / naive_s

    inside_agree = sum(1 for x, y in zip(found[:naive_sample], naive, strict=True) if y is not None and x == y)
    inside_total = sum(1 for y in naive if y is not None)
    assert single == found[:sample], "single and vectorised look-ups disagree"
    speedup = vector_rate / naive_rate
    targets = {"lookups_per_s": 50_000, "speedup_vs_naive": 10}
    ok = vector_rate >= targets["lookups_per_s"] and speedup >= targets["speedup_vs_naive"]
    console.print(f"boundaries: {source} ({len(areas)} areas), index built in {build_s * 1000:.0f} ms")
    console.print(f"vectorised: {vector_rate:,.0f} look-ups/s over {n:,} points")
    console.print(f"single-point: {single_rate:,.0f} look-ups/s")
    console.print(f"naive loop (baseline): {naive_rate:,.0f} look-ups/s -> speed-up {speedup:,.1f}x")
    console.print(f"agreement with the naive loop on points inside the city: {inside_agree}/{inside_total}")
    print(
        json.dumps(
            {
                "bench": "geo_lookup",
                "metrics": {
                    "lookups_per_s": round(vector_rate),
                    "single_point_lookups_per_s": round(single_rate),
                    "speedup_vs_naive": round(speedup, 1),
                    "points": n,
                    "boundaries": source,
                },
                "baselines": {"naive_unprepared_loop_per_s": round(naive_rate)},
                "targets": targets,
                "ok": ok,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
