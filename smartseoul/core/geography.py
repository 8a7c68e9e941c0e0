"""Point → district / neighbourhood look-up, cached in memory per process.

The index is rebuilt when `City.boundaries_version` changes (checked at most every
`RECHECK_SECONDS`), so an import in one process reaches the others within that delay.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from smartseoul.lib.geo import Area, AreaIndex, geometry_from_geojson

from .errors import CoreErrorCode, InvalidInput

RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Place:
    district_code: str
    district_name_ko: str
    district_name_en: str
    neighborhood_code: str | None
    neighborhood_name_ko: str | None
    distance_m: float  # 0 inside; > 0 when the nearest district was taken (point just outside)


class _Indexes:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: int | None = None
        self.checked_at = 0.0
        self.districts: AreaIndex | None = None
        self.dongs: AreaIndex | None = None
        self.district_names: dict[str, tuple[str, str]] = {}
        self.dong_names: dict[str, tuple[str, str]] = {}
        self.dongs_by_district: dict[str, AreaIndex | None] = {}

    def current_version(self) -> int:
        from .models import City

        return City.objects.values_list("boundaries_version", flat=True).first() or 0

    def ensure(self) -> None:
        now = time.monotonic()
        if self.districts is not None and now - self.checked_at < RECHECK_SECONDS:
            return
        with self.lock:
            version = self.current_version()
            self.checked_at = now
            if self.districts is not None and version == self.version:
                return
            self._build()
            self.version = version

    def _build(self) -> None:
        from .models import District

        districts = list(District.objects.only("code", "name_ko", "name_en", "boundary"))
        self.districts = (
            AreaIndex([Area(d.code, geometry_from_geojson(d.boundary)) for d in districts]) if districts else None
        )
        self.district_names = {d.code: (d.name_ko, d.name_en) for d in districts}
        self.dong_names = {}
        self.dongs_by_district = {}  # filled per district on first use: official dongs are megabytes of shapes

    def dong_index(self, district_code: str) -> AreaIndex | None:
        index = self.dongs_by_district.get(district_code)
        if index is not None or district_code in self.dongs_by_district:
            return index
        from .models import Neighborhood

        with self.lock:
            if district_code in self.dongs_by_district:
                return self.dongs_by_district[district_code]
            dongs = list(
                Neighborhood.objects.filter(district__code=district_code)
                .exclude(boundary=None)
                .only("code", "name_ko", "name_en", "boundary")
            )
            for n in dongs:
                self.dong_names[n.code] = (n.name_ko, n.name_en)
            areas = [Area(n.code, geometry_from_geojson(n.boundary)) for n in dongs if n.boundary]
            index = AreaIndex(areas, tolerance_m=50.0) if areas else None
            self.dongs_by_district[district_code] = index
            return index

    def invalidate(self) -> None:
        with self.lock:
            self.districts = None
            self.version = None


_indexes = _Indexes()


def invalidate_cache() -> None:
    _indexes.invalidate()


def locate(lat: float, lon: float) -> Place | None:
    """The district (and neighbourhood) of a WGS84 point, or None outside the city."""
    _indexes.ensure()
    if _indexes.districts is None:
        return None
    match = _indexes.districts.locate(lat, lon)
    if match is None:
        return None
    ko, en = _indexes.district_names[match.key]
    dong_code = dong_ko = None
    dong_index = _indexes.dong_index(match.key)
    if dong_index is not None:
        dong = dong_index.locate(lat, lon) or dong_index.locate_nearest_any(lat, lon)
        if dong is not None:
            dong_code = dong.key
            dong_ko = _indexes.dong_names[dong.key][0]
    return Place(match.key, ko, en, dong_code, dong_ko, match.distance_m)


def locate_many(lats: np.ndarray, lons: np.ndarray) -> list[str | None]:
    """District codes for many points at once (vectorised)."""
    _indexes.ensure()
    if _indexes.districts is None:
        return [None] * len(lats)
    return _indexes.districts.locate_many(lats, lons)


def district_for_point(lat: float, lon: float) -> Place:
    """Like `locate`, but a point outside the city is a clear refusal."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("Latitude or longitude is out of range.", code=CoreErrorCode.OUTSIDE_CITY)
    place = locate(lat, lon)
    if place is None:
        raise InvalidInput(
            "This location is outside the city. Please pin a place inside the city's boundary.",
            code=CoreErrorCode.OUTSIDE_CITY,
            lat=lat,
            lon=lon,
        )
    return place
