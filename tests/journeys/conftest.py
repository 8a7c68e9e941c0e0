"""Journeys as people take them: a fresh demo served like `make run`, a real browser, real pages.

`demo_site` starts the platform the way the README tells a newcomer to (migrate, load the Seoul
demo, serve) in an empty data directory — on a fresh PostgreSQL database when the suite runs on
PostgreSQL — once per test run. Journeys begin signed out on it and take every step a person
takes; fixtures may add data only through the platform's own commands.

`open_page(size=, lang=)` gives a browser page that fails its test on any console error, any
failed request to the site and any page error. Off-site requests (map tiles) are answered
locally with an empty tile, as a working tile server would, so nothing leaves the machine.

Every journey module is marked `xdist_group("journeys")`: with `--dist loadgroup` (as `make test`
runs) they all run on one worker and share its one demo server.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from conftest import CHROMIUM_ARGS, REPO  # noqa: F401  (the browser fixture lives in the root conftest)

SIZES: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1440, "height": 900}},
}
LOCALES = {"ko": "ko-KR", "en": "en-US"}
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "0000050001e226059b0000000049454e44ae426082"
)


@dataclass
class DemoSite:
    """A served demo: its address, its environment, and the authenticator keys officials set up."""

    url: str
    env: dict[str, str]
    data_dir: Path
    log: Path
    totp_secrets: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str, input_text: str | None = None) -> str:
        """Runs `smartseoul manage …` against the served site's database; returns what it printed."""
        return self.cli("manage", *args, input_text=input_text)

    def cli(self, *args: str, input_text: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "smartseoul.cli", *args],
            env=self.env,
            cwd=REPO,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"smartseoul {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def shell(self, code: str) -> str:
        """Runs Python code in `smartseoul manage shell` against the served site's database."""
        return self.manage("shell", "-c", code)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_postgres_url(base_url: str, name: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database on the suite's PostgreSQL server, and how to drop it."""
    import psycopg

    parts = urlparse(base_url)
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parts._replace(path=f"/{name}").geturl(), drop


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """`make run` in an empty data directory: migrate, load the Seoul demo, serve."""
    data_dir = tmp_path_factory.mktemp("demo-site")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(SMARTSEOUL_ENV="development", SMARTSEOUL_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    drop_database: Callable[[], None] | None = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"], drop_database = _fresh_postgres_url(
            os.environ["DATABASE_URL"], f"smartseoul_demo_{os.getpid()}"
        )
    port = _free_port()
    site = DemoSite(url=f"http://127.0.0.1:{port}", env=env, data_dir=data_dir, log=data_dir / "server.log")
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("collectstatic", "--noinput", "-v", "0")
    site.cli("demo")
    log = site.log.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{site.url}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the demo server did not start:\n{site.log.read_text()[-4000:]}")
            time.sleep(0.3)
        yield site
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if drop_database is not None:
            drop_database()


@dataclass
class PageWatch:
    """What went wrong while a page was open: console errors, page errors, failed requests."""

    site: str
    problems: list[str] = field(default_factory=list)
    allowed: int = 0  # > 0 while a step deliberately causes an error response

    def on_console(self, msg: Any) -> None:
        if msg.type == "error" and not self.allowed:
            where = (msg.location or {}).get("url", "")
            self.problems.append(f"console error: {msg.text} ({where})")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"page error: {error}")

    def on_response(self, response: Any) -> None:
        if response.url.startswith(self.site) and response.status >= 400 and not self.allowed:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def on_request_failed(self, request: Any) -> None:
        failure = request.failure or ""
        # A navigation that replaces a page cancels what the old page still loaded: not a failure.
        if request.url.startswith(self.site) and "ERR_ABORTED" not in failure and not self.allowed:
            self.problems.append(f"request failed: {request.method} {request.url} ({failure})")


def _answer_off_site(route: Any, site: str) -> None:
    if route.request.url.startswith(site):
        route.continue_()
    elif route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
    else:
        route.fulfill(status=204, body="")


@pytest.fixture
def open_page(browser: Any, demo_site: DemoSite) -> Iterator[Callable[..., Any]]:
    """open_page(size="phone"|"desktop", lang="ko"|"en", **context_options) -> a watched Page."""
    opened: list[tuple[Any, PageWatch]] = []

    def open_(size: str = "phone", lang: str = "ko", **options: Any) -> Any:
        context = browser.new_context(
            **SIZES[size], locale=LOCALES[lang], base_url=demo_site.url, timezone_id="Asia/Seoul", **options
        )
        context.route("**/*", lambda route: _answer_off_site(route, demo_site.url))
        page = context.new_page()
        page.set_default_timeout(20_000)
        watch = PageWatch(site=demo_site.url)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("response", watch.on_response)
        page.on("requestfailed", watch.on_request_failed)
        page.journey_watch = watch  # read by steps.allow_failures
        page.journey_lang = lang
        opened.append((context, watch))
        return page

    yield open_
    problems = [p for _, watch in opened for p in watch.problems]
    for context, _ in opened:
        context.close()
    if problems:
        pytest.fail("the pages showed errors:\n" + "\n".join(dict.fromkeys(problems)), pytrace=False)


_SLUG = re.compile(r"[^a-z0-9]+")


@pytest.fixture
def unique() -> Callable[[str], str]:
    """unique("minji") -> a user name no other journey of this run uses."""
    counter = iter(range(1, 10_000))

    def make(stem: str) -> str:
        return (
            f"{_SLUG.sub('', stem.lower())[:10]}{os.getpid() % 1000}{int(time.time() * 1000) % 100000}{next(counter)}"
        )

    return make
