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
    assert counts[2] == 1 and counts[3] == 3  # one department answer; the adopted one's first and final answers
    assert {Stage.DELIBERATION, Stage.DEPARTMENT_ANSWER_DUE, Stage.DEPARTMENT_ANSWERED, Stage.ADOPTED} <= stages


@pytest.mark.django_db
def test_demo_has_an_adopted_proposal_with_a_past_history(city: Any) -> None:
    """The budget's Democracy Seoul connection builds on adopted proposals: the demo shows one."""
    from smartseoul.accounts.demo import load_demo_accounts
    from smartseoul.core import clock
    from smartseoul.democracy.selectors import adopted_proposals

    load_demo_accounts()
    load_demo()
    adopted = adopted_proposals()
    assert len(adopted) == 1 and adopted[0]["decided_at"] < clock.now()
    p = Proposal.objects.get(pk=adopted[0]["id"])
    assert p.forum_participants >= 10 and p.support_count >= 100
    events = list(p.stage_events.order_by("at", "id").values_list("to_stage", flat=True))
    assert events[0] == Stage.DELIBERATION and events[-1] == Stage.ADOPTED and Stage.FORUM in events
