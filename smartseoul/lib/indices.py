"""Environmental indices of the S-DoT sensor network: pure functions, no Django.

Every threshold is passed in as a table (the sensors module keeps them as versioned data with
their source and effective date), so a change of rule is a data change, not a code change.

Table shapes:
- grade bands: ``[[upper_inclusive, "good"], [upper_inclusive, "normal"], …, [None, "very_bad"]]``
  in ascending order; ``None`` is "and above".
- heat wave: ``{"persistence_days": 2, "levels": [["warning", 35.0], ["advisory", 33.0]]}``
  (most severe level first).
- noise: ``{"day_start": 6, "night_start": 22, "zones": {"road_a": {"day": 65, "night": 55}, …}}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

Bands = Sequence[Sequence[Any]]

#: The order of severity of the fine-dust grades (worse is later).
DUST_GRADES = ("good", "normal", "bad", "very_bad")


def band_for(value: float, bands: Bands) -> str:
    """The label of the first band whose inclusive upper bound holds `value`."""
    if value is None or math.isnan(value):
        raise ValueError("a grade needs a number")
    if value < 0:
        raise ValueError(f"a concentration cannot be negative ({value})")
    for upper, label in bands:
        if upper is None or value <= float(upper):
            return str(label)
    raise ValueError("the band table has no open-ended last band")


def worse_grade(a: str, b: str, order: Sequence[str] = DUST_GRADES) -> str:
    return a if order.index(a) >= order.index(b) else b


def dust_grade(
    pm10: float | None, pm25: float | None, *, pm10_bands: Bands, pm25_bands: Bands, order: Sequence[str] = DUST_GRADES
) -> str | None:
    """The announced fine-dust grade: the worse of the PM10 and PM2.5 grades (either may be missing)."""
    grades = []
    if pm10 is not None and not math.isnan(pm10):
        grades.append(band_for(pm10, pm10_bands))
    if pm25 is not None and not math.isnan(pm25):
        grades.append(band_for(pm25, pm25_bands))
    if not grades:
        return None
    result = grades[0]
    for g in grades[1:]:
        result = worse_grade(result, g, order)
    return result


def wet_bulb_stull(t_c: float, rh_pct: float) -> float:
    """Wet-bulb temperature (°C) from air temperature and relative humidity (Stull 2011, at sea-level
    pressure; valid for RH 5–99 % and T −20…50 °C)."""
    if not 0 <= rh_pct <= 100:
        raise ValueError(f"relative humidity must be within 0–100 % ({rh_pct})")
    return (
        t_c * math.atan(0.151977 * math.sqrt(rh_pct + 8.313659))
        + math.atan(t_c + rh_pct)
        - math.atan(rh_pct - 1.676331)
        + 0.00391838 * rh_pct**1.5 * math.atan(0.023101 * rh_pct)
        - 4.686035
    )


def feels_like_summer(t_c: float, rh_pct: float) -> float:
    """KMA summer feels-like temperature (°C) from T and RH via the Stull wet-bulb temperature."""
    tw = wet_bulb_stull(t_c, rh_pct)
    return -0.2442 + 0.55399 * tw + 0.45535 * t_c - 0.0022 * tw * tw + 0.00278 * tw * t_c + 3.0


def heat_wave_level(daily_max_feels_like: Sequence[float], table: Mapping[str, Any]) -> str | None:
    """The heat-wave level for the last day of a run of daily maxima (observed and expected, oldest
    first): a level applies when its threshold is reached on each of the last `persistence_days`
    days. Returns the most severe level that applies, or None."""
    days = int(table["persistence_days"])
    if days < 1:
        raise ValueError("persistence_days must be at least 1")
    recent = list(daily_max_feels_like)[-days:]
    if len(recent) < days:
        return None
    for level, threshold in table["levels"]:
        if all(v is not None and v >= float(threshold) for v in recent):
            return str(level)
    return None


def uv_level(uv_index: float, bands: Bands) -> str:
    """UV index category (low, moderate, high, very_high, extreme). The index is rounded to the
    nearest whole number first, as it is announced."""
    return band_for(float(math.floor(uv_index + 0.5)), bands)


def is_night(hour: int, table: Mapping[str, Any]) -> bool:
    day_start, night_start = int(table["day_start"]), int(table["night_start"])
    return not (day_start <= hour < night_start)


def noise_limit(zone: str, hour: int, table: Mapping[str, Any]) -> float:
    """The environmental noise standard (dB(A) Leq) for a zone at a local hour of day."""
    zones = table["zones"]
    if zone not in zones:
        raise ValueError(f"unknown noise zone {zone!r}")
    return float(zones[zone]["night" if is_night(hour, table) else "day"])


def noise_exceedance(level_db: float, zone: str, hour: int, table: Mapping[str, Any]) -> float:
    """How many dB a measured level is above the zone's limit at that hour (0 when within it)."""
    return max(0.0, float(level_db) - noise_limit(zone, hour, table))
