"""Participatory budget benchmark: tally and allocate 300 projects × 200,000 approval ballots with
the platform's greedy and MES (with completion), next to pabutools called directly on the same
instance in the same run, and check that both give the same winners.

The 200,000 ballots are a generated profile (lists of project codes, the shape the budget module
reads from `voting.selectors.current_ballots`); both sides start from the same lists. A second,
smaller part runs the real service path: ballots cast through `voting`, then the envelope
allocated from the voting selectors (SQLite in a temporary directory, or DATABASE_URL).

    .venv/bin/python bench/budget.py            # full size
    .venv/bin/python bench/budget.py --quick    # smoke run (< 60 s)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
console = Console(stderr=True)


def generate(n_projects: int, n_voters: int, seed: int = 2026) -> tuple[list[str], list[int], int, list[list[str]]]:
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in range(n_projects)]
    costs = (rng.integers(5, 300, n_projects) * 10_000_000).tolist()
    popularity = rng.pareto(1.2, n_projects) + 0.1
    popularity = popularity / popularity.sum()
    budget = int(sum(costs) // 8)
    sizes = rng.integers(1, 11, n_voters)
    ballots = [[ids[j] for j in rng.choice(n_projects, size=int(k), replace=False, p=popularity)] for k in sizes]
    return ids, costs, budget, ballots


def platform(rule: str, ids: list[str], costs: list[int], budget: int, ballots: list[list[str]]) -> tuple[float, Any]:
    from smartseoul.lib import allocation as A

    t = time.perf_counter()
    profile = A.ApprovalProfile.from_ballots(ballots, ids)  # the tally
    votes = profile.votes()
    cands = [A.Candidate(p, c, votes[p], submitted=i) for i, (p, c) in enumerate(zip(ids, costs, strict=True))]
    result = A.allocate(rule, cands, budget, profile=profile)
    return time.perf_counter() - t, result


def direct(rule: str, ids: list[str], costs: list[int], budget: int,
           ballots: list[list[str]]) -> tuple[float, float, set[str]]:
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares

    from smartseoul.lib import allocation as A

    t = time.perf_counter()
    projects = {p: Project(p, c) for p, c in zip(ids, costs, strict=True)}
    inst = Instance(projects.values(), budget_limit=budget)
    prof = ApprovalProfile([ApprovalBallot([projects[x] for x in b]) for b in ballots], instance=inst)
    build = time.perf_counter() - t
    votes = {p: 0 for p in ids}
    for b in ballots:
        for p in b:
            votes[p] += 1
    tb = A.pabutools_tie_breaking([A.Candidate(p, c, votes[p], submitted=i)
                                   for i, (p, c) in enumerate(zip(ids, costs, strict=True))])
    params = {"sat_class": Cost_Sat, "tie_breaking": tb}
    t = time.perf_counter()
    if rule == "greedy":
        out = greedy_utilitarian_welfare(inst, prof, **params)
    else:
        out = completion_by_rule_combination(inst, prof, [method_of_equal_shares, greedy_utilitarian_welfare],
                                             [params, params])
    return build, time.perf_counter() - t, {p.name for p in out}


def service_path(n_ballots: int) -> dict[str, float]:
    """Ballots cast through voting; the envelope allocated from the voting selectors."""
    tmp = tempfile.mkdtemp(prefix="bench-budget-")
    os.environ["SMARTSEOUL_DATA_DIR"] = tmp  # never the city's own data directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command

    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.budget import services
    from smartseoul.budget.models import AllocationRun
    from smartseoul.core import clock
    from smartseoul.core.demo import load_core_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_core_demo()

    def user(name: str, role: str = Role.CITIZEN) -> User:
        u = User.objects.create(username=name, role=role, verification=Verification.REAL_NAME)
        return u

    admin = user(f"bench-admin-{time.time_ns()}", Role.CITY_ADMIN)
    now = clock.now()
    dates = services.CycleDates(now - timedelta(days=50), now - timedelta(days=40), now - timedelta(days=30),
                                now - timedelta(days=20), now - timedelta(days=10), now + timedelta(days=10))
    cycle = services.cycle_create(actor=admin, slug=f"bench-{time.time_ns()}", year=2026, name_ko="bench",
                                  total_amount=10**12, dates=dates, rule="mes")
    services.envelope_create(actor=admin, cycle_id=cycle.pk, kind="citywide", amount=5_000_000_000, name_ko="bench")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="submission")
    rng = np.random.default_rng(7)
    projects = [services.project_submit(user=admin, cycle_id=cycle.pk, proposal_type="broad", title=f"Bench {i}",
                                        summary="A generated bench project",
                                        requested_cost=int(rng.integers(5, 300)) * 10_000_000) for i in range(30)]
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="review")
    for p in projects:
        services.project_review(actor=admin, project_id=p.pk, feasible=True, cost=p.requested_cost)
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="deliberation")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="vote")
    env = cycle.envelopes.get()
    codes = [p.code for p in projects]
    t = time.perf_counter()
    for i in range(n_ballots):
        voter = user(f"bench-voter-{cycle.pk}-{i}")
        k = int(rng.integers(1, 6))
        choice = [str(c) for c in rng.choice(codes, size=k, replace=False)]
        services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=choice)
    cast = time.perf_counter() - t
    from smartseoul.budget.services import _allocate, envelope_tally

    t = time.perf_counter()
    tally = envelope_tally(env)
    tally_s = time.perf_counter() - t
    cycle.refresh_from_db()
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="allocation")
    run = AllocationRun.objects.get(envelope=env, is_current=True)
    t = time.perf_counter()
    _allocate(env, admin)
    allocate_s = time.perf_counter() - t
    assert tally.voters == n_ballots == run.voters
    return {"service_ballots": n_ballots, "service_cast_per_s": round(n_ballots / cast, 1),
            "service_tally_s": round(tally_s, 3), "service_tally_allocate_s": round(allocate_s, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--projects", type=int)
    parser.add_argument("--voters", type=int)
    parser.add_argument("--no-service", action="store_true", help="skip the part through the voting module")
    args = parser.parse_args()
    n_projects = args.projects or (100 if args.quick else 300)
    n_voters = args.voters or (5_000 if args.quick else 200_000)
    with console.status(f"generating {n_voters:,} approval ballots over {n_projects} projects"):
        ids, costs, budget, ballots = generate(n_projects, n_voters)
    metrics: dict[str, Any] = {"projects": n_projects, "ballots": n_voters, "budget": budget}
    baselines: dict[str, Any] = {}
    same = True
    for rule in ("greedy", "mes"):
        with console.status(f"platform {rule}"):
            took, result = platform(rule, ids, costs, budget, ballots)
        with console.status(f"pabutools {rule} (called directly)"):
            build, rule_s, winners = direct(rule, ids, costs, budget, ballots)
        same = same and winners == result.funded_set()
        metrics[f"platform_{rule}_tally_allocate_s"] = round(took, 3)
        metrics[f"platform_{rule}_funded"] = len(result.funded)
        baselines[f"pabutools_{rule}_build_s"] = round(build, 3)
        baselines[f"pabutools_{rule}_rule_s"] = round(rule_s, 3)
        baselines[f"pabutools_{rule}_total_s"] = round(build + rule_s, 3)
        metrics[f"{rule}_ratio_to_pabutools"] = round(took / (build + rule_s), 4)
        console.print(f"{rule}: platform {took:.2f} s · pabutools {build:.2f} s build + {rule_s:.2f} s rule · "
                      f"same winners: {winners == result.funded_set()}")
    metrics["same_winners_as_pabutools"] = same
    if not args.no_service:
        try:
            with console.status("service path: ballots through voting, allocation from its selectors"):
                metrics.update(service_path(200 if args.quick else 2_000))
            console.print(f"service path: {metrics['service_ballots']} ballots, "
                          f"tally+allocate {metrics['service_tally_allocate_s']} s")
        except Exception as exc:  # the comparison above stands on its own; report why this part did not run
            metrics["service_error"] = f"{type(exc).__name__}: {exc}"[:300]
            console.print(f"[red]service path failed: {metrics['service_error']}")
    targets = {"mes_ratio_to_pabutools_max": 1.2, "greedy_ratio_to_pabutools_max": 1.2,
               "platform_greedy_tally_allocate_s_max": 5.0, "same_winners_as_pabutools": True}
    ok = (same and metrics["mes_ratio_to_pabutools"] <= 1.2 and metrics["greedy_ratio_to_pabutools"] <= 1.2
          and metrics["platform_greedy_tally_allocate_s"] < 5.0 and "service_error" not in metrics)
    print(json.dumps({"bench": "budget", "metrics": metrics, "baselines": baselines, "targets": targets, "ok": ok}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
