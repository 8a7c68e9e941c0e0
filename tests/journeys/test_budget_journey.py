"""Journey 4 of issue 16: a participatory-budget cycle from proposals to the allocation, as people
take it.

A fixture opens a cycle for proposals through the budget services (a cycle of this journey's
own, so the demo's cycles stay as a visitor finds them): its schedule puts the citizen vote six
weeks ahead, as the demo's 2026 cycle did when the vote could not be cast. Then, through the
pages only: the demo `resident` proposes a project on the proposal form (type, map pin, cost);
the `mayor` (first sign-in: the authenticator set up from the key the page shows) moves the
cycle to the eligibility review, reviews both proposals, moves on to the deliberation and to the
vote — which opens now, closing at the time the office page shows; the resident casts a budget
ballot, whose receipt shows again on a reload; the mayor moves on to the allocation and
publishes; the results page shows who was funded and why, amounts as people read them. Every
page is checked for console errors, failed requests, raw codes and untranslated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from . import steps
from .conftest import DemoSite

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys")]

# A fresh demo server refreshes every open-data export when it starts; on SQLite a write waits for
# that refresh, which on a busy 2-core machine can take longer than the default 20 s.
SLOW = 60_000
OTHER = "정류장 쿨링포그 설치"  # the fixture's proposal: 6억 원, no vote will be cast for it
MINE = "동네 공원 야외 도서관"  # the resident's proposal: 5억 원

SETUP = """
from datetime import timedelta
from smartseoul.accounts.models import User
from smartseoul.budget import services
from smartseoul.core import clock

admin = User.objects.get(username="mayor")
now = clock.now()
dates = services.CycleDates(
    submission_opens=now - timedelta(days=1), submission_closes=now + timedelta(days=20),
    review_closes=now + timedelta(days=30), deliberation_closes=now + timedelta(days=40),
    vote_opens=now + timedelta(days=45), vote_closes=now + timedelta(days=60),
)
cycle = services.cycle_create(
    actor=admin, slug={slug!r}, year=2027, name_ko={name!r}, name_en={name!r}, total_amount=2_000_000_000,
    dates=dates, rule="greedy", vote_method="knapsack",
)
services.envelope_create(actor=admin, cycle_id=cycle.pk, kind="citywide", amount=1_000_000_000,
                         name_ko="시 단위 사업", name_en="City-wide projects")
services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="submission")
services.project_submit(
    user=User.objects.get(username="demo-budget-proposer-2"), cycle_id=cycle.pk, proposal_type="broad",
    title={other!r}, summary="한여름 버스정류장에 물안개 냉방 장치를 설치합니다.", requested_cost=600_000_000,
    lat=37.5700, lon=126.9830,
)
"""


def _advance(office: Page, slug: str, expect_phase: str) -> None:
    """On the budget office page: the cycle's "move to the next phase" button, then its new phase."""
    office.goto("/budget/office/")
    steps.check_language(office)
    office.click(f"#advance-{slug}")
    office.wait_for_load_state()
    expect(office.locator(".msg.error")).to_have_count(0)
    expect(office.locator(f"#phase-{slug}")).to_have_text(expect_phase)
    steps.check_language(office)


def _propose(page: Page, slug: str) -> None:
    """The resident finds the cycle, reads what the types mean, pins the place and proposes."""
    page.goto("/budget/")
    steps.check_language(page)
    page.locator(f"a[href='/budget/{slug}/']").first.click()
    page.wait_for_url(f"**/budget/{slug}/")
    steps.check_language(page)
    page.click("#propose-link")
    page.wait_for_url(f"**/budget/{slug}/propose/")
    steps.check_language(page)
    types = page.locator("#proposal-types li")
    expect(types).to_have_count(6)
    for i in range(6):  # each type says what it means
        expect(types.nth(i).locator(".help")).not_to_be_empty()
    expect(page.locator("#democracy-box")).to_be_hidden()  # only for a Democracy Seoul connection
    page.locator("#proposal-types input[value=democracy]").check()
    expect(page.locator("#democracy-box")).to_be_visible()
    page.locator("#proposal-types input[value=broad]").check()
    expect(page.locator("#democracy-box")).to_be_hidden()
    page.fill("#id_title", MINE)
    page.fill("#id_summary", "공원 한쪽에 책장과 그늘 의자를 두어 누구나 책을 읽을 수 있게 합니다.")
    page.locator("#pick-map").click()  # the map's centre: Seoul City Hall
    expect(page.locator("#pin-status")).to_contain_text("찍은 위치:", timeout=SLOW)
    expect(page.locator("#id_district_code")).not_to_have_value("")  # the pin chose the district
    assert page.input_value("#id_lat") and page.input_value("#id_lon")
    page.fill("#id_requested_cost", "500000000")
    expect(page.locator("#cost-words")).to_have_text("= 5억 원")
    page.click("#submit-proposal")
    page.wait_for_url("**/budget/projects/*/")
    expect(page.locator("#project-status")).to_have_text("접수")
    expect(page.locator("main")).to_contain_text("5억 원")
    steps.check_language(page)
    # (screenshots only once a page is done with: a full-page screenshot resizes the window, and
    # Leaflet's redraw afterwards can move the form under the next click)
    steps.look(page, "budget-proposed")


