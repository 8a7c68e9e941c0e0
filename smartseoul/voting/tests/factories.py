"""Test data for the voting module."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smartseoul.core import clock

from .. import services


def make_vote(owner: Any, **overrides: Any) -> Any:
    now = clock.now()
    kwargs: dict[str, Any] = {
        "owner": owner,
        "kind": "policy",
        "title": "청계천 야간 조명 색상",
        "description": "Which lighting colour should the stream use at night?",
        "options": [{"text": "따뜻한 흰색", "key": "warm"}, {"text": "파란색", "key": "blue"},
                    {"text": "무지개", "key": "rainbow"}],
        "ballot_type": "single",
        "opens_at": now - timedelta(minutes=1),
        "closes_at": now + timedelta(days=7),
        "target": {"type": "everyone"},
    }
    kwargs.update(overrides)
    return services.vote_create(**kwargs)


def option_ids(vote: Any) -> list[int]:
    return list(vote.options.order_by("position").values_list("pk", flat=True))
