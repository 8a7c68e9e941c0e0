"""The S-Data lake on disk: `LAKE_DIR/<dataset>/date=YYYY-MM-DD/*.parquet` (Hive partitions).

- source stage: `observations` — append-only. A batch is written to a temporary name and
  renamed into its partition, so readers never see half a file. Facts are never rewritten.
- service stage: `agg_*` datasets — derived; a partition is replaced as a whole when recomputed.

Partition dates are Korean local dates (UTC+9, no daylight saving) of the phenomenon time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

KST_OFFSET_US = 9 * 3600 * 1_000_000
DAY_US = 86400 * 1_000_000
EPOCH = date(1970, 1, 1)
TS = pa.timestamp("us", tz="UTC")

OBSERVATIONS = "observations"
OBSERVATION_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("datastream_id", pa.int64()),
        ("thing_id", pa.int64()),
        ("foi_id", pa.int64()),
        ("quantity", pa.string()),
        ("district_code", pa.string()),
        ("dong_code", pa.string()),
        ("phenomenon_time", TS),
        ("phenomenon_end", TS),
        ("result_time", TS),
        ("result", pa.float64()),
        ("result_text", pa.string()),  # exact JSON of a non-numeric result or non-canonical number
        ("result_quality", pa.string()),
        ("valid_start", TS),
        ("valid_end", TS),
        ("parameters", pa.string()),
        ("ingested_at", TS),
    ]
)


def root() -> Path:
    return Path(getattr(settings, "LAKE_DIR", Path(settings.DATA_DIR) / "lake"))


def dataset_dir(dataset: str) -> Path:
    return root() / dataset


def kst_day_numbers(times_us: np.ndarray) -> np.ndarray:
    return (times_us + KST_OFFSET_US) // DAY_US


def day_from_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def _write_atomic(table: pa.Table, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    tmp = directory / f".{name}.tmp"
    pq.write_table(table, tmp, compression="zstd", row_group_size=1_000_000)
    tmp.replace(final)
    return final


def append(dataset: str, table: pa.Table, *, time_column: str = "phenomenon_time") -> list[Path]:
    """Appends rows to a source dataset, one new file per date partition touched."""
    if table.num_rows == 0:
        return []
    times = table.column(time_column).cast(pa.int64()).to_numpy(zero_copy_only=False)
    days = kst_day_numbers(times)
    written = []
    stamp = uuid.uuid4().hex
    unique_days = np.unique(days)
    for d in unique_days:
        part = table if len(unique_days) == 1 else table.filter(pa.array(days == d))
        directory = dataset_dir(dataset) / f"date={day_from_number(int(d)).isoformat()}"
        written.append(_write_atomic(part, directory, f"part-{stamp}.parquet"))
    return written


def replace_partition(dataset: str, day: date, table: pa.Table) -> Path:
    """Service stage: writes a derived partition, replacing what was there."""
    directory = dataset_dir(dataset) / f"date={day.isoformat()}"
    path = _write_atomic(table, directory, "data.parquet")
    for old in directory.glob("*.parquet"):
        if old != path:
            old.unlink()
    return path


def partition_days(dataset: str) -> list[date]:
    base = dataset_dir(dataset)
    if not base.is_dir():
        return []
    days = []
    for p in base.iterdir():
        if p.is_dir() and p.name.startswith("date="):
            try:
                days.append(date.fromisoformat(p.name[5:]))
            except ValueError:
                continue
    return sorted(days)


def files(dataset: str, days: Iterable[date] | None = None) -> list[str]:
    base = dataset_dir(dataset)
    if not base.is_dir():
        return []
    if days is None:
        return sorted(str(p) for p in base.glob("date=*/*.parquet"))
    found: list[str] = []
    for d in days:
        found.extend(sorted(str(p) for p in (base / f"date={d.isoformat()}").glob("*.parquet")))
    return found


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    threads = getattr(settings, "LAKE_THREADS", None)
    if threads:
        con.execute(f"SET threads={int(threads)}")
    return con


def scan_sql(paths: Sequence[str], schema: pa.Schema = OBSERVATION_SCHEMA) -> str:
    """A FROM-clause source over the given files; an empty typed relation when there are none."""
    if not paths:
        cols = ", ".join(f"CAST(NULL AS {_duck_type(f.type)}) AS {f.name}" for f in schema)
        return f"(SELECT {cols} WHERE false)"
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return f"read_parquet([{quoted}], hive_partitioning=false, union_by_name=true)"


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    return "VARCHAR"
