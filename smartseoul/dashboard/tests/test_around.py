"""Information around me: nearest items of the chosen layers within a radius."""

from __future__ import annotations

import pytest

from smartseoul.core import poi
from smartseoul.dashboard import selectors, services

CITY_HALL = (37.5663, 126.9779)


@pytest.fixture
def places(city, moderator):
    poi.poi_types_ensure_defaults()
    poi.poi_import(type_key="wifi", rows=[
        {"id": "w1", "name": "시청 와이파이", "name_en": "City Hall Wi-Fi", "lat": 37.5665, "lon": 126.9780},
        {"id": "w2", "name": "먼 와이파이", "lat": 37.5900, "lon": 126.9779}])
    poi.poi_import(type_key="restroom", rows=[{"id": "r1", "name": "시청 화장실", "lat": 37.5670, "lon": 126.9779}])
    theme = services.theme_map_create(author=moderator, title_ko="쉼터")
    services.theme_point_add(theme=theme, author=moderator, title="덕수궁 그늘", lat=37.5658, lon=126.9751)
    services.theme_map_publish(theme=theme, moderator=moderator)
    return theme


def test_nearest_of_chosen_layers_sorted(places):
    found = selectors.nearby(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=500,
                             layer_keys=["poi-wifi", "poi-restroom", places.layer_key])
    assert [n.name for n in found] == ["시청 와이파이", "시청 화장실", "덕수궁 그늘"]
    assert found[0].distance_m < found[1].distance_m < found[2].distance_m <= 500
    only_wifi = selectors.nearby(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=5000, layer_keys=["poi-wifi"])
    assert [n.name for n in only_wifi] == ["시청 와이파이", "먼 와이파이"]


def test_page_lists_results_on_a_phone_friendly_list(places, client):
    html = client.get(f"/map/around/results?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&radius=500"
                      "&layer=poi-wifi&layer=poi-restroom", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 places within 500 m" in html
    assert html.index("City Hall Wi-Fi") < html.index("시청 화장실")  # no English name: Korean shown
    assert 'data-lat="37.566500"' in html


def test_english_names_in_english(places, client):
    html = client.get(f"/map/around/results?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&layer=poi-wifi",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "City Hall Wi-Fi" in html


@pytest.mark.parametrize(("query", "status", "code"), [
    ("lat=37.56&lon=126.97&radius=0&layers=poi-wifi", 400, "bad_radius"),
    ("lat=37.56&lon=126.97&radius=9000&layers=poi-wifi", 400, "bad_radius"),
    ("lat=95&lon=126.97&layers=poi-wifi", 400, "bad_point"),
    ("lat=37.56&lon=126.97&layers=nope", 404, "unknown_layer"),
])
def test_api_refuses_bad_input(places, client, query, status, code):
    response = client.get(f"/api/v1/dashboard/nearby?{query}")
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_api_nearby(places, client):
    data = client.get(f"/api/v1/dashboard/nearby?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&layers=poi-restroom").json()
    assert [d["name"] for d in data] == ["시청 화장실"]


def test_korean_names_and_addresses_are_marked_korean_on_an_english_page(places, client):
    poi.poi_import(type_key="restroom", rows=[{"id": "r2", "name": "시청 별관 화장실", "address": "중구 세종대로 110",
                                               "lat": 37.5668, "lon": 126.9779}])
    query = f"lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&radius=500&layer=poi-wifi&layer=poi-restroom"
    en = client.get(f"/map/around/results?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<strong lang="ko">시청 화장실</strong>' in en and "<strong>City Hall Wi-Fi</strong>" in en
    assert '<small lang="ko">중구 세종대로 110</small>' in en
    ko = client.get(f"/map/around/results?{query}", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'lang="ko"' not in ko and "<strong>시청 화장실</strong>" in ko
