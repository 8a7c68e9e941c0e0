"""Digital Mayor's Office and Smart Seoul Map benchmark, over the modules' own tables through their
real widget and layer providers (the ones their manifests register), in one run:

- the first view of a never-shown area (a district, period or dong nobody opened before), which
  answers at once with the "being computed" state and queues the computation, next to the
  previous path measured in the same run (every widget of the area computed inline, as the page
  did before) and /healthz;
- the task worker computing the queued areas, then the same areas viewed with their figures;
- the page in its steady state (figures in the cache) and the complaints map layer over random views.

Data: 1,000,000 complaints in the complaints module's table (inserted in bulk: filing them
through the complaints service, with routing and notifications per report, would take hours),
and one month of sensor aggregates: 25 districts x 720 hourly conditions in the sensors
module's table and 612,000 dong-hour aggregates in its lake (what the air-quality widget reads),
on the Seoul demo geography with the complaints categories and the facility points. SQLite in a
temporary directory (or DATABASE_URL); the task queue is the production one (database backend).
Requests go through the whole Django stack with the test client (server time, no network).

    .venv/bin/python bench/dashboard.py            # full size
    .venv/bin/python bench/dashboard.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import types
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
console = Console(stderr=True)

STATUSES = ("received", "assigned", "in_progress", "resolved", "rejected")
STATUS_P = (0.1, 0.1, 0.1, 0.6, 0.1)


def setup_django(tmp: str) -> None:
    """The platform's settings with every module, the production task queue, no debug."""
    os.environ.setdefault("SMARTSEOUL_DATA_DIR", tmp)
    os.environ.setdefault("SMARTSEOUL_ENV", "test")
    from smartseoul import settings as base

    module = types.ModuleType("bench_dashboard_settings")
    for name in dir(base):
        if name.isupper():
            setattr(module, name, getattr(base, name))
    module.DEBUG = False
    module.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    module.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # what `smartseoul serve` uses
    sys.modules["bench_dashboard_settings"] = module
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_dashboard_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_base() -> None:
    """Seoul geography, departments, complaint categories with their routing, facility points."""
    from smartseoul.complaints import services as complaints
    from smartseoul.complaints.demo import CATEGORIES
    from smartseoul.core.demo import load_core_demo
    from smartseoul.dashboard.demo import load_demo

    load_core_demo()
    for spec in CATEGORIES:
        complaints.category_upsert(**spec)
        complaints.routing_build_defaults(category_code=spec["code"])
    load_demo()


