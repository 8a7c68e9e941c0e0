from __future__ import annotations

from typing import Any

import pytest

from smartseoul.budget import selectors
from smartseoul.budget.demo import load_budget_demo
from smartseoul.budget.models import Cycle, Phase, ProjectStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_vote_rules() -> None:
    from smartseoul.voting import services as voting_services

    getattr(voting_services, "_rules_cache", {}).clear()


def test_demo_is_idempotent_and_shows_a_published_cycle(city: Any, client: Any) -> None:
    assert load_budget_demo() == {"cycles": 2}
    assert load_budget_demo() == {"cycles": 0}
    done = Cycle.objects.get(slug="2025")
    assert done.phase == Phase.IMPLEMENTATION
    assert done.projects.filter(status=ProjectStatus.FUNDED).exists()
    assert Cycle.objects.get(slug="2026").phase == Phase.SUBMISSION
    rows = list(selectors.export_rows())
    assert rows and all("proposer" not in r for r in rows) and any(r["funded"] for r in rows)
    assert client.get("/budget/2025/results/").status_code == 200
    assert selectors.widget_votes_so_far()["value"] == 0  # the current cycle (2026) has no vote yet
    assert selectors.widget_phase()["value"]
