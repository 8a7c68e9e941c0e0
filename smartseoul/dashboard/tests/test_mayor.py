"""The Digital Mayor's Office: every registered widget by kind, internal figures only for
officials, cached results and a bounded number of queries whatever the data size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartseoul.core import poi
from smartseoul.core.models import AuditEvent
from smartseoul.core.registry import Widget, WidgetQuery

SECRET = "INTERNAL-SENTINEL-4242"


def _stat(q: WidgetQuery):
    return {"value": 1234, "unit": "건", "series": [{"t": "2026-11-01", "v": 3}, {"t": "2026-11-02", "v": 7}]}


def _series(q: WidgetQuery):
    return {"value": 9, "series": [{"t": f"d{i}", "v": i * i} for i in range(8)]}


def _districts(q: WidgetQuery):
    if q.district_code:
        return {"value": 5, "by_neighborhood": {}}
    return {"value": 70, "by_district": {"11110": 40, "11680": 30}}


def _list(q: WidgetQuery):
    return {"items": [{"title": "Pothole on Sejong-daero", "url": "/x", "meta": "road"}]}


def _internal(q: WidgetQuery):
    assert q.internal, "an internal widget must only be computed for officials"
    return {"value": 77, "items": [{"title": SECRET, "meta": "parking team"}]}


def _audit_count(q: WidgetQuery):
    """A widget over a table whose size the test changes: one aggregate query whatever the size."""
    return {"value": AuditEvent.objects.count()}


FAKES = (
    Widget("fake.stat", "Complaints today", "stat", _stat, section="city", order=1),
    Widget("fake.series", "Air quality index", "series", _series, section="environment", order=2),
    Widget("fake.districts", "Open complaints by district", "districts", _districts, section="city", order=3),
    Widget("fake.list", "Top categories", "list", _list, section="city", order=4),
    Widget("fake.internal", f"Overdue by department {SECRET}", "list", _internal, section="city", internal=True),
)


@pytest.fixture
def fakes(register):
    register(widgets=FAKES)


def test_public_page_shows_every_public_widget_by_kind(city, client, fakes):
    html = client.get("/mayor/").content.decode()
    for key in ("fake.stat", "fake.series", "fake.districts", "fake.list", "dashboard.facilities"):
        assert f'data-widget="{key}"' in html
    assert "1,234" in html and "Pothole on Sejong-daero" in html
    assert 'class="chart-line"' in html  # the series is drawn
    assert 'data-code="11110"' in html and 'data-level="gu"' in html  # the choropleth links each district
    assert 'hx-trigger="every 10s"' in html  # refreshes itself


@pytest.mark.parametrize("url", ["/mayor/", "/mayor/board", "/mayor/?district=11110", "/api/v1/dashboard/widgets"])
def test_internal_figures_never_on_the_public_version(city, client, fakes, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET not in body and "fake.internal" not in body and "dashboard.theme_moderation" not in body


def test_internal_figures_not_even_for_a_signed_in_official_on_the_public_page(official_client, fakes):
    assert SECRET not in official_client.get("/mayor/").content.decode()


def test_officials_version_shows_internal_figures(official_client, fakes):
    html = official_client.get("/mayor/office/").content.decode()
    assert SECRET in html and 'data-widget="dashboard.theme_moderation"' in html
    assert 'class="widget kind-list is-internal' in html
    assert SECRET in official_client.get("/mayor/office/board").content.decode()


def test_officials_version_needs_an_official_with_second_factor(city, client, make_user, official, fakes):
    assert client.get("/mayor/office/")["Location"].startswith("/accounts/login/")
    citizen = make_user("someone")
    client.force_login(citizen)
    response = client.get("/mayor/office/")
    assert response.status_code == 403 and SECRET not in response.content.decode()
    client.force_login(official)  # no second factor in this session
    response = client.get("/mayor/office/board")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")


def test_internal_cache_never_leaks_to_public(official_client, client, fakes):
    official_client.get("/mayor/office/")  # warms the officials' cache entries first
    client.logout()
    from django.test import Client

    assert SECRET not in Client().get("/mayor/board").content.decode()


def test_page_queries_are_bounded_whatever_the_data_size(city, client, register):
    """A page reads the area's stored figures (the task worker computes them): a constant number
    of queries, none on a module's table, whatever its size; a warm view touches no table."""
    from django.core.cache import cache

    from smartseoul.dashboard import services
    from smartseoul.dashboard.selectors import AreaKey

    register(widgets=(Widget("fake.audit", "Audit events", "stat", _audit_count),))
    counts = []
    for size in (5, 5, 2000):  # the first round also warms other modules' in-process indexes
        AuditEvent.objects.all().delete()
        AuditEvent.objects.bulk_create(AuditEvent(actor_label="x", action="t", at="2026-01-01T00:00:00Z")
                                       for _ in range(size))
        poi.poi_types_ensure_defaults()
        services.figures_compute(AreaKey("7d", None, None, False, "ko"))  # what the task worker does
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            html = client.get("/mayor/").content.decode()
        assert f"{size:,}" in html
        assert not any("core_auditevent" in q["sql"] for q in cold.captured_queries)
        with CaptureQueriesContext(connection) as warm:
            client.get("/mayor/")
        counts.append((len(cold), len(warm)))
    (cold_small, warm_small), (cold_big, warm_big) = counts[1:]
    assert cold_small == cold_big and warm_small == warm_big
    assert cold_big <= 8  # the stored figures, the shapes once
    assert warm_big == 0  # a warm page view touches no table at all


