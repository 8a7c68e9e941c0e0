"""Ballot log benchmark.

Measures, in one run:
- ballots per second through `voting.services.ballot_cast` (eligibility, nullifier, one leaf
  appended to the Merkle log, nodes stored, head updated, receipt signed), next to plain
  inserts of the same ballot rows (one transaction each) — on SQLite, and on PostgreSQL when
  DATABASE_URL is set (each engine in its own subprocess);
- inclusion-proof time in a 1,000,000-leaf log (in memory through lib/merkle, and from the
  database's node table through the selector);
- full verification rate (leaves/s) of a 1,000,000-leaf log by the `ledger verify` verifier
  (roots at every checkpoint, signatures, consistency proofs, leaf checks, re-tally).

Usage: .venv/bin/python bench/voting.py [--quick]
The last line is one JSON object: {"bench", "metrics", "baselines", "targets", "ok"}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"postgres_ballots_per_s": 2000, "ratio_to_plain_insert": 1.0, "http_ratio_to_healthz": 0.5,
           "cast_to_proof_p99_ms": 2000, "proof_ms_1m": 2.0, "verify_leaves_per_s": 200_000}
ENGINE_FIGURES = ("ballots_per_s", "ratio_to_plain_insert", "cast_to_proof_p50_ms", "cast_to_proof_p99_ms",
                  "log_size", "published_checkpoints", "http_ballots_per_s", "http_cast_p99_ms", "http_non2xx",
                  "http_healthz_per_s", "http_ratio_to_healthz", "db_proof_ms")


def engine_ok(prefix: str, r: dict[str, Any]) -> dict[str, bool]:
    flags = {
        f"{prefix}_ratio_to_plain_insert": r["ratio_to_plain_insert"] >= TARGETS["ratio_to_plain_insert"],
        f"{prefix}_http_ratio_to_healthz": r["http_ratio_to_healthz"] >= TARGETS["http_ratio_to_healthz"],
        f"{prefix}_cast_to_proof_p99_ms": r["cast_to_proof_p99_ms"] <= TARGETS["cast_to_proof_p99_ms"],
    }
    if prefix == "postgres":
        flags["postgres_ballots_per_s"] = r["ballots_per_s"] >= TARGETS["postgres_ballots_per_s"]
    return flags


def print_engine(prefix: str, r: dict[str, Any], flags: dict[str, bool]) -> None:
    print(f"{prefix}: {r['ballots_per_s']:,.0f} ballots/s through the service by {r['casters']} casting processes "
          f"(plain single-row inserts by {r['casters']} connections {r['plain_inserts_per_s']:,.0f}/s, ratio "
          f"{r['ratio_to_plain_insert']}); cast → proof in hand p50 {r['cast_to_proof_p50_ms']} ms, p99 "
          f"{r['cast_to_proof_p99_ms']} ms; HTTP {r['http_ballots_per_s']:,.0f} ballots/s (p99 "
          f"{r['http_cast_p99_ms']} ms, {r['http_non2xx']} refused) vs /healthz {r['http_healthz_per_s']:,.0f}/s "
          f"(ratio {r['http_ratio_to_healthz']})", flush=True)
    print("  " + ", ".join(f"{k} {'ok' if v else 'NOT MET'}" for k, v in flags.items()), flush=True)


def _setup_django(database_url: str | None) -> None:
    data_dir = tempfile.mkdtemp(prefix="bench-voting-")
    os.environ["SMARTSEOUL_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    os.environ["DEBUG"] = "0"
    os.environ["SMARTSEOUL_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _reset_postgres(url: str) -> None:
    """A fresh schema in the bench's own database (never the developer's)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


CASTERS = 16


def _cast_slice(args: tuple[int, list[int], list[int], float]) -> list[tuple[float, float]]:
    """One caster process: casts for its voters one after another through the service; returns
    (start, receipt in hand) times of each ballot."""
    from smartseoul.accounts.models import User
    from smartseoul.voting import services

    vote_id, voter_ids, options, at = args
    voters = list(User.objects.filter(pk__in=voter_ids).order_by("pk"))
    services.vote_rules(vote_id)
    _wait_until(at)
    times = []
    for i, voter in enumerate(voters):
        t0 = time.time()
        receipt = services.ballot_cast(vote_id=vote_id, voter=voter, choices=[options[i % len(options)]])
        assert receipt.inclusion_proof is not None and receipt.checkpoint
        times.append((t0, time.time()))
    return times


