"""The declared access matrix (`smartseoul.core.access`) against every route Django's resolver knows.

1. Every route has a row and every row names a route (ninja's operations included, with their methods).
2. Every route × method × role state, on the Seoul demo data with the private, draft and other
   people's objects in the URLs: an allowed role gets 2xx/3xx (or a 4xx that handles its empty
   form), a refused one 401/403/404 or the sign-in / second-factor page, never a 5xx and never
   the object's own text.
3. docs/security.md carries the table the rules draw.

The demo is loaded once for this file, inside a transaction rolled back at the end; every request
runs in a savepoint rolled back after it, so a write by one role never changes what the next sees.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from smartseoul.core import access
from smartseoul.core.access import ROLE_STATES, Principal, RoleState, Rule

from .access_fills import FILLS, Fill, World, admin_fill, build_world

# One demo world for the whole matrix: spread over two workers, each would build its own.
pytestmark = pytest.mark.xdist_group("access-matrix")

REPO = Path(__file__).resolve().parents[2]

# --- the routes Django knows -------------------------------------------------------------------------


@dataclass
class Route:
    route: str  # the full route string as the resolver spells it
    names: list[str] = field(default_factory=list)
    methods: set[str] | None = None  # ninja operations know theirs; Django views do not say
    regex: bool = False


def _ninja_methods(callback: Any) -> set[str] | None:
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:
            return {m.upper() for op in operations for m in op.methods}
    return None


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "", regex: bool = False) -> Iterator[Route]:
    for p in patterns:
        is_regex = regex or type(p.pattern).__name__ == "RegexPattern"
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, _join(prefix, p), ns, is_regex)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Route(_join(prefix, p), [name] if name else [], _ninja_methods(p.callback), is_regex)


def _join(prefix: str, p: Any) -> str:
    """The route string as the resolver reports it: a regex's `^` is dropped after a prefix."""
    part = str(p.pattern)
    return prefix + (part[1:] if prefix and part.startswith("^") else part)


def all_routes() -> list[Route]:
    """One entry per route string (ninja repeats a path once per operation)."""
    merged: dict[str, Route] = {}
    for r in _walk(get_resolver().url_patterns):
        seen = merged.get(r.route)
        if seen is None:
            merged[r.route] = r
        else:
            seen.names += r.names
            if r.methods is not None:
                seen.methods = (seen.methods or set()) | r.methods
    return list(merged.values())


def match_rules(
    routes: list[Route], rules: tuple[Rule, ...]
) -> tuple[dict[str, Rule], dict[str, list[Rule]], list[str], list[str]]:
    """(route → its rule, route → rules for concrete paths under it (CKAN actions, SensorThings
    entities), routes without any, rules without a route). A rule names a route by its route
    string, by a name only that route has, by a concrete path (`/api/3/action/package_show`), or
    covers a pattern (`admin/*`)."""
    name_count: dict[str, int] = {}
    for r in routes:
        for n in set(r.names):
            name_count[n] = name_count.get(n, 0) + 1
    by_key = {rule.route: rule for rule in rules if not rule.route.startswith("/")}
    patterns = [rule for rule in rules if rule.is_pattern]
    matched: dict[str, Rule] = {}
    concrete: dict[str, list[Rule]] = {}
    used: set[str] = set()
    known = {r.route for r in routes}
    for rule in rules:
        if rule.route.startswith("/"):
            route = resolve(rule.route).route
            if route in known:
                concrete.setdefault(route, []).append(rule)
                used.add(rule.route)
    for r in routes:
        rule = by_key.get(r.route) or next((by_key[n] for n in r.names if n in by_key and name_count[n] == 1), None)
        if rule is None and r.route not in concrete:
            rule = next((p for p in patterns if p.covers(r.route)), None)
        if rule is not None:
            matched[r.route] = rule
            used.add(rule.route)
    missing = [
        r.route + (f"  ({', '.join(sorted(set(r.names)))})" if r.names else "")
        for r in routes
        if r.route not in matched and r.route not in concrete
    ]
    unused = [rule.route for rule in rules if rule.route not in used]
    return matched, concrete, missing, unused


ROUTES = all_routes()
RULES = access.rules()
MATCHED, CONCRETE, MISSING, UNUSED = match_rules(ROUTES, RULES)
CASES = [(r, MATCHED[r.route]) for r in ROUTES if r.route in MATCHED] + [
    (r, rule) for r in ROUTES for rule in CONCRETE.get(r.route, [])
]


def test_every_route_has_a_rule_and_every_rule_a_route() -> None:
    print(f"\naccess matrix: {len(ROUTES)} routes, {len(RULES)} rules, {len(ROLE_STATES)} role states")
    assert not MISSING, "routes without an access rule:\n  " + "\n  ".join(MISSING)
    assert not UNUSED, "access rules that match no route:\n  " + "\n  ".join(UNUSED)


