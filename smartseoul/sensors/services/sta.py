"""SensorThings writes: create (with deep insert), update (PATCH, PUT, JSON Patch), delete, and
the dataArray bulk create. The protocol adapter in `sta/` only parses and renders."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from shapely.geometry import shape

from smartseoul.core import clock, geography

from .. import selectors
from ..errors import BadEntity, EntityNotFound, NotYourDevice
from ..models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    Location,
    ObservationRevision,
    ObservedProperty,
    Sensor,
    Thing,
    ThingKind,
)
from ..sta.model import GEO_ENCODINGS, SETS
from ..sta.render import dumps
from ..timeutil import parse_time_value, to_us
from .ingest import HOME_FEATURE, NULL_TS, ObservationBatch, deidentify_parameters, observations_ingest, result_parts

IGNORED_SUFFIXES = ("@iot.navigationLink", "@iot.selfLink", "@iot.count", "@iot.nextLink")


# --- small validators --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON for storage: exact decimals become floats (only results keep their exact text)."""
    if isinstance(value, Decimal):
        f = float(value)
        return int(f) if f.is_integer() and "." not in str(value) and "E" not in str(value).upper() else f
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _text(d: Mapping[str, Any], key: str, *, required: bool = True, max_len: int = 200) -> str | None:
    if key not in d or d[key] is None:
        if required:
            raise BadEntity(f"{key} is required")
        return None
    value = d[key]
    if not isinstance(value, str):
        raise BadEntity(f"{key} must be a string")
    if required and not value.strip():
        raise BadEntity(f"{key} cannot be empty")
    if max_len and len(value) > max_len:
        raise BadEntity(f"{key} is longer than {max_len} characters")
    return value


def _need(d: Mapping[str, Any], key: str, *, max_len: int = 200) -> str:
    return _text(d, key, max_len=max_len) or ""


def _obj(d: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadEntity(f"{key} must be a JSON object")
    return _plain(value)


def _geometry(value: Any, what: str) -> tuple[dict[str, Any], float | None, float | None]:
    value = _plain(value)
    if not isinstance(value, dict):
        raise BadEntity(f"{what} must be a GeoJSON object")
    geom_obj = value.get("geometry") if value.get("type") == "Feature" else value
    try:
        geom = shape(geom_obj)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException) as exc:
        raise BadEntity(f"{what} is not a GeoJSON geometry ({exc})") from exc
    if geom.is_empty or not geom.is_valid:
        raise BadEntity(f"{what} is not a valid geometry")
    west, south, east, north = geom.bounds
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise BadEntity(f"{what} must be WGS84 longitude/latitude")
    point = geom.representative_point()
    return value, point.y, point.x


def _encoding(d: Mapping[str, Any], *, geo: bool) -> str:
    enc = _text(d, "encodingType", max_len=100) or ""
    if geo and enc not in GEO_ENCODINGS:
        raise BadEntity(f"encodingType must be application/geo+json (got {enc!r})")
    return "application/geo+json" if enc == "application/vnd.geo+json" else enc


def _check_keys(set_name: str, d: Mapping[str, Any]) -> None:
    es = SETS[set_name]
    allowed = set(es.props) | set(es.navs) | {"@iot.id", "id"}
    for key in d:
        if key.startswith("@iot.") or key.endswith(IGNORED_SUFFIXES):
            continue
        if key not in allowed:
            raise BadEntity(f"{es.singular} has no property {key!r}")


def _is_admin(gateway: Any) -> bool:
    return bool(getattr(gateway, "is_city_admin", False))


def _check_owner(thing: Thing, gateway: Any) -> None:
    if gateway is None or _is_admin(gateway):
        return
    if thing.owner_id != gateway.pk:  # the city's own (unowned) devices are changed by its administrators
        raise NotYourDevice("This gateway may not change that device.")


def _link_id(value: Any, what: str) -> int | None:
    if isinstance(value, dict) and ("@iot.id" in value or "id" in value):
        raw = value.get("@iot.id", value.get("id"))
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise BadEntity(f"{what}: @iot.id must be an integer")
        return raw
    return None


