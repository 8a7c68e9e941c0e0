"""Journey 7 of issue 16: the mayor opens the Digital Mayor's Office and drills into a district.

Signed out on a fresh demo: the mayor signs in for the first time (password, then the
authenticator set-up with the key the second-factor page shows), opens the Digital Mayor's
Office from the home page, and every widget is drawn — a figure, a chart or a list in each, no
"temporarily unavailable" — and every map has coloured areas with a legend (the air-quality map
colours all 25 districts by their grade). Then the mayor taps Jung-gu on the air-quality map:
the board shows that district, its dong maps are coloured where there are figures, and no widget
is an empty grey map. Phone and desktop, Korean; every page is checked for console errors,
failed requests, raw codes and untranslated text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from . import steps

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys")]

DISTRICT = "11140"  # 중구 (Jung-gu), where Seoul City Hall stands

# What each widget draws: counted in the page, as a person would see it.
WIDGETS = """() => Array.from(document.querySelectorAll("#board article.widget")).map((w) => ({
  key: w.dataset.widget,
  unavailable: w.querySelector("[data-unavailable]") !== null,
  stat: (w.querySelector(".stat[data-value]") || {}).textContent || "",
  chart: w.querySelectorAll(".chart polyline").length,
  items: w.querySelectorAll("ul.items li, ol.top li").length,
  maps: Array.from(w.querySelectorAll("figure.choropleth")).map((m) => ({
    level: m.dataset.level,
    coloured: m.querySelectorAll("path[data-fill=value]").length,
    grey: m.querySelectorAll("path[data-fill=none]").length,
    legend: m.querySelectorAll(".legend-items li").length,
  })),
}))"""

# A point inside an area's shape (not just its box), in page coordinates, so the tap lands on it.
POINT_INSIDE = """(code) => {
  const path = document.querySelector(`[data-widget="sensors-air-quality"] a.area[data-code="${code}"] path`);
  path.scrollIntoView({ block: "center", behavior: "instant" });  // KRDS scrolls smoothly: wait for none
  const box = path.getBBox();
  const svg = path.ownerSVGElement;
  const pt = svg.createSVGPoint();
  let last = null;
  for (let i = 1; i < 20; i++) {
    for (let j = 1; j < 20; j++) {
      pt.x = box.x + (box.width * i) / 20;
      pt.y = box.y + (box.height * j) / 20;
      if (path.isPointInFill(pt)) {
        const screen = pt.matrixTransform(path.getScreenCTM());
        const hit = document.elementFromPoint(screen.x, screen.y);
        if (hit === path) { return { x: screen.x, y: screen.y }; }
        last = hit ? `${hit.tagName}#${hit.id}.${hit.getAttribute("class") || ""}` : "nothing";
      }
    }
  }
  return { covered: last };
}"""


def _every_widget_drawn(page: Page, *, drill_down: bool) -> list[dict[str, Any]]:
    # a widget still being computed says so and the board polls until none is: as a person waits
    expect(page.locator("#board[data-pending]")).to_have_count(0, timeout=180_000)
    widgets = page.evaluate(WIDGETS)
    assert len(widgets) >= 10, f"the board shows only {len(widgets)} widgets"
    for w in widgets:
        assert not w["unavailable"], f"{w['key']} is unavailable"
        drawn = w["stat"].strip() or w["chart"] or w["items"] or w["maps"]
        assert drawn, f"{w['key']} is an empty widget: no figure, chart, list or map"
        for m in w["maps"]:
            assert m["coloured"] >= 1, f"{w['key']}: a grey map ({m['grey']} areas, none coloured)"
            assert m["legend"] >= 2, f"{w['key']}: a map without a legend"
            assert m["level"] == ("dong" if drill_down else "gu")
    return widgets


def _air_quality(widgets: list[dict[str, Any]]) -> dict[str, Any]:
    return next(w for w in widgets if w["key"] == "sensors-air-quality")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_mayor_sees_every_figure_and_map_drawn_and_drills_into_a_district(
    size: str, open_page: Callable[..., Page]
) -> None:
    page = open_page(size=size, lang="ko")
    steps.official_sign_in(page, "mayor")
    page.goto("/")
    page.click("a.tile[href='/mayor/']")
    page.wait_for_url("**/mayor/", timeout=120_000)  # a fresh server computes every widget once
    expect(page.locator("#board")).to_be_visible()
    steps.check_language(page)
    widgets = _every_widget_drawn(page, drill_down=False)
    air = _air_quality(widgets)
    assert air["maps"][0]["coloured"] == 25, f"air quality by district: {air['maps'][0]}"
    assert air["stat"].strip() in {"좋음", "보통", "나쁨", "매우나쁨"}, air["stat"]
    steps.look(page, "mayor-city")

    point = page.evaluate(POINT_INSIDE, DISTRICT)
    assert "x" in point, f"Jung-gu on the air-quality map cannot be tapped: covered by {point['covered']}"
    with page.expect_navigation(url=f"**/mayor/?*district={DISTRICT}*", timeout=120_000):
        if size == "phone":
            page.touchscreen.tap(point["x"], point["y"])
        else:
            page.mouse.click(point["x"], point["y"])
    expect(page.locator("#crumb-district")).to_have_text("중구")
    steps.check_language(page)
    widgets = _every_widget_drawn(page, drill_down=True)
    assert _air_quality(widgets)["maps"], "the air-quality widget draws the district's dongs"
    steps.look(page, "mayor-district")
