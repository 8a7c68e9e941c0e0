"""Test data for Democracy Seoul: verified citizens in bulk, proposals made through the services."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from smartseoul.accounts.models import Role, User, Verification
from smartseoul.democracy import services
from smartseoul.democracy.models import Proposal

_seq = itertools.count(1)


class CitizenFactory(factory.django.DjangoModelFactory):
    """A phone-verified citizen (no phone number stored: enough for participation rules)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"citizen{n}")
    role = Role.CITIZEN
    verification = Verification.PHONE
    password = factory.django.Password("correct-horse-battery")


def citizens(n: int, *, verification: int = Verification.PHONE, prefix: str = "c") -> list[User]:
    """n verified citizens in one insert (fast enough for a 1,000-participant forum)."""
    batch = next(_seq)
    users = [
        User(username=f"{prefix}{batch}_{i}", role=Role.CITIZEN, verification=verification, password="!")
        for i in range(n)
    ]
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(username__startswith=f"{prefix}{batch}_").order_by("id"))


def proposal(author: User, **overrides: Any) -> Proposal:
    data: dict[str, Any] = {
        "title": "경로당 냉방비 지원 확대",
        "problem": "폭염 때 경로당 냉방비 부담으로 에어컨을 충분히 켜지 못합니다.",
        "solution": "폭염 특보 기간에는 경로당 냉방비를 시가 전액 지원해 주세요.",
        "category": "welfare",
        "district_code": "11110",
    }
    data.update(overrides)
    return services.proposal_create(author=author, **data)


def support_by(p: Proposal, users: list[User]) -> Proposal:
    for u in users:
        p = services.support_add(proposal_id=p.pk, user=u)
    return p
