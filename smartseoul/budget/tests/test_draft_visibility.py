"""A draft cycle is not public: neither its page nor the API shows its proposals."""

from __future__ import annotations

from typing import Any

import pytest

from smartseoul.budget import services
from smartseoul.budget.models import Cycle, Phase

pytestmark = pytest.mark.django_db


def test_a_draft_cycles_proposal_is_not_served_by_the_api(
    make_cycle: Any, make_user: Any, budget_admin: Any, client: Any
) -> None:
    cycle = make_cycle("2031")
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
    project = services.project_submit(
        user=make_user(district="11110"), cycle_id=cycle.pk, proposal_type="broad",
        title="Benches along the stream", summary="Twenty benches along the stream path", requested_cost=10_000_000,
    )  # fmt: skip
    assert client.get(f"/api/v1/budget/projects/{project.code}").status_code == 200

    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.DRAFT)
    for url in (f"/api/v1/budget/projects/{project.code}", f"/budget/projects/{project.code}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Benches along the stream" not in response.content
