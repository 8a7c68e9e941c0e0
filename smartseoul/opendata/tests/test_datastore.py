"""The datastore engine: encodings, bad-row reports, type widening, XLSX, queries, downloads."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from smartseoul.opendata import datastore
from smartseoul.opendata.errors import QueryError


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_cp949_file_is_detected_and_read(tmp_path):
    src = _write(tmp_path / "a.csv", "이름,인원\n종로,3\n중구,4\n", "cp949")
    result = datastore.load_table(src, tmp_path / "a.parquet")
    assert result.encoding == "cp949"
    assert [f["id"] for f in result.fields] == ["이름", "인원"]
    assert [f["type"] for f in result.fields] == ["string", "integer"]
    rows = duckdb.sql(f"select * from read_parquet('{tmp_path / 'a.parquet'}') order by _id").fetchall()
    assert rows == [(1, "종로", 3), (2, "중구", 4)]


def test_utf8_bom_header_is_clean(tmp_path):
    src = _write(tmp_path / "b.csv", "\ufeffname,n\nx,1\n")
    result = datastore.load_table(src, tmp_path / "b.parquet")
    assert result.fields[0]["id"] == "name"
    assert result.encoding == "utf-8"


def test_bad_rows_are_reported_with_line_column_and_reason(tmp_path):
    text = "name,count,lat\na,1,37.5\nb,2,37.6,extra\nc,3,37.7\nd\n" + "".join(f"e{i},{i},37.1\n" for i in range(30))
    result = datastore.load_table(_write(tmp_path / "c.csv", text), tmp_path / "c.parquet")
    assert result.ok
    assert result.bad_row_count == 2
    lines = {b["line"]: b for b in result.bad_rows}
    assert set(lines) == {3, 5}
    assert "expected 3 fields, found 4" in lines[3]["reason"]
    assert lines[5]["reason"].startswith("expected 3 fields")
    assert result.row_count == 32


def test_too_many_bad_rows_fail_validation(tmp_path):
    text = "a,b\n1,2\n1,2,3\n1,2,3\n1,2,3\n"
    result = datastore.load_table(_write(tmp_path / "d.csv", text), tmp_path / "d.parquet")
    assert not result.ok
    assert "bad" in result.errors[0]


def test_later_row_widens_a_guessed_type(tmp_path):
    rows = "".join(f"{i},{i}\n" for i in range(1, 1500)) + "1500,1500.5\n1501,n/a\n"
    result = datastore.load_table(_write(tmp_path / "e.csv", "id,value\n" + rows), tmp_path / "e.parquet")
    types = {f["id"]: f["type"] for f in result.fields}
    assert types == {"id": "integer", "value": "string"}
    assert result.widened == [{"column": "value", "from": "integer", "to": "string", "line": 1501}]
    assert result.bad_row_count == 0


def test_number_widening_stops_at_number(tmp_path):
    rows = "".join(f"{i}\n" for i in range(1, 1200)) + "2.5\n"
    result = datastore.load_table(_write(tmp_path / "f.csv", "v\n" + rows), tmp_path / "f.parquet")
    assert result.fields[0]["type"] == "number"
    assert result.widened[0]["to"] == "number"


def test_leading_zero_codes_stay_strings_and_dates_are_typed(tmp_path):
    text = "code,day,at,flag\n01234,2024-01-02,2024-01-02 10:00:00,true\n00999,2024-02-03,2024-02-03T11:30,false\n"
    result = datastore.load_table(_write(tmp_path / "g.csv", text), tmp_path / "g.parquet")
    assert [f["type"] for f in result.fields] == ["string", "date", "datetime", "boolean"]


def test_declared_types_turn_misfits_into_bad_rows(tmp_path):
    declared = [{"id": "name", "type": "string"}, {"id": "n", "type": "integer"}]
    text = "name,n\n" + "".join(f"x{i},{i}\n" for i in range(20)) + "bad,abc\n"
    result = datastore.load_table(_write(tmp_path / "h.csv", text), tmp_path / "h.parquet", declared=declared)
    assert result.bad_rows == [{"line": 22, "column": "n", "reason": "'abc' is not a valid integer"}]
    assert result.row_count == 20


def test_primary_key_duplicates_are_bad_rows(tmp_path):
    text = "id,v\n" + "".join(f"{i},{i}\n" for i in range(1, 30)) + "5,99\n,1\n"
    result = datastore.load_table(_write(tmp_path / "i.csv", text), tmp_path / "i.parquet", primary_key=["id"])
    reasons = {b["line"]: b["reason"] for b in result.bad_rows}
    assert reasons == {31: "the primary key repeats an earlier row", 32: "the primary key is empty"}


def test_missing_primary_key_column_fails(tmp_path):
    result = datastore.load_table(_write(tmp_path / "j.csv", "a\n1\n"), tmp_path / "j.parquet", primary_key=["id"])
    assert not result.ok


def test_not_a_table_raises(tmp_path):
    with pytest.raises(datastore.LoadFailed):
        datastore.load_table(_write(tmp_path / "k.csv", ""), tmp_path / "k.parquet")
    with pytest.raises(datastore.LoadFailed):
        datastore.load_table(_write(tmp_path / "l.csv", "a,b\n"), tmp_path / "l.parquet")


def test_xlsx_rows_report_sheet_lines(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["구", "인구"])
    for i in range(20):
        ws.append([f"구{i}", 1000 + i])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    result = datastore.load_table(
        path, tmp_path / "m.parquet", declared=[{"id": "인구", "type": "integer"}], original_name="m.xlsx"
    )
    assert result.source_format == "xlsx"
    assert result.row_count == 20
    assert [f["type"] for f in result.fields] == ["string", "integer"]


def test_api_names_come_from_headers():
    assert datastore.api_name_for("주차장명(PARKING_NAME)", 1) == "PARKING_NAME"
    assert datastore.api_name_for("pm10", 2) == "PM10"
    assert datastore.api_name_for("위도", 3) == "COL3"


@pytest.fixture
def table(tmp_path):
    text = "district,pm10,at\n" + "".join(
        f"{'종로구' if i % 2 else '중구'},{i},2024-01-{1 + i % 28:02d}\n" for i in range(100)
    )
    result = datastore.load_table(_write(tmp_path / "t.csv", text), tmp_path / "t.parquet")
    return tmp_path / "t.parquet", result


def test_query_filters_sort_page_and_fields(table):
    path, loaded = table
    res = datastore.query(
        path,
        loaded.fields,
        row_count=loaded.row_count,
        filters={"district": "종로구"},
        sort="pm10 desc",
        limit=3,
        offset=1,
        select=["pm10"],
    )
    assert res.total == 50
    assert [r["pm10"] for r in res.records] == [97, 95, 93]
    assert [f["id"] for f in res.fields] == ["pm10"]


def test_query_text_search_and_list_filters(table):
    path, loaded = table
    res = datastore.query(path, loaded.fields, row_count=loaded.row_count, q="종로", limit=0)
    assert res.total == 50
    res = datastore.query(path, loaded.fields, row_count=loaded.row_count, filters={"pm10": ["1", "2"]})
    assert [r["pm10"] for r in res.records] == [1, 2]


def test_query_rejects_unknown_fields_and_bad_values(table):
    path, loaded = table
    with pytest.raises(QueryError):
        datastore.query(path, loaded.fields, row_count=loaded.row_count, filters={"nope": 1})
    with pytest.raises(QueryError):
        datastore.query(path, loaded.fields, row_count=loaded.row_count, filters={"pm10": "abc"})
    with pytest.raises(QueryError):
        datastore.query(path, loaded.fields, row_count=loaded.row_count, sort="nope asc")


def test_large_tables_estimate_filtered_totals(table, monkeypatch):
    path, loaded = table
    monkeypatch.setattr(datastore, "ESTIMATE_THRESHOLD", 10)
    res = datastore.query(path, loaded.fields, row_count=loaded.row_count, filters={"district": "중구"})
    assert res.total_was_estimated is True
    res = datastore.query(path, loaded.fields, row_count=loaded.row_count)
    assert res.total == 100 and res.total_was_estimated is False


def test_sorted_projections_answer_filters_exactly_like_the_table(table, monkeypatch):
    path, loaded = table
    monkeypatch.setattr(datastore, "PROJECTION_MIN_ROWS", 50)
    monkeypatch.setattr(datastore, "PROJECTION_ROW_GROUP", 10)
    queries = [
        {"filters": {"district": "종로구"}, "sort": "pm10 desc", "limit": 5},
        {"filters": {"district": ["중구", "종로구"]}, "limit": 7, "offset": 40},
        {"filters": {"at": "2024-01-03"}, "sort": "district asc"},
        {"filters": {"pm10": "42"}},
    ]
    before = [datastore.query(path, loaded.fields, row_count=loaded.row_count, **q) for q in queries]

    # the two columns with the fewest distinct values: district (2) and the date (28), not pm10 (100)
    assert datastore.build_projections(path, loaded.fields, loaded.row_count) == ["district", "at"]
    by_district = datastore.projection_path(path, 1)
    column = duckdb.sql(f"SELECT district FROM read_parquet('{by_district}')").fetchall()
    assert column == sorted(column)
    monkeypatch.setattr(datastore, "ESTIMATE_THRESHOLD", 10)  # exact totals still: the projection is cheap
    after = [datastore.query(path, loaded.fields, row_count=loaded.row_count, **q) for q in queries]
    assert [r.records for r in after] == [r.records for r in before]
    assert [r.total for r in after[:3]] == [r.total for r in before[:3]] == [50, 100, 4]
    assert not any(r.total_was_estimated for r in after[:3])


def test_small_tables_get_no_projection(table):
    path, loaded = table
    stale = datastore.projection_path(path, 1)  # as a publication that was rolled back leaves it
    stale.write_bytes(b"PAR1")
    assert datastore.build_projections(path, loaded.fields, loaded.row_count) == []
    assert not list(path.parent.glob("*.by-*.parquet"))


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_exports(table, tmp_path, fmt):
    path, loaded = table
    out = datastore.export(path, loaded.fields, fmt, tmp_path / f"out.{fmt}")
    assert out.stat().st_size > 0
    if fmt == "csv":
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "district,pm10,at" and len(lines) == 101
    if fmt == "json":
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data[0] == {"district": "중구", "pm10": 0, "at": "2024-01-01"}
