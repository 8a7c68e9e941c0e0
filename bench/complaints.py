"""Complaints benchmark, through the shipped server (`smartseoul serve`, see _http.py) with wrk:

- report submissions per second through the native API (JSON, no media), each request a
  different signed-in, phone-verified citizen (session cookie and CSRF token) with a varied
  body, next to the same server's /healthz measured in the same run (the ratio is the figure
  that does not depend on the machine); p50/p95/p99 latency of both;
- how fast the task worker then works through the submissions' follow-ups (routing and
  notifications), and that every submitted report got routed;
- whole-city clustered Talk Map latency (one connection): memoised, and uncached (a different
  city-wide bbox each request).

Targets (issue 18, on PostgreSQL): ≥ 300 submissions/s, p95 < 200 ms, ≥ 0.4 × /healthz; map
p95 < 100 ms. On SQLite the same figures are printed; only the map targets apply.

Usage: python bench/complaints.py [--quick] [--reports N] [--seconds S] [--connections C]
                                  [--workers W] [--citizens N]
A fresh SQLite database in a temporary directory by default; DATABASE_URL when set (PostgreSQL:
the reports are loaded once and kept). The per-user and per-address submission limits are
raised for the server under test by environment (SMARTSEOUL_COMPLAINTS_SUBMIT_PER_HOUR,
…_PER_IP_HOUR), as an operator would for a load test. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _http import REPO, Server, require_wrk, wrk

sys.path.insert(0, str(REPO))

API = "/api/v1/complaints/reports"


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
    from smartseoul.complaints.models import Complaint
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.models import District

    call_command("migrate", verbosity=0, interactive=False)
    load_core_demo()
    for spec in CATEGORIES:
        services.category_upsert(**spec)
        services.routing_build_defaults(category_code=spec["code"])
    reporter, _ = User.objects.get_or_create(username="bench-reporter")
    existing = Complaint.objects.count()
    load_s = 0.0
    if existing < reports:
        task = progress.add_task(f"loading {reports - existing:,} reports", total=reports - existing)
        started = time.perf_counter()
        services.complaints_generate(
            count=reports - existing, reporter=reporter, days=120, seed=11, progress=lambda n: progress.advance(task, n)
        )
        load_s = time.perf_counter() - started
    sessions = []
    for i in range(citizens):
        user, created = User.objects.get_or_create(username=f"bench-citizen-{i}")
        if created or not user.has_phone:
            user_set_phone_verified(user=user, phone=f"010-9{i // 10000:03d}-{i % 10000:04d}")
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return {
        "sessions": sessions,
        "points": [(d.centroid_lat, d.centroid_lon) for d in District.objects.all()],
        "load_s": load_s,
        "rows": Complaint.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "categories": [c["code"] for c in CATEGORIES if not any(a.get("required") for a in c.get("attributes", []))],
    }


def _lua_str(text: str) -> str:
    """A Lua long-bracket literal: the text byte for byte (UTF-8 included), no escapes."""
    assert "]==]" not in text
    return f"[==[{text}]==]"


def _submit_script(info: dict[str, Any], csrf: str, bodies: int = 2000) -> str:
    """wrk Lua: each request the next citizen's session and the next of `bodies` varied reports;
    each wrk thread starts at its own offset."""
    rng = random.Random(5)
    texts = ["보도블록이 깨져 있어요", "가로등이 꺼져 있습니다", "Broken kerb near the crossing", "쓰레기 무단 투기"]
    body_list = []
    for k in range(bodies):
        lat, lon = rng.choice(info["points"])
        body_list.append(
            json.dumps(
                {
                    "category": rng.choice(info["categories"]),
                    "lat": round(lat + rng.uniform(-0.002, 0.002), 6),
                    "lon": round(lon + rng.uniform(-0.002, 0.002), 6),
                    "description": f"{rng.choice(texts)} #{k}",
                },
                ensure_ascii=False,
            )
        )
    sessions = ",\n".join(_lua_str(s) for s in info["sessions"])
    payloads = ",\n".join(_lua_str(b) for b in body_list)
    return f"""
