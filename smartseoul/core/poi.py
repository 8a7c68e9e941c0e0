"""Points of interest: facility types and their points (free Wi-Fi, restrooms, EV chargers …).

Services (writes): `poi_type_ensure`, `poi_types_ensure_defaults`, `poi_import` (validates every
row, imports the good ones in one transaction and reports the bad ones with their row number).
Selectors (reads): `poi_types`, `poi_points`, `poi_geojson`, `poi_nearest`, `poi_counts_by_district`.
Files: `read_poi_file` reads CSV (UTF-8 or CP949, Korean or English headers) and GeoJSON.
CLI: `smartseoul poi import <file> --type <key>` (registered by the dashboard's manifest).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, QuerySet

from smartseoul.lib import spreadsheet
from smartseoul.lib.geo import EARTH_M_PER_DEG_LAT, EARTH_M_PER_DEG_LON_EQUATOR, haversine_m

from . import clock, geography
from .errors import CommandError, InvalidInput, NotFound
from .models import District, PointOfInterest, PoiType

MAX_NAME = 200
BATCH = 2000
MAX_RADIUS_M = 5000


@dataclass(frozen=True)
class PoiTypeSpec:
    key: str
    name_ko: str
    name_en: str
    icon: str
    color: str
    description_ko: str = ""
    description_en: str = ""
    order: int = 100


# The facility types Mobile Seoul's "information around me" shows. Each is a map layer `poi-<key>`.
DEFAULT_TYPES: tuple[PoiTypeSpec, ...] = (
    PoiTypeSpec("wifi", "공공 와이파이", "Free public Wi-Fi", "wifi", "#0b4ea2",
                "무료 공공 와이파이 접속 지점", "Free public Wi-Fi access points", 10),
    PoiTypeSpec("phone-charger", "휴대전화 충전소", "Phone-charging station", "battery", "#6a3fb5",
                "무료 휴대전화 충전소", "Free phone-charging stations", 20),
    PoiTypeSpec("ev-charger", "전기차 충전소", "EV charger", "bolt", "#1b6e3a",
                "공공 전기차 충전기", "Public electric-vehicle chargers", 30),
    PoiTypeSpec("restroom", "공중화장실", "Public restroom", "restroom", "#00708a",
                "개방 화장실과 공중화장실", "Public and open restrooms", 40),
    PoiTypeSpec("cooling-shelter", "무더위 쉼터", "Cooling shelter", "snow", "#0077cc",
                "폭염 때 열리는 무더위 쉼터", "Shelters open during heat waves", 50),
    PoiTypeSpec("accessible", "장애인 편의시설", "Accessible facility", "accessible", "#8a5a00",
                "휠체어 접근 가능 시설", "Wheelchair-accessible facilities", 60),
    PoiTypeSpec("document-kiosk", "무인민원발급기", "Document-issuing machine", "receipt", "#b3261e",
                "주민등록등본 등 무인 민원 발급기", "Self-service certificate machines", 70),
    PoiTypeSpec("bike-station", "따릉이 대여소", "Public bike station", "bike", "#2e7d32",
                "서울 공공자전거 따릉이 대여소", "Seoul public bike (Ttareungyi) stations", 80),
)

# Accepted column names (case-insensitive) for each field, in CSV headers and GeoJSON properties.
ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "id", "관리번호", "번호", "시설id"),
    "name_ko": ("name_ko", "name", "이름", "시설명", "명칭"),
    "name_en": ("name_en", "name_eng", "영문명"),
    "lat": ("lat", "latitude", "위도", "y"),
    "lon": ("lon", "lng", "long", "longitude", "경도", "x"),
    "address": ("address", "주소", "도로명주소", "소재지"),
}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (CSV: the line after the header is row 1; GeoJSON: the feature's position)
    message: str
    source_id: str = ""


@dataclass
class ImportReport:
    type_key: str
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type_key, "created": self.created, "updated": self.updated,
                "rejected": len(self.errors),
                "errors": [{"row": e.row, "source_id": e.source_id, "message": e.message} for e in self.errors]}


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def poi_type_ensure(
    *, key: str, name_ko: str, name_en: str = "", icon: str = "•", color: str = "#0b4ea2",
    description_ko: str = "", description_en: str = "", order: int = 100,
) -> PoiType:
    """Creates the type, or updates its labels and style; returns it."""
    if not key or len(key) > 60 or not key.replace("-", "").replace("_", "").isalnum() or not key.isascii():
        raise InvalidInput("A facility type key is lower-case letters, digits and hyphens.", code="bad_poi_type")
    if not name_ko.strip():
        raise InvalidInput("A facility type needs a Korean name.", code="bad_poi_type")
    poi_type, _ = PoiType.objects.update_or_create(
        key=key.lower(),
        defaults={"name_ko": name_ko.strip(), "name_en": name_en.strip(), "icon": icon, "color": color,
                  "description_ko": description_ko, "description_en": description_en, "order": order},
    )
    return poi_type


def poi_types_ensure_defaults() -> int:
    """Creates the standard facility types that are missing; returns how many were created."""
    existing = set(PoiType.objects.values_list("key", flat=True))
    created = 0
    for spec in DEFAULT_TYPES:
        if spec.key not in existing:
            poi_type_ensure(key=spec.key, name_ko=spec.name_ko, name_en=spec.name_en, icon=spec.icon,
                            color=spec.color, description_ko=spec.description_ko,
                            description_en=spec.description_en, order=spec.order)
            created += 1
    return created


def _pick(row: Mapping[str, Any], name: str) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for alias in ALIASES[name]:
        value = lowered.get(alias)
        if value is not None and str(value).strip() != "":
            return value
    return None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass
class _Clean:
    row: int
    source_id: str
    name_ko: str
    name_en: str
    lat: float
    lon: float
    address: str
    properties: dict[str, Any]


def _validate(index: int, row: Mapping[str, Any], seen: set[str]) -> _Clean | RowError:
    known = {a for aliases in ALIASES.values() for a in aliases}
    source_id = str(_pick(row, "source_id") or "").strip()
    name = str(_pick(row, "name_ko") or "").strip()
    lat, lon = _number(_pick(row, "lat")), _number(_pick(row, "lon"))
    if not name:
        return RowError(index, "the name is missing", source_id)
    if len(name) > MAX_NAME:
        return RowError(index, f"the name is longer than {MAX_NAME} characters", source_id)
    if lat is None or lon is None:
        return RowError(index, "latitude and longitude must both be numbers", source_id)
    if 124 <= lat <= 132 and 33 <= lon <= 39:
        return RowError(index, "latitude and longitude look swapped (latitude comes first in this file)", source_id)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return RowError(index, "latitude or longitude is out of range", source_id)
    if not source_id:
        source_id = f"{lat:.6f},{lon:.6f}"
    if len(source_id) > 100:
        return RowError(index, "the identifier is longer than 100 characters", source_id[:100])
    if source_id in seen:
        return RowError(index, "the identifier appears twice in the file", source_id)
    seen.add(source_id)
    extra = {str(k).strip(): v for k, v in row.items()
             if str(k).strip().lower() not in known and v is not None and str(v).strip() != ""}
    return _Clean(index, source_id, name, str(_pick(row, "name_en") or "").strip()[:MAX_NAME], lat, lon,
                  str(_pick(row, "address") or "").strip()[:300], extra)


def poi_import(
    *, type_key: str, rows: Iterable[Mapping[str, Any]], progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Validates every row and imports the good ones (created or updated by `source_id`) in one
    transaction; bad rows (no name, non-numeric or swapped coordinates, outside the city,
    duplicate identifier) are left out and listed in the report. `progress(stage, done, total)`
    is called as rows are checked (stage "check") and saved (stage "save"). An unknown type is
    refused before anything is written."""
    try:
        poi_type = PoiType.objects.get(key=type_key)
    except PoiType.DoesNotExist as exc:
        raise NotFound(f"No facility type {type_key!r}.", code="unknown_poi_type") from exc
    report = ImportReport(type_key=type_key)
    seen: set[str] = set()
    good: list[_Clean] = []
    all_rows = list(rows)
    for index, row in enumerate(all_rows, start=1):
        result = _validate(index, row, seen) if isinstance(row, Mapping) else RowError(index, "not a record")
        if isinstance(result, RowError):
            report.errors.append(result)
        else:
            good.append(result)
        if progress is not None and (index % 500 == 0 or index == len(all_rows)):
            progress("check", index, len(all_rows))
    lats, lons = np.array([c.lat for c in good]), np.array([c.lon for c in good])
    codes = geography.locate_many(lats, lons) if good else []
    district_ids = dict(District.objects.values_list("code", "pk"))
    inside: list[tuple[_Clean, int]] = []
    for clean, code in zip(good, codes, strict=True):
        if code is None:
            report.errors.append(RowError(clean.row, "the point is outside the city", clean.source_id))
        else:
            inside.append((clean, district_ids[code]))
    report.errors.sort(key=lambda e: e.row)
    now = clock.now()
    with transaction.atomic():
        for start in range(0, len(inside), BATCH):
            chunk = inside[start:start + BATCH]
            existing = {p.source_id: p for p in PointOfInterest.objects.filter(
                type=poi_type, source_id__in=[c.source_id for c, _ in chunk])}
            new, changed = [], []
            for clean, district_id in chunk:
                values = {"name_ko": clean.name_ko, "name_en": clean.name_en, "lat": round(clean.lat, 7),
                          "lon": round(clean.lon, 7), "district_id": district_id, "address": clean.address,
                          "properties": clean.properties, "updated_at": now}
                point = existing.get(clean.source_id)
                if point is None:
                    new.append(PointOfInterest(type=poi_type, source_id=clean.source_id, **values))
                else:
                    for name, value in values.items():
                        setattr(point, name, value)
                    changed.append(point)
            PointOfInterest.objects.bulk_create(new)
            PointOfInterest.objects.bulk_update(changed, ["name_ko", "name_en", "lat", "lon", "district_id",
                                                          "address", "properties", "updated_at"])
            report.created += len(new)
            report.updated += len(changed)
            if progress is not None:
                progress("save", start + len(chunk), len(inside))
    return report


