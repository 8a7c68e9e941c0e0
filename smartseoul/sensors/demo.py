"""The Seoul demo for sensors: boxes at generated positions inside each district, a day of
synthetic observations through the normal ingestion path, derived values, cooling shelters,
a shared car park. Idempotent."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry import shape

from smartseoul.core import clock
from smartseoul.core.selectors import districts

from .models import Facility, ParkingLot, Thing, ThingKind
from .services.boxes import boxes_register, datastreams_ensure
from .services.derive import derive_day
from .services.ingest import ObservationBatch, observations_ingest
from .timeutil import KST, to_us

BOXES_PER_DISTRICT = 4
DEMO_QUANTITIES = ("pm10", "pm25", "temperature", "humidity", "uv", "noise", "illuminance", "wind_speed")


def _points_in(geom: shapely.Geometry, n: int, rng: random.Random) -> list[tuple[float, float]]:
    west, south, east, north = geom.bounds
    found: list[tuple[float, float]] = []
    while len(found) < n:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if geom.contains(shapely.Point(lon, lat)):
            found.append((lat, lon))
    return found


def _synthetic(code: str, hours: np.ndarray, rng: np.random.Generator, base: float) -> np.ndarray:
    day = np.sin((hours - 6) / 24 * 2 * math.pi)
    if code == "pm10":
        return np.clip(np.round(base * 2 + 10 * day + rng.normal(0, 5, hours.size)), 0, 1500)
    if code == "pm25":
        return np.clip(np.round(base + 6 * day + rng.normal(0, 3, hours.size)), 0, 1500)
    if code == "temperature":
        return np.round(27 + 5 * day + rng.normal(0, 0.4, hours.size), 1)
    if code == "humidity":
        return np.clip(np.round(65 - 15 * day + rng.normal(0, 2, hours.size)), 0, 100)
    if code == "uv":
        return np.clip(
            np.round(np.maximum(0, 9 * np.sin((hours - 6) / 13 * math.pi)) + rng.normal(0, 0.2, hours.size), 1), 0, 16
        )
    if code == "noise":
        return np.clip(np.round(55 + 8 * day + rng.normal(0, 2, hours.size)), 35, 85)
    if code == "illuminance":
        return np.clip(np.round(np.maximum(0, 60000 * np.sin((hours - 6) / 13 * math.pi))), 0, 120000)
    return np.clip(np.round(np.abs(2 + rng.normal(0, 1, hours.size)), 1), 0, 100)


def thresholds_seed() -> int:
    """Seeds the versioned threshold tables from data/thresholds.json when they are empty
    (the migration seeds them too; a flushed database needs them again before the demo)."""
    import json
    from datetime import date
    from pathlib import Path

    from .models import IndexThreshold

    if IndexThreshold.objects.exists():
        return 0
    items = json.loads((Path(__file__).resolve().parent / "data" / "thresholds.json").read_text(encoding="utf-8"))
    for item in items:
        IndexThreshold.objects.update_or_create(
            kind=item["kind"], version=item["version"],
            defaults={"table": item["table"], "source": item["source"],
                      "effective_from": date.fromisoformat(item["effective_from"]), "notes": item.get("notes", "")},
        )
    return len(items)


def load_demo() -> None:
    thresholds_seed()
    if Thing.objects.filter(kind=ThingKind.SDOT_BOX, serial__startswith="DEMO").exists():
        _demo_care()
        return
    rng = random.Random(2019)  # noqa: S311  (demo data, reproducible, not a secret)
    positions = []
    for d in districts():
        geom = shape(d.boundary)
        for i, (lat, lon) in enumerate(_points_in(geom, BOXES_PER_DISTRICT, rng), start=1):
            positions.append((f"DEMO{d.code}{i:02d}", lat, lon))
    boxes_register(positions=positions, model="SDOT-DEMO")
    things = list(Thing.objects.filter(serial__startswith="DEMO").values_list("pk", flat=True))
    ds_map = datastreams_ensure(pairs={(t, q) for t in things for q in DEMO_QUANTITIES})
    today = clock.today_local().date()
    day = today - timedelta(days=1)
    start = datetime(day.year, day.month, day.day, tzinfo=KST)
    minutes = np.arange(0, 24 * 60, 2)
    times = np.array([to_us(start + timedelta(minutes=int(m))) for m in minutes], dtype=np.int64)
    hours = minutes / 60.0
    nrng = np.random.default_rng(2019)
    ds_parts, t_parts, v_parts = [], [], []
    for t in things:
        base = nrng.uniform(8, 45)
        for q in DEMO_QUANTITIES:
            ds_parts.append(np.full(minutes.size, ds_map[(t, q)], dtype=np.int64))
            t_parts.append(times)
            v_parts.append(_synthetic(q, hours, nrng, base).astype(np.float64))
    observations_ingest(
        batch=ObservationBatch(np.concatenate(ds_parts), np.concatenate(t_parts), np.concatenate(v_parts))
    )
    derive_day(day=day)
    now = clock.now()
    for d in districts():
        Facility.objects.get_or_create(
            external_id=f"DEMO-COOL-{d.code}",
            defaults={
                "kind": "cooling_shelter",
                "name": f"{d.name_ko} 무더위쉼터",
                "address": f"{d.name_ko} 주민센터",
                "lat": d.centroid_lat,
                "lon": d.centroid_lon,
                "district_code": d.code,
                "capacity": 30,
                "opening_hours": "09:00-18:00",
                "imported_at": now,
            },
        )
    _demo_parking()
    _demo_care()


CARE_SENIORS = (("JN-2026-0001", 23.5, 20), ("JN-2026-0002", 22.0, 35), ("JN-2026-0003", 24.5, 0))


def _demo_care() -> None:
    """Three seniors of Jongno-gu in the demo caseworker's care, with home sensors reporting the
    last day (the third has not moved for eight hours), so the care dashboard has people,
    readings and, in the daytime, an alert to handle."""
    from smartseoul.accounts.models import User
    from smartseoul.core.selectors import neighborhoods

    from .models import Senior
    from .services.care import care_check, caseworker_assign, home_device_add, senior_register

    caseworker = User.objects.filter(username="caseworker").first()
    if caseworker is None or Senior.objects.filter(label__startswith="JN-2026-").exists():
        return
    dongs = list(neighborhoods("11110").values_list("code", flat=True)[:3]) or [""] * 3
    now = clock.now()
    end_us = to_us(now)
    minutes = np.arange(24 * 60, 0, -10)  # every 10 minutes over the last day
    times = np.array([end_us - int(m) * 60_000_000 for m in minutes], dtype=np.int64)
    local_hours = np.array([(now - timedelta(minutes=int(m))).astimezone(KST).hour for m in minutes])
    rng = np.random.default_rng(7)
    ds_parts, t_parts, v_parts = [], [], []
    for (label, temperature, moves_per_day), dong in zip(CARE_SENIORS, dongs, strict=False):
        senior = senior_register(label=label, district_code="11110", dong_code=dong, actor=caseworker)
        caseworker_assign(senior=senior, caseworker=caseworker, actor=caseworker)
        thing = home_device_add(senior=senior, name=f"{label} 가정 센서", actor=caseworker)
        streams = dict(thing.datastreams.values_list("quantity", "pk"))
        awake = (local_hours >= 7) & (local_hours < 22)
        if moves_per_day:
            motion = (awake & (rng.random(minutes.size) < moves_per_day / 90)).astype(np.float64)
        else:  # moved eight to nine hours ago and not since
            motion = ((minutes > 8 * 60) & (minutes <= 9 * 60) & (rng.random(minutes.size) < 0.5)).astype(np.float64)
        series = {
            "motion": motion,
            "indoor_temperature": np.round(temperature + rng.normal(0, 0.3, minutes.size), 1),
            "indoor_humidity": np.round(45 + rng.normal(0, 2, minutes.size)),
            "indoor_light": np.where(awake, 300.0, 0.0),
        }
        for quantity, values in series.items():
            if quantity in streams:
                ds_parts.append(np.full(minutes.size, streams[quantity], dtype=np.int64))
                t_parts.append(times)
                v_parts.append(values.astype(np.float64))
    if ds_parts:
        observations_ingest(
            batch=ObservationBatch(np.concatenate(ds_parts), np.concatenate(t_parts), np.concatenate(v_parts))
        )
    care_check(at=now)


def _demo_parking() -> None:
    from smartseoul.accounts.models import User

    from .services.parking import parking_lot_create

    if ParkingLot.objects.exists():
        return
    owner, _ = User.objects.get_or_create(username="demo-parking-owner", defaults={"role": "citizen"})
    jongno = districts().filter(code="11110").first()
    if jongno is None:
        return
    parking_lot_create(
        owner=owner,
        name="종로 공유주차장 (데모)",
        name_en="Jongno shared car park (demo)",
        lat=jongno.centroid_lat,
        lon=jongno.centroid_lon,
        spots=6,
        sharing_hours=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}],
        address="종로구",
        fee_note="30분 1,000원",
    )
