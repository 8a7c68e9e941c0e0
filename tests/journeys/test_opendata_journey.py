"""Journey 6 of issue 16: a visitor uses the Open Data Plaza and the Open API, as people do.

Signed out, from the home page: open the Open Data Plaza, search the catalogue for a Korean word,
open a dataset from the results, read its preview (and narrow it with the row filter), see the
chart the page draws by itself (a real number, not every bar at 1), download the table as CSV,
then follow the footer's "Open API" link to `/api/docs`, open the operation that shows that same
dataset, "Try it out", "Execute", and read the 200 answer in the page. Phone and desktop, Korean;
every page is checked for console errors, failed requests, raw codes and untranslated text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from . import steps

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys")]

DATASET = "jongno-gu-parking"  # 종로구 공영주차장 현황, published by Jongno-gu in the demo
OPERATION = "/api/v1/opendata/datasets/{name}"


def _search_the_catalogue(page: Page) -> None:
    page.goto("/")
    steps.check_language(page)
    page.click("a.tile[href='/opendata/']")
    page.wait_for_url("**/opendata/")
    steps.check_language(page)
    page.fill("#q", "종로구 주차장")
    # The first Korean search of a fresh server loads the morphological analyser: give it time.
    with page.expect_navigation(url="**/opendata/?q=*", timeout=120_000):
        page.click("#search-submit", timeout=120_000)
    steps.check_language(page)
    hit = page.locator("#results a.od-title", has_text="종로구")
    expect(hit.first).to_be_visible()
    page.locator(f"#results a.od-title[href='/opendata/dataset/{DATASET}/']").click()
    page.wait_for_url(f"**/opendata/dataset/{DATASET}/")


def _preview_and_chart(page: Page) -> None:
    expect(page.locator("#preview-table tbody tr")).to_have_count(12)
    steps.check_language(page)
    page.fill("#preview-q", "공영주차장 3")
    page.locator("#preview-q").press("Enter")
    expect(page.locator("#preview-table tbody tr").first).to_contain_text("종로구 공영주차장 3")
    name_cell = page.locator("#preview-table td", has_text="종로구 공영주차장 3").first
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert name_cell.bounding_box()["height"] < 2 * line, "the preview squeezes a name onto many lines"
    chart = page.locator("#chart[data-drawn]")
    expect(chart).to_be_visible()
    bars = page.evaluate("document.getElementById('chart').data[0].y")
    assert len(bars) > 1 and len(set(bars)) > 1, f"the first chart draws every bar the same: {bars}"
    expect(page.locator("#chart .ytitle")).to_contain_text("주차면수")
    steps.check_language(page)


def _download_csv(page: Page) -> None:
    with page.expect_download() as caught:
        page.click("#download-csv")
    download = caught.value
    name = download.suggested_filename
    assert name.startswith(DATASET) and name.endswith(".csv"), name
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert len(rows) == 13 and any("주차" in cell for cell in rows[1]), rows[:2]


def _try_the_api(page: Page) -> None:
    page.locator("footer a[href='/api/docs']").click()
    page.wait_for_url("**/api/v1/docs")
    block = page.locator(".opblock", has=page.locator(f".opblock-summary-path[data-path='{OPERATION}']"))
    expect(block).to_be_visible(timeout=30_000)
    expect(page.locator("#krds-header .brand")).to_contain_text("스마트 서울")  # inside the site, in Korean
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("input[placeholder='name']").fill(DATASET)
    block.locator("button.execute").click()
    expect(block.locator(".live-responses-table tbody .response-col_status")).to_have_text("200", timeout=15_000)
    expect(block.locator(".live-responses-table .microlight").first).to_contain_text(f'"{DATASET}"')


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_visitor_finds_previews_downloads_and_calls_the_api(size: str, open_page: Callable[..., Page]) -> None:
    page = open_page(size=size, lang="ko", accept_downloads=True)
    _search_the_catalogue(page)
    _preview_and_chart(page)
    steps.look(page, "opendata-dataset")
    _download_csv(page)
    _try_the_api(page)
    steps.look(page, "opendata-api-docs")
