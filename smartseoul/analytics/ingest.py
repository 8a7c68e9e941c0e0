"""The sandbox step of a trip import: read a CSV or Parquet file, map its columns, validate every
row, turn positions into H3 cells in memory and hand back good rows (lake columns) and a report
of the bad ones. Exact coordinates never leave this step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h3
import numpy as np
import polars as pl

from smartseoul.lib.hexgrid import assign_cells

from .errors import AnalyticsErrorCode, AnalyticsInvalid

CHUNK_ROWS = 1_000_000
MAX_REPORTED = 200

ALIASES: dict[str, tuple[str, ...]] = {
    "origin_lat": ("origin_lat", "o_lat", "start_lat", "pickup_lat", "from_lat", "출발위도"),
    "origin_lon": ("origin_lon", "origin_lng", "o_lon", "o_lng", "start_lon", "start_lng", "pickup_lon", "from_lon",
                   "출발경도"),
    "dest_lat": ("dest_lat", "destination_lat", "d_lat", "end_lat", "dropoff_lat", "to_lat", "도착위도"),
    "dest_lon": ("dest_lon", "dest_lng", "destination_lon", "d_lon", "d_lng", "end_lon", "end_lng", "dropoff_lon",
                 "to_lon", "도착경도"),
    "origin_cell": ("origin_cell", "o_cell", "origin_h3", "from_cell"),
    "dest_cell": ("dest_cell", "destination_cell", "d_cell", "dest_h3", "to_cell"),
    "time": ("time", "ts", "timestamp", "departure", "start_time", "pickup_time", "datetime", "출발시각"),
    "weight": ("weight", "trips", "count", "n", "건수"),
}


@dataclass
class Mapping:
    """Which source column holds each field; None means: look for a usual name."""

    origin_lat: str | None = None
    origin_lon: str | None = None
    dest_lat: str | None = None
    dest_lon: str | None = None
    origin_cell: str | None = None
    dest_cell: str | None = None
    time: str | None = None
    weight: str | None = None
    time_format: str | None = None  # strftime format; empty: ISO 8601 or epoch seconds
    timezone: str = "Asia/Seoul"  # for times without an offset


@dataclass
class Report:
    rows_total: int = 0
    rows_good: int = 0
    rows_bad: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    bad_rows: list[dict[str, Any]] = field(default_factory=list)  # line, reason (first MAX_REPORTED)

    def add_bad(self, lines: np.ndarray, reason: str) -> None:
        if lines.size == 0:
            return
        self.rows_bad += int(lines.size)
        self.reasons[reason] = self.reasons.get(reason, 0) + int(lines.size)
        room = MAX_REPORTED - len(self.bad_rows)
        for line in lines[: max(room, 0)].tolist():
            self.bad_rows.append({"line": int(line), "reason": reason})


def _resolve(mapping: Mapping, columns: list[str]) -> dict[str, str | None]:
    lower = {c.lower().strip(): c for c in columns}
    chosen: dict[str, str | None] = {}
    for key, names in ALIASES.items():
        given = getattr(mapping, key)
        if given:
            if given not in columns:
                raise AnalyticsInvalid(f"Column {given!r} (for {key}) is not in the file; it has: {', '.join(columns)}",
                                       code=AnalyticsErrorCode.BAD_COLUMNS)
            chosen[key] = given
        else:
            chosen[key] = next((lower[n] for n in names if n in lower), None)
    has_o = (chosen["origin_lat"] and chosen["origin_lon"]) or chosen["origin_cell"]
    has_d = (chosen["dest_lat"] and chosen["dest_lon"]) or chosen["dest_cell"]
    if not has_o or not has_d or not chosen["time"]:
        raise AnalyticsInvalid(
            "The file needs a time column and an origin and a destination, each as latitude/longitude "
            f"or as an H3 cell. Map them with --time, --origin-lat … (columns found: {', '.join(columns)}).",
            code=AnalyticsErrorCode.BAD_COLUMNS,
        )
    return chosen


def _read(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise AnalyticsInvalid(f"{path}: file not found", code=AnalyticsErrorCode.BAD_FILE)
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise AnalyticsInvalid(f"{path}: cannot read the file ({exc})", code=AnalyticsErrorCode.BAD_FILE) from exc


def _times(col: pl.Series, mapping: Mapping) -> pl.Series:
    """UTC timestamps; null where the value cannot be read."""
    tz = mapping.timezone
    if isinstance(col.dtype, pl.Datetime):
        s = col if col.dtype.time_zone else col.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
        return s.dt.convert_time_zone("UTC")
    if col.dtype.is_numeric():
        return (col.cast(pl.Float64) * 1_000_000).cast(pl.Int64, strict=False).cast(pl.Datetime("us", "UTC"))
    text = col.cast(pl.Utf8).str.strip_chars()
    if mapping.time_format:
        parsed = text.str.to_datetime(mapping.time_format, strict=False, time_zone=None)
        return parsed.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    t = pl.col("t")
    utc = pl.Datetime("us", "UTC")

    def local(fmt: str) -> pl.Expr:
        return (t.str.to_datetime(fmt, strict=False, time_unit="us")
                .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC"))

    expr = pl.coalesce(
        t.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC").cast(utc),
        t.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC").cast(utc),
        local("%Y-%m-%d %H:%M:%S").cast(utc),
        local("%Y-%m-%dT%H:%M:%S").cast(utc),
        local("%Y-%m-%d %H:%M").cast(utc),
        local("%Y-%m-%dT%H:%M:%S%.f").cast(utc),
        (t.cast(pl.Float64, strict=False) * 1_000_000).cast(pl.Int64, strict=False).cast(utc),
    )
    return pl.DataFrame({"t": text}).select(expr.alias("ts")).to_series()


def _cells_from_strings(col: pl.Series, resolution: int) -> np.ndarray:
    """H3 cells given as hexadecimal strings or integers; finer cells are taken to their parent;
    0 for anything invalid or coarser than the grid."""
    out = np.zeros(col.len(), dtype=np.int64)
    cache: dict[Any, int] = {}
    for i, v in enumerate(col.cast(pl.Utf8).to_list()):
        if v is None:
            continue
        if v not in cache:
            value = 0
            try:
                text = v.strip()
                cell = h3.int_to_str(int(text)) if text.isdigit() else text.lower()
                if h3.is_valid_cell(cell) and h3.get_resolution(cell) >= resolution:
                    value = int(h3.str_to_int(h3.cell_to_parent(cell, resolution)))
            except (ValueError, TypeError):
                value = 0
            cache[v] = value
        out[i] = cache[v]
    return out


def read_trips(
    path: Path, mapping: Mapping, *, resolution: int, bbox: tuple[float, float, float, float] | None,
    source: str, on_progress: Callable[[int, int], None] | None = None,
) -> tuple[Iterator[pl.DataFrame], Report]:
    """Validates a trip file; yields frames of good rows (lake columns + `date`) chunk by chunk.

    Bad rows (missing or unreadable time, missing or out-of-range coordinates, positions
    outside the city's bounding box, invalid cells, negative weights) are counted in the report
    with their line numbers (the header is line 1 of a CSV)."""
    frame = _read(path)
    cols = _resolve(mapping, frame.columns)
    report = Report(rows_total=frame.height)
    header = 2 if path.suffix.lower() not in {".parquet", ".pq"} else 1

    def chunks() -> Iterator[pl.DataFrame]:
        for start in range(0, frame.height, CHUNK_ROWS):
            part = frame.slice(start, CHUNK_ROWS)
            lines = np.arange(start, start + part.height) + header
            good = np.ones(part.height, dtype=bool)
            ts = _times(part[cols["time"]], mapping)  # type: ignore[index]
            bad = ts.is_null().to_numpy()
            report.add_bad(lines[bad & good], "bad_time")
            good &= ~bad
            ends = {}
            for end in ("origin", "dest"):
                if cols[f"{end}_lat"] and cols[f"{end}_lon"]:
                    lat = part[cols[f"{end}_lat"]].cast(pl.Float64, strict=False).to_numpy()  # type: ignore[index]
                    lon = part[cols[f"{end}_lon"]].cast(pl.Float64, strict=False).to_numpy()  # type: ignore[index]
                    lat = np.asarray(lat, dtype=np.float64)
                    lon = np.asarray(lon, dtype=np.float64)
                    missing = ~np.isfinite(lat) | ~np.isfinite(lon)
                    report.add_bad(lines[missing & good], f"missing_{end}")
                    good &= ~missing
                    out_range = (np.abs(np.nan_to_num(lat)) > 90) | (np.abs(np.nan_to_num(lon)) > 180)
                    report.add_bad(lines[out_range & good], f"{end}_out_of_range")
                    good &= ~out_range
                    if bbox is not None:
                        w, s, e, n = bbox
                        outside = (lat < s) | (lat > n) | (lon < w) | (lon > e)
                        report.add_bad(lines[outside & good], f"{end}_outside_city")
                        good &= ~outside
                    ends[end] = assign_cells(np.where(good, lat, 0.0), np.where(good, lon, 0.0), resolution)
                else:
                    cells = _cells_from_strings(part[cols[f"{end}_cell"]], resolution)  # type: ignore[index]
                    invalid = cells == 0
                    report.add_bad(lines[invalid & good], f"bad_{end}_cell")
                    good &= ~invalid
                    ends[end] = cells
            if cols["weight"]:
                weight = np.asarray(part[cols["weight"]].cast(pl.Float64, strict=False).to_numpy(), dtype=np.float64)
                bad_w = ~np.isfinite(weight) | (weight < 0)
                report.add_bad(lines[bad_w & good], "bad_weight")
                good &= ~bad_w
            else:
                weight = np.ones(part.height)
            local = ts.dt.convert_time_zone(mapping.timezone)
            out = pl.DataFrame({
                "ts": ts, "hour": local.dt.hour().cast(pl.Int8), "dow": (local.dt.weekday() - 1).cast(pl.Int8),
                "origin_cell": ends["origin"], "dest_cell": ends["dest"], "weight": weight,
                "date": local.dt.date(),
            }).with_columns(pl.lit(source, dtype=pl.Utf8).alias("source")).filter(pl.Series(good))
            report.rows_good += out.height
            if on_progress is not None:
                on_progress(start + part.height, frame.height)
            yield out

    return chunks(), report
