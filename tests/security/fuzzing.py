"""What the fuzz tests share: the Seoul demo, loaded once per test module inside a transaction
that is rolled back when the module ends (so list endpoints answer with real rows and path
parameters can name real proposals, votes, datasets and reports), and the identities requests
are sent as.

A module imports the fixtures and names the demos it needs in `DEMO_MODULES` (manifest names;
the core geography and the demo accounts always load). Each test runs in its own savepoint
inside that transaction.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections, transaction
from django.test.utils import override_settings


@pytest.fixture(scope="module")
def fuzz_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fuzz-demo")
    return {
        "DATA_DIR": base,
        "MEDIA_ROOT": base / "media",
        "PRIVATE_MEDIA_ROOT": base / "private",
        "LAKE_DIR": base / "lake",
    }


@pytest.fixture(scope="module")
def fuzz_city(
    request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any, fuzz_dirs: dict[str, Path]
) -> Iterator[None]:
    from smartseoul.accounts.demo import load_demo_accounts
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.registry import manifests

    wanted = {"accounts", *getattr(request.module, "DEMO_MODULES", ())}
    with django_db_blocker.unblock(), override_settings(**fuzz_dirs):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_core_demo()
            load_demo_accounts()
            for manifest in manifests():
                if manifest.demo is not None and manifest.name in wanted:
                    manifest.demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def fuzz_demo(fuzz_city: None, db: None, settings: Any, fuzz_dirs: dict[str, Path]) -> None:
    """The module's demo city for one test: its files where the demo wrote them."""
    for name, path in fuzz_dirs.items():
        setattr(settings, name, path)


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Requests sent straight to Django's WSGI handler share the test's database connection: the
    handler must not close it between requests (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# --- how many requests ---------------------------------------------------------------------------

def fuzz_settings(examples: int) -> Any:
    """Hypothesis settings for `examples` generated requests. The same requests on every run, so a
    failure in CI reproduces locally; SMARTSEOUL_FUZZ_SCALE=10 sends ten times as many and
    SMARTSEOUL_FUZZ_RANDOM=1 new ones each run, for a longer search by hand."""
    from hypothesis import HealthCheck, Phase, settings

    scale = float(os.environ.get("SMARTSEOUL_FUZZ_SCALE", "1"))
    return settings(
        max_examples=max(1, int(examples * scale)),
        derandomize=os.environ.get("SMARTSEOUL_FUZZ_RANDOM", "") != "1",
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# --- who sends the requests -----------------------------------------------------------------------

WRITE_SCOPES = ["complaints:write", "open311:write", "opendata:write", "sensors:write"]
STAFF_CAPABILITIES = ("publisher", "proposal_selection", "moderator", "vote_owner", "analyst", "caseworker",
                      "budget_committee")


@dataclass(frozen=True)
class Identity:
    """Who sends the requests: the headers and cookies each request carries. Cookies go apart from
    the headers because an in-process client keeps its own cookie jar and drops a `Cookie` header."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def cookie_header(self) -> dict[str, str]:
        """The same identity as plain headers, for a client without a cookie jar."""
        if not self.cookies:
            return dict(self.headers)
        return {**self.headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


def session_identity(user: Any, *, second_factor: bool) -> Identity:
    """The cookies and header a signed-in page's script sends with an API call."""
    from django.test import Client

    from conftest import sign_in

    client = sign_in(Client(), user, second_factor=second_factor)
    token = secrets.token_hex(16)  # an unmasked CSRF secret: 32 characters, as the cookie holds it
    return Identity(headers={"X-CSRFToken": token},
                    cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": token})


def anonymous() -> Identity:
    return Identity()


def citizen() -> Identity:
    """The demo citizen (phone-verified, lives in Jongno-gu), signed in."""
    from smartseoul.accounts.models import User

    return session_identity(User.objects.get(username="citizen"), second_factor=False)


def official_with_key() -> tuple[Any, str]:
    """An official of the demo's parking team holding every staff duty, and an API key with every
    write scope made after the second factor (so it carries the official's permissions)."""
    from smartseoul.accounts.models import Role, User
    from smartseoul.accounts.services import api_key_create, user_grant_capability

    user = User.objects.create_user("fuzz-official", password="correct-horse-battery")
    user.role, user.is_staff = Role.OFFICIAL, True
    user.department = User.objects.get(username="official").department
    user.save()
    for capability in STAFF_CAPABILITIES:
        user_grant_capability(user=user, capability=capability)
    _key, raw = api_key_create(owner=user, name="fuzz", scopes=WRITE_SCOPES, second_factor=True,
                               daily_quota=1_000_000)
    return user, raw


def official() -> Identity:
    """That official's session with the second factor passed, and the key beside it."""
    user, raw = official_with_key()
    session = session_identity(user, second_factor=True)
    return Identity(headers={**session.headers, "X-API-Key": raw}, cookies=session.cookies)
