"""Reading S-DoT export files (sandbox stage: in memory, never persisted).

Either header style, CP949 or UTF-8 (with or without BOM). Rows are read in chunks so a
month-long export does not need to fit in memory; every refused row keeps its line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from . import sdot
from .errors import BadEntity, SensorErrorCode
from .timeutil import KST, to_us

NULL_TS = np.iinfo(np.int64).min
ENCODINGS = ("utf-8-sig", "cp949")


@dataclass
class SdotChunk:
    lines: np.ndarray  # physical line number of each good row
    serials: np.ndarray
    models: np.ndarray
    times_us: np.ndarray
    registered_us: np.ndarray
    values: dict[str, np.ndarray]  # quantity code → float64 (NaN = empty)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class SdotHeader:
    columns: dict[int, str]  # column index → role (serial/model/time/registered or a quantity code)
    ignored: list[str]
    width: int
    style: str = "older"  # "older" (Korean names only) or "newer" (`온도(℃)(TEMP)`)


def detect_encoding(head: bytes) -> str:
    for enc in ENCODINGS:
        try:
            head.decode(enc)
            return enc
        except UnicodeDecodeError as exc:
            if enc == "utf-8-sig" and exc.start >= len(head) - 3:  # a character cut at the sample's end
                return enc
            continue
    raise BadEntity("The file is neither UTF-8 nor CP949 text.", code=SensorErrorCode.BAD_FILE)


def open_text(path: Path) -> io.TextIOWrapper:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise BadEntity(f"{path}: cannot open ({exc.strerror})", code=SensorErrorCode.BAD_FILE) from exc
    head = raw.read(65536)
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding=detect_encoding(head), newline="")


def read_header(row: list[str]) -> SdotHeader:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for i, name in enumerate(row):
        role = sdot.header_role(name)
        if role is None or role in columns.values():
            ignored.append(name)
        else:
            columns[i] = role
    roles = set(columns.values())
    if "serial" not in roles or "time" not in roles:
        raise BadEntity(
            "The header has no serial (시리얼) or measurement time (측정시간) column: not an S-DoT export.",
            code=SensorErrorCode.BAD_FILE,
        )
    if not roles & set(sdot.BY_CODE):
        raise BadEntity("The header names no measured quantity.", code=SensorErrorCode.BAD_FILE)
    newer = any(sdot._CODE_RE.search(name.strip()) for name in row)
    return SdotHeader(columns, ignored, len(row), "newer" if newer else "older")


_TIME_FORMATS = (
    "%Y%m%d%H%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)


def _parse_local(text: str, cache: dict[str, int]) -> int:
    hit = cache.get(text)
    if hit is not None:
        return hit
    value = NULL_TS
    s = text.strip()
    for fmt in _TIME_FORMATS:
        try:
            dt = datetime.strptime(s, fmt).replace(tzinfo=KST)
        except ValueError:
            continue
        value = to_us(dt)
        break
    cache[text] = value
    return value


def _to_float(col: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Floats (NaN for empty) and a mask of values that are not numbers."""
    arr = np.asarray(col, dtype=str)
    try:  # the common case: every cell is a number
        vals = arr.astype(np.float64)
        return vals, ~np.isfinite(vals)
    except ValueError:
        pass
    arr = np.char.strip(arr)
    empty = arr == ""
    try:
        vals = np.where(empty, "nan", arr).astype(np.float64)
        bad = ~empty & ~np.isfinite(vals)
    except ValueError:
        vals = np.full(len(col), np.nan)
        bad = np.zeros(len(col), dtype=bool)
        for i, s in enumerate(arr):
            if not s:
                continue
            try:
                v = float(s)
            except ValueError:
                bad[i] = True
                continue
            if not np.isfinite(v):
                bad[i] = True
            else:
                vals[i] = v
    vals[bad] = np.nan
    return vals, bad


