"""Every map on the Digital Mayor's Office is drawn with colours and a legend: the air-quality map
of a fresh demo colours every district by its grade (names, colours and ranges in the legend),
a drill-down colours the dongs that have figures, and no widget shows an empty grey map."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils.translation import gettext

from smartseoul.core.registry import Widget, WidgetQuery

pytestmark = pytest.mark.django_db


def _widget_html(html: str, key: str) -> str:
    start = html.index(f'data-widget="{key}"')
    return html[start : html.index("</article>", start)]


def _fills(widget: str) -> tuple[int, int]:
    """(coloured areas, "no data" areas) of a widget's map."""
    return len(re.findall(r'data-fill="value"', widget)), len(re.findall(r'data-fill="none"', widget))


def test_air_quality_map_of_a_fresh_demo_is_coloured_with_a_legend(city: Any, client: Any) -> None:
    from smartseoul.sensors.demo import load_demo

    load_demo()
    html = client.get("/mayor/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    air = _widget_html(html, "sensors-air-quality")
    assert _fills(air) == (25, 0), "every district has a grade for the demo's latest hour"
    legend = air[air.index('class="legend') :]
    for name in ("좋음", "보통", "나쁨", "매우나쁨"):
        assert name in legend
    assert "PM10 0–30" in legend
    stat = re.search(r'<p class="stat" data-value>(.*?)</p>', air, re.S)
    assert stat and stat.group(1).strip() in {"좋음", "보통", "나쁨", "매우나쁨"}  # never `normal`
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:00 기준", air), "the hour the grades are for, with its date"

    # drilling into a district: its dongs with a box are coloured, the others say "no sensor data"
    html = client.get("/mayor/?district=11140", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    air = _widget_html(html, "sensors-air-quality")
    coloured, empty = _fills(air)
    assert coloured >= 1 and 'data-level="dong"' in air
    assert empty == 0 or "측정값 없음" in air

    english = client.get("/mayor/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    legend_en = _widget_html(english, "sensors-air-quality")
    assert "Very bad" in legend_en and "매우나쁨" not in legend_en


def _district_only(q: WidgetQuery) -> dict[str, Any]:
    # no figures by dong; a `detail` for API readers that is not text must not reach the page
    return {"value": 3, "by_district": {"11110": 3}, "detail": {"oldest_wait_hours": 2}}


def _translated(q: WidgetQuery) -> dict[str, Any]:
    return {"items": [{"title": gettext("Today")}]}  # a label translated when the widget is computed


def test_drill_down_draws_no_grey_map_for_a_district_only_figure(city: Any, client: Any, register: Any) -> None:
    register(widgets=(Widget("fake.gu_only", "By district only", "districts", _district_only, order=1),))
    city_view = _widget_html(client.get("/mayor/").content.decode(), "fake.gu_only")
    assert _fills(city_view) == (1, 24)
    assert "자료 없음" in city_view  # the legend says what the grey areas are
    drill = _widget_html(client.get("/mayor/?district=11110").content.decode(), "fake.gu_only")
    assert "<svg" not in drill and ">3<" in drill  # the district's figure, without an all-grey dong map
    assert "oldest_wait_hours" not in city_view


def test_a_widget_computed_in_korean_is_not_served_to_an_english_page(city: Any, client: Any, register: Any) -> None:
    register(widgets=(Widget("fake.labels", "Labels", "list", _translated, order=1),))
    assert "오늘" in _widget_html(client.get("/mayor/", HTTP_ACCEPT_LANGUAGE="ko").content.decode(), "fake.labels")
    english = _widget_html(client.get("/mayor/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "fake.labels")
    assert "Today" in english and "오늘" not in english
