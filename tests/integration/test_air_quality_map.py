"""The air-quality map of a fresh demo, as the mayor's dashboard draws it from the sensors module:
every district coloured by its grade, the grades' names, colours and ranges in the legend, and a
drill-down that colours the dongs with a box."""

from __future__ import annotations

import re
from typing import Any

import pytest

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
