from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from smartseoul.analytics import lake, services
from smartseoul.analytics.models import CommerceIndicator, Job, JobKind, JobState, Light, TripImport
from smartseoul.core.registry import LayerQuery, WidgetQuery


def _manifest() -> Any:
    return apps.get_app_config("analytics").manifest()  # type: ignore[attr-defined]


def test_manifest_offers_commands_layers_exports_and_tiles() -> None:
    m = _manifest()
    assert {c.name for c in m.commands} >= {"import-trips", "synth-trips"}
    assert all(c.group == "analytics" for c in m.commands)
    assert {lyr.key for lyr in m.layers} == {"analytics-density", "analytics-owl-routes"}
    assert len(m.exports) == 4 and m.demo is not None
    assert {t.url_name for t in m.tiles} == {"analytics:commerce", "analytics:home"}


@pytest.mark.django_db
def test_demo_is_idempotent_and_feeds_layers_widgets_and_exports(city: Any) -> None:
    m = _manifest()
    services.demo_load()
    assert lake.trip_summary()["rows"] == services.DEMO_ROWS
    assert set(Job.objects.filter(state=JobState.DONE).values_list("kind", flat=True)) == {
        JobKind.PLAN, JobKind.DENSITY, JobKind.SITING, JobKind.OD}
    counts = (TripImport.objects.count(), Job.objects.count(), CommerceIndicator.objects.count())
    services.demo_load()
    assert (TripImport.objects.count(), Job.objects.count(), CommerceIndicator.objects.count()) == counts
    assert lake.trip_summary()["rows"] == services.DEMO_ROWS

    layers = {lyr.key: lyr for lyr in m.layers}
    routes = layers["analytics-owl-routes"].features(LayerQuery())
    assert {f["properties"]["kind"] for f in routes["features"]} == {"segment", "stop"}
    hexes = layers["analytics-density"].features(LayerQuery(bbox=(126.9, 37.5, 127.0, 37.6)))
    assert hexes["features"] and all(f["geometry"]["type"] == "Polygon" for f in hexes["features"])
    for export in m.exports:
        rows = list(export.rows())
        assert rows, export.key
        assert set(rows[0]) == {f.name for f in export.fields}, export.key
    from smartseoul.core import clock
    from smartseoul.core.registry import Period

    q = WidgetQuery(Period(clock.now(), clock.now()), internal=True)
    widgets = {w.key: w.compute(q) for w in m.widgets}
    assert 0 < widgets["analytics-plan-share"]["value"] <= 100
    high_risk = widgets["analytics-high-risk"]
    lit = CommerceIndicator.objects.exclude(light=None)
    assert high_risk["value"] == lit.filter(light=Light.HIGH_RISK).count() > 0
    assert {p["t"]: p["v"] for p in high_risk["series"]} == {
        str(k): lit.filter(light=k).count() for k in range(4)}
