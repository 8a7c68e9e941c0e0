"""Complaints benchmark: load N reports, then measure against a real server (uvicorn, in a
subprocess) from this process:

- submissions per second through the native API (no media), next to the same server's
  /healthz requests per second measured in the same run (the baseline);
- whole-city clustered Talk Map queries (p50/p95 ms), next to /healthz latency.

Usage: python bench/complaints.py [--quick] [--reports N] [--seconds S] [--concurrency C] [--workers W]
A fresh SQLite database in a temporary directory by default; DATABASE_URL when set.
The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(data_dir: Path, reports: int, citizens: int, progress: Any) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    os.environ["SMARTSEOUL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SMARTSEOUL_ENV", "development")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from smartseoul.accounts.models import User
    from smartseoul.accounts.services import user_set_phone_verified
    from smartseoul.complaints import services
    from smartseoul.complaints.demo import CATEGORIES
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.models import District

    call_command("migrate", verbosity=0, interactive=False)
    load_core_demo()
    for spec in CATEGORIES:
        services.category_upsert(**spec)
        services.routing_build_defaults(category_code=spec["code"])
    reporter, _ = User.objects.get_or_create(username="bench-reporter")
    from smartseoul.complaints.models import Complaint

    existing = Complaint.objects.count()
    if existing < reports:
        task = progress.add_task(f"loading {reports - existing:,} reports", total=reports - existing)
        started = time.perf_counter()
        services.complaints_generate(
            count=reports - existing, reporter=reporter, days=120, seed=11, progress=lambda n: progress.advance(task, n)
        )
        load_s = time.perf_counter() - started
    else:
        load_s = 0.0
    sessions = []
    for i in range(citizens):
        user, created = User.objects.get_or_create(username=f"bench-citizen-{i}")
        if created or not user.has_phone:
            user_set_phone_verified(user=user, phone=f"010-9{i // 1000:03d}-{i % 10000:04d}")
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    points = [(d.centroid_lat, d.centroid_lon) for d in District.objects.all()]
    return {
        "sessions": sessions,
        "points": points,
        "load_s": load_s,
        "rows": Complaint.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "categories": [c["code"] for c in CATEGORIES if not any(a.get("required") for a in c.get("attributes", []))],
    }


def _serve(port: int, data_dir: Path, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "SMARTSEOUL_DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "SMARTSEOUL_ENV": "development",
            "SMARTSEOUL_COMPLAINTS_SUBMIT_PER_HOUR": "100000000",
            "SMARTSEOUL_COMPLAINTS_SUBMIT_PER_IP_HOUR": "100000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    cmd = [
        sys.executable,
        "-m",
        "smartseoul.cli",
        "serve",
        "--no-worker",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import requests

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not start: " + (proc.stderr.read(2000).decode() if proc.stderr else ""))


def _load(fn: Any, concurrency: int, seconds: float) -> tuple[int, int, list[float]]:
    """Runs fn(session_index, http) in `concurrency` threads for `seconds`; returns ok, errors, latencies."""
    import requests

    ok = errors = 0
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        nonlocal ok, errors
        http = requests.Session()
        mine_ok = mine_err = 0
        mine_lat: list[float] = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            good = fn(i, http)
            mine_lat.append(time.perf_counter() - t0)
            if good:
                mine_ok += 1
            else:
                mine_err += 1
        with lock:
            ok += mine_ok
            errors += mine_err
            latencies.extend(mine_lat)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, errors, latencies


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small smoke run (5,000 reports, short phases)")
    parser.add_argument("--reports", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "1")))
    parser.add_argument("--map-queries", type=int)
    args = parser.parse_args()
    reports = args.reports or (5_000 if args.quick else 200_000)
    seconds = args.seconds or (3.0 if args.quick else 15.0)
    map_queries = args.map_queries or (40 if args.quick else 200)

    import requests
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="bench-complaints-") as tmp:
        data_dir = Path(tmp)
        with Progress(console=console) as progress:
            info = _setup(data_dir, reports, args.concurrency, progress)
        console.print(f"{info['rows']:,} reports in {info['database']} (loaded in {info['load_s']:.1f} s)")
        port = _free_port()
        server = _serve(port, data_dir, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            # warm-up: the first map request builds the in-memory index; timed separately
            t0 = time.perf_counter()
            requests.get(f"{base}/complaints/map.geojson?zoom=11&period=all", timeout=120).raise_for_status()
            index_load_ms = (time.perf_counter() - t0) * 1000

            console.print(f"/healthz for {seconds:.0f} s at concurrency {args.concurrency} …")
            h_ok, h_err, _h_lat = _load(
                lambda i, http: http.get(f"{base}/healthz", timeout=30).status_code == 200, args.concurrency, seconds
            )
            healthz_rps = h_ok / seconds

            csrf = secrets.token_hex(16)
            rng = random.Random(5)

            def submit(i: int, http: Any) -> bool:
                lat, lon = rng.choice(info["points"])
                http.cookies.set("sessionid", info["sessions"][i])
                http.cookies.set("csrftoken", csrf)
                body = {
                    "category": rng.choice(info["categories"]),
                    "lat": lat + rng.uniform(-0.002, 0.002),
                    "lon": lon + rng.uniform(-0.002, 0.002),
                    "description": "bench",
                }
                r = http.post(
                    f"{base}/api/v1/complaints/reports",
                    json=body,
                    timeout=30,
                    headers={"X-CSRFToken": csrf, "Referer": base + "/"},
                )
                return r.status_code == 201

            console.print(f"API submissions for {seconds:.0f} s at concurrency {args.concurrency} …")
            s_ok, s_err, s_lat = _load(submit, args.concurrency, seconds)
            submissions_ps = s_ok / seconds

            console.print(f"{map_queries} whole-city clustered map queries …")
            map_lat: list[float] = []
            healthz_single: list[float] = []
            http = requests.Session()
            zooms = [10, 11, 12]
            for k in range(map_queries):
                t0 = time.perf_counter()
                r = http.get(
                    f"{base}/complaints/map.geojson", params={"zoom": zooms[k % 3], "period": "all"}, timeout=30
                )
                map_lat.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
                t0 = time.perf_counter()
                http.get(f"{base}/healthz", timeout=30)
                healthz_single.append((time.perf_counter() - t0) * 1000)
            console.print(f"{map_queries} uncached whole-city map queries (a different city-wide bbox each time) …")
            cold_lat: list[float] = []
            for k in range(map_queries):
                jitter = k * 1e-5
                bbox = f"{126.70 - jitter},{37.40 - jitter},{127.25 + jitter},{37.73 + jitter}"
                t0 = time.perf_counter()
                r = http.get(
                    f"{base}/complaints/map.geojson",
                    params={"zoom": zooms[k % 3], "period": "all", "bbox": bbox},
                    timeout=30,
                )
                cold_lat.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
            features = len(http.get(f"{base}/complaints/map.geojson?zoom=11&period=all", timeout=30).json()["features"])
        finally:
            server.terminate()
            server.wait(timeout=20)

    metrics = {
        "reports": info["rows"],
        "load_seconds": round(info["load_s"], 1),
        "submissions_per_s": round(submissions_ps, 1),
        "submission_errors": s_err,
        "submission_p50_ms": round(_pct(s_lat, 0.5) * 1000, 1),
        "submission_p95_ms": round(_pct(s_lat, 0.95) * 1000, 1),
        "map_whole_city_p50_ms": round(_pct(map_lat, 0.5), 1),
        "map_whole_city_p95_ms": round(_pct(map_lat, 0.95), 1),
        "map_whole_city_uncached_p50_ms": round(_pct(cold_lat, 0.5), 1),
        "map_whole_city_uncached_p95_ms": round(_pct(cold_lat, 0.95), 1),
        "map_features_zoom11": features,
        "map_index_first_load_ms": round(index_load_ms, 1),
    }
    baselines = {
        "healthz_per_s": round(healthz_rps, 1),
        "healthz_errors": h_err,
        "healthz_p50_ms": round(statistics.median(healthz_single), 1) if healthz_single else None,
        "healthz_p95_ms": round(_pct(healthz_single, 0.95), 1),
        "submissions_vs_healthz": round(submissions_ps / healthz_rps, 3) if healthz_rps else None,
    }
    targets = {
        "submissions_per_s": ">= 300",
        "map_whole_city_p95_ms": "< 100",
        "map_whole_city_uncached_p95_ms": "< 100",
    }
    ok = submissions_ps >= 300 and _pct(map_lat, 0.95) < 100 and _pct(cold_lat, 0.95) < 100 and s_err == 0
    print(
        json.dumps(
            {
                "bench": "complaints",
                "metrics": metrics,
                "baselines": baselines,
                "targets": targets,
                "database": info["database"],
                "concurrency": args.concurrency,
                "workers": args.workers,
                "ok": ok,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