def test_widget_results_are_cached_between_views(city, client, register):
    register(widgets=(Widget("fake.audit", "Audit events", "stat", _audit_count),))
    client.get("/mayor/")
    AuditEvent.objects.create(actor_label="x", action="t", at="2026-01-01T00:00:00Z")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/mayor/board")
    assert not any("core_auditevent" in q["sql"] for q in ctx.captured_queries)


def test_a_failing_widget_does_not_take_the_page_down(city, client, register):
    def broken(q):
        raise RuntimeError("module database is down")

    register(widgets=(Widget("fake.broken", "Broken", "stat", broken), *FAKES[:1]))
    html = client.get("/mayor/").content.decode()
    assert 'data-widget="fake.broken"' in html and 'data-widget="fake.stat"' in html


def test_drill_down_district_then_dong(city, client, fakes):
    from smartseoul.core.models import Neighborhood

    html = client.get("/mayor/?district=11110").content.decode()
    assert 'id="crumb-district"' in html and "종로구" in html and 'data-level="dong"' in html
    dong = Neighborhood.objects.filter(district__code="11110").first()
    assert f"district=11110&amp;dong={dong.code}" in html  # each dong links one level further
    html = client.get(f"/mayor/?district=11110&dong={dong.code}").content.decode()
    assert 'id="crumb-dong"' in html and dong.name_ko in html


def test_drill_down_passes_the_area_to_widgets(city, client, register):
    seen = []

    def spy(q: WidgetQuery):
        seen.append((q.district_code, q.neighborhood_code, q.period.end > q.period.start))
        return {"value": 1}

    register(widgets=(Widget("fake.spy", "Spy", "stat", spy),))
    client.get("/mayor/?district=11110&period=30d")
    assert seen == [("11110", None, True)]


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/api/v1/dashboard/widgets?period=decade", 400, "unknown_period"),
    ("/api/v1/dashboard/widgets?district=99999", 404, "unknown_district"),
    ("/api/v1/dashboard/widgets?district=11110&dong=nope", 404, "unknown_neighborhood"),
    ("/api/v1/dashboard/widgets?dong=1111051500", 400, "unknown_district"),
])
def test_bad_board_queries_get_a_clear_error(city, client, url, status, code):
    response = client.get(url)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_bad_period_on_the_page_is_a_400(city, client):
    assert client.get("/mayor/?period=forever").status_code == 400


def test_api_widgets_carry_the_data(city, client, fakes):
    data = {w["key"]: w for w in client.get("/api/v1/dashboard/widgets").json()}
    assert data["fake.districts"]["data"]["by_district"] == {"11110": 40, "11680": 30}
    assert data["fake.stat"]["kind"] == "stat"


def test_stale_results_are_served_while_they_are_refreshed(city, client, register, monkeypatch):
    from smartseoul.dashboard import selectors, views

    register(widgets=(Widget("fake.audit", "Audit events", "stat", _audit_count),))
    monkeypatch.setattr(views, "BOARD_HTML_TTL", 0)  # no shared rendering: each poll reads the widget cache
    client.get("/mayor/")
    monkeypatch.setattr(selectors, "WIDGET_TTL", 0)  # from now on every stored figure is old …
    from django.core.cache import cache

    cache.clear()  # … and no view keeps them in the cache
    AuditEvent.objects.create(actor_label="x", action="t", at="2026-01-01T00:00:00Z")
    first = client.get("/mayor/board").content.decode()  # queues the recomputation (the tests' tasks run at once)
    assert 'data-widget="fake.audit"' in first and '<p class="stat" data-value>0' in first  # the last figure
    second = client.get("/mayor/board").content.decode()
    assert '<p class="stat" data-value>1' in second  # recomputed after the view that asked
