"""Pages, the native API, widgets, layers, the export and the demo."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from smartseoul.core.registry import LayerQuery, Period, WidgetQuery, exports, layer, widgets
from smartseoul.sensors.demo import load_demo
from smartseoul.sensors.models import Thing, ThingKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(city: Any) -> None:
    load_demo()


def test_demo_is_idempotent_and_feeds_widgets_layers_and_export(demo: None) -> None:
    boxes = Thing.objects.filter(kind=ThingKind.SDOT_BOX).count()
    assert boxes == 100
    load_demo()
    assert Thing.objects.filter(kind=ThingKind.SDOT_BOX).count() == boxes
    from datetime import UTC, datetime

    q = WidgetQuery(Period(datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)))
    air = next(w for w in widgets() if w.key == "sensors-air-quality").compute(q)
    assert len(air["by_district"]) == 25
    assert set(air["by_district"].values()) <= {"good", "normal", "bad", "very_bad"}
    boxes_fc = layer("sensors-boxes").features(LayerQuery())  # type: ignore[union-attr]
    assert len(boxes_fc["features"]) == 100
    for f in boxes_fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 124 <= lon <= 132 and 33 <= lat <= 39 and shape(f["geometry"]).is_valid
        assert f["properties"]["pm25"] is not None
    parking = layer("sensors-parking").features(LayerQuery())  # type: ignore[union-attr]
    assert parking["features"][0]["properties"]["spots"] == 6
    rows = list(next(e for e in exports() if e.key == "sensors-district-hourly").rows())
    assert len(rows) >= 25 * 24 * 8
    assert shapely.Point(0, 0).is_valid


def test_pages_render(demo: None, client: Any, make_user: Any) -> None:
    assert client.get("/sensors/").status_code == 200
    serial = Thing.objects.filter(kind=ThingKind.SDOT_BOX).values_list("serial", flat=True).first()
    page = client.get(f"/sensors/boxes/{serial}/?period=week")
    assert page.status_code == 200 and b"box-series" in page.content
    assert client.get("/sensors/boxes/NOPE/").status_code == 404
    assert client.get("/sensors/alerts/").status_code == 302  # sign-in first
    user = make_user("resident", district="11110")
    client.force_login(user)
    response = client.post(
        "/sensors/alerts/", {"district_code": "11110", "kinds": ["dust", "heat"], "channels": ["inbox"]}
    )
    assert response.status_code == 302
    assert b"11110" in client.get("/sensors/alerts/").content
    assert client.get("/sensors/care/").status_code == 403  # not a caseworker


def test_gateway_batch_api_and_parking(demo: None, client: Any, make_user: Any) -> None:
    from smartseoul.accounts.services import api_key_create

    owner = make_user("gw", role="official")
    _key, raw = api_key_create(owner=owner, name="gw", scopes=["sensors:read", "sensors:write"], second_factor=True)
    serial = Thing.objects.filter(kind=ThingKind.SDOT_BOX).values_list("serial", flat=True).first()
    Thing.objects.filter(serial=serial).update(owner=owner)  # a gateway writes to its own boxes only
    body = {
        "encoding": "sdot-raw",
        "observations": [
            {"thing": serial, "time": "2030-01-01T09:00:00+09:00", "values": {"pm25": 12, "temperature": 1234}},
            {"thing": "NOPE", "time": "2030-01-01T09:00:00+09:00", "values": {"pm25": 12}},
            {"thing": serial, "time": "2030-01-01T09:02:00+09:00", "values": {"temperature": 99}},
        ],
    }
    assert client.post("/api/v1/sensors/gateway/batch", body, content_type="application/json").status_code == 401
    r = client.post("/api/v1/sensors/gateway/batch", body, content_type="application/json", HTTP_X_API_KEY=raw)
    assert r.status_code == 200, r.content
    assert r.json()["stored"] == 2 and r.json()["refused"] == 2
    csv_body = f"시리얼,측정시간,기온\n{serial},203001010904,1240\n{serial},bad,1\n".encode()
    r = client.post(
        "/api/v1/sensors/gateway/batch?encoding=sdot-raw",
        csv_body,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 200 and r.json()["stored"] == 1 and r.json()["bad_rows"][0]["line"] == 3
    t = client.get(
        f"/sta/v1.1/Datastreams?$filter=Thing/properties/serial eq '{serial}' and "
        "ObservedProperty/name eq 'air temperature'&$expand=Observations($orderby=phenomenonTime desc;$top=2)"
    )
    assert [o["result"] for o in t.json()["value"][0]["Observations"]] == [24.0, 23.4]
    lots = client.get("/api/v1/sensors/parking/lots").json()
    assert lots[0]["spots"] == 6 and lots[0]["unknown"] == 6
    air = client.get("/api/v1/sensors/air/districts").json()
    assert len(air) == 25


def test_the_parking_layer_speaks_the_page_language(demo: None) -> None:
    from django.utils import translation

    with translation.override("ko"):
        ko = layer("sensors-parking").features(LayerQuery())["features"][0]["properties"]  # type: ignore[union-attr]
    with translation.override("en"):
        en = layer("sensors-parking").features(LayerQuery())["features"][0]["properties"]  # type: ignore[union-attr]
    assert en["name_en"] == "Jongno shared car park (demo)"
    assert ko["description"].startswith("종로구 · ") and "6" in ko["description"]
    assert en["description"].startswith("Jongno-gu · ") and "of 6 spaces free" in en["description"]
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in en["description"])  # no Korean on an English page
