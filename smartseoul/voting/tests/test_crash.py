"""Killing the server (SIGKILL) during a burst of ballots loses no acknowledged ballot, and the
log verifies after a restart. Runs a real server process (`smartseoul serve`) on SQLite in a
temporary data directory, or on PostgreSQL (a database of its own) when DATABASE_URL is set."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import subprocess_env

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
SETUP = """
import json, os, django
django.setup()
from datetime import timedelta
from django.contrib.sessions.backends.db import SessionStore
from smartseoul.accounts.models import Role, User, Verification
from smartseoul.core import clock
from smartseoul.voting import services
owner = User.objects.create(username="crash-owner", role=Role.OFFICIAL, is_staff=True, verification=1)
voters = User.objects.bulk_create([User(username=f"crash-{i}", verification=Verification.PHONE,
                                        phone_hash=f"{i:064x}") for i in range(120)])
now = clock.now()
vote = services.vote_create(owner=owner, kind="policy", title="crash", options=[{"text": "a"}, {"text": "b"}],
                            ballot_type="single", opens_at=now - timedelta(minutes=1),
                            closes_at=now + timedelta(days=1))
sessions = []
for u in voters:
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    sessions.append(s.session_key)
print(json.dumps({"vote": vote.pk, "options": list(vote.options.values_list("pk", flat=True)), "sessions": sessions}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    return subprocess_env(tmp_path, "ss_voting_crash")


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "smartseoul.cli", "serve", "--no-worker", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not answer /healthz")


def test_sigkill_during_a_burst_loses_no_acknowledged_ballot(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "smartseoul.cli", "manage", "migrate", "--verbosity", "0"], cwd=REPO,
                   env=env, check=True)
    out = subprocess.run([sys.executable, "-c", SETUP], cwd=REPO, env=env, check=True, capture_output=True, text=True)
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    vote_id, options, sessions = setup["vote"], setup["options"], setup["sessions"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port)
    acknowledged: list[dict[str, Any]] = []
    lock = threading.Lock()
    killed = threading.Event()

    def voter(i: int) -> None:
        token = "a" * 32
        try:
            r = requests.post(
                f"{base}/api/v1/voting/votes/{vote_id}/ballots", json={"choices": [options[i % 2]]},
                cookies={"sessionid": sessions[i], "csrftoken": token}, headers={"X-CSRFToken": token}, timeout=20,
            )
        except requests.RequestException:
            return  # the server died before answering: not acknowledged
        if r.status_code == 201:
            with lock:
                acknowledged.append(r.json())
                if len(acknowledged) >= 25 and not killed.is_set():
                    killed.set()
                    os.kill(server.pid, signal.SIGKILL)

    try:
        threads = [threading.Thread(target=voter, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
            time.sleep(0.005)
        for t in threads:
            t.join()
        assert killed.is_set(), "the burst ended before the kill"
        server.wait(timeout=10)
        assert server.returncode == -signal.SIGKILL
        server = _start(env, port)
        for receipt in acknowledged:
            status = requests.get(f"{base}/api/v1/voting/receipts/{receipt['tracker']}", timeout=10).json()
            assert status["leaf_index"] == receipt["leaf_index"] and status["leaf"] == receipt["leaf"]
        # casting goes on after the restart, and the whole log verifies over HTTP
        token = "b" * 32
        r = requests.post(f"{base}/api/v1/voting/votes/{vote_id}/ballots", json={"choices": [options[0]]},
                          cookies={"sessionid": sessions[110], "csrftoken": token}, headers={"X-CSRFToken": token},
                          timeout=20)
        assert r.status_code == 201, r.text
        verify = subprocess.run([sys.executable, "-m", "smartseoul.cli", "ledger", "verify", "--vote", str(vote_id),
                                 "--url", base], cwd=REPO, env=env, capture_output=True, text=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        size = requests.get(f"{base}/api/v1/voting/votes/{vote_id}/log/leaves?limit=1", timeout=10).json()["size"]
        assert size >= len(acknowledged) + 1
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
