"""The trip lake: Hive-partitioned Parquet under `LAKE_DIR/trips/date=YYYY-MM-DD/` (source stage)
and DuckDB connections that see it as the table `trips`.

Only cells are stored, never exact coordinates: the sandbox step (import) turns positions into
H3 cells in memory, so the lake holds no precise private location.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from django.conf import settings

from .portable import sql

TRIPS = "trips"
STORES = "commerce_stores"
SALES = "commerce_sales"
TRIP_COLUMNS = ("ts", "hour", "dow", "origin_cell", "dest_cell", "weight", "source")


def lake_dir() -> Path:
    return Path(settings.LAKE_DIR)


def dataset_dir(name: str) -> Path:
    return lake_dir() / name


def has_files(name: str) -> bool:
    d = dataset_dir(name)
    return d.is_dir() and any(d.glob("date=*/*.parquet"))


def glob(name: str) -> str:
    return str(dataset_dir(name) / "date=*" / "*.parquet")


def write_partitioned(name: str, frame: pl.DataFrame, *, date_column: str = "date") -> dict[str, int]:
    """Appends rows to `name`, one new file per local date; returns rows per date. Files are
    written under a temporary name and renamed, so readers never see half a file."""
    counts: dict[str, int] = {}
    if frame.height == 0:
        return counts
    for (day,), part in frame.partition_by(date_column, as_dict=True, maintain_order=True).items():
        key = day.isoformat() if isinstance(day, date) else str(day)
        target = dataset_dir(name) / f"date={key}"
        target.mkdir(parents=True, exist_ok=True)
        stem = f"part-{uuid.uuid4().hex}"
        tmp = target / f".{stem}.tmp"
        part.drop(date_column).write_parquet(tmp, compression="zstd", row_group_size=1_000_000, statistics=True)
        tmp.replace(target / f"{stem}.parquet")
        counts[key] = counts.get(key, 0) + part.height
    return counts


def replace_snapshot(name: str, frame: pl.DataFrame, day: date) -> None:
    """Writes a dataset that is replaced as a whole (a snapshot dated `day`)."""
    target = dataset_dir(name) / f"date={day.isoformat()}"
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / ".snapshot.tmp"
    frame.write_parquet(tmp, compression="zstd")
    for old in target.glob("*.parquet"):
        old.unlink()
    tmp.replace(target / "snapshot.parquet")
    for other in dataset_dir(name).glob("date=*"):
        if other != target:
            for f in other.glob("*.parquet"):
                f.unlink()
            other.rmdir()


def connect(*, threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake's datasets as views (`trips`, `commerce_stores` …)."""
    con = duckdb.connect()
    con.execute(f"SET threads TO {int(threads or os.cpu_count() or 2)}")
    con.execute(f"SET memory_limit = '{memory_limit or getattr(settings, 'ANALYTICS_DUCKDB_MEMORY', '8GB')}'")
    con.execute("SET preserve_insertion_order = false")
    for name in (TRIPS, STORES, SALES):
        if has_files(name):
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob(name)}', hive_partitioning = true, "  # noqa: S608  (the lake's own parquet paths, quoted; no request text)
                "hive_types = {'date': DATE}, union_by_name = true)"
            )
    return con


@contextmanager
def session() -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect()
    try:
        yield con
    finally:
        con.close()


def run(expr: Any, con: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame:
    """Runs a portable expression on DuckDB and returns a Polars frame."""
    query = sql(expr, "duckdb")
    if con is not None:
        return con.execute(query).pl()
    with session() as c:
        return c.execute(query).pl()


def trip_summary() -> dict[str, Any]:
    """Rows, trips and the date range in the lake (cheap: Parquet metadata and a small scan)."""
    if not has_files(TRIPS):
        return {"rows": 0, "trips": 0.0, "first_date": None, "last_date": None, "days": 0}
    with session() as con:
        row = con.execute(
            "SELECT count(*), coalesce(sum(weight), 0), min(date), max(date), count(DISTINCT date) FROM trips"
        ).fetchone()
    assert row is not None  # noqa: S101  (narrows the type: a count query always returns a row)
    return {"rows": int(row[0]), "trips": float(row[1]), "first_date": row[2], "last_date": row[3],
            "days": int(row[4])}


def remove_source(name: str, source: str) -> int:
    """Deletes the files of one trip source (e.g. the demo), by rewriting partitions that hold it."""
    removed = 0
    for f in sorted(dataset_dir(name).glob("date=*/*.parquet")):
        frame = pl.read_parquet(f)
        keep = frame.filter(pl.col("source") != source)
        if keep.height == frame.height:
            continue
        removed += frame.height - keep.height
        if keep.height:
            tmp = f.with_suffix(".tmp")
            keep.write_parquet(tmp, compression="zstd")
            tmp.replace(f)
        else:
            f.unlink()
    return removed
