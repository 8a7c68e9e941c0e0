"""District look-up over the official boundaries, and boundary imports that fail safely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartseoul.core import geography
from smartseoul.core.errors import InvalidInput
from smartseoul.core.models import District
from smartseoul.core.services import boundaries_import, read_boundary_file

POINTS = [
    ((37.5663, 126.9779), "11140", "중구"),  # Seoul City Hall
    ((37.5115, 127.0595), "11680", "강남구"),  # COEX
    ((37.5259, 126.9227), "11560", "영등포구"),  # Yeouido Park
    ((37.6551, 127.0613), "11350", "노원구"),  # Nowon Station
]


@pytest.mark.parametrize(("point", "code", "name"), POINTS)
def test_landmarks_resolve_to_their_district(official_boundaries, point, code, name):
    place = geography.district_for_point(*point)
    assert (place.district_code, place.district_name_ko) == (code, name)
    assert place.distance_m == 0


def test_all_25_gu_are_official_after_import(official_boundaries):
    assert District.objects.count() == 25
    assert set(District.objects.values_list("boundary_source", flat=True)) == {"official"}


def test_incheon_is_outside_the_city(official_boundaries):
    with pytest.raises(InvalidInput) as info:
        geography.district_for_point(37.4563, 126.7052)
    assert info.value.code == "outside_city"
    assert geography.locate(37.4563, 126.7052) is None


def test_point_just_outside_takes_the_nearest_district(official_boundaries):
    # Nudge a point from inside Gangseo-gu's westmost vertex ~100 m further west.
    d = District.objects.get(code="11500")
    ring = d.boundary["coordinates"][0] if d.boundary["type"] == "Polygon" else d.boundary["coordinates"][0][0]
    lon, lat = min(ring, key=lambda c: c[0])
    place = geography.locate(lat, lon - 0.0011)
    assert place is not None and place.district_code == "11500"
    assert 0 < place.distance_m <= 200
    assert geography.locate(lat, lon - 0.01) is None  # ~900 m out: outside


def test_vectorised_lookup_agrees_with_single(official_boundaries):
    import numpy as np

    rng = np.random.default_rng(7)
    lats = rng.uniform(37.42, 37.72, 500)
    lons = rng.uniform(126.75, 127.20, 500)
    many = geography.locate_many(lats, lons)
    single = [(p.district_code if (p := geography.locate(a, b)) else None) for a, b in zip(lats, lons, strict=True)]
    assert many == single


def test_demo_points_resolve_to_a_neighbourhood(city):
    place = geography.district_for_point(37.5663, 126.9779)
    assert place.district_code == "11140"
    assert place.neighborhood_code and place.neighborhood_code.startswith("11140")


def test_malformed_geojson_import_changes_nothing(official_boundaries, tmp_path: Path):
    before = {d.code: d.boundary for d in District.objects.all()}
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "11110", "name": "종로구"},
                        "geometry": {"type": "Polygon", "coordinates": [[[126.9, 37.5], [127.0]]]},
                    }
                ],
            }
        )
    )
    with pytest.raises(InvalidInput):
        read_boundary_file(bad)
    assert {d.code: d.boundary for d in District.objects.all()} == before


def test_unknown_level_is_refused(city):
    with pytest.raises(InvalidInput):
        boundaries_import(features=[], level="si")


def test_topojson_is_read(shared_dir: Path):
    topo = shared_dir / "seoul-boundaries" / "juso" / "2015" / "json" / "seoul_municipalities_topo_simple.json"
    features = read_boundary_file(topo)
    assert len(features) == 25


# --- the official dong boundaries (JUSO 2015 legal dongs) -------------------------------------------
# Each expectation was read from ../shared/data/seoul-boundaries (the polygon that contains the
# point), not written from memory. The file holds legal dongs (법정동, the name in brackets after a
# road address): Seoul City Hall, 세종대로 110, is in 태평로1가, whose administrative dong is 소공동.

OFFICIAL_LANDMARKS = [
    ((37.5663, 126.9779), "11140", "중구", "11140103", "태평로1가"),  # Seoul City Hall, 세종대로 110
    ((37.4979, 127.0282), "11680", "강남구", "11680101", "역삼동"),  # Gangnam Station (역삼동 858)
    ((37.5547, 126.9707), "11170", "용산구", "11170107", "동자동"),  # Seoul Station (한강대로 405)
    ((37.5115, 127.0595), "11680", "강남구", "11680105", "삼성동"),  # COEX
    ((37.5759, 126.9769), "11110", "종로구", "11110119", "세종로"),  # Gwanghwamun
    ((37.5572, 126.9245), "11440", "마포구", "11440121", "동교동"),  # Hongik Univ. Station
]


@pytest.fixture
def official_dongs(city, shared_dir: Path):
    from smartseoul.core.demo import load_official_boundaries

    load_official_boundaries(shared_dir / "seoul-boundaries")
    return city


def test_landmarks_are_filed_under_their_official_dong(official_dongs):
    # one import for every landmark (importing 467 dongs is the slow part)
    for (lat, lon), gu, gu_name, dong, dong_name in OFFICIAL_LANDMARKS:
        place = geography.district_for_point(lat, lon)
        assert (place.district_code, place.district_name_ko, place.neighborhood_code, place.neighborhood_name_ko) == (
            gu,
            gu_name,
            dong,
            dong_name,
        ), (lat, lon)


def test_official_dongs_replace_the_approximations_once(official_dongs, shared_dir: Path):
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.models import City, Neighborhood

    assert Neighborhood.objects.count() == 467
    assert set(Neighborhood.objects.values_list("boundary_source", flat=True)) == {"official"}
    assert set(District.objects.values_list("boundary_source", flat=True)) == {"official"}
    assert Neighborhood.objects.get(code="11140111").name_ko == "소공동"  # Sogong-dong is there, next door
    version = City.objects.get().boundaries_version
    counts = load_core_demo(official=shared_dir / "seoul-boundaries")  # a second `smartseoul demo`
    assert counts["official"] == {"districts": 0, "neighborhoods": 0}
    assert not Neighborhood.objects.exclude(boundary_source="official").exists()
    assert City.objects.get().boundaries_version == version


def test_the_demo_finds_the_official_folder_beside_the_checkout(shared_dir: Path):
    from smartseoul.core.demo import official_boundaries_dir

    assert official_boundaries_dir() == shared_dir / "seoul-boundaries"


def test_the_maps_get_the_districts_simplified_together_and_compressed(official_boundaries, client):
    import gzip
    import json

    from django.core.cache import cache
    from shapely.geometry import shape

    cache.clear()
    full = client.get("/city/districts.geojson").json()
    drawn = client.get("/city/districts.geojson?detail=map", HTTP_ACCEPT_ENCODING="gzip")
    assert drawn["Content-Encoding"] == "gzip" and "max-age=3600" in drawn["Cache-Control"]
    body = gzip.decompress(drawn.content)
    simple = json.loads(body)
    assert [f["id"] for f in simple["features"]] == [f["id"] for f in full["features"]]
    assert len(simple["features"]) == 25
    assert len(body) * 5 < len(json.dumps(full))  # a fraction of the published boundaries' bytes
    for before, after in zip(full["features"], simple["features"], strict=True):
        a, b = shape(before["geometry"]), shape(after["geometry"])
        assert b.is_valid and abs(a.area - b.area) / a.area < 0.01  # the same shape to the eye
    # simplified together: neighbours still share their edge (no gap, no overlap between them)
    jongno, jung = (shape(f["geometry"]) for f in simple["features"] if f["id"] in ("11110", "11140"))
    assert jongno.intersection(jung).area < 1e-9 and jongno.touches(jung)
