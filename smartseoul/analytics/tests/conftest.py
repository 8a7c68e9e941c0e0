from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def analyst(city: Any, make_user: Any) -> Any:
    """An official with the data-analyst capability and a confirmed second factor."""
    from smartseoul.accounts.models import Capability

    user = make_user("analyst", role="official", department="seoul-data", capabilities=(Capability.ANALYST,))
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed"])
    return user


@pytest.fixture
def analyst_client(client: Any, analyst: Any) -> Any:
    from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY

    client.force_login(analyst)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


@pytest.fixture
def night_trips(city: Any) -> Any:
    """20,000 synthetic trips over 14 days (grid built on the demo boundaries)."""
    from smartseoul.analytics import services

    return services.trips_synthesise(rows=20_000, days=14, seed=3)
