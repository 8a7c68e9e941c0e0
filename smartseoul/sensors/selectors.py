"""Reads of the sensors module: who may see what, current values, derived figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from .models import (
    AlertEpisode,
    AlertSubscription,
    CareAlert,
    Datastream,
    DistrictCondition,
    DistrictDay,
    Facility,
    FeatureOfInterest,
    HistoricalLocation,
    IndexThreshold,
    Location,
    ObservedProperty,
    ParkingLot,
    Senior,
    Sensor,
    Thing,
    ThingKind,
)

# --- visibility -----------------------------------------------------------------------------------


def hidden_things(user: Any) -> QuerySet[Thing]:
    """Home devices are private: only the senior's assigned caseworkers (acting as caseworkers,
    second factor passed) and the gateway that registered them may see them."""
    hidden = Thing.objects.filter(kind=ThingKind.HOME_DEVICE)
    if user is not None and getattr(user, "is_authenticated", False):
        if is_caseworker(user):
            hidden = hidden.exclude(senior__assignments__caseworker=user)
        hidden = hidden.exclude(owner=user)
    return hidden


def visible(set_name: str, user: Any) -> QuerySet[Any]:
    """The entities of a SensorThings set `user` may see. Everything tied to a hidden Thing is
    hidden with it: its Locations, HistoricalLocations, Datastreams (and so their Observations),
    the FeaturesOfInterest made from its Locations, and Sensors and ObservedProperties that only
    its Datastreams use."""
    hidden = list(hidden_things(user).values_list("pk", flat=True))  # few; keeps the SQL shallow
    if set_name == "Things":
        return Thing.objects.exclude(pk__in=hidden)
    if set_name == "Locations":
        return Location.objects.exclude(things__in=hidden)
    if set_name == "HistoricalLocations":
        return HistoricalLocation.objects.exclude(thing__in=hidden)
    if set_name == "Datastreams":
        return Datastream.objects.exclude(thing__in=hidden)
    if set_name == "FeaturesOfInterest":
        return FeatureOfInterest.objects.exclude(location__things__in=hidden)
    if set_name in ("Sensors", "ObservedProperties"):
        model: Any = Sensor if set_name == "Sensors" else ObservedProperty
        shown = Datastream.objects.exclude(thing__in=hidden).values("pk")
        only_hidden = model.objects.filter(datastreams__thing__in=hidden).exclude(datastreams__in=shown).values("pk")
        return model.objects.exclude(pk__in=only_hidden)
    raise KeyError(set_name)


# --- thresholds -----------------------------------------------------------------------------------


def threshold(kind: str, on: date | None = None) -> IndexThreshold:
    """The threshold table of `kind` in force on `on` (today when omitted)."""
    from smartseoul.core import clock

    from .errors import SensorError, SensorErrorCode

    day = on or clock.today_local().date()
    found = IndexThreshold.objects.filter(kind=kind, effective_from__lte=day).order_by("-effective_from").first()
    if found is None:
        raise SensorError(f"No threshold table {kind!r} is in force on {day}.", code=SensorErrorCode.NO_THRESHOLD)
    return found


def thresholds_all() -> QuerySet[IndexThreshold]:
    return IndexThreshold.objects.order_by("kind", "-effective_from")


# --- current values -------------------------------------------------------------------------------


def boxes(district_code: str | None = None) -> QuerySet[Thing]:
    qs = Thing.objects.filter(kind=ThingKind.SDOT_BOX)
    return qs.filter(district_code=district_code) if district_code else qs


def box_by_serial(serial: str) -> Thing | None:
    return Thing.objects.filter(kind=ThingKind.SDOT_BOX, serial=serial).first()


def latest_values(thing_ids: list[int], quantities: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    """{thing id: {quantity: (value, time)}} from each datastream's latest value in the database."""
    out: dict[int, dict[str, Any]] = {}
    for thing_id, quantity, value, at in Datastream.objects.filter(
        thing_id__in=thing_ids, quantity__in=quantities
    ).values_list("thing_id", "quantity", "latest_result", "latest_phenomenon_time"):
        out.setdefault(thing_id, {})[quantity] = (value, at)
    return out


def district_conditions_latest() -> dict[str, DistrictCondition]:
    """The most recent hourly condition of each district."""
    latest = DistrictCondition.objects.order_by("district_code", "-hour")
    out: dict[str, DistrictCondition] = {}
    for c in latest:
        out.setdefault(c.district_code, c)
    return out


def district_days(district_code: str, last: int = 7) -> list[DistrictDay]:
    return list(DistrictDay.objects.filter(district_code=district_code).order_by("-date")[:last])


def open_episodes(kinds: tuple[str, ...] | None = None) -> QuerySet[AlertEpisode]:
    qs = AlertEpisode.objects.filter(ended_at=None).order_by("-started_at")
    return qs.filter(kind__in=kinds) if kinds else qs