def _insert_slice(args: tuple[list[dict[str, Any]], float]) -> float:
    """One plain-insert connection: the same ballot rows, one row per transaction."""
    from django.db import transaction

    from smartseoul.voting.models import Ballot

    rows, at = args
    _wait_until(at)
    for row in rows:
        with transaction.atomic():
            Ballot.objects.create(**row)
    return time.time()


def _wait_until(at: float) -> None:
    while time.time() < at:
        time.sleep(0.001)


def _pool_run(fn: Any, jobs: list[Any]) -> list[Any]:
    """Runs jobs in CASTERS forked processes (each opens its own database connection)."""
    import multiprocessing

    from smartseoul.core.db import close_before_fork

    close_before_fork()
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return pool.map(fn, jobs)


def engine_run(n: int, log_leaves: int) -> dict[str, Any]:
    """Runs inside a subprocess whose DATABASE_URL selects the engine."""
    from datetime import timedelta

    from django.db import connection
    from rich.progress import Progress

    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.core import clock
    from smartseoul.voting import ledger, selectors, services
    from smartseoul.voting.models import Ballot, LogNode, Vote

    owner = User.objects.create(username="bench-owner", role=Role.OFFICIAL, is_staff=True,
                                verification=Verification.PHONE)
    users = User.objects.bulk_create([
        User(username=f"bench-{i}", verification=Verification.PHONE, phone_hash=f"{i:064x}") for i in range(n)
    ], batch_size=2000)
    now = clock.now()

    def new_vote() -> Vote:
        return services.vote_create(
            owner=owner, kind="policy", title="bench", options=[{"text": f"o{i}"} for i in range(4)],
            ballot_type="single", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1),
        )

    vote, plain_vote = new_vote(), new_vote()
    ids = list(vote.options.values_list("pk", flat=True))
    vendor = connection.vendor
    print(f"{vendor}: {n} ballots by {CASTERS} casting processes…", file=sys.stderr, flush=True)
    at = time.time() + 2
    slices = [[u.pk for u in users[k::CASTERS]] for k in range(CASTERS)]
    timings = [t for part in _pool_run(_cast_slice, [(vote.pk, s, ids, at) for s in slices]) for t in part]
    cast_s = max(end for _start, end in timings) - at
    latencies = sorted(end - start for start, end in timings)
    # the same ballot rows inserted plainly by 16 connections, one transaction each (no log, no checks)
    rows = list(Ballot.objects.filter(vote=vote).order_by("seq").values(
        "seq", "nullifier", "choices", "district_code", "cast_at", "leaf", "tracker"))
    rows = [{**r, "vote_id": plain_vote.pk, "tracker": f"P{i:019d}"} for i, r in enumerate(rows)]
    print(f"{vendor}: the same rows as plain inserts by {CASTERS} connections…", file=sys.stderr, flush=True)
    at = time.time() + 2
    plain_s = max(_pool_run(_insert_slice, [(rows[k::CASTERS], at) for k in range(CASTERS)])) - at
    services.vote_close(vote_id=vote.pk, actor=owner)
    from smartseoul.voting.verify import LocalSource, verify_log

    report = verify_log(LocalSource(vote.pk))
    assert report.leaves == n and report.tally_checked, report
    batches = Vote.objects.filter(pk=vote.pk).values_list("log_size", flat=True).first()
    http = http_run(owner, n)

    # inclusion proofs read from the node table of a log with `log_leaves` leaves
    from smartseoul.lib import merkle

    big = services.vote_create(
        owner=owner, kind="policy", title="bench-proofs", options=[{"text": "a"}, {"text": "b"}],
        ballot_type="single", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1),
    )
    store = merkle.MemoryStore()
    batch: list[LogNode] = []
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{vendor}: storing a {log_leaves:,}-leaf tree", total=log_leaves)
        for i in range(log_leaves):
            appended = store.append_hash(hashlib.sha256(i.to_bytes(8, "big")).digest())
            batch.extend(LogNode(tree_id=big.pk, level=lv, index=ix, hash=h) for lv, ix, h in appended.nodes)
            if len(batch) >= 20_000:
                LogNode.objects.bulk_create(batch, batch_size=5000)
                batch.clear()
                progress.update(task, completed=i)
        LogNode.objects.bulk_create(batch, batch_size=5000)
    Vote.objects.filter(pk=big.pk).update(log_size=log_leaves)
    rng = random.Random(7)
    samples = [rng.randrange(log_leaves) for _ in range(200)]
    t0 = time.perf_counter()
    for idx in samples:
        proof = selectors.inclusion_proof(big.pk, idx, log_leaves)
    db_proof_ms = (time.perf_counter() - t0) * 1000 / len(samples)
    merkle.verify_inclusion(store.get_node(0, samples[-1]), samples[-1], log_leaves, proof, store.root())
    ledger.sign(big.pk, log_leaves, store.root())
    from smartseoul.voting.models import Checkpoint

    return {
        "engine": vendor,
        "ballots": n,
        "casters": CASTERS,
        "ballots_per_s": round(n / cast_s, 1),
        "plain_inserts_per_s": round(n / plain_s, 1),
        "ratio_to_plain_insert": round(plain_s / cast_s, 3),
        "cast_to_proof_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "cast_to_proof_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "log_size": batches,
        "published_checkpoints": Checkpoint.objects.filter(vote=vote).count(),
        **http,
        "db_proof_ms": round(db_proof_ms, 3),
        "db_proof_leaves": log_leaves,
    }