def _review_all(office: Page, slug: str) -> None:
    """Every proposal in the review queue: eligible, the official cost, the department."""
    office.goto(f"/budget/office/cycles/{slug}/")
    steps.check_language(office)
    queue = office.locator("#review-queue a")
    expect(queue).to_have_count(2)
    for _ in range(2):
        office.goto(f"/budget/office/cycles/{slug}/")
        office.locator("#review-queue a").first.click()
        office.wait_for_url("**/budget/office/projects/*/")
        steps.check_language(office)
        office.select_option("#id_feasible", "yes")
        office.select_option("#id_department_code", "seoul-transport")
        assert office.input_value("#id_cost")  # the requested cost, for the official to confirm
        office.click("#save-review")
        office.wait_for_load_state()
        expect(office.locator("#project-status")).to_have_text("적격")
        steps.check_language(office)
    office.goto(f"/budget/office/cycles/{slug}/")
    expect(office.locator("#review-queue a")).to_have_count(0)


def _vote(page: Page, slug: str) -> None:
    page.goto(f"/budget/{slug}/")
    steps.check_language(page)
    banner = page.locator("#vote-banner")
    expect(banner).to_be_visible()
    expect(banner.locator("#vote-closes")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    page.locator(".envelopes a.button").first.click()
    page.wait_for_url("**/budget/envelopes/*/vote/")
    steps.check_language(page)
    expect(page.locator("#chosen-total")).to_have_text("0원")
    page.locator(".ballot-option", has_text=MINE).locator("input[type=checkbox]").check()
    expect(page.locator("#chosen-total")).to_have_text("5억 원")
    page.click("#cast")
    page.wait_for_url("**/budget/envelopes/*/vote/")
    tracker = page.locator("#receipt-tracker").inner_text()
    assert re.fullmatch(r"[A-Z0-9-]{6,}", tracker), tracker
    steps.check_language(page)
    page.reload()  # post/redirect/get: the receipt again, nothing cast again
    expect(page.locator("#receipt-tracker")).to_have_text(tracker)
    expect(page.locator("#ballot")).to_have_count(0)
    steps.look(page, "budget-ballot-receipt")
    page.goto(page.locator("#receipt a.button").get_attribute("href") or "")
    page.wait_for_url("**/voting/receipt/?tracker=*")
    expect(page.locator("main")).to_contain_text(tracker)
    steps.check_language(page)


def _results(page: Page, slug: str) -> None:
    page.goto(f"/budget/{slug}/")
    steps.check_language(page)
    page.click("#results-link")
    page.wait_for_url(f"**/budget/{slug}/results/")
    steps.check_language(page)
    expect(page.locator("#budget-map")).to_be_visible()
    funded = page.locator(".outcomes li", has_text=MINE)
    expect(funded.locator(".status")).to_have_text("선정")
    expect(funded.locator(".why")).to_have_text("선정: 1위, 1표. 사업비 5억 원이 남은 예산 10억 원 안에 들어갔습니다.")
    other = page.locator(".outcomes li", has_text=OTHER)
    expect(other.locator(".status")).to_have_text("미선정")
    expect(other.locator(".why")).to_contain_text("남은 예산 5억 원으로는 사업비 6억 원을 감당할 수 없었습니다")
    steps.look(page, "budget-results")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_official_moves_a_cycle_to_the_vote_a_citizen_votes_and_the_allocation_shows_why(
    size: str, demo_site: DemoSite, open_page: Callable[..., Page], unique: Callable[[str], str]
) -> None:
    slug = unique("budget")
    name = f"여정 {slug} 시민참여예산"
    demo_site.shell(SETUP.format(slug=slug, name=name, other=OTHER))

    resident = open_page(size)
    resident.set_default_timeout(SLOW)
    steps.sign_in(resident, "resident")
    _propose(resident, slug)

    office = open_page(size)
    office.set_default_timeout(SLOW)
    steps.official_sign_in(office, "mayor")
    _advance(office, slug, "적격성 심사")
    _review_all(office, slug)
    _advance(office, slug, "위원회 심의")

    # the vote is scheduled six weeks ahead; the office opens it now, closing when the page says
    office.goto("/budget/office/")
    closes = office.locator(f"#id_{slug}_vote_closes")
    expect(closes).to_have_value(re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"))
    shown = closes.input_value().replace("T", " ")  # Seoul time, as the pages write it
    steps.look(office, "budget-office-before-vote")
    _advance(office, slug, "시민 투표")
    expect(office.locator(".msg.success")).to_contain_text(f"시민 투표가 시작되었습니다. 마감: {shown}")
    expect(office.locator(f"#vote-closes-{slug}")).to_contain_text(f"{shown} 마감")

    _vote(resident, slug)

    _advance(office, slug, "예산 배분")
    _advance(office, slug, "사업 집행")

    visitor = open_page(size)
    _results(visitor, slug)
