"""Democracy Seoul benchmark.

Measures, in one run (SQLite in a temporary directory, or DATABASE_URL):
- supports per second through `democracy.services.support_add` (verification check, row lock on
  the proposal, unique support row, counter, follow, ladder check with its notifications when the
  department threshold is crossed), next to plain inserts of the same support rows (one
  transaction each) — the baseline;
- the daily ladder run (`services.ladder_tick`) over a city's worth of proposals, with a share of
  them expiring, closing their forum or owed a reminder, next to a plain scan of the same rows;
- the public "answers by department" tracking and the first page of the proposal list, with
  tens of thousands of proposals stored.

Usage: .venv/bin/python bench/democracy.py [--quick]
The last line is one JSON object: {"bench", "metrics", "baselines", "targets", "ok"}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "supports_per_s": 100,  # Seoul's busiest proposals gather thousands a day; 100/s is 8.6 million a day
    "support_p95_ms": 50,
    # five statements under a row lock (lock, duplicate check, insert, counter, follow) against one
    # bare insert: at most 20x its cost
    "ratio_to_plain_insert": 0.05,
    "tick_s": 30.0,  # the daily run over the full set finishes well inside a minute
    "tracking_ms": 300,
    "list_page_ms": 100,
}


def _setup_django() -> None:
    os.environ["SMARTSEOUL_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-democracy-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    os.environ["DEBUG"] = "0"
    os.environ["SMARTSEOUL_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:  # the bench's own database only
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def run(n_supports: int, n_proposals: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from rich.console import Console
    from rich.progress import Progress

    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.core import clock
    from smartseoul.core.demo import load_core_demo
    from smartseoul.democracy import selectors, services
    from smartseoul.democracy.models import Proposal, Stage, Support

    console = Console(stderr=True)
    load_core_demo()
    rng = random.Random(2026)
    author = User.objects.create(username="bench-author", verification=Verification.PHONE)
    official = User.objects.create(username="bench-official", role=Role.OFFICIAL, is_staff=True)
    users = User.objects.bulk_create(
        [User(username=f"bench-{i}", verification=Verification.PHONE) for i in range(2 * n_supports)],
        batch_size=2000,
    )
    users = list(User.objects.filter(username__startswith="bench-").exclude(pk__in=[author.pk, official.pk]))

    # --- supports through the service, and plain inserts of the same rows --------------------------
    target = services.proposal_create(
        author=author,
        title="벤치마크 제안입니다",
        problem="공감 처리량을 잽니다.",
        solution="서비스 경로 그대로 잽니다.",
        category="welfare",
        district_code="11110",
    )
    plain = services.proposal_create(
        author=author,
        title="기준선 제안입니다",
        problem="순수 삽입 속도를 잽니다.",
        solution="같은 행을 한 건씩 넣습니다.",
        category="welfare",
        district_code="11110",
    )
    from django.urls import reverse

    reverse("democracy:index")  # loads the URLconf (every module) once, outside the measurement
    services.support_add(proposal_id=target.pk, user=users[-1])  # warms translations and caches
    services.support_withdraw(proposal_id=target.pk, user=users[-1])
    latencies: list[float] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("supports through the service", total=n_supports)
        for u in users[:n_supports]:
            t = time.perf_counter()
            services.support_add(proposal_id=target.pk, user=u)
            latencies.append(time.perf_counter() - t)
            progress.advance(task)
        service_s = sum(latencies)
        task = progress.add_task("plain inserts", total=n_supports)
        now = clock.now()
        t0 = time.perf_counter()
        for u in users[n_supports : 2 * n_supports]:
            with transaction.atomic():
                Support.objects.create(proposal=plain, user=u, created_at=now)
            progress.advance(task)
        plain_s = time.perf_counter() - t0
    target.refresh_from_db()
    assert target.support_count == n_supports and target.stage == Stage.DEPARTMENT_ANSWER_DUE

    # --- a city's worth of proposals, then the daily run -----------------------------------------------
    now = clock.now()
    districts = list(selectors.core_selectors.districts())
    rows = []
    for i in range(n_proposals):  # a year of proposals: most are history, the last month is live
        created = now - timedelta(days=rng.uniform(0, 365))
        stage = Stage.DELIBERATION
        extra: dict[str, Any] = {}
        kind = rng.random()
        if created + timedelta(days=31) < now:
            stage = rng.choice([Stage.EXPIRED, Stage.EXPIRED, Stage.EXPIRED, Stage.CLOSED, Stage.ADOPTED])
            extra = {"closed_at": created + timedelta(days=30)}
        elif kind < 0.15:
            stage, extra = Stage.DEPARTMENT_ANSWER_DUE, {"answer_due_at": now + timedelta(days=rng.randint(-10, 10))}
        elif kind < 0.18:
            stage = Stage.FORUM
            extra = {
                "forum_opened_at": created,
                "forum_closes_at": now + timedelta(days=rng.randint(-3, 20)),
                "forum_participants": rng.randint(0, 1500),
            }
        d = rng.choice(districts)
        rows.append(
            Proposal(
                author=author,
                title=f"제안 {i}",
                problem="문제",
                solution="해결",
                category="welfare",
                district=d,
                stage=stage,
                created_at=created,
                updated_at=created,
                stage_changed_at=created,
                support_deadline=created + timedelta(days=30),
                support_count=rng.randint(0, 120),
                department=target.department,
                **extra,
            )
        )
    with console.status(f"storing {n_proposals} proposals"):
        Proposal.objects.bulk_create(rows, batch_size=2000)
    due = Proposal.objects.filter(stage=Stage.DELIBERATION, support_deadline__lte=now).count()
    t0 = time.perf_counter()
    list(
        Proposal.objects.filter(stage__in=[Stage.DELIBERATION, Stage.FORUM, Stage.DEPARTMENT_ANSWER_DUE]).values_list(
            "pk", "stage", "support_deadline", "forum_closes_at", "answer_due_at"
        )
    )
    scan_s = time.perf_counter() - t0
    with console.status("daily ladder run"):
        t0 = time.perf_counter()
        counts = services.ladder_tick()
        tick_s = time.perf_counter() - t0
    assert counts["expired"] == due

    def timed(fn: Any, repeat: int = 5) -> float:
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        return best

    tracking_s = timed(selectors.answer_tracking)
    list_s = timed(lambda: list(selectors.proposals_public(stage="open", order="support")[:20]))
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else max(latencies)
    return {
        "engine": connection.vendor,
        "supports": n_supports,
        "proposals": n_proposals,
        "supports_per_s": round(n_supports / service_s, 1),
        "support_p95_ms": round(p95 * 1000, 2),
        "plain_inserts_per_s": round(n_supports / plain_s, 1),
        "tick_s": round(tick_s, 3),
        "tick_changes": counts,
        "scan_s": round(scan_s, 4),
        "tracking_ms": round(tracking_s * 1000, 2),
        "list_page_ms": round(list_s * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    n_supports, n_proposals = (300, 3_000) if args.quick else (3_000, 50_000)
    _setup_django()
    m = run(n_supports, n_proposals)
    ratio = m["supports_per_s"] / m["plain_inserts_per_s"]
    metrics = {k: m[k] for k in ("supports_per_s", "support_p95_ms", "tick_s", "tracking_ms", "list_page_ms")}
    metrics["ratio_to_plain_insert"] = round(ratio, 3)
    metrics["tick_changes"] = m["tick_changes"]
    ok = (
        m["supports_per_s"] >= TARGETS["supports_per_s"]
        and m["support_p95_ms"] <= TARGETS["support_p95_ms"]
        and ratio >= TARGETS["ratio_to_plain_insert"]
        and m["tick_s"] <= TARGETS["tick_s"]
        and m["tracking_ms"] <= TARGETS["tracking_ms"]
        and m["list_page_ms"] <= TARGETS["list_page_ms"]
    )
    report = {
        "bench": "democracy",
        "metrics": {**metrics, "engine": m["engine"], "supports": m["supports"], "proposals": m["proposals"]},
        "baselines": {"plain_inserts_per_s": m["plain_inserts_per_s"], "scan_s": m["scan_s"]},
        "targets": TARGETS,
        "ok": ok,
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
