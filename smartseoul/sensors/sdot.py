"""The S-DoT data format: quantities, units, value ranges, encodings and both header styles.

Source: Seoul's S-DoT column dictionary (`sensor_data_information.csv`). Raw values are
integers; `decode` turns them into physical values. Division happens last on integers
(`(raw − 1000) / 10`, not `raw / 10 − 100`) so a decoded value is the double nearest to its
decimal, exactly what the same decimal typed into JSON gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
OM_TRUTH = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation"
OM_COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"


@dataclass(frozen=True)
class Quantity:
    code: str
    name_ko: str
    name_en: str
    unit_name: str
    unit_symbol: str
    unit_definition: str
    raw_min: float
    raw_max: float
    offset: int = 0  # decoded = (raw − offset) / scale
    scale: int = 1
    observation_type: str = OM_MEASUREMENT
    aliases: tuple[str, ...] = ()  # header names (Korean, older style) and codes (newer style)

    @property
    def min(self) -> float:
        return (self.raw_min - self.offset) / self.scale

    @property
    def max(self) -> float:
        return (self.raw_max - self.offset) / self.scale

    def decode(self, raw: np.ndarray) -> np.ndarray:
        if self.offset == 0 and self.scale == 1:
            return raw.astype(np.float64)
        return (raw.astype(np.float64) - self.offset) / self.scale

    @property
    def definition(self) -> str:
        return f"https://data.seoul.go.kr/sdot/quantity/{self.code}"


_UG = ("microgram per cubic metre", "µg/m³", "http://qudt.org/vocab/unit/MicroGM-PER-M3")
_C = ("degree Celsius", "°C", "http://qudt.org/vocab/unit/DEG_C")
_MMS = ("millimetre per second", "mm/s", "http://qudt.org/vocab/unit/MilliM-PER-SEC")
_DEG = ("degree", "°", "http://qudt.org/vocab/unit/DEG")
_MS = ("metre per second", "m/s", "http://qudt.org/vocab/unit/M-PER-SEC")

QUANTITIES: tuple[Quantity, ...] = (
    Quantity(
        "pm25", "초미세먼지", "PM2.5", *_UG, 0, 1500, aliases=("미세먼지2.5(초미세먼지)", "초미세먼지", "PM2.5", "PM25")
    ),
    Quantity("pm10", "미세먼지", "PM10", *_UG, 0, 1500, aliases=("미세먼지10(미세먼지)", "미세먼지", "PM10")),
    Quantity("temperature", "기온", "air temperature", *_C, 500, 1800, 1000, 10, aliases=("기온", "온도", "TEMP")),
    Quantity(
        "humidity",
        "상대습도",
        "relative humidity",
        "percent",
        "%",
        "http://qudt.org/vocab/unit/PERCENT",
        0,
        100,
        aliases=("상대습도", "습도", "HUMI", "HUMIDITY"),
    ),
    Quantity(
        "wind_direction",
        "풍향",
        "wind direction",
        *_DEG,
        0,
        3599,
        0,
        10,
        aliases=("풍향", "WIND_DIRECT", "WIND_DIRECTION", "WD"),
    ),
    Quantity("wind_speed", "풍속", "wind speed", *_MS, 0, 1000, 0, 10, aliases=("풍속", "WIND_SPEED", "WS")),
    Quantity(
        "gust_direction",
        "돌풍 풍향",
        "gust direction",
        *_DEG,
        0,
        3599,
        0,
        10,
        aliases=("돌풍풍향", "GUST_DIRECT", "GUST_DIRECTION"),
    ),
    Quantity("gust_speed", "돌풍 풍속", "gust speed", *_MS, 0, 1000, 0, 10, aliases=("돌풍풍속", "GUST_SPEED")),
    Quantity(
        "illuminance",
        "조도",
        "illuminance",
        "lux",
        "lx",
        "http://qudt.org/vocab/unit/LUX",
        0,
        120000,
        aliases=("조도", "LIGHT", "LUX", "ILLUMINANCE"),
    ),
    Quantity(
        "uv",
        "자외선",
        "UV index",
        "UV index",
        "UVI",
        "https://www.who.int/uv/publications/en/UVIGuide.pdf",
        0,
        160,
        0,
        10,
        aliases=("자외선", "UV", "UVI"),
    ),
    Quantity(
        "noise",
        "소음",
        "noise level",
        "decibel",
        "dB",
        "http://qudt.org/vocab/unit/DeciB",
        35,
        85,
        aliases=("소음", "NOISE"),
    ),
    Quantity(
        "vibration_x", "진동(x)", "vibration x", *_MMS, 0, 1600, 0, 100, aliases=("진동(x)", "VIBR_X", "VIBRATION_X")
    ),
    Quantity(
        "vibration_y", "진동(y)", "vibration y", *_MMS, 0, 1600, 0, 100, aliases=("진동(y)", "VIBR_Y", "VIBRATION_Y")
    ),
    Quantity(
        "vibration_z", "진동(z)", "vibration z", *_MMS, 0, 1600, 0, 100, aliases=("진동(z)", "VIBR_Z", "VIBRATION_Z")
    ),
    Quantity(
        "vibration_x_max",
        "진동(x) 최대",
        "vibration x maximum",
        *_MMS,
        0,
        1600,
        0,
        100,
        aliases=("진동(x)최대", "VIBR_X_MAX", "VIBRATION_X_MAX"),
    ),
    Quantity(
        "vibration_y_max",
        "진동(y) 최대",
        "vibration y maximum",
        *_MMS,
        0,
        1600,
        0,
        100,
        aliases=("진동(y)최대", "VIBR_Y_MAX", "VIBRATION_Y_MAX"),
    ),
    Quantity(
        "vibration_z_max",
        "진동(z) 최대",
        "vibration z maximum",
        *_MMS,
        0,
        1600,
        0,
        100,
        aliases=("진동(z)최대", "VIBR_Z_MAX", "VIBRATION_Z_MAX"),
    ),
    Quantity(
        "globe_temperature",
        "흑구 온도",
        "black-globe temperature",
        *_C,
        500,
        1800,
        1000,
        10,
        aliases=("흑구온도", "GLOBE_TEMP", "BLACK_GLOBE_TEMP"),
    ),
    Quantity(
        "pm25_corrected",
        "pm25 보정",
        "PM2.5 (corrected)",
        *_UG,
        0,
        1500,
        aliases=("pm25보정", "초미세먼지보정", "PM25_CORRECTED", "PM2.5_CORRECTED"),
    ),
    Quantity(
        "pm10_corrected",
        "pm10 보정",
        "PM10 (corrected)",
        *_UG,
        0,
        1500,
        aliases=("pm10보정", "미세먼지보정", "PM10_CORRECTED"),
    ),
    Quantity(
        "visitors",
        "방문자 수",
        "visitor count",
        "count",
        "people",
        "http://qudt.org/vocab/unit/NUM",
        0,
        100000,
        observation_type=OM_COUNT,
        aliases=("방문자수", "유동인구", "VISITOR", "VISITORS", "VISITOR_COUNT"),
    ),
    # Devices other than S-DoT boxes (senior care, shared parking).
    Quantity(
        "motion",
        "움직임",
        "motion",
        "event count",
        "events",
        "http://qudt.org/vocab/unit/NUM",
        0,
        10000,
        observation_type=OM_COUNT,
    ),
    Quantity("indoor_temperature", "실내 온도", "indoor temperature", *_C, -30, 60),
    Quantity(
        "indoor_humidity", "실내 습도", "indoor humidity", "percent", "%", "http://qudt.org/vocab/unit/PERCENT", 0, 100
    ),
    Quantity("indoor_light", "실내 조도", "indoor light", "lux", "lx", "http://qudt.org/vocab/unit/LUX", 0, 120000),
    Quantity(
        "occupied",
        "주차 점유",
        "spot occupied",
        "boolean",
        "",
        "http://qudt.org/vocab/unit/UNITLESS",
        0,
        1,
        observation_type=OM_TRUTH,
    ),
)

BY_CODE: dict[str, Quantity] = {q.code: q for q in QUANTITIES}
SDOT_CODES: tuple[str, ...] = tuple(q.code for q in QUANTITIES[:21])
#: The ten kinds of urban data the boxes publish, as shown on the public pages.
HEADLINE_CODES: tuple[str, ...] = (
    "pm10",
    "pm25",
    "temperature",
    "humidity",
    "illuminance",
    "noise",
    "uv",
    "vibration_x",
    "visitors",
    "wind_speed",
)

SERIAL_HEADERS = ("시리얼", "SERIAL", "SERIAL_NO", "시리얼번호")
MODEL_HEADERS = ("모델명", "MODEL", "MODEL_NM")
TIME_HEADERS = ("측정시간", "MEASURED_AT", "SENSING_TIME", "측정일시")
REGISTERED_HEADERS = ("등록일시", "등록 일시", "REGISTERED_AT", "REG_DTTM", "등록일자")

_CODE_RE = re.compile(r"\(([A-Za-z][A-Za-z0-9_.]*)\)\s*$")
_UNIT_RE = re.compile(r"\((?:㎍/㎥|µg/m³|ug/m3|℃|°C|%|°|m/s|lux|lx|UVI?|dB|mm/s|g)\)", re.IGNORECASE)


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).upper()


_ALIASES: dict[str, str] = {}
for _q in QUANTITIES:
    for _a in (*_q.aliases, _q.name_ko):
        _ALIASES.setdefault(_norm(_a), _q.code)


def header_role(header: str) -> str | None:
    """What a column of an S-DoT export holds: a quantity code, or serial/model/time/registered,
    or None for a column we do not read. Both the older Korean-only headers (`기온`) and the
    newer ones with unit and code (`온도(℃)(TEMP)`) are recognised."""
    h = header.strip().lstrip("\ufeff").strip('"')
    n = _norm(h)
    for role, names in (
        ("serial", SERIAL_HEADERS),
        ("model", MODEL_HEADERS),
        ("time", TIME_HEADERS),
        ("registered", REGISTERED_HEADERS),
    ):
        if n in {_norm(x) for x in names}:
            return role
    if n in _ALIASES:  # older headers are matched whole (they contain parentheses themselves)
        return _ALIASES[n]
    m = _CODE_RE.search(h)
    if m and _norm(m.group(1)) in _ALIASES:
        return _ALIASES[_norm(m.group(1))]
    base = _norm(_UNIT_RE.sub("", _CODE_RE.sub("", h)))
    if base in _ALIASES:
        return _ALIASES[base]
    for role, names in (
        ("serial", SERIAL_HEADERS),
        ("model", MODEL_HEADERS),
        ("time", TIME_HEADERS),
        ("registered", REGISTERED_HEADERS),
    ):
        if base in {_norm(x) for x in names}:
            return role
    return None