# --- files -----------------------------------------------------------------------------------


def read_poi_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV file (UTF-8 with or without BOM, or CP949) or of a GeoJSON FeatureCollection
    of Point features ([lon, lat]). An unreadable file is refused as a whole."""
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    raw = path.read_bytes()
    if path.suffix.lower() in {".geojson", ".json"}:
        return _geojson_rows(raw)
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CommandError("the CSV file is neither UTF-8 nor CP949")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise CommandError("the CSV file has no header row")
    return [dict(r) for r in reader]


def _geojson_rows(raw: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"not a JSON file: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise CommandError("a GeoJSON FeatureCollection is expected")
    rows: list[dict[str, Any]] = []
    for feature in data["features"]:
        props = dict((feature or {}).get("properties") or {}) if isinstance(feature, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
        lon = lat = None
        if isinstance(coords, list) and len(coords) >= 2:
            lon, lat = coords[0], coords[1]  # RFC 7946: [longitude, latitude]
        for key in ("lat", "lon", "latitude", "longitude", "lng", "위도", "경도", "x", "y"):
            props.pop(key, None)
        if isinstance(feature, dict) and feature.get("id") is not None and "id" not in props:
            props["id"] = feature["id"]
        rows.append({**props, "lat": lat, "lon": lon})
    return rows


# --- selectors -------------------------------------------------------------------------------


def poi_types() -> QuerySet[PoiType]:
    return PoiType.objects.order_by("order", "key")


def poi_type(key: str) -> PoiType:
    try:
        return PoiType.objects.get(key=key)
    except PoiType.DoesNotExist as exc:
        raise NotFound(f"No facility type {key!r}.", code="unknown_poi_type") from exc


def poi_points(
    type_key: str, bbox: Sequence[float] | None = None
) -> list[tuple[int, float, float, str, str, str, str]]:
    """(id, lon, lat, name_ko, name_en, address, district code) of every point of a type, in `bbox` if given."""
    qs = PointOfInterest.objects.filter(type__key=type_key)
    if bbox is not None:
        west, south, east, north = bbox
        qs = qs.filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
    return list(qs.order_by("pk").values_list("pk", "lon", "lat", "name_ko", "name_en", "address", "district__code"))


def poi_geojson(type_key: str, bbox: Sequence[float] | None = None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of one type's points ([lon, lat], 6 decimals)."""
    features = [
        {"type": "Feature", "id": f"poi-{pk}",
         "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
         "properties": {"type": type_key, "name_ko": ko, "name_en": en, "address": address,
                        "district_code": district or ""}}
        for pk, lon, lat, ko, en, address, district in poi_points(type_key, bbox)
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class NearbyPoi:
    id: int
    type_key: str
    name_ko: str
    name_en: str
    address: str
    lat: float
    lon: float
    distance_m: float


def poi_nearest(
    *, lat: float, lon: float, radius_m: float, type_keys: Sequence[str] | None = None, limit: int = 50,
) -> list[NearbyPoi]:
    """Points within `radius_m` of (lat, lon), nearest first (an indexed box query, then exact distances)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("Latitude or longitude is out of range.", code="bad_point")
    if not (0 < radius_m <= MAX_RADIUS_M):
        raise InvalidInput(f"The radius must be between 1 and {MAX_RADIUS_M} metres.", code="bad_radius")
    dlat = radius_m / EARTH_M_PER_DEG_LAT
    dlon = radius_m / (EARTH_M_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat)), 0.01))
    qs = PointOfInterest.objects.filter(lat__gte=lat - dlat, lat__lte=lat + dlat,
                                        lon__gte=lon - dlon, lon__lte=lon + dlon)
    if type_keys is not None:
        qs = qs.filter(type__key__in=list(type_keys))
    found = []
    for pk, key, ko, en, address, plat, plon in qs.values_list(
            "pk", "type__key", "name_ko", "name_en", "address", "lat", "lon"):
        distance = haversine_m(lat, lon, plat, plon)
        if distance <= radius_m:
            found.append(NearbyPoi(pk, key, ko, en, address, plat, plon, round(distance, 1)))
    found.sort(key=lambda p: (p.distance_m, p.id))
    return found[:limit]


def poi_counts_by_district(type_key: str | None = None) -> dict[str, int]:
    qs = PointOfInterest.objects.exclude(district=None)
    if type_key:
        qs = qs.filter(type__key=type_key)
    return {row["district__code"]: row["n"] for row in qs.values("district__code").annotate(n=Count("pk"))}


def poi_counts_by_neighborhood(district_code: str) -> dict[str, int]:
    """Points per dong of one district (by the dong boundaries, in memory)."""
    rows = list(PointOfInterest.objects.filter(district__code=district_code).values_list("lat", "lon"))
    counts: dict[str, int] = {}
    for lat, lon in rows:
        place = geography.locate(lat, lon)
        if place is not None and place.neighborhood_code:
            counts[place.neighborhood_code] = counts.get(place.neighborhood_code, 0) + 1
    return counts


# --- command-line interface ------------------------------------------------------------------


def cli_import_arguments(parser: Any) -> None:
    parser.add_argument("file", help="CSV (name, lat, lon, id, address …; Korean headers accepted) or GeoJSON")
    parser.add_argument("--type", required=True, dest="type_key", help="facility type key, e.g. wifi, restroom")
    parser.add_argument("--report", help="write the rejected rows to this CSV file")


def cli_import(args: Any) -> int:
    """`smartseoul poi import FILE --type KEY`: a progress bar, a summary and the rejected rows."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console()
    poi_types_ensure_defaults()
    poi_type(args.type_key)  # refuse an unknown type before reading the file
    rows = read_poi_file(Path(args.file))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        tasks = {"check": bar.add_task("checking rows", total=len(rows)),
                 "save": bar.add_task("saving points", total=None)}

        def advance(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        report = poi_import(type_key=args.type_key, rows=rows, progress=advance)
    console.print(f"[green]✓[/green] {args.type_key}: {report.created} created, {report.updated} updated, "
                  f"{len(report.errors)} rejected")
    for error in report.errors[:20]:
        console.print(f"  row {error.row}: {error.message}" + (f" ({error.source_id})" if error.source_id else ""),
                      highlight=False)
    if len(report.errors) > 20:
        console.print(f"  … and {len(report.errors) - 20} more")
    if args.report and report.errors:
        with Path(args.report).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "source_id", "message"])
            writer.writerows(spreadsheet.row((e.row, e.source_id, e.message)) for e in report.errors)
        console.print(f"rejected rows written to {args.report}")
    return 0 if not report.errors else 1
