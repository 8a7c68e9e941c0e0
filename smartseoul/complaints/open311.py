"""Open311 GeoReport v2 (and the extensions of STANDARDS §1.6) as a thin adapter over the same
services and selectors as the pages and the native API. JSON and XML; the format is chosen by
the path suffix only; errors are the spec's list of {code, description}."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from smartseoul.accounts.errors import AccountError
from smartseoul.accounts.services import api_key_authenticate
from smartseoul.core import ratelimit
from smartseoul.core import selectors as core_selectors
from smartseoul.core.errors import DomainError, NotFound, PermissionDenied, RateLimited

from . import selectors, services
from .models import OPEN_STATUSES, Channel, Complaint, MediaKind, Status, StatusChange
from .workdays import SEOUL

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-15T09:00:00+09:00"
MAX_SPAN = timedelta(days=90)
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
    "photos": "photo",
    "service_requests_updates": "request_update",
    "keywords": "keyword",
}
FMS_STATUS = {
    Status.RECEIVED: "FOR_TRIAGE",
    Status.ASSIGNED: "ACTION_SCHEDULED",
    Status.IN_PROGRESS: "IN_PROGRESS",
    Status.TRANSFERRED: "INTERNAL_REFERRAL",
    Status.REOPENED: "REOPEN",
    Status.RESOLVED: "FIXED",
    Status.REJECTED: "NO_FURTHER_ACTION",
    Status.MERGED: "DUPLICATE",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.code = code or status


# --- wire formats ----------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    el = ET.SubElement(parent, name)
    if value is None:
        return
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES.get(name, "item")
        for v in value:
            _xml_value(el, item, v)
    else:
        el.text = str(value)


def to_xml(root: str, data: Any) -> bytes:
    """The XML mapping of `data`: lists become `<root><item>…</item></root>`, None an empty element."""
    element = ET.Element(root)
    if isinstance(data, list):
        item = ITEM_NAMES.get(root, "item")
        for v in data:
            _xml_value(element, item, v)
    else:
        for k, v in data.items():
            _xml_value(element, k, v)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(
            json.dumps(data, ensure_ascii=False, default=str),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    return HttpResponse(to_xml(root, data), status=status, content_type="text/xml; charset=utf-8")


def error_response(fmt: str, errors: Sequence[Open311Error]) -> HttpResponse:
    body = [{"code": e.code, "description": e.description} for e in errors]
    return render(fmt if fmt == "json" else "xml", "errors", body, status=errors[0].status)


def endpoint(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """Resolves the format, checks the jurisdiction and maps every refusal to the spec's errors."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str | None = None, **kwargs: Any) -> HttpResponse:
        fmt_clean = (fmt or "").lower()
        try:
            if fmt_clean not in ("json", "xml"):
                raise Open311Error(400, "Unknown format: use the suffix .json or .xml.")
            _check_jurisdiction(request)
            root, data = view(request, *args, fmt=fmt_clean, **kwargs)
            return render(fmt_clean, root, data)
        except Open311Error as exc:
            return error_response(fmt_clean, [exc])
        except DomainError as exc:
            return error_response(fmt_clean, [_from_domain(exc)])

    return csrf_exempt(wrapper)


def _from_domain(exc: DomainError) -> Open311Error:
    if isinstance(exc, NotFound):
        return Open311Error(404, exc.message)
    if isinstance(exc, PermissionDenied) or exc.status == 403:
        return Open311Error(403, exc.message)
    if isinstance(exc, RateLimited) or exc.status == 429:
        return Open311Error(429, exc.message)
    return Open311Error(400, exc.message)


