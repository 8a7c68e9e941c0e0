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
