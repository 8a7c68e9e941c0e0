"""Journey 3 of issue 16: citizens vote on mVoting and check their receipts, as people do.

A newcomer signs up (a phone is all a city-wide vote needs), votes on the Seoul Plaza ice-rink
policy vote and — standing on Seoul Plaza, as the browser's location says — on the on-spot vote;
the demo `citizen`, a verified Jongno-gu resident, votes on the Jongno-gu alleys vote. Each
reopens every receipt from the vote page ("my receipt") and from "my receipts", and each one
verifies in the page's own verifier. The demo `resident` lives in Gangnam-gu: the Jongno-gu vote
is listed for them as not for them, with the reason, and its page is no error. Every page is
checked for console errors, failed requests, raw codes and the other language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from . import steps

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys")]

SEOUL_PLAZA = {"latitude": 37.5660, "longitude": 126.9781}  # inside the demo's 300 m geofence
POLICY = "서울광장 겨울 스케이트장"
ON_SPOT = "서울광장 현장 투표"
JONGNO = "종로구 골목길 우선 정비"
NOT_FOR_YOU = {"ko": "종로구 주민만 참여할 수 있어요.", "en": "Only residents of Jongno-gu can take part."}
VERIFIED = {"ko": "영수증이 확인되었어요", "en": "The receipt verifies"}


def _open_vote(page: Page, title: str) -> int:
    """From the list, as a person: click the vote by its title."""
    page.goto("/voting/")
    steps.check_language(page)
    page.locator("#open-votes .vote-row a", has_text=title).first.click()
    page.wait_for_url(re.compile(r"/voting/\d+/$"))
    steps.check_language(page)
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _expect_verified(page: Page, lang: str) -> dict[str, Any]:
    """The page's verifier ran on the receipt it shows and every check passed."""
    verdict = page.locator("#verdict[data-verdict]")
    expect(verdict).to_be_visible()
    assert verdict.get_attribute("data-verdict") == "ok", page.locator("#checks").inner_text()
    assert VERIFIED[lang] in verdict.inner_text()
    assert page.locator("#checks li[data-ok='0']").count() == 0
    steps.check_language(page)
    return dict(json.loads(page.input_value("#receipt-json")))


def _cast(page: Page, lang: str, choices: int = 1) -> str:
    """Ticks the first option(s), casts, and lands on the ballot's receipt (post/redirect/get)."""
    boxes = page.locator("#ballot-form input[name=choice]")
    for i in range(choices):
        boxes.nth(i).check()
    page.click("#cast")
    page.wait_for_url("**/voting/receipt/?tracker=*")
    expect(page.locator("#cast-ok")).to_be_visible()
    receipt = _expect_verified(page, lang)
    page.reload()  # a reload shows the same receipt and sends nothing again
    expect(page.locator("#cast-ok")).to_have_count(0)
    assert _expect_verified(page, lang)["tracker"] == receipt["tracker"]
    return str(receipt["tracker"])


def _reopen_everywhere(page: Page, lang: str, receipts: dict[int, str]) -> None:
    """Each receipt from its vote page ("my receipt") and from "my receipts"; each verifies."""
    for vote_id, tracker in receipts.items():
        page.goto(f"/voting/{vote_id}/")
        steps.check_language(page)
        page.click("#my-receipt")
        page.wait_for_url("**/voting/receipt/?tracker=*")
        assert _expect_verified(page, lang)["tracker"] == tracker
    page.goto("/voting/")
    page.click("#my-receipts-link")
    page.wait_for_url("**/voting/receipts/")
    steps.check_language(page)
    steps.look(page, "voting-my-receipts")
    for tracker in receipts.values():
        page.goto("/voting/receipts/")
        row = page.locator(f".receipt-row[data-tracker='{tracker}']")
        expect(row).to_be_visible()
        row.locator("a.button").click()
        page.wait_for_url("**/voting/receipt/?tracker=*")
        assert _expect_verified(page, lang)["tracker"] == tracker


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_citizens_vote_and_every_receipt_verifies_wherever_it_is_reopened(
    open_page: Callable[..., Page], unique: Callable[[str], str], size: str, lang: str
) -> None:
    page = open_page(size, lang, geolocation=SEOUL_PLAZA, permissions=["geolocation"])

    # signed out: the votes are there, with the way in
    page.goto("/voting/")
    steps.check_language(page)
    expect(page.locator("#open-votes .vote-row")).not_to_have_count(0)

    # a newcomer: sign up with a phone, vote city-wide and on the spot
    username = unique("voter")
    digits = re.sub(r"\D", "", username)[-8:].rjust(8, "7")
    phone = f"010-{digits[:4]}-{digits[4:]}"  # unique like the user name
    steps.sign_up(page, username, phone)
    receipts: dict[int, str] = {}
    vote_id = _open_vote(page, POLICY)
    receipts[vote_id] = _cast(page, lang)
    vote_id = _open_vote(page, ON_SPOT)
    expect(page.locator("#ballot-form")).to_have_attribute("data-needs-location", "1")
    receipts[vote_id] = _cast(page, lang)  # the browser gives Seoul Plaza as the location
    steps.look(page, "voting-onspot-receipt")

    # the Jongno-gu vote asks a phone-verified newcomer to verify residence first, linked
    jongno = _open_vote(page, JONGNO)
    action = page.locator("#eligibility-action")
    expect(action).to_have_attribute("href", f"/accounts/resident/?next=/voting/{jongno}/")
    _reopen_everywhere(page, lang, receipts)
    steps.sign_out(page)

    # the demo citizen lives in Jongno-gu: votes there (ballots may be changed in this vote)
    steps.sign_in(page, "citizen")
    _open_vote(page, JONGNO)
    receipt = _cast(page, lang, choices=2)
    _reopen_everywhere(page, lang, {jongno: receipt})
    steps.sign_out(page)

    # the demo resident lives in Gangnam-gu: not for them, with the reason; no error anywhere
    steps.sign_in(page, "resident")
    page.goto("/voting/")
    steps.check_language(page)
    row = page.locator(f".vote-row[data-vote='{jongno}']")
    expect(row).to_have_attribute("data-standing", "not-for-you")
    expect(row.locator(".reason")).to_have_text(NOT_FOR_YOU[lang])
    steps.look(page, "voting-list-not-for-you")
    row.locator("a").first.click()
    page.wait_for_url(f"**/voting/{jongno}/")
    expect(page.locator("#not-eligible")).to_contain_text(NOT_FOR_YOU[lang])
    expect(page.locator("#ballot-form")).to_have_count(0)
    steps.check_language(page)
