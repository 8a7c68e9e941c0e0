"""SensorThings API 1.1 against the real `frost-sta-client` on a live server.

Gateways authenticate with an accounts API key of scope "sensors". The stock client only knows
HTTP Basic, so these tests use both: the key as the Basic password (the client unchanged) and a
small AuthHandler that sends `Authorization: Bearer <key>`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import frost_sta_client as fsc
import pytest
import requests
from frost_sta_client.model.ext.data_array_document import DataArrayDocument
from frost_sta_client.model.ext.data_array_value import DataArrayValue
from frost_sta_client.model.ext.unitofmeasurement import UnitOfMeasurement
from frost_sta_client.service.auth_handler import AuthHandler
from geojson import Point

pytestmark = pytest.mark.django_db(transaction=True)


class BearerKey(AuthHandler):
    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def add_auth_header(self) -> Any:
        key = self.key

        def attach(request: requests.PreparedRequest) -> requests.PreparedRequest:
            request.headers["Authorization"] = f"Bearer {key}"
            return request

        return attach


@pytest.fixture
def gateway_key(city: Any, make_user: Any) -> str:
    from smartseoul.accounts.services import api_key_create

    owner = make_user("gateway-jongno", role="official")
    _key, raw = api_key_create(
        owner=owner, name="S-DoT gateway", scopes=["sensors:read", "sensors:write"], second_factor=True,
        daily_quota=100_000
    )
    return raw


@pytest.fixture
def svc(live_server: Any, gateway_key: str) -> fsc.SensorThingsService:
    return fsc.SensorThingsService(live_server.url + "/sta/v1.1", auth_handler=BearerKey(gateway_key))


def _box(svc: fsc.SensorThingsService, serial: str, lon: float, lat: float) -> tuple[Any, Any]:
    sensor = fsc.Sensor(
        name="SDOT-2",
        description="S-DoT box model 2",
        encoding_type="application/pdf",
        metadata="https://example.city/sdot-2.pdf",
    )
    svc.create(sensor)
    pm25 = fsc.ObservedProperty(name="PM2.5", definition="https://example.city/def/pm25", description="fine dust")
    svc.create(pm25)
    thing = fsc.Thing(
        name=f"S-DoT {serial}",
        description="S-DoT urban data sensor box",
        properties={"serial": serial, "kind": "sdot_box"},
    )
    thing.locations = [
        fsc.Location(
            name=f"{serial} site", description="pole", encoding_type="application/geo+json", location=Point((lon, lat))
        )
    ]
    svc.create(thing)
    ds = fsc.Datastream(
        name=f"{serial} PM2.5",
        description="2-minute mean PM2.5",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement=UnitOfMeasurement(
            name="microgram per cubic metre", symbol="µg/m³", definition="http://qudt.org/vocab/unit/MicroGM-PER-M3"
        ),
        thing=thing,
        sensor=sensor,
        observed_property=pm25,
    )
    svc.create(ds)
    return thing, ds


def test_create_and_read_back_with_filter_expand_and_paging(
    svc: fsc.SensorThingsService, official_boundaries: Any
) -> None:
    thing, ds = _box(svc, "V02Q1940612", 126.8951928, 37.57807617)
    assert isinstance(thing.id, int) and isinstance(ds.id, int)
    start = datetime(2024, 7, 1, 0, 0, tzinfo=UTC)
    # single observations
    for i in range(3):
        svc.create(fsc.Observation(phenomenon_time=start + timedelta(minutes=2 * i), result=10 + i, datastream=ds))
    # a dataArray batch of 250 rows
    dav = DataArrayValue()
    dav.datastream = ds
    dav.components = {DataArrayValue.Property.PHENOMENON_TIME, DataArrayValue.Property.RESULT}
    for i in range(3, 253):
        dav.add_observation(
            fsc.Observation(phenomenon_time=start + timedelta(minutes=2 * i), result=i % 90, datastream=ds)
        )
    doc = DataArrayDocument()
    doc.add_data_array_value(dav)
    created = svc.observations().create(doc)
    assert len(created) == 250
    assert all(o.self_link and "/Observations(" in o.self_link for o in created)

    # read back: $filter on the Thing, $expand of its Datastreams and Locations
    things = svc.things().query().filter("name eq 'S-DoT V02Q1940612'").expand("Datastreams,Locations").list()
    found = list(things)
    assert [t.id for t in found] == [thing.id]
    assert [d.id for d in found[0].datastreams] == [ds.id]
    # geojson.Point rounds to 6 decimals (RFC 7946 advice) before sending
    assert found[0].locations.entities[0].location["coordinates"] == [126.895193, 37.578076]
    reread = svc.things().find(thing.id)
    assert reread.name == "S-DoT V02Q1940612"

    # paging: iterating follows @iot.nextLink through every page
    obs_list = (
        svc.observations()
        .query()
        .filter(f"Datastream/id eq {ds.id}")
        .orderby("phenomenonTime", "ASC")
        .top(100)
        .count()
        .list()
    )
    assert obs_list.count == 253
    assert obs_list.next_link is not None and "$skip=100" in obs_list.next_link
    results = [o.result for o in obs_list]
    assert len(results) == 253
    assert results[:4] == [10, 11, 12, 3]

    # filters on results and times
    high = svc.observations().query().filter(f"Datastream/id eq {ds.id} and result ge 80").count().list()
    assert high.count == sum(1 for i in range(3, 253) if i % 90 >= 80)
    window = (
        svc.observations()
        .query()
        .filter("phenomenonTime ge 2024-07-01T00:00:00Z and phenomenonTime lt 2024-07-01T00:10:00Z")
        .count()
        .list()
    )
    assert window.count == 5

    # nested expand with options, as a client showing the latest value does
    latest = (
        svc.things()
        .query()
        .filter(f"id eq {thing.id}")
        .expand("Datastreams($select=name;$expand=Observations($top=1;$orderby=phenomenonTime desc))")
        .list()
    )
    ds_latest = next(iter(latest)).datastreams.entities[0]
    assert ds_latest.observations.entities[0].result == 252 % 90


def test_update_patch_delete_and_geo_filter(
    svc: fsc.SensorThingsService, live_server: Any, gateway_key: str, official_boundaries: Any
) -> None:
    thing, _ds = _box(svc, "V02Q1940068", 126.9923309, 37.4913371)
    other, _ = _box(svc, "V02Q9999999", 127.1, 37.60)
    thing.description = "moved to the next pole"
    svc.update(thing)  # PUT
    svc.patch(thing, [{"op": "replace", "path": "/name", "value": "S-DoT V02Q1940068 (Seocho)"}])  # JSON Patch
    again = svc.things().find(thing.id)
    assert again.name == "S-DoT V02Q1940068 (Seocho)" and again.description == "moved to the next pole"
    # geo: only the first box lies inside this polygon around Seocho
    poly = "POLYGON((126.98 37.48, 127.00 37.48, 127.00 37.50, 126.98 37.50, 126.98 37.48))"
    inside = list(svc.things().query().filter(f"st_within(Locations/location, geography'{poly}')").list())
    assert [t.id for t in inside] == [thing.id]
    # the PUT re-sent the Thing's Locations, which made a new Location (the old one stays, unlinked)
    crossing = list(
        svc.locations().query().filter(f"geo.intersects(location, geography'{poly}')").expand("Things").list()
    )
    assert len(crossing) == 2
    assert {t.id for loc in crossing for t in loc.things} == {thing.id}
    # delete removes the Thing and its Datastreams
    svc.delete(other)
    assert requests.get(f"{live_server.url}/sta/v1.1/Things({other.id})", timeout=10).status_code == 404
    remaining = [t.id for t in svc.things().query().list()]
    assert thing.id in remaining and other.id not in remaining


def test_writes_need_a_gateway_key_and_bad_input_changes_nothing(live_server: Any, gateway_key: str, city: Any) -> None:
    base = live_server.url + "/sta/v1.1"
    body = {"name": "x", "description": "y"}
    assert requests.post(f"{base}/Things", json=body, timeout=10).status_code == 401
    wrong = requests.post(f"{base}/Things", json=body, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 403 and wrong.json()["message"]
    bad = requests.post(f"{base}/Things", json={"name": "x"}, auth=("gateway", gateway_key), timeout=10)
    assert bad.status_code == 400 and "description" in bad.json()["message"]
    bad_loc = requests.post(
        f"{base}/Things",
        json={
            "name": "x",
            "description": "y",
            "Locations": [
                {
                    "name": "l",
                    "description": "d",
                    "encodingType": "application/geo+json",
                    "location": {"type": "Point", "coordinates": "nowhere"},
                }
            ],
        },
        auth=("gateway", gateway_key),
        timeout=10,
    )
    assert bad_loc.status_code == 400
    assert requests.get(f"{base}/Things", timeout=10).json() == {"value": []}
    assert requests.get(f"{base}/Locations", timeout=10).json() == {"value": []}
    # the stock client's HTTP Basic (key as password) works for writes
    ok = requests.post(f"{base}/Things", json=body, auth=("gateway", gateway_key), timeout=10)
    assert ok.status_code == 201 and ok.headers["Location"].startswith("http://")
    assert requests.get(f"{base}/Things?$filter=name eq", timeout=10).status_code == 400


def test_links_honour_the_proxy_headers(live_server: Any, gateway_key: str, city: Any) -> None:
    base = live_server.url + "/sta/v1.1"
    created = requests.post(
        f"{base}/Things", json={"name": "a", "description": "b"}, auth=("gw", gateway_key), timeout=10
    )
    tid = int(created.headers["Location"].split("(")[1].rstrip(")"))
    root = requests.get(
        base, headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost"}, timeout=10
    ).json()
    assert root["value"][0]["url"] == "https://localhost/sta/v1.1/Things"
    assert len(root["value"]) == 8
    assert (
        "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array" in root["serverSettings"]["conformance"]
    )
    one = requests.get(f"{base}/Things({tid})", headers={"X-Forwarded-Proto": "https"}, timeout=10).json()
    assert one["@iot.selfLink"].startswith("https://") and one["Datastreams@iot.navigationLink"].endswith(
        f"/Things({tid})/Datastreams"
    )
    assert requests.get(f"{base}/Things({tid})/name/$value", timeout=10).text == "a"
    assert requests.get(f"{base}/Things('abc')", timeout=10).status_code == 404
