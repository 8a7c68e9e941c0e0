"""Writes of the core module: boundaries, departments, notifications, the audit log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely
from django.db import transaction
from django.db.models import F

from smartseoul.lib.geo import geometry_from_geojson, to_rfc7946

from . import clock, geography, selectors
from .errors import CoreErrorCode, InvalidInput, NotFound
from .models import AuditEvent, BoundarySource, Channel, City, DeliveryStatus, District, Neighborhood, Notification

if TYPE_CHECKING:
    from django.http import HttpRequest

    from smartseoul.accounts.models import User

log = logging.getLogger("smartseoul.core")

MAX_ATTEMPTS = 5


# --- audit -----------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    details: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Writes one audit event. `details` must hold no personal data (no phone, no resident number)."""
    from .ratelimit import client_ip

    if target is not None:
        target_type = target_type or f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = target_id or str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.get_username() if actor is not None and actor.is_authenticated else "system"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=dict(details or {}),
        ip=client_ip(request) if request is not None else None,
        at=clock.now(),
    )


# --- notifications ---------------------------------------------------------------------------


def notify(
    *,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    channels: Sequence[str] = (Channel.INBOX, Channel.SMS),
) -> list[Notification]:
    """Queues one message per channel and hands each to the task queue for delivery.

    The in-app inbox is always delivered at once; SMS goes only to a recipient with a phone,
    e-mail only to one with an address. Delivery happens after the surrounding transaction commits.
    """
    created: list[Notification] = []
    now = clock.now()
    for channel in dict.fromkeys(channels):
        if channel not in Channel.values:
            raise InvalidInput(f"Unknown notification channel {channel!r}.", code=CoreErrorCode.UNKNOWN_CHANNEL)
        if channel == Channel.SMS and not recipient.has_phone:
            continue
        if channel == Channel.EMAIL and not recipient.email:
            continue
        is_inbox = channel == Channel.INBOX
        created.append(
            Notification.objects.create(
                recipient=recipient,
                channel=channel,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link,
                created_at=now,
                status=DeliveryStatus.SENT if is_inbox else DeliveryStatus.PENDING,
                sent_at=now if is_inbox else None,
            )
        )
    pending = [n.pk for n in created if n.status == DeliveryStatus.PENDING]
    if pending:
        from .tasks import deliver_notification

        transaction.on_commit(lambda: [deliver_notification.enqueue(pk) for pk in pending])
    return created


def notification_deliver(*, notification_id: int) -> Notification:
    """Tries one delivery. On failure counts the attempt; after MAX_ATTEMPTS the row is FAILED."""
    from .notifications import DeliveryError, send_email, sms_gateway

    with transaction.atomic():
        n = Notification.objects.select_for_update().select_related("recipient").get(pk=notification_id)
        if n.status != DeliveryStatus.PENDING:
            return n
        n.attempts += 1
        try:
            if n.channel == Channel.SMS:
                phone = n.recipient.phone
                if not phone:
                    raise DeliveryError("recipient has no phone number")
                sms_gateway().send(phone, f"[{n.subject}] {n.body}")
            elif n.channel == Channel.EMAIL:
                send_email(n.recipient.email, n.subject, n.body)
            n.status = DeliveryStatus.SENT
            n.sent_at = clock.now()
            n.last_error = ""
        except DeliveryError as exc:
            n.last_error = str(exc)[:300]
            if n.attempts >= MAX_ATTEMPTS:
                n.status = DeliveryStatus.FAILED
                log.warning("notification %s failed after %s attempts", n.pk, n.attempts)
        n.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return n


def notification_retry_pending() -> int:
    """Re-attempts every pending message (the worker's periodic sweep). Returns how many were tried."""
    ids = list(Notification.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True))
    for pk in ids:
        notification_deliver(notification_id=pk)
    return len(ids)


def notification_mark_read(*, user: User, notification_id: int) -> None:
    updated = Notification.objects.filter(pk=notification_id, recipient=user, read_at=None).update(read_at=clock.now())
    if not updated and not Notification.objects.filter(pk=notification_id, recipient=user).exists():
        raise NotFound("No such message.")


