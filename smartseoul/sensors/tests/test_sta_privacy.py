"""Home-device privacy over the whole SensorThings API: every entity set, entity by id, navigation
paths, `$expand`, `$filter` on related entities, `$select`, `$orderby`, `$count`, `$ref`, `$value`
and dataArray. A senior's in-home device appears only to the caseworkers assigned to that senior
(with their second factor) and to the gateway that registered it; anonymous callers, citizens,
officials, unassigned caseworkers, a caseworker without the second factor and other gateways
see no trace of it — no entity, no link, no id, and no yes/no answer from a filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from smartseoul.sensors.models import Datastream, FeatureOfInterest, HistoricalLocation, Sensor, Thing
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure
from smartseoul.sensors.services.care import caseworker_assign, home_device_add, senior_register
from smartseoul.sensors.services.sta import observations_create_many
from smartseoul.sensors.sta.model import SETS

pytestmark = pytest.mark.django_db

LABEL = "JN-2024-0012"
DEVICE = f"{LABEL} living room"
BOX = "V02Q1940612"


def _key(owner: Any, scopes: list[str]) -> str:
    from smartseoul.accounts.services import api_key_create

    _k, raw = api_key_create(owner=owner, name="gateway", scopes=scopes, second_factor=True)
    return raw


@pytest.fixture
def world(city: Any, make_user: Any) -> dict[str, Any]:
    assigned = make_user("caseworker-a", role="official", capabilities=("caseworker",))
    unassigned = make_user("caseworker-b", role="official", capabilities=("caseworker",))
    home_gateway = make_user("home-gateway", role="official")
    senior = senior_register(label=LABEL, district_code="11110", dong_code="", actor=assigned)
    caseworker_assign(senior=senior, caseworker=assigned, actor=assigned)
    device = home_device_add(senior=senior, name=DEVICE, actor=assigned, gateway=home_gateway)
    home_ds = {d.quantity: d.pk for d in Datastream.objects.filter(thing=device)}
    loc = device.locations.get()
    hl = HistoricalLocation.objects.create(thing=device, time=device.created_at)
    hl.locations.add(loc)
    boxes_register(positions=[(BOX, 37.57807617, 126.8951928)])
    box = Thing.objects.get(serial=BOX)
    box_ds = datastreams_ensure(pairs={(box.pk, "pm25"), (box.pk, "temperature")})
    items = [({"phenomenonTime": f"2024-07-01T10:0{i}:00+09:00", "result": 1}, home_ds["motion"]) for i in range(3)]
    items += [({"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 24.5}, home_ds["indoor_temperature"])]
    home_obs = observations_create_many(items=items, gateway=None)
    assert home_obs.accepted == 4, home_obs.errors
    box_items = [({"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 17}, box_ds[(box.pk, "pm25")])]
    assert observations_create_many(items=box_items, gateway=None).accepted == 1
    home_foi = FeatureOfInterest.objects.get(location=loc)
    sensors = set(Datastream.objects.filter(thing=device).values_list("sensor", flat=True))
    shared = sensors & set(Datastream.objects.filter(thing=box).values_list("sensor", flat=True))
    assert shared, "the home device and the public box share a Sensor (the filter oracle needs one)"
    # a Sensor only the home device uses, named as a gateway might name it
    own_sensor = Sensor.objects.create(
        name=f"{LABEL} bedroom PIR", description="PIR", encoding_type="text/plain", metadata="PIR"
    )
    Datastream.objects.filter(pk=home_ds["indoor_light"]).update(sensor=own_sensor)
    home_ops = set(Datastream.objects.filter(thing=device).values_list("observed_property", flat=True))
    public_ops = set(Datastream.objects.exclude(thing=device).values_list("observed_property", flat=True))
    secrets = [
        LABEL,
        f"/Things({device.pk})",
        f"/Locations({loc.pk})",
        f"/HistoricalLocations({hl.pk})",
        f"/FeaturesOfInterest({home_foi.pk})",
        f"/Sensors({own_sensor.pk})",
        *(f"/Datastreams({pk})" for pk in home_ds.values()),
        *(f"/Observations({int(i)})" for i in home_obs.ids),
        *(f"/ObservedProperties({pk})" for pk in home_ops - public_ops),
    ]
    home_ids = {
        "Things": {device.pk},
        "Locations": {loc.pk},
        "HistoricalLocations": {hl.pk},
        "Datastreams": set(home_ds.values()),
        "Observations": {int(i) for i in home_obs.ids},
        "FeaturesOfInterest": {home_foi.pk},
        "Sensors": {own_sensor.pk},
        "ObservedProperties": home_ops - public_ops,
    }
    return {
        "home_ids": home_ids,
        "assigned": assigned,
        "unassigned": unassigned,
        "home_gateway": home_gateway,
        "device": device,
        "home_ds": home_ds,
        "loc": loc,
        "hl": hl,
        "foi": home_foi,
        "own_sensor": own_sensor,
        "shared_sensor": shared.pop(),
        "obs": [int(i) for i in home_obs.ids],
        "box": box,
        "secrets": secrets,
        "make_user": make_user,
    }


OUTSIDERS = (
    "anonymous",
    "citizen",
    "official",
    "unassigned caseworker",
    "assigned caseworker without second factor",
    "another gateway's key",
)
INSIDERS = ("assigned caseworker", "the device's gateway")


def identity(world: dict[str, Any], who: str) -> tuple[Client, dict[str, str]]:
    """A client (and extra headers) acting as `who`."""
    make_user = world["make_user"]
    if who == "anonymous":
        return Client(), {}
    if who == "citizen":
        return sign_in(Client(), make_user("citizen-x", district="11110")), {}
    if who == "official":
        return sign_in(Client(), make_user("official-x", role="official", department="11110-parking")), {}
    if who == "unassigned caseworker":
        return sign_in(Client(), world["unassigned"]), {}
    if who == "assigned caseworker without second factor":
        return sign_in(Client(), world["assigned"], second_factor=False), {}
    if who == "another gateway's key":
        other = make_user("other-gateway", role="official")
        return Client(), {"HTTP_X_API_KEY": _key(other, ["sensors:read", "sensors:write"])}
    if who == "assigned caseworker":
        return sign_in(Client(), world["assigned"]), {}
    if who == "the device's gateway":
        return Client(), {"HTTP_X_API_KEY": _key(world["home_gateway"], ["sensors:read", "sensors:write"])}
    raise KeyError(who)


def fill(template: str, world: dict[str, Any]) -> str:
    return template.format(
        thing=world["device"].pk,
        ds=world["home_ds"]["motion"],
        temp_ds=world["home_ds"]["indoor_temperature"],
        loc=world["loc"].pk,
        hl=world["hl"].pk,
        foi=world["foi"].pk,
        sensor=world["own_sensor"].pk,
        shared=world["shared_sensor"],
        obs=world["obs"][0],
        label=LABEL,
        device=DEVICE,
        box=world["box"].pk,
    )


# (path and query, whether the assigned caseworker sees a trace of the device there)
REQUESTS: list[tuple[str, bool]] = [
    # every entity set
    ("Things", True),
    ("Locations", True),
    ("HistoricalLocations", True),
    ("Datastreams", True),
    ("Observations?$top=100", True),
    ("FeaturesOfInterest", True),
    ("Sensors", True),
    ("ObservedProperties", True),
    # entity by id
    ("Things({thing})", True),
    ("Locations({loc})", True),
    ("HistoricalLocations({hl})", True),
    ("Datastreams({ds})", True),
    ("Observations({obs})", True),
    ("FeaturesOfInterest({foi})", True),
    ("Sensors({sensor})", True),
    # properties, $value, $ref
    ("Things({thing})/name", True),
    ("Things({thing})/properties", True),
    ("Things({thing})/name/$value", True),
    ("Things/$ref", True),
    ("Datastreams({ds})/Observations/$ref", True),
    # navigation paths
    ("Things({thing})/Datastreams", True),
    ("Things({thing})/Locations", True),
    ("Things({thing})/HistoricalLocations", True),
    ("Datastreams({ds})/Observations", True),
    ("Datastreams({ds})/Thing", True),
    ("Datastreams({ds})/Sensor", False),  # the shared S-DoT sensor
    ("Datastreams({ds})/ObservedProperty", True),
    ("Locations({loc})/Things", True),
    ("Locations({loc})/HistoricalLocations", True),
    ("HistoricalLocations({hl})/Thing", True),
    ("FeaturesOfInterest({foi})/Observations", True),
    ("Observations({obs})/Datastream", True),
    ("Observations({obs})/FeatureOfInterest", True),
    ("Sensors({shared})/Datastreams?$top=100", True),
    ("ObservedProperties?$filter=name eq 'motion'", True),
    # $expand
    ("Datastreams?$expand=Thing,Observations&$top=100", True),
    ("Things?$expand=Datastreams($expand=Observations),Locations,HistoricalLocations", True),
    ("Locations?$expand=Things,HistoricalLocations", True),
    ("HistoricalLocations?$expand=Thing,Locations", True),
    ("Observations?$expand=Datastream($expand=Thing),FeatureOfInterest&$top=100", True),
    ("FeaturesOfInterest?$expand=Observations", True),
    ("Sensors?$expand=Datastreams($expand=Thing)", True),
    ("ObservedProperties?$expand=Datastreams($expand=Thing)", True),
    ("Sensors({shared})?$expand=Datastreams($top=100)", True),
    # $filter on own and related entities
    ("Things?$filter=properties/senior eq '{label}'", True),
    ("Things?$filter=name eq '{device}'", True),
    ("Datastreams?$filter=Thing/properties/senior eq '{label}'", True),
    ("Datastreams?$filter=Thing/id eq {thing}", True),
    ("Observations?$filter=Datastream/Thing/properties/senior eq '{label}'", True),
    ("Observations?$filter=Datastream/Thing/id eq {thing}", True),
    ("Observations?$filter=Datastream/ObservedProperty/name eq 'motion'", True),
    ("Locations?$filter=Things/properties/senior eq '{label}'", True),
    ("HistoricalLocations?$filter=Thing/name eq '{device}'", True),
    ("Things?$filter=Locations/name eq '{label} area'", True),
    # $filter through a shared Sensor or ObservedProperty to the hidden Thing (a yes/no oracle)
    ("Sensors?$filter=Datastreams/Thing/properties/senior eq '{label}'", True),
    ("ObservedProperties?$filter=Datastreams/Thing/name eq '{device}'", True),
    ("Things?$filter=Datastreams/Sensor/Datastreams/Thing/properties/senior eq '{label}'", True),
    ("Datastreams?$filter=Sensor/Datastreams/Thing/properties/senior eq '{label}'", True),
    ("Observations?$filter=Datastream/Sensor/Datastreams/Thing/properties/senior eq '{label}'", True),
    ("Things?$filter=not (Datastreams/Sensor/Datastreams/Thing/properties/senior eq '{label}')", False),
    # $select and dataArray
    ("Datastreams?$select=id,name,description", True),
    ("Things?$select=id,name,properties", True),
    ("Observations?$resultFormat=dataArray&$top=100", True),
    ("Observations?$select=id,result&$top=100", True),
]


def _get(client: Client, path: str, headers: dict[str, str]) -> Any:
    return client.get(f"/sta/v1.1/{path}", **headers)


def _set_of(path: str) -> str | None:
    """The entity set a path's answer lists (None for a property, $value or $ref)."""
    segments = path.split("?", 1)[0].split("/")
    current = segments[0].split("(", 1)[0]
    for seg in segments[1:]:
        nav = SETS[current].navs.get(seg)
        if nav is None:
            return None
        current = nav.target
    return current


