"""The sequencer as separate processes: killed (SIGKILL) between queueing and integration it
loses no accepted ballot; two sequencers at once never integrate the same ballots; casters in
several processes get one ballot per person. Real subprocesses on SQLite in a temporary data
directory, or on PostgreSQL (a database of its own) when DATABASE_URL is set."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("voting-sequencer")]  # one migrated database for the module

REPO = Path(__file__).resolve().parents[3]
PRELUDE = """
import json, os, sys, time, django
django.setup()
from datetime import timedelta
from smartseoul.accounts.models import Role, User, Verification
from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.voting import services
"""
QUEUE = PRELUDE + """
n, allow_change = int(sys.argv[1]), sys.argv[2] == "1"
owner, _ = User.objects.get_or_create(username="seq-owner", defaults={"role": Role.OFFICIAL, "is_staff": True,
                                                                      "verification": 1})
now = clock.now()
vote = services.vote_create(owner=owner, kind="policy", title="seq", options=[{"text": "a"}, {"text": "b"}],
                            ballot_type="single", opens_at=now - timedelta(minutes=1),
                            closes_at=now + timedelta(days=1), allow_change=allow_change)
start = User.objects.count()
voters = User.objects.bulk_create([User(username=f"seq-{vote.pk}-{i}", verification=Verification.PHONE,
                                        phone_hash=f"{start + i:064x}") for i in range(n)])
ids = list(vote.options.values_list("pk", flat=True))
queued = [services.ballot_queue(vote_id=vote.pk, voter=u, choices=[ids[i % 2]]) for i, u in enumerate(voters)]
print(json.dumps({"vote": vote.pk, "voters": [u.pk for u in voters], "options": ids, "queued": queued}))
"""
CAST = PRELUDE + """
vote_id, option, at = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
voters = [User.objects.get(pk=int(pk)) for pk in sys.argv[4].split(",")]
services.vote_rules(vote_id)
while time.time() < at:
    time.sleep(0.001)
