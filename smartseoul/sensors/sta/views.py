"""The SensorThings API 1.1 adapter at /sta/v1.1: parse the request, call one reader or one
service, render. Writes need a gateway key (accounts API key with scope "sensors") sent as
`X-API-Key`, `Authorization: Bearer <key>` or HTTP Basic with the key as password."""

from __future__ import annotations

import base64
import json
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from smartseoul.accounts.errors import AccountError
from smartseoul.accounts.services import api_key_authenticate
from smartseoul.core.errors import DomainError

from ..errors import BadEntity, EntityNotFound, GatewayRequired
from ..services import sta as sta_services
from .model import SETS
from .parser import query_pairs
from .read import _SEGMENT, Reader, read
from .render import base_url, error_response, json_response

log = logging.getLogger("smartseoul.sensors")
SCOPE = "sensors"
CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation",
]


def gateway_key(request: HttpRequest) -> str | None:
    key = request.headers.get("X-API-Key")
    if key:
        return key.strip()
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def gateway_user(request: HttpRequest) -> Any:
    raw = gateway_key(request)
    if not raw:
        raise GatewayRequired("Writing needs a gateway key (API key with scope 'sensors:write').")
    try:
        return api_key_authenticate(raw=raw, scope=SCOPE, write=True).owner
    except AccountError as exc:
        raise GatewayRequired(exc.message, status=exc.status) from exc


def _reader_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    raw = gateway_key(request)
    if raw:
        try:
            return api_key_authenticate(raw=raw, scope=SCOPE, count=False).owner
        except AccountError:
            return None
    return None


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8") or "null", parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadEntity(f"the body is not JSON ({exc})") from exc


def _parse_entity_path(path: str) -> tuple[str, int | None, str | None]:
    """(set, id, navigation) for write paths: Things, Things(1), Datastreams(7)/Observations."""
    segments = [s for s in path.strip("/").split("/") if s]
    if not segments or len(segments) > 2:
        raise EntityNotFound("Write to a collection, an entity or one navigation path.")
    m = _SEGMENT.match(segments[0])
    if m is None or m.group(1) not in SETS:
        raise EntityNotFound(f"No entity set {segments[0]!r}.")
    raw_id = m.group(2)
    if raw_id is not None and raw_id.startswith("'"):
        raise EntityNotFound("Ids are integers here.")
    nav = segments[1] if len(segments) == 2 else None
    return m.group(1), (int(raw_id) if raw_id else None), nav


@csrf_exempt
def service(request: HttpRequest, path: str = "") -> HttpResponse:
    try:
        return _dispatch(request, path)
    except DomainError as exc:
        return error_response(exc.status, exc.message, exc.code)


def _dispatch(request: HttpRequest, path: str) -> HttpResponse:
    base = base_url(request)
    path = path.strip("/")
    if request.method == "GET":
        if not path:
            return json_response(_root(base))
        reader = Reader(base, _reader_user(request))
        body, kind = read(reader, path, query_pairs(request.META.get("QUERY_STRING", "")))
        if kind == "raw":
            return HttpResponse(body, content_type="text/plain; charset=utf-8")
        return json_response(body)
    if request.method == "POST":
        gateway = gateway_user(request)
        data = _body(request)
        if path == "CreateObservations":
            outcome = sta_services.sta_data_array_create(data=data, gateway=gateway)
            links = [f"{base}/Observations({x})" if isinstance(x, int) else x for x in outcome]
            return json_response(links, status=201)
        set_name, pk, nav = _parse_entity_path(path)
        if pk is None and nav is None:
            created_set, new_id = sta_services.sta_entity_create(set_name=set_name, data=data, gateway=gateway)
        elif pk is not None and nav is not None and nav in SETS[set_name].navs:
            target = SETS[set_name].navs[nav].target
            created_set, new_id = sta_services.sta_entity_create(
                set_name=target, data=data, gateway=gateway, parent=(set_name, pk, nav)
            )
        else:
            raise BadEntity("POST to a collection or a navigation path such as Datastreams(7)/Observations")
        link = f"{base}/{created_set}({new_id})"
        reader = Reader(base, gateway)
        entity = reader.get_entity(created_set, new_id)
        from .parser import Options

        response = json_response(reader.render(created_set, entity, Options()), status=201, headers={"Location": link})
        return response
    if request.method in ("PATCH", "PUT", "DELETE"):
        gateway = gateway_user(request)
        set_name, pk, nav = _parse_entity_path(path)
        if pk is None or nav is not None:
            raise BadEntity(f"{request.method} needs one entity, e.g. Things(1)")
        if request.method == "DELETE":
            sta_services.sta_entity_delete(set_name=set_name, pk=pk, gateway=gateway)
            return HttpResponse(status=200)
        data = _body(request)
        if request.method == "PATCH" and request.content_type == "application/json-patch+json":
            sta_services.sta_entity_json_patch(set_name=set_name, pk=pk, operations=data, gateway=gateway)
        else:
            sta_services.sta_entity_update(
                set_name=set_name, pk=pk, data=data, gateway=gateway, replace=request.method == "PUT"
            )
        from .parser import Options

        reader = Reader(base, gateway)
        return json_response(reader.render(set_name, reader.get_entity(set_name, pk), Options()))
    response = error_response(405, f"{request.method} is not supported")
    response["Allow"] = "GET, POST, PATCH, PUT, DELETE"
    return response


def _root(base: str) -> dict[str, Any]:
    mqtt = getattr(settings, "MQTT_PUBLIC_URL", "") or getattr(settings, "MQTT_URL", "mqtt://127.0.0.1:1883")
    return {
        "value": [
            {"name": name, "url": f"{base}/{name}"}
            for name in (
                "Things",
                "Locations",
                "HistoricalLocations",
                "Datastreams",
                "Sensors",
                "ObservedProperties",
                "Observations",
                "FeaturesOfInterest",
            )
        ],
        "serverSettings": {
            "conformance": CONFORMANCE,
            "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation": {
                "endpoints": [mqtt]
            },
        },
    }
