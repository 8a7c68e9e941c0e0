"""Participatory budget benchmark: tally and allocate 300 projects × 200,000 approval ballots with
the platform's greedy and MES (with completion), next to pabutools called directly on the same
instance in the same run, and check that both give the same winners.

The 200,000 ballots are a generated profile (lists of project codes, the shape the budget module
reads from `voting.selectors.current_ballots`); both sides start from the same lists. A second
part runs the same instance at full size through the stored path (SQLite in a temporary
directory, or DATABASE_URL): the cycle through `budget.services`, every ballot in a `voting`
ballot log (2,000 cast through the service, the rest through the voting queue and sequencer),
the cycle moved to allocation, the winners compared with the same envelopes allocated in
memory, and every vote's log verified. A failure there, or other winners, turns `ok` false.

    .venv/bin/python bench/budget.py            # full size
    .venv/bin/python bench/budget.py --quick    # smoke run (< 60 s)
    .venv/bin/python bench/budget.py --stored-only   # full size, the stored path alone
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def split(ids: list[str], costs: list[int], budget: int,
          ballots: list[list[str]]) -> list[tuple[list[str], list[int], int, list[list[str]]]]:
    """The instance as the stored path holds it: a vote takes at most `voting.services.MAX_OPTIONS`
    options, so the projects go into envelopes of at most that many (in order), each with its
    share of the budget; a voter's ballot in an envelope is the part of their list on it."""
    from smartseoul.voting.services import MAX_OPTIONS

    parts = -(-len(ids) // MAX_OPTIONS)
    size = -(-len(ids) // parts)
    out = []
    for k in range(parts):
        part_ids = ids[k * size:(k + 1) * size]
        on = set(part_ids)
        part_ballots = [kept for b in ballots if (kept := [p for p in b if p in on])]
        out.append((part_ids, costs[k * size:(k + 1) * size], budget // parts, part_ballots))
    return out


def service_path(ids: list[str], costs: list[int], budget: int, all_ballots: list[list[str]],
                 n_cast: int) -> dict[str, Any]:
    """The stored path at full size, as the product runs it (a temporary SQLite database, or
    DATABASE_URL): the projects submitted and reviewed through `budget.services`, the cycle moved
    to its vote (one `voting` vote per envelope); the first `n_cast` ballots cast through
    `budget.services.ballot_cast` (a real voter each: eligibility, one ballot per person, the
    receipt), every other ballot accepted into the vote's queue and integrated into its ballot
    log by the voting sequencer in batches (the rows, leaves, log nodes and checkpoints the
    casting path writes, without a voter account per ballot); then the cycle moved to allocation
    (votes closed, ballots tallied from the voting selectors, MES allocation stored) and every
    vote's log verified with `ledger verify`'s verifier."""
    tmp = tempfile.mkdtemp(prefix="bench-budget-")
    os.environ["SMARTSEOUL_DATA_DIR"] = tmp  # never the city's own data directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connections, transaction

    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.accounts.services import identity_hash
    from smartseoul.budget import services
    from smartseoul.budget.models import Envelope, Project, ProjectStatus
    from smartseoul.core import clock
    from smartseoul.core.demo import load_core_demo
    from smartseoul.voting import sequencer
    from smartseoul.voting.models import Status
    from smartseoul.voting.selectors import vote_option_ids_by_key
    from smartseoul.voting.verify import LocalSource, verify_log

    envelopes = split(ids, costs, budget, all_ballots)
    expected = [platform("mes", *e)[1].funded_set() for e in envelopes]  # the same envelopes in memory
    call_command("migrate", verbosity=0, interactive=False)
    load_core_demo()
    stamp = time.time_ns()
    admin = User.objects.create(username=f"bench-admin-{stamp}", role=Role.CITY_ADMIN,
                                verification=Verification.REAL_NAME)
    now = clock.now()
    dates = services.CycleDates(now - timedelta(days=50), now - timedelta(days=40), now - timedelta(days=30),
                                now - timedelta(days=20), now - timedelta(days=10), now + timedelta(days=10))
    cycle = services.cycle_create(actor=admin, slug=f"bench-{stamp}", year=2026, name_ko="bench",
                                  total_amount=sum(e[2] for e in envelopes), dates=dates, rule="mes",
                                  max_choices=max(len(b) for e in envelopes for b in e[3]))
    kinds = [{"kind": "citywide"}, *({"kind": "type", "proposal_type": t}
                                     for t in ("cooperative", "deliberation", "democracy"))]
    envs = [services.envelope_create(actor=admin, cycle_id=cycle.pk, amount=e[2], name_ko=f"bench {k}", **kinds[k])
            for k, e in enumerate(envelopes)]
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="submission")
    code_of: dict[str, str] = {}
    submitted = []
    for env, (ids, costs, _, _) in zip(envs, envelopes, strict=True):
        for pid, cost in zip(ids, costs, strict=True):
            p = services.project_submit(user=admin, cycle_id=cycle.pk, proposal_type="broad", title=f"Bench {pid}",
                                        summary="A generated bench project", requested_cost=cost)
            code_of[pid] = p.code
            submitted.append((p, env))
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="review")
    for p, env in submitted:
        services.project_review(actor=admin, project_id=p.pk, feasible=True, cost=p.requested_cost,
                                envelope_id=env.pk)
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="deliberation")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="vote")
    envs = [Envelope.objects.get(pk=e.pk) for e in envs]

    cast_s = queue_s = 0.0
    cast_n = queued_n = 0
    for env, (_, _, _, ballots) in zip(envs, envelopes, strict=True):
        assert env.vote_id is not None
        here = ballots[:max(0, n_cast - cast_n)]
        voters = User.objects.bulk_create([
            User(username=f"bench-voter-{env.pk}-{i}", role=Role.CITIZEN, verification=Verification.REAL_NAME)
            for i in range(len(here))])
        t = time.perf_counter()
        for voter, b in zip(voters, here, strict=True):
            services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[code_of[p] for p in b])
        cast_s += time.perf_counter() - t
        cast_n += len(here)
        option = vote_option_ids_by_key(env.vote_id)
        rest = ballots[len(here):]
        t = time.perf_counter()
        for start in range(0, len(rest), sequencer.MAX_BATCH):
            with transaction.atomic():
                for i, b in enumerate(rest[start:start + sequencer.MAX_BATCH], start):
                    sequencer.enqueue(vote_id=env.vote_id, nullifier=identity_hash("vote", str(env.vote_id), f"b{i}"),
                                      choices=sorted(option[code_of[p]] for p in b), district=None, exclusive=True,
                                      now=clock.now(), status=Status.PUBLISHED)
            with sequencer.sequencer_lock(env.vote_id), transaction.atomic():
                sequencer.integrate(env.vote_id)
        queue_s += time.perf_counter() - t
        queued_n += len(rest)

    t = time.perf_counter()
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="allocation")
    allocate_s = time.perf_counter() - t
    funded = [{pid for pid in ids if Project.objects.get(code=code_of[pid]).status == ProjectStatus.FUNDED}
              for ids, *_ in envelopes]
    leaves = 0
    t = time.perf_counter()
    for env in envs:
        assert env.vote_id is not None
        leaves += verify_log(LocalSource(env.vote_id)).leaves
    verify_s = time.perf_counter() - t
    connections.close_all()
    shutil.rmtree(tmp, ignore_errors=True)  # the temporary database (hundreds of MB at full size)
    return {"service_envelopes": len(envs), "service_projects": len(code_of),
            "service_ballots": sum(len(e[3]) for e in envelopes),
            "service_cast": cast_n, "service_cast_per_s": round(cast_n / cast_s, 1) if cast_s else None,
            "service_queued": queued_n, "service_queue_integrate_per_s": round(queued_n / queue_s) if queue_s else None,
            "service_close_tally_allocate_s": round(allocate_s, 3),
            "service_log_leaves_verified": leaves, "service_log_verify_s": round(verify_s, 3),
            "service_same_winners_as_memory": funded == expected}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--projects", type=int)
    parser.add_argument("--voters", type=int)
    parser.add_argument("--no-service", action="store_true", help="skip the stored path (ok is then false)")
    parser.add_argument("--stored-only", action="store_true",
                        help="only the stored path (skips the comparison with pabutools: ~20 min at full size)")
    args = parser.parse_args()
    n_projects = args.projects or (100 if args.quick else 300)
    n_voters = args.voters or (5_000 if args.quick else 200_000)
    with console.status(f"generating {n_voters:,} approval ballots over {n_projects} projects"):
        ids, costs, budget, ballots = generate(n_projects, n_voters)
    metrics: dict[str, Any] = {"projects": n_projects, "ballots": n_voters, "budget": budget}
    baselines: dict[str, Any] = {}
    same = True
    for rule in () if args.stored_only else ("greedy", "mes"):
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
    if not args.stored_only:
        metrics["same_winners_as_pabutools"] = same
    if not args.no_service:
        try:
            with console.status("stored path: the cycle through budget and voting, ballots in the vote logs"):
                metrics.update(service_path(ids, costs, budget, ballots, 200 if args.quick else 2_000))
            console.print(f"stored path: {metrics['service_ballots']:,} ballots in {metrics['service_envelopes']} "
                          f"envelopes ({metrics['service_cast']:,} cast at {metrics['service_cast_per_s']}/s, the "
                          f"rest queued and integrated at {metrics['service_queue_integrate_per_s']}/s); close + "
                          f"tally + allocate {metrics['service_close_tally_allocate_s']} s; same winners as in "
                          f"memory: {metrics['service_same_winners_as_memory']}; logs verified "
                          f"({metrics['service_log_leaves_verified']:,} leaves in {metrics['service_log_verify_s']} s)")
        except Exception as exc:  # the comparison above stands on its own; report why this part failed
            metrics["service_error"] = f"{type(exc).__name__}: {exc}"[:300]
            console.print(f"[red]stored path failed: {metrics['service_error']}")
    else:
        metrics["service_error"] = "skipped (--no-service)"
    targets = {"mes_ratio_to_pabutools_max": 1.2, "greedy_ratio_to_pabutools_max": 1.2,
               "platform_greedy_tally_allocate_s_max": 5.0, "same_winners_as_pabutools": True,
               "service_same_winners_as_memory": True}
    stored_ok = "service_error" not in metrics and metrics.get("service_same_winners_as_memory") is True
    if args.stored_only:
        metrics["stored_only"] = True
        ok = stored_ok
    else:
        ok = (stored_ok and same and metrics["mes_ratio_to_pabutools"] <= 1.2
              and metrics["greedy_ratio_to_pabutools"] <= 1.2 and metrics["platform_greedy_tally_allocate_s"] < 5.0)
    print(json.dumps({"bench": "budget", "metrics": metrics, "baselines": baselines, "targets": targets, "ok": ok}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