out = []
for voter in voters:
    try:
        receipt = services.ballot_cast(vote_id=vote_id, voter=voter, choices=[option])
        out.append(["ok", receipt.leaf_index])
    except DomainError as exc:
        out.append([exc.code, None])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    e = subprocess_env(tmp_path_factory.mktemp("sequencer"), "ss_voting_sequencer",
                       SMARTSEOUL_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend")
    subprocess.run([sys.executable, "-m", "smartseoul.cli", "manage", "migrate", "--verbosity", "0"], cwd=REPO,
                   env=e, check=True)
    yield e


def _py(env: dict[str, str], code: str, *args: str) -> Any:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sql(env: dict[str, str], query: str, *params: Any) -> list[tuple[Any, ...]]:
    if env.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            return list(conn.execute(query.replace("?", "%s"), params).fetchall())
    with sqlite3.connect(Path(env["SMARTSEOUL_DATA_DIR"]) / "smartseoul.sqlite3", timeout=30) as conn:
        return list(conn.execute(query, params).fetchall())


def _sequencer(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "smartseoul.cli", "ledger", "sequencer", *args], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _log_size(env: dict[str, str], vote: int) -> int:
    return int(_sql(env, "SELECT log_size FROM voting_vote WHERE id = ?", vote)[0][0])


def _check_log(env: dict[str, str], vote: int, queued: list[int], *, concurrent: bool = False) -> None:
    """Every queued ballot is in the log once, in arrival order, and the log verifies. Ballots
    queued by one process arrive in queue-id order; ballots of concurrent processes arrive in
    the order their transactions commit, which on PostgreSQL need not be the order their ids
    were drawn, so there only each id's single place in the log is checked (the callers check
    each process's own order)."""
    rows = _sql(env, "SELECT id, seq FROM voting_queuedballot WHERE vote_id = ? ORDER BY id", vote)
    assert [r[0] for r in rows] == queued
    places = [r[1] for r in rows]
    assert (sorted(places) if concurrent else places) == list(range(len(queued)))
    seqs = [r[0] for r in _sql(env, "SELECT seq FROM voting_ballot WHERE vote_id = ? ORDER BY seq", vote)]
    assert seqs == list(range(len(queued)))
    assert _log_size(env, vote) == len(queued)
    verify = subprocess.run([sys.executable, "-m", "smartseoul.cli", "ledger", "verify", "--vote", str(vote)],
                            cwd=REPO, env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"{len(queued)} leaves" in verify.stdout


class _HeadLock:
    """Holds the vote's log head from outside (the row lock on PostgreSQL, the write lock on
    SQLite), so a sequencer stops inside its batch transaction."""

    def __init__(self, env: dict[str, str], vote: int) -> None:
        if env.get("DATABASE_URL", "").startswith("postgres"):
            import psycopg

            self.conn: Any = psycopg.connect(env["DATABASE_URL"])
            self.conn.execute("SELECT id FROM voting_vote WHERE id = %s FOR UPDATE", (vote,))
        else:
            self.conn = sqlite3.connect(Path(env["SMARTSEOUL_DATA_DIR"]) / "smartseoul.sqlite3",
                                        isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.rollback() if not isinstance(self.conn, sqlite3.Connection) else self.conn.execute("ROLLBACK")
        self.conn.close()


def _wait_blocked(env: dict[str, str], proc: subprocess.Popen[str]) -> None:
    """Until the sequencer waits on the head lock (PostgreSQL shows it; SQLite's waiter sits in
    its busy handler, so give it time to get there)."""
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        time.sleep(3)
        return
    for _ in range(300):
        waiting = _sql(env, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'")
        if waiting[0][0]:
            return
        assert proc.poll() is None
        time.sleep(0.1)
    raise AssertionError("the sequencer never reached the log head")


def test_sequencer_killed_between_queueing_and_integration_loses_nothing(env: dict[str, str]) -> None:
    setup = _py(env, QUEUE, "300", "0")
    vote, queued = setup["vote"], setup["queued"]
    assert _log_size(env, vote) == 0  # accepted, queued, not yet in the log
    # 1. killed inside its first batch transaction, waiting on the log head
    lock = _HeadLock(env, vote)
    seq = _sequencer(env, "--batch", "40")
    try:
        _wait_blocked(env, seq)
        os.kill(seq.pid, signal.SIGKILL)
        assert seq.wait(timeout=10) == -signal.SIGKILL
    finally:
        lock.release()
    assert _log_size(env, vote) == 0
    assert _sql(env, "SELECT count(*) FROM voting_queuedballot WHERE vote_id = ? AND seq IS NULL", vote)[0][0] == 300
    # 2. killed while it works through the backlog in small batches
    seq = _sequencer(env, "--batch", "7", "--poll", "0.05")
    for _ in range(600):
        if _log_size(env, vote) > 0 or seq.poll() is not None:
            break
        time.sleep(0.01)
    os.kill(seq.pid, signal.SIGKILL)
    seq.wait(timeout=10)
    # 3. restarted: everything queued is integrated, in arrival order, and the log verifies
    restarted = _sequencer(env, "--once", "--batch", "50")
    _out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    _check_log(env, vote, queued)


def test_two_sequencers_never_integrate_the_same_ballots(env: dict[str, str]) -> None:
    setup = _py(env, QUEUE, "400", "0")
    vote, queued = setup["vote"], setup["queued"]
    procs = [_sequencer(env, "--once", "--batch", "9", "--poll", "0.01") for _ in range(2)]
    batches: list[tuple[int, int, int]] = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        batches += [(b["start"], b["size"], b["pid"]) for b in map(json.loads, out.splitlines()) if b["vote"] == vote]
    batches.sort()
    # the batches of both tile [0, 400) exactly: no index integrated twice, none skipped
    assert batches[0][0] == 0 and batches[-1][1] == 400
    assert all(a[1] == b[0] for a, b in itertools.pairwise(batches))
    _check_log(env, vote, queued)


def _cast_at_once(env: dict[str, str], vote: int, option: int, groups: list[list[int]]) -> list[list[Any]]:
    at = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", CAST, str(vote), str(option), str(at), ",".join(map(str, g))],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for g in groups]
    results: list[list[Any]] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results += json.loads(out.strip().splitlines()[-1])
    return results


def test_many_casting_processes_one_ballot_per_person(env: dict[str, str]) -> None:
    setup = _py(env, QUEUE, "0", "0")
    vote, option = setup["vote"], setup["options"][0]
    people = _py(env, PRELUDE + """
from smartseoul.accounts.models import User, Verification
n = User.objects.count()
users = User.objects.bulk_create([User(username=f"twice-{n + i}", verification=Verification.PHONE,
                                       phone_hash=f"{n + i:064x}") for i in range(13)])
print(json.dumps([u.pk for u in users]))
""")
    # 6 processes; each casts for the same person twice and for two people of its own
    twice = people[0]
    groups = [[twice, people[1 + 2 * i], twice, people[2 + 2 * i]] for i in range(6)]
    results = _cast_at_once(env, vote, option, groups)
    codes = [code for code, _seq in results]
    assert codes.count("ok") == 1 + 12  # the repeated person once, the twelve others once each
    assert codes.count("already_voted") == 11
    seqs = sorted(seq for code, seq in results if code == "ok")
    assert seqs == list(range(13))
    queued = [r[0] for r in _sql(env, "SELECT id FROM voting_queuedballot WHERE vote_id = ? ORDER BY id", vote)]
    _check_log(env, vote, queued, concurrent=True)


def test_many_casting_processes_change_a_ballot_in_arrival_order(env: dict[str, str]) -> None:
    setup = _py(env, QUEUE, "1", "1")
    vote, option, voter = setup["vote"], setup["options"][1], setup["voters"][0]
    run = _sequencer(env, "--once")
    run.communicate(timeout=60)
    results = _cast_at_once(env, vote, option, [[voter, voter] for _ in range(5)])
    assert [code for code, _ in results] == ["ok"] * 10
    assert all(results[k][1] < results[k + 1][1] for k in range(0, 10, 2))  # each process's two, in its order
    queued = [r[0] for r in _sql(env, "SELECT id FROM voting_queuedballot WHERE vote_id = ? ORDER BY id", vote)]
    _check_log(env, vote, queued, concurrent=True)
    current = _sql(env, "SELECT seq FROM voting_ballot WHERE vote_id = ? AND current = ?", vote, True)
    assert current == [(10,)]  # the last to arrive counts; each earlier one is superseded by the next
    chain = _sql(env, "SELECT seq, superseded_by FROM voting_ballot WHERE vote_id = ? ORDER BY seq", vote)
    assert chain == [(i, i + 1 if i < 10 else None) for i in range(11)]
