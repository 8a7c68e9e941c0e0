"""An analyst generates night demand, plans five night-bus routes, sees them drawn with line
widths by riders and downloads the plan as GeoJSON — in Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analyst(city: Any, make_user: Any) -> Any:
    from smartseoul.accounts.models import Capability
    from smartseoul.accounts.services import totp_begin

    user = make_user("analyst", role="official", department="seoul-data", capabilities=(Capability.ANALYST,))
    totp_begin(user=user)
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed"])
    return user


def test_analyst_generates_demand_plans_five_routes_and_downloads_geojson(
    analyst: Any, desktop_page: Any, tmp_path: Path, artefacts_dir: Path
) -> None:
    page = desktop_page
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())  # no outside network in tests
    page.goto("/accounts/login/?next=/analytics/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")
    page.wait_for_url("**/accounts/second-factor/**")
    page.fill("#id_code", totp_now(analyst))
    page.click("#totp-submit")
    page.wait_for_url("**/analytics/")

    page.fill("#id_synth-rows", "20000")
    page.fill("#id_synth-days", "14")
    page.click("#synth-submit")
    page.wait_for_selector("#synth-done")
    assert "20000" in page.inner_text("#synth-done").replace(",", "")

    page.goto("/analytics/")
    assert page.inner_text("#lake-rows").replace(",", "").strip() == "20000"
    page.fill("#id_plan-routes", "5")
    page.fill("#id_plan-max_length_km", "20")
    page.click("#plan-submit")
    page.wait_for_selector("#map[data-loaded='true']")
    assert page.locator("#job-state").get_attribute("data-state") == "done"
    assert page.locator("#routes tbody tr").count() == 5

    segments = page.locator("path.route-segment")
    assert segments.count() > 10
    widths = {float(w) for w in segments.evaluate_all("els => els.map(e => e.getAttribute('stroke-width'))")}
    assert len(widths) > 3, "segments are drawn with widths by riders"
    routes_drawn = {n for n in range(1, 6) if page.locator(f"path.route-{n}").count() > 0}
    assert routes_drawn == {1, 2, 3, 4, 5}
    page.screenshot(path=str(artefacts_dir / "analytics-plan.png"))

    with page.expect_download() as info:
        page.click("#download")
    target = tmp_path / "plan.geojson"
    info.value.save_as(target)
    fc = json.loads(target.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    routes = [f for f in fc["features"] if f["properties"]["kind"] == "route"]
    assert len(routes) == 5
    seg_widths = [f["properties"]["width"] for f in fc["features"] if f["properties"]["kind"] == "segment"]
    assert widths == {float(w) for w in seg_widths}
    assert 0 < fc["properties"]["share_served"] <= 1
