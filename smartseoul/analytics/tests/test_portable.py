from __future__ import annotations

from typing import Any

import polars as pl
import pytest
import sqlglot

from smartseoul.analytics import lake, portable


@pytest.mark.django_db
def test_duckdb_od_aggregation_equals_a_direct_count(night_trips: Any) -> None:
    got = lake.run(portable.od_by_hour(start_hour=0, end_hour=5)).sort(["origin_cell", "dest_cell", "hour"])
    raw = pl.read_parquet(lake.glob(lake.TRIPS))
    expected = (raw.filter(pl.col("hour") < 5).group_by(["origin_cell", "dest_cell", "hour"])
                .agg(pl.col("weight").sum().alias("trips"), pl.len().alias("records"))
                .sort(["origin_cell", "dest_cell", "hour"]))
    assert got.height == expected.height > 0
    assert got["trips"].to_list() == expected["trips"].to_list()
    assert got["records"].to_list() == expected["records"].cast(pl.Int64).to_list()
    assert got["origin_cell"].to_list() == expected["origin_cell"].to_list()


@pytest.mark.django_db
def test_window_across_midnight_and_weekday_filter(night_trips: Any) -> None:
    got = lake.run(portable.od_by_hour(start_hour=22, end_hour=2, weekdays=[4, 5]))
    assert set(got["hour"].unique().to_list()) <= {22, 23, 0, 1}
    with lake.session() as con:
        (n,) = con.execute("SELECT sum(weight) FROM trips WHERE hour IN (22, 23, 0, 1) AND dow IN (4, 5)").fetchone()
    assert float(got["trips"].sum()) == n


@pytest.mark.parametrize("dialect", ["spark", "trino", "postgres", "duckdb"])
def test_the_same_query_compiles_for_other_engines(dialect: str) -> None:
    text = portable.sql(portable.od_by_hour(start_hour=0, end_hour=5, weekdays=[5]), dialect)
    parsed = sqlglot.parse_one(text, read=dialect)
    assert parsed.find(sqlglot.exp.Group) is not None
    assert "trips" in text and "origin_cell" in text


def test_bad_windows_and_dialects() -> None:
    with pytest.raises(ValueError):
        portable.hours_in_window(3, 3)
    with pytest.raises(ValueError):
        portable.sql(portable.od_by_hour(), "oracle-ish")
    assert portable.hours_in_window(22, 5) == [22, 23, 0, 1, 2, 3, 4]
    assert portable.hours_in_window(0, 24) == list(range(24))
