from __future__ import annotations

from pathlib import Path
from typing import Any

import h3
import polars as pl
import pytest

from smartseoul.analytics import lake, services
from smartseoul.analytics.errors import AnalyticsInvalid
from smartseoul.analytics.ingest import Mapping
from smartseoul.analytics.models import TripImport

CSV = """time,origin_lat,origin_lon,dest_lat,dest_lon,weight
2026-11-20 00:15:00,37.5572,126.9245,37.6525,127.0750,1
2026-11-20 01:40:00,37.4979,127.0276,37.5056,127.1153,2
2026-11-20 02:05:00,,126.9245,37.6525,127.0750,1
2026-11-20 02:10:00,137.5,126.9245,37.6525,127.0750,1
2026-11-20 02:20:00,35.1796,129.0756,37.6525,127.0750,1
not a time,37.5572,126.9245,37.6525,127.0750,1
2026-11-21 03:00:00,37.5702,126.9831,37.4673,126.9454,-4
2026-11-21 23:30:00,37.5345,126.9946,37.5469,127.0857,1
"""


@pytest.fixture
def trips_csv(tmp_path: Path) -> Path:
    path = tmp_path / "trips.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_good_rows_are_imported_and_bad_rows_reported(city: Any, trips_csv: Path) -> None:
    record = services.trips_import(path=trips_csv)
    assert (record.rows_total, record.rows_good, record.rows_bad) == (8, 3, 5)
    reasons = {r["line"]: r["reason"] for r in record.bad_rows}
    assert reasons == {4: "missing_origin", 5: "origin_out_of_range", 6: "origin_outside_city", 7: "bad_time",
                       8: "bad_weight"}
    with lake.session() as con:
        rows = con.execute("SELECT origin_cell, dest_cell, hour, dow, weight, date FROM trips ORDER BY ts").fetchall()
    assert len(rows) == 3
    assert rows[0][0] == h3.str_to_int(h3.latlng_to_cell(37.5572, 126.9245, 8))
    assert rows[0][2] == 0 and rows[0][3] == 4  # 2026-11-20 is a Friday, 00:15 local time
    assert rows[1][4] == 2.0
    assert str(rows[2][5]) == "2026-11-21" and rows[2][2] == 23
    files = list(lake.dataset_dir(lake.TRIPS).glob("date=*/*.parquet"))
    assert {f.parent.name for f in files} == {"date=2026-11-20", "date=2026-11-21"}
    assert "origin_lat" not in pl.read_parquet(files[0]).columns  # no exact positions in the lake


@pytest.mark.django_db
def test_a_file_without_good_rows_is_refused_and_stores_nothing(city: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,origin_lat,origin_lon,dest_lat,dest_lon\nx,1,2,3,4\n2026-01-01 01:00,,,,\n")
    with pytest.raises(AnalyticsInvalid) as exc:
        services.trips_import(path=path)
    assert exc.value.code == "no_good_rows"
    assert not lake.has_files(lake.TRIPS)
    assert TripImport.objects.count() == 0


@pytest.mark.django_db
def test_missing_columns_are_a_clear_error(city: Any, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("when,a,b\n2026-01-01 01:00,1,2\n")
    with pytest.raises(AnalyticsInvalid) as exc:
        services.trips_import(path=path)
    assert exc.value.code == "bad_column_mapping"
    with pytest.raises(AnalyticsInvalid) as exc:
        services.trips_import(path=path, mapping=Mapping(time="nope"))
    assert "nope" in exc.value.message


@pytest.mark.django_db
def test_column_mapping_cells_and_parquet(city: Any, tmp_path: Path) -> None:
    o = h3.latlng_to_cell(37.5572, 126.9245, 9)  # finer than the grid: taken to its parent
    d = h3.latlng_to_cell(37.6525, 127.0750, 8)
    frame = pl.DataFrame({"출발시각": ["2026-11-20T01:00:00+09:00", "2026-11-20T02:00:00+09:00"],
                          "from": [o, "zzz"], "to": [d, d], "n": [3, 1]})
    path = tmp_path / "cells.parquet"
    frame.write_parquet(path)
    record = services.trips_import(path=path, mapping=Mapping(origin_cell="from", dest_cell="to", weight="n"))
    assert (record.rows_good, record.rows_bad) == (1, 1)
    assert record.bad_rows == [{"line": 2, "reason": "bad_origin_cell"}]
    with lake.session() as con:
        row = con.execute("SELECT origin_cell, dest_cell, hour, weight FROM trips").fetchone()
    assert row == (h3.str_to_int(h3.cell_to_parent(o, 8)), h3.str_to_int(d), 1, 3.0)


def main(argv: list[str]) -> int:
    """Runs one of this module's `smartseoul analytics …` commands as the CLI does (bad input: 2)."""
    import argparse

    from smartseoul.analytics.commands import COMMANDS
    from smartseoul.core.errors import DomainError

    parser = argparse.ArgumentParser(prog="smartseoul")
    sub = parser.add_subparsers(dest="command", required=True)
    group = sub.add_parser("analytics").add_subparsers(dest="sub", required=True)
    for c in COMMANDS:
        cp = group.add_parser(c.name)
        c.add_arguments(cp)
        cp.set_defaults(func=c.handler)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except DomainError:
        return 2


@pytest.mark.django_db
def test_import_command_reports_bad_rows(city: Any, trips_csv: Path, tmp_path: Path, capsys: Any) -> None:
    report = tmp_path / "bad.csv"
    code = main(["analytics", "import-trips", str(trips_csv), "--bad-rows", str(report)])
    out = capsys.readouterr().out
    assert code == 1  # imported, with bad rows
    assert "3 trips imported" in out and "5 bad rows" in out
    assert "origin_outside_city" in report.read_text()
    assert main(["analytics", "import-trips", str(tmp_path / "missing.csv")]) == 2


@pytest.mark.django_db
def test_synth_command_writes_realistic_night_demand(city: Any, capsys: Any) -> None:
    assert main(["analytics", "synth-trips", "--rows", "30000", "--days", "7"]) == 0
    with lake.session() as con:
        total, night = con.execute("SELECT count(*), count(*) FILTER (WHERE hour < 5) FROM trips").fetchone()
        top = con.execute("SELECT origin_cell FROM trips WHERE hour < 5 GROUP BY 1 ORDER BY count(*) DESC "
                          "LIMIT 10").fetchall()
        by_dow = dict(con.execute("SELECT dow, count(*) FROM trips GROUP BY 1").fetchall())
    assert total == 30_000
    assert night > total * 0.25  # a late-night profile
    hot = {h3.str_to_int(h3.latlng_to_cell(la, lo, 8)) for la, lo in [(37.5572, 126.9245), (37.4979, 127.0276)]}
    near = {c for cell in hot for c in (h3.str_to_int(x) for x in h3.grid_disk(h3.int_to_str(cell), 1))}
    assert near & {r[0] for r in top}, "Hongdae or Gangnam station is among the busiest night origins"
    assert by_dow[5] > by_dow[1]  # Saturdays busier than Tuesdays
    assert main(["analytics", "synth-trips", "--rows", "0"]) == 2
