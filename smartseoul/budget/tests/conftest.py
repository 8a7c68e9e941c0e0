from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from smartseoul.core import clock


@pytest.fixture
def budget_admin(city: Any, make_user: Any) -> Any:
    return make_user("budget-admin", role="city_admin", verification=3)


@pytest.fixture
def budget_official(city: Any, make_user: Any) -> Any:
    return make_user("budget-official", role="official", department="11110-parking", verification=3)


@pytest.fixture
def make_cycle(budget_admin: Any) -> Any:
    """make_cycle(rule="greedy", vote_method="approval", envelopes=[(kind, amount, district, type)], **kw)"""
    from smartseoul.budget import services

    def make(slug: str = "2026", *, rule: str = "greedy", vote_method: str = "approval",
             envelopes: list[tuple[str, int, str, str]] | None = None, **kw: Any) -> Any:
        now = clock.now()
        dates = services.CycleDates(
            submission_opens=now - timedelta(days=50), submission_closes=now - timedelta(days=40),
            review_closes=now - timedelta(days=30), deliberation_closes=now - timedelta(days=20),
            vote_opens=now - timedelta(days=10), vote_closes=now + timedelta(days=10),
        )
        cycle = services.cycle_create(actor=budget_admin, slug=slug, year=2026, name_ko=f"{slug} 시민참여예산",
                                      total_amount=10_000_000_000, dates=dates, rule=rule, vote_method=vote_method,
                                      **kw)
        for kind, amount, district, ptype in envelopes or [("citywide", 1_000_000_000, "", "")]:
            services.envelope_create(actor=budget_admin, cycle_id=cycle.pk, kind=kind, amount=amount,
                                     district_code=district, proposal_type=ptype, name_ko=f"{kind} {district}")
        return cycle

    return make


@pytest.fixture
def on_ballot(make_cycle: Any, make_user: Any, budget_admin: Any, budget_official: Any) -> Any:
    """on_ballot(costs, **cycle_kw) → (cycle, envelope, [projects]) with the vote open."""
    from smartseoul.budget import services

    def make(costs: list[int], **kw: Any) -> Any:
        cycle = make_cycle(**kw)
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
        proposer = make_user(district="11110")
        projects = [services.project_submit(user=proposer, cycle_id=cycle.pk, proposal_type="broad",
                                            title=f"Project {i}", summary=f"A useful project number {i}",
                                            requested_cost=c) for i, c in enumerate(costs)]
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="review")
        for p in projects:
            services.project_review(actor=budget_official, project_id=p.pk, feasible=True, cost=p.requested_cost)
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="deliberation")
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="vote")
        cycle.refresh_from_db()
        env = cycle.envelopes.get()
        return cycle, env, [type(p).objects.get(pk=p.pk) for p in projects]

    return make


@pytest.fixture(autouse=True)
def _fresh_vote_rules() -> None:
    """The voting module caches the rules of published votes per process by vote id; test
    databases reuse ids after each rollback, so start every test with an empty cache."""
    from smartseoul.voting import services as voting_services

    cache = getattr(voting_services, "_rules_cache", None)
    if cache is not None:
        cache.clear()
