"""Service stage: hourly and daily aggregates per box, dong and district (DuckDB over the source
stage), and the derived indices (fine-dust grade, feels-like temperature, heat-wave level, UV
level, noise exceedances) with the thresholds in force on that day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import transaction

from smartseoul.lib import indices

from .. import lake, selectors
from ..models import DistrictCondition, DistrictDay, Thing, ThingKind
from ..timeutil import KST, from_us
from .care import HOME_QUANTITIES

LEVELS = {"box": ("thing_id",), "dong": ("district_code", "dong_code"), "district": ("district_code",)}
QUANTITIES = ("pm10", "pm25", "temperature", "humidity", "uv", "noise", "illuminance", "wind_speed", "visitors")


BUCKET_US = {"hour": 3_600_000_000, "day": 86_400_000_000}
KST_US = 9 * 3_600_000_000


def _aggregate_sql(source: str, keys: tuple[str, ...], bucket: str) -> str:
    """Korea has no daylight saving, so local buckets are integer arithmetic on the epoch
    (far cheaper than a time-zone conversion per row). `period` is the local wall-clock start."""
    # a senior's home sensors are private: their readings never reach a public aggregate, a
    # district's conditions or the open-data export
    private = ", ".join(f"'{q}'" for q in HOME_QUANTITIES)
    where = f"result IS NOT NULL AND quantity NOT IN ({private})" + (
        "" if keys[0] == "thing_id" else f" AND coalesce({keys[0]}, '') <> ''"
    )
    size = BUCKET_US[bucket]
    return (
        f"SELECT {', '.join(keys)}, quantity, "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        f"((epoch_us(phenomenon_time) + {KST_US}) // {size}) * {size} AS period, "
        f"count(*) AS n, avg(result) AS mean, min(result) AS min, max(result) AS max "
        f"FROM {source} WHERE {where} GROUP BY ALL ORDER BY ALL"
    )


def aggregate_day(
    day: date, *, levels: tuple[str, ...] = ("box", "dong", "district"), buckets: tuple[str, ...] = ("hour", "day")
) -> dict[str, pa.Table]:
    """Computes and writes `agg_<level>_<hourly|daily>` for one local day; returns the tables.
    `period` is the local (Korean) start of the hour or day, as µs since the epoch."""
    paths = lake.files(lake.OBSERVATIONS, [day])
    out: dict[str, pa.Table] = {}
    if not paths:
        return out
    con = lake.connect()
    source = lake.scan_sql(paths)
    for level in levels:
        for bucket, name in (("hour", "hourly"), ("day", "daily")):
            if bucket not in buckets:
                continue
            table = con.execute(_aggregate_sql(source, LEVELS[level], bucket)).to_arrow_table()
            dataset = f"agg_{level}_{name}"
            lake.replace_partition(dataset, day, table)
            out[dataset] = table
    return out


def _local(us: int) -> datetime:
    """`period` values are local wall-clock times stored as if UTC; give them their zone."""
    return from_us(us).replace(tzinfo=KST)


@transaction.atomic
def conditions_store(*, day: date, district_hourly: pa.Table, box_hourly: pa.Table | None) -> int:
    """District-hour conditions and the district's day summary, from the aggregates."""
    pm10_bands = selectors.threshold("pm10_grade", day).table
    pm25_bands = selectors.threshold("pm25_grade", day).table
    uv_bands = selectors.threshold("uv_level", day).table
    heat = selectors.threshold("heat_wave", day).table
    noise = selectors.threshold("noise_limit", day).table
    rows = district_hourly.to_pylist()
    by_key: dict[tuple[str, int], dict[str, float]] = {}
    for r in rows:
        by_key.setdefault((r["district_code"], r["period"]), {})[r["quantity"]] = r["mean"]
    exceed: dict[tuple[str, int], int] = {}
    boxes: dict[tuple[str, int], set[int]] = {}
    if box_hourly is not None and box_hourly.num_rows:
        district_of = dict(Thing.objects.filter(kind=ThingKind.SDOT_BOX).values_list("pk", "district_code"))
        zone_of = {
            pk: (props or {}).get("noise_zone", noise.get("default_zone", "road_a"))
            for pk, props in Thing.objects.filter(kind=ThingKind.SDOT_BOX).values_list("pk", "properties")
        }
        for r in box_hourly.to_pylist():
            d = district_of.get(r["thing_id"])
            if not d:
                continue
            key = (d, r["period"])
            boxes.setdefault(key, set()).add(r["thing_id"])
            if r["quantity"] == "noise":
                zone = zone_of.get(r["thing_id"]) or "road_a"
                if (
                    zone in noise["zones"]
                    and indices.noise_exceedance(r["mean"], zone, _local(r["period"]).hour, noise) > 0
                ):
                    exceed[key] = exceed.get(key, 0) + 1
    count = 0
    for (district, period), v in by_key.items():
        if not v.keys() & {"pm10", "pm25", "temperature", "humidity", "uv", "noise"}:
            continue  # no outdoor measurement that hour: no condition, rather than an empty one
        pm10, pm25 = v.get("pm10"), v.get("pm25")
        t, rh = v.get("temperature"), v.get("humidity")
        feels = indices.feels_like_summer(t, min(max(rh, 0.0), 100.0)) if t is not None and rh is not None else None
        uv = v.get("uv")
        DistrictCondition.objects.update_or_create(
            district_code=district,
            hour=_local(period),
            defaults={
                "pm10": pm10,
                "pm25": pm25,
                "dust_grade": indices.dust_grade(pm10, pm25, pm10_bands=pm10_bands, pm25_bands=pm25_bands) or "",
                "temperature": t,
                "humidity": rh,
                "feels_like": feels,
                "uv": uv,
                "uv_level": indices.uv_level(uv, uv_bands) if uv is not None else "",
                "noise": v.get("noise"),
                "noise_exceedances": exceed.get((district, period), 0),
                "boxes": len(boxes.get((district, period), ())),
            },
        )
        count += 1
    day_start = datetime(day.year, day.month, day.day, tzinfo=KST)
    for district in {d for d, _ in by_key}:
        hours = DistrictCondition.objects.filter(
            district_code=district, hour__gte=day_start, hour__lt=day_start + timedelta(days=1)
        )
        feels_hours = [h.feels_like for h in hours if h.feels_like is not None]
        temps = [h.temperature for h in hours if h.temperature is not None]
        pm10s = [h.pm10 for h in hours if h.pm10 is not None]
        pm25s = [h.pm25 for h in hours if h.pm25 is not None]
        uvs = [h.uv for h in hours if h.uv is not None]
        max_feels = max(feels_hours) if feels_hours else None
        previous = DistrictDay.objects.filter(district_code=district, date__lt=day).order_by("-date")
        series: list[float] = [
            p.max_feels_like
            for p in list(previous[: int(heat["persistence_days"]) - 1])[::-1]
            if p.date >= day - timedelta(days=int(heat["persistence_days"]) - 1) and p.max_feels_like is not None
        ]
        level = indices.heat_wave_level([*series, max_feels], heat) if max_feels is not None else None
        DistrictDay.objects.update_or_create(
            district_code=district,
            date=day,
            defaults={
                "max_feels_like": max_feels,
                "max_temperature": max(temps) if temps else None,
                "pm10_mean": float(np.mean(pm10s)) if pm10s else None,
                "pm25_mean": float(np.mean(pm25s)) if pm25s else None,
                "max_uv": max(uvs) if uvs else None,
                "heat_level": level or "",
            },
        )
    return count


