"""The sensors module's native API (/api/v1/sensors): gateway batches, parking availability,
district air quality, alert subscriptions and the caseworker's alert actions."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from smartseoul.core.auth import ApiKeyAuth, session_auth
from smartseoul.core.ratelimit import hit
from smartseoul.core.schemas import Page, RowId

from . import selectors
from .errors import BadEntity, EntityNotFound
from .schemas import (
    BatchResult,
    CareAlertOut,
    CareCloseIn,
    DistrictAirOut,
    ParkingLotOut,
    SharingHoursIn,
    SubscriptionIn,
    SubscriptionOut,
)
from .services import alerts, care, gateway, parking

router = Router()


def _auth(request: HttpRequest) -> Any:
    """The user django-ninja's authentication put on the request."""
    return getattr(request, "auth", None)


@router.post("/gateway/batch", response=BatchResult, auth=ApiKeyAuth("sensors"), summary="Native gateway batch")
def gateway_batch(request: HttpRequest, encoding: str = "sdot-raw") -> dict[str, Any]:
    """JSON (`{"encoding", "observations": [{"thing", "time", "values"}]}`) or CSV in the S-DoT layout
    (`Content-Type: text/csv`, `?encoding=sdot-raw|decoded`)."""
    if request.content_type in ("text/csv", "application/csv"):
        result = gateway.gateway_batch_csv(content=request.body, gateway=_auth(request), encoding=encoding)
        return {**result, "refused": len(result["bad_rows"]) + len(result["refused_values"])}
    try:
        payload = json.loads(request.body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadEntity(f"the body is not JSON ({exc})") from exc
    return gateway.gateway_batch_json(payload=payload, gateway=_auth(request))


@router.get("/parking/lots", response=list[ParkingLotOut], summary="Shared parking availability")
def parking_lots(request: HttpRequest, page: Query[Page], district: str | None = None) -> list[dict[str, Any]]:
    ids = list(page.window(selectors.parking_lots(district).values_list("pk", flat=True)))
    return selectors.parking_availability(ids)


@router.get("/parking/lots/{lot_id}", response=ParkingLotOut)
def parking_lot(request: HttpRequest, lot_id: RowId) -> dict[str, Any]:
    found = selectors.parking_availability([lot_id])
    if not found:
        raise EntityNotFound("No such car park.")
    return found[0]


@router.put("/parking/lots/{lot_id}/hours", response=ParkingLotOut, auth=session_auth)
def parking_hours(request: HttpRequest, lot_id: RowId, body: SharingHoursIn) -> dict[str, Any]:
    parking.parking_lot_set_hours(lot_id=lot_id, user=_auth(request), sharing_hours=body.sharing_hours)
    return selectors.parking_availability([lot_id])[0]


@router.get("/air/districts", response=list[DistrictAirOut], summary="Latest fine-dust grade per district")
def air_districts(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "district_code": code,
            "hour": c.hour.isoformat(),
            "pm10": c.pm10,
            "pm25": c.pm25,
            "dust_grade": c.dust_grade,
            "feels_like": c.feels_like,
            "uv_level": c.uv_level,
        }
        for code, c in sorted(selectors.district_conditions_latest().items())
    ]


@router.get("/alerts/subscriptions", response=list[SubscriptionOut], auth=session_auth)
def subscriptions(request: HttpRequest) -> Any:
    return selectors.subscriptions_of(_auth(request))


@router.post("/alerts/subscriptions", response={200: SubscriptionOut, 204: None}, auth=session_auth)
def subscribe(request: HttpRequest, body: SubscriptionIn) -> Any:
    hit(f"sensors-subscribe:{_auth(request).pk}", limit=30, window_seconds=3600)  # type: ignore[union-attr]
    sub = alerts.subscription_set(
        user=_auth(request), district_code=body.district_code, kinds=body.kinds, channels=body.channels
    )
    return (204, None) if sub is None else sub


def _care_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "senior": a.senior.label,
        "kind": a.kind,
        "opened_at": a.opened_at.isoformat(),
        "detail": a.detail,
        "acknowledged": a.acknowledged_at is not None,
        "closed": a.closed_at is not None,
    }


@router.get("/care/alerts", response=list[CareAlertOut], auth=session_auth)
def care_alerts(request: HttpRequest, page: Query[Page]) -> list[dict[str, Any]]:
    return [_care_out(a) for a in page.window(care.care_alerts(user=_auth(request)))]


@router.post("/care/alerts/{alert_id}/acknowledge", response=CareAlertOut, auth=session_auth)
def care_acknowledge(request: HttpRequest, alert_id: RowId) -> dict[str, Any]:
    return _care_out(care.care_alert_acknowledge(user=_auth(request), alert_id=alert_id))


@router.post("/care/alerts/{alert_id}/close", response=CareAlertOut, auth=session_auth)
def care_close(request: HttpRequest, alert_id: RowId, body: CareCloseIn) -> dict[str, Any]:
    return _care_out(care.care_alert_close(user=_auth(request), alert_id=alert_id, note=body.note))
