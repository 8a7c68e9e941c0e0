"""Accessibility, language and weight of the main pages, on a fresh demo, as the demo roles see them.

axe-core (the copy `axe-playwright-python` ships: nothing is fetched at run time) checks every page
of the main set — the home page, each module's main public pages, sign-in and sign-up, the report
form, a report, the Talk Map, a vote, a receipt, a budget cycle, a project and the proposal form,
a proposal, a dataset, the API docs, the air-quality map, the city map, the mayor's office and the
back-office queues — at 390×844 and 1440×900, in Korean. A serious or critical violation fails.

The same visits feed the language check (a Korean page shows no stored value such as
`in_progress` and no English interface text of the catalogues, `tests/journeys/steps.py`) and
write screenshots of the ten main pages to var/screenshots/ for people to look at. Each role signs
in once per size through the real pages (officials through the second-factor page), and every
visit's findings are written to var/test-artefacts/accessibility/ as JSON.

The weight test loads the home page and the report form with an empty cache and sums what the
browser transferred (compressed), with and without fonts, and fails on a script, style sheet or
font from another host.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from . import steps
from .conftest import LOCALES, SIZES, DemoSite, PageWatch, _answer_off_site

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys"), pytest.mark.slow,
              pytest.mark.presentation]

SCREENSHOTS = steps.REPO / "var" / "screenshots"
ARTEFACTS = steps.REPO / "var" / "test-artefacts" / "accessibility"
FAILING_IMPACTS = {"serious", "critical"}
SLOW_PAGES = {"/mayor/": 180_000}  # a fresh server computes every widget of the board once

# (role, path, screenshot name for the ten main pages). `{…}` are read from the demo's data;
# `{office_report}` is the first report in the official's queue.
PAGES: list[tuple[str, str, str | None]] = [
    ("anonymous", "/", "home"),
    ("anonymous", "/accounts/login/", None),
    ("anonymous", "/accounts/signup/", None),
    ("citizen", "/", None),
    ("citizen", "/complaints/new/", "report-form"),
    ("citizen", "/complaints/r/{complaint}/", None),
    ("citizen", "/complaints/map/", "talk-map"),
    ("citizen", "/complaints/mine/", None),
    ("citizen", "/voting/", "votes"),
    ("citizen", "/voting/{vote}/", "vote"),
    ("citizen", "/voting/{closed_vote}/results/", None),
    ("citizen", "/voting/receipt/?tracker={tracker}", None),
    ("citizen", "/voting/receipts/", None),
    ("citizen", "/budget/", "budget"),
    ("citizen", "/budget/{cycle}/", None),
    ("citizen", "/budget/projects/{project}/", None),
    ("citizen", "/budget/{cycle}/propose/", None),
    ("citizen", "/democracy/", "democracy"),
    ("citizen", "/democracy/p/{proposal}/", None),
    ("citizen", "/democracy/new/", None),
    ("citizen", "/opendata/", "opendata"),
    ("citizen", "/opendata/dataset/{dataset}/", None),
    ("citizen", "/api/v1/docs", None),
    ("citizen", "/sensors/", None),
    ("citizen", "/map/", "city-map"),
    ("citizen", "/map/around/", None),
    ("citizen", "/analytics/commerce/", None),
    ("citizen", "/accounts/profile/", None),
    ("citizen", "/city/inbox/", None),
    ("official", "/office/", None),
    ("official", "/complaints/office/", None),
    ("official", "/complaints/office/r/{office_report}/", None),
    ("analyst", "/analytics/", None),
    ("mayor", "/mayor/", "mayor"),
]
OFFICIALS = {"official", "analyst", "mayor"}

DEMO_IDS = """
import json
from smartseoul.budget.models import Cycle, Project
from smartseoul.complaints.models import Complaint
from smartseoul.democracy.models import Proposal
from smartseoul.opendata.models import Dataset
from smartseoul.voting.models import Ballot, Status, Vote
cycle = Cycle.objects.order_by("-year").first()
print(json.dumps({
    "complaint": Complaint.objects.order_by("id").first().number,
    "vote": Vote.objects.filter(status=Status.PUBLISHED).order_by("id").first().id,
    "closed_vote": Vote.objects.filter(status=Status.CLOSED).order_by("id").first().id,
    "tracker": Ballot.objects.filter(current=True).order_by("id").first().tracker,
    "cycle": cycle.slug,
    "project": Project.objects.filter(cycle=cycle).order_by("id").first().code,
    "proposal": Proposal.objects.order_by("id").first().id,
    "dataset": Dataset.objects.filter(state="active").order_by("name").first().name,
}))
"""


@dataclass
class Visit:
    role: str
    path: str
    size: str
    url: str = ""
    problems: list[str] = field(default_factory=list)  # the page could not be checked
    violations: list[dict[str, Any]] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors, failed requests
    text: str = ""  # the visible text the language check read


def _context(browser: Browser, site: DemoSite, size: str) -> BrowserContext:
    context = browser.new_context(**SIZES[size], locale=LOCALES["ko"], base_url=site.url, timezone_id="Asia/Seoul")
    context.route("**/*", lambda route: _answer_off_site(route, site.url))
    return context


def _watched(context: BrowserContext, site: DemoSite) -> tuple[Page, PageWatch]:
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch = PageWatch(site=site.url)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.on("response", watch.on_response)
    page.on("requestfailed", watch.on_request_failed)
    page.journey_watch = watch  # type: ignore[attr-defined]
    page.journey_lang = "ko"  # type: ignore[attr-defined]
    return page, watch


def _sign_in(page: Page, role: str) -> None:
    if role in OFFICIALS:
        steps.official_sign_in(page, role, check_pages=False)
    elif role != "anonymous":
        steps.sign_in(page, role, check_pages=False)


def _violations(page: Page, axe: Axe) -> list[dict[str, Any]]:
    results = axe.run(page).response
    return [
        {
            "rule": v["id"],
            "impact": v.get("impact") or "",
            "help": v.get("help", ""),
            "nodes": len(v["nodes"]),
            "target": " ".join(map(str, v["nodes"][0]["target"])) if v["nodes"] else "",
        }
        for v in results["violations"]
    ]


def _audit(browser: Browser, site: DemoSite, size: str, ids: dict[str, str]) -> list[Visit]:
    axe = Axe()
    visits: list[Visit] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for role in dict.fromkeys(r for r, _, _ in PAGES):
        context = _context(browser, site, size)
        try:
            page, watch = _watched(context, site)
            try:
                _sign_in(page, role)
            except AssertionError as exc:
                visits += [
                    Visit(role, p, size, problems=[f"{role} could not sign in: {exc}"])
                    for r, p, _ in PAGES
                    if r == role
                ]
                continue
            for _, template, shot in (entry for entry in PAGES if entry[0] == role):
                visit = Visit(role, template, size)
                visits.append(visit)
                if "{office_report}" in template and "office_report" not in ids:
                    link = page.locator("a[href*='/complaints/office/r/']").first
                    href = link.get_attribute("href") if link.count() else None
                    if not href:
                        visit.problems.append("the official's queue links to no report")
                        continue
                    ids["office_report"] = href.rstrip("/").split("/")[-1]
                path = template.format(**ids)
                watch.problems.clear()
                try:
                    response = page.goto(path, timeout=SLOW_PAGES.get(path, 60_000))
                    with contextlib.suppress(PlaywrightError):  # a page that keeps polling is still checked
                        page.wait_for_load_state("networkidle", timeout=10_000)
                except PlaywrightError as exc:  # one broken page must not hide the others
                    visit.problems.append(f"did not load: {exc}".splitlines()[0])
                    continue
                visit.url = urlparse(page.url).path + (
                    f"?{urlparse(page.url).query}" if urlparse(page.url).query else ""
                )
                if response is not None and response.status >= 400:
                    visit.problems.append(f"answered {response.status}")
                if "/accounts/login/" in page.url and "/accounts/login/" not in path:
                    visit.problems.append("sent to the sign-in page")
                try:
                    visit.violations = _violations(page, axe)
                except PlaywrightError as exc:
                    visit.problems.append(f"axe-core could not run: {exc}".splitlines()[0])
                visit.text = page.evaluate(steps.VISIBLE_TEXT)
                visit.language = steps.language_problems(visit.text, "ko")
                visit.errors = list(dict.fromkeys(watch.problems))
                if shot and not visit.problems:
                    page.screenshot(path=str(SCREENSHOTS / f"{shot}-{size}.png"), full_page=True)
        finally:
            context.close()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"{size}.json").write_text(
        json.dumps([asdict(v) for v in visits], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return visits


@pytest.fixture(scope="module")
def audit(browser: Browser, demo_site: DemoSite) -> Iterator[Callable[[str], list[Visit]]]:
    """audit(size) -> every page of the main set visited at that size (once per run)."""
    done: dict[str, list[Visit]] = {}
    ids: dict[str, str] = {}

    def run(size: str) -> list[Visit]:
        if not ids:
            ids.update({k: str(v) for k, v in json.loads(demo_site.shell(DEMO_IDS).strip().splitlines()[-1]).items()})
        if size not in done:
            done[size] = _audit(browser, demo_site, size, dict(ids))
        return done[size]

    yield run


def _where(v: Visit) -> str:
    return f"{v.url or v.path} [{v.role}, {v.size}]"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_no_page_has_a_serious_or_critical_accessibility_violation(size: str, audit: Any) -> None:
    visits = audit(size)
    checked = [v for v in visits if not v.problems]
    found = [(v, x) for v in visits for x in v.violations]
    print(f"\naxe-core {size}: {len(checked)} of {len(visits)} pages checked, {len(found)} violations")
    for v, x in found:
        print(f"  {x['impact']:9} {x['rule']:28} {_where(v)} ({x['nodes']}×) {x['target']}")
    for v in visits:
        for p in v.problems:
            print(f"  NOT CHECKED {_where(v)}: {p}")
    failing = [(v, x) for v, x in found if x["impact"] in FAILING_IMPACTS]
    by_rule = Counter(x["rule"] for _, x in failing)
    assert len({v.path for v in visits}) >= 30, "the main set has at least 30 pages"
    lines = [f"{x['impact']} {x['rule']} on {_where(v)}: {x['target']}" for v, x in failing]
    lines += [f"not checked: {_where(v)}: {p}" for v in visits for p in v.problems]
    assert not lines, (
        f"{len(failing)} serious or critical violations ({dict(by_rule)}) on {len(checked)} pages:\n" + "\n".join(lines)
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_korean_pages_show_no_raw_values_or_english_interface_text(size: str, audit: Any) -> None:
    visits = audit(size)
    lines = [f"{_where(v)}: {p}" for v in visits for p in v.language]
    print(f"\nlanguage {size}: {len(lines)} problems on {sum(1 for v in visits if v.language)} pages")
    for line in lines:
        print("  " + line)
    assert not lines, f"{len(lines)} raw values or untranslated texts on Korean pages:\n" + "\n".join(lines)


# --- text resized to 200 % ------------------------------------------------------------------------

LARGE_TEXT_PAGES = [("anonymous", "/"), ("anonymous", "/accounts/login/"), ("anonymous", "/voting/"),
                    ("anonymous", "/budget/"), ("anonymous", "/democracy/"), ("anonymous", "/opendata/"),
                    ("anonymous", "/sensors/"), ("anonymous", "/map/"), ("citizen", "/complaints/new/")]
OVERFLOW = """() => {
  const de = document.documentElement, menu = document.querySelector('#menu-open');
  const r = menu && getComputedStyle(menu).display !== 'none' ? menu.getBoundingClientRect() : null;
  return {scroll: de.scrollWidth, width: de.clientWidth, menu: r ? [Math.round(r.left), Math.round(r.right)] : null};
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_text_resized_to_200_percent_loses_nothing(size: str, browser: Browser, demo_site: DemoSite) -> None:
    """WCAG 1.4.4: a person who sets the browser's text size to 200 % (a default font of 32 px
    instead of 16; KRDS sizes everything in rem) reads every page without scrolling sideways, and
    the menu stays on the screen. Screenshots go to var/screenshots/large-text-*.png."""
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for role in dict.fromkeys(r for r, _ in LARGE_TEXT_PAGES):
        context = _context(browser, demo_site, size)
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            cdp = context.new_cdp_session(page)
            cdp.send("Page.enable")
            cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
            _sign_in(page, role)
            for path in (p for r, p in LARGE_TEXT_PAGES if r == role):
                page.goto(path)
                with contextlib.suppress(PlaywrightError):
                    page.wait_for_load_state("networkidle", timeout=10_000)
                assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px", path
                found = page.evaluate(OVERFLOW)
                if found["scroll"] > found["width"] + 1:
                    problems.append(f"{path} [{size}]: {found['scroll']} px wide on a {found['width']} px screen")
                if found["menu"] and (found["menu"][0] < 0 or found["menu"][1] > found["width"] + 1):
                    problems.append(f"{path} [{size}]: the menu button is off the screen at {found['menu']}")
                name = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=str(SCREENSHOTS / f"large-text-{name}-{size}.png"))
        finally:
            context.close()
    print(f"\nlarge text {size}: {len(LARGE_TEXT_PAGES)} pages, {len(problems)} problems")
    assert not problems, "\n".join(problems)