def subscriptions_of(user: Any) -> QuerySet[AlertSubscription]:
    return AlertSubscription.objects.filter(user=user).order_by("district_code")


def facilities_near(
    lat: float, lon: float, *, kinds: tuple[str, ...], limit: int = 3, district_code: str | None = None
) -> list[tuple[Facility, float]]:
    from smartseoul.lib.geo import haversine_m

    qs = Facility.objects.filter(kind__in=kinds)
    # a box around the point first (about 5 km), the whole list only if nothing is near
    near = qs.filter(lat__range=(lat - 0.045, lat + 0.045), lon__range=(lon - 0.057, lon + 0.057))
    candidates = list(near) or list(qs.filter(district_code=district_code) if district_code else qs[:2000])
    ranked = sorted(((f, haversine_m(lat, lon, f.lat, f.lon)) for f in candidates), key=lambda x: x[1])
    return ranked[:limit]


# --- senior care ----------------------------------------------------------------------------------


def is_caseworker(user: Any) -> bool:
    """Who may open the senior-care dashboard (its gate and the back-office tile ask this)."""
    from smartseoul.accounts.models import Capability

    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.CASEWORKER))


def seniors_for(caseworker: Any) -> QuerySet[Senior]:
    return Senior.objects.filter(assignments__caseworker=caseworker, active=True).distinct()


def is_assigned(caseworker: Any, senior: Senior) -> bool:
    return senior.assignments.filter(caseworker=caseworker).exists()


def care_alerts_for(caseworker: Any, *, open_only: bool = True) -> QuerySet[CareAlert]:
    qs = CareAlert.objects.filter(senior__assignments__caseworker=caseworker).select_related("senior").distinct()
    return qs.filter(closed_at=None) if open_only else qs


def senior_devices(senior: Senior) -> QuerySet[Thing]:
    return senior.devices.all()


def last_motion_of_things(thing_ids: list[int], *, days: int = 2) -> dict[int, Any]:
    """{home device id: the last time its motion sensor saw movement in the last `days` days}."""
    from datetime import timedelta

    from smartseoul.core import clock

    streams = dict(Datastream.objects.filter(thing_id__in=thing_ids, quantity="motion").values_list("pk", "thing_id"))
    seen = last_motion(list(streams), clock.now() - timedelta(days=days))
    return {streams[ds]: at for ds, at in seen.items()}


def last_motion(datastream_ids: list[int], since: Any) -> dict[int, Any]:
    """The last time each motion datastream saw movement (result > 0), looking back to `since`
    (a report of "no movement" is not movement)."""
    from datetime import timedelta

    import pyarrow as pa

    from smartseoul.core import clock

    from . import lake
    from .timeutil import from_us, local_zone

    if not datastream_ids:
        return {}
    days = sorted(
        {(since.astimezone(local_zone()) + timedelta(days=i)).date() for i in range((clock.now() - since).days + 2)}
    )
    paths = lake.files(lake.OBSERVATIONS, days)
    if not paths:
        return {}
    con = lake.connect()
    con.register("ds", pa.table({"id": pa.array(datastream_ids, type=pa.int64())}))
    rows = con.execute(
        f"SELECT datastream_id, epoch_us(max(phenomenon_time)) FROM {lake.scan_sql(paths)} "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        "WHERE datastream_id IN (SELECT id FROM ds) AND result > 0 GROUP BY datastream_id"
    ).fetchall()
    return {int(d): from_us(t) for d, t in rows}


# --- shared parking -------------------------------------------------------------------------------


def parking_lots(district_code: str | None = None) -> QuerySet[ParkingLot]:
    qs = ParkingLot.objects.all()
    return qs.filter(district_code=district_code) if district_code else qs


def parking_spot_states(lot_ids: list[int]) -> dict[int, list[tuple[int, bool | None, Any]]]:
    """{lot id: [(spot thing id, occupied or None when unknown, last change)]}."""
    out: dict[int, list[tuple[int, bool | None, Any]]] = {lid: [] for lid in lot_ids}
    for spot_id, lot_id in Thing.objects.filter(parking_lot_id__in=lot_ids, kind=ThingKind.PARKING_SPOT).values_list(
        "pk", "parking_lot_id"
    ):
        out[lot_id].append((spot_id, None, None))
    states = {
        t: (text, value, at)
        for t, text, value, at in Datastream.objects.filter(
            thing__parking_lot_id__in=lot_ids, quantity="occupied"
        ).values_list("thing_id", "latest_result_text", "latest_result", "latest_phenomenon_time")
    }
    for lot_id, spots in out.items():
        resolved = []
        for spot_id, _, _ in spots:
            if spot_id in states:
                text, value, at = states[spot_id]
                occupied = (text == "true") if text in ("true", "false") else (None if value is None else value >= 0.5)
                resolved.append((spot_id, occupied, at))
            else:
                resolved.append((spot_id, None, None))
        out[lot_id] = resolved
    return out


