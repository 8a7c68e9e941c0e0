"""The officials' work queue in Chromium: one readable card per report on a 390 px phone (it used to
wrap one character per line), a table on a desktop, a table to assistive technology either way; the
transfer list starts empty, narrows by a search, and a transfer without a choice is not sent."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(city: Any, official: Any, make_user: Any) -> list[str]:
    from smartseoul.complaints.models import Complaint
    from smartseoul.complaints.services import complaint_submit
    from smartseoul.complaints.tests.factories import load_categories
    from smartseoul.core.models import District

    load_categories()
    d = District.objects.get(code="11110")
    citizen = make_user("dahye", district="11110")
    numbers = []
    for i in range(3):
        c: Complaint = complaint_submit(
            reporter=citizen,
            category_code="PARK-01",
            lat=d.centroid_lat + i / 2000,
            lon=d.centroid_lon,
            attributes={"PLATE": f"12가345{i}", "ZONE": "BUS"},
        )
        numbers.append(c.number)
    return numbers


def _sign_in(page: Any, official: Any) -> None:
    page.goto("/accounts/login/?next=/complaints/office/")
    page.fill("#id_username", official.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")
    page.wait_for_url("**/accounts/second-factor/**")
    page.fill("#id_code", totp_now(official))
    page.click("#totp-submit")
    page.wait_for_url("**/complaints/office/")


def test_the_queue_is_cards_on_a_phone_and_a_table_on_a_desktop(
    queue: list[str], official: Any, phone_page: Any, desktop_page: Any, artefacts_dir: Any
) -> None:
    for page, phone in ((phone_page, True), (desktop_page, False)):
        _sign_in(page, official)
        table = page.get_by_role("table")
        expect(table.get_by_role("row")).to_have_count(len(queue) + 1)  # a table to screen readers
        width = page.viewport_size["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        for number in queue:
            row = page.locator(f"#row-{number}")
            category = row.get_by_role("cell").filter(has_text="불법 주정차").first
            box, row_box = category.bounding_box(), row.bounding_box()
            assert box is not None and row_box is not None
            line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
            assert box["height"] < 2.2 * line, f"the category wraps: {box}"
            if phone:
                assert row_box["width"] > 0.8 * width, "a report is a full-width card on a phone"
                assert box["width"] > 0.6 * row_box["width"]
            else:
                expect(page.locator(".queue-table thead")).to_be_visible()
                assert row_box["height"] < 4 * line, "one table row per report on a desktop"
        size = "phone" if phone else "desktop"
        page.screenshot(path=str(artefacts_dir / f"complaints-queue-{size}.png"), full_page=True)


def test_transfer_starts_empty_narrows_by_search_and_needs_a_choice(
    queue: list[str], official: Any, phone_page: Any
) -> None:
    page = phone_page
    _sign_in(page, official)
    page.goto(f"/complaints/office/r/{queue[0]}/")
    select = page.locator("#transfer-department")
    assert select.input_value() == ""
    page.fill("#transfer-reason", "도로 관리 부서 소관")
    page.click("#do-transfer")
    assert page.url.endswith(f"/complaints/office/r/{queue[0]}/"), "a transfer without a department was sent"
    assert page.evaluate("document.getElementById('transfer-department').validity.valueMissing")

    search = page.locator("#transfer-department-search")
    expect(search).to_be_visible()
    search.fill("강남구")
    visible_groups = page.evaluate(
        "[...document.querySelectorAll('#transfer-department optgroup')].filter(g => !g.hidden).map(g => g.label)"
    )
    assert visible_groups == ["강남구"]
    first = page.evaluate(
        "[...document.querySelectorAll('#transfer-department option')].find(o => o.value && !o.hidden).value"
    )
    select.select_option(first)
    page.click("#do-transfer")
    page.wait_for_url("**/complaints/office/")
    expect(page.locator(".msg.success")).to_be_visible()
