"""A citizen files an illegal-parking report on a phone, with two in-app photos 61 s apart (the
test moves the server clock); the parking team resolves it with a photo; the citizen sees the
resolution and the notification."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(colour: str) -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, format="JPEG")
    return {"name": f"{colour}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def parking_setup(city: Any, official: Any, make_user: Any) -> dict[str, Any]:
    from smartseoul.complaints import services
    from smartseoul.complaints.demo import CATEGORIES
    from smartseoul.core.models import District

    for spec in CATEGORIES:
        services.category_upsert(**spec)
        services.routing_build_defaults(category_code=spec["code"])
    citizen = make_user("jiwoo", phone="010-2345-6789")
    d = District.objects.get(code="11110")
    return {"citizen": citizen, "lat": d.centroid_lat, "lon": d.centroid_lon}


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")


def test_illegal_parking_report_fined_without_visit_and_resolved(
    parking_setup: Any, official: Any, phone_page: Any, browser: Any, live_server: Any, artefacts_dir: Any
) -> None:
    from smartseoul.core import clock
    from smartseoul.core.models import Notification

    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": parking_setup["lat"], "longitude": parking_setup["lon"]})
    _sign_in(page, "jiwoo")
    page.wait_for_url("**/")
    page.goto("/complaints/new/")
    page.click("label[for=cat-PARK-01]")
    page.fill("#attr-PARK-01-PLATE", "12가3456")
    page.select_option("#attr-PARK-01-ZONE", "CROSSWALK")
    page.click("#use-gps")
    expect(page.locator("#lat")).not_to_have_value("")

    page.set_input_files("#capture-photo", files=[_photo("red")])
    expect(page.locator("#media-list li[data-source=capture]")).to_have_count(1)
    clock.advance(61)  # the second photo is taken 61 s later, by the server's clock
    page.set_input_files("#capture-photo", files=[_photo("blue")])
    expect(page.locator("#media-list li[data-source=capture]")).to_have_count(2)
    page.fill("#description", "횡단보도 위 불법 주차")
    page.click("#submit-report")
    page.wait_for_selector("#receipt")
    number = page.locator("#receipt-number").inner_text()
    assert page.locator("#fine-flag").is_visible()
    page.screenshot(path=str(artefacts_dir / "complaints-receipt-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR", base_url=live_server.url)
    try:
        desk = office.new_page()
        desk.set_default_timeout(15_000)
        _sign_in(desk, "official")
        desk.wait_for_url("**/accounts/second-factor/**")
        desk.fill("#id_code", totp_now(official))
        desk.click("#totp-submit")
        desk.wait_for_url("**/office/")
        desk.goto("/complaints/office/")
        desk.click(f"a[href='/complaints/office/r/{number}/']")
        desk.wait_for_url(f"**/complaints/office/r/{number}/")
        expect(desk.locator("#fine-flag")).to_be_visible()
        desk.set_input_files("#resolve-photo", files=[_photo("green")])
        desk.fill("#resolve-note", "견인 조치했습니다.")
        desk.click("#do-resolve")
        desk.wait_for_selector("#office-status.resolved")
    finally:
        office.close()

    page.goto(f"/complaints/r/{number}/")
    assert page.locator("#report-status").get_attribute("data-status") == "resolved"
    assert page.locator("#resolution img.fix-photo").count() == 1
    assert "견인 조치했습니다." in page.locator("#resolution").inner_text()
    page.goto("/city/inbox/")
    resolved = page.locator("article[data-kind='complaints.resolved']")
    assert resolved.count() == 1 and number in resolved.inner_text()
    sms = Notification.objects.filter(recipient=parking_setup["citizen"], kind="complaints.resolved", channel="sms")
    assert sms.count() == 1 and sms.get().status == "sent"
    page.screenshot(path=str(artefacts_dir / "complaints-resolved-phone.png"), full_page=True)