def derive_day(*, day: date, evaluate_alerts: bool = True) -> dict[str, Any]:
    """The scheduled job for one day: aggregates, conditions, then alert rules."""
    tables = aggregate_day(day)
    observations = 0
    hours = 0
    if "agg_district_hourly" in tables:
        observations = int(np.sum(tables["agg_box_daily"].column("n").to_numpy())) if "agg_box_daily" in tables else 0
        hours = conditions_store(
            day=day, district_hourly=tables["agg_district_hourly"], box_hourly=tables.get("agg_box_hourly")
        )
    alerts = 0
    if evaluate_alerts:
        from .alerts import alerts_evaluate

        alerts = alerts_evaluate(day=day)
    return {"observations": observations, "district_hours": hours, "alerts": alerts}


def district_hourly_rows(days: int = 7) -> list[dict[str, Any]]:
    """Open-data export rows: district × quantity × hour over the last `days` days of data."""
    available = lake.partition_days("agg_district_hourly")[-days:]
    paths = lake.files("agg_district_hourly", available)
    if not paths:
        return []
    con = lake.connect()
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    cur = con.execute(
        f"SELECT district_code, quantity, period, n, mean, min, max FROM read_parquet([{quoted}]) "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        "ORDER BY period, district_code, quantity"
    )
    out = []
    for district, quantity, period, n, mean, lo, hi in cur.fetchall():
        out.append(
            {
                "district_code": district,
                "quantity": quantity,
                "hour": _local(period).isoformat(),
                "observations": int(n),
                "mean": round(mean, 3),
                "min": lo,
                "max": hi,
            }
        )
    return out