def test_api_operations_declare_exactly_their_methods() -> None:
    wrong = []
    for r in ROUTES:
        rule = MATCHED.get(r.route)
        if rule is None or r.methods is None:
            continue
        declared = set(rule.methods)
        if declared != r.methods:
            wrong.append(f"{r.route}: declared {sorted(declared)}, the API answers {sorted(r.methods)}")
    assert not wrong, "\n".join(wrong)


def test_docs_security_md_carries_the_current_matrix() -> None:
    """`python -m smartseoul.core.access --write docs/security.md` regenerates it."""
    doc = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    assert access.MARKER_START in doc and access.MARKER_END in doc
    assert doc == access.replace_between_markers(doc, access.render_markdown(RULES)), (
        "docs/security.md is out of date: run `python -m smartseoul.core.access --write docs/security.md`"
    )


def test_the_rules_vocabulary_means_what_it_says() -> None:
    """The shorthands on the states: staff without the second factor is a citizen."""
    states = {s.name: s.principal for s in ROLE_STATES}
    citizenlike = [access.STAFF, access.STAFF_2FA(), access.STAFF_2FA("publisher"), access.CITY_ADMIN, access.AUDITOR]
    for name in ("official", "mayor"):
        assert not any(w.allows(states[name]) for w in citizenlike), name
        assert access.SIGNED_IN.allows(states[name])
    assert access.STAFF_2FA("publisher").allows(states["analyst+2FA"])
    assert not access.STAFF_2FA("publisher").allows(states["official+2FA"])
    assert access.STAFF_2FA("caseworker").allows(states["mayor+2FA"])
    assert not access.STAFF_2FA().allows(states["auditor+2FA"]) and access.STAFF.allows(states["auditor+2FA"])
    assert access.RESIDENT.allows(states["resident"]) and not access.RESIDENT.allows(states["citizen"])
    assert access.cell(access.OWNER | access.STAFF_2FA(), ROLE_STATES[1]) == "owner"
    assert access.cell(access.DEPARTMENT, ROLE_STATES[4]) == "dept"


# --- requests on the demo ----------------------------------------------------------------------------

DENIAL_PAGES = (
    "/accounts/login/",
    "/accounts/second-factor/",
    "/accounts/phone/",
    "/accounts/resident/",
    "/admin/login/",
)
HANDLED = {400, 409, 410, 413, 415, 422, 429}  # an allowed role's empty or invalid form, answered
REFUSED = {401, 403, 404}


