from __future__ import annotations

from typing import Any

import pytest

from smartseoul.accounts.models import Capability, Role

from . import factories


@pytest.fixture
def author(city: Any, make_user: Any) -> Any:
    return make_user("proposer", district="11110")


@pytest.fixture
def welfare_official(city: Any, make_user: Any) -> Any:
    """An official of Jongno-gu's welfare team: the department welfare proposals in 11110 go to."""
    return make_user("welfare_official", role=Role.OFFICIAL, department="11110-welfare")


@pytest.fixture
def selector_member(city: Any, make_user: Any) -> Any:
    return make_user("psg_member", capabilities=(Capability.PROPOSAL_SELECTION,))


@pytest.fixture
def mayor(city: Any, make_user: Any) -> Any:
    return make_user("mayor_office", role=Role.OFFICIAL, department="seoul-democracy", capabilities=(Capability.MAYOR,))


@pytest.fixture
def moderator(city: Any, make_user: Any) -> Any:
    return make_user("moderator", capabilities=(Capability.MODERATOR,))


@pytest.fixture
def city_admin(city: Any, make_user: Any) -> Any:
    return make_user("cityadmin", role=Role.CITY_ADMIN)


@pytest.fixture
def open_proposal(author: Any) -> Any:
    return factories.proposal(author)
