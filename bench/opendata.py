"""Open Data Plaza benchmark, each figure next to a baseline measured in the same run.

1. CKAN `package_search` (Korean full text + facets) over 10,000 datasets through the Django
   request pipeline, p50/p95 — baseline: the same server's `/healthz`.
2. CKAN `datastore_search` with a filter, a sort and a limit on a 10,000,000-row table,
   p50/p95, with the sorted projections that publishing builds — baselines: the same DuckDB
   query run directly on the Parquet file as written, and on the district projection.
3. Loading a 1,000,000-row CSV into a typed Parquet table (`datastore.load_table`: encoding
   check, bad-row report, type guess and widening) — baseline: DuckDB `read_csv` of the file.

Targets: package_search p95 < 50 ms; datastore_search p95 < 100 ms; 1M-row load < 20 s
(CKAN's xloader takes about 206 s for a million rows).

    .venv/bin/python bench/opendata.py            # full size
    .venv/bin/python bench/opendata.py --quick    # 1,000 datasets, 200,000-row table, 100,000-row CSV
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
console = Console(stderr=True)

WORDS = [
    "주차장",
    "버스정류소",
    "대기질",
    "미세먼지",
    "도서관",
    "무더위쉼터",
    "공원",
    "복지관",
    "인구",
    "예산",
    "교통량",
    "지하철",
    "자전거",
    "소음",
    "가로등",
    "어린이집",
    "병원",
    "약국",
    "문화행사",
    "상권",
]
PLACES = [
    "종로구",
    "중구",
    "용산구",
    "성동구",
    "광진구",
    "동대문구",
    "중랑구",
    "성북구",
    "강북구",
    "도봉구",
    "노원구",
    "은평구",
    "서대문구",
    "마포구",
    "양천구",
    "강서구",
    "구로구",
    "금천구",
    "영등포구",
    "동작구",
    "관악구",
    "서초구",
    "강남구",
    "송파구",
    "강동구",
]


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup_django() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-opendata-")
    os.environ.setdefault("SMARTSEOUL_DATA_DIR", tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    os.environ.setdefault("SMARTSEOUL_ENV", "test")
    import django

    django.setup()
    from django.core.management import call_command

    from smartseoul.core.demo import load_core_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_core_demo()


def build_catalogue(n: int) -> None:
    """n datasets with tags, resources and search text, written in bulk."""
    from django.db import transaction

    from smartseoul.core import clock
    from smartseoul.lib import korean
    from smartseoul.opendata import search, services
    from smartseoul.opendata.constants import Category
    from smartseoul.opendata.models import Dataset, DatasetTag, Resource

    rng = random.Random(7)
    orgs = [
        services.organization_ensure(
            name=f"bench-org-{i}", title_ko=f"{p} 데이터팀", kind="district", district_code=str(11000 + i)
        )
        for i, p in enumerate(PLACES)
    ]
    cats = list(Category.values)
    now = clock.now()
    token_cache: dict[str, str] = {}

    def tokens(text: str) -> str:
        if text not in token_cache:
            token_cache[text] = korean.search_text(text)
        return token_cache[text]

    with progress() as bar:
        task = bar.add_task("catalogue", total=n)
        batch = 1000
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                word, place = rng.choice(WORDS), rng.choice(PLACES)
                title = f"{place} {word} 현황 {i}"
                rows.append(
                    Dataset(
                        name=f"bench-{i:06d}",
                        title_ko=title,
                        description_ko=f"{place}의 {word}을 안내합니다",
                        category=rng.choice(cats),
                        organization=rng.choice(orgs),
                        licence="KOGL-1",
                        state="active",
                        created_at=now,
                        modified_at=now - timedelta(minutes=i),
                        search_text=tokens(f"{place} {word} 현황")
                        + f" {i} "
                        + tokens(f"{place}의 {word}을 안내합니다"),
                        usage_total=rng.randint(0, 10_000),
                    )
                )
            with transaction.atomic():
                made = Dataset.objects.bulk_create(rows)
                DatasetTag.objects.bulk_create([DatasetTag(dataset=d, name=rng.choice(WORDS)) for d in made])
                Resource.objects.bulk_create(
                    [
                        Resource(
                            dataset=d,
                            name="data",
                            kind="link",
                            format="CSV",
                            url="https://example.org/x.csv",
                            created_at=now,
                            modified_at=now,
                        )
                        for d in made
                    ]
                )
                for d in made:
                    search.index("dataset", d.pk, d.search_text)
            bar.advance(task, len(rows))


def time_requests(client: Any, paths: list[tuple[str, dict[str, Any]]], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for path, params in paths:
            t = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:200]
    return times


def bench_package_search(n: int, repeat: int) -> dict[str, float]:
    from django.test import Client

    build_catalogue(n)
    client = Client()
    queries = [
        ("/api/3/action/package_search", {"q": w, "rows": 10, "facet.field": '["groups","organization","tags"]'})
        for w in WORDS[:10]
    ]
    queries += [
        ("/api/3/action/package_search", {"q": f"{p} {w}", "rows": 10}) for p, w in zip(PLACES, WORDS, strict=False)
    ]
    queries += [
        (
            "/api/3/action/package_search",
            {"fq": "groups:transport OR groups:safety", "rows": 100, "sort": "id asc", "start": 500},
        )
    ]
    time_requests(client, queries, 1)  # warm caches (Kiwi model, SQLite pages)
    search_ms = time_requests(client, queries, repeat)
    health_ms = time_requests(client, [("/healthz", {})], len(search_ms))
    return {
        "package_search_p50_ms": pct(search_ms, 0.5),
        "package_search_p95_ms": pct(search_ms, 0.95),
        "healthz_p50_ms": pct(health_ms, 0.5),
        "healthz_p95_ms": pct(health_ms, 0.95),
    }


def bench_datastore(rows: int, repeat: int) -> dict[str, float]:
    import duckdb
    from django.test import Client

    from smartseoul.core import clock
    from smartseoul.opendata import services
    from smartseoul.opendata.models import DatastoreTable, Resource

    org = services.organization_ensure(name="bench-air", title_ko="대기 측정", kind="city")
    ds = services.dataset_create(
        actor=None,
        organization=org,
        name="bench-air-hourly",
        title_ko="시간별 대기",
        category="environment",
        state="active",
    )
    now = clock.now()
    res = Resource.objects.create(
        dataset=ds, name="hourly", kind="table", format="CSV", created_at=now, modified_at=now
    )
    root = services.datastore_root()
    path = root / "tables" / str(res.uid) / "v1.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    console.print(f"writing a {rows:,}-row table …")
    districts = ", ".join(f"'{p}'" for p in PLACES)
    duckdb.sql(f"""
        COPY (SELECT i + 1 AS _id, ([{districts}])[(i % 25) + 1] AS district, (i % 850) + 1 AS station,
                     TIMESTAMP '2024-01-01' + to_minutes(CAST(i // 25 AS BIGINT) * 2) AS measured_at,
                     ((i * 7919) % 150)::DOUBLE AS pm10, ((i * 104729) % 90)::DOUBLE AS pm25
              FROM range({rows}) t(i))
        TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)""")
    fields = [
        {"id": "district", "type": "string", "info": {"label": "자치구"}},
        {"id": "station", "type": "integer", "info": {"label": "측정소"}},
        {"id": "measured_at", "type": "datetime", "info": {"label": "측정일시"}},
        {"id": "pm10", "type": "number", "info": {"label": "PM10"}},
        {"id": "pm25", "type": "number", "info": {"label": "PM2.5"}},
    ]
    # what publishing a table version does after writing it: the sorted projections (timed)
    from smartseoul.opendata import datastore

    t0 = time.perf_counter()
    projected = datastore.build_projections(path, fields, rows)
    projection_s = time.perf_counter() - t0
    console.print(f"sorted projections by {', '.join(projected)} in {projection_s:.1f} s")
    DatastoreTable.objects.create(
        resource=res, version=1, path=str(path.relative_to(root)), fields=fields, row_count=rows, loaded_at=now
    )
    client = Client()
    calls = [
        (
            "/api/3/action/datastore_search",
            {
                "resource_id": str(res.uid),
                "filters": json.dumps({"district": p}, ensure_ascii=False),
                "sort": "pm10 desc",
                "limit": 100,
            },
        )
        for p in PLACES[:10]
    ]
    time_requests(client, calls[:2], 1)
    api_ms = time_requests(client, calls, repeat)
    conn = duckdb.connect()

    def direct(file: Path) -> list[float]:
        out = []
        for _ in range(repeat):
            for p in PLACES[:10]:
                t = time.perf_counter()
                conn.execute(
                    f"SELECT * FROM read_parquet('{file}') WHERE district = ? "
                    "ORDER BY pm10 DESC NULLS LAST, _id LIMIT 100",
                    [p],
                ).fetchall()
                conn.execute(f"SELECT count(*) FROM read_parquet('{file}') WHERE district = ?", [p]).fetchall()
                out.append((time.perf_counter() - t) * 1000)
        return out

    direct_ms = direct(path)  # the table as written, queried directly
    sorted_ms = direct(datastore.projection_path(path, 1))  # the district projection, queried directly
    return {
        "datastore_search_p50_ms": pct(api_ms, 0.5),
        "datastore_search_p95_ms": pct(api_ms, 0.95),
        "projection_build_s": round(projection_s, 2),
        "duckdb_direct_p50_ms": pct(direct_ms, 0.5),
        "duckdb_direct_p95_ms": pct(direct_ms, 0.95),
        "duckdb_direct_on_projection_p95_ms": pct(sorted_ms, 0.95),
        "table_rows": rows,
    }


def bench_load(rows: int) -> dict[str, float]:
    import duckdb

    from smartseoul.opendata import datastore

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    src = work / "big.csv"
    districts = ", ".join(f"'{p}'" for p in PLACES)
    console.print(f"writing a {rows:,}-row CSV …")
    duckdb.sql(f"""
        COPY (SELECT i + 1 AS id, ([{districts}])[(i % 25) + 1] AS "자치구", 'station-' || (i % 850) AS "측정소",
                     strftime(TIMESTAMP '2024-01-01' + to_minutes(i), '%Y-%m-%d %H:%M:%S') AS "측정일시",
                     (i * 7919) % 150 AS pm10, round(((i * 104729) % 900) / 10.0, 1) AS pm25
              FROM range({rows}) t(i)) TO '{src}' (FORMAT csv, HEADER true)""")
    with src.open("a", encoding="utf-8") as fh:  # a few bad rows and a late value that widens pm10
        fh.write("x,종로구,1,2024-01-01 00:00:00,1,2,3\n")
        fh.write(f"{rows + 1},종로구,station-1,2024-01-01 00:00:00,n/a,1.0\n")
    t = time.perf_counter()
    result = datastore.load_table(src, work / "out.parquet", primary_key=["id"])
    load_s = time.perf_counter() - t
    assert result.ok and result.bad_row_count == 1, result.report()
    t = time.perf_counter()
    duckdb.sql(f"SELECT count(*) FROM read_csv('{src}', ignore_errors = true)").fetchall()
    baseline_s = time.perf_counter() - t
    return {
        "load_seconds": load_s,
        "load_rows_per_s": rows / load_s,
        "duckdb_read_csv_seconds": baseline_s,
        "csv_rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_datasets, table_rows, csv_rows, repeat = (
        (1_000, 200_000, 100_000, 3) if args.quick else (10_000, 10_000_000, 1_000_000, 5)
    )
    setup_django()
    metrics: dict[str, float] = {}
    console.print(f"package_search over {n_datasets:,} datasets")
    metrics.update(bench_package_search(n_datasets, repeat))
    console.print(f"datastore_search on {table_rows:,} rows")
    metrics.update(bench_datastore(table_rows, repeat))
    console.print(f"CSV load of {csv_rows:,} rows")
    metrics.update(bench_load(csv_rows))
    load_target = 20.0 * csv_rows / 1_000_000
    targets = {"package_search_p95_ms": 50.0, "datastore_search_p95_ms": 100.0, "load_seconds": round(load_target, 2)}
    baselines = {
        "healthz_p95_ms": metrics["healthz_p95_ms"],
        "duckdb_direct_p95_ms": metrics["duckdb_direct_p95_ms"],
        "duckdb_direct_on_projection_p95_ms": metrics["duckdb_direct_on_projection_p95_ms"],
        "duckdb_read_csv_seconds": metrics["duckdb_read_csv_seconds"],
        "ckan_xloader_1m_rows_seconds": 206.0,
    }
    ok = (
        metrics["package_search_p95_ms"] < targets["package_search_p95_ms"]
        and metrics["datastore_search_p95_ms"] < targets["datastore_search_p95_ms"]
        and metrics["load_seconds"] < load_target
    )
    rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in metrics.items()}
    console.print(rounded)
    print(json.dumps({"bench": "opendata", "metrics": rounded, "baselines": baselines, "targets": targets, "ok": ok}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
