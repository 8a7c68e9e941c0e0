"""JSON output of the SensorThings adapter: absolute links, exact results, error bodies."""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

VERSION_PATH = "/sta/v1.1"


class RawJson:
    """A JSON fragment written verbatim (keeps `2.00` as `2.00`)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def dumps(obj: Any) -> str:
    raws: dict[str, str] = {}
    marker = uuid.uuid4().hex

    def default(o: Any) -> Any:
        if isinstance(o, RawJson):
            key = f"{marker}{len(raws)}"
            raws[key] = o.text
            return key
        if isinstance(o, Decimal):
            key = f"{marker}{len(raws)}"
            raws[key] = str(o)
            return key
        raise TypeError(f"cannot write {type(o).__name__} as JSON")

    text = json.dumps(obj, ensure_ascii=False, default=default, separators=(",", ":"))
    if raws:
        text = re.sub(f'"({marker}\\d+)"', lambda m: raws[m.group(1)], text)
    return text


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(dumps(obj), status=status, content_type="application/json; charset=utf-8")
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def error_response(status: int, message: str, code: str = "") -> HttpResponse:
    body = {"code": status, "type": "error", "message": message}
    if code:
        body["error"] = code
    response = json_response(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="sensor gateways", Basic realm="sensor gateways"'
    return response


def base_url(request: HttpRequest) -> str:
    """The service root as the client sees it, honouring X-Forwarded-Proto/Host/Prefix from a proxy."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    if proto not in ("http", "https"):
        proto = request.scheme or "http"
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
    if host:
        domain, _port = split_domain_port(host)
        allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        if not domain or not validate_host(domain, allowed):
            host = ""
    if not host:
        host = request.get_host()
    prefix = request.headers.get("X-Forwarded-Prefix", "").strip().rstrip("/")
    if prefix and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", prefix):
        prefix = ""
    return f"{proto}://{host}{prefix}{request.META.get('SCRIPT_NAME', '').rstrip('/')}{VERSION_PATH}"
