"""The analyses written once, as Ibis expressions over the lake's tables, compiled to SQL.

Here they run on DuckDB over the Parquet files; `sql(expr, dialect="spark")` (or "trino") gives
the same query for a cluster, carried across dialects by sqlglot. The tables have the same
names and columns on every engine (see `TRIPS_SCHEMA`), so a city registers its Parquet
directories as tables named `trips` (and `commerce_stores`) and runs the returned SQL.

No function here imports Django: a Spark job can import this module as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import sqlglot
from ibis import _
from ibis.expr.types import Table

# The lake's trip table: one row per trip (or per group of trips, with a weight).
TRIPS_SCHEMA = ibis.schema({
    "ts": "timestamp('UTC')",  # departure, UTC
    "hour": "int8",  # local hour of departure, 0–23
    "dow": "int8",  # local weekday of departure, 0 = Monday
    "origin_cell": "int64",  # H3 index
    "dest_cell": "int64",
    "weight": "float64",  # trips this row stands for (1 for a single trip)
    "source": "string",
    "date": "date",  # local date: the Hive partition column date=YYYY-MM-DD
})

DIALECTS = ("duckdb", "spark", "trino", "postgres")


def trips() -> Table:
    return ibis.table(TRIPS_SCHEMA, name="trips")


def hours_in_window(start_hour: int, end_hour: int) -> list[int]:
    """Hours in [start, end) on a 24-hour clock; a window may cross midnight (22 → 5)."""
    if not (0 <= start_hour <= 23 and 0 <= end_hour <= 24) or start_hour == end_hour:
        raise ValueError("the time window must contain at least one hour")
    if start_hour < end_hour:
        return list(range(start_hour, end_hour))
    return list(range(start_hour, 24)) + list(range(0, end_hour))


def _filtered(
    t: Table, *, start_hour: int, end_hour: int, weekdays: Sequence[int] | None,
    date_from: date | None, date_to: date | None,
) -> Table:
    hours = hours_in_window(start_hour, end_hour)
    cond = [t.hour.isin(hours)] if len(hours) < 24 else []
    if weekdays is not None and len(set(weekdays)) < 7:
        cond.append(t.dow.isin(sorted(set(weekdays))))
    if date_from is not None:
        cond.append(t.date >= ibis.date(date_from.isoformat()))
    if date_to is not None:
        cond.append(t.date <= ibis.date(date_to.isoformat()))
    return t.filter(*cond) if cond else t


def od_by_hour(
    t: Table | None = None, *, start_hour: int = 0, end_hour: int = 5, weekdays: Sequence[int] | None = None,
    date_from: date | None = None, date_to: date | None = None,
) -> Table:
    """The OD aggregation: trips per origin cell × destination cell × hour in the window."""
    t = trips() if t is None else t
    f = _filtered(t, start_hour=start_hour, end_hour=end_hour, weekdays=weekdays, date_from=date_from,
                  date_to=date_to)
    return f.group_by(["origin_cell", "dest_cell", "hour"]).aggregate(trips=_.weight.sum(), records=_.count())


def od_by_weekday_hour(
    t: Table | None = None, *, start_hour: int = 0, end_hour: int = 5, weekdays: Sequence[int] | None = None,
    date_from: date | None = None, date_to: date | None = None,
) -> Table:
    """Trips per origin × destination × weekday × hour (what the route planner reads)."""
    t = trips() if t is None else t
    f = _filtered(t, start_hour=start_hour, end_hour=end_hour, weekdays=weekdays, date_from=date_from,
                  date_to=date_to)
    return f.group_by(["origin_cell", "dest_cell", "dow", "hour"]).aggregate(trips=_.weight.sum())


def nights_per_weekday(
    t: Table | None = None, *, date_from: date | None = None, date_to: date | None = None,
) -> Table:
    """How many distinct days of each weekday the data spans (to average per night)."""
    t = trips() if t is None else t
    f = _filtered(t, start_hour=0, end_hour=24, weekdays=None, date_from=date_from, date_to=date_to)
    return f.group_by("dow").aggregate(days=_.date.nunique())


def density_by_cell(
    t: Table | None = None, *, end: str = "origin", start_hour: int = 0, end_hour: int = 24,
    weekdays: Sequence[int] | None = None, date_from: date | None = None, date_to: date | None = None,
) -> Table:
    """Trips starting (or ending) in each cell, by hour of day and weekday."""
    t = trips() if t is None else t
    f = _filtered(t, start_hour=start_hour, end_hour=end_hour, weekdays=weekdays, date_from=date_from,
                  date_to=date_to)
    column = f.origin_cell if end == "origin" else f.dest_cell
    return f.group_by([column.name("cell"), "dow", "hour"]).aggregate(trips=_.weight.sum())


def sql(expr: Table, dialect: str = "duckdb", *, pretty: bool = False) -> str:
    """The expression as SQL for an engine: compiled by Ibis for DuckDB, then carried to the
    other dialect by sqlglot."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    base = ibis.to_sql(expr, dialect="duckdb")
    if dialect == "duckdb" and not pretty:
        return str(base)
    return sqlglot.transpile(str(base), read="duckdb", write=dialect, pretty=pretty)[0]
