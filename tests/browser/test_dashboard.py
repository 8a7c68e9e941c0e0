"""The Digital Mayor's Office, Smart Seoul Map, citizens' theme maps and "around me" in Chromium,
at phone size and at 1920×1080, with screenshots kept as test artefacts."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import reseed_data_migrations, totp_now
from smartseoul.dashboard.tests.geojson_check import problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
CITY_HALL = {"latitude": 37.5663, "longitude": 126.9779}


def _load_demo(*, every_module: bool = True, modules: tuple[str, ...] = ("dashboard",)) -> None:
    """What `smartseoul demo` does: core's demo, then every module's (or only `modules`' own)."""
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.registry import manifests

    if every_module or modules != ("dashboard",):
        reseed_data_migrations()
    load_core_demo()
    for manifest in manifests():
        if manifest.demo is not None and (every_module or manifest.name in modules):
            manifest.demo()


def _sign_in(page: Any, username: str, user: Any = None, next_url: str = "/") -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    if user is not None and user.is_staff_role:
        page.wait_for_url("**/accounts/second-factor/**")
        page.fill("#id_code", totp_now(user))
        page.click("#totp-submit")
    page.wait_for_load_state()


def _public_widget_keys() -> list[str]:
    from smartseoul.core.registry import widgets

    return [w.key for w in widgets() if not w.internal]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_mayor_page_shows_every_widget_and_drills_down_by_click(request, size, artefacts_dir, db):
    _load_demo()
    page = request.getfixturevalue(f"{size}_page")
    page.goto("/mayor/")
    keys = _public_widget_keys()
    assert keys, "no widget is registered"
    for key in keys:
        card = page.locator(f'[data-widget="{key}"]')
        card.wait_for(state="visible")
        assert "Temporarily unavailable" not in card.inner_text() and "일시적으로" not in card.inner_text()
        assert card.locator("[data-value], .chart-line, .choropleth path, .items li").count() > 0, key
    assert page.locator(".is-internal").count() == 0
    # the figures shown are the figures the public API serves, and the demo city is not empty
    served = page.request.get("/api/v1/dashboard/widgets").json()
    assert [w["key"] for w in served] == keys
    numeric = {w["key"]: w["data"]["value"] for w in served if isinstance(w["data"].get("value"), int | float)}
    assert len(numeric) >= 3 and sum(1 for v in numeric.values() if v > 0) >= len(numeric) // 2, numeric
    for key, value in numeric.items():
        shown = page.locator(f'[data-widget="{key}"] [data-value]').inner_text().split()[0]
        expected = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
        assert shown == expected, (key, shown, value)
    for w in served:
        if w["kind"] == "districts" and not w["error"]:
            assert page.locator(f'[data-widget="{w["key"]}"] .choropleth a[data-code]').count() == 25, w["key"]
    page.screenshot(path=str(artefacts_dir / f"dashboard-mayor-{size}.png"), full_page=True)

    # district → dong drill-down by clicking the choropleth of the facilities widget
    choropleth = page.locator('[data-widget="dashboard.facilities"] .choropleth')
    choropleth.scroll_into_view_if_needed()
    choropleth.locator('a[data-code="11110"] path').click()
    page.wait_for_url("**/mayor/?*district=11110*")
    assert page.locator("#crumb-district").inner_text() == "종로구"
    dong_map = page.locator('[data-widget="dashboard.facilities"] .choropleth[data-level="dong"]')
    dong_link = dong_map.locator("a[data-code]").first
    dong_code = dong_link.get_attribute("data-code")
    dong_link.locator("path").click()
    page.wait_for_url(f"**dong={dong_code}*")
    assert page.locator("#crumb-dong").is_visible()
    page.screenshot(path=str(artefacts_dir / f"dashboard-mayor-dong-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_new_complaint_from_another_browser_appears_without_reload(request, size, browser, live_server, make_user,
                                                                   artefacts_dir, db, monkeypatch):
    from smartseoul.core.registry import manifests
    from smartseoul.dashboard import selectors

    # the same refresh path, on a shorter clock: figures kept 2 s instead of 20, the board polled every 2 s
    monkeypatch.setattr(selectors, "WIDGET_TTL", 2)
    monkeypatch.setattr(selectors, "POLL_SECONDS", 2)

    if not any(m.name == "complaints" for m in manifests()):
        pytest.fail("the complaints module is not registered: the mayor's page cannot show complaints")
    _load_demo(every_module=False, modules=("complaints", "dashboard"))  # every widget computes; the count moves
    mayor = request.getfixturevalue(f"{size}_page")
    mayor.goto("/mayor/")
    today = mayor.locator('[data-widget="complaints.today"] [data-value]')
    before = int(today.inner_text().replace(",", "").split()[0])
    mayor.evaluate("window.__notReloaded = true")

    make_user("reporter", district="11110")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="ko-KR", base_url=live_server.url)
    try:
        citizen = context.new_page()
        citizen.set_default_timeout(15_000)
        _sign_in(citizen, "reporter", next_url="/complaints/new/")
        citizen.goto("/complaints/new/")
        citizen.click("label[for=cat-WALK-01]")  # broken sidewalk block: no required attributes
        citizen.evaluate("""() => { for (const [id, v] of [["lat", "37.5663"], ["lon", "126.9779"]]) {
            const input = document.getElementById(id); input.value = v; } }""")
        citizen.fill("#description", "세종대로 보도블록이 깨져 있습니다.")
        citizen.click("#submit-report")
        citizen.wait_for_url("**/complaints/r/**")
        citizen.screenshot(path=str(artefacts_dir / "dashboard-complaint-filed-phone.png"))
    finally:
        context.close()

    mayor.wait_for_function(
        """(before) => { const el = document.querySelector('[data-widget="complaints.today"] [data-value]');
            return el && parseInt(el.textContent.replace(/,/g, ''), 10) > before; }""",
        arg=before, timeout=60_000)
    assert mayor.evaluate("window.__notReloaded === true")  # updated in place, not reloaded
    mayor.screenshot(path=str(artefacts_dir / f"dashboard-mayor-live-update-{size}.png"))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#2e7d32").save(out, format="PNG")
    return out.getvalue()


def test_citizen_proposes_theme_map_moderator_publishes_it_joins_the_catalogue(
        browser, live_server, phone_page, official, make_user, artefacts_dir):
    from smartseoul.accounts.services import user_grant_capability
    from smartseoul.core.models import City

    assert City.objects.exists()
    make_user("mapper", district="11110")
    user_grant_capability(user=official, capability="moderator")

    page = phone_page
    _sign_in(page, "mapper", next_url="/map/themes/new/")
    page.goto("/map/themes/new/")
    page.fill("#id_title_ko", "우리 동네 그늘 쉼터")
    page.fill("#id_description", "여름에 쉬어 가기 좋은 그늘")
    page.click("#theme-create")
    page.wait_for_url("**/map/themes/*/")
    theme_url = page.url
    places = [("덕수궁 돌담길", 37.5658, 126.9751), ("청계천 광교", 37.5690, 126.9850),
              ("서울광장 나무 그늘", 37.5657, 126.9780)]
    for n, (title, lat, lon) in enumerate(places):
        page.fill("#id_title", title)
        page.fill("#id_description", f"{title} 그늘")
        if n == 0:  # the first place is chosen by tapping the map, the others typed in
            page.locator("#theme-map").tap()
            page.wait_for_function("() => document.getElementById('id_lat').value !== ''")
        page.fill("#id_lat", str(lat))
        page.fill("#id_lon", str(lon))
        if n == 0:
            page.set_input_files("#id_photo", files=[{"name": "shade.png", "mimeType": "image/png", "buffer": _png()}])
        page.click("#point-add")
        page.wait_for_url(theme_url)
        assert page.locator("#theme-points > li.card").count() == n + 1
    page.click("#theme-submit")
    expect(page.locator("#theme-status")).to_have_attribute("data-status", "pending")
    page.screenshot(path=str(artefacts_dir / "dashboard-theme-proposed-phone.png"), full_page=True)

    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ko-KR", base_url=live_server.url)
    try:
        moderator = context.new_page()
        moderator.set_default_timeout(15_000)
        _sign_in(moderator, "official", user=official, next_url="/map/moderation/")
        moderator.goto("/map/moderation/")
        moderator.get_by_role("link", name="우리 동네 그늘 쉼터").click()
        moderator.click("#theme-publish")
        expect(moderator.locator("#theme-status")).to_have_attribute("data-status", "published")

        moderator.goto("/map/")
        layer = moderator.locator(".layer-row", has_text="우리 동네 그늘 쉼터")
        layer.wait_for(state="visible")
        key = layer.locator("input[name=layer]").get_attribute("value")
        layer.locator("input[name=layer]").check()
        loaded = f"() => document.getElementById('map').dataset.features_{key.replace('-', '_')} !== undefined"
        moderator.wait_for_function(loaded)
        moderator.screenshot(path=str(artefacts_dir / "dashboard-theme-published-desktop.png"))

        response = moderator.request.get(f"/map/layers/{key}.geojson?download=1")
        assert response.headers["content-type"].startswith("application/geo+json")
        fc = json.loads(response.body())
        assert problems(fc) == []
        coords = sorted(tuple(f["geometry"]["coordinates"]) for f in fc["features"])
        assert coords == sorted((lon, lat) for _, lat, lon in places)  # RFC 7946: [longitude, latitude]
        assert any(f["properties"]["photo"] for f in fc["features"])
        catalogue = moderator.request.get("/api/v1/dashboard/layers").json()
        assert key in {e["key"] for e in catalogue}
    finally:
        context.close()


def test_around_me_on_a_phone_from_the_browser_location(phone_page, artefacts_dir, db):
    _load_demo(every_module=False)
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(CITY_HALL)
    page.goto("/map/around/")
    page.locator("#radius").select_option("2000")
    page.click("#locate-me")
    page.locator("#around-results .around-list li[data-lat]").first.wait_for()
    assert page.locator("#around-results li[data-lat]").count() > 0
    assert page.locator("#around-lat").input_value().startswith("37.566")
    page.wait_for_function("() => document.getElementById('around-map').dataset.markers > '0'")
    page.screenshot(path=str(artefacts_dir / "dashboard-around-me-phone.png"), full_page=True)


def test_map_toggles_layers_clusters_and_shares_an_embeddable_view(desktop_page, artefacts_dir, db):
    _load_demo(every_module=False)
    page = desktop_page
    page.goto("/map/")
    assert page.is_checked("#layer-complaints")  # a first visit opens on citizens' reports, not an empty map
    page.uncheck("#layer-complaints")
    page.check("#layer-poi-wifi")
    page.wait_for_function("() => document.getElementById('map').dataset.features_poi_wifi !== undefined")
    assert page.locator(".cluster-icon").count() > 0  # 300 Wi-Fi points at city zoom arrive as clusters
    share = page.locator("#share-link").input_value()
    assert "layers=poi-wifi" in share and "z=" in share
    assert "/map/embed/?layers=poi-wifi" in page.locator("#embed-code").input_value()
    page.check("input[name=mode][value=heat]")
    page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length > 0")
    page.screenshot(path=str(artefacts_dir / "dashboard-map-desktop.png"))
    page.goto(share.replace(page.url.split("/map/")[0], "").replace("/map/?", "/map/embed/?"))
    page.wait_for_function("() => document.getElementById('map').dataset.features_poi_wifi !== undefined")
    assert page.locator("#krds-header, header").count() == 0  # the map alone, without the site's frame
