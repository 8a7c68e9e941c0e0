"""Journeys 1 and 2 of issue 16: a newcomer reports a problem; a new official answers it.

1. A newcomer signs up, verifies the phone with the code read on the development outbox page,
   files an illegal-parking report in Jongno-gu with a photo (a small JPEG made here), and finds
   it on the Talk Map and in "my reports".
2. A new official — created the way an administrator creates one (`smartseoul createofficial`),
   so the first sign-in always goes through the authenticator set-up page — signs in, sets up
   the key the page shows, passes the second factor, finds the report in the office queue and
   answers it with a photo of the fix. The citizen then sees the answer on the report's page and
   in the inbox.

Phone and desktop, Korean and English; every page a step lands on is checked for console errors,
failed requests, raw codes and the other language.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from . import steps
from .conftest import DemoSite

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys")]

# Places in Jongno-gu (whose parking team gets illegal-parking reports there), one per run, far
# enough apart that the Talk Map never clusters two of them at street level.
PLACES = {
    ("phone", "ko"): (37.58260, 126.98310),  # Bukchon, Gahoe-dong
    ("desktop", "ko"): (37.57950, 126.99700),  # Wonseo-dong
    ("phone", "en"): (37.58580, 126.99660),  # Hyehwa-dong side of Myeongnyun
    ("desktop", "en"): (37.57480, 126.98600),  # Insa-dong
}
TEXT = {
    "ko": {
        "description": "골목 입구를 막고 있는 차량",
        "answer": "견인 조치했습니다. 신고해 주셔서 감사합니다.",
    },
    "en": {
        "description": "A car blocking the alley entrance",
        "answer": "The car was towed. Thank you for reporting it.",
    },
}


def _jpeg(colour: str, size: tuple[int, int] = (640, 480)) -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", quality=80)
    return {"name": f"{colour}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _phone_number() -> str:
    return f"010-{random.randint(2000, 9999)}-{random.randint(0, 9999):04d}"


def _file_report(page: Page, lang: str) -> str:
    """The report form as a person fills it: category, attributes, place by GPS, photo, words."""
    page.goto("/")
    steps.check_language(page)
    page.click("a.tile[href='/complaints/new/']")
    page.wait_for_url("**/complaints/new/")
    steps.check_language(page)
    page.click("label[for=cat-PARK-01]")
    page.fill("#attr-PARK-01-PLATE", "12가3456")
    page.select_option("#attr-PARK-01-ZONE", "CORNER")
    page.click("#use-gps")
    expect(page.locator("#lat")).not_to_have_value("")
    page.set_input_files("#gallery-files", files=[_jpeg("orange")])
    expect(page.locator("#media-list li")).to_have_count(1)
    page.fill("#description", TEXT[lang]["description"])
    page.click("#submit-report")
    expect(page.locator("#receipt")).to_be_visible()
    steps.check_language(page)
    expect(page.locator(".photos img")).to_have_count(1)
    return page.locator("#receipt-number").inner_text().strip()


def _see_it_on_the_talk_map(page: Page, number: str) -> None:
    """From the report's page to the Talk Map, centred on the report, its marker open."""
    page.click("#on-talk-map")
    page.wait_for_url("**/complaints/map/**")
    popup = page.locator(".leaflet-popup-content a", has_text=number)
    expect(popup).to_be_visible()
    steps.check_language(page)
    assert popup.get_attribute("href") == f"/complaints/r/{number}/"


def _see_it_in_my_reports(page: Page, number: str) -> None:
    page.goto("/complaints/mine/")
    steps.check_language(page)
    expect(page.locator(".report-list a", has_text=number)).to_be_visible()


def _new_official(demo_site: DemoSite, username: str) -> None:
    """The administrator's way to make an official account (its authenticator is not set up)."""
    demo_site.env["SMARTSEOUL_OFFICIAL_PASSWORD"] = steps.PASSWORD
    try:
        out = demo_site.cli("createofficial", username, "--role", "official", "--department", "11110-parking")
    finally:
        demo_site.env.pop("SMARTSEOUL_OFFICIAL_PASSWORD", None)
    assert username in out


def _answer_in_the_office_queue(page: Page, number: str, lang: str) -> None:
    page.goto("/office/")
    steps.check_language(page)
    page.click("a[href='/complaints/office/']")
    page.wait_for_url("**/complaints/office/**")
    steps.check_language(page)
    page.fill("#q-search", number)
    page.locator("#q-search").press("Enter")
    link = page.locator(f"#queue a[href='/complaints/office/r/{number}/']")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(f"**/complaints/office/r/{number}/")
    steps.check_language(page)
    page.set_input_files("#resolve-photo", files=[_jpeg("green")])
    page.fill("#resolve-note", TEXT[lang]["answer"])
    page.click("#do-resolve")
    expect(page.locator("#office-status.resolved")).to_be_visible()
    steps.check_language(page)


def _see_the_answer(page: Page, number: str, lang: str) -> None:
    page.goto("/complaints/mine/")
    page.locator(".report-list a", has_text=number).click()
    page.wait_for_url(f"**/complaints/r/{number}/")
    steps.check_language(page)
    expect(page.locator("#report-status")).to_have_attribute("data-status", "resolved")
    expect(page.locator("#resolution")).to_contain_text(TEXT[lang]["answer"])
    expect(page.locator("#resolution img.fix-photo")).to_have_count(1)
    page.goto("/city/inbox/")
    steps.check_language(page)
    expect(page.locator("article[data-kind='complaints.resolved']", has_text=number)).to_be_visible()


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_newcomer_reports_a_problem_and_a_new_official_answers_it(
    size: str, lang: str, demo_site: DemoSite, open_page: Callable[..., Page], unique: Callable[[str], str]
) -> None:
    lat, lon = PLACES[(size, lang)]
    citizen = open_page(
        size=size, lang=lang, geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"]
    )

    # Journey 1: sign up, verify the phone (code from the development outbox page), report.
    steps.sign_up(citizen, unique("minji"), _phone_number())
    number = _file_report(citizen, lang)
    steps.look(citizen, "newcomer-receipt")
    _see_it_on_the_talk_map(citizen, number)
    steps.look(citizen, "newcomer-talk-map")
    _see_it_in_my_reports(citizen, number)

    # Journey 2: a new official's first sign-in sets up the authenticator, then answers.
    official_name = unique("parking")
    _new_official(demo_site, official_name)
    office = open_page(size=size, lang=lang)
    secret = steps.official_sign_in(office, official_name, steps.PASSWORD)
    assert len(secret) >= 16
    _answer_in_the_office_queue(office, number, lang)
    steps.look(office, "official-answered")
    steps.sign_out(office)
    steps.sign_in(office, official_name, steps.PASSWORD)  # the second time: no set-up, the same key
    office.wait_for_url("**/accounts/second-factor/**")
    expect(office.locator("#totp-secret")).to_have_count(0)
    office.fill("#id_code", pyotp.TOTP(secret).now())
    office.click("#totp-submit")
    office.wait_for_url("**/office/")

    _see_the_answer(citizen, number, lang)
    steps.look(citizen, "newcomer-sees-answer")
