"""Fixtures of the sensors tests: gateway keys, generated S-DoT files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

OLD_HEADER = [
    "모델명",
    "시리얼",
    "미세먼지2.5(초미세먼지)",
    "미세먼지10(미세먼지)",
    "기온",
    "상대습도",
    "풍향",
    "풍속",
    "조도",
    "자외선",
    "소음",
    "진동(x)",
    "흑구 온도",
    "측정시간",
    "등록 일시",
]
NEW_HEADER = [
    "모델명",
    "시리얼",
    "측정시간",
    "초미세먼지(㎍/㎥)(PM2.5)",
    "미세먼지(㎍/㎥)(PM10)",
    "온도(℃)(TEMP)",
    "상대습도(%)(HUMI)",
    "풍향(°)(WIND_DIRECT)",
    "풍속(m/s)(WIND_SPEED)",
    "조도(lux)(LIGHT)",
    "자외선(UVI)(UV)",
    "소음(dB)(NOISE)",
    "진동(x)(mm/s)(VIBR_X)",
    "흑구온도(℃)(GLOBE_TEMP)",
    "등록일시",
]
#: raw ranges used to generate values (inside the S-DoT specification)
RAW = {
    "pm25": (0, 200),
    "pm10": (0, 300),
    "temperature": (800, 1400),
    "humidity": (10, 100),
    "wind_direction": (1, 3599),
    "wind_speed": (1, 150),
    "illuminance": (0, 90000),
    "uv": (0, 120),
    "noise": (35, 85),
    "vibration_x": (0, 1600),
    "globe_temperature": (800, 1500),
}
ORDER = list(RAW)


@pytest.fixture
def gateway(city: Any, make_user: Any) -> tuple[Any, str]:
    from smartseoul.accounts.services import api_key_create

    user = make_user("gateway-sdot", role="official")
    _key, raw = api_key_create(
        owner=user, name="gateway", scopes=["sensors:read", "sensors:write"], second_factor=True, daily_quota=1_000_000
    )
    return user, raw


def generate_day(
    path: Path,
    serials: list[str],
    *,
    day: str = "20240701",
    every_minutes: int = 2,
    seed: int = 7,
    header: str = "old",
    encoding: str = "utf-8",
) -> dict[str, np.ndarray]:
    """Writes a day of raw S-DoT records; returns the raw values per quantity (rows: box-major)."""
    rng = np.random.default_rng(seed)
    minutes = list(range(0, 24 * 60, every_minutes))
    n = len(serials) * len(minutes)
    values = {code: rng.integers(lo, hi + 1, size=n) for code, (lo, hi) in RAW.items()}
    times = [f"{day}{m // 60:02d}{m % 60:02d}" for m in minutes]
    registered = [f"{day[:4]}-{day[4:6]}-{day[6:]} {m // 60:02d}:{m % 60:02d}:41" for m in minutes]
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(OLD_HEADER if header == "old" else NEW_HEADER)
        i = 0
        for serial in serials:
            for t, r in zip(times, registered, strict=True):
                vals = [str(values[c][i]) for c in ORDER]
                if header == "old":
                    w.writerow(["SDOT-2", serial, *vals, t, r])
                else:
                    w.writerow(["SDOT-2", serial, t, *vals, r])
                i += 1
    return values