# --- create ---------------------------------------------------------------------------------------------


class _Ctx:
    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self.pending_observations: list[tuple[dict[str, Any], int]] = []  # (data, datastream id)


def _existing(set_name: str, pk: int, ctx: _Ctx) -> Any:
    if set_name == "Observations":
        raise BadEntity("Observations cannot be linked by id")
    obj = selectors.visible(set_name, ctx.gateway).filter(pk=pk).first()
    if obj is None:
        raise EntityNotFound(f"No {SETS[set_name].singular} with id {pk}.")
    return obj


def _one(set_name: str, value: Any, ctx: _Ctx, **parent: Any) -> Any:
    if not isinstance(value, dict):
        raise BadEntity(f"{SETS[set_name].singular} must be a JSON object")
    pk = _link_id(value, SETS[set_name].singular)
    if pk is not None:
        return _existing(set_name, pk, ctx)
    return CREATORS[set_name](value, ctx, **parent)


def _many(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadEntity(f"{what} must be a JSON array")
    return value


def _place_thing(thing: Thing, location: Location) -> None:
    if location.lat is None or location.lon is None:
        return
    place = geography.locate(location.lat, location.lon)
    thing.lat, thing.lon = location.lat, location.lon
    thing.district_code = place.district_code if place else ""
    thing.dong_code = (place.neighborhood_code or "") if place else ""
    thing.save(update_fields=["lat", "lon", "district_code", "dong_code"])


def _create_thing(d: dict[str, Any], ctx: _Ctx, **_: Any) -> Thing:
    _check_keys("Things", d)
    props = _obj(d, "properties")
    kind = ThingKind.SDOT_BOX if props and props.get("kind") == ThingKind.SDOT_BOX else ThingKind.OTHER
    serial = str(props.get("serial")) if props and kind == ThingKind.SDOT_BOX and props.get("serial") else None
    if serial and Thing.objects.filter(serial=serial).exists():
        raise BadEntity(f"a box with serial {serial} is already registered")
    thing = Thing.objects.create(
        name=_need(d, "name"),
        description=_need(d, "description", max_len=0),
        properties=props,
        kind=kind,
        serial=serial,
        owner=ctx.gateway,
        created_at=clock.now(),
    )
    locations = [_one("Locations", v, ctx) for v in _many(d.get("Locations"), "Locations")]
    if locations:
        thing.locations.add(*locations)
        HistoricalLocation.objects.create(thing=thing, time=clock.now()).locations.add(*locations)
        _place_thing(thing, locations[-1])
    for v in _many(d.get("HistoricalLocations"), "HistoricalLocations"):
        _one("HistoricalLocations", v, ctx, thing=thing)
    for v in _many(d.get("Datastreams"), "Datastreams"):
        _one("Datastreams", v, ctx, thing=thing)
    return thing


def _create_location(d: dict[str, Any], ctx: _Ctx, thing: Thing | None = None, **_: Any) -> Location:
    _check_keys("Locations", d)
    encoding = _encoding(d, geo=True)
    geom, lat, lon = _geometry(d.get("location"), "location")
    loc = Location.objects.create(
        name=_need(d, "name"),
        description=_need(d, "description", max_len=0),
        encoding_type=encoding,
        location=geom,
        properties=_obj(d, "properties"),
        lat=lat,
        lon=lon,
    )
    things = [_one("Things", v, ctx) for v in _many(d.get("Things"), "Things")]
    if thing is not None:
        things.append(thing)
    for t in things:
        _check_owner(t, ctx.gateway)
        t.locations.set([loc])
        HistoricalLocation.objects.create(thing=t, time=clock.now()).locations.add(loc)
        _place_thing(t, loc)
    return loc


def _create_historical_location(
    d: dict[str, Any], ctx: _Ctx, thing: Thing | None = None, **_: Any
) -> HistoricalLocation:
    _check_keys("HistoricalLocations", d)
    try:
        time, _end = parse_time_value(_text(d, "time") or "")
    except ValueError as exc:
        raise BadEntity(f"time: {exc}") from exc
    if thing is None:
        if d.get("Thing") is None:
            raise BadEntity("a HistoricalLocation needs its Thing")
        thing = _one("Things", d["Thing"], ctx)
    assert thing is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
    _check_owner(thing, ctx.gateway)
    hl = HistoricalLocation.objects.create(thing=thing, time=time)
    locations = [_one("Locations", v, ctx) for v in _many(d.get("Locations"), "Locations")]
    if locations:
        hl.locations.add(*locations)
    return hl


def _unit(d: Mapping[str, Any]) -> dict[str, Any]:
    unit = d.get("unitOfMeasurement")
    if not isinstance(unit, dict):
        raise BadEntity("unitOfMeasurement must be an object with name, symbol and definition")
    for key in ("name", "symbol", "definition"):
        if key in unit and unit[key] is not None and not isinstance(unit[key], str):
            raise BadEntity(f"unitOfMeasurement.{key} must be a string")
    return _plain(unit)


def _create_datastream(
    d: dict[str, Any],
    ctx: _Ctx,
    thing: Thing | None = None,
    sensor: Sensor | None = None,
    observed_property: ObservedProperty | None = None,
    **_: Any,
) -> Datastream:
    _check_keys("Datastreams", d)
    if "observedArea" in d or "phenomenonTime" in d or "resultTime" in d:
        pass  # read-only: computed from the observations, ignored on input
    thing = thing or (_one("Things", d["Thing"], ctx) if d.get("Thing") is not None else None)
    sensor = sensor or (_one("Sensors", d["Sensor"], ctx) if d.get("Sensor") is not None else None)
    op = observed_property or (
        _one("ObservedProperties", d["ObservedProperty"], ctx) if d.get("ObservedProperty") is not None else None
    )
    if thing is None or sensor is None or op is None:
        raise BadEntity("a Datastream needs its Thing, Sensor and ObservedProperty")
    _check_owner(thing, ctx.gateway)
    ds = Datastream.objects.create(
        name=_need(d, "name"),
        description=_need(d, "description", max_len=0),
        unit_of_measurement=_unit(d),
        observation_type=_need(d, "observationType", max_len=200),
        properties=_obj(d, "properties"),
        thing=thing,
        sensor=sensor,
        observed_property=op,
        quantity=op.code,
    )
    for v in _many(d.get("Observations"), "Observations"):
        if not isinstance(v, dict):
            raise BadEntity("Observation must be a JSON object")
        ctx.pending_observations.append((v, ds.pk))
    return ds


def _create_sensor(d: dict[str, Any], ctx: _Ctx, **_: Any) -> Sensor:
    _check_keys("Sensors", d)
    if "metadata" not in d or d["metadata"] is None:
        raise BadEntity("metadata is required")
    sensor = Sensor.objects.create(
        name=_need(d, "name"),
        description=_need(d, "description", max_len=0),
        encoding_type=_encoding(d, geo=False),
        metadata=_plain(d["metadata"]),
        properties=_obj(d, "properties"),
    )
    for v in _many(d.get("Datastreams"), "Datastreams"):
        _one("Datastreams", v, ctx, sensor=sensor)
    return sensor


def _create_observed_property(d: dict[str, Any], ctx: _Ctx, **_: Any) -> ObservedProperty:
    _check_keys("ObservedProperties", d)
    props = _obj(d, "properties")
    from .. import sdot

    code = str(props.get("code")) if props and props.get("code") in sdot.BY_CODE else ""
    op = ObservedProperty.objects.create(
        name=_need(d, "name"),
        definition=_need(d, "definition", max_len=300),
        description=_need(d, "description", max_len=0),
        properties=props,
        code=code,
    )
    for v in _many(d.get("Datastreams"), "Datastreams"):
        _one("Datastreams", v, ctx, observed_property=op)
    return op


def _create_feature(d: dict[str, Any], ctx: _Ctx, **_: Any) -> FeatureOfInterest:
    _check_keys("FeaturesOfInterest", d)
    encoding = _encoding(d, geo=True)
    feature, lat, lon = _geometry(d.get("feature"), "feature")
    return FeatureOfInterest.objects.create(
        name=_need(d, "name"),
        description=_need(d, "description", max_len=0),
        encoding_type=encoding,
        feature=feature,
        properties=_obj(d, "properties"),
        lat=lat,
        lon=lon,
    )


def _create_observation(
    d: dict[str, Any],
    ctx: _Ctx,
    datastream: Datastream | None = None,
    feature: FeatureOfInterest | None = None,
    **_: Any,
) -> None:
    _check_keys("Observations", d)
    if datastream is None:
        if d.get("Datastream") is None:
            raise BadEntity("an Observation needs its Datastream")
        pk = _link_id(d["Datastream"], "Datastream")
        if pk is None:
            raise BadEntity('link the Observation to an existing Datastream with {"@iot.id": …}')
        datastream = _existing("Datastreams", pk, ctx)
    assert datastream is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
    if feature is not None:
        d = {**d, "FeatureOfInterest": {"@iot.id": feature.pk}}
    ctx.pending_observations.append((d, datastream.pk))


CREATORS: dict[str, Any] = {
    "Things": _create_thing,
    "Locations": _create_location,
    "HistoricalLocations": _create_historical_location,
    "Datastreams": _create_datastream,
    "Sensors": _create_sensor,
    "ObservedProperties": _create_observed_property,
    "FeaturesOfInterest": _create_feature,
    "Observations": _create_observation,
}


def _observation_batch(items: list[tuple[dict[str, Any], int]], ctx: _Ctx) -> ObservationBatch:
    n = len(items)
    ds = np.zeros(n, dtype=np.int64)
    t = np.zeros(n, dtype=np.int64)
    t_end = np.full(n, NULL_TS, dtype=np.int64)
    rt = np.full(n, NULL_TS, dtype=np.int64)
    vs = np.full(n, NULL_TS, dtype=np.int64)
    ve = np.full(n, NULL_TS, dtype=np.int64)
    res = np.full(n, np.nan)
    texts: list[str | None] = [None] * n
    quality: list[str | None] = [None] * n
    params: list[str | None] = [None] * n
    foi = np.zeros(n, dtype=np.int64)
    errors: dict[int, str] = {}
    now_us = to_us(clock.now())
    home_ds = set(
        Datastream.objects.filter(pk__in={ds_id for _d, ds_id in items}, thing__kind=ThingKind.HOME_DEVICE).values_list(
            "pk", flat=True
        )
    )
    for i, (d, ds_id) in enumerate(items):
        ds[i] = ds_id
        try:
            if "result" not in d:
                raise BadEntity("result is required")
            res[i], texts[i] = result_parts(d["result"])
            if d.get("phenomenonTime") is not None:
                start, end = parse_time_value(d["phenomenonTime"])
                t[i] = to_us(start)
                if end is not None:
                    t_end[i] = to_us(end)
            else:
                t[i] = now_us
            if d.get("resultTime") is not None:
                rt[i] = to_us(parse_time_value(d["resultTime"])[0])
            if d.get("validTime") is not None:
                a, b = parse_time_value(d["validTime"])
                vs[i], ve[i] = to_us(a), to_us(b or a)
            if d.get("resultQuality") is not None:
                quality[i] = dumps(d["resultQuality"])
            params[i] = deidentify_parameters(d.get("parameters"))
            f = d.get("FeatureOfInterest")
            if f is not None:
                pk = _link_id(f, "FeatureOfInterest")
                if pk is None and ds_id in home_ds:
                    raise BadEntity(HOME_FEATURE)
                foi[i] = pk if pk is not None else _create_feature(f, ctx).pk
        except (BadEntity, ValueError) as exc:
            errors[i] = getattr(exc, "message", None) or str(exc)
    return ObservationBatch(
        datastream_id=ds,
        phenomenon_us=t,
        result=res,
        result_text=texts,
        phenomenon_end_us=t_end,
        result_time_us=rt,
        foi_id=foi,
        result_quality=quality,
        valid_start_us=vs,
        valid_end_us=ve,
        parameters=params,
        preset_errors=errors,
    )


def sta_entity_create(
    *, set_name: str, data: Any, gateway: Any, parent: tuple[str, int, str] | None = None
) -> tuple[str, int]:
    """Creates an entity (with its nested new entities) in one transaction; returns (set, id).
    `parent` is (set, id, navigation) for a POST to a navigation path."""
    if not isinstance(data, dict):
        raise BadEntity("the body must be a JSON object")
    if data.get("@iot.id") is not None:
        raise BadEntity("ids are assigned by the server")
    ctx = _Ctx(gateway)
    with transaction.atomic():
        extra: dict[str, Any] = {}
        if parent is not None:
            p_set, p_id, nav = parent
            owner = _existing(p_set, p_id, ctx)
            key = {
                "Things": "thing",
                "Sensors": "sensor",
                "ObservedProperties": "observed_property",
                "Datastreams": "datastream",
                "FeaturesOfInterest": "feature",
            }.get(p_set)
            if key is None or SETS[p_set].navs.get(nav) is None or SETS[p_set].navs[nav].target != set_name:
                raise BadEntity(f"cannot create {set_name} under {p_set}")
            extra[key] = owner
        created = CREATORS[set_name](data, ctx, **extra)
        if set_name == "Observations":
            items = ctx.pending_observations
            ctx.pending_observations = []
            result = observations_ingest(batch=_observation_batch(items, ctx), gateway=gateway)
            if result.errors:
                raise BadEntity(next(iter(result.errors.values())))
            return "Observations", int(result.ids[0])
        if ctx.pending_observations:
            result = observations_ingest(batch=_observation_batch(ctx.pending_observations, ctx), gateway=gateway)
            if result.errors:
                raise BadEntity(next(iter(result.errors.values())))
        return set_name, created.pk


def sta_data_array_create(*, data: Any, gateway: Any) -> list[int | str]:
    """The dataArray bulk create: one id (or an error text) per row, in order. Good rows are kept
    even when others fail."""
    if not isinstance(data, list):
        raise BadEntity("CreateObservations takes a JSON array")
    items: list[tuple[dict[str, Any], int]] = []
    outcome: list[int | str] = []
    index: list[int] = []  # position in `items` per output row, -1 = already an error
    allowed = {
        "id",
        "phenomenonTime",
        "result",
        "resultTime",
        "resultQuality",
        "validTime",
        "parameters",
        "FeatureOfInterest/id",
    }
    for block in data:
        if not isinstance(block, dict):
            raise BadEntity("each element of CreateObservations must be an object")
        if "MultiDatastream" in block:
            raise BadEntity("MultiDatastreams are not supported")
        ds_id = _link_id(block.get("Datastream"), "Datastream")
        if ds_id is None:
            raise BadEntity('each element needs "Datastream": {"@iot.id": …}')
        components = block.get("components")
        if not isinstance(components, list) or not components or len(set(components)) != len(components):
            raise BadEntity("components must be a list of distinct names")
        unknown = [c for c in components if c not in allowed]
        if unknown:
            raise BadEntity(f"unknown components {unknown}")
        if "result" not in components:
            raise BadEntity("components must include result")
        rows = block.get("dataArray")
        if not isinstance(rows, list):
            raise BadEntity("dataArray must be an array of rows")
        for row in rows:
            if not isinstance(row, list) or len(row) != len(components):
                outcome.append("error: the row does not match components")
                index.append(-1)
                continue
            d: dict[str, Any] = {}
            for name, value in zip(components, row, strict=True):
                if name == "FeatureOfInterest/id":
                    d["FeatureOfInterest"] = {"@iot.id": value}
                elif name != "id":
                    d[name] = value
            outcome.append("")
            index.append(len(items))
            items.append((d, ds_id))
    if items:
        batch = _observation_batch(items, _Ctx(gateway))
        result = observations_ingest(batch=batch, gateway=gateway)
        for pos, i in enumerate(index):
            if i < 0:
                continue
            outcome[pos] = f"error: {result.errors[i]}" if i in result.errors else int(result.ids[i])
    return outcome


# --- update ----------------------------------------------------------------------------------------------


def _apply_props(set_name: str, obj: Any, d: Mapping[str, Any], *, replace: bool, ctx: _Ctx) -> None:
    es = SETS[set_name]
    _check_keys(set_name, d)
    if replace:
        missing = [p for p in es.required if p not in d]
        if missing:
            raise BadEntity(f"PUT needs every required property; missing {', '.join(missing)}")
    fields: list[str] = []
    for prop, field in es.props.items():
        if not field or (prop not in d and not replace):
            continue
        if prop in ("observedArea",):
            continue
        value = d.get(prop)
        if prop in ("name", "description", "encodingType", "definition", "observationType"):
            value = _text(d, prop, max_len=0)
            if prop == "encodingType":
                value = _encoding(d, geo=set_name in ("Locations", "FeaturesOfInterest"))
        elif prop in ("location", "feature"):
            value, lat, lon = _geometry(d.get(prop), prop)
            obj.lat, obj.lon = lat, lon
            fields += ["lat", "lon"]
        elif prop == "unitOfMeasurement":
            value = _unit(d)
        elif prop == "properties":
            value = _obj(d, prop)
        elif prop == "metadata":
            if value is None:
                raise BadEntity("metadata is required")
            value = _plain(value)
        elif prop == "time":
            try:
                value = parse_time_value(_text(d, "time") or "")[0]
            except ValueError as exc:
                raise BadEntity(f"time: {exc}") from exc
        setattr(obj, field, value)
        fields.append(field)
    for nav_name, nav in es.navs.items():
        if nav_name not in d or nav.target == "Observations":
            continue
        if not nav.many:
            target = _one(nav.target, d[nav_name], ctx)
            if nav.target == "Things":
                _check_owner(target, ctx.gateway)
            setattr(obj, nav.fk, target.pk)
            fields.append(nav.fk)
            if set_name == "Datastreams" and nav_name == "ObservedProperty":
                obj.quantity = target.code
                fields.append("quantity")
        else:
            targets = [_one(nav.target, v, ctx) for v in _many(d[nav_name], nav_name)]
            if set_name == "Things" and nav_name == "Locations":
                obj.locations.set(targets)
                if targets:
                    HistoricalLocation.objects.create(thing=obj, time=clock.now()).locations.add(*targets)
                    _place_thing(obj, targets[-1])
            elif nav.orm and hasattr(getattr(obj, nav.orm), "set") and nav_name in ("Things", "Locations"):
                getattr(obj, nav.orm).add(*targets)
            else:
                raise BadEntity(f"{nav_name} cannot be changed through {es.singular}")
    if fields:
        obj.save(update_fields=list(dict.fromkeys(fields)))
    if set_name == "Locations" and "location" in d:
        for t in obj.things.all():
            _place_thing(t, obj)


def _owner_thing(set_name: str, obj: Any) -> Thing | None:
    if set_name == "Things":
        return obj
    if set_name in ("Datastreams", "HistoricalLocations"):
        return obj.thing
    return None


def sta_entity_update(*, set_name: str, pk: int, data: Any, gateway: Any, replace: bool = False) -> None:
    """PATCH (partial) or PUT (`replace=True`, every required property)."""
    if not isinstance(data, dict):
        raise BadEntity("the body must be a JSON object")
    ctx = _Ctx(gateway)
    if set_name == "Observations":
        _observation_update(pk, data, ctx, replace=replace)
        return
    with transaction.atomic():
        obj = _existing(set_name, pk, ctx)
        thing = _owner_thing(set_name, obj)
        if thing is not None:
            _check_owner(thing, gateway)
        _apply_props(set_name, obj, data, replace=replace, ctx=ctx)


def apply_json_patch(document: Any, operations: Any) -> Any:
    """RFC 6902 (add, remove, replace, move, copy, test) on a JSON document."""
    if not isinstance(operations, list):
        raise BadEntity("a JSON Patch is an array of operations")
    doc = copy.deepcopy(document)

    def parts(pointer: str) -> list[str]:
        if pointer == "":
            return []
        if not pointer.startswith("/"):
            raise BadEntity(f"bad JSON pointer {pointer!r}")
        return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]

    def parent(pointer: str) -> tuple[Any, str]:
        ps = parts(pointer)
        if not ps:
            raise BadEntity("the whole document cannot be patched")
        node = doc
        for p in ps[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        return node, ps[-1]

    def get(pointer: str) -> Any:
        node = doc
        for p in parts(pointer):
            node = node[int(p)] if isinstance(node, list) else node[p]
        return node

    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise BadEntity("each JSON Patch operation needs op and path")
        try:
            kind = op["op"]
            if kind in ("add", "replace"):
                node, key = parent(op["path"])
                if isinstance(node, list):
                    idx = len(node) if key == "-" else int(key)
                    if kind == "add":
                        node.insert(idx, op["value"])
                    else:
                        node[idx] = op["value"]
                else:
                    if kind == "replace" and key not in node:
                        raise BadEntity(f"replace: {op['path']} does not exist")
                    node[key] = op["value"]
            elif kind == "remove":
                node, key = parent(op["path"])
                del node[int(key) if isinstance(node, list) else key]
            elif kind in ("move", "copy"):
                value = get(op["from"])
                if kind == "move":
                    node, key = parent(op["from"])
                    del node[int(key) if isinstance(node, list) else key]
                node, key = parent(op["path"])
                if isinstance(node, list):
                    node.insert(len(node) if key == "-" else int(key), copy.deepcopy(value))
                else:
                    node[key] = copy.deepcopy(value)
            elif kind == "test":
                if get(op["path"]) != op["value"]:
                    raise BadEntity(f"test failed at {op['path']}")
            else:
                raise BadEntity(f"unknown JSON Patch op {kind!r}")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise BadEntity(f"JSON Patch cannot be applied: {exc}") from exc
    return doc


def sta_entity_json_patch(*, set_name: str, pk: int, operations: Any, gateway: Any) -> None:
    from ..sta.model import plain_props

    ctx = _Ctx(gateway)
    if set_name == "Observations":
        from ..sta import lakeq

        row = _observation_row(pk, ctx)
        current = json.loads(json.dumps(lakeq.row_to_json_fields(row), default=lambda o: json.loads(o.text)))
        patched = apply_json_patch(current, operations)
        _observation_update(pk, patched, ctx, replace=False)
        return
    with transaction.atomic():
        obj = _existing(set_name, pk, ctx)
        current = plain_props(SETS[set_name], obj)
        patched = apply_json_patch(current, operations)
        changed = {k: v for k, v in patched.items() if current.get(k) != v}
        removed = [k for k in current if k not in patched]
        if removed:
            if any(k in SETS[set_name].required for k in removed):
                raise BadEntity(f"required properties cannot be removed: {removed}")
            changed.update({k: None for k in removed})
        thing = _owner_thing(set_name, obj)
        if thing is not None:
            _check_owner(thing, gateway)
        _apply_props(set_name, obj, changed, replace=False, ctx=ctx)


# --- observations: corrections and deletes ------------------------------------------------------------


def _observation_row(pk: int, ctx: _Ctx) -> dict[str, Any]:
    from ..sta import lakeq

    row = lakeq.run_one(
        pk,
        visible_ds=selectors.visible("Datastreams", ctx.gateway),
        visible_foi=selectors.visible("FeaturesOfInterest", ctx.gateway),
    )
    if row is None:
        raise EntityNotFound(f"No Observation with id {pk}.")
    thing = Datastream.objects.select_related("thing").get(pk=row["datastream_id"]).thing
    _check_owner(thing, ctx.gateway)
    return row


def _row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def _observation_update(pk: int, d: Mapping[str, Any], ctx: _Ctx, *, replace: bool) -> None:
    _check_keys("Observations", d)
    if replace and "result" not in d:
        raise BadEntity("PUT needs the result")
    row = dict(_observation_row(pk, ctx))
    try:
        if "result" in d:
            value, text = result_parts(d["result"])
            row["result"] = None if np.isnan(value) else value
            row["result_text"] = text
        if "phenomenonTime" in d:
            start, end = parse_time_value(d["phenomenonTime"])
            row["phenomenon_time"], row["phenomenon_end"] = start, end
        if "resultTime" in d:
            row["result_time"] = parse_time_value(d["resultTime"])[0] if d["resultTime"] is not None else None
        if "validTime" in d:
            if d["validTime"] is None:
                row["valid_start"] = row["valid_end"] = None
            else:
                a, b = parse_time_value(d["validTime"])
                row["valid_start"], row["valid_end"] = a, b or a
        if "resultQuality" in d:
            row["result_quality"] = None if d["resultQuality"] is None else dumps(d["resultQuality"])
        if "parameters" in d:
            row["parameters"] = deidentify_parameters(d["parameters"])
    except ValueError as exc:
        raise BadEntity(str(exc)) from exc
    if "Datastream" in d or "FeatureOfInterest" in d:
        raise BadEntity("an Observation cannot move to another Datastream or FeatureOfInterest")
    with transaction.atomic():
        ObservationRevision.objects.update_or_create(
            observation_id=pk, defaults={"deleted": False, "row": _row_json(row), "at": clock.now()}
        )
        ds = Datastream.objects.select_for_update().get(pk=row["datastream_id"])
        if ds.latest_observation_id == pk:
            ds.latest_result = row["result"]
            ds.latest_result_text = row["result_text"]
            ds.save(update_fields=["latest_result", "latest_result_text"])


def _refresh_latest(datastream_id: int, gateway: Any) -> None:
    from ..sta import lakeq
    from ..sta.parser import Options

    rows, _ = lakeq.run(
        visible_ds=Datastream.objects.filter(pk=datastream_id),
        visible_foi=FeatureOfInterest.objects.all(),
        constraint=("datastream_id", [datastream_id]),
        options=Options(orderby=[(("phenomenonTime",), True)]),
        want_count=False,
        limit=1,
        skip=0,
    )
    ds = Datastream.objects.get(pk=datastream_id)
    row = rows[0] if rows else None
    ds.latest_observation_id = int(row["id"]) if row else None
    ds.latest_phenomenon_time = row["phenomenon_time"] if row else None
    ds.latest_result = row["result"] if row else None
    ds.latest_result_text = row["result_text"] if row else None
    ds.latest_result_time = row["result_time"] if row else None
    ds.save(
        update_fields=[
            "latest_observation_id",
            "latest_phenomenon_time",
            "latest_result",
            "latest_result_text",
            "latest_result_time",
        ]
    )


def sta_entity_delete(*, set_name: str, pk: int, gateway: Any) -> None:
    """Deletes an entity and those that cannot exist without it (Thing → Datastreams → their
    Observations; Observations of a deleted Datastream or FeatureOfInterest disappear from reads)."""
    ctx = _Ctx(gateway)
    with transaction.atomic():
        if set_name == "Observations":
            row = _observation_row(pk, ctx)
            ObservationRevision.objects.update_or_create(
                observation_id=pk, defaults={"deleted": True, "row": None, "at": clock.now()}
            )
            if Datastream.objects.filter(pk=row["datastream_id"], latest_observation_id=pk).exists():
                _refresh_latest(int(row["datastream_id"]), gateway)
            return
        obj = _existing(set_name, pk, ctx)
        thing = _owner_thing(set_name, obj)
        if thing is not None:
            _check_owner(thing, gateway)
        if set_name == "Locations":
            HistoricalLocation.objects.filter(locations=obj).delete()
        obj.delete()


def observations_create_many(*, items: list[tuple[dict[str, Any], int]], gateway: Any) -> Any:
    """Observations given as (SensorThings JSON, datastream id) pairs, e.g. from MQTT; one batch."""
    return observations_ingest(batch=_observation_batch(items, _Ctx(gateway)), gateway=gateway)
