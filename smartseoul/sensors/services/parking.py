"""Shared parking: lots with owner's sharing hours, spot sensors (free/occupied), availability."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction

from smartseoul.core import clock, geography

from ..errors import BadEntity, NotYourDevice
from ..models import HistoricalLocation, Location, ParkingLot, Thing, ThingKind
from ..timeutil import local_zone
from .boxes import datastreams_ensure

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def validate_hours(hours: Any) -> list[dict[str, Any]]:
    if not isinstance(hours, list):
        raise BadEntity("sharing hours are a list of {days, start, end}")
    clean = []
    for h in hours:
        if not isinstance(h, dict):
            raise BadEntity("each sharing period is an object")
        days = h.get("days")
        start, end = h.get("start"), h.get("end")
        if not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise BadEntity("days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if not (isinstance(start, str) and _HHMM.match(start) and isinstance(end, str) and _HHMM.match(end)):
            raise BadEntity("start and end are HH:MM")
        if start >= end:
            raise BadEntity("a sharing period ends after it starts (split periods that cross midnight)")
        clean.append({"days": sorted(set(days)), "start": start, "end": end})
    return clean


def is_shared_at(hours: list[dict[str, Any]], at: datetime) -> bool:
    local = at.astimezone(local_zone())
    hhmm = local.strftime("%H:%M")
    return any(local.weekday() in h["days"] and h["start"] <= hhmm < h["end"] for h in hours)


@transaction.atomic
def parking_lot_create(
    *,
    owner: Any,
    name: str,
    lat: float,
    lon: float,
    spots: int,
    sharing_hours: Any,
    address: str = "",
    fee_note: str = "",
    gateway: Any = None,
    name_en: str = "",
) -> ParkingLot:
    if not name.strip():
        raise BadEntity("a name is required")
    if not 1 <= spots <= 2000:
        raise BadEntity("a lot has 1 to 2000 spots")
    place = geography.district_for_point(lat, lon)
    lot = ParkingLot.objects.create(
        name=name.strip()[:200],
        name_en=name_en.strip()[:200],
        owner=owner,
        district_code=place.district_code,
        lat=lat,
        lon=lon,
        address=address[:300],
        sharing_hours=validate_hours(sharing_hours),
        fee_note=fee_note[:200],
        created_at=clock.now(),
    )
    loc = Location.objects.create(
        name=lot.name,
        description="shared car park",
        encoding_type="application/geo+json",
        location={"type": "Point", "coordinates": [lon, lat]},
        lat=lat,
        lon=lon,
    )
    now = clock.now()
    things = []
    for i in range(1, spots + 1):
        t = Thing.objects.create(
            name=f"{lot.name} #{i}",
            description="floor sensor of a shared parking spot",
            kind=ThingKind.PARKING_SPOT,
            parking_lot=lot,
            district_code=place.district_code,
            dong_code=place.neighborhood_code or "",
            lat=lat,
            lon=lon,
            owner=gateway or owner,
            created_at=now,
            properties={"lot": lot.pk, "spot": i},
        )
        t.locations.add(loc)
        HistoricalLocation.objects.create(thing=t, time=now).locations.add(loc)
        things.append(t)
    datastreams_ensure(pairs={(t.pk, "occupied") for t in things})
    return lot


@transaction.atomic
def parking_lot_set_hours(*, lot_id: int, user: Any, sharing_hours: Any) -> ParkingLot:
    lot = ParkingLot.objects.select_for_update().filter(pk=lot_id).first()
    if lot is None:
        from ..errors import EntityNotFound

        raise EntityNotFound("No such car park.")
    if lot.owner_id != user.pk and not user.is_city_admin:
        raise NotYourDevice("Only the owner sets the sharing hours.")
    lot.sharing_hours = validate_hours(sharing_hours)
    lot.save(update_fields=["sharing_hours"])
    return lot
