from __future__ import annotations

from typing import Any

import pytest

from smartseoul.democracy.demo import load_demo
from smartseoul.democracy.models import Inquiry, OfficialAnswer, Proposal, Stage, Support


@pytest.mark.django_db
def test_demo_is_idempotent_and_shows_several_stages(city: Any) -> None:
    from smartseoul.accounts.demo import load_demo_accounts

    load_demo_accounts()
    load_demo()
    counts = (
        Proposal.objects.count(),
        Support.objects.count(),
        Inquiry.objects.count(),
        OfficialAnswer.objects.count(),
    )
    load_demo()
    assert counts == (
        Proposal.objects.count(),
        Support.objects.count(),
        Inquiry.objects.count(),
        OfficialAnswer.objects.count(),
    )
    stages = set(Proposal.objects.values_list("stage", flat=True))
    assert {Stage.DELIBERATION, Stage.DEPARTMENT_ANSWER_DUE, Stage.DEPARTMENT_ANSWERED} <= stages
    assert counts[2] == 1 and counts[3] == 1
