"""The declared access matrix: for every route, per method, who may use it.

Each module declares the rows of its own routes in `<module>/access.py` (a tuple `RULES`); this
file holds the vocabulary, the rows of the site's own routes (shell pages, Django's admin, the API
root, i18n, media) and `rules()`, which collects them all. A row is keyed by the URL pattern's name
(`"opendata:publish"`) or, where names are not unique (the API's operations), by the full route
string as Django's resolver spells it (`"api/v1/opendata/datasets/<name>"`).

    Rule("opendata:publish", GET=STAFF_2FA("publisher"), POST=STAFF_2FA("publisher"))

The rules describe the policy; the views and services enforce it (through `accounts.policy` and
each module's checks). `tests/security/test_access_matrix.py` walks Django's URL resolver, fails
for a route without a row (or a row without a route) and checks every route and method against its
row for every role state below, on the Seoul demo data. A staff account that has not passed its
second factor in this session holds exactly a citizen's permissions, which is why the staff
shorthands all say `_2FA`.

`render_markdown()` draws the matrix for `docs/security.md`:
`python -m smartseoul.core.access --write docs/security.md` (or `--check`).
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STAFF_ROLES = frozenset({"official", "district_admin", "city_admin", "auditor"})
PHONE, RESIDENT_LEVEL = 1, 2  # accounts.Verification levels
MARKER_START = "<!-- access-matrix:start -->"
MARKER_END = "<!-- access-matrix:end -->"


@dataclass(frozen=True)
class Principal:
    """Who is asking, as far as access is concerned, and how they stand to the route's object."""

    signed_in: bool = False
    verification: int = 0
    role: str = "citizen"
    superuser: bool = False
    second_factor: bool = False
    capabilities: frozenset[str] = frozenset()
    owner: bool = False  # owns the object in the URL (a report, a draft, a key, a theme map …)
    in_department: bool = False  # belongs to the department that handles the object
    published: bool = False  # the object in the URL is public (a published vote, a public dataset …)

    @property
    def staff_account(self) -> bool:
        return self.role in STAFF_ROLES or self.superuser

    @property
    def acts_as_staff(self) -> bool:
        """Staff permissions hold only after the second factor in this session."""
        return self.staff_account and self.second_factor

    @property
    def is_official(self) -> bool:
        return self.acts_as_staff and (self.role != "auditor" or self.superuser)

    @property
    def is_city_admin(self) -> bool:
        return self.acts_as_staff and (self.superuser or self.role == "city_admin")

    def has_capability(self, capability: str) -> bool:
        if self.staff_account and not self.second_factor:
            return False
        return self.is_city_admin or capability in self.capabilities


@dataclass(frozen=True)
class Who:
    """A set of principals, with the words the matrix prints for it. Combine with `|` and `&`."""

    label: str
    test: Callable[[Principal], bool] = field(compare=False, repr=False)
    atoms: frozenset[str] = frozenset()  # OWNER, DEPARTMENT, PUBLISHED: what the route's object must say

    def allows(self, principal: Principal) -> bool:
        return bool(self.test(principal))

    def __or__(self, other: Who) -> Who:
        return Who(f"{self.label} | {other.label}", lambda p: self.test(p) or other.test(p), self.atoms | other.atoms)

    def __and__(self, other: Who) -> Who:
        return Who(f"{self.label} & {other.label}", lambda p: self.test(p) and other.test(p), self.atoms | other.atoms)

    def named(self, label: str) -> Who:
        return replace(self, label=label)


