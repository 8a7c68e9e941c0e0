"""What the server benchmarks share: start the platform's server in a subprocess and drive it with
`wrk` (a compiled load generator, Debian package `wrk`), never with Python threads that would
take the server's own cores.

    from _http import Server, wrk

    with Server(data_dir, workers=2) as srv:                   # `smartseoul serve`, the shipped path
        base = wrk(srv.url + "/healthz")                        # the same server's baseline
        hot = wrk(srv.url + "/api/v1/…", script=LUA, connections=16)
    print(hot.rate / base.rate)

`Server(…, stack="asgi")` starts the previous stack (uvicorn + Django's ASGI handler, a new
database connection per request) for comparisons. A Lua script sets `wrk.method`, `wrk.body`,
`wrk.headers` or defines `request()`; it must not define `done()`, which this module appends to
print the figures as one JSON line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

_DONE = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '\\nWRK_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests: int
    seconds: float
    errors: int  # socket errors and timeouts
    non2xx: int  # answers with a status of 400 or more (wrk counts 3xx as success)
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.non2xx) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "req_per_s": round(self.rate, 1), "requests": self.requests, "errors": self.errors,
            "non2xx": self.non2xx, "p50_ms": round(self.p50_ms, 2), "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }


def require_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("This benchmark drives HTTP with wrk: install it (Debian: apt-get install wrk).")
    return found


def wrk(
    url: str,
    *,
    seconds: float = 10,
    connections: int = 16,
    threads: int = 2,
    script: str | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: int = 10,
) -> Load:
    """Runs wrk against `url` and returns its figures. `script` is Lua text (see the module doc)."""
    exe = require_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write((script or "") + _DONE)
        lua = f.name
    cmd = [exe, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", f"{timeout_s}s",
           "-s", lua]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    try:
        out = subprocess.run([*cmd, url], capture_output=True, text=True, check=False)
    finally:
        os.unlink(lua)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{out.stdout}\n{out.stderr}")
    d = json.loads(line.removeprefix("WRK_JSON "))
    return Load(
        requests=d["requests"], seconds=d["duration_us"] / 1e6, errors=d["errors"], non2xx=d["non2xx"],
        p50_ms=d["p50_us"] / 1000, p95_ms=d["p95_us"] / 1000, p99_ms=d["p99_us"] / 1000, max_ms=d["max_us"] / 1000,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The platform served from `data_dir` (and DATABASE_URL when the environment sets it) on a
    free port. stack="wsgi" is `smartseoul serve` as shipped; stack="asgi" the previous default
    (uvicorn + ASGI, no persistent connections), kept for comparison."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        workers: int = 2,
        stack: str = "wsgi",
        env: dict[str, str] | None = None,
        task_worker: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.stack = stack
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "SMARTSEOUL_DATA_DIR": str(self.data_dir), "DEBUG": "false", "SMARTSEOUL_ENV": "development",
            "LOG_LEVEL": "WARNING", "SMARTSEOUL_ACCESS_LOG": "false",
        })
        self.env.update(env or {})
        self.task_worker = task_worker
        self.proc: subprocess.Popen[bytes] | None = None

    def _command(self) -> list[str]:
        if self.stack == "asgi":
            self.env["DATABASE_CONN_MAX_AGE"] = "0"
            return [sys.executable, "-m", "uvicorn", "smartseoul.asgi:application", "--host", "127.0.0.1",
                    "--port", str(self.port), "--workers", str(self.workers), "--lifespan", "off",
                    "--log-level", "warning", "--no-access-log"]
        cmd = [sys.executable, "-m", "smartseoul.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--workers", str(self.workers)]
        return cmd if self.task_worker else [*cmd, "--no-worker"]

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            self._command(), cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("the server did not start: " + self.proc.stderr.read().decode()[-3000:])  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:  # noqa: S310  (our own server)
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit("the server did not answer /healthz within 90 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def fresh_postgres(url: str, name: str) -> str:
    """A new, empty database `name` on the server of `url` (dropped first if it exists); its URL."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"