def iter_chunks(path: Path, *, chunk_rows: int = 100_000) -> Iterator[tuple[SdotHeader, SdotChunk]]:
    with open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            header_row = next(reader)
        except StopIteration:
            raise BadEntity(f"{path}: the file is empty", code=SensorErrorCode.BAD_FILE) from None
        except csv.Error as exc:
            raise BadEntity(f"{path}: not a CSV file ({exc})", code=SensorErrorCode.BAD_FILE) from exc
        header = read_header(header_row)
        buffer: list[list[str]] = []
        lines: list[int] = []
        bad: list[tuple[int, str]] = []
        time_cache: dict[str, int] = {}
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad.append((reader.line_num, f"unreadable CSV ({exc})"))
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != header.width:
                bad.append((reader.line_num, f"{len(row)} columns where the header has {header.width}"))
                continue
            buffer.append(row)
            lines.append(reader.line_num)
            if len(buffer) >= chunk_rows:
                yield header, _convert(header, buffer, lines, bad, time_cache)
                buffer, lines, bad = [], [], []
        if buffer or bad:
            yield header, _convert(header, buffer, lines, bad, time_cache)


def _convert(
    header: SdotHeader, rows: list[list[str]], lines: list[int], bad: list[tuple[int, str]], time_cache: dict[str, int]
) -> SdotChunk:
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in range(header.width)]
    line_arr = np.asarray(lines, dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    reasons: dict[int, str] = {}
    by_role = {role: i for i, role in header.columns.items()}
    serials = np.char.strip(np.asarray(cols[by_role["serial"]], dtype=str)) if n else np.array([], dtype=str)
    for i in np.flatnonzero(serials == ""):
        keep[i] = False
        reasons.setdefault(int(i), "no serial")
    models = (
        np.char.strip(np.asarray(cols[by_role["model"]], dtype=str))
        if "model" in by_role and n
        else np.full(n, "", dtype=str)
    )
    times = np.fromiter((_parse_local(s, time_cache) for s in cols[by_role["time"]]), dtype=np.int64, count=n)
    for i in np.flatnonzero(times == NULL_TS):
        keep[i] = False
        reasons.setdefault(int(i), f"measurement time {cols[by_role['time']][i]!r} is not yyyymmddhhmi")
    registered = (
        np.fromiter(
            (_parse_local(s, time_cache) if s.strip() else NULL_TS for s in cols[by_role["registered"]]),
            dtype=np.int64,
            count=n,
        )
        if "registered" in by_role
        else np.full(n, NULL_TS)
    )
    values: dict[str, np.ndarray] = {}
    for idx, role in header.columns.items():
        if role not in sdot.BY_CODE:
            continue
        vals, not_number = _to_float(list(cols[idx])) if n else (np.array([]), np.array([], dtype=bool))
        for i in np.flatnonzero(not_number):
            keep[i] = False
            reasons.setdefault(int(i), f"{role}: {cols[idx][i]!r} is not a number")
        values[role] = vals
    bad_rows = list(bad) + [(int(line_arr[i]), r) for i, r in sorted(reasons.items())]
    bad_rows.sort()
    return SdotChunk(
        lines=line_arr[keep],
        serials=serials[keep],
        models=models[keep],
        times_us=times[keep],
        registered_us=registered[keep],
        values={k: v[keep] for k, v in values.items()},
        bad_rows=bad_rows,
    )


def read_positions(path: Path) -> list[tuple[str, float, float]]:
    """The box position list (`시리얼,위도,경도` = serial, latitude, longitude)."""
    rows: list[tuple[str, float, float]] = []
    with open_text(path) as fh:
        reader = csv.reader(fh)
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        try:
            si, la, lo = (header.index(h) for h in ("시리얼", "위도", "경도"))
        except ValueError:
            try:
                si, la, lo = (header.index(h) for h in ("serial", "lat", "lon"))
            except ValueError:
                raise BadEntity(
                    "The position file needs the columns 시리얼,위도,경도 (serial, lat, lon).",
                    code=SensorErrorCode.BAD_FILE,
                ) from None
        for row in reader:
            if not row:
                continue
            try:
                lat, lon = float(row[la]), float(row[lo])
            except (ValueError, IndexError):
                raise BadEntity(
                    f"line {reader.line_num}: latitude/longitude are not numbers", code=SensorErrorCode.BAD_FILE
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise BadEntity(f"line {reader.line_num}: position out of range", code=SensorErrorCode.BAD_FILE)
            rows.append((row[si].strip(), lat, lon))
    return rows