local sessions = {{
{sessions}
}}
local bodies = {{
{payloads}
}}
local csrf = {_lua_str(csrf)}
local threads_made = 0
setup = function(thread)
  thread:set("offset", threads_made * 7919)
  threads_made = threads_made + 1
end
local n = 0
request = function()
  n = n + 1
  local k = n + (offset or 0)
  local headers = {{}}
  headers["Content-Type"] = "application/json"
  headers["Cookie"] = "sessionid=" .. sessions[(k % #sessions) + 1] .. "; csrftoken=" .. csrf
  headers["X-CSRFToken"] = csrf
  return wrk.format("POST", "{API}", headers, bodies[(k % #bodies) + 1])
end
"""


_MAP_SCRIPT = """
local n = 0
request = function()
  n = n + 1
  local zoom = 10 + (n % 3)
  local path = "/complaints/map.geojson?period=all&zoom=" .. zoom
  if UNCACHED then
    local j = n * 0.00001
    path = path .. string.format("&bbox=%.5f,%.5f,%.5f,%.5f", 126.70 - j, 37.40 - j, 127.25 + j, 37.73 + j)
  end
  return wrk.format("GET", path)
end
"""


def _drain(env: dict[str, str], limit_s: float) -> tuple[int, float]:
    """Runs the task worker over the queued follow-ups (for at most `limit_s`); returns how many
    tasks it finished and the seconds it took."""
    from django_tasks_db.models import DBTaskResult

    done = DBTaskResult.objects.filter(status="SUCCESSFUL", task_path__endswith=".follow_up_report")
    before = done.count()
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "manage", "db_worker", "--batch", "--interval", "0", "--no-reload"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        worker.wait(timeout=limit_s)
    except subprocess.TimeoutExpired:
        worker.terminate()
        worker.wait(timeout=30)
    elapsed = time.perf_counter() - started
    return done.count() - before, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small run (5,000 reports, 3-second phases)")
    parser.add_argument("--reports", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--citizens", type=int, default=200, help="distinct signed-in citizens submitting")
    args = parser.parse_args()
    reports = args.reports or (5_000 if args.quick else 200_000)
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    require_wrk()

    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="bench-complaints-") as tmp:
        data_dir = Path(tmp)
        with Progress(console=console) as progress:
            info = _setup(data_dir, reports, args.citizens, progress)
        console.print(f"{info['rows']:,} reports in {info['database']} (loaded in {info['load_s']:.1f} s)")
        from smartseoul.complaints.models import Complaint

        first_new_id = (Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        limits = {
            "SMARTSEOUL_COMPLAINTS_SUBMIT_PER_HOUR": "100000000",
            "SMARTSEOUL_COMPLAINTS_SUBMIT_PER_IP_HOUR": "100000000",
        }
        csrf = secrets.token_hex(16)
        with Server(data_dir, workers=args.workers, env=limits) as srv:
            # warm every worker's connection and caches (the map's in-memory index loads on first use)
            wrk(srv.url + "/healthz", seconds=2, connections=args.connections)
            map_url = srv.url + "/complaints/map.geojson?zoom=11&period=all"
            for _ in range(20):  # each worker builds its report index on its first map request (seconds)
                warm = wrk(map_url, seconds=3, connections=2 * args.workers, timeout_s=120)
                if warm.requests > 2 * args.workers and warm.max_ms < 1000:
                    break
            script = _submit_script(info, csrf)
            wrk(srv.url + API, seconds=2, connections=args.connections, script=script)  # caches and shapes per worker
            console.print(f"/healthz and submissions, {seconds:g} s each at {args.connections} connections …")
            healthz = wrk(srv.url + "/healthz", seconds=seconds, connections=args.connections)
            submit = wrk(srv.url + API, seconds=seconds, connections=args.connections, script=script)
            console.print("whole-city clustered map, one connection …")
            map_hot = wrk(srv.url + "/", seconds=max(2.0, seconds / 2), connections=1, threads=1, script=_MAP_SCRIPT)
            map_cold = wrk(
                srv.url + "/",
                seconds=max(2.0, seconds / 2),
                connections=1,
                threads=1,
                script="UNCACHED = true\n" + _MAP_SCRIPT,
            )
        filed = Complaint.objects.filter(id__gte=first_new_id).count()
        console.print(f"task worker: following up {filed:,} submissions …")
        drained, drain_s = _drain(srv.env, limit_s=max(30.0, seconds * 6))
        unrouted = Complaint.objects.filter(id__gte=first_new_id, department=None).count()

    rate = submit.rate
    ratio = rate / healthz.rate if healthz.rate else 0.0
    errors = submit.errors + submit.non2xx
    metrics = {
        "submissions_per_s": round(rate, 1),
        "submission_p50_ms": round(submit.p50_ms, 1),
        "submission_p95_ms": round(submit.p95_ms, 1),
        "submission_p99_ms": round(submit.p99_ms, 1),
        "submission_errors": errors,
        "submissions_vs_healthz": round(ratio, 3),
        "reports_filed": filed,
        "follow_ups_per_s": round(drained / drain_s, 1) if drain_s else None,
        "follow_ups_done": drained,
        "unrouted_after_worker": unrouted,
        "map_whole_city_p50_ms": round(map_hot.p50_ms, 1),
        "map_whole_city_p95_ms": round(map_hot.p95_ms, 1),
        "map_whole_city_uncached_p50_ms": round(map_cold.p50_ms, 1),
        "map_whole_city_uncached_p95_ms": round(map_cold.p95_ms, 1),
    }
    baselines = {"healthz": healthz.as_dict()}
    on_postgres = info["database"] == "postgresql"
    map_ok = all(m.requests > 0 and m.non2xx == 0 and m.p95_ms < 100 for m in (map_hot, map_cold))
    submit_ok = rate >= 300 and submit.p95_ms < 200 and ratio >= 0.4
    ok = map_ok and errors == 0 and (submit_ok or not on_postgres)
    setup = f"{info['database']}, {args.workers} server workers, {os.cpu_count()} cores, {args.connections} connections"
    console.print(
        f"\n{setup}:\n"
        f"  submissions  {rate:8,.1f}/s  p50 {submit.p50_ms:6.1f} ms  p95 {submit.p95_ms:6.1f} ms  errors {errors}\n"
        f"  /healthz     {healthz.rate:8,.1f}/s  p50 {healthz.p50_ms:6.1f} ms  p95 {healthz.p95_ms:6.1f} ms\n"
        f"  ratio        {ratio:.2f} × /healthz"
        + ("   (targets: ≥ 300/s, p95 < 200 ms, ≥ 0.4 ×)" if on_postgres else "   (no target on SQLite)")
        + f"\n  follow-ups   {metrics['follow_ups_per_s']}/s by one task worker; "
        f"{unrouted} of {filed:,} still unrouted\n"
        f"  map p95      {map_hot.p95_ms:.1f} ms memoised, {map_cold.p95_ms:.1f} ms uncached (target < 100 ms)"
    )
    print(
        json.dumps(
            {
                "bench": "complaints",
                "metrics": metrics,
                "baselines": baselines,
                "targets": {
                    "submissions_per_s": ">= 300 (PostgreSQL)",
                    "submission_p95_ms": "< 200 (PostgreSQL)",
                    "submissions_vs_healthz": ">= 0.4 (PostgreSQL)",
                    "map_whole_city_p95_ms": "< 100",
                    "map_whole_city_uncached_p95_ms": "< 100",
                },
                "reports": info["rows"],
                "database": info["database"],
                "cores": os.cpu_count(),
                "workers": args.workers,
                "connections": args.connections,
                "ok": ok,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
