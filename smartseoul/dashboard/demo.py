"""Seoul demo for the map: the standard facility types with generated points in every district,
and two theme maps published by the city. Idempotent (points are keyed by a demo identifier)."""

from __future__ import annotations

import random

import shapely
from shapely.geometry import Point

from smartseoul.core import poi
from smartseoul.core import selectors as core_selectors

from .services import figures_request_all, theme_map_import_official

# points per district for each facility type (Seoul has thousands of Wi-Fi points; the demo keeps it small)
PER_DISTRICT = {"wifi": 12, "phone-charger": 4, "ev-charger": 6, "restroom": 10, "cooling-shelter": 8,
                "accessible": 5, "document-kiosk": 3, "bike-station": 10}

THEMES = [
    ("서울 둘레길 쉼터", "Seoul Trail rest stops", "서울 둘레길을 걷다 쉬어 갈 수 있는 곳", "#2e7d32", [
        ("수락산 입구", 37.6897, 127.0817), ("북한산 우이령 입구", 37.6631, 127.0108),
        ("안산 자락길", 37.5732, 126.9455), ("관악산 입구", 37.4660, 126.9489), ("대모산 입구", 37.4757, 127.0759),
    ]),
    ("오래가게", "Long-standing shops (Orae Gage)", "30년 넘게 한자리를 지켜 온 서울의 가게", "#8a5a00", [
        ("종로 책방", 37.5704, 126.9920), ("을지로 인쇄소", 37.5663, 126.9910), ("성수 구두 공방", 37.5446, 127.0557),
        ("망원 방앗간", 37.5560, 126.9015),
    ]),
]


def _points_in(shape: shapely.Geometry, count: int, rng: random.Random) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = shape.bounds
    found: list[tuple[float, float]] = []
    tries = 0
    while len(found) < count and tries < count * 200:
        tries += 1
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shape.contains(Point(lon, lat)):
            found.append((round(lat, 6), round(lon, 6)))
    return found


def load_demo() -> None:
    poi.poi_types_ensure_defaults()
    districts = list(core_selectors.districts())
    names = {s.key: (s.name_ko, s.name_en) for s in poi.DEFAULT_TYPES}
    for key, per_district in PER_DISTRICT.items():
        rows = []
        for district in districts:
            shape = shapely.geometry.shape(district.boundary).buffer(-0.002)
            if shape.is_empty:
                shape = shapely.geometry.shape(district.boundary)
            rng = random.Random(f"{key}-{district.code}")  # noqa: S311  (demo data, reproducible, not a secret)
            for n, (lat, lon) in enumerate(_points_in(shape, per_district, rng), start=1):
                ko, en = names[key]
                rows.append({"id": f"demo-{district.code}-{n}", "name": f"{district.name_ko} {ko} {n}",
                             "name_en": f"{district.name_en} {en} {n}", "lat": lat, "lon": lon,
                             "address": f"{district.name_ko} (demo)"})
        poi.poi_import(type_key=key, rows=rows)
    for ko, en, description, color, points in THEMES:
        theme_map_import_official(title_ko=ko, title_en=en, description=description, color=color,
                                  points=[{"title": t, "lat": lat, "lon": lon} for t, lat, lon in points])


def load_demo_and_figures() -> None:
    """The demo, then every standard area of the mayor's office queued for the task worker (the
    dashboard's demo runs last, and the worker computes after the whole demo is loaded)."""
    load_demo()
    figures_request_all()
