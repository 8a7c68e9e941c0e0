"""Sign-up, phone verification, language switch and the officials' second factor in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _latest_code(username: str) -> str:
    from smartseoul.core.models import Notification

    body = Notification.objects.filter(recipient__username=username, kind="accounts.phone_code").latest("id").body
    return re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]


def test_citizen_signs_up_verifies_phone_switches_language_and_signs_out(city, phone_page):
    page = phone_page
    page.goto("/accounts/signup/")
    page.fill("#id_username", "minji")
    page.fill("#id_password", "a-long-enough-passphrase")
    page.click("#signup-submit")
    page.wait_for_url("**/accounts/phone/")
    page.fill("#id_phone", "010-3456-7890")
    page.click("#send-code")
    page.fill("#id_code", _latest_code("minji"))
    page.click("#confirm-code")
    page.wait_for_url("**/accounts/profile/")
    assert page.locator("#verification-level").inner_text() == "휴대폰 인증"
    assert page.locator("html").get_attribute("lang") == "ko"

    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("#verification-level").inner_text() == "phone verified"
    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    page.click("#menu-open")  # a phone's header keeps a few icons; signing out is in the menu
    page.click("#signout-menu")
    page.wait_for_url("**/")
    expect(page.locator("#signout")).to_have_count(0)
    expect(page.locator("#krds-header a[href='/accounts/login/']")).to_be_visible()


def test_official_needs_the_second_factor_for_the_back_office(official, phone_page):
    page = phone_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "official")
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")
    page.wait_for_url("**/accounts/second-factor/**")

    for path in ("/office/", "/admin/"):  # typing the address does not get round it
        page.goto(path)
        assert "/accounts/second-factor/" in page.url

    page.fill("#id_code", totp_now(official))
    page.click("#totp-submit")
    page.wait_for_url("**/admin/**")  # back to where the official was going
    page.goto("/office/")
    assert "/office/" in page.url and "second-factor" not in page.url
    assert page.locator("h1").count() == 1


def test_new_official_sets_up_the_authenticator_from_the_key_shown(city, make_user, phone_page):
    """First sign-in of an official whose authenticator was never set up: the page draws the key
    as a QR code beside the key text; the code of the key shown opens the back office."""
    import pyotp

    make_user("newcomer", role="official", department="11110-parking")
    page = phone_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "newcomer")
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")
    page.wait_for_url("**/accounts/second-factor/**")
    expect(page.locator(".qr-box svg")).to_be_visible()
    assert page.locator(".qr-box svg").bounding_box()["width"] >= 150  # big enough to scan from a screen
    secret = page.locator("#totp-secret").get_attribute("data-totp-secret")
    assert secret and page.locator("#totp-secret").inner_text().replace(" ", "") == secret
    page.reload()  # a reload (or a first wrong code) keeps the key the person typed into the app
    assert page.locator("#totp-secret").get_attribute("data-totp-secret") == secret

    from smartseoul.core import clock

    page.fill("#id_code", pyotp.TOTP(secret).at(clock.now()))
    page.click("#totp-submit")
    page.wait_for_url("**/office/")
    assert page.locator("h1").count() == 1 and "second-factor" not in page.url