def _entities(body: Any, set_name: str) -> list[tuple[str, int]]:
    """(set, id) of every entity in an answer, expanded ones included, whatever $select kept."""
    items = body.get("value", []) if "value" in body else [body]
    out: list[tuple[str, int]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if "@iot.id" in item:
            out.append((set_name, int(item["@iot.id"])))
        for key, value in item.items():
            nav = SETS[set_name].navs.get(key)
            if nav is not None and isinstance(value, list | dict):
                out += _entities({"value": value} if isinstance(value, list) else value, nav.target)
    return out


def traces(world: dict[str, Any], path: str, response: Any) -> list[str]:
    """What of the home device an answer shows: secret texts and the ids of its entities."""
    text = response.content.decode()
    found = [repr(secret) for secret in world["secrets"] if secret in text]
    set_name = _set_of(path)
    if response.status_code == 200 and set_name is not None and "dataArray" not in path:
        found += [f"{s}({i})" for s, i in _entities(response.json(), set_name) if i in world["home_ids"][s]]
    return found


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_trace_of_a_home_device_for_outsiders(world: dict[str, Any], who: str) -> None:
    client, headers = identity(world, who)
    failures = []
    for template, _insider_sees in REQUESTS:
        path = fill(template, world)
        response = _get(client, path, headers)
        text = response.content.decode()
        if response.status_code not in (200, 404):
            failures.append(f"{path}: HTTP {response.status_code} {text[:200]}")
            continue
        failures += [f"{path}: shows {trace}" for trace in traces(world, path, response)]
        # every filter here names the home device: an outsider gets an empty page, not a hint
        names_the_device = "$filter" in template and "not (" not in template
        if names_the_device and (response.status_code != 200 or response.json()["value"] != []):
            failures.append(f"{path}: the filter matched {text[:200]}")
    assert not failures, f"{who}:\n" + "\n".join(failures)
    assert len(REQUESTS) >= 60


@pytest.mark.parametrize("who", INSIDERS)
def test_the_caseworker_and_the_gateway_see_the_home_device(world: dict[str, Any], who: str) -> None:
    """The other side of the test above: the same requests do show the device to those allowed."""
    client, headers = identity(world, who)
    failures = []
    for template, insider_sees in REQUESTS:
        path = fill(template, world)
        response = _get(client, path, headers)
        text = response.content.decode()
        if response.status_code != 200:
            failures.append(f"{path}: HTTP {response.status_code} {text[:200]}")
        elif insider_sees and not traces(world, path, response):
            failures.append(f"{path}: no trace of the device in {text[:200]}")
    assert not failures, f"{who}:\n" + "\n".join(failures)


def test_counts_leave_the_home_device_out(world: dict[str, Any]) -> None:
    sets = ["Things", "Locations", "HistoricalLocations", "Datastreams", "Observations", "FeaturesOfInterest"]
    insider, _h = identity(world, "assigned caseworker")
    outside = [identity(world, who) for who in ("anonymous", "unassigned caseworker")]
    for set_name in [*sets, "Sensors", "ObservedProperties"]:
        counts = {_get(c, f"{set_name}?$count=true&$top=0", h).json()["@iot.count"] for c, h in outside}
        assert len(counts) == 1, (set_name, counts)
        inside = _get(insider, f"{set_name}?$count=true&$top=0", {}).json()["@iot.count"]
        assert inside > counts.pop(), set_name


def test_ordering_may_not_follow_a_collection(world: dict[str, Any]) -> None:
    client = Client()
    for path in (
        "Sensors?$orderby=Datastreams/Thing/name",
        "Datastreams?$orderby=Sensor/Datastreams/name",
        "Things?$orderby=Datastreams/name desc",
    ):
        response = _get(client, path, {})
        assert response.status_code == 400, path
        assert "$orderby" in response.json()["message"]
    assert _get(client, "Datastreams?$orderby=Thing/name,Sensor/name", {}).status_code == 200


def test_a_filter_mixing_two_related_entities_in_one_comparison_is_refused(world: dict[str, Any]) -> None:
    response = _get(Client(), "Datastreams?$filter=Thing/name eq Sensor/name", {})
    assert response.status_code == 400


def test_public_data_stays_public(world: dict[str, Any]) -> None:
    client = Client()
    box = world["box"].pk
    things = _get(client, "Things", {}).json()["value"]
    assert [t["@iot.id"] for t in things] == [box]
    body = _get(client, f"Observations?$filter=Datastream/Thing/id eq {box}", {}).json()
    assert [o["result"] for o in body["value"]] == [17]
    sensors = _get(client, "Sensors?$filter=Datastreams/Thing/properties/serial eq '" + BOX + "'", {}).json()
    assert [s["@iot.id"] for s in sensors["value"]] == [world["shared_sensor"]]
    negated = _get(client, f"Things?$filter=not (Datastreams/Thing/properties/senior eq '{LABEL}')", {}).json()
    assert [t["@iot.id"] for t in negated["value"]] == [box]


def test_a_home_devices_observations_cannot_carry_their_own_feature_of_interest(world: dict[str, Any]) -> None:
    """Another feature (public, perhaps at the home's exact position) would place the home."""
    before = FeatureOfInterest.objects.count()
    inline = {
        "phenomenonTime": "2024-07-02T10:00:00+09:00",
        "result": 1,
        "FeatureOfInterest": {
            "name": "home",
            "description": "front door",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [126.97812, 37.57231]},
        },
    }
    result = observations_create_many(items=[(inline, world["home_ds"]["motion"])], gateway=None)
    assert result.accepted == 0 and "coarse area" in result.errors[0]
    assert FeatureOfInterest.objects.count() == before  # nothing was created on the way
    public_foi = FeatureOfInterest.objects.exclude(pk=world["foi"].pk).first()
    assert public_foi is not None  # the box's
    linked = {
        "phenomenonTime": "2024-07-02T10:00:00+09:00",
        "result": 1,
        "FeatureOfInterest": {"@iot.id": public_foi.pk},
    }
    result = observations_create_many(items=[(linked, world["home_ds"]["motion"])], gateway=None)
    assert result.accepted == 0 and "coarse area" in result.errors[0]
    own = {
        "phenomenonTime": "2024-07-02T10:00:00+09:00",
        "result": 1,
        "FeatureOfInterest": {"@iot.id": world["foi"].pk},
    }
    assert observations_create_many(items=[(own, world["home_ds"]["motion"])], gateway=None).accepted == 1
    # the public box may still link any feature
    box_ds = Datastream.objects.get(thing=world["box"], quantity="pm25").pk
    box_obs = {
        "phenomenonTime": "2024-07-02T10:00:00+09:00",
        "result": 3,
        "FeatureOfInterest": {"@iot.id": public_foi.pk},
    }
    assert observations_create_many(items=[(box_obs, box_ds)], gateway=None).accepted == 1


def test_the_devices_gateway_cannot_post_a_feature_of_interest_with_a_home_observation(
    world: dict[str, Any], client: Client
) -> None:
    key = _key(world["home_gateway"], ["sensors:read", "sensors:write"])
    before = FeatureOfInterest.objects.count()
    body = {
        "phenomenonTime": "2024-07-02T11:00:00+09:00",
        "result": 1,
        "FeatureOfInterest": {
            "name": "home",
            "description": "front door",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [126.97812, 37.57231]},
        },
    }
    response = client.post(
        f"/sta/v1.1/Datastreams({world['home_ds']['motion']})/Observations",
        body,
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert response.status_code == 400, response.content
    assert "coarse area" in response.json()["message"]
    assert FeatureOfInterest.objects.count() == before
