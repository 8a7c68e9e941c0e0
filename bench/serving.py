"""Serving benchmark: requests per second through `smartseoul serve` (granian, WSGI, persistent
database connections, WhiteNoise), next to the previous stack (uvicorn + Django's ASGI handler,
a new connection per request) serving the same database in the same run. Load comes from wrk.

Measured per database (SQLite always; PostgreSQL when DATABASE_URL is set or --postgres given):
`/healthz` (one query; the target: new ≥ 5× old), the home page (templates, session, a few
queries) and one static file.

Usage: python bench/serving.py [--quick] [--seconds S] [--connections C] [--workers W] [--postgres URL]
The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _http import REPO, Server, fresh_postgres, require_wrk, wrk

TARGET_RATIO = 5.0
PATHS = {"healthz": "/healthz", "home": "/", "static": "/static/smartseoul/site.css"}


def _migrate(data_dir: Path, env: dict[str, str]) -> None:
    full = {**os.environ, "SMARTSEOUL_DATA_DIR": str(data_dir), "SMARTSEOUL_ENV": "development", **env}
    for cmd in (["manage", "migrate", "--noinput", "-v", "0"], ["manage", "collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "-m", "smartseoul.cli", *cmd], cwd=REPO, env=full, check=True)


def _measure(data_dir: Path, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for stack in ("wsgi", "asgi"):
        with Server(data_dir, workers=args.workers, stack=stack, env=env) as srv:
            wrk(srv.url + "/healthz", seconds=2, connections=args.connections)  # warm every worker and connection
            out[stack] = {
                name: wrk(srv.url + path, seconds=args.seconds, connections=args.connections).as_dict()
                for name, path in PATHS.items()
            }
    new, old = out["wsgi"]["healthz"]["req_per_s"], out["asgi"]["healthz"]["req_per_s"]
    out["healthz_ratio"] = round(new / old, 2) if old else None
    out["ok"] = bool(old) and new >= TARGET_RATIO * old and all(
        r["non2xx"] == 0 and r["errors"] == 0 for stack in ("wsgi", "asgi") for r in out[stack].values()
    )
    return out


def _print(database: str, r: dict[str, Any]) -> None:
    print(f"\n{database}: requests/s (p95 ms)   smartseoul serve   |   previous uvicorn/ASGI")
    for name in PATHS:
        n, o = r["wsgi"][name], r["asgi"][name]
        ratio = n["req_per_s"] / o["req_per_s"] if o["req_per_s"] else float("nan")
        print(f"  {name:8} {n['req_per_s']:>9,.0f} ({n['p95_ms']:6.1f})   |   "
              f"{o['req_per_s']:>9,.0f} ({o['p95_ms']:6.1f})   {ratio:5.1f}×")
    print(f"  /healthz new ÷ old = {r['healthz_ratio']}× (target ≥ {TARGET_RATIO:g}×)  ok={r['ok']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3-second runs")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""),
                        help="a PostgreSQL server to measure as well, in a database of the bench's own "
                             "(default: DATABASE_URL's server)")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 3
    require_wrk()
    result: dict[str, Any] = {"bench": "serving", "cores": os.cpu_count(), "workers": args.workers}
    databases = {"sqlite": {"DATABASE_URL": ""}}
    if args.postgres.startswith("postgres"):
        databases["postgresql"] = {"DATABASE_URL": fresh_postgres(args.postgres, "smartseoul_bench_serving")}
    for name, env in databases.items():
        if name == "sqlite":
            os.environ.pop("DATABASE_URL", None)
            env = {}
        with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp:
            _migrate(Path(tmp), env)
            result[name] = _measure(Path(tmp), env, args)
        _print(name, result[name])
    metrics: dict[str, Any] = {}
    baselines: dict[str, Any] = {}
    for name in databases:
        for path in PATHS:
            metrics[f"{name}_{path}_per_s"] = result[name]["wsgi"][path]["req_per_s"]
            metrics[f"{name}_{path}_p95_ms"] = result[name]["wsgi"][path]["p95_ms"]
            baselines[f"{name}_asgi_{path}_per_s"] = result[name]["asgi"][path]["req_per_s"]
        metrics[f"{name}_healthz_ratio"] = result[name]["healthz_ratio"]
    report = {"bench": "serving", "cores": result["cores"], "workers": result["workers"], "metrics": metrics,
              "baselines": baselines, "targets": {"healthz_ratio": TARGET_RATIO},
              "ok": all(result[name]["ok"] for name in databases)}
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
