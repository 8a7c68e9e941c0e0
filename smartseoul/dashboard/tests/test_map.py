"""Smart Seoul Map: the layer catalogue, clusters and heat maps computed on the server, GeoJSON
that passes the checker for every published layer, downloads and the open API."""

from __future__ import annotations

import json
import random

import pytest

from smartseoul.core import selectors as core_selectors
from smartseoul.core.registry import LayerQuery, MapLayer

from .geojson_check import problems

SEOUL_BBOX = "126.76,37.41,127.19,37.72"


def _points_layer(n: int, key: str = "fake-points", internal: bool = False) -> MapLayer:
    rng = random.Random(n)
    pts = [(round(rng.uniform(126.85, 127.10), 6), round(rng.uniform(37.45, 37.65), 6)) for _ in range(n)]

    def features(q: LayerQuery):
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": i, "geometry": {"type": "Point", "coordinates": [lon, lat]},
             "properties": {"name": f"p{i}"}} for i, (lon, lat) in enumerate(pts)]}

    return MapLayer(key, f"Fake {key}", features, style={"color": "#d33", "kind": "point"}, category="complaints",
                    internal=internal)


def _polygon_layer() -> MapLayer:
    return MapLayer("fake-districts", "Air by district", lambda q: core_selectors.districts_geojson(),
                    style={"kind": "polygon"}, category="environment")


def test_catalogue_lists_module_layers_facilities_and_published_themes(demo, client, register):
    register(layers=(_points_layer(10), _points_layer(5, "fake-secret", internal=True)))
    keys = {e["key"]: e for e in client.get("/api/v1/dashboard/layers").json()}
    assert "fake-points" in keys and "fake-secret" not in keys
    assert {f"poi-{k}" for k in ("wifi", "restroom", "ev-charger", "cooling-shelter")} <= set(keys)
    themes = [e for e in keys.values() if e["source"] == "theme"]
    assert len(themes) == 2 and all(e["geojson"].endswith(".geojson") for e in themes)
    html = client.get("/map/").content.decode()
    assert 'id="layer-fake-points"' in html and "fake-secret" not in html


def test_the_map_opens_on_the_layers_shown_first_unless_the_link_says_otherwise(city, client):
    first = client.get("/map/").content.decode()
    assert 'value="complaints" checked' in first  # citizens' reports: a first visit is never an empty map
    assert 'data-districts="/city/districts.geojson?detail=map"' in first and "smartseoul/maps." in first
    shared = client.get("/map/?layers=").content.decode()
    assert 'value="complaints" checked' not in shared  # a link with every layer off reopens that way
    assert 'value="complaints-heat" checked' in client.get("/map/?layers=complaints-heat").content.decode()


def test_internal_layer_is_not_served_publicly(city, client, register):
    register(layers=(_points_layer(5, "fake-secret", internal=True),))
    assert client.get("/map/layers/fake-secret.geojson").status_code == 404


def test_clusters_cover_every_point_in_view(city, client, register):
    register(layers=(_points_layer(3000),))
    fc = client.get(f"/map/layers/fake-points.geojson?bbox={SEOUL_BBOX}&zoom=11").json()
    assert sum(f["properties"]["count"] for f in fc["features"]) == 3000
    assert len(fc["features"]) < 300 and any(f["properties"]["cluster"] for f in fc["features"])
    closer = client.get("/map/layers/fake-points.geojson?bbox=126.95,37.50,127.00,37.55&zoom=15").json()
    assert 0 < sum(f["properties"]["count"] for f in closer["features"]) < 3000
    singles = [f for f in closer["features"] if not f["properties"]["cluster"]]
    assert singles and all(f["properties"]["name"].startswith("p") for f in singles)
    assert problems(fc) == [] and problems(closer) == []


def test_heat_map_is_counter_clockwise_hexagons(city, client, register):
    register(layers=(_points_layer(500),))
    fc = client.get(f"/map/layers/fake-points.geojson?bbox={SEOUL_BBOX}&zoom=12&mode=heat").json()
    assert fc["features"] and all(f["geometry"]["type"] == "Polygon" for f in fc["features"])
    assert sum(f["properties"]["count"] for f in fc["features"]) == 500
    assert problems(fc) == []


def test_points_mode_and_polygon_layers_pass_through(city, client, register):
    register(layers=(_points_layer(40), _polygon_layer()))
    fc = client.get(f"/map/layers/fake-points.geojson?bbox={SEOUL_BBOX}&zoom=16&mode=points").json()
    assert len(fc["features"]) == 40
    poly = client.get(f"/map/layers/fake-districts.geojson?bbox={SEOUL_BBOX}&zoom=11").json()
    assert len(poly["features"]) == 25 and problems(poly) == []


