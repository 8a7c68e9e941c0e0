"""Fixtures shared by every test: the city, users of each role, the clock, servers, the browser.

Tests that need an outside server (PostgreSQL, mosquitto, Chromium, Java) call
`require_service`: in CI (CI=true) a missing server FAILS the test; elsewhere it skips
with a message that says how to enable it.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("SMARTSEOUL_ENV", "test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REPO = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("SMARTSEOUL_SHARED_DIR", REPO.parent / "shared"))
CHROMIUM = os.environ.get("SMARTSEOUL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def require_service(available: bool, what: str, how: str) -> None:
    if available:
        return
    message = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    from smartseoul.core import clock

    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> None:
    """Media and the lake go to a per-test temporary directory."""
    base = tmp_path_factory.mktemp("data")
    settings.MEDIA_ROOT = base / "media"
    settings.PRIVATE_MEDIA_ROOT = base / "private"
    settings.LAKE_DIR = base / "lake"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    from smartseoul.core import geography

    cache.clear()
    geography.invalidate_cache()
    from smartseoul.voting import services as voting_services

    voting_services._rules_cache.clear()  # test databases reuse ids after a rollback
    from smartseoul.complaints.index import complaint_index

    complaint_index.invalidate()  # the in-memory map index must not outlive a test's database
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a language a test (or a request it made) left active


@pytest.fixture
def shared_dir() -> Path:
    require_service(SHARED.is_dir(), "../shared/data", "run the tests from a checkout with shared/ beside it")
    return SHARED / "data"


@pytest.fixture
def city(db: Any) -> Any:
    """The Seoul demo geography: city, 25 districts with demo shapes, their dongs, departments."""
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.models import City

    load_core_demo()
    return City.objects.get()


@pytest.fixture
def official_boundaries(city: Any, shared_dir: Path) -> Any:
    """The official 25 gu boundaries (JUSO 2015) imported over the demo shapes."""
    from smartseoul.core.services import boundaries_import, read_boundary_file

    path = shared_dir / "seoul-boundaries" / "juso" / "2015" / "json" / "seoul_municipalities_geo.json"
    boundaries_import(features=read_boundary_file(path), level="gu")
    return city


@pytest.fixture
def make_user(db: Any) -> Any:
    """make_user(role="citizen", verification=1, district="11110", department=None, capabilities=())"""
    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.accounts.services import user_grant_capability, user_set_phone_verified
    from smartseoul.core.models import Department, District

    counter = {"n": 0}

    def make(
        username: str | None = None,
        *,
        role: str = Role.CITIZEN,
        verification: int = Verification.PHONE,
        district: str | None = None,
        department: str | None = None,
        capabilities: tuple[str, ...] = (),
        password: str = "correct-horse-battery",
        phone: str | None = None,
        email: str = "",
    ) -> User:
        counter["n"] += 1
        n = counter["n"]
        user = User.objects.create_user(username or f"user{n}_{os.getpid()}", email=email, password=password)
        user.role = role
        user.is_staff = role != Role.CITIZEN
        if department:
            user.department = Department.objects.get(code=department)
        if district:
            user.home_district = District.objects.get(code=district)
        user.save()
        if verification >= Verification.PHONE:
            user_set_phone_verified(user=user, phone=phone or f"010-{5000 + n % 4000:04d}-{n % 10000:04d}")
        if verification > Verification.PHONE:
            user.verification = verification
            user.save(update_fields=["verification"])
        for cap in capabilities:
            user_grant_capability(user=user, capability=cap)
        return user

    return make


@pytest.fixture
def citizen(city: Any, make_user: Any) -> Any:
    return make_user("citizen", district="11110")


@pytest.fixture
def official(city: Any, make_user: Any) -> Any:
    """An official of Jongno-gu's parking team, with a confirmed authenticator."""
    from smartseoul.accounts.services import totp_begin

    user = make_user("official", role="official", department="11110-parking")
    totp_begin(user=user)
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed"])
    return user


def totp_now(user: Any) -> str:
    import pyotp

    from smartseoul.core import clock

    return pyotp.TOTP(user.totp_secret).at(clock.now())


def subprocess_env(data_dir: Path, database: str, **extra: str) -> dict[str, str]:
    """The environment of a platform process a test starts (a server, a sequencer): its own data
    directory, and on PostgreSQL a fresh database named after `database` and this test process
    (two test workers never drop each other's) on DATABASE_URL's server."""
    import psycopg

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"SMARTSEOUL_DATA_DIR": str(data_dir), "SMARTSEOUL_ENV": "development", "DEBUG": "0",
                "DJANGO_SETTINGS_MODULE": "smartseoul.settings", "SMARTSEOUL_LEDGER_KEY": "", **extra})
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        return env
    server, database = url.rsplit("/", 1)[0], f"{database}_{os.getpid()}"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    env["DATABASE_URL"] = f"{server}/{database}"
    return env


def sign_in(client: Any, user: Any, *, second_factor: bool = True) -> Any:
    """Signs `user` in on a Django test client, with the second factor passed unless told not to."""
    from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY

    client.force_login(user)
    if second_factor:
        session = client.session
        session[SECOND_FACTOR_SESSION_KEY] = True
        session.save()
    return client


def reseed_data_migrations() -> None:
    """A transactional test's flush also empties the reference data modules seed in data
    migrations (the sensors' threshold tables …), which their demos need: replay those migrations'
    RunPython steps (they are idempotent), as a freshly migrated city has them."""
    from django.db import connection, migrations
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    state = loader.project_state().apps
    with connection.schema_editor() as editor:
        for (app, _name), migration in sorted(loader.disk_migrations.items()):
            if app in loader.migrated_apps and migration.__module__.startswith("smartseoul."):
                for operation in migration.operations:
                    if isinstance(operation, migrations.RunPython):
                        operation.code(state, editor)


@pytest.fixture
def official_client(client: Any, official: Any) -> Any:
    """A Django test client signed in as `official`, second factor passed."""
    return sign_in(client, official)


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    available = Path(CHROMIUM).exists()
    require_service(available, "Chromium", f"install Debian's chromium (apt-get install chromium) at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require_service(False, "playwright", "pip install playwright (make test installs it)")
        raise
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync API runs an event loop in the test thread
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    b = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page in a phone-sized browser context (iPhone 12-like), Korean locale."""
    context = browser.new_context(**PHONE, locale="ko-KR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ko-KR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artefacts_dir() -> Path:
    """Screenshots and other test artefacts (kept by CI)."""
    path = REPO / "var" / "test-artefacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_report_header(config: Any) -> list[str]:
    from django.conf import settings

    return [
        f"smartseoul: database={settings.DATABASES['default']['ENGINE']} CI={IN_CI} shared={SHARED.is_dir()}",
        f"chromium={shutil.which('chromium') or 'missing'}",
    ]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Grouped tests (`xdist_group`: one demo server, one sequencer database) must reach one worker;
    pytest-xdist marks them in their node ids, which some pytest releases silently ignore (every
    grouped module then starts its expensive fixtures on each worker). Stop rather than run so."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or session.config.getoption("dist", "no") != "loadgroup":
        return
    lost = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(
            f"{len(lost)} tests marked xdist_group lost their group (e.g. {lost[0]}): this pytest and "
            "pytest-xdist do not group; keep pytest below 9.2 (pyproject.toml)"
        )
