"""`smartseoul serve` as a process: SIGTERM lets a request in flight finish and stops the task
worker, scheduler and sequencer with the server; a SIGKILLed server takes its workers and
helpers with it (none goes on answering on the shared socket); static files are served under
content-hashed names, compressed, cached for a year. The server is started as `make run` starts it,
in a data directory of its own; these checks need no migrated database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_URL"))}
    env.update(SMARTSEOUL_ENV="development", SMARTSEOUL_DATA_DIR=str(tmp_path))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)  # any answer: it serves
                break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(pids)


def test_sigterm_finishes_the_request_in_flight_then_stops_everything(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = server
    children = _children(proc.pid)
    assert len(children) >= 5, "two server workers, the task worker, the scheduler and the ballot sequencer"
    body = b"username=someone&password=wrong"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:8]
        )
        time.sleep(0.5)  # the request is in a worker, reading its body
        proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        s.sendall(body[8:])
        answer = s.recv(64)
    assert answer.startswith(b"HTTP/1.1 403"), answer  # answered in full (no CSRF cookie: refused)
    assert proc.wait(timeout=60) == 0
    assert _wait_gone(children, 10) == set()


def test_static_files_hashed_compressed_and_cached_then_a_killed_server_takes_everything_with_it(
    server: tuple[subprocess.Popen[bytes], int], tmp_path: Path,
) -> None:
    proc, port = server
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]  # serve collected them
    hashed = manifest["smartseoul/site.css"]
    assert hashed != "smartseoul/site.css"
    r = requests.get(f"http://127.0.0.1:{port}/static/{hashed}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert "immutable" in r.headers["Cache-Control"] and "body" in r.text
    children = _children(proc.pid)
    assert len(children) >= 5
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _wait_gone(children, 10) == set()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
