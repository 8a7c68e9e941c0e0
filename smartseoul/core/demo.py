"""The Seoul demo: city, 25 districts with their neighbourhoods, departments and demo users.

Idempotent: a second run changes nothing. Official boundaries already imported are kept.

Shapes: when the official boundaries are next to the checkout (`../shared/data/seoul-boundaries`,
JUSO 2015: the 25 gu and Seoul's 467 legal dongs), `smartseoul demo` loads them, so a pin lands
in its real district and dong. Without them the demo draws approximations: Voronoi cells around
each district's centre, split into the district's administrative dongs around spread-out points,
good for a picture but not for filing a place under its dong.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from shapely.geometry import Point, Polygon

from smartseoul.lib.geo import to_rfc7946

from .demo_data.districts import CITY_OUTLINE, DISTRICTS
from .models import BoundarySource, City, Department, District, Neighborhood

# City-wide departments and the kinds of work they own (keys used by every module).
CITY_DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("seoul-transport", "교통정책과", "Transport Policy Division", ["traffic", "parking", "bus", "road"]),
    ("seoul-road", "도로관리과", "Road Management Division", ["road", "sidewalk", "streetlight"]),
    ("seoul-environment", "기후환경본부", "Climate and Environment HQ", ["environment", "air", "noise", "waste"]),
    ("seoul-safety", "안전총괄실", "Safety Management Office", ["safety", "facility", "disaster", "heat"]),
    ("seoul-welfare", "복지정책과", "Welfare Policy Division", ["welfare", "senior", "care"]),
    ("seoul-culture", "문화정책과", "Culture Policy Division", ["culture", "tourism"]),
    ("seoul-data", "데이터전략과", "Data Strategy Division", ["data", "opendata", "analytics"]),
    ("seoul-budget", "예산담당관", "Budget Office", ["budget", "participatory_budget"]),
    ("seoul-democracy", "시민소통과", "Citizen Communication Division", ["democracy", "proposal", "vote"]),
    ("seoul-housing", "주택정책과", "Housing Policy Division", ["housing", "construction"]),
    ("seoul-economy", "경제정책과", "Economic Policy Division", ["economy", "commerce"]),
    ("seoul-education", "평생교육과", "Lifelong Education Division", ["education"]),
]

# Per-district departments (the district office teams that take most field work).
DISTRICT_DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("parking", "주차관리과", "Parking Management Team", ["parking", "traffic"]),
    ("road", "건설관리과", "Construction Management Team", ["road", "sidewalk", "streetlight", "facility"]),
    ("cleaning", "청소행정과", "Cleaning Administration Team", ["waste", "environment", "advertisement"]),
    ("safety", "안전재난과", "Safety and Disaster Team", ["safety", "disaster", "heat", "facility"]),
    ("welfare", "복지정책과", "Welfare Team", ["welfare", "senior", "care"]),
    ("planning", "기획예산과", "Planning and Budget Team", ["budget", "participatory_budget", "proposal", "data"]),
]


@cache
def _demo_district_shapes() -> dict[str, Polygon]:
    outline = Polygon(CITY_OUTLINE)
    centres = shapely.MultiPoint([(lon, lat) for _, _, _, lat, lon, _ in DISTRICTS])
    cells = shapely.voronoi_polygons(centres, extend_to=outline.buffer(0.2))
    shapes: dict[str, Polygon] = {}
    for code, _ko, _en, lat, lon, _pop in DISTRICTS:
        point = Point(lon, lat)
        cell = next(c for c in cells.geoms if c.contains(point))
        shapes[code] = cell.intersection(outline)
    return shapes


@cache
def _demo_dong_cells(code: str, count: int) -> tuple[Any, ...]:
    return tuple(_demo_dong_shapes(_demo_district_shapes()[code], count, seed=code))


def _demo_dong_shapes(district_shape: Any, count: int, seed: str) -> list[Any]:
    """Splits a district's demo shape into `count` cells around spread-out seed points."""
    rng = random.Random(seed)  # noqa: S311  (demo data, reproducible, not a secret)
    minx, miny, maxx, maxy = district_shape.bounds
    points: list[Point] = []
    tries = 0
    while len(points) < count and tries < count * 200:
        tries += 1
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if district_shape.contains(p) and all(p.distance(q) > 0.004 for q in points):
            points.append(p)
    while len(points) < count:
        points.append(district_shape.representative_point())
    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=district_shape.buffer(0.1))
    ordered = []
    for p in points:
        cell = next((c for c in cells.geoms if c.contains(p)), None)
        ordered.append(cell.intersection(district_shape) if cell is not None else p.buffer(0.001))
    return ordered


OFFICIAL_GU = Path("juso/2015/json/seoul_municipalities_geo.json")
OFFICIAL_DONG = Path("juso/2015/json/seoul_neighborhoods_topo.json")  # full resolution (TopoJSON)


