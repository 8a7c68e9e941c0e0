"""Points of interest: imports that keep the good rows and report the bad ones, nearest look-ups."""

from __future__ import annotations

import json

import pytest

from smartseoul.core import poi
from smartseoul.core.errors import CommandError, InvalidInput, NotFound
from smartseoul.core.models import PointOfInterest

CITY_HALL = (37.5663, 126.9779)


@pytest.fixture
def types(city):
    poi.poi_types_ensure_defaults()


def _row(source_id, name, lat, lon, **extra):
    return {"id": source_id, "name": name, "lat": lat, "lon": lon, **extra}


def test_default_types_are_created_once(city):
    assert poi.poi_types_ensure_defaults() == len(poi.DEFAULT_TYPES)
    assert poi.poi_types_ensure_defaults() == 0
    assert [t.key for t in poi.poi_types()][:2] == ["wifi", "phone-charger"]


def test_import_keeps_good_rows_and_reports_bad_ones(types):
    rows = [
        _row("W1", "서울시청 와이파이", *CITY_HALL, operator="서울시"),
        _row("W2", "", 37.57, 126.98),  # no name
        _row("W3", "광화문", "north", 126.97),  # not a number
        _row("W4", "뒤바뀐 좌표", 126.97, 37.57),  # lat/lon swapped
        _row("W5", "인천", 37.4563, 126.7052),  # outside the city
        _row("W1", "중복", 37.56, 126.97),  # duplicate identifier
        _row("W6", "강남역", 37.4979, 127.0276),
    ]
    report = poi.poi_import(type_key="wifi", rows=rows)
    assert (report.created, report.updated) == (2, 0)
    assert [(e.row, e.source_id) for e in report.errors] == [(2, "W2"), (3, "W3"), (4, "W4"), (5, "W5"), (6, "W1")]
    assert "swapped" in report.errors[2].message
    assert "outside" in report.errors[3].message
    stored = PointOfInterest.objects.get(source_id="W1")
    assert stored.district.code == "11140"
    assert stored.properties == {"operator": "서울시"}


def test_reimport_updates_instead_of_duplicating(types):
    poi.poi_import(type_key="restroom", rows=[_row("R1", "old name", *CITY_HALL)])
    report = poi.poi_import(type_key="restroom", rows=[_row("R1", "new name", *CITY_HALL)])
    assert (report.created, report.updated) == (0, 1)
    assert PointOfInterest.objects.get().name_ko == "new name"


def test_unknown_type_is_refused_and_nothing_is_written(types):
    with pytest.raises(NotFound):
        poi.poi_import(type_key="volcano", rows=[_row("V1", "x", *CITY_HALL)])
    assert PointOfInterest.objects.count() == 0


def test_progress_reports_both_stages(types):
    seen = []
    poi.poi_import(
        type_key="wifi",
        rows=[_row(f"P{i}", f"p{i}", 37.55 + i / 1000, 126.98) for i in range(3)],
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert ("check", 3, 3) in seen and ("save", 3, 3) in seen


def test_csv_with_korean_headers_in_cp949(types, tmp_path):
    path = tmp_path / "restrooms.csv"
    path.write_bytes(
        "관리번호,시설명,위도,경도,주소\nA1,시청 화장실,37.5663,126.9779,세종대로 110\nA2,잘못된,,\n".encode("cp949")
    )
    report = poi.poi_import(type_key="restroom", rows=poi.read_poi_file(path))
    assert report.created == 1 and [e.row for e in report.errors] == [2]
    assert PointOfInterest.objects.get().address == "세종대로 110"


def test_geojson_reads_lon_lat_order(types, tmp_path):
    path = tmp_path / "chargers.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "id": "E1",
                        "geometry": {"type": "Point", "coordinates": [127.0595, 37.5115]},
                        "properties": {"name": "강남역 충전소", "ports": 4},
                    },
                    {"type": "Feature", "geometry": None, "properties": {"name": "no geometry"}},
                ],
            }
        )
    )
    report = poi.poi_import(type_key="ev-charger", rows=poi.read_poi_file(path))
    point = PointOfInterest.objects.get()
    assert (point.lat, point.lon, point.source_id, point.district.code) == (37.5115, 127.0595, "E1", "11680")
    assert point.properties == {"ports": 4}
    assert [e.row for e in report.errors] == [2]


def test_unreadable_files_are_refused(tmp_path):
    bad = tmp_path / "x.geojson"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        poi.read_poi_file(bad)
    with pytest.raises(CommandError):
        poi.read_poi_file(tmp_path / "missing.csv")


def test_nearest_within_radius_sorted_by_distance(types):
    poi.poi_import(
        type_key="wifi",
        rows=[
            _row("N1", "near", 37.5665, 126.9780),  # ~25 m
            _row("N2", "mid", 37.5690, 126.9779),  # ~300 m
            _row("N3", "far", 37.5800, 126.9779),  # ~1.5 km
        ],
    )
    poi.poi_import(type_key="restroom", rows=[_row("R1", "restroom", 37.5664, 126.9779)])
    found = poi.poi_nearest(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=500, type_keys=["wifi"])
    assert [p.name_ko for p in found] == ["near", "mid"]
    assert found[0].distance_m < found[1].distance_m <= 500
    everything = poi.poi_nearest(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=2000)
    assert {p.type_key for p in everything} == {"wifi", "restroom"} and len(everything) == 4


@pytest.mark.parametrize("radius", [0, -5, 50_000])
def test_nearest_refuses_bad_radius(types, radius):
    with pytest.raises(InvalidInput):
        poi.poi_nearest(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=radius)


def test_geojson_is_rfc7946(types):
    poi.poi_import(type_key="wifi", rows=[_row("G1", "g", *CITY_HALL)])
    fc = poi.poi_geojson("wifi")
    assert fc["features"][0]["geometry"]["coordinates"] == [126.9779, 37.5663]
    assert poi.poi_counts_by_district("wifi") == {"11140": 1}
