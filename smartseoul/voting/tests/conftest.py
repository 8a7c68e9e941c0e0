from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fresh_rules_cache() -> Iterator[None]:
    from smartseoul.voting import services

    services._rules_cache.clear()
    services._district_codes.clear()
    yield
    services._rules_cache.clear()
    services._district_codes.clear()


@pytest.fixture(autouse=True)
def _ledger_key(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.DATA_DIR = tmp_path_factory.mktemp("ledger")
    settings.LEDGER_KEY = ""


@pytest.fixture
def owner(city: Any, make_user: Any) -> Any:
    return make_user("vote_owner", role="official", department="seoul-democracy")