# --- page weight ---------------------------------------------------------------------------------

BUDGET_WITHOUT_FONTS = 200 * 1024
BUDGET_WITH_FONTS = 700 * 1024


def _first_load(context: BrowserContext, page: Page, path: str, site: str) -> dict[str, Any]:
    """Loads `path` with an empty cache; sums the bytes the browser received for each request."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    seen: dict[str, dict[str, Any]] = {}

    def sent(e: dict[str, Any]) -> None:
        seen.setdefault(e["requestId"], {}).update(url=e["request"]["url"], type=e.get("type", ""))

    def received(e: dict[str, Any]) -> None:
        seen.setdefault(e["requestId"], {}).update(type=e.get("type", ""), status=e["response"]["status"])

    def finished(e: dict[str, Any]) -> None:
        seen.setdefault(e["requestId"], {})["bytes"] = e["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(path, wait_until="load")
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=10_000)
    page.wait_for_timeout(300)  # the last loadingFinished events arrive after the idle signal
    cdp.detach()
    host = urlparse(site).netloc
    own = [r for r in seen.values() if urlparse(r.get("url", "")).netloc == host]
    foreign = [
        f"{r.get('type')} {r.get('url')}"
        for r in seen.values()
        if urlparse(r.get("url", "")).netloc not in {host, ""}
        and r.get("type") in {"Script", "Stylesheet", "Font"}
        and not r.get("url", "").startswith("data:")
    ]
    fonts = sum(r.get("bytes", 0) for r in own if r.get("type") == "Font")
    total = sum(r.get("bytes", 0) for r in own)
    by_type: Counter[str] = Counter()
    for r in own:
        by_type[r.get("type") or "Other"] += r.get("bytes", 0)
    return {
        "path": path,
        "requests": len(own),
        "total": total,
        "fonts": fonts,
        "without_fonts": total - fonts,
        "by_type": dict(by_type),
        "foreign": foreign,
    }


def test_home_page_and_report_form_stay_within_their_weight_budget(browser: Browser, demo_site: DemoSite) -> None:
    figures = []
    for role, path in (("anonymous", "/"), ("citizen", "/complaints/new/")):
        context = browser.new_context(
            **SIZES["phone"], locale=LOCALES["ko"], base_url=demo_site.url, timezone_id="Asia/Seoul"
        )
        context.route(
            lambda url: not url.startswith(demo_site.url), lambda route: _answer_off_site(route, demo_site.url)
        )
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            _sign_in(page, role)
            figures.append(_first_load(context, page, path, demo_site.url))
        finally:
            context.close()
    problems = []
    print()
    for f in figures:
        kb = {k: round(v / 1024, 1) for k, v in f["by_type"].items()}
        print(
            f"page weight {f['path']}: {f['total'] / 1024:.1f} KB in {f['requests']} requests, "
            f"{f['without_fonts'] / 1024:.1f} KB without fonts, fonts {f['fonts'] / 1024:.1f} KB; by type {kb}"
        )
        if f["without_fonts"] >= BUDGET_WITHOUT_FONTS:
            problems.append(f"{f['path']}: {f['without_fonts'] / 1024:.1f} KB without fonts (budget 200 KB)")
        if f["total"] >= BUDGET_WITH_FONTS:
            problems.append(f"{f['path']}: {f['total'] / 1024:.1f} KB with fonts (budget 700 KB)")
        problems += [f"{f['path']}: from another host: {r}" for r in f["foreign"]]
        assert f["requests"] >= 2 and f["total"] > 0, f"nothing measured for {f['path']}: {f}"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "weight.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    assert not problems, "\n".join(problems)
