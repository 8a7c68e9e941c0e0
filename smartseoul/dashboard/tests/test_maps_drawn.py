"""Every map on the Digital Mayor's Office is drawn: a drill-down colours the dongs that have figures,
no widget shows an empty grey map, and a widget computed in one language is not served in another.
(The air-quality map of a fresh demo is checked with the sensors module in tests/integration.)"""

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
