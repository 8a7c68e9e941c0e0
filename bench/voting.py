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

TARGETS = {"ballots_per_s": 2000, "ratio_to_plain_insert": 0.5, "proof_ms_1m": 2.0, "verify_leaves_per_s": 200_000}


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


def engine_run(n: int, log_leaves: int) -> dict[str, Any]:
    """Runs inside a subprocess whose DATABASE_URL selects the engine."""
    from datetime import timedelta

    from django.db import connection, transaction
    from rich.progress import Progress

    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.core import clock
    from smartseoul.voting import ledger, selectors, services
    from smartseoul.voting.models import Ballot, LogNode, Vote

    owner = User.objects.create(username="bench-owner", role=Role.OFFICIAL, is_staff=True,
                                verification=Verification.PHONE)
    users = User.objects.bulk_create([
        User(username=f"bench-{i}", verification=Verification.PHONE, phone_hash=f"{i:064x}") for i in range(2 * n)
    ], batch_size=2000)
    now = clock.now()

    def new_vote() -> Vote:
        return services.vote_create(
            owner=owner, kind="policy", title="bench", options=[{"text": f"o{i}"} for i in range(4)],
            ballot_type="single", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1),
        )

    vote, plain_vote = new_vote(), new_vote()
    ids = list(vote.options.values_list("pk", flat=True))
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{connection.vendor}: casting", total=n)
        t0 = time.perf_counter()
        for i in range(n):
            services.ballot_cast(vote_id=vote.pk, voter=users[i], choices=[ids[i % 4]])
            if i % 500 == 0:
                progress.update(task, completed=i)
        cast_s = time.perf_counter() - t0
        # the same ballot rows inserted plainly, one transaction each (no log, no checks)
        rows = list(Ballot.objects.filter(vote=vote).order_by("seq").values(
            "seq", "nullifier", "choices", "district_code", "cast_at", "leaf", "tracker"))
        task2 = progress.add_task(f"{connection.vendor}: plain inserts", total=n)
        t0 = time.perf_counter()
        for i, row in enumerate(rows):
            with transaction.atomic():
                Ballot.objects.create(vote_id=plain_vote.pk, **{**row, "tracker": f"P{i:019d}"})
            if i % 500 == 0:
                progress.update(task2, completed=i)
        plain_s = time.perf_counter() - t0

    # inclusion proofs read from the node table of a log with `log_leaves` leaves
    from smartseoul.lib import merkle

    big = services.vote_create(
        owner=owner, kind="policy", title="bench-proofs", options=[{"text": "a"}, {"text": "b"}],
        ballot_type="single", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1),
    )
    store = merkle.MemoryStore()
    batch: list[LogNode] = []
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{connection.vendor}: storing a {log_leaves:,}-leaf tree", total=log_leaves)
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
    return {
        "engine": connection.vendor,
        "ballots": n,
        "ballots_per_s": round(n / cast_s, 1),
        "plain_inserts_per_s": round(n / plain_s, 1),
        "ratio_to_plain_insert": round(plain_s / cast_s, 3),
        "db_proof_ms": round(db_proof_ms, 3),
        "db_proof_leaves": log_leaves,
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
    n = 500 if args.quick else 5000
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
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env or dict(os.environ), cwd=ROOT)
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))

    metrics: dict[str, Any] = {}
    baselines: dict[str, Any] = {}
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    print("SQLite: casting through the service, then plain inserts…", flush=True)
    sq = sub("--engine-run", "sqlite", env=env)
    metrics.update({"sqlite_ballots_per_s": sq["ballots_per_s"],
                    "sqlite_ratio_to_plain_insert": sq["ratio_to_plain_insert"],
                    "sqlite_db_proof_ms": sq["db_proof_ms"], "db_proof_leaves": sq["db_proof_leaves"]})
    baselines["sqlite_plain_inserts_per_s"] = sq["plain_inserts_per_s"]
    ok = (sq["ballots_per_s"] >= TARGETS["ballots_per_s"]
          and sq["ratio_to_plain_insert"] >= TARGETS["ratio_to_plain_insert"])
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        bench_url = (os.environ.get("BENCH_DATABASE_URL")
                     or os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/ss_voting_bench")
        _ensure_pg_database(os.environ["DATABASE_URL"], bench_url)
        print("PostgreSQL: casting through the service, then plain inserts…", flush=True)
        pg = sub("--engine-run", "postgres", env={**os.environ, "DATABASE_URL": bench_url})
        metrics.update({"postgres_ballots_per_s": pg["ballots_per_s"],
                        "postgres_ratio_to_plain_insert": pg["ratio_to_plain_insert"],
                        "postgres_db_proof_ms": pg["db_proof_ms"]})
        baselines["postgres_plain_inserts_per_s"] = pg["plain_inserts_per_s"]
        ok = ok and pg["ballots_per_s"] >= TARGETS["ballots_per_s"] and \
            pg["ratio_to_plain_insert"] >= TARGETS["ratio_to_plain_insert"]
    print(f"Building and verifying a {log_leaves:,}-leaf log…", flush=True)
    lib = sub("--lib-run")
    metrics.update({"log_leaves": lib["log_leaves"], "proof_ms": lib["proof_ms"],
                    "proof_verify_ms": lib["proof_verify_ms"],
                    "verify_leaves_per_s": lib["verify_leaves_per_s"]})
    baselines["hash_only_leaves_per_s"] = lib["hash_only_leaves_per_s"]
    ok = (ok and lib["proof_ms"] < TARGETS["proof_ms_1m"]
          and metrics.get("sqlite_db_proof_ms", 0) < TARGETS["proof_ms_1m"])
    ok = ok and lib["verify_leaves_per_s"] >= TARGETS["verify_leaves_per_s"]
    if args.quick:
        metrics["quick"] = True
    print(json.dumps({"bench": "voting", "metrics": metrics, "baselines": baselines, "targets": TARGETS,
                      "ok": bool(ok)}))
    return 0


def _ensure_pg_database(admin_url: str, bench_url: str) -> None:
    import psycopg

    name = bench_url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