def classify(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return "server error"
    if status in REFUSED:
        return "refused"
    if 300 <= status < 400:
        location = response.get("Location", "")
        path = re.sub(r"^https?://[^/]+", "", location)
        return "refused" if path.startswith(DENIAL_PAGES) else "allowed"
    if 200 <= status < 300:
        return "allowed"
    if status in HANDLED:
        return "handled"
    return f"unexpected {status}"


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        # the test client's wrapper closes the response when the content is read; closing it again
        # here would fire request_finished with the connection-closing handler attached
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("access-matrix")
    dirs = {
        "DATA_DIR": base,
        "MEDIA_ROOT": base / "media",
        "PRIVATE_MEDIA_ROOT": base / "private",
        "LAKE_DIR": base / "lake",
    }
    started = time.monotonic()
    # /media/ is served from the directory the URLconf read at start-up: point it at this demo's
    media = resolve("/media/x").route
    media_pattern = next(p for p in get_resolver().url_patterns if str(p.pattern) == media)
    served_from = media_pattern.default_args["document_root"]
    media_pattern.default_args["document_root"] = dirs["MEDIA_ROOT"]
    with override_settings(**dirs), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world(dirs)
            print(f"\naccess matrix: demo and accounts ready in {time.monotonic() - started:.1f} s")
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media_pattern.default_args["document_root"] = served_from


@pytest.fixture(autouse=True)
def _world_dirs(_isolated_data_dir: None, settings: Any, request: pytest.FixtureRequest) -> None:
    """The demo's files (photo originals, the lake) stay where the module's demo wrote them."""
    if "world" in request.fixturenames:
        built = request.getfixturevalue("world")
        for name, value in built.dirs.items():
            setattr(settings, name, value)
    settings.SECURITY_CONTACT = ["mailto:security@city.example"]  # as a deployed city publishes it


@pytest.fixture(scope="module", autouse=True)
def _no_network() -> Iterator[None]:
    """Writes must not reach an outside server: only this machine answers."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise OSError(f"the access-matrix test reached for {host}")
        return real_connect(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]


def _url(route: Route, fill: Fill) -> str:
    if fill.path is not None:
        url = fill.path
    else:
        assert not route.regex, f"{route.route}: a regex route needs an explicit path in its fill"
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(fill.kwargs[m.group(1)]), route.route)
    return url


def _expected(who: access.Who, principal: Principal) -> bool:
    return who.allows(principal)


OWNER_STATES = ("owner", "owner, no 2FA")


def _principal_for(state: RoleState, fill: Fill, world: World) -> tuple[Principal, Any]:
    """The state's principal, placed relative to the fill's object; and the account to sign in."""
    if state.name in OWNER_STATES:
        user = fill.owner or world.default_owner
        principal = world.principal_of(user, owner=True, second_factor=state.name == "owner")
    else:
        user = world.users.get(state.name)
        principal = state.principal
    return (
        replace(
            principal,
            published=fill.published,
            in_department=bool(fill.department and state.department == fill.department),
        ),
        user,
    )


def _request(client: Client, method: str, url: str, fill: Fill, rule: Rule, key: str | None) -> Any:
    extra: dict[str, Any] = {}
    query = fill.query
    if key is not None:
        extra["HTTP_X_API_KEY"] = key
        extra["HTTP_AUTHORIZATION"] = key
        query = "&".join(q for q in (query, f"api_key={key}") if q)
    if query:
        url = f"{url}?{query}"
    api = url.startswith("/api/")
    if method == "GET":
        return client.get(url, **extra)
    if fill.body is not None:
        body = fill.body if isinstance(fill.body, str) else json.dumps(fill.body)
        return client.generic(method, url, body, content_type="application/json", **extra)
    if api and fill.data is None and not url.startswith(("/api/3/", "/api/action/")):
        return client.generic(method, url, "{}", content_type="application/json", **extra)
    data = dict(fill.data or {})
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)  # the same upload is sent once per role state
    if key is not None:
        data["api_key"] = key
    if method == "POST":
        return client.post(url, data, **extra)
    return client.generic(method, url, "", **extra)


def _refusal_shape(response: Any, body: bytes) -> str | None:
    """A refusal is the platform's page or an error document, never Django's technical page."""
    if 300 <= response.status_code < 400:
        return None
    kind = response.get("Content-Type", "")
    if b"Traceback" in body or b"technical_500" in body or b"Django tried these URL patterns" in body:
        return "Django's technical page"
    if "json" in kind:
        try:
            json.loads(body or b"null")
        except ValueError:
            return "a JSON refusal that is not JSON"
    return None


def check_route(route: Route, rule: Rule, world: World) -> tuple[list[str], int]:
    fills = FILLS.get(rule.route) or FILLS.get(route.route)
    if fills is not None:
        fill_list = fills(world)
    elif route.route.startswith("admin/") and (route.regex or "<" in route.route):
        fill_list = [admin_fill(route.route, world)]
    elif rule.route.startswith("/"):
        fill_list = [Fill(path=rule.route)]
    else:
        fill_list = [Fill()]
    failures: list[str] = []
    count = 0
    world.start_test()
    for fill in fill_list:
        url = _url(route, fill)
        match = resolve(url.split("?")[0])
        if match.route != route.route:
            failures.append(f"{url} resolves to {match.route}, not {route.route}")
            continue
        for method, who in rule.methods.items():
            for state in ROLE_STATES:
                principal, user = _principal_for(state, fill, world)
                if state.name == "owner, no 2FA" and not user.is_staff_role:
                    continue  # the same account and session as "owner"
                allowed = _expected(who, principal)
                key = world.key_for(user, state, fill) if rule.key else None
                client = world.client_for(None if rule.key else user, state, fill)
                with transaction.atomic():
                    world.before_request()
                    response = _request(client, method, url, fill, rule, key)
                    body = body_of(response)
                    transaction.set_rollback(True)
                count += 1
                outcome = classify(response)
                where = f"{method} {url} [{fill.label or 'no object'}] as {state.name}"
                if outcome == "server error":
                    failures.append(f"{where}: {response.status_code} server error")
                elif allowed and outcome not in ("allowed", "handled"):
                    failures.append(
                        f"{where}: expected allowed ({who.label}), got {response.status_code} "
                        f"{response.get('Location', '')}".rstrip()
                    )
                elif not allowed and fill.absent and response.get("Location", "").endswith("/admin/"):
                    pass  # no such row: the admin says so on its index, to staff and others alike
                elif not allowed and outcome != "refused":
                    failures.append(
                        f"{where}: expected refused ({who.label}), got {response.status_code} "
                        f"{response.get('Location', '')}".rstrip()
                        + (f" {body[:300]!r}" if 400 <= response.status_code < 500 else "")
                    )
                elif not allowed:
                    shape = _refusal_shape(response, body)
                    if shape:
                        failures.append(f"{where}: refused with {shape}")
                    if fill.secret and fill.secret.encode() in body:
                        failures.append(f"{where}: refused, but the body holds the object's text {fill.secret!r}")
    return failures, count


@pytest.mark.slow
@pytest.mark.django_db  # the database is set up for this module's demo (the savepoints are ours)
@pytest.mark.parametrize(
    ("route", "rule"), CASES, ids=[rule.route if rule.route.startswith("/") else route.route for route, rule in CASES]
)
def test_route_answers_each_role_as_declared(route: Route, rule: Rule, world: World, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        failures, count = check_route(route, rule, world)
    world.requests += count
    assert not failures, f"{len(failures)} of {count} requests differ from the matrix:\n  " + "\n  ".join(failures)