def official_boundaries_dir() -> Path | None:
    """`../shared/data/seoul-boundaries` beside the checkout when it holds both official files."""
    from django.conf import settings

    folder = Path(settings.PROJECT_DIR).parent / "shared" / "data" / "seoul-boundaries"
    return folder if (folder / OFFICIAL_GU).is_file() and (folder / OFFICIAL_DONG).is_file() else None


def load_official_boundaries(folder: Path) -> dict[str, int]:
    """The official gu and legal-dong boundaries of `folder` (JUSO 2015) over the demo's shapes.
    Skipped when they are already in (a second demo run changes nothing)."""
    from .services import boundaries_import, read_boundary_file

    official = BoundarySource.OFFICIAL
    if (
        not District.objects.exclude(boundary_source=official).exists()
        and Neighborhood.objects.filter(boundary_source=official).exists()
        and not Neighborhood.objects.exclude(boundary_source=official).exists()
    ):
        return {"districts": 0, "neighborhoods": 0}
    gu = boundaries_import(features=read_boundary_file(folder / OFFICIAL_GU), level="gu")
    dong = boundaries_import(features=read_boundary_file(folder / OFFICIAL_DONG), level="dong")
    return {"districts": gu["created"] + gu["updated"], "neighborhoods": dong["created"] + dong["updated"]}


def load_core_demo(*, official: Path | None = None) -> dict[str, Any]:
    """The demo geography and departments; with `official` (a folder laid out like
    `../shared/data/seoul-boundaries`) the official boundaries replace the approximations."""
    counts = _load_core_demo(skip_demo_dongs=official is not None)
    if official is not None:
        loaded = load_official_boundaries(official)
        counts["official"] = loaded
        counts["official_source"] = str(official)
    return counts


@transaction.atomic
def _load_core_demo(*, skip_demo_dongs: bool = False) -> dict[str, Any]:
    from .demo_data.dongs import DONGS

    counts: dict[str, Any] = {"districts": 0, "neighborhoods": 0, "departments": 0}
    city, _ = City.objects.get_or_create(
        name_ko="서울특별시",
        defaults={
            "name_en": "Seoul",
            "timezone": "Asia/Seoul",
            "open311_jurisdiction": "seoul.go.kr",
            "bbox_west": 126.76,
            "bbox_south": 37.41,
            "bbox_east": 127.19,
            "bbox_north": 37.72,
            "contact_email": "open311@seoul.go.kr",
            "helpline": "120",
        },
    )
    shapes = _demo_district_shapes()
    for code, ko, en, lat, lon, pop in DISTRICTS:
        district = District.objects.filter(code=code).first()
        if district is None:
            district = District.objects.create(
                city=city,
                code=code,
                name_ko=ko,
                name_en=en,
                boundary=to_rfc7946(shapes[code]),
                centroid_lat=lat,
                centroid_lon=lon,
                population=pop,
                boundary_source=BoundarySource.DEMO,
            )
            counts["districts"] += 1
        dongs = [] if skip_demo_dongs else DONGS.get(code, [])
        existing = set(Neighborhood.objects.filter(district=district).values_list("code", flat=True))
        if Neighborhood.objects.filter(district=district, boundary_source=BoundarySource.OFFICIAL).exists():
            dongs = []  # official dongs are in: the approximations never come back
        if any(d[0] not in existing for d in dongs):
            cells = _demo_dong_cells(code, len(dongs))
            new_rows = []
            for (dcode, dko, den), cell in zip(dongs, cells, strict=True):
                if dcode in existing:
                    continue
                rp = cell.representative_point()
                new_rows.append(
                    Neighborhood(
                        district=district,
                        code=dcode,
                        name_ko=dko,
                        name_en=den,
                        boundary=to_rfc7946(cell),
                        centroid_lat=rp.y,
                        centroid_lon=rp.x,
                        population=pop // max(len(dongs), 1),
                        boundary_source=BoundarySource.DEMO,
                    )
                )
            Neighborhood.objects.bulk_create(new_rows)
            counts["neighborhoods"] += len(new_rows)
        for suffix, dko, den, cats in DISTRICT_DEPARTMENTS:
            _, created = Department.objects.get_or_create(
                code=f"{code}-{suffix}",
                defaults={
                    "name_ko": f"{ko} {dko}",
                    "name_en": f"{en} {den}",
                    "district": district,
                    "work_categories": cats,
                    "contact_phone": "02-120",
                },
            )
            counts["departments"] += created
    for dcode, ko, en, cats in CITY_DEPARTMENTS:
        _, created = Department.objects.get_or_create(
            code=dcode, defaults={"name_ko": ko, "name_en": en, "work_categories": cats, "contact_phone": "02-120"}
        )
        counts["departments"] += created
    if counts["districts"] or counts["neighborhoods"]:
        from django.db.models import F

        City.objects.filter(pk=city.pk).update(boundaries_version=F("boundaries_version") + 1)
    return counts