PUBLIC = Who("anyone", lambda p: True)
NOBODY = Who("nobody", lambda p: False)
SIGNED_IN = Who("signed in", lambda p: p.signed_in)
PHONE_VERIFIED = Who("phone verified", lambda p: p.signed_in and p.verification >= PHONE)
RESIDENT = Who("resident verified", lambda p: p.signed_in and p.verification >= RESIDENT_LEVEL)
OWNER = Who("owner", lambda p: p.signed_in and p.owner, frozenset({"OWNER"}))
# an owner whose ownership is a staff duty (an assigned caseworker): only after their second factor
OWNER_2FA = Who(
    "owner (+2FA if staff)",
    lambda p: p.signed_in and p.owner and (not p.staff_account or p.second_factor),
    frozenset({"OWNER"}),
)
# signed in, and a staff account only after its second factor (before it, it is sent to that page)
SETTLED = Who("signed in (staff +2FA)", lambda p: p.signed_in and (not p.staff_account or p.second_factor))
PUBLISHED = Who("anyone, if public", lambda p: p.published, frozenset({"PUBLISHED"}))
STAFF = Who("staff+2FA", lambda p: p.acts_as_staff)
CITY_ADMIN = Who("city admin+2FA", lambda p: p.is_city_admin)
AUDITOR = Who("auditor+2FA", lambda p: p.acts_as_staff and p.role == "auditor")
DEPARTMENT = Who(
    "its department+2FA", lambda p: p.is_official and (p.in_department or p.is_city_admin), frozenset({"DEPARTMENT"})
)


def STAFF_2FA(capability: str | None = None) -> Who:
    """An official (not an auditor) after the second factor; with a capability, one who holds it
    (a city administrator holds every capability)."""
    if capability is None:
        return Who("official+2FA", lambda p: p.is_official)
    return Who(f"{capability}+2FA", lambda p: p.is_official and p.has_capability(capability))


def CAPABILITY(capability: str) -> Who:
    """Anyone holding a capability (citizens hold some, e.g. the budget committee); staff only after 2FA."""
    return Who(capability, lambda p: p.signed_in and p.has_capability(capability))


class Rule:
    """One row: a route (its name, or its route string) and who may use each method.

    `key`: the route is used with an API key of this scope (machine clients); the roles then name
    the key's owner, and a key carries staff permissions only if it was created after the second
    factor."""

    def __init__(
        self,
        route: str,
        *,
        GET: Who | None = None,
        POST: Who | None = None,
        PUT: Who | None = None,
        PATCH: Who | None = None,
        DELETE: Who | None = None,
        key: str | None = None,
        note: str = "",
    ) -> None:
        given = {"GET": GET, "POST": POST, "PUT": PUT, "PATCH": PATCH, "DELETE": DELETE}
        self.route = route
        self.methods: dict[str, Who] = {m: w for m, w in given.items() if w is not None}
        self.key = key
        self.note = note
        if not self.methods:
            raise ValueError(f"{route}: a rule names at least one method")

    @property
    def is_pattern(self) -> bool:
        """`"admin/*"` covers every route under admin/ (Django's admin generates them per model);
        `*` matches any run of characters. A route takes the first pattern it matches, in the
        order declared, so the narrow ones come first."""
        return "*" in self.route

    def covers(self, route: str) -> bool:
        return self.is_pattern and fnmatch.fnmatchcase(route, self.route)

    @property
    def atoms(self) -> frozenset[str]:
        return frozenset().union(*(w.atoms for w in self.methods.values()))

    def __repr__(self) -> str:
        methods = ", ".join(f"{m}={w.label!r}" for m, w in self.methods.items())
        return f"Rule({self.route!r}, {methods})"


@dataclass(frozen=True)
class RoleState:
    """A column of the matrix: a kind of account and whether it passed its second factor. The test
    creates one account per state from these fields and signs it in."""

    name: str
    principal: Principal
    department: str | None = None  # the department code of the account (officials)
    district: str | None = None  # the home district code (citizens)
    in_docs: bool = True  # "owner, no 2FA" differs from "owner" only for a staff owner: tested, not drawn


def _staff(role: str, *caps: str, second_factor: bool = True, superuser: bool = False) -> Principal:
    return Principal(
        signed_in=True,
        verification=PHONE,
        role=role,
        superuser=superuser,
        second_factor=second_factor,
        capabilities=frozenset(caps),
    )


