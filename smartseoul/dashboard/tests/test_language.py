"""The map and theme pages in the page's language: a layer its module draws per view is cached per
language (an English map never gets the labels a Korean view computed first), refusals are
translated, counts are translated whole, and the scripts' messages come from the page."""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext

from smartseoul.core.registry import LayerQuery, MapLayer

VIEW = "bbox=126.9,37.5,127.0,37.6&zoom=13"


def test_a_layer_drawn_by_its_module_is_cached_per_language(city, client, register):
    def features(q: LayerQuery):
        label = gettext("Legend")  # any catalogue word: what the module computes in the request's language
        return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {
            "type": "Point", "coordinates": [126.978, 37.5665]},
            "properties": {"cluster": True, "count": 1, "status_label": label, "lang": get_language()}}]}

    register(layers=(MapLayer("fake-labelled", "Labelled", features, style={"kind": "cluster"}),))
    ko = client.get(f"/map/layers/fake-labelled.geojson?{VIEW}", HTTP_ACCEPT_LANGUAGE="ko").json()
    en = client.get(f"/map/layers/fake-labelled.geojson?{VIEW}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert ko["features"][0]["properties"]["lang"] == "ko"
    assert en["features"][0]["properties"] == {"cluster": True, "count": 1, "status_label": "Legend", "lang": "en"}


def test_refusals_are_in_the_page_language(city, client):
    ko = client.get("/map/layers/no-such-layer.geojson", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    en = client.get("/map/layers/no-such-layer.geojson", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert ko.status_code == en.status_code == 404
    assert "지도 레이어가 없습니다" in ko.json()["error"]["message"]
    assert en.json()["error"]["message"] == "No map layer 'no-such-layer'."
    bad = client.get("/mayor/?period=century", HTTP_ACCEPT_LANGUAGE="ko")
    assert bad.status_code == 400 and "알 수 없는 기간" in bad.content.decode()


def test_theme_counts_and_script_messages_are_translated(city, client, citizen):
    from smartseoul.dashboard.services import theme_map_create

    client.force_login(citizen)
    theme_map_create(author=citizen, title_ko="골목 쉼터")
    ko = client.get("/map/themes/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert re.search(r"0곳", ko) and "places" not in ko
    en = client.get("/map/themes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 places" in en
    around = client.get("/map/around/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'data-no-geo="이 브라우저는 위치를' in around and 'data-geo-failed="위치를 읽지 못했습니다' in around
    page = client.get("/map/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'data-embed-title="스마트서울맵"' in page


def test_what_people_wrote_in_korean_is_marked_korean_on_an_english_board(city, client, register):
    from smartseoul.core.registry import Widget

    def latest(q):
        return {"items": [{"title": "세종대로 보도블록 파손", "url": "/complaints/", "meta": "종로구"},
                          {"title": "Broken bench", "url": "/complaints/"}], "value": 2}

    register(widgets=(Widget("fake.latest", "Latest reports", "list", latest, order=1),))
    client.get("/mayor/", HTTP_ACCEPT_LANGUAGE="en")  # the first view queues the figures (run at once here)
    page = client.get("/mayor/board", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a href="/complaints/" lang="ko">세종대로 보도블록 파손</a>' in page
    assert '<span class="muted" lang="ko">종로구</span>' in page
    assert '<a href="/complaints/">Broken bench</a>' in page