def test_download_is_the_whole_layer_as_geojson(demo, client):
    response = client.get("/map/layers/poi-wifi.geojson?download=1")
    assert response["Content-Type"].startswith("application/geo+json")
    assert response["Content-Disposition"] == 'attachment; filename="poi-wifi.geojson"'
    fc = json.loads(response.content)
    assert len(fc["features"]) == 25 * 12  # the demo's Wi-Fi points in every district


def test_every_published_layer_passes_the_geojson_checker(demo, client):
    """Checker of STANDARDS §9 over every layer in the catalogue, whole and clustered."""
    for entry in client.get("/api/v1/dashboard/layers").json():
        whole = client.get(f"/map/layers/{entry['key']}.geojson?download=1").json()
        if entry["source"] in {"poi", "theme"}:  # the map's own layers have demo data here
            assert whole["features"], entry["key"]
        assert problems(whole) == [], entry["key"]
        assert problems(client.get(f"/api/v1/dashboard/layers/{entry['key']}?bbox={SEOUL_BBOX}&zoom=12").json()) == []
    assert problems(core_selectors.districts_geojson()) == []


def test_checker_catches_swapped_axes_and_clockwise_rings():
    swapped = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [37.5, 126.9]}}]}
    clockwise = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon",
        "coordinates": [[[126.9, 37.5], [126.9, 37.6], [127.0, 37.6], [127.0, 37.5], [126.9, 37.5]]]}}]}
    assert "outside Seoul" in problems(swapped)[0]
    assert "counter-clockwise" in problems(clockwise)[0]


@pytest.mark.parametrize(("query", "code"), [
    ("bbox=1,2,3", "bad_bbox"), ("bbox=127,37,126,38&zoom=3", "bad_bbox"), ("zoom=99", "bad_zoom"),
    ("zoom=ten", "bad_zoom"), ("mode=3d&zoom=3", "bad_mode"),
])
def test_bad_view_parameters_are_refused(demo, client, query, code):
    response = client.get(f"/map/layers/poi-wifi.geojson?{query}", HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_unknown_layers_are_404(city, client):
    for key in ("nope", "poi-volcano", "theme-999"):
        response = client.get(f"/api/v1/dashboard/layers/{key}")
        assert response.status_code == 404


def test_unpublished_theme_is_not_a_layer(city, client, citizen):
    from smartseoul.dashboard import services

    theme = services.theme_map_create(author=citizen, title_ko="비공개")
    services.theme_point_add(theme=theme, author=citizen, title="a", lat=37.5663, lon=126.9779)
    assert client.get(f"/map/layers/theme-{theme.pk}.geojson").status_code == 404
    assert all(e["key"] != f"theme-{theme.pk}" for e in client.get("/api/v1/dashboard/layers").json())


def test_embed_view_may_be_framed_and_keeps_the_layers(demo, client):
    response = client.get("/map/embed/?layers=poi-wifi,poi-restroom&z=13")
    assert response.status_code == 200 and "X-Frame-Options" not in response
    html = response.content.decode()
    assert 'value="poi-wifi" checked' in html and 'value="poi-restroom" checked' in html
    assert "frame-ancestors" in response.get("Content-Security-Policy", "")


def test_map_labels_follow_the_language(demo, client):
    ko = client.get("/api/v1/dashboard/layers").json()
    en = client.get("/api/v1/dashboard/layers", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {e["title"] for e in ko} >= {"공공 와이파이"}
    assert {e["title"] for e in en} >= {"Free public Wi-Fi"}


def test_layers_clustered_by_their_module_get_the_view_and_pass_through(city, client, register):
    seen = []

    def features(q: LayerQuery):
        seen.append((q.bbox, q.zoom))
        return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {
            "type": "Point", "coordinates": [126.978, 37.5665]}, "properties": {"cluster": True, "count": 42}}]}

    register(layers=(MapLayer("fake-binned", "Binned", features, style={"kind": "cluster"}),))
    fc = client.get("/map/layers/fake-binned.geojson?bbox=126.9,37.5,127.0,37.6&zoom=13").json()
    assert fc["features"][0]["properties"]["count"] == 42  # not re-clustered
    assert seen == [((126.9, 37.5, 127.0, 37.6), 13)]
    client.get("/map/layers/fake-binned.geojson?bbox=126.9,37.5,127.0,37.6&zoom=13")
    assert len(seen) == 1  # the same view is served from the cache
    response = client.get("/api/v1/dashboard/nearby?lat=37.5665&lon=126.978&layers=fake-binned")
    assert response.status_code == 400