# --- series and summaries for pages and the API ---------------------------------------------------


def box_series(
    thing_id: int, quantity: str, start: Any, end: Any, *, max_points: int = 5000
) -> list[tuple[Any, float]]:
    """(time, value) of one box and quantity between two instants, from the lake's source stage."""
    import pyarrow as pa

    from . import lake
    from .timeutil import from_us, local_zone, to_us

    ds = Datastream.objects.filter(thing_id=thing_id, quantity=quantity).values_list("pk", flat=True).first()
    if ds is None:
        return []
    days = []
    d = start.astimezone(local_zone()).date()
    while d <= end.astimezone(local_zone()).date():
        days.append(d)
        d = date.fromordinal(d.toordinal() + 1)
    paths = lake.files(lake.OBSERVATIONS, days)
    if not paths:
        return []
    con = lake.connect()
    con.register("want", pa.table({"id": pa.array([ds], type=pa.int64())}))
    rows = con.execute(
        f"SELECT epoch_us(phenomenon_time) AS t, result FROM {lake.scan_sql(paths)} "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        "WHERE datastream_id IN (SELECT id FROM want) AND result IS NOT NULL "
        "AND epoch_us(phenomenon_time) BETWEEN ? AND ? ORDER BY t",
        [to_us(start), to_us(end)],
    ).fetchall()
    step = max(1, len(rows) // max_points)
    return [(from_us(t), v) for t, v in rows[::step]]


def air_quality_by_district() -> dict[str, str]:
    return {code: c.dust_grade for code, c in district_conditions_latest().items() if c.dust_grade}


def air_quality_by_dong(district_code: str) -> dict[str, str]:
    """{dong code: fine-dust grade} of one district's dongs that have a box, for the latest hour
    the district has measurements (from the lake's dong-level hourly aggregate)."""
    from smartseoul.lib import indices

    from . import lake
    from .timeutil import from_us

    days = lake.partition_days("agg_dong_hourly")[-2:]
    paths = lake.files("agg_dong_hourly", days)
    if not paths:
        return {}
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    rows = (
        lake.connect()
        .execute(
            f"WITH d AS (SELECT * FROM read_parquet([{quoted}]) WHERE district_code = ? "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
            "AND quantity IN ('pm10', 'pm25') AND coalesce(dong_code, '') <> '') "
            "SELECT dong_code, quantity, avg(mean), max(period) FROM d "
            "WHERE period = (SELECT max(period) FROM d) GROUP BY dong_code, quantity",
            [district_code],
        )
        .fetchall()
    )
    if not rows:
        return {}
    day = from_us(rows[0][3]).date()  # `period` is the local start of the hour
    pm10_bands = threshold("pm10_grade", day).table
    pm25_bands = threshold("pm25_grade", day).table
    values: dict[str, dict[str, float]] = {}
    for dong, quantity, mean, _period in rows:
        values.setdefault(dong, {})[quantity] = mean
    out = {}
    for dong, v in values.items():
        grade = indices.dust_grade(v.get("pm10"), v.get("pm25"), pm10_bands=pm10_bands, pm25_bands=pm25_bands)
        if grade:
            out[dong] = grade
    return out


def latest_condition_hour() -> Any:
    """The local start of the most recent hour any district has figures for (None before any)."""
    from .timeutil import local_zone

    hour = DistrictCondition.objects.order_by("-hour").values_list("hour", flat=True).first()
    return hour.astimezone(local_zone()) if hour else None


def parking_availability(lot_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Free and occupied spots per lot now, with the owner's sharing hours."""
    from smartseoul.core import clock

    from .services.parking import is_shared_at

    lots = list(ParkingLot.objects.filter(pk__in=lot_ids) if lot_ids is not None else ParkingLot.objects.all())
    states = parking_spot_states([lot.pk for lot in lots])
    now = clock.now()
    out = []
    for lot in lots:
        spots = states.get(lot.pk, [])
        occupied = sum(1 for _, o, _ in spots if o)
        unknown = sum(1 for _, o, _ in spots if o is None)
        latest = max((at for _, _, at in spots if at is not None), default=None)
        out.append(
            {
                "id": lot.pk,
                "name": lot.name,
                "name_en": lot.name_en,
                "district_code": lot.district_code,
                "lat": lot.lat,
                "lon": lot.lon,
                "address": lot.address,
                "spots": len(spots),
                "occupied": occupied,
                "unknown": unknown,
                "free": len(spots) - occupied - unknown,
                "shared_now": is_shared_at(lot.sharing_hours, now),
                "sharing_hours": lot.sharing_hours,
                "fee_note": lot.fee_note,
                "updated_at": latest.isoformat() if latest else None,
            }
        )
    return out