ROLE_STATES: tuple[RoleState, ...] = (
    RoleState("anonymous", Principal()),
    RoleState("citizen", Principal(signed_in=True, verification=PHONE), district="11110"),
    RoleState("resident", Principal(signed_in=True, verification=RESIDENT_LEVEL), district="11680"),
    RoleState("official", _staff("official", second_factor=False), department="11110-parking"),
    RoleState("official+2FA", _staff("official"), department="11110-parking"),
    RoleState("caseworker+2FA", _staff("official", "caseworker"), department="11110-welfare"),
    RoleState("analyst+2FA", _staff("official", "analyst", "publisher"), department="seoul-data"),
    RoleState(
        "planner+2FA",
        _staff("official", "proposal_selection", "moderator", "vote_owner"),
        department="seoul-democracy",
    ),
    RoleState("mayor", _staff("city_admin", "mayor", second_factor=False, superuser=True)),
    RoleState("mayor+2FA", _staff("city_admin", "mayor", superuser=True)),
    RoleState("auditor+2FA", _staff("auditor")),
    # The owner of the route's object (for a route without one: a citizen with reports, ballots …),
    # signed in with the second factor if it is a staff account, and once without it.
    RoleState("owner", Principal(signed_in=True, verification=PHONE, second_factor=True, owner=True)),
    RoleState("owner, no 2FA", Principal(signed_in=True, verification=PHONE, owner=True), in_docs=False),
)


# --- the site's own routes (smartseoul/urls.py, smartseoul/api.py, core's pages and API) -------------

RULES: tuple[Rule, ...] = (
    Rule("home", GET=PUBLIC),
    Rule("search", GET=PUBLIC, note="each module's search returns only what the reader may see"),
    Rule("web-manifest", GET=PUBLIC),
    Rule("healthz", GET=PUBLIC),
    Rule("security-txt", GET=PUBLIC, note="404 until SMARTSEOUL_SECURITY_CONTACT is set"),
    Rule("office", GET=STAFF),
    Rule("dev-outbox", GET=PUBLIC, note="development and demo only: 404 in production"),
    Rule("favicon.ico", GET=PUBLIC),
    Rule("set_language", POST=PUBLIC),
    Rule("javascript-catalog", GET=PUBLIC),
    # Django's admin: staff after the second factor; each model's pages only with its permissions
    # (no role state but the city administrator holds any).
    Rule("admin:index", GET=STAFF),
    Rule("admin:login", GET=SETTLED, POST=NOBODY, note="passwords are checked only on the platform's sign-in page"),
    Rule("admin:logout", POST=PUBLIC, note="signs out whoever asks"),
    Rule("admin:password_change", GET=STAFF, POST=STAFF),
    Rule("admin:password_change_done", GET=STAFF),
    Rule("admin:autocomplete", GET=NOBODY, note="no admin page declares autocomplete fields"),
    Rule("admin:jsi18n", GET=STAFF),
    Rule("admin:view_on_site", GET=NOBODY, note="no model has a public page address to redirect to"),
    Rule("admin:app_list", GET=CITY_ADMIN),
    Rule(r"admin/(?P<url>.*)$", GET=NOBODY, note="Django's admin answers 404 for any other path"),
    # read-only models: the audit log and the task results are written by the platform only
    Rule("admin/core/auditevent/<path:object_id>/change/", GET=CITY_ADMIN, POST=NOBODY, note="read-only"),
    Rule("admin/core/auditevent/<path:object_id>/delete/", GET=NOBODY, POST=NOBODY),
    Rule("admin/django_tasks_database/dbtaskresult/add/", GET=NOBODY, POST=NOBODY),
    Rule("admin/django_tasks_database/dbtaskresult/<path:object_id>/change/", GET=CITY_ADMIN, POST=NOBODY),
    Rule("admin/django_tasks_database/dbtaskresult/<path:object_id>/delete/", GET=NOBODY, POST=NOBODY),
    Rule("admin/*/<path:object_id>/", GET=STAFF, POST=STAFF, note="Django's old address: redirects to …/change/"),
    Rule("admin/*", GET=CITY_ADMIN, POST=CITY_ADMIN, note="every model's list, add, change, delete, history"),
    Rule("media/<path:path>", GET=PUBLIC, note="public copies only; originals live outside MEDIA_ROOT"),
    Rule("api/docs", GET=PUBLIC),
    Rule("api:api-root", GET=NOBODY, note="no page at the API's root: its description is /api/v1/openapi.json"),
    Rule("api:openapi-json", GET=PUBLIC),
    Rule("api:openapi-view", GET=PUBLIC),
    Rule("api/v1/version", GET=PUBLIC),
    Rule("api/v1/city/districts", GET=PUBLIC),
    Rule("api/v1/city/locate", GET=PUBLIC),
    Rule("api/v1/city/inbox", GET=SIGNED_IN),
    Rule("core:inbox", GET=SIGNED_IN),
    Rule("core:inbox-read", POST=OWNER, note="one's own notifications only"),
    Rule("core:audit-log", GET=AUDITOR | CITY_ADMIN),
    Rule("core:audit-log-csv", GET=AUDITOR | CITY_ADMIN),
    Rule("core:districts-geojson", GET=PUBLIC),
)