WRK_CAST = """
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  keys = {}
  for line in io.lines("%(keys)s") do keys[#keys + 1] = line end
  step = %(threads)d
  i = offset
end
function request()
  i = i + step
  local key = keys[i]
  if key == nil then key = keys[1] end
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/json", ["X-CSRFToken"] = "%(token)s",
    ["Cookie"] = "sessionid=" .. key .. "; csrftoken=%(token)s"}, '{"choices": [%(option)d]}')
end
"""


def http_run(owner: Any, n: int) -> dict[str, Any]:
    """Casting through the shipped server (`smartseoul serve`) driven by wrk, each request a
    different person (pre-created sessions, one per request), next to /healthz of the same server."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from smartseoul.accounts.models import User, Verification
    from smartseoul.core import clock
    from smartseoul.voting import services

    sys.path.insert(0, str(ROOT / "bench"))
    from _http import Server, require_wrk, wrk

    require_wrk()
    seconds = 5 if n < 2000 else 10
    people = 8000 if n < 2000 else 30000
    now = clock.now()
    vote = services.vote_create(
        owner=owner, kind="policy", title="bench-http", options=[{"text": "a"}, {"text": "b"}],
        ballot_type="single", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1),
    )
    base = User.objects.count() + 10
    users = User.objects.bulk_create([
        User(username=f"http-{base + i}", verification=Verification.PHONE, phone_hash=f"{base + i:064x}")
        for i in range(people)
    ], batch_size=2000)
    store = SessionStore()
    expire = now + timedelta(days=1)
    sessions = []
    for u in users:
        key = f"bench{u.pk:027d}"
        data = {"_auth_user_id": str(u.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": u.get_session_auth_hash()}
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    Session.objects.bulk_create(sessions, batch_size=2000)
    keys_file = Path(settings.DATA_DIR) / "bench-sessions.txt"
    keys_file.write_text("\n".join(s.session_key for s in sessions) + "\n")
    option = vote.options.values_list("pk", flat=True).first()
    from django.db import connections

    connections.close_all()
    script = WRK_CAST % {"keys": keys_file, "threads": 2, "path": f"/api/v1/voting/votes/{vote.pk}/ballots",
                         "token": "a" * 32, "option": option}
    print(f"{connections['default'].vendor}: HTTP through smartseoul serve (wrk)…", file=sys.stderr, flush=True)
    with Server(settings.DATA_DIR, workers=2) as srv:
        health = wrk(srv.url + "/healthz", seconds=seconds)
        cast = wrk(srv.url + "/", script=script, seconds=seconds)
    return {
        "http_ballots_per_s": round(cast.rate, 1), "http_cast_p99_ms": round(cast.p99_ms, 1),
        "http_non2xx": cast.non2xx, "http_errors": cast.errors, "http_healthz_per_s": round(health.rate, 1),
        "http_ratio_to_healthz": round(cast.rate / health.rate, 3) if health.rate else 0.0,
    }


class MemorySource:
    """A LogSource over an in-memory log: what an auditor holds after downloading."""

    def __init__(self, vote_id: int, leaves: list[str], store: Any, notes: list[str], key: str,
                 options: list[dict[str, Any]], results: dict[str, Any]) -> None:
        self.vote_id, self._leaves, self.store, self.notes, self.key = vote_id, leaves, store, notes, key
        self.options, self._results = options, results

    def vote(self) -> dict[str, Any]:
        return {"id": self.vote_id, "ballot_type": "approval", "status": "closed", "options": self.options}

    def verifier_key(self) -> str:
        return self.key

    def checkpoints(self) -> list[str]:
        return self.notes

    def leaves(self) -> Any:
        return enumerate(self._leaves)

    def consistency(self, first: int, second: int) -> list[bytes]:
        from smartseoul.lib import merkle

        return merkle.consistency_proof(first, second, self.store.get_node)

    def subtree(self, start: int, end: int) -> bytes:
        from smartseoul.lib import merkle

        return merkle.fold([self.store.get_node(lv, ix) for lv, ix in merkle.subtree_coords(start, end)])

    def results(self) -> dict[str, Any]:
        return self._results


def lib_run(leaves_n: int) -> dict[str, Any]:
    """Proof time and verification rate on a log of `leaves_n` leaves (no database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()
    from rich.progress import Progress

    from smartseoul.lib import merkle
    from smartseoul.voting import ledger
    from smartseoul.voting.selectors import tally_ballots
    from smartseoul.voting.verify import verify_log

    seed = hashlib.sha256(b"bench key").digest()
    name = "bench.smartseoul.local/log"
    vote_id = 1
    origin = f"{name}/{vote_id}"
    store = merkle.MemoryStore()
    leaves: list[str] = []
    notes: list[str] = []
    rng = random.Random(1)
    options = [{"id": i, "key": f"p{i}", "text": f"project {i}"} for i in range(1, 11)]
    choices_all = []
    with Progress(transient=True) as progress:
        task = progress.add_task(f"building a {leaves_n:,}-leaf log", total=leaves_n)
        for i in range(leaves_n):
            choices = sorted(rng.sample(range(1, 11), 3))
            choices_all.append(choices)
            leaf = ledger.canonical_json({
                "choices": choices, "district": "11110", "nullifier": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
                "seq": i, "supersedes": None, "time": "2026-11-01T09:00:00.000Z", "vote": vote_id})
            leaves.append(leaf)
            store.append(leaf.encode())
            if (i + 1) % 10_000 == 0 or i + 1 == leaves_n:
                cp = merkle.Checkpoint(origin, i + 1, merkle.root_from_frontier(store.frontier))
                notes.append(merkle.sign_checkpoint(cp, name=name, seed=seed))
            if i % 20_000 == 0:
                progress.update(task, completed=i)
    rng2 = random.Random(3)
    samples = [rng2.randrange(leaves_n) for _ in range(2000)]
    t0 = time.perf_counter()
    for idx in samples:
        merkle.inclusion_proof(idx, leaves_n, store.get_node)
    proof_ms = (time.perf_counter() - t0) * 1000 / len(samples)
    root = merkle.root_from_frontier(store.frontier)
    t0 = time.perf_counter()
    for idx in samples[:500]:
        merkle.verify_inclusion(store.get_node(0, idx), idx, leaves_n, merkle.inclusion_proof(idx, leaves_n,
                                                                                              store.get_node), root)
    verify_proof_ms = (time.perf_counter() - t0) * 1000 / 500 - proof_ms
    results = tally_ballots("approval", [(o["id"], o["key"], o["text"]) for o in options],
                            ((c, "11110") for c in choices_all))
    results["log"] = {"size": leaves_n, "root": root.hex()}
    source = MemorySource(vote_id, leaves, store, notes, str(merkle.verifier_key(name, seed)), options, results)
    t0 = time.perf_counter()
    report = verify_log(source)
    verify_s = time.perf_counter() - t0
    assert report.tally_checked and report.leaves == leaves_n
    # the plain baseline of the same run: SHA-256 over the leaf bytes alone (no tree, no checks)
    t0 = time.perf_counter()
    for leaf in leaves:
        hashlib.sha256(b"\x00" + leaf.encode()).digest()
    hash_only_s = time.perf_counter() - t0
    return {
        "log_leaves": leaves_n,
        "proof_ms": round(proof_ms, 4),
        "proof_verify_ms": round(max(verify_proof_ms, 0.0), 4),
        "verify_leaves_per_s": round(leaves_n / verify_s, 0),
        "hash_only_leaves_per_s": round(leaves_n / hash_only_s, 0),
        "checkpoints_verified": report.checkpoints,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--engine-run", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--lib-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = 800 if args.quick else 8000
    log_leaves = 20_000 if args.quick else 1_000_000
    if args.engine_run:
        url = os.environ.get("DATABASE_URL") if args.engine_run == "postgres" else None
        if url:
            _reset_postgres(url)
        _setup_django(url)
        print(json.dumps(engine_run(n, log_leaves)))
        return 0
    if args.lib_run:
        print(json.dumps(lib_run(log_leaves)))
        return 0

    def sub(*extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        cmd = [sys.executable, __file__, *(["--quick"] if args.quick else []), *extra]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env or dict(os.environ), cwd=ROOT)
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))

    metrics: dict[str, Any] = {}
    baselines: dict[str, Any] = {}
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    print("SQLite: casting through the service, then plain inserts…", flush=True)
    sq = sub("--engine-run", "sqlite", env=env)
    flags = engine_ok("sqlite", sq)
    print_engine("SQLite", sq, flags)
    metrics.update({f"sqlite_{k}": sq[k] for k in ENGINE_FIGURES})
    metrics["db_proof_leaves"] = sq["db_proof_leaves"]
    baselines["sqlite_plain_inserts_per_s"] = sq["plain_inserts_per_s"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from _http import fresh_postgres

        bench_url = os.environ.get("BENCH_DATABASE_URL") or fresh_postgres(os.environ["DATABASE_URL"],
                                                                            "ss_voting_bench")
        print("PostgreSQL: casting through the service, then plain inserts…", flush=True)
        pg = sub("--engine-run", "postgres", env={**os.environ, "DATABASE_URL": bench_url})
        pg_flags = engine_ok("postgres", pg)
        print_engine("PostgreSQL", pg, pg_flags)
        flags.update(pg_flags)
        metrics.update({f"postgres_{k}": pg[k] for k in ENGINE_FIGURES})
        baselines["postgres_plain_inserts_per_s"] = pg["plain_inserts_per_s"]
    else:
        print("PostgreSQL: skipped (set DATABASE_URL=postgres://… to run it)", flush=True)
        flags["postgres_ballots_per_s"] = False
    ok = all(flags.values())
    print(f"Building and verifying a {log_leaves:,}-leaf log…", flush=True)
    lib = sub("--lib-run")
    metrics.update({"log_leaves": lib["log_leaves"], "proof_ms": lib["proof_ms"],
                    "proof_verify_ms": lib["proof_verify_ms"],
                    "verify_leaves_per_s": lib["verify_leaves_per_s"]})
    baselines["hash_only_leaves_per_s"] = lib["hash_only_leaves_per_s"]
    flags["proof_ms_1m"] = lib["proof_ms"] < TARGETS["proof_ms_1m"] and \
        metrics.get("sqlite_db_proof_ms", 0) < TARGETS["proof_ms_1m"]
    flags["verify_leaves_per_s"] = lib["verify_leaves_per_s"] >= TARGETS["verify_leaves_per_s"]
    print(f"proof {lib['proof_ms']} ms in memory, {metrics['sqlite_db_proof_ms']} ms from SQLite's node table; "
          f"verification {lib['verify_leaves_per_s']:,.0f} leaves/s (hashing alone "
          f"{lib['hash_only_leaves_per_s']:,.0f}/s)", flush=True)
    ok = all(flags.values())
    if args.quick:
        metrics["quick"] = True
    print(json.dumps({"bench": "voting", "metrics": metrics, "baselines": baselines, "targets": TARGETS,
                      "flags": flags, "ok": bool(ok)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
