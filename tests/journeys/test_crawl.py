"""The whole site as each demo role sees it: every same-site link the pages show, followed.

Each role signs in through the real pages (officials through the second-factor page, setting up
the key it shows the first time). The crawl GETs every link the site shows that role and fails on
any server error, and on a 403 or 404 behind a link the site itself offered to that role.
Pages of the same shape (`/voting/3/` and `/voting/4/`: one route, the same query keys) are visited once.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import pyotp
import pytest
import requests

from . import steps
from .conftest import DemoSite

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("journeys"), pytest.mark.slow]

ROLES = ["anonymous", "citizen", "resident", "official", "planner", "analyst", "caseworker", "mayor"]
OFFICIALS = {"official", "planner", "analyst", "caseworker", "mayor"}
MAX_PAGES = 300  # per role
PER_SHAPE = 1  # pages of one shape (one route with the same query keys) visited per role
SKIP = (
    "/accounts/logout/",  # a form, but never follow a sign-out
    "/static/",  # assets: checked by the browser journeys
    "/media/",
)
HTML = "text/html"  # other answers (downloads, JSON, files) are fetched for their status, never parsed


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.secret: str | None = None
        self.csrf: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if a.get("data-totp-secret"):
            self.secret = a["data-totp-secret"]
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = a.get("value")


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@cache
def _route_words() -> frozenset[str]:
    """The literal path segments of every route the site declares (`voting`, `office`, `results` …)."""
    from django.urls import get_resolver

    words: set[str] = set()

    def walk(patterns: list[Any]) -> None:
        for p in patterns:
            route = str(p.pattern)
            words.update(w for w in re.split(r"[/^$?]+", route) if w and not re.search(r"[<(\\\[]", w))
            walk(getattr(p, "url_patterns", []))

    walk(get_resolver().url_patterns)
    return frozenset(words)


def _shape(url: str) -> str:
    """The page's route: path segments that are not route words (ids, slugs, keys) become `*`."""
    parts = urlparse(url)
    words = _route_words()
    path = "/".join(seg if not seg or (seg in words and not seg.isdigit()) else "*" for seg in parts.path.split("/"))
    keys = sorted({q.split("=", 1)[0] for q in parts.query.split("&") if q})
    return path + ("?" + "&".join(keys) if keys else "")


def _post_form(session: requests.Session, url: str, data: dict[str, str]) -> requests.Response:
    page = session.get(url, timeout=30)
    form = _parse(page.text)
    assert form.csrf, f"{url} has no form"
    return session.post(
        page.url, data={"csrfmiddlewaretoken": form.csrf, **data}, timeout=30, headers={"Referer": page.url}
    )


def _signed_in(site: DemoSite, role: str) -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "ko-KR,ko;q=0.9"
    if role == "anonymous":
        return session
    answer = _post_form(session, f"{site.url}/accounts/login/", {"username": role, "password": steps.DEMO_PASSWORD})
    assert answer.ok and "/accounts/login/" not in answer.url, f"{role} could not sign in: {answer.status_code}"
    if role in OFFICIALS:
        assert "/accounts/second-factor/" in answer.url, f"{role} was not asked for the second factor"
        if role not in steps.SECRETS:
            secret = _parse(answer.text).secret
            assert secret, f"the second-factor page shows {role} no key to set up"
            steps.SECRETS[role] = secret
        done = _post_form(session, answer.url, {"code": pyotp.TOTP(steps.SECRETS[role]).now()})
        assert done.ok and "/accounts/second-factor/" not in done.url, f"{role} did not pass the second factor"
    return session


def crawl(site_url: str, session: requests.Session) -> tuple[int, list[str]]:
    """Visits what the site links to; returns (pages visited, problems)."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([(f"{site_url}/", "(start)")])
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url, source = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        visited += 1
        with session.get(url, timeout=60, stream=True, allow_redirects=True) as response:
            status = response.status_code
            is_html = HTML in response.headers.get("Content-Type", "")
            body = response.text if is_html and status < 400 else ""
        if status >= 500:
            problems.append(f"{status} {url} (linked from {source})")
        elif status in (403, 404):
            problems.append(f"{status} {url} (the site linked to it from {source})")
        if not body or not response.url.startswith(site_url):
            continue
        for href in _parse(body).links:
            target, _ = urldefrag(urljoin(response.url, href.strip()))
            if not target.startswith(site_url) or target in seen:
                continue
            if urlparse(target).path.startswith(SKIP):
                continue
            queue.append((target, response.url))
    return visited, problems


@pytest.mark.parametrize("role", ROLES)
def test_every_link_the_site_shows_a_role_opens(demo_site, role):
    session = _signed_in(demo_site, role)
    visited, problems = crawl(demo_site.url, session)
    print(f"crawl: {role} visited {visited} pages")
    assert visited >= 10, f"{role} saw only {visited} pages"
    assert not problems, f"{role}: " + "\n".join(problems)
