"""Citizen alerts on derived values, the facility list they point to, and subscriptions."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartseoul.core import clock, geography
from smartseoul.core.models import Channel
from smartseoul.core.selectors import district_by_code
from smartseoul.core.services import notify

from .. import selectors
from ..errors import BadEntity, SensorErrorCode
from ..models import AlertDelivery, AlertEpisode, AlertKind, AlertSubscription, DistrictDay, Facility, FacilityKind

DUST_LEVELS = ("bad", "very_bad")
UV_LEVELS = ("very_high", "extreme")
FACILITIES_FOR = {
    AlertKind.DUST: (FacilityKind.INDOOR,),
    AlertKind.HEAT: (FacilityKind.COOLING_SHELTER, FacilityKind.INDOOR),
    AlertKind.UV: (FacilityKind.COOLING_SHELTER, FacilityKind.INDOOR),
}
CHANNELS = (Channel.INBOX, Channel.SMS, Channel.EMAIL)


# --- subscriptions -------------------------------------------------------------------------------------


@transaction.atomic
def subscription_set(
    *, user: Any, district_code: str, kinds: list[str], channels: list[str]
) -> AlertSubscription | None:
    """Subscribes (or changes) a citizen's alerts for one district; empty kinds unsubscribes."""
    district_by_code(district_code)  # NotFound for an unknown district
    bad_kinds = [k for k in kinds if k not in AlertKind.values]
    if bad_kinds:
        raise BadEntity(f"unknown alert kinds {bad_kinds}")
    bad_channels = [c for c in channels if c not in CHANNELS]
    if bad_channels or (kinds and not channels):
        raise BadEntity("choose at least one channel: inbox, sms or email")
    if not kinds:
        AlertSubscription.objects.filter(user=user, district_code=district_code).delete()
        return None
    sub, _created = AlertSubscription.objects.update_or_create(
        user=user,
        district_code=district_code,
        defaults={"kinds": sorted(set(kinds)), "channels": sorted(set(channels)), "created_at": clock.now()},
    )
    return sub


# --- facilities ------------------------------------------------------------------------------------------


def _facility_rows(path: Path, default_kind: str) -> list[dict[str, Any]]:
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise BadEntity(f"{path}: cannot read ({exc.strerror})", code=SensorErrorCode.BAD_FACILITY_FILE) from exc
    for enc in ("utf-8-sig", "cp949"):
        try:
            content = text.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadEntity(f"{path}: neither UTF-8 nor CP949", code=SensorErrorCode.BAD_FACILITY_FILE)
    rows: list[dict[str, Any]] = []
    if content.lstrip().startswith("{"):
        try:
            data = json.loads(content)
            for i, f in enumerate(data["features"], start=1):
                props = f.get("properties") or {}
                lon, lat = f["geometry"]["coordinates"][:2]
                rows.append({**props, "lat": lat, "lon": lon, "_line": i})
        except (ValueError, KeyError, TypeError) as exc:
            raise BadEntity(
                f"{path}: not a GeoJSON FeatureCollection of points ({exc})", code=SensorErrorCode.BAD_FACILITY_FILE
            ) from exc
    else:
        reader = csv.DictReader(io.StringIO(content))
        for row in reader:
            rows.append({**row, "_line": reader.line_num})
    for r in rows:
        r.setdefault("kind", default_kind)
        if not r.get("kind"):
            r["kind"] = default_kind
    return rows


@transaction.atomic
def facilities_import(*, path: Path, default_kind: str = "") -> dict[str, int]:
    """Loads the city's cooling shelters / indoor places (CSV `id,kind,name,address,lat,lon,capacity,hours`
    or a GeoJSON point FeatureCollection with the same properties). All or nothing."""
    created = updated = 0
    now = clock.now()
    for r in _facility_rows(path, default_kind):
        line = r["_line"]
        try:
            lat, lon = float(r["lat"]), float(r["lon"])
        except (KeyError, TypeError, ValueError):
            raise BadEntity(
                f"{path.name}: entry {line}: lat/lon are not numbers", code=SensorErrorCode.BAD_FACILITY_FILE
            ) from None
        kind = r.get("kind") or ""
        if kind not in FacilityKind.values:
            raise BadEntity(
                f"{path.name}: entry {line}: kind must be cooling_shelter or indoor",
                code=SensorErrorCode.BAD_FACILITY_FILE,
            )
        if not r.get("id") or not r.get("name"):
            raise BadEntity(
                f"{path.name}: entry {line}: id and name are required", code=SensorErrorCode.BAD_FACILITY_FILE
            )
        place = geography.locate(lat, lon)
        capacity = r.get("capacity")
        _obj, was_created = Facility.objects.update_or_create(
            external_id=str(r["id"]),
            defaults={
                "kind": kind,
                "name": str(r["name"])[:200],
                "address": str(r.get("address") or "")[:300],
                "lat": lat,
                "lon": lon,
                "district_code": place.district_code if place else "",
                "capacity": int(capacity) if capacity not in (None, "") else None,
                "opening_hours": str(r.get("hours") or "")[:100],
                "imported_at": now,
            },
        )
        created += was_created
        updated += not was_created
    return {"created": created, "updated": updated}


