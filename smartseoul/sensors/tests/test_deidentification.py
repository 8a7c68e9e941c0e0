"""Personal identifiers a device reports in an Observation's `parameters` (a phone's MAC address,
a car number, a name) never reach the lake: each becomes a keyed hash, the same for the same
value, at any depth and whatever the key's spelling; the rest is kept as sent."""

from __future__ import annotations

import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.test import Client

from smartseoul.accounts.services import api_key_create
from smartseoul.sensors import lake
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure
from smartseoul.sensors.services.ingest import deidentify_parameters

pytestmark = pytest.mark.django_db

SECRETS = ("AA:BB:CC:DD:EE:01", "010-1234-5678", "12가3456", "홍길동", "hong@example.com")


@pytest.fixture
def stream(city: Any, make_user: Any) -> tuple[int, str]:
    gateway = make_user("gateway-visitors", role="official")
    boxes_register(positions=[("V02Q1940612", 37.5780, 126.8951)], owner=gateway)
    from smartseoul.sensors.models import Thing

    thing = Thing.objects.get(serial="V02Q1940612")
    ds = datastreams_ensure(pairs={(thing.pk, "pm25")})[(thing.pk, "pm25")]
    key = api_key_create(owner=gateway, name="gw", scopes=["sensors:read", "sensors:write"], second_factor=True)[1]
    return ds, key


def test_identifiers_become_keyed_hashes_and_the_rest_stays() -> None:
    params = {
        "mac": SECRETS[0],
        "Phone": SECRETS[1],
        "car-number": SECRETS[2],
        "battery": 81,
        "device": {"owner": {"Name": SECRETS[3]}, "firmware": "2.1"},
        "seen": [{"MAC_Address": SECRETS[0], "rssi": -60}, {"email": SECRETS[4]}],
        "plate": "",
    }
    text = deidentify_parameters(params)
    assert text is not None
    assert not [s for s in SECRETS if s in text]
    clean = json.loads(text)
    assert clean["battery"] == 81 and clean["device"]["firmware"] == "2.1" and clean["seen"][0]["rssi"] == -60
    assert clean["plate"] == ""  # nothing to hide
    hashed = [
        clean["mac"],
        clean["Phone"],
        clean["car-number"],
        clean["device"]["owner"]["Name"],
        clean["seen"][1]["email"],
    ]
    assert all(isinstance(h, str) and len(h) == 16 for h in hashed)
    # the same value under the same key, however spelled, hashes the same (visits can be counted)
    assert (
        clean["seen"][0]["MAC_Address"]
        == json.loads(deidentify_parameters({"mac-address": SECRETS[0]}) or "")["mac-address"]
    )
    assert clean["mac"] == json.loads(deidentify_parameters({"MAC": SECRETS[0]}) or "")["MAC"]
    assert clean["mac"] != json.loads(deidentify_parameters({"mac": "AA:BB:CC:DD:EE:02"}) or "")["mac"]
    assert deidentify_parameters(None) is None
    with pytest.raises(ValueError):
        deidentify_parameters(["mac", SECRETS[0]])  # type: ignore[arg-type]


def test_no_identifier_reaches_the_lake_or_the_api(stream: tuple[int, str], client: Client) -> None:
    ds, key = stream
    body = {
        "phenomenonTime": "2024-07-01T10:00:00+09:00",
        "result": 12,
        "parameters": {"mac": SECRETS[0], "phone": SECRETS[1], "visitor": {"name": SECRETS[3]}, "rssi": -71},
    }
    r = client.post(
        f"/sta/v1.1/Datastreams({ds})/Observations", body, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert r.status_code == 201, r.content
    array = {
        "Datastream": {"@iot.id": ds},
        "components": ["phenomenonTime", "result", "parameters"],
        "dataArray": [["2024-07-01T10:02:00+09:00", 13, {"plate": SECRETS[2], "email": SECRETS[4]}]],
    }
    r = client.post("/sta/v1.1/CreateObservations", [array], content_type="application/json", HTTP_X_API_KEY=key)
    assert r.status_code == 201 and "error" not in r.json()[0], r.content
    answer = client.get(f"/sta/v1.1/Datastreams({ds})/Observations", HTTP_X_API_KEY=key)
    values = answer.json()["value"]
    assert len(values) == 2 and {o["parameters"]["rssi"] for o in values if "rssi" in o["parameters"]} == {-71}
    assert not [s for s in SECRETS if s in answer.content.decode()]
    stored = "".join(
        str(pq.read_table(path).column("parameters").to_pylist()) for path in lake.files(lake.OBSERVATIONS)
    )
    assert "rssi" in stored  # the parameters are there…
    assert not [s for s in SECRETS if s in stored]  # …without the identifiers