def _param(request: HttpRequest, name: str) -> str:
    """An empty optional parameter behaves exactly as if it were absent."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value in (None, ""):
        value = request.GET.get(name)
    return (value or "").strip()


def _jurisdictions() -> set[str]:
    city = core_selectors.city()
    return {getattr(settings, "OPEN311_JURISDICTION", "seoul.go.kr"), *([city.open311_jurisdiction] if city else [])}


def _check_jurisdiction(request: HttpRequest) -> None:
    jurisdiction = _param(request, "jurisdiction_id")
    if jurisdiction and jurisdiction not in _jurisdictions():
        raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found.")


def _dt(value: datetime | None) -> str | None:
    return value.astimezone(SEOUL).isoformat(timespec="seconds") if value else None


def _parse_dt(name: str, raw: str) -> datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if value is None or value.tzinfo is None:
        raise Open311Error(400, f"{name} must be a W3C datetime with an offset, e.g. 2025-03-02T10:15:00+09:00.")
    return value


def _abs(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


# --- discovery and services ------------------------------------------------------------------


@endpoint
def discovery(request: HttpRequest, fmt: str) -> tuple[str, Any]:
    city = core_selectors.city()
    return "discovery", {
        "changeset": CHANGESET,
        "contact": (city.contact_email if city and city.contact_email else "open311@seoul.go.kr"),
        "key_service": _abs(request, "/accounts/"),
        "endpoints": [
            {
                "specification": SPEC,
                "url": _abs(request, "/open311/v2"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _service(category: Any) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": any(a for a in category.attributes.all()),
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or None,
    }


@endpoint
def services_list(request: HttpRequest, fmt: str) -> tuple[str, Any]:
    return "services", [_service(c) for c in selectors.categories()]


@endpoint
def service_definition(request: HttpRequest, code: str, fmt: str) -> tuple[str, Any]:
    category = selectors.category_by_code(code)
    attrs = []
    for a in category.attributes.all():
        values = [
            {"key": v["key"], "name": (v.get("name_en") if _en() else v.get("name_ko")) or v["key"]} for v in a.values
        ]
        attrs.append(
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": None,
                "order": a.order,
                "description": a.description,
                "values": values,
            }
        )
    return "service_definition", {"service_code": category.code, "attributes": attrs}


def _city_name() -> str:
    city = core_selectors.city()
    return city.name if city else ""


def _en() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ko").startswith("en")


# --- requests --------------------------------------------------------------------------------


def request_item(
    request: HttpRequest, c: Complaint, *, extensions: bool = False, history: Sequence[StatusChange] = ()
) -> dict[str, Any]:
    photos = [m for m in c.media.all() if m.kind == MediaKind.PHOTO and m.public_path]
    media_url = (
        _abs(request, settings.MEDIA_URL + photos[0].public_path)
        if photos
        else (c.external_media[0] if c.external_media else None)
    )
    notes = [h for h in history if h.note]
    closed = c.status not in OPEN_STATUSES
    item: dict[str, Any] = {
        "service_request_id": c.number,
        "status": "closed" if closed else "open",
        "status_notes": notes[-1].note if notes else None,
        "service_name": c.category.name,
        "service_code": c.category.code,
        "description": services.redact(c.description) if c.description else None,
        "agency_responsible": c.department.name if c.department is not None else None,
        "service_notice": None,
        "requested_datetime": _dt(c.created_at),
        "updated_datetime": _dt(c.closed_at if closed and c.closed_at else c.updated_at),
        "expected_datetime": _dt(c.due_at),
        "address": services.redact(c.address)
        if c.address
        else ", ".join(
            n for n in ((c.neighborhood.name if c.neighborhood else ""), c.district.name, _city_name()) if n
        ),
        "address_id": None,
        "zipcode": None,
        "lat": c.public_lat,
        "long": c.public_lon,
        "media_url": media_url,
    }
    if extensions:
        item["attributes"] = [
            {
                "label": a["name"],
                "name": a["name"],
                "value": a["value"] if not isinstance(a["value"], list) else ",".join(a["value"]),
                "code": a["code"],
            }
            for a in selectors.public_attributes(c)
        ]
        item["extended_attributes"] = {
            "channel": c.channel,
            "district_code": c.district.code,
            "duplicate": c.merged_into.number if c.merged_into_id and c.merged_into else None,
            "parent_service_request_id": c.merged_into.number if c.merged_into_id and c.merged_into else None,
            "photos": [
                {
                    "media_url": _abs(request, settings.MEDIA_URL + m.public_path),
                    "title": f"photo {i}",
                    "width": m.width,
                    "height": m.height,
                    "orientation": "landscape" if (m.width or 0) >= (m.height or 0) else "portrait",
                    "created_at": _dt(m.captured_at or m.uploaded_at),
                }
                for i, m in enumerate(photos, start=1)
            ],
        }
        item["notes"] = [
            {
                "datetime": _dt(h.at),
                "type": h.kind,
                "summary": Status(h.to_status).label if h.to_status in Status.values else h.to_status,
                "description": h.note or None,
            }
            for h in history
        ]
    return item


def _items(request: HttpRequest, complaints: Sequence[Complaint], extensions: bool) -> list[dict[str, Any]]:
    history = selectors.history_for([c.pk for c in complaints]) if complaints else {}
    return [request_item(request, c, extensions=extensions, history=history.get(c.pk, [])) for c in complaints]


def _int_param(request: HttpRequest, name: str, low: int, high: int) -> int | None:
    raw = _param(request, name)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a whole number.") from exc
    if not low <= value <= high:
        raise Open311Error(400, f"{name} must be between {low} and {high}.")
    return value


def _list_requests(request: HttpRequest, fmt: str) -> tuple[str, Any]:
    extensions = _param(request, "extensions").lower() == "true"
    ids_raw = _param(request, "service_request_id")
    if ids_raw:
        ids = [pk for pk in (selectors.parse_number(v) for v in ids_raw.split(",")) if pk]
        found = [c for c in selectors.open311_requests(ids=ids) if c.number in ids_raw.split(",")]
        return "service_requests", _items(request, found, extensions)
    codes = [c for c in _param(request, "service_code").split(",") if c]
    if codes:
        known = set(selectors.categories(active_only=False).filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            raise Open311Error(404, f"service_code {missing[0]!r} not found.")
    statuses = [s.strip() for s in _param(request, "status").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open, closed or both (comma separated).")
    start = _parse_dt("start_date", _param(request, "start_date"))
    end = _parse_dt("end_date", _param(request, "end_date"))
    if start and end:
        if end < start:
            raise Open311Error(400, "end_date is before start_date.")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "The span from start_date to end_date may not exceed 90 days.")
    elif start and not end:
        end = start + MAX_SPAN
    elif end and not start:
        start = end - MAX_SPAN
    updated_after = _parse_dt("updated_after", _param(request, "updated_after"))
    updated_before = _parse_dt("updated_before", _param(request, "updated_before"))
    page = _int_param(request, "page", 1, 1_000_000)
    page_size = _int_param(request, "page_size", 1, 500)
    if page_size is not None and page is None:
        page = 1
    found = selectors.open311_requests(
        codes=codes,
        start=start,
        end=end,
        statuses=statuses,
        updated_after=updated_after,
        updated_before=updated_before,
        page=page,
        page_size=page_size or 50,
    )
    return "service_requests", _items(request, found, extensions)


_ATTR_RE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _attributes_from(request: HttpRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in request.POST:
        match = _ATTR_RE.match(key)
        if not match:
            continue
        values = [v for v in request.POST.getlist(key) if v != ""]
        if not values:
            continue
        out[match.group(1)] = values if match.group(2) else values[0]
    return out


def _create_request(request: HttpRequest, fmt: str) -> tuple[str, Any]:
    raw_key = _param(request, "api_key")
    if not raw_key:
        raise Open311Error(403, "api_key is required to create a request.")
    try:
        key = api_key_authenticate(raw=raw_key, scope="open311", write=True)
    except AccountError as exc:
        if exc.status == 429:
            raise Open311Error(429, "This api_key has used its daily quota.") from exc
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.") from exc
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, "service_code is required.")

    def refuse(status: int, message: str) -> Open311Error:
        """An unknown service_code answers 404 before any other refusal; a known one is checked
        by the submission itself, so the accepted path reads no category."""
        selectors.category_by_code(code)
        return Open311Error(status, message)

    lat_raw, lon_raw = _param(request, "lat"), _param(request, "long")
    address = _param(request, "address_string")
    address_id = _param(request, "address_id")
    if address_id == "#NOTPINPOINTED#":
        address_id = ""
    lat = lon = None
    if lat_raw or lon_raw:
        try:
            lat, lon = float(lat_raw), float(lon_raw)
        except ValueError as exc:
            raise refuse(400, "lat and long must both be WGS84 numbers.") from exc
    elif not address and not address_id:
        raise refuse(400, "A location is required: lat and long, address_string or address_id.")
    description = _param(request, "description")
    if len(description) > services.MAX_DESCRIPTION:
        raise refuse(400, "description may be at most 4,000 characters.")
    urls: list[str] = []
    validate = URLValidator(schemes=["http", "https"])
    for url in request.POST.getlist("media_url"):
        if not url:
            continue
        try:
            validate(url)
        except ValidationError as exc:
            raise refuse(400, "media_url is not a valid http(s) URL.") from exc
        urls.append(url)
    files = list(request.FILES.getlist("media[]")) + [
        f for name in sorted(request.FILES) if re.fullmatch(r"photo\d+", name) for f in request.FILES.getlist(name)
    ]
    contact = {k: _param(request, k) for k in CONTACT_FIELDS if _param(request, k)}
    complaint = services.complaint_submit(
        reporter=key.owner,
        category_code=code,
        lat=lat,
        lon=lon,
        address=address or address_id,
        description=description,
        attributes=_attributes_from(request),
        files=files,
        channel=Channel.OPEN311,
        client_ip=ratelimit.client_ip(request),
        via_api_key=True,
        client_contact=contact or None,
        external_media=urls[:3],
    )
    due = complaint.due_at.astimezone(SEOUL).strftime("%Y-%m-%d")
    notice = (
        _("Handled by %(d)s; expected by %(due)s.") % {"d": complaint.department.name, "due": due}
        if complaint.department is not None
        else _("Received; a department is being assigned. Expected by %(due)s.") % {"due": due}
    )
    return "service_requests", [{"service_request_id": complaint.number, "service_notice": notice, "account_id": None}]


@endpoint
def requests_view(request: HttpRequest, fmt: str) -> tuple[str, Any]:
    if request.method == "POST":
        return _create_request(request, fmt)
    if request.method not in ("GET", "HEAD"):
        raise Open311Error(400, "Use GET to read requests or POST to create one.")
    return _list_requests(request, fmt)


@endpoint
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> tuple[str, Any]:
    try:
        complaint = selectors.report(request_id)
    except DomainError as exc:
        raise Open311Error(404, f"service_request_id {request_id!r} not found.") from exc
    found = selectors.open311_requests(ids=[complaint.pk])
    extensions = _param(request, "extensions").lower() == "true"
    return "service_requests", _items(request, found, extensions)


@endpoint
def token_detail(request: HttpRequest, token: str, fmt: str) -> tuple[str, Any]:
    complaint = selectors.open311_token(token)
    if complaint is None:
        raise Open311Error(404, f"token {token!r} not found.")
    return "service_requests", [{"service_request_id": complaint.number, "token": token}]


@endpoint
def updates_view(request: HttpRequest, fmt: str) -> tuple[str, Any]:
    """FixMyStreet's updates feed: one `request_update` per status change or answer."""
    if request.method != "GET":
        raise Open311Error(400, "Updates are read with GET; citizens' updates go through the report page.")
    raw_key = _param(request, "api_key")
    try:
        api_key_authenticate(raw=raw_key, scope="open311") if raw_key else None
    except AccountError as exc:
        raise Open311Error(403, "Invalid api_key.") from exc
    if not raw_key:
        raise Open311Error(403, "api_key is required for the updates feed.")
    start = _parse_dt("start_date", _param(request, "start_date"))
    end = _parse_dt("end_date", _param(request, "end_date"))
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, "The span from start_date to end_date may not exceed 90 days.")
    rows = selectors.open311_updates(start=start, end=end)
    items = []
    for h in rows:
        c = h.complaint
        media_url = None
        if h.to_status == Status.RESOLVED:
            photo = c.media.filter(source="resolution").first()
            media_url = _abs(request, settings.MEDIA_URL + photo.public_path) if photo and photo.public_path else None
        items.append(
            {
                "update_id": str(h.pk),
                "service_request_id": c.number,
                "status": "open" if h.to_status in OPEN_STATUSES else "closed",
                "updated_datetime": _dt(h.at),
                "description": h.note or Status(h.to_status).label,
                "media_url": media_url,
                "external_status_code": FMS_STATUS.get(Status(h.to_status), "FOR_TRIAGE"),
            }
        )
    return "service_requests_updates", items


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return error_response(fmt, [Open311Error(404, "No such Open311 resource.")])