def rules() -> tuple[Rule, ...]:
    """Every declared row: the site's, then each registered module's `<module>/access.py`."""
    from django.apps import apps

    found: list[Rule] = []
    for config in apps.get_app_configs():
        if getattr(config, "manifest", None) is None:
            continue
        name = f"{config.name}.access"
        if importlib.util.find_spec(name) is None:
            continue
        found.extend(importlib.import_module(name).RULES)
    seen: set[str] = set()
    for rule in found:
        if rule.route in seen:
            raise ValueError(f"two access rules for {rule.route!r}")
        seen.add(rule.route)
    return tuple(found)


# --- the matrix as a table --------------------------------------------------------------------------


def cell(who: Who, state: RoleState) -> str:
    """✓ always; ✗ never; otherwise the conditions under which (owner, dept, public)."""
    p = state.principal
    if who.allows(p):
        return "✓"
    conditions = []
    if who.allows(replace(p, published=True)):
        conditions.append("public")
    if who.allows(replace(p, in_department=True)):
        conditions.append("dept")
    if who.allows(replace(p, owner=True)):
        conditions.append("owner")
    return " / ".join(conditions) or "✗"


def render_markdown(rule_set: Iterable[Rule] | None = None) -> str:
    states = [s for s in ROLE_STATES if s.in_docs]
    lines = [
        "| Route | Method | " + " | ".join(s.name for s in states) + " | Note |",
        "|---|---|" + "---|" * len(states) + "---|",
    ]
    for rule in sorted(rule_set if rule_set is not None else rules(), key=lambda r: r.route):
        route = "`" + rule.route.replace("|", "\\|") + "`"
        if rule.key:
            route += f" (API key `{rule.key}`)"
        note = rule.note.replace("|", "\\|")
        for method, who in rule.methods.items():
            cells = " | ".join(cell(who, s) for s in states)
            lines.append(f"| {route} | {method} | {cells} | {note} |")
            note = ""
    legend = (
        "✓ allowed · ✗ refused (401/403/404, or the sign-in or second-factor page) · "
        "owner: only for the object's owner · dept: only for the department handling it · "
        "public: only while the object is public. “+2FA”: after the second factor in this session; "
        "without it a staff account has a citizen's permissions."
    )
    return "\n".join([legend, "", *lines])


def replace_between_markers(text: str, table: str) -> str:
    start, end = text.index(MARKER_START) + len(MARKER_START), text.index(MARKER_END)
    return f"{text[:start]}\n{table}\n{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    import argparse

    import django

    parser = argparse.ArgumentParser(prog="python -m smartseoul.core.access", description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="FILE", help="replace the table between the markers in FILE")
    parser.add_argument("--check", metavar="FILE", help="exit 1 if the table in FILE is not the current one")
    args = parser.parse_args(argv)
    django.setup()
    table = render_markdown()
    target = args.write or args.check
    if target is None:
        print(table)  # noqa: T201
        return 0
    path = Path(target)
    current = path.read_text(encoding="utf-8")
    wanted = replace_between_markers(current, table)
    if args.check:
        return 0 if current == wanted else 1
    path.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    raise SystemExit(main())
