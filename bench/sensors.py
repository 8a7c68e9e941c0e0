"""S-DoT benchmark: HTTP bulk ingestion into the lake, and the district-hourly aggregation —
each next to a baseline measured in this run.

1. Observations ingested per second through the native gateway batch (`POST
   /api/v1/sensors/gateway/batch`, CSV in the S-DoT layout, raw encoded values: parse, validate,
   decode, dedupe, id allocation, Parquet append, latest values in the database), driven by
   Django's in-process test client. Printed next to it: the SensorThings dataArray path
   (`CreateObservations`) on a day of values for up to 200 of the same boxes' datastreams. Baseline:
   pyarrow writing the same rows straight to Parquet.
2. District-hourly aggregation over one week of N boxes × 10 quantities every 2 minutes, by the
   service-stage job (`aggregate_day`, district level, one day partition at a time). Baseline: one
   DuckDB query over the same files.

Targets: ≥ 100,000 observations/s ingested; aggregation of the week < 10 s.

    .venv/bin/python bench/sensors.py            # 2,500 boxes, a week (~126 million observations)
    .venv/bin/python bench/sensors.py --quick    # 200 boxes × 10 quantities × 1 day
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
console = Console(stderr=True)
QUANTITIES = (
    "pm10",
    "pm25",
    "temperature",
    "humidity",
    "illuminance",
    "noise",
    "uv",
    "vibration_x",
    "visitors",
    "wind_speed",
)
HEADERS = {
    "pm10": "미세먼지10(미세먼지)",
    "pm25": "미세먼지2.5(초미세먼지)",
    "temperature": "기온",
    "humidity": "상대습도",
    "illuminance": "조도",
    "noise": "소음",
    "uv": "자외선",
    "vibration_x": "진동(x)",
    "visitors": "방문자수",
    "wind_speed": "풍속",
}
RAW = {
    "pm10": (0, 300),
    "pm25": (0, 200),
    "temperature": (800, 1400),
    "humidity": (10, 100),
    "illuminance": (0, 90000),
    "noise": (35, 85),
    "uv": (0, 120),
    "vibration_x": (0, 1600),
    "visitors": (0, 500),
    "wind_speed": (1, 150),
}


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    os.environ["SMARTSEOUL_DATA_DIR"] = data_dir
    # a fresh SQLite database in the temporary directory, unless BENCH_DATABASE_URL names one to use
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def register_boxes(n: int) -> list[str]:
    import random

    from shapely.geometry import shape

    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.selectors import districts
    from smartseoul.sensors.demo import _points_in
    from smartseoul.sensors.services.boxes import boxes_register

    load_core_demo()
    rng = random.Random(1)
    ds = list(districts())
    positions = []
    for i in range(n):
        d = ds[i % len(ds)]
        lat, lon = _points_in(shape(d.boundary), 1, rng)[0]
        positions.append((f"BENCH{i:05d}", lat, lon))
    boxes_register(positions=positions, model="SDOT-BENCH")
    return [p[0] for p in positions]


def csv_batch(serials: list[str], day: date, rng: np.random.Generator) -> tuple[bytes, int]:
    minutes = np.arange(0, 24 * 60, 2)
    stamps = [f"{day:%Y%m%d}{m // 60:02d}{m % 60:02d}" for m in minutes]
    lines = ["시리얼,측정시간," + ",".join(HEADERS[q] for q in QUANTITIES)]
    cols = {q: rng.integers(lo, hi + 1, size=len(serials) * len(stamps)) for q, (lo, hi) in RAW.items()}
    i = 0
    for s in serials:
        for t in stamps:
            lines.append(f"{s},{t}," + ",".join(str(cols[q][i]) for q in QUANTITIES))
            i += 1
    return ("\n".join(lines) + "\n").encode(), i * len(QUANTITIES)


def bench_ingest(serials: list[str], *, per_post: int, progress: Progress) -> dict[str, float]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.test import Client

    from smartseoul.accounts.models import User
    from smartseoul.accounts.services import api_key_create
    from smartseoul.sensors import lake

    owner = User.objects.create(username="bench-gateway", role="city_admin", is_superuser=True)
    _key, raw = api_key_create(
        owner=owner, name="bench", scopes=["sensors:read", "sensors:write"], second_factor=True,
        daily_quota=10**9
    )
    client = Client()
    rng = np.random.default_rng(2)
    day = date(2024, 7, 1)
    groups = [serials[i : i + per_post] for i in range(0, len(serials), per_post)]
    bodies = [csv_batch(g, day, rng) for g in groups]
    task = progress.add_task("HTTP bulk ingest", total=len(bodies))
    total = 0
    elapsed = 0.0
    for body, count in bodies:
        t0 = time.perf_counter()
        r = client.post(
            "/api/v1/sensors/gateway/batch?encoding=sdot-raw",
            body,
            content_type="text/csv",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        elapsed += time.perf_counter() - t0
        if r.status_code != 200 or r.json()["stored"] != count:
            raise SystemExit(f"ingest failed: {r.status_code} {r.content[:300]!r}")
        total += count
        progress.advance(task)
    # baseline: the same rows written straight to Parquet by pyarrow
    table = pa.concat_tables([pq.read_table(p) for p in lake.files(lake.OBSERVATIONS)])
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        pq.write_table(table, Path(tmp) / "direct.parquet", compression="zstd")
        direct = time.perf_counter() - t0
    # the SensorThings dataArray path (CreateObservations, JSON parsing per row) on a slice of the
    # same boxes: a day of 2-minute values for up to 200 datastreams, 50 per request
    from smartseoul.sensors.models import Datastream

    ds_ids = list(Datastream.objects.order_by("pk").values_list("pk", flat=True)[:200])  # the boxes registered above
    start = datetime(2024, 7, 2, tzinfo=datetime.now().astimezone().tzinfo)
    stamps = [(start + timedelta(minutes=2 * k)).isoformat() for k in range(720)]
    data_array = 0.0
    data_array_obs = 0
    for first in range(0, len(ds_ids), 50):
        doc = [{"Datastream": {"@iot.id": d}, "components": ["phenomenonTime", "result"],
                "dataArray": [[t, int(v)] for t, v in zip(stamps, rng.integers(0, 100, len(stamps)), strict=True)]}
               for d in ds_ids[first:first + 50]]
        body = json.dumps(doc)
        t0 = time.perf_counter()
        r = client.post("/sta/v1.1/CreateObservations", body, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {raw}")
        data_array += time.perf_counter() - t0
        assert r.status_code == 201, r.content[:300]
        data_array_obs += len(doc) * len(stamps)
    return {
        "http_bulk_obs_per_s": total / elapsed,
        "observations": float(total),
        "pyarrow_direct_obs_per_s": table.num_rows / direct,
        "data_array_obs_per_s": data_array_obs / data_array,
        "data_array_observations": float(data_array_obs),
    }


def write_week(boxes: int, days: int, progress: Progress) -> list[date]:
    """Synthetic source-stage partitions written straight with pyarrow (set-up, not measured)."""
    import pyarrow as pa

    from smartseoul.core.selectors import districts
    from smartseoul.sensors import lake

    codes = [d.code for d in districts()]
    rng = np.random.default_rng(3)
    box_district = np.arange(boxes) % len(codes)
    start = date(2024, 7, 8)
    written = []
    task = progress.add_task("writing a week of observations", total=days)
    minutes = np.arange(0, 24 * 60, 2)
    next_id = 10**9
    for d in range(days):
        day = start + timedelta(days=d)
        t0 = (
            int((datetime(day.year, day.month, day.day) - datetime(1970, 1, 1)).total_seconds() * 1e6)
            - 9 * 3600 * 10**6
        )
        n = boxes * len(QUANTITIES) * minutes.size
        box = np.repeat(np.arange(boxes), len(QUANTITIES) * minutes.size)
        q = np.tile(np.repeat(np.arange(len(QUANTITIES)), minutes.size), boxes)
        t = t0 + np.tile(minutes, boxes * len(QUANTITIES)).astype(np.int64) * 60 * 10**6
        dict_q = pa.DictionaryArray.from_arrays(pa.array(q.astype(np.int32)), pa.array(list(QUANTITIES)))
        dict_d = pa.DictionaryArray.from_arrays(pa.array(box_district[box].astype(np.int32)), pa.array(codes))
        table = pa.table(
            {
                "id": pa.array(np.arange(next_id, next_id + n, dtype=np.int64)),
                "datastream_id": pa.array(box * len(QUANTITIES) + q + 1),
                "thing_id": pa.array(box + 1),
                "foi_id": pa.array(box + 1),
                "quantity": dict_q.cast(pa.string()),
                "district_code": dict_d.cast(pa.string()),
                "dong_code": pa.nulls(n, pa.string()),
                "phenomenon_time": pa.array(t, type=pa.int64()).cast(lake.TS),
                "phenomenon_end": pa.nulls(n, lake.TS),
                "result_time": pa.nulls(n, lake.TS),
                "result": pa.array(rng.random(n) * 100),
                "result_text": pa.nulls(n, pa.string()),
                "result_quality": pa.nulls(n, pa.string()),
                "valid_start": pa.nulls(n, lake.TS),
                "valid_end": pa.nulls(n, lake.TS),
                "parameters": pa.nulls(n, pa.string()),
                "ingested_at": pa.nulls(n, lake.TS),
            }
        )
        next_id += n
        lake.append(lake.OBSERVATIONS, table)
        written.append(day)
        progress.advance(task)
    return written


def bench_aggregate(days: list[date]) -> dict[str, float]:
    from smartseoul.sensors import lake
    from smartseoul.sensors.services.derive import aggregate_day

    t0 = time.perf_counter()
    rows = 0
    for d in days:
        rows += aggregate_day(d, levels=("district",), buckets=("hour",))["agg_district_hourly"].num_rows
    ours = time.perf_counter() - t0
    con = lake.connect()
    paths = lake.files(lake.OBSERVATIONS, days)
    n = con.execute(f"SELECT count(*) FROM {lake.scan_sql(paths)}").fetchone()[0]
    t0 = time.perf_counter()
    base_rows = (
        con.execute(
            "SELECT district_code, quantity, ((epoch_us(phenomenon_time) + 32400000000) // 3600000000) AS h, "
            f"count(*), avg(result), min(result), max(result) FROM {lake.scan_sql(paths)} "
            "WHERE result IS NOT NULL GROUP BY ALL"
        )
        .to_arrow_table()
        .num_rows
    )
    baseline = time.perf_counter() - t0
    assert base_rows == rows, (base_rows, rows)
    return {
        "aggregation_s": ours,
        "aggregated_observations": float(n),
        "district_hours": float(rows),
        "duckdb_query_s": baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    boxes, days, per_post = (200, 1, 50) if args.quick else (2500, 7, 100)
    ingest_boxes = 200 if args.quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            serials = register_boxes(ingest_boxes)
            ingest = bench_ingest(serials, per_post=per_post, progress=progress)
            console.print(
                f"ingest: native bulk batch {ingest['http_bulk_obs_per_s']:,.0f} obs/s "
                f"({ingest['observations']:,.0f} obs) · SensorThings dataArray {ingest['data_array_obs_per_s']:,.0f} "
                f"obs/s ({ingest['data_array_observations']:,.0f} obs; "
                f"{ingest['data_array_obs_per_s'] / ingest['http_bulk_obs_per_s']:.2f} × bulk) · "
                f"pyarrow straight to Parquet {ingest['pyarrow_direct_obs_per_s']:,.0f} obs/s")
            from django.conf import settings

            settings.LAKE_DIR = Path(tmp) / "lake-week"
            week = write_week(boxes, days, progress)
            agg = bench_aggregate(week)
    metrics = {
        "http_bulk_obs_per_s": round(ingest["http_bulk_obs_per_s"]),
        "data_array_obs_per_s": round(ingest["data_array_obs_per_s"]),
        "data_array_observations": int(ingest["data_array_observations"]),
        "data_array_ratio_to_bulk": round(ingest["data_array_obs_per_s"] / ingest["http_bulk_obs_per_s"], 3),
        "ingested_observations": int(ingest["observations"]),
        "district_hourly_aggregation_s": round(agg["aggregation_s"], 2),
        "aggregated_observations": int(agg["aggregated_observations"]),
    }
    baselines = {
        "pyarrow_direct_parquet_obs_per_s": round(ingest["pyarrow_direct_obs_per_s"]),
        "duckdb_same_query_s": round(agg["duckdb_query_s"], 2),
        "frost_server_reported_obs_per_s": 5000,
    }
    targets = {"http_bulk_obs_per_s": ">= 100000", "district_hourly_aggregation_s": "< 10"}
    ok = metrics["http_bulk_obs_per_s"] >= 100_000 and metrics["district_hourly_aggregation_s"] < 10
    print(json.dumps({"bench": "sensors", "metrics": metrics, "baselines": baselines, "targets": targets, "ok": ok}))


if __name__ == "__main__":
    main()