# --- rules -----------------------------------------------------------------------------------------------


def _current_levels(day: date) -> dict[tuple[str, str], str]:
    """{(kind, district): level} for the conditions that call for an alert now."""
    found: dict[tuple[str, str], str] = {}
    for district, cond in selectors.district_conditions_latest().items():
        if cond.dust_grade in DUST_LEVELS:
            found[(AlertKind.DUST, district)] = cond.dust_grade
        if cond.uv_level in UV_LEVELS:
            found[(AlertKind.UV, district)] = cond.uv_level
    for d in DistrictDay.objects.filter(date=day).exclude(heat_level=""):
        found[(AlertKind.HEAT, d.district_code)] = d.heat_level
    return found


def _message(kind: str, level: str, district_code: str) -> tuple[str, str]:
    district = district_by_code(district_code)
    what = {
        AlertKind.DUST: _("Fine dust is %(level)s in %(district)s. Wear a mask outdoors and keep windows closed."),
        AlertKind.HEAT: _(
            "Heat-wave %(level)s for %(district)s. Drink water, avoid the midday sun and check on older neighbours."
        ),
        AlertKind.UV: _("The UV index is %(level)s in %(district)s. Stay in the shade around midday."),
    }[AlertKind(kind)] % {"level": level.replace("_", " "), "district": district.name}
    near = selectors.facilities_near(
        district.centroid_lat,
        district.centroid_lon,
        kinds=FACILITIES_FOR[AlertKind(kind)],
        limit=3,
        district_code=district_code,
    )
    if near:
        places = "; ".join(f"{f.name} ({f.address or f.district_code}, {dist / 1000:.1f} km)" for f, dist in near)
        what += " " + _("Nearest places to cool down or stay indoors: %(places)s.") % {"places": places}
    subject = {AlertKind.DUST: _("Fine-dust alert"), AlertKind.HEAT: _("Heat-wave alert"), AlertKind.UV: _("UV alert")}[
        AlertKind(kind)
    ]
    return f"{subject}: {district.name}", what


def alerts_evaluate(*, day: date | None = None) -> int:
    """Opens an episode when a condition starts, closes it when it ends, and tells each
    subscriber of the district once per episode. Returns the number of new episodes."""
    day = day or clock.today_local().date()
    now = clock.now()
    current = _current_levels(day)
    new = 0
    with transaction.atomic():
        for ep in AlertEpisode.objects.select_for_update().filter(ended_at=None):
            key = (ep.kind, ep.district_code)
            if key in current:
                ep.last_seen_at = now
                ep.level = current[key]
                ep.save(update_fields=["last_seen_at", "level"])
            else:
                ep.ended_at = now
                ep.save(update_fields=["ended_at"])
        open_keys = set(AlertEpisode.objects.filter(ended_at=None).values_list("kind", "district_code"))
        for (kind, district), level in current.items():
            if (kind, district) not in open_keys:
                AlertEpisode.objects.create(
                    kind=kind, district_code=district, level=level, started_at=now, last_seen_at=now
                )
                new += 1
    for ep in AlertEpisode.objects.filter(ended_at=None):
        _deliver(ep)
    return new


def _deliver(ep: AlertEpisode) -> None:
    subject = body = ""
    for sub in AlertSubscription.objects.filter(district_code=ep.district_code).select_related("user"):
        if ep.kind not in sub.kinds or AlertDelivery.objects.filter(episode=ep, user=sub.user).exists():
            continue
        if not subject:
            subject, body = _message(ep.kind, ep.level, ep.district_code)
        try:
            with transaction.atomic():
                AlertDelivery.objects.create(episode=ep, user=sub.user, sent_at=clock.now())
                notify(
                    recipient=sub.user,
                    kind=f"sensors.alert.{ep.kind}",
                    subject=subject,
                    body=body,
                    link="/sensors/",
                    channels=sub.channels,
                )
        except IntegrityError:
            continue  # delivered concurrently by another worker
