from __future__ import annotations

from typing import Any

import pytest

from smartseoul.budget import selectors
from smartseoul.budget.demo import load_budget_demo
from smartseoul.budget.models import Cycle, Phase, ProjectStatus
from smartseoul.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_vote_rules() -> None:
    from smartseoul.voting import services as voting_services

    getattr(voting_services, "_rules_cache", {}).clear()


def test_demo_is_idempotent_and_shows_a_published_cycle(city: Any, client: Any) -> None:
    assert load_budget_demo() == {"cycles": 3}
    assert load_budget_demo() == {"cycles": 0}
    done = Cycle.objects.get(slug="2025")
    assert done.phase == Phase.IMPLEMENTATION
    assert done.projects.filter(status=ProjectStatus.FUNDED).exists()
    assert done.vote_closes < done.results_published_at < clock.now()  # a history with past dates
    assert Cycle.objects.get(slug="2027").phase == Phase.SUBMISSION
    rows = list(selectors.export_rows())
    assert rows and all("proposer" not in r for r in rows) and any(r["funded"] for r in rows)
    assert client.get("/budget/2025/results/").status_code == 200
    assert client.get("/budget/2027/").status_code == 200
    # the city's own words come in both languages
    assert "봉투 금액 안에서" in client.get("/budget/2026/").content.decode()
    english = client.get("/budget/2026/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The 2026 budget goes to the projects citizens choose" in english and "봉투 금액 안에서" not in english
    assert selectors.widget_votes_so_far()["value"] > 0  # the current cycle (2026) is being voted on
    assert selectors.widget_phase()["value"]


def test_a_fresh_demo_lets_any_verified_visitor_cast_a_budget_ballot(city: Any, client: Any) -> None:
    """Issue 16, defect 4: the demo had no cycle in its vote phase, so nobody could try a ballot."""
    from smartseoul.accounts.demo import load_demo_accounts
    from smartseoul.accounts.models import User

    load_demo_accounts()
    load_budget_demo()
    voting = Cycle.objects.get(slug="2026")
    assert voting.phase == Phase.VOTE and selectors.vote_is_open(voting)
    page = client.get("/budget/").content.decode()
    assert "/budget/2026/" in page
    env = voting.envelopes.exclude(vote_id=None).order_by("id").first()
    assert env is not None
    cheapest = env.projects.filter(status=ProjectStatus.ON_BALLOT).order_by("cost").first()
    client.force_login(User.objects.get(username="resident"))
    assert 'id="cast"' in client.get(f"/budget/envelopes/{env.pk}/vote/").content.decode()
    r = client.post(f"/budget/envelopes/{env.pk}/vote/", {"project": [cheapest.code]})
    assert r.status_code == 302, r.content.decode()[:1500]
    assert 'id="receipt-tracker"' in client.get(r["Location"]).content.decode()