# --- geography -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundaryFeature:
    code: str
    name_ko: str
    name_en: str
    geometry: dict[str, Any]
    parent_code: str | None = None


def read_boundary_file(
    path: Path, *, code_field: str | None = None, name_field: str | None = None, name_en_field: str | None = None
) -> list[BoundaryFeature]:
    """Parses a GeoJSON FeatureCollection or a TopoJSON topology into validated features.

    Raises InvalidInput naming the first problem: nothing is stored by this function.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: file not found", code=CoreErrorCode.BAD_BOUNDARY_FILE) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: not valid JSON ({exc})", code=CoreErrorCode.BAD_BOUNDARY_FILE) from exc
    if isinstance(raw, dict) and raw.get("type") == "Topology":
        raw = _topojson_to_geojson(raw)
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
        raise InvalidInput(f"{path}: not a GeoJSON FeatureCollection", code=CoreErrorCode.BAD_BOUNDARY_FILE)
    if not raw["features"]:
        raise InvalidInput(f"{path}: the file has no features", code=CoreErrorCode.BAD_BOUNDARY_FILE)
    code_keys = [code_field] if code_field else ["code", "SIG_CD", "adm_cd", "EMD_CD", "ADM_DR_CD", "id"]
    name_keys = [name_field] if name_field else ["name", "SIG_KOR_NM", "adm_nm", "EMD_KOR_NM", "ADM_DR_NM"]
    name_en_keys = [name_en_field] if name_en_field else ["name_eng", "SIG_ENG_NM", "EMD_ENG_NM", "name_en"]
    features: list[BoundaryFeature] = []
    seen: set[str] = set()
    for i, feat in enumerate(raw["features"], start=1):
        props = (feat or {}).get("properties") or {}
        code = next((str(props[k]) for k in code_keys if props.get(k) not in (None, "")), None)
        name = next((str(props[k]) for k in name_keys if props.get(k) not in (None, "")), None)
        if code is None or name is None:
            raise InvalidInput(
                f"{path}: feature {i} has no code or name (looked for {code_keys} and {name_keys})",
                code=CoreErrorCode.BAD_BOUNDARY_FILE,
            )
        if code in seen:
            raise InvalidInput(f"{path}: feature {i} repeats code {code}", code=CoreErrorCode.BAD_BOUNDARY_FILE)
        seen.add(code)
        try:
            geom = geometry_from_geojson(feat.get("geometry") or {})
        except ValueError as exc:
            raise InvalidInput(f"{path}: feature {i} ({code}): {exc}", code=CoreErrorCode.BAD_BOUNDARY_FILE) from exc
        west, south, east, north = geom.bounds
        if not (-180 <= west <= 180 and -90 <= south <= 90 and -180 <= east <= 180 and -90 <= north <= 90):
            raise InvalidInput(
                f"{path}: feature {i} ({code}) is not in WGS84 longitude/latitude", code=CoreErrorCode.BAD_BOUNDARY_FILE
            )
        name_en = next((str(props[k]) for k in name_en_keys if props.get(k)), "")
        features.append(BoundaryFeature(code, name, name_en, to_rfc7946(geom)))
    return features


def _topojson_to_geojson(topo: dict[str, Any]) -> dict[str, Any]:
    """Decodes the first object of a TopoJSON topology (arcs, optional quantisation)."""
    arcs_raw = topo.get("arcs") or []
    transform = topo.get("transform")
    arcs: list[list[list[float]]] = []
    for arc in arcs_raw:
        if transform:
            sx, sy = transform["scale"]
            tx, ty = transform["translate"]
            x = y = 0.0
            pts = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                pts.append([x * sx + tx, y * sy + ty])
            arcs.append(pts)
        else:
            arcs.append([list(p[:2]) for p in arc])

    def ring(indexes: list[int]) -> list[list[float]]:
        coords: list[list[float]] = []
        for idx in indexes:
            pts = arcs[idx] if idx >= 0 else list(reversed(arcs[~idx]))
            coords.extend(pts if not coords else pts[1:])
        return coords

    objects = topo.get("objects") or {}
    if not objects:
        raise InvalidInput("TopoJSON has no objects", code=CoreErrorCode.BAD_BOUNDARY_FILE)
    obj = next(iter(objects.values()))
    features = []
    for g in obj.get("geometries", []):
        if g.get("type") == "Polygon":
            geom = {"type": "Polygon", "coordinates": [ring(r) for r in g["arcs"]]}
        elif g.get("type") == "MultiPolygon":
            geom = {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in g["arcs"]]}
        else:
            continue
        features.append({"type": "Feature", "properties": g.get("properties") or {}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


def _centroid(geometry: Mapping[str, Any]) -> tuple[float, float]:
    point = geometry_from_geojson(geometry).representative_point()
    return point.y, point.x


@transaction.atomic
def boundaries_import(
    *, features: Iterable[BoundaryFeature], level: str, source: str = BoundarySource.OFFICIAL
) -> dict[str, int]:
    """Replaces district (gu) or neighbourhood (dong) shapes in one transaction.

    Districts are matched by code; a new code creates the district. Dong codes are placed in
    their district by the shape's interior point. Official dongs replace the demo's approximate
    ones in each district they cover (those rows go; a complaint filed under one keeps its
    district and loses only the wrong dong). Returns counts of created and updated rows.
    """
    city = City.objects.select_for_update().first()
    if city is None:
        raise InvalidInput("Load the city first (smartseoul demo) before importing boundaries.")
    created = updated = 0
    features = list(features)
    if level == "gu":
        for f in features:
            lat, lon = _centroid(f.geometry)
            _, was_created = District.objects.update_or_create(
                code=f.code,
                defaults={
                    "city": city,
                    "name_ko": f.name_ko,
                    "boundary": f.geometry,
                    "centroid_lat": lat,
                    "centroid_lon": lon,
                    "boundary_source": source,
                    **({"name_en": f.name_en} if f.name_en else {}),
                },
            )
            created += was_created
            updated += not was_created
    elif level == "dong":
        districts = list(District.objects.all())
        if not districts:
            raise InvalidInput("Import the districts (--level gu) before the neighbourhoods.")
        covered: set[int] = set()
        existing = {n.code: n for n in Neighborhood.objects.filter(code__in=[f.code for f in features])}
        new_rows: list[Neighborhood] = []
        changed: list[Neighborhood] = []
        fields = ["district", "name_ko", "boundary", "centroid_lat", "centroid_lon", "boundary_source"]
        for f in features:  # hundreds of dongs: two bulk statements, not a query per dong
            lat, lon = _centroid(f.geometry)
            district = _district_for_feature(f, districts, lat, lon)
            covered.add(district.pk)
            values: dict[str, Any] = {
                "district": district,
                "name_ko": f.name_ko,
                "boundary": f.geometry,
                "centroid_lat": lat,
                "centroid_lon": lon,
                "boundary_source": source,
            }
            if f.name_en:
                values["name_en"] = f.name_en
            row = existing.get(f.code)
            if row is None:
                new_rows.append(Neighborhood(code=f.code, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                changed.append(row)
        Neighborhood.objects.bulk_create(new_rows, batch_size=100)
        if changed:
            Neighborhood.objects.bulk_update(changed, [*fields, "name_en"], batch_size=100)
        created += len(new_rows)
        updated += len(changed)
        if source != BoundarySource.DEMO:
            Neighborhood.objects.filter(district_id__in=covered, boundary_source=BoundarySource.DEMO).delete()
    else:
        raise InvalidInput("level must be 'gu' or 'dong'")
    City.objects.filter(pk=city.pk).update(boundaries_version=F("boundaries_version") + 1)
    transaction.on_commit(geography.invalidate_cache)
    transaction.on_commit(selectors.districts_geojson_forget)
    return {"created": created, "updated": updated}


def _district_for_feature(f: BoundaryFeature, districts: list[District], lat: float, lon: float) -> District:
    by_code = {d.code: d for d in districts}
    for prefix_len in (5,):  # official dong codes start with their gu code (KOSTAT codes differ: fall back)
        if f.code[:prefix_len] in by_code:
            return by_code[f.code[:prefix_len]]
    point = shapely.Point(lon, lat)
    best = min(districts, key=lambda d: geometry_from_geojson(d.boundary).distance(point))
    return best