def create_complaints(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from smartseoul.complaints.models import Category, Complaint
    from smartseoul.core.models import Department, District

    rng = np.random.default_rng(2026)
    reporter = get_user_model().objects.create_user(username="bench-reporter", password=None)
    categories = list(Category.objects.values_list("pk", flat=True))
    departments = list(Department.objects.values_list("pk", flat=True))
    districts = list(District.objects.order_by("code").values_list("pk", "centroid_lat", "centroid_lon"))
    centroids = np.array([[d[1], d[2]] for d in districts])
    columns = ["channel", "status", "description", "attributes", "lat", "lon", "public_lat", "public_lon", "address",
               "fine_without_visit", "metoo_count", "token", "client_contact", "external_media", "resolution_note",
               "created_at", "updated_at", "due_at", "closed_at", "escalated_at", "assignee_id", "category_id",
               "department_id", "district_id", "merged_into_id", "neighborhood_id", "reporter_id"]
    table = Complaint._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    adapt = connection.ops.adapt_datetimefield_value
    now = time.time()
    with Progress(console=console) as progress:
        task = progress.add_task("complaints", total=n)
        batch = 50_000
        for start in range(0, n, batch):
            k = min(batch, n - start)
            d = rng.integers(0, len(districts), k)
            created = now - rng.exponential(30 * 86400, k)
            status = rng.choice(len(STATUSES), k, p=STATUS_P)
            closed = np.where(status >= 3, np.minimum(created + rng.exponential(3 * 86400, k), now), np.nan)
            lat = centroids[d, 0] + rng.normal(0, 0.012, k)
            lon = centroids[d, 1] + rng.normal(0, 0.015, k)
            cats = rng.integers(0, len(categories), k)
            deps = rng.integers(0, len(departments), k)

            def at(t: float) -> Any:
                return adapt(datetime.fromtimestamp(t, UTC))

            rows = [("web", STATUSES[status[i]], "", "{}", float(lat[i]), float(lon[i]), round(float(lat[i]), 3),
                     round(float(lon[i]), 3), "", False, 0, None, "", "[]", "", at(created[i]),
                     at(closed[i] if not np.isnan(closed[i]) else created[i]), at(created[i] + 7 * 86400),
                     None if np.isnan(closed[i]) else at(closed[i]), None, None, categories[cats[i]],
                     departments[deps[i]], districts[d[i]][0], None, None, reporter.pk) for i in range(k)]
            with transaction.atomic(), connection.cursor() as c:
                c.executemany(sql, rows)
            progress.advance(task, k)
    if connection.vendor == "sqlite":
        with console.status("ANALYZE"), connection.cursor() as c:
            c.execute("ANALYZE")


def create_sensor_month(hours: int) -> int:
    """One month of hourly district conditions (the sensors module's table) and dong-hour
    fine-dust aggregates (its lake), as its derivation stage writes them. Returns the lake rows."""
    import pyarrow as pa

    from smartseoul.core.models import Neighborhood
    from smartseoul.sensors import lake
    from smartseoul.sensors.models import DistrictCondition

    rng = np.random.default_rng(11)
    dongs = list(Neighborhood.objects.values_list("district__code", "code"))
    codes = sorted({d for d, _ in dongs})
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    from smartseoul.lib.indices import DUST_GRADES as grades
    conditions = []
    for h in range(hours):
        hour = end - timedelta(hours=hours - 1 - h)
        for code in codes:
            pm10 = float(max(1.0, rng.normal(40, 20)))
            conditions.append(DistrictCondition(district_code=code, hour=hour, pm10=pm10, pm25=pm10 * 0.55,
                                                dust_grade=grades[min(3, int(pm10 // 40))], temperature=24.0,
                                                humidity=55.0, boxes=34))
    DistrictCondition.objects.bulk_create(conditions, batch_size=5000)
    kst_us, hour_us = 9 * 3_600_000_000, 3_600_000_000
    rows = 0
    first = int(end.timestamp() * 1e6) - (hours - 1) * hour_us
    periods = np.array([((first + h * hour_us + kst_us) // hour_us) * hour_us for h in range(hours)], dtype=np.int64)
    for day_number in np.unique(periods // 86_400_000_000):
        ps = periods[periods // 86_400_000_000 == day_number]
        n = len(ps) * len(dongs) * 2
        mean = np.clip(rng.normal(40, 20, n), 1, None)
        table = pa.table({
            "district_code": [d for _ in ps for d, _ in dongs for _q in (0, 1)],
            "dong_code": [g for _ in ps for _, g in dongs for _q in (0, 1)],
            "quantity": ["pm10", "pm25"] * (len(ps) * len(dongs)),
            "period": np.repeat(ps, len(dongs) * 2),
            "n": np.full(n, 60, dtype=np.int64), "mean": mean, "min": mean * 0.8, "max": mean * 1.2,
        })
        lake.replace_partition("agg_dong_hourly", date(1970, 1, 1) + timedelta(days=int(day_number)), table)
        rows += n
    return rows


def timed(client: Any, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        t = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return out


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    n_complaints = 20_000 if args.quick else 1_000_000
    hours = 24 * 30
    requests = 40 if args.quick else 300
    n_inline = 3 if args.quick else 5
    tmp = tempfile.mkdtemp(prefix="bench-dashboard-")
    with console.status("migrating"):
        setup_django(tmp)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import translation
    from django_tasks_db.models import DBTaskResult

    from smartseoul.core import registry
    from smartseoul.core.models import District, Neighborhood
    from smartseoul.dashboard import selectors
    from smartseoul.dashboard.selectors import AreaKey

    with console.status("Seoul geography, categories, facility points"):
        load_base()
    create_complaints(n_complaints)
    with console.status("one month of sensor aggregates"):
        lake_rows = create_sensor_month(hours)
    DBTaskResult.objects.all().delete()  # the dashboard demo queued its standard areas: this run measures its own

    client = Client()
    rng = np.random.default_rng(7)
    healthz = timed(client, ["/healthz"] * requests)
    codes = list(District.objects.order_by("code").values_list("code", flat=True))
    dongs = list(Neighborhood.objects.order_by("code").values_list("district__code", "code"))
    never_shown = [f"/mayor/?period={p}&district={c}" for p in selectors.PERIODS for c in codes]
    never_shown += [f"/mayor/?district={d}&dong={g}" for d, g in dongs]
    never_shown = [never_shown[int(i)] for i in rng.permutation(len(never_shown))[:requests]]

    # the previous path, in the same run: a never-shown area's widgets computed inline
    widgets = selectors.visible_widgets(False)
    inline = []
    with translation.override("ko"):
        for i in range(n_inline):
            area = AreaKey(list(selectors.PERIODS)[i % len(selectors.PERIODS)], codes[(i * 7) % len(codes)], None,
                           False, "ko")
            t = time.perf_counter()
            for widget in widgets:
                selectors.compute_widget(widget, area.query())
            inline.append((time.perf_counter() - t) * 1000)

    # the shipped path: the first view answers at once and queues the area
    first_view = []
    for url in never_shown:
        t = time.perf_counter()
        response = client.get(url)
        first_view.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200 or b"data-computing" not in response.content:
            raise SystemExit(f"{url} answered {response.status_code} without the being-computed state")
    queued = DBTaskResult.objects.count()
    t = time.perf_counter()
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    worker_s = time.perf_counter() - t
    failed = DBTaskResult.objects.exclude(status="SUCCESSFUL").count()
    cache.clear()
    after = timed(client, never_shown)
    if any(b"data-computing" in client.get(u).content for u in never_shown[:10]):
        raise SystemExit("figures still missing after the worker ran")

    # steady state: figures fresh in the cache (the refreshes the views above queued for their
    # now older figures are the worker's business, not this measurement's: dropped)
    DBTaskResult.objects.filter(status="READY").delete()
    pages = ["/mayor/"] + [f"/mayor/?district={c}" for c in codes[:4]]
    timed(client, pages)
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    page = timed(client, [pages[int(i)] for i in rng.integers(0, len(pages), requests)])

    views = []
    for _ in range(requests):
        zoom = int(rng.integers(10, 17))
        lat, lon = 37.45 + rng.random() * 0.2, 126.85 + rng.random() * 0.3
        half = 0.35 / 2 ** (zoom - 10)
        views.append(f"/map/layers/complaints.geojson?bbox={lon - half:.5f},{lat - half / 1.3:.5f},"
                     f"{lon + half:.5f},{lat + half / 1.3:.5f}&zoom={zoom}")
    t = time.perf_counter()
    timed(client, views[:1])
    layer_cold = (time.perf_counter() - t) * 1000
    layer = timed(client, views)

    metrics = {
        "complaints": n_complaints, "district_conditions": len(codes) * hours, "lake_dong_hours": lake_rows,
        "widgets": len(widgets), "areas_viewed": len(never_shown),
        "first_view_p50_ms": pct(first_view, 50), "first_view_p95_ms": pct(first_view, 95),
        "first_view_max_ms": round(max(first_view), 1),
        "queued": queued, "worker_s": round(worker_s, 1),
        "worker_per_area_ms": round(worker_s * 1000 / max(queued, 1), 1),
        "worker_failed": failed,
        "after_compute_p50_ms": pct(after, 50), "after_compute_p95_ms": pct(after, 95),
        "page_p50_ms": pct(page, 50), "page_p95_ms": pct(page, 95),
        "layer_p50_ms": pct(layer, 50), "layer_p95_ms": pct(layer, 95), "layer_cold_ms": round(layer_cold, 1),
    }
    baselines = {"inline_area_p50_ms": pct(inline, 50), "inline_area_max_ms": round(max(inline), 1),
                 "healthz_p50_ms": pct(healthz, 50), "healthz_p95_ms": pct(healthz, 95)}
    targets = {"first_view_p95_ms": 1000, "page_p95_ms": 300, "layer_p95_ms": 100}
    oks = {
        "ok_first_view": metrics["first_view_p95_ms"] < targets["first_view_p95_ms"],
        "ok_computed": failed == 0 and queued == len(set(never_shown)),
        "ok_page": metrics["page_p95_ms"] < targets["page_p95_ms"],
        "ok_layer": metrics["layer_p95_ms"] < targets["layer_p95_ms"],
    }
    console.print(f"first view of a never-shown area ({len(never_shown)} areas): "
                  f"p50 {metrics['first_view_p50_ms']} ms, "
                  f"p95 {metrics['first_view_p95_ms']} ms (target < 1000) | previous path, every widget inline: "
                  f"p50 {baselines['inline_area_p50_ms']} ms, max {baselines['inline_area_max_ms']} ms | "
                  f"/healthz p50 {baselines['healthz_p50_ms']} ms, p95 {baselines['healthz_p95_ms']} ms")
    console.print(f"task worker: {queued} areas in {metrics['worker_s']} s ({metrics['worker_per_area_ms']} ms each, "
                  f"{failed} failed); the same areas afterwards p95 {metrics['after_compute_p95_ms']} ms; "
                  f"page (figures cached) p95 {metrics['page_p95_ms']} ms; complaints layer p95 "
                  f"{metrics['layer_p95_ms']} ms; widgets: {len(widgets)} of {len(registry.widgets())} public")
    from django.db import connections

    connections.close_all()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"bench": "dashboard", "metrics": metrics, "baselines": baselines, "targets": targets, **oks,
                      "ok": all(oks.values())}))


if __name__ == "__main__":
    main()
