"""The native API at /api/v1/complaints: the same services as the pages and Open311."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from smartseoul.core import ratelimit
from smartseoul.core.auth import session_or_key
from smartseoul.core.schemas import Page

from . import selectors, services
from .models import Channel, MediaSource
from .schemas import (
    CategoryOut,
    DistrictStatOut,
    MediaOut,
    MeTooOut,
    MineOut,
    NearbyOut,
    ReceiptOut,
    ReportIn,
    ReportOut,
)

router = Router()


def _user(request: HttpRequest) -> Any:
    """The authenticated user ninja put on the request (session or API key)."""
    return cast(Any, request).auth


AUTH = session_or_key("complaints")


def _category(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "name_ko": c.name_ko,
        "name_en": c.name_en,
        "group": c.group,
        "icon": c.icon,
        "response_days": c.response_days,
        "parking_evidence": c.parking_evidence,
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "variable": a.variable,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v["key"], "name": v.get("name_ko") or v["key"]} for v in a.values],
            }
            for a in c.attributes.all()
        ],
    }


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> Any:
    return [_category(c) for c in selectors.categories()]


def _receipt(c: Any) -> dict[str, Any]:
    return {
        "number": c.number,
        "status": c.status,
        "category": c.category.code,
        "department": c.department.name if c.department is not None else None,
        "district_code": c.district.code,
        "due_at": c.due_at,
        "fine_without_visit": c.fine_without_visit,
        "url": f"/complaints/r/{c.number}/",
    }


@router.post("/reports", response={201: ReceiptOut}, auth=AUTH)
def submit(request: HttpRequest, body: ReportIn) -> Any:
    """Files a report for the signed-in (phone-verified) citizen. Returns the receipt at once."""
    complaint = services.complaint_submit(
        reporter=_user(request),
        category_code=body.category,
        lat=body.lat,
        lon=body.lon,
        address=body.address,
        description=body.description,
        attributes=body.attributes,
        media_ids=body.media_ids,
        channel=Channel.API,
        client_ip=ratelimit.client_ip(request),
    )
    return Status(201, _receipt(complaint))


@router.post("/media", response={201: MediaOut}, auth=AUTH)
def upload(request: HttpRequest, file: UploadedFile = File(...), source: str = Form(MediaSource.CAPTURE)) -> Any:
    """Uploads one photo or video ahead of the report; in-app captures are stamped by the server."""
    row = services.media_upload(
        owner=_user(request),
        file=file,
        source=source,
        client_ip=ratelimit.client_ip(request),
    )
    return Status(201, row)


@router.get("/reports/mine", response=list[MineOut], auth=AUTH)
def mine(request: HttpRequest, page: Query[Page]) -> Any:
    return [
        {
            "number": c.number,
            "status": c.status,
            "category": c.category.code,
            "created_at": c.created_at,
            "fine_without_visit": c.fine_without_visit,
        }
        for c in page.window(selectors.my_reports(_user(request)))
    ]


@router.get("/reports/{number}", response=ReportOut)
def report(request: HttpRequest, number: str) -> Any:
    c = selectors.report(number)
    photos = [
        {
            "url": settings.MEDIA_URL + m.public_path,
            "width": m.width,
            "height": m.height,
            "resolution": m.source == MediaSource.RESOLUTION,
        }
        for m in selectors.public_photos(c)
    ]
    return {
        "number": c.number,
        "status": c.status,
        "category": c.category.code,
        "category_name": c.category.name,
        "district_code": c.district.code,
        "neighborhood_code": c.neighborhood.code if c.neighborhood else None,
        "address": services.redact(c.address),
        "description": services.redact(c.description),
        "lat": c.public_lat,
        "lon": c.public_lon,
        "department": c.department.name if c.department is not None else None,
        "created_at": c.created_at,
        "due_at": c.due_at,
        "closed_at": c.closed_at,
        "metoo_count": c.metoo_count,
        "merged_into": c.merged_into.number if c.merged_into else None,
        "photos": photos,
        "history": [
            {"at": h.at, "kind": h.kind, "status": h.to_status, "note": h.note} for h in selectors.public_history(c)
        ],
    }


@router.post("/reports/{number}/metoo", response=MeTooOut, auth=AUTH)
def metoo(request: HttpRequest, number: str) -> Any:
    complaint, added = services.complaint_metoo(user=_user(request), number=number)
    return {"number": complaint.number, "metoo_count": complaint.metoo_count, "added": added}


@router.get("/nearby", response=list[NearbyOut])
def nearby(request: HttpRequest, category: str, lat: float, lon: float) -> Any:
    """Open reports of the same category within 100 m from the last 30 days (before submitting)."""
    return [
        {
            "number": c.number,
            "status": c.status,
            "address": services.redact(c.address),
            "distance_m": round(d, 1),
            "metoo_count": c.metoo_count,
        }
        for c, d in selectors.nearby_open(category_code=category, lat=lat, lon=lon)
    ]


@router.get("/map", response=dict)
def map_features(
    request: HttpRequest,
    zoom: int = 11,
    bbox: str = "",
    category: str = "",
    status: str = "",
    period: str = "30",
    mode: str = "cluster",
) -> Any:
    """The Talk Map as RFC 7946 GeoJSON: clusters at `zoom`, or `mode=heat` H3 hexagons."""
    return selectors.map_geojson(
        zoom=max(0, min(zoom, 20)),
        bbox=selectors.parse_bbox(bbox),
        category_codes=[c for c in category.split(",") if c],
        status=status,
        period=period,
        mode="heat" if mode == "heat" else "cluster",
    )


@router.get("/districts", response=list[DistrictStatOut])
def districts(request: HttpRequest, period: str = "30") -> Any:
    return selectors.district_summary(period=period)
