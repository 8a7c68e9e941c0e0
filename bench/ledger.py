"""Ballot-log verification benchmark.

Builds a 1,000,000-leaf ballot log in memory (canonical ballot leaves, a signed checkpoint every
10,000 leaves, a closed vote's published result), then measures in one run:
- the full verification rate (leaves/s) of `smartseoul ledger verify`'s verifier over it: every
  leaf parsed and checked (position, vote, nullifier, supersessions), every checkpoint's root,
  signature and consistency proof, and the re-tally against the published result;
- "hashing alone" on the same leaves: the SHA-256 leaf and node hashing of the whole tree, no
  parsing, no checks — the floor a verifier in this language pays.
Both also print the CPU seconds they took (the verifier's in all its processes) and the machine's
load, since a shared machine's wall-clock rate says little on its own.

The log is what an auditor holds after downloading it (the verifier's in-memory source); one
ballot in fifty changes an earlier ballot, so supersession chains are checked as well.

    .venv/bin/python bench/ledger.py             # 1,000,000 leaves
    .venv/bin/python bench/ledger.py --quick     # 50,000 leaves
The last line is one JSON object: {"bench", "metrics", "baselines", "targets", "ok"}.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"verify_leaves_per_s": 200_000}
CHECKPOINT_EVERY = 10_000
CHANGE_EVERY = 50


def build(leaves_n: int) -> Any:
    from rich.progress import Progress

    from smartseoul.lib import merkle
    from smartseoul.voting import ledger
    from smartseoul.voting.selectors import tally_ballots
    from smartseoul.voting.verify import MemorySource

    seed = hashlib.sha256(b"bench key").digest()
    name = "bench.smartseoul.local/log"
    vote_id = 1
    signer = merkle.Signer(name, seed)
    store = merkle.MemoryStore()
    leaves: list[str] = []
    notes: list[str] = []
    rng = random.Random(1)
    options = [{"id": i, "key": f"p{i}", "text": f"project {i}"} for i in range(1, 11)]
    current: dict[str, tuple[int, list[int]]] = {}
    with Progress(transient=True) as progress:
        task = progress.add_task(f"building a {leaves_n:,}-leaf log", total=leaves_n)
        for i in range(leaves_n):
            choices = sorted(rng.sample(range(1, 11), 3))
            voter = i - 1 if i % CHANGE_EVERY == CHANGE_EVERY - 1 else i  # a changed ballot now and then
            nullifier = hashlib.sha256(voter.to_bytes(8, "big")).hexdigest()
            previous = current.get(nullifier)
            leaf = ledger.canonical_json({
                "choices": choices, "district": "11110", "nullifier": nullifier, "seq": i,
                "supersedes": previous[0] if previous else None, "time": "2026-11-01T09:00:00.000Z", "vote": vote_id})
            current[nullifier] = (i, choices)
            leaves.append(leaf)
            store.append(leaf.encode())
            if (i + 1) % CHECKPOINT_EVERY == 0 or i + 1 == leaves_n:
                notes.append(signer.sign(merkle.Checkpoint(f"{name}/{vote_id}", i + 1, store.root())))
            if i % 20_000 == 0:
                progress.update(task, completed=i)
    results = tally_ballots("approval", [(o["id"], o["key"], o["text"]) for o in options],
                            ((c, "11110") for _, c in current.values()))
    results["log"] = {"size": leaves_n, "root": store.root().hex()}
    vote = {"id": vote_id, "ballot_type": "approval", "status": "closed", "options": options}
    return MemorySource(vote, str(signer.verifier), notes, leaves, store, results)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the verifier's hashing process)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--leaves", type=int, help="log size (default 1,000,000; 50,000 with --quick)")
    args = parser.parse_args()
    leaves_n = args.leaves or (50_000 if args.quick else 1_000_000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()
    from smartseoul.lib import merkle
    from smartseoul.voting.verify import verify_log

    print(f"Building a {leaves_n:,}-leaf log…", flush=True)
    source = build(leaves_n)
    gc.collect()
    print("Verifying it, then hashing it alone…", flush=True)
    cpu0 = _cpu()
    t0 = time.perf_counter()
    report = verify_log(source)
    verify_s = time.perf_counter() - t0
    verify_cpu = _cpu() - cpu0
    assert report.tally_checked and report.leaves == leaves_n, report
    # the floor of the same run: leaf and node hashes of the same leaves, no parsing, no checks
    gc.disable()
    cpu0 = _cpu()
    t0 = time.perf_counter()
    levels = merkle.tree_levels(merkle.leaf_hashes(source.leaf_texts))
    hash_s = time.perf_counter() - t0
    hash_cpu = _cpu() - cpu0
    gc.enable()
    assert merkle.root_from_levels(levels, leaves_n) == source.store.root()
    metrics = {"log_leaves": leaves_n, "checkpoints": report.checkpoints,
               "consistency_proofs": report.consistency_proofs, "current_ballots": report.current_ballots,
               "verify_s": round(verify_s, 3), "verify_leaves_per_s": round(leaves_n / verify_s),
               "verify_cpu_s": round(verify_cpu, 3)}
    baselines = {"hash_only_s": round(hash_s, 3), "hash_only_leaves_per_s": round(leaves_n / hash_s),
                 "hash_only_cpu_s": round(hash_cpu, 3)}
    print(f"verification {metrics['verify_leaves_per_s']:,} leaves/s ({verify_s:.2f} s, CPU {verify_cpu:.2f} s "
          f"in all processes) · hashing alone {baselines['hash_only_leaves_per_s']:,} leaves/s ({hash_s:.2f} s, "
          f"CPU {hash_cpu:.2f} s) · {report.checkpoints} checkpoints · {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    ok = metrics["verify_leaves_per_s"] >= TARGETS["verify_leaves_per_s"]
    if args.quick or leaves_n != 1_000_000:
        metrics["quick"] = True
    print(json.dumps({"bench": "ledger", "metrics": metrics, "baselines": baselines, "targets": TARGETS,
                      "ok": bool(ok)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
