"""A gateway writes only for its own devices: through the native batch (JSON and CSV) and through
SensorThings (observations, changes, deletions). Another gateway's boxes and the city's own
(unowned) boxes are refused and left unchanged; a city administrator with the second factor may
write anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smartseoul.accounts.services import api_key_create
from smartseoul.sensors.models import Datastream, Thing
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure

pytestmark = pytest.mark.django_db

MINE, THEIRS, CITY = "V02Q1940612", "V02Q1940613", "V02Q1940614"


def _key(user: Any) -> str:
    return api_key_create(owner=user, name="gw", scopes=["sensors:read", "sensors:write"], second_factor=True)[1]


@pytest.fixture
def boxes(city: Any, make_user: Any) -> dict[str, Any]:
    me = make_user("gateway-me", role="official")
    them = make_user("gateway-them", role="official")
    boxes_register(positions=[(MINE, 37.5780, 126.8951)], owner=me)
    boxes_register(positions=[(THEIRS, 37.5701, 126.9822)], owner=them)
    boxes_register(positions=[(CITY, 37.5665, 126.9780)])  # the city's own, no gateway
    things = {s: Thing.objects.get(serial=s) for s in (MINE, THEIRS, CITY)}
    ds = datastreams_ensure(pairs={(t.pk, "pm25") for t in things.values()})
    return {
        "me": me,
        "key": _key(me),
        "things": things,
        "ds": {s: ds[(t.pk, "pm25")] for s, t in things.items()},
    }


def _latest(boxes: dict[str, Any]) -> dict[str, float | None]:
    return {s: Datastream.objects.get(pk=pk).latest_result for s, pk in boxes["ds"].items()}


def test_the_json_batch_stores_only_the_gateways_own_boxes(boxes: dict[str, Any], client: Client) -> None:
    body = {
        "encoding": "decoded",
        "observations": [
            {"thing": s, "time": "2024-07-01T10:00:00+09:00", "values": {"pm25": v}}
            for s, v in ((MINE, 11), (THEIRS, 12), (CITY, 13))
        ],
    }
    r = client.post("/api/v1/sensors/gateway/batch", body, content_type="application/json", HTTP_X_API_KEY=boxes["key"])
    assert r.status_code == 200, r.content
    assert r.json()["stored"] == 1 and r.json()["refused"] == 2
    assert {e["entry"] for e in r.json()["errors"]} == {1, 2}
    assert all("not this gateway's" in e["reason"] for e in r.json()["errors"])
    assert _latest(boxes) == {MINE: 11.0, THEIRS: None, CITY: None}


def test_the_csv_batch_stores_only_the_gateways_own_boxes(boxes: dict[str, Any], client: Client) -> None:
    rows = "".join(f"{serial},202407011000,{v}\n" for serial, v in ((MINE, 21), (THEIRS, 22), (CITY, 23)))
    csv_body = "시리얼,측정시간,미세먼지2.5(초미세먼지)\n" + rows
    r = client.post(
        "/api/v1/sensors/gateway/batch?encoding=decoded",
        csv_body.encode(),
        content_type="text/csv",
        HTTP_X_API_KEY=boxes["key"],
    )
    assert r.status_code == 200, r.content
    assert r.json()["stored"] == 1
    assert sorted(row["line"] for row in r.json()["bad_rows"]) == [3, 4]
    assert _latest(boxes) == {MINE: 21.0, THEIRS: None, CITY: None}


def test_sensorthings_writes_reach_only_the_gateways_own_things(boxes: dict[str, Any], client: Client) -> None:
    auth = {"HTTP_X_API_KEY": boxes["key"]}
    reading = {"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 31}
    for serial, expected in ((MINE, 201), (THEIRS, 400), (CITY, 400)):
        r = client.post(
            f"/sta/v1.1/Datastreams({boxes['ds'][serial]})/Observations",
            reading,
            content_type="application/json",
            **auth,
        )
        assert r.status_code == expected, (serial, r.content)
        assert expected == 201 or "may not write" in r.json()["message"]
    r = client.post(
        "/sta/v1.1/CreateObservations",
        [
            {
                "Datastream": {"@iot.id": boxes["ds"][serial]},
                "components": ["phenomenonTime", "result"],
                "dataArray": [["2024-07-01T11:00:00+09:00", 32]],
            }
            for serial in (MINE, THEIRS, CITY)
        ],
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    answers = r.json()
    assert "error" not in answers[0] and all("error" in a for a in answers[1:]), answers
    assert _latest(boxes) == {MINE: 32.0, THEIRS: None, CITY: None}
    for serial in (THEIRS, CITY):
        thing = boxes["things"][serial]
        r = client.patch(f"/sta/v1.1/Things({thing.pk})", {"name": "mine now"}, content_type="application/json", **auth)
        assert r.status_code == 403, r.content
        assert client.delete(f"/sta/v1.1/Things({thing.pk})", **auth).status_code == 403
        assert Thing.objects.get(pk=thing.pk).name == thing.name
    mine = boxes["things"][MINE]
    r = client.patch(f"/sta/v1.1/Things({mine.pk})", {"name": "renamed"}, content_type="application/json", **auth)
    assert r.status_code == 200 and Thing.objects.get(pk=mine.pk).name == "renamed"


def test_a_city_administrator_writes_to_the_citys_boxes(boxes: dict[str, Any], make_user: Any, client: Client) -> None:
    admin = make_user("city-admin", role="city_admin")
    body = {"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 41}
    r = client.post(
        f"/sta/v1.1/Datastreams({boxes['ds'][CITY]})/Observations",
        body,
        content_type="application/json",
        HTTP_X_API_KEY=_key(admin),
    )
    assert r.status_code == 201, r.content
    assert _latest(boxes)[CITY] == 41.0


def test_registering_boxes_for_a_gateway_hands_it_the_existing_ones(boxes: dict[str, Any], client: Client) -> None:
    boxes_register(positions=[(CITY, 37.5665, 126.9780)], owner=boxes["me"])
    assert Thing.objects.get(serial=CITY).owner == boxes["me"]
    body = {
        "encoding": "decoded",
        "observations": [{"thing": CITY, "time": "2024-07-01T12:00:00+09:00", "values": {"pm25": 5}}],
    }
    r = client.post("/api/v1/sensors/gateway/batch", body, content_type="application/json", HTTP_X_API_KEY=boxes["key"])
    assert r.json()["stored"] == 1
