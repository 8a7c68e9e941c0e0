"""`smartseoul sensors import-sdot`: every real box position, exact decoding, broken rows."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from smartseoul import cli
from smartseoul.sensors import lake
from smartseoul.sensors.models import Datastream, Thing, ThingKind

from .conftest import ORDER, generate_day

DECODE = {
    "temperature": (1000, 10),
    "globe_temperature": (1000, 10),
    "wind_direction": (0, 10),
    "wind_speed": (0, 10),
    "uv": (0, 10),
    "vibration_x": (0, 100),
}


def _expected(code: str, raw: np.ndarray) -> np.ndarray:
    """The decimal value each raw integer stands for, written out and read back as a float."""
    offset, scale = DECODE.get(code, (0, 1))
    table = {int(r): float(Decimal(int(r) - offset) / Decimal(scale)) for r in np.unique(raw)}
    return np.array([table[int(r)] for r in raw])


def _lake_rows() -> dict[str, np.ndarray]:
    con = duckdb.connect()
    paths = lake.files(lake.OBSERVATIONS)
    return con.execute(
        f"SELECT datastream_id, epoch_us(phenomenon_time) AS t, result, parameters FROM {lake.scan_sql(paths)} "
        "ORDER BY datastream_id, t"
    ).fetchnumpy()


@pytest.mark.slow
def test_a_day_of_all_851_boxes(tmp_path: Path, shared_dir: Path, official_boundaries: Any) -> None:
    positions = shared_dir / "sdot" / "sensor_longitude_latitude.csv"
    with positions.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    serials = [r["시리얼"] for r in rows]
    assert len(serials) == 851
    data = tmp_path / "sdot_20240701.csv"
    raw = generate_day(data, serials, every_minutes=2)

    assert cli.main(["sensors", "import-sdot", "--positions", str(positions), str(data)]) == 0

    # every box is in the district whose official boundary contains it (checked here with shapely)
    gu = json.loads((shared_dir / "seoul-boundaries/juso/2015/json/seoul_municipalities_geo.json").read_text("utf-8"))
    shapes = [(f["properties"]["SIG_CD"], shape(f["geometry"])) for f in gu["features"]]
    boxes = {t.serial: t for t in Thing.objects.filter(kind=ThingKind.SDOT_BOX)}
    assert len(boxes) == 851
    checked = 0
    for r in rows:
        point = shapely.Point(float(r["경도"]), float(r["위도"]))  # the file is lat, lon
        inside = [code for code, geom in shapes if geom.contains(point)]
        box = boxes[r["시리얼"]]
        if len(inside) == 1:
            assert box.district_code == inside[0], r["시리얼"]
            checked += 1
        else:  # on a border or just outside: the nearest district within 200 m, or none
            nearest = min(shapes, key=lambda s: s[1].distance(point))[0]
            assert box.district_code in (nearest, "")
    assert checked > 800
    assert Thing.objects.filter(kind=ThingKind.SDOT_BOX, district_code="").count() < 5

    # every value comes back decoded exactly (as if the decimal had been typed in)
    got = _lake_rows()
    assert len(got["result"]) == 851 * 720 * len(ORDER)
    per_box = 720
    index = {s: i for i, s in enumerate(serials)}
    streams = list(Datastream.objects.values_list("pk", "thing__serial", "quantity"))
    size = max(pk for pk, _, _ in streams) + 1
    box_of, code_of = np.full(size, -1), np.full(size, -1)
    for pk, serial, q in streams:
        box_of[pk], code_of[pk] = index[serial], ORDER.index(q)
    for ci, code in enumerate(ORDER):
        mask = code_of[got["datastream_id"]] == ci
        order_in_file = box_of[got["datastream_id"][mask]] * per_box
        minute_index = ((got["t"][mask] - got["t"][mask].min()) // 120_000_000).astype(np.int64)
        source = raw[code][order_in_file + minute_index]
        assert np.array_equal(got["result"][mask], _expected(code, source)), code
        raw_kept = np.array([json.loads(p)["raw"] for p in got["parameters"][mask][:1000]])
        assert np.array_equal(raw_kept, source[:1000])
    # spot checks written out by hand: (raw + 100) × 10 temperatures, ×10 wind and UV, ×100 vibration
    assert _expected("temperature", np.array([1234]))[0] == 23.4
    assert _expected("temperature", np.array([905]))[0] == -9.5
    assert _expected("uv", np.array([87]))[0] == 8.7
    assert _expected("vibration_x", np.array([1234]))[0] == 12.34
    # the latest value of each datastream is kept in the database
    latest = Datastream.objects.get(thing__serial=serials[0], quantity="temperature")
    assert latest.latest_result == _expected("temperature", raw["temperature"][per_box - 1 : per_box])[0]


def test_newer_headers_in_cp949_and_a_second_import_adds_no_duplicates(tmp_path: Path, city: Any, capsys: Any) -> None:
    data = tmp_path / "sdot_new.csv"
    raw = generate_day(data, ["V02Q1940612", "V02Q1940068"], every_minutes=60, header="new", encoding="cp949")
    assert cli.main(["sensors", "import-sdot", str(data)]) == 0
    out = capsys.readouterr().out
    assert "newer headers" in out and "48 rows" in out
    got = _lake_rows()
    assert len(got["result"]) == 48 * len(ORDER)
    temps = Datastream.objects.filter(quantity="temperature").count()
    assert temps == 2
    # importing the same file again stores nothing new
    assert cli.main(["sensors", "import-sdot", str(data)]) == 0
    assert "duplicates skipped" in capsys.readouterr().out
    assert len(_lake_rows()["result"]) == 48 * len(ORDER)
    assert raw["pm10"].shape == (48,)


def test_broken_rows_are_reported_with_line_numbers(tmp_path: Path, city: Any, capsys: Any) -> None:
    good = tmp_path / "good.csv"
    generate_day(good, ["V02Q1940612"], every_minutes=240)  # 6 rows, lines 2–7
    lines = good.read_text("utf-8").splitlines()
    header, body = lines[0], lines[1:]
    broken = list(body)
    broken[1] = broken[1].replace(",20240701", ",2024-13-45x", 1)  # line 3: bad time
    cells = broken[2].split(",")
    cells[2] = "lots"  # line 4: PM2.5 is not a number
    broken[2] = ",".join(cells)
    broken[3] = ",".join(broken[3].split(",")[:5])  # line 5: too few columns
    cells = broken[4].split(",")
    cells[4] = "2500"  # line 6: temperature raw 2500 is outside 500–1800: that value alone is refused
    broken[4] = ",".join(cells)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join([header, *broken]) + "\n", encoding="utf-8")

    assert cli.main(["sensors", "import-sdot", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 bad rows" in out
    assert "line 3" in out and "line 4" in out and "line 5" in out
    assert "line 6" in out and "temperature 2500" in out
    got = _lake_rows()
    # lines 2, 6 and 7 are stored; line 6 without its temperature
    assert len(got["result"]) == 3 * len(ORDER) - 1


def test_files_that_are_not_sdot_exports_are_refused(tmp_path: Path, city: Any, capsys: Any) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert cli.main(["sensors", "import-sdot", str(path)]) == 2
    assert "not an S-DoT export" in " ".join(capsys.readouterr().err.split())
    assert cli.main(["sensors", "import-sdot", str(tmp_path / "missing.csv")]) == 2
    assert lake.files(lake.OBSERVATIONS) == []
