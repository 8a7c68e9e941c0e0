"""The table datastore engine: CSV/XLSX → typed Parquet, and DuckDB queries over it.

Framework-free (services pass in paths): this is the part a worker or a benchmark runs alone.

Loading never fails a whole file for a few bad rows. Every row that cannot be kept is
reported with its line, column and reason:
- structural errors (too many or too few fields, broken quoting) found by DuckDB's CSV reader;
- values that do not fit a *declared* column type (a re-upload keeps the published schema);
- an empty or repeated primary key.
Types are guessed from the first rows and then checked against every row: a later row that
contradicts the guess widens the column (integer → number → string) and the widening is
reported, instead of breaking the load.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from smartseoul.lib import spreadsheet

SAMPLE_ROWS = 1000  # rows the first type guess looks at
MAX_REPORTED_BAD_ROWS = 1000  # rows listed in the report (all are counted)
MAX_BAD_ROW_SHARE = 0.10  # above this share of bad rows the upload fails validation
ESTIMATE_THRESHOLD = 1_000_000  # filtered totals of larger tables are estimated from a sample
# Sorted projections: tables this large get a copy ordered by each of their most filterable
# columns (a clustered index, in database terms), so an equality filter reads a few row groups.
PROJECTION_MIN_ROWS = 200_000
PROJECTION_MAX_COLUMNS = 2
PROJECTION_MAX_DISTINCT = 10_000
PROJECTION_TYPES = ("string", "integer", "date")
PROJECTION_ROW_GROUP = 50_000
MAX_COLUMNS = 500

TYPES = ("integer", "number", "boolean", "date", "datetime", "string")
DUCK_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "string": "VARCHAR",
}
CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "string": "text",
}
# A type may widen only along this order; anything else widens to string.
WIDENING = {
    "integer": "number",
    "number": "string",
    "boolean": "string",
    "date": "datetime",
    "datetime": "string",
    "string": "string",
}

_API_NAME_IN_HEADER = re.compile(r"\(([A-Za-z][A-Za-z0-9_]*)\)\s*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class LoadFailed(Exception):
    """The file cannot be read as a table at all (not CSV/XLSX, no header, no rows)."""


@dataclass
class LoadResult:
    fields: list[dict[str, Any]]
    row_count: int
    bad_rows: list[dict[str, Any]] = field(default_factory=list)
    bad_row_count: int = 0
    widened: list[dict[str, Any]] = field(default_factory=list)
    encoding: str = "utf-8"
    source_format: str = "csv"
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self) -> dict[str, Any]:
        return {
            "bad_rows": self.bad_rows,
            "bad_row_count": self.bad_row_count,
            "widened": self.widened,
            "errors": self.errors,
            "encoding": self.encoding,
            "format": self.source_format,
            "row_count": self.row_count,
        }


# --- connections ---------------------------------------------------------------------------------

_local = threading.local()


def connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB connection per thread (queries only read Parquet files)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = duckdb.connect(config={"threads": 4})
        conn.execute("SET parquet_metadata_cache = true")
        _local.conn = conn
    return conn


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_source(path: Path) -> str:
    return f"read_parquet({quote_literal(str(path))})"


# --- reading input files -------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) when the whole file decodes as UTF-8, else cp949."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        head = fh.read(3)
        bom = head == codecs.BOM_UTF8
        fh.seek(0)
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp949"
    return "utf-8-sig" if bom else "utf-8"


def _transcode(path: Path, encoding: str, out: Path) -> None:
    with (
        path.open("r", encoding=encoding, errors="replace", newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        shutil.copyfileobj(src, dst, 1 << 20)


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def clean_headers(raw: Sequence[str]) -> list[str]:
    """Column ids: trimmed, never empty, unique, never starting with '_' (reserved for _id)."""
    names: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(raw, start=1):
        base = (name or "").strip().replace("\ufeff", "").replace('"', "")[:120] or f"column_{i}"
        if base.startswith("_"):
            base = "c" + base
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate.lower())
        names.append(candidate)
    return names


def api_name_for(header: str, index: int) -> str:
    """Seoul OpenAPI column name: `주차장명(PARKING_NAME)` → PARKING_NAME; ASCII headers upper-cased."""
    match = _API_NAME_IN_HEADER.search(header)
    if match:
        return match.group(1).upper()
    ascii_name = re.sub(r"[^A-Za-z0-9]+", "_", header).strip("_")
    if (
        ascii_name
        and ascii_name == re.sub(r"\s+", "_", header.strip()).replace("-", "_").strip("_")
        and ascii_name[0].isalpha()
    ):
        return ascii_name.upper()
    return f"COL{index}"


def _xlsx_to_csv(path: Path, out: Path) -> list[int]:
    """First sheet → UTF-8 CSV; returns the spreadsheet row number of each written record."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise LoadFailed(f"The file is not a readable XLSX workbook ({exc.__class__.__name__}).") from exc
    sheet = wb.worksheets[0]
    lines: list[int] = []
    width = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = ["" if v is None else _cell_text(v) for v in row]
            while values and values[-1] == "":
                values.pop()
            if not values:
                continue
            if not lines:
                width = len(values)
            elif len(values) < width:
                values += [""] * (width - len(values))
            writer.writerow(values)
            lines.append(number)
    wb.close()
    return lines


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ")
            if (value.hour, value.minute, value.second) != (0, 0, 0)
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- type inference --------------------------------------------------------------------------------


def _bad_expr(col: str, type_: str) -> str:
    """SQL: true when the (trimmed, non-empty) value does NOT fit `type_`. Casts and string
    tests only (no regular expressions), so a million rows check in well under a second."""
    v = quote_ident(col)  # already trimmed: checks run over _trimmed(...)
    unsigned = f"ltrim({v}, '+-')"
    leading_zero = f"(starts_with({unsigned}, '0') AND length({unsigned}) > 1 AND NOT starts_with({unsigned}, '0.'))"
    if type_ == "integer":
        # the canonical form of the parsed integer must be the text itself: no decimals, spaces or leading zeros
        return f"(CAST(TRY_CAST({v} AS BIGINT) AS VARCHAR) IS DISTINCT FROM ltrim({v}, '+'))"
    if type_ == "number":
        return f"(isfinite(TRY_CAST({v} AS DOUBLE)) IS NOT TRUE OR {leading_zero})"
    if type_ == "boolean":
        return f"(lower({v}) NOT IN ('true', 'false'))"
    if type_ == "date":
        return (
            f"(length({v}) <> 10 OR substr({v}, 5, 1) <> '-' OR substr({v}, 8, 1) <> '-' "
            f"OR TRY_CAST({v} AS DATE) IS NULL)"
        )
    if type_ == "datetime":
        return f"(length({v}) NOT BETWEEN 16 AND 26 OR substr({v}, 5, 1) <> '-' OR TRY_CAST({v} AS TIMESTAMP) IS NULL)"
    return "false"


def _present(col: str) -> str:
    return f"({quote_ident(col)} <> '')"


def _trimmed(table: str, columns: Sequence[str], where: str = "") -> str:
    """The table with every column trimmed once (the type checks read this projection)."""
    cols = ", ".join(f"trim({quote_ident(c)}) AS {quote_ident(c)}" for c in columns)
    return f"(SELECT __n, {cols} FROM {table} {where}) AS trimmed"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)


def _cast_expr(col: str, type_: str) -> str:
    v = f"NULLIF(trim({quote_ident(col)}), '')"
    if type_ == "string":
        return f"NULLIF({quote_ident(col)}, '')"
    if type_ == "boolean":
        return f"(lower({v}) = 'true')"
    if type_ == "datetime":
        return f"CAST({v} AS TIMESTAMP)"
    return f"CAST({v} AS {DUCK_TYPES[type_]})"


def _guess_types(conn: duckdb.DuckDBPyConnection, table: str, columns: list[str], where: str = "") -> list[str]:
    candidates = ("integer", "number", "boolean", "date", "datetime")
    parts: list[str] = []
    for col in columns:
        parts.append(f"count(*) FILTER (WHERE {_present(col)})")
        parts.extend(f"count(*) FILTER (WHERE {_present(col)} AND {_bad_expr(col, t)})" for t in candidates)
    row = conn.execute(f"SELECT {', '.join(parts)} FROM {_trimmed(table, columns, where)}").fetchone()  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
    assert row is not None  # noqa: S101  (narrows the type: an aggregate query always returns a row)
    guesses: list[str] = []
    step = len(candidates) + 1
    for i in range(len(columns)):
        present, *bad = row[i * step : (i + 1) * step]
        if not present:
            guesses.append("string")
            continue
        guesses.append(next((t for t, n in zip(candidates, bad, strict=True) if n == 0), "string"))
    return guesses


def _widen_all(
    conn: duckdb.DuckDBPyConnection, table: str, columns: list[str], guesses: list[str]
) -> list[tuple[str, int | None]]:
    """For every column: the narrowest type along WIDENING from its guess that fits every row,
    and the first row (__n) that contradicted the guess. One scan checks every guess; only the
    columns that fail are checked again along the chain."""
    checked = [(c, g) for c, g in zip(columns, guesses, strict=True) if g != "string"]
    parts = [f"count(*) FILTER (WHERE {_present(c)} AND {_bad_expr(c, g)})" for c, g in checked]
    source = _trimmed(table, [c for c, _g in checked])
    row = conn.execute(f"SELECT {', '.join(parts)} FROM {source}").fetchone() if parts else ()  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
    assert row is not None  # noqa: S101  (narrows the type: an aggregate query always returns a row)
    failed = {c for (c, _g), n in zip(checked, row, strict=True) if n}
    out: list[tuple[str, int | None]] = []
    for col, guess in zip(columns, guesses, strict=True):
        if col not in failed:
            out.append((guess, None))
            continue
        final = WIDENING[guess]
        while final != "string":
            bad = conn.execute(
                f"SELECT count(*) FROM {_trimmed(table, [col])} WHERE {_present(col)} AND {_bad_expr(col, final)}"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
            ).fetchone()
            if bad is not None and bad[0] == 0:
                break
            final = WIDENING[final]
        first = conn.execute(
            f"SELECT min(__n) FROM {_trimmed(table, [col])} WHERE {_present(col)} AND {_bad_expr(col, guess)}"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
        ).fetchone()
        out.append((final, first[0] if first else None))
    return out


# --- loading -----------------------------------------------------------------------------------------


class _LineMap:
    """Maps a kept record (__n, 1-based) to its line in the original file."""

    def __init__(self, csv_path: Path, delimiter: str, rejected: set[int], xlsx_lines: list[int] | None) -> None:
        self.csv_path, self.delimiter, self.rejected, self.xlsx_lines = csv_path, delimiter, rejected, xlsx_lines
        self._cache: dict[int, int] = {}

    def lines(self, records: Sequence[int]) -> dict[int, int]:
        wanted = sorted(set(records) - set(self._cache))
        if wanted:
            self._scan(wanted)
        return {r: self._cache.get(r, r + 1) for r in records}

    def _scan(self, wanted: list[int]) -> None:
        targets = set(wanted)
        last = wanted[-1]
        kept = 0
        with self.csv_path.open("r", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            next(reader, None)  # header
            start = reader.line_num + 1
            for row in reader:
                line = start
                start = reader.line_num + 1
                if not row or (len(row) == 1 and row[0] == ""):
                    continue
                if line in self.rejected:
                    continue
                kept += 1
                if kept in targets:
                    self._cache[kept] = self.xlsx_lines[line - 1] if self.xlsx_lines else line
                    if kept >= last:
                        break


def load_table(
    src: Path,
    out: Path,
    *,
    original_name: str = "",
    declared: Sequence[dict[str, Any]] | None = None,
    primary_key: Sequence[str] = (),
    max_bad_share: float = MAX_BAD_ROW_SHARE,
) -> LoadResult:
    """Reads a CSV (UTF-8 or CP949) or XLSX file into a typed Parquet file at `out`.

    `declared`: the fields of the published version; columns with the same id keep their type
    and values that do not fit become bad rows. Raises LoadFailed for a file that is not a table.
    The result's `errors` is non-empty when the upload must not be published."""
    work = Path(tempfile.mkdtemp(prefix="ss-load-"))
    try:
        return _load(src, out, work, original_name, declared, primary_key, max_bad_share)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load(
    src: Path,
    out: Path,
    work: Path,
    original_name: str,
    declared: Sequence[dict[str, Any]] | None,
    primary_key: Sequence[str],
    max_bad_share: float,
) -> LoadResult:
    with src.open("rb") as fh:
        magic = fh.read(4)
    name = (original_name or src.name).lower()
    xlsx_lines: list[int] | None = None
    if magic.startswith(b"PK") or name.endswith((".xlsx", ".xlsm")):
        csv_path = work / "sheet.csv"
        xlsx_lines = _xlsx_to_csv(src, csv_path)
        encoding, source_format = "utf-8", "xlsx"
    else:
        if b"\x00" in magic:
            raise LoadFailed("The file is not a CSV text file.")
        encoding, source_format = detect_encoding(src), "csv"
        if encoding == "utf-8":
            csv_path = src
        else:
            csv_path = work / "utf8.csv"
            _transcode(src, encoding, csv_path)

    with csv_path.open("r", encoding="utf-8-sig", newline="") as fh:
        first_line = fh.readline()
        if not first_line.strip():
            raise LoadFailed("The file has no header row.")
        delimiter = _sniff_delimiter(first_line)
        fh.seek(0)
        raw_header = next(csv.reader(fh, delimiter=delimiter))
    if len(raw_header) > MAX_COLUMNS:
        raise LoadFailed(f"The file has {len(raw_header)} columns; at most {MAX_COLUMNS} are allowed.")
    columns = clean_headers(raw_header)

    conn = duckdb.connect(config={"threads": 4, "preserve_insertion_order": True})
    try:
        col_spec = "{" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in columns) + "}"
        conn.execute(
            f"CREATE TABLE raw AS SELECT row_number() OVER () AS __n, * FROM read_csv("  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
            f"{quote_literal(str(csv_path))}, header = true, auto_detect = false, columns = {col_spec}, "
            f"delim = {quote_literal(delimiter)}, quote = '\"', escape = '\"', ignore_errors = true, "
            f"store_rejects = true, parallel = false, max_line_size = 10000000)"
        )
        row_count_row = conn.execute("SELECT count(*) FROM raw").fetchone()
        kept_rows = row_count_row[0] if row_count_row else 0
        rejects = conn.execute(
            "SELECT line, column_idx, column_name, error_type, error_message FROM reject_errors ORDER BY line"
        ).fetchall()
        bad: dict[int, dict[str, Any]] = {}  # keyed by line
        rejected_lines: set[int] = set()
        for line, col_idx, col_name, error_type, message in rejects:
            line = int(line)
            rejected_lines.add(line)
            shown = xlsx_lines[line - 1] if xlsx_lines and 0 < line <= len(xlsx_lines) else line
            if shown in bad:
                continue
            bad[shown] = {
                "line": shown,
                "column": col_name or (columns[col_idx - 1] if col_idx and col_idx <= len(columns) else None),
                "reason": _reason(str(error_type), str(message), len(columns)),
            }
        line_map = _LineMap(csv_path, delimiter, rejected_lines, xlsx_lines)
        drop: set[int] = set()  # __n of kept records that become bad rows

        result = LoadResult(fields=[], row_count=0, encoding=encoding.replace("-sig", ""), source_format=source_format)
        if kept_rows == 0 and not bad:
            raise LoadFailed("The file has a header but no rows.")

        declared_types = {f["id"]: f["type"] for f in (declared or []) if f.get("type") in TYPES}
        sample_where = f"WHERE __n <= {SAMPLE_ROWS}"
        guesses = _guess_types(conn, "raw", columns, sample_where) if kept_rows else ["string"] * len(columns)
        types: list[str] = []
        undeclared = [i for i, c in enumerate(columns) if c not in declared_types]
        widened = (
            _widen_all(conn, "raw", [columns[i] for i in undeclared], [guesses[i] for i in undeclared])
            if kept_rows
            else [(guesses[i], None) for i in undeclared]
        )
        finals = dict(zip(undeclared, widened, strict=True))
        for i, (col, guess) in enumerate(zip(columns, guesses, strict=True)):
            if col in declared_types:
                types.append(declared_types[col])
                continue
            final, first_bad = finals[i]
            if final != guess:
                line = line_map.lines([first_bad])[first_bad] if first_bad else None
                result.widened.append({"column": col, "from": guess, "to": final, "line": line})
            types.append(final)

        # Declared types: values that do not fit are bad rows.
        for col, type_ in zip(columns, types, strict=True):
            if col not in declared_types or type_ == "string":
                continue
            rows = conn.execute(
                f"SELECT __n, {quote_ident(col)} FROM {_trimmed('raw', [col])} "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                f"WHERE {_present(col)} AND {_bad_expr(col, type_)} ORDER BY __n"
            ).fetchall()
            _add_bad(bad, drop, line_map, [(n, col, f"{_short(v)!r} is not a valid {type_}") for n, v in rows])

        # Primary key: present and unique.
        pk = [c for c in primary_key if c in columns]
        missing_pk = [c for c in primary_key if c not in columns]
        if missing_pk:
            result.errors.append(f"The primary key column(s) {', '.join(missing_pk)} are missing from the file.")
        if pk and kept_rows:
            empty = " OR ".join(f"{quote_ident(c)} IS NULL OR NOT {_present(c)}" for c in pk)
            rows = conn.execute(f"SELECT __n FROM {_trimmed('raw', pk)} WHERE {empty} ORDER BY __n").fetchall()  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
            _add_bad(bad, drop, line_map, [(n, pk[0], "the primary key is empty") for (n,) in rows])
            keys = ", ".join(quote_ident(c) for c in pk)
            dupes = conn.execute(f"SELECT count(*) - count(DISTINCT ({keys})) FROM raw").fetchone()  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
            rows = (
                []
                if dupes is not None and dupes[0] == 0
                else conn.execute(
                    f"SELECT __n FROM (SELECT __n, row_number() OVER (PARTITION BY {keys} ORDER BY __n) AS r FROM raw) "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                    f"WHERE r > 1 ORDER BY __n"
                ).fetchall()
            )
            _add_bad(bad, drop, line_map, [(n, pk[0], "the primary key repeats an earlier row") for (n,) in rows])

        total_lines = kept_rows + len({b for b in rejected_lines})
        result.bad_row_count = len(bad)
        result.bad_rows = sorted(bad.values(), key=lambda b: b["line"])[:MAX_REPORTED_BAD_ROWS]
        result.row_count = kept_rows - len(drop)
        if total_lines and result.bad_row_count / total_lines > max_bad_share:
            result.errors.append(
                f"{result.bad_row_count} of {total_lines} rows are bad (more than {max_bad_share:.0%}); "
                "fix the file and upload it again."
            )
        if result.row_count == 0:
            result.errors.append("No row could be loaded.")

        result.fields = [
            {"id": col, "type": type_, "info": {"label": raw.strip() or col, "api_name": api_name_for(raw, i)}}
            for i, (col, raw, type_) in enumerate(zip(columns, raw_header, types, strict=True), start=1)
        ]
        _dedupe_api_names(result.fields)
        if drop:
            conn.execute("CREATE TEMP TABLE dropped (__n BIGINT)")
            conn.executemany("INSERT INTO dropped VALUES (?)", [(n,) for n in sorted(drop)])
            source = "(SELECT * FROM raw WHERE __n NOT IN (SELECT __n FROM dropped))"
        else:
            source = "raw"
        select = ", ".join(f"{_cast_expr(c, t)} AS {quote_ident(c)}" for c, t in zip(columns, types, strict=True))
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = out.with_suffix(".part")
        id_expr = "row_number() OVER (ORDER BY __n)" if drop else "__n"  # __n is already 1..N without gaps
        conn.execute(
            f"COPY (SELECT {id_expr} AS _id, {select} FROM {source} ORDER BY __n) "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
            f"TO {quote_literal(str(tmp_out))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
        )
        tmp_out.replace(out)
        return result
    finally:
        conn.close()


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _add_bad(
    bad: dict[int, dict[str, Any]], drop: set[int], line_map: _LineMap, rows: list[tuple[int, str, str]]
) -> None:
    rows = [r for r in rows if r[0] not in drop]
    if not rows:
        return
    lines = line_map.lines([n for n, _, _ in rows[:MAX_REPORTED_BAD_ROWS]])
    for n, col, reason in rows:
        drop.add(n)
        line = lines.get(n, n + 1)
        bad.setdefault(line, {"line": line, "column": col, "reason": reason})


def _reason(error_type: str, message: str, width: int) -> str:
    if error_type == "TOO MANY COLUMNS":
        found = re.search(r"Found: (\d+)", message)
        return f"expected {width} fields, found {found.group(1) if found else 'more'}"
    if error_type == "MISSING COLUMNS":
        found = re.search(r"Found: (\d+)", message)
        return f"expected {width} fields, found {found.group(1) if found else 'fewer'}"
    if error_type == "UNQUOTED VALUE":
        return "a quote is not closed properly"
    if error_type == "INVALID ENCODING" or error_type == "INVALID UNICODE":
        return "the line has characters that are not valid text"
    return message.split("\n")[0][:200]


def _dedupe_api_names(fields: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for i, f in enumerate(fields, start=1):
        name = f["info"]["api_name"]
        if name in seen:
            name = f"{name}_{i}"
            f["info"]["api_name"] = name
        seen.add(name)


def write_table(
    rows: Sequence[dict[str, Any]] | Iterator[dict[str, Any]], fields: Sequence[dict[str, Any]], out: Path
) -> int:
    """Writes plain dict rows (module exports, demo data) with a known schema to Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_types = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
        "string": pa.string(),
    }
    names = [f["id"] for f in fields]
    schema = pa.schema([("_id", pa.int64())] + [(f["id"], arrow_types.get(f["type"], pa.string())) for f in fields])
    columns: dict[str, list[Any]] = {n: [] for n in names}
    ids: list[int] = []
    for i, row in enumerate(rows, start=1):
        ids.append(i)
        for f in fields:
            columns[f["id"]].append(_coerce(row.get(f["id"]), f["type"]))
    table = pa.table(
        [pa.array(ids, pa.int64())]
        + [pa.array(columns[n], arrow_types.get(f["type"], pa.string())) for n, f in zip(names, fields, strict=True)],
        schema=schema,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    pq.write_table(table, tmp, compression="zstd", row_group_size=100_000)
    tmp.replace(out)
    return len(ids)


def projection_path(path: Path, position: int) -> Path:
    """The copy of table `path` sorted by its `position`-th field (1-based)."""
    return path.with_name(f"{path.stem}.by-{position}.parquet")


def build_projections(path: Path, fields: Sequence[dict[str, Any]], row_count: int) -> list[str]:
    """Writes sorted copies of a large table, one per chosen column: the columns of a
    filterable type with 2 to PROJECTION_MAX_DISTINCT distinct values, fewest values first.
    Row-group statistics then let `query` skip everything but the filtered value's groups.
    Returns the chosen column names; small tables get none."""
    for stale in path.parent.glob(f"{path.stem}.by-*.parquet"):  # left by a version never recorded
        stale.unlink()
    if row_count < PROJECTION_MIN_ROWS:
        return []
    candidates = [(i, f["id"]) for i, f in enumerate(fields, start=1) if f["type"] in PROJECTION_TYPES]
    if not candidates:
        return []
    source = parquet_source(path)
    conn = duckdb.connect()
    try:
        counts = conn.execute(
            "SELECT " + ", ".join(f"approx_count_distinct({quote_ident(c)})" for _, c in candidates) + f" FROM {source}"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
        ).fetchone()
        ranked = sorted(
            (int(n), i, c)
            for (i, c), n in zip(candidates, counts or (), strict=True)
            if 2 <= n <= PROJECTION_MAX_DISTINCT
        )[:PROJECTION_MAX_COLUMNS]
        for _, position, column in ranked:
            out = projection_path(path, position)
            tmp = out.with_suffix(".part")
            conn.execute(
                f"COPY (SELECT * FROM {source} ORDER BY {quote_ident(column)} NULLS LAST, _id) TO "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                f"{quote_literal(str(tmp))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {PROJECTION_ROW_GROUP})"
            )
            tmp.replace(out)
    finally:
        conn.close()
    return [c for _, _, c in ranked]


def _projection_source(path: Path, fields: Sequence[dict[str, Any]], filtered: Sequence[str]) -> str | None:
    """The sorted copy to read for these equality filters, if the table has one."""
    positions = {f["id"]: i for i, f in enumerate(fields, start=1)}
    for name in filtered:
        if name in positions:
            candidate = projection_path(path, positions[name])
            if candidate.exists():
                return parquet_source(candidate)
    return None


def _coerce(value: Any, type_: str) -> Any:
    if value is None or value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return float(value)
    if type_ == "boolean":
        return bool(value) if not isinstance(value, str) else value.strip().lower() in {"true", "1", "y", "yes"}
    if type_ == "date":
        return (
            value
            if isinstance(value, date) and not isinstance(value, datetime)
            else (value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)))
        )
    if type_ == "datetime":
        value = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone().replace(tzinfo=None)
    return str(value)


# --- queries -----------------------------------------------------------------------------------------


@dataclass
class QueryResult:
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]] | list[list[Any]]
    total: int | None
    total_was_estimated: bool


def _python_value(value: str | Any, type_: str, name: str) -> Any:
    from .errors import OpenDataErrorCode, QueryError

    if not isinstance(value, str):
        if type_ in {"integer", "number"} and isinstance(value, bool):
            raise QueryError(f"The filter on {name} needs a {type_}.", code=OpenDataErrorCode.BAD_FILTER)
        if type_ in {"integer", "number", "boolean"} or value is None:
            return value
        value = str(value)
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            return float(value)
        if type_ == "boolean":
            if value.lower() not in {"true", "false"}:
                raise ValueError(value)
            return value.lower() == "true"
        if type_ == "date":
            return date.fromisoformat(value)
        if type_ == "datetime":
            return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError as exc:
        raise QueryError(
            f"The filter value {_short(value)!r} for {name} is not a valid {type_}.", code=OpenDataErrorCode.BAD_FILTER
        ) from exc
    return value


def parse_sort(sort: str | Sequence[str] | None, names: set[str]) -> list[tuple[str, str]]:
    from .errors import OpenDataErrorCode, QueryError

    if not sort:
        return []
    parts = sort.split(",") if isinstance(sort, str) else list(sort)
    out: list[tuple[str, str]] = []
    for part in parts:
        bits = part.strip().rsplit(" ", 1)
        col = bits[0].strip().strip('"')
        direction = bits[1].strip().lower() if len(bits) == 2 else "asc"
        if len(bits) == 2 and direction not in {"asc", "desc"}:
            col, direction = part.strip().strip('"'), "asc"
        if col not in names:
            raise QueryError(f'Cannot sort on unknown field "{col}".', code=OpenDataErrorCode.BAD_SORT)
        out.append((col, direction))
    return out


def query(
    path: Path,
    fields: Sequence[dict[str, Any]],
    *,
    row_count: int,
    filters: dict[str, Any] | None = None,
    q: str | dict[str, str] | None = None,
    sort: str | Sequence[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    select: Sequence[str] | None = None,
    distinct: bool = False,
    include_total: bool = True,
    as_lists: bool = False,
) -> QueryResult:
    """Filters (equality; a list means any of), `q` (text in any string column, or per column),
    sort, paging and field selection on one table. Rows come in `_id` order unless sorted."""
    from .errors import OpenDataErrorCode, QueryError

    all_fields = [{"id": "_id", "type": "integer"}, *fields]
    types = {f["id"]: f["type"] for f in all_fields}
    if select:
        unknown = [c for c in select if c not in types]
        if unknown:
            raise QueryError(f"Unknown field(s): {', '.join(unknown)}.", code=OpenDataErrorCode.BAD_FIELD)
        chosen = [f for f in all_fields if f["id"] in set(select)]
        chosen.sort(key=lambda f: list(select).index(f["id"]))
    else:
        chosen = all_fields
    where: list[str] = []
    params: list[Any] = []
    filtered: list[str] = []
    for name, value in (filters or {}).items():
        if name not in types:
            raise QueryError(f'The filter field "{name}" does not exist.', code=OpenDataErrorCode.BAD_FILTER)
        values = value if isinstance(value, list) else [value]
        if not values:
            continue
        converted = [_python_value(v, types[name], name) for v in values]
        where.append(f"{quote_ident(name)} IN ({', '.join('?' for _ in converted)})")
        params.extend(converted)
        filtered.append(name)
    text_cols = [f["id"] for f in fields if f["type"] == "string"]
    if isinstance(q, dict):
        for name, text in q.items():
            if name not in types:
                raise QueryError(f'The q field "{name}" does not exist.', code=OpenDataErrorCode.BAD_FILTER)
            where.append(f"CAST({quote_ident(name)} AS VARCHAR) ILIKE ?")
            params.append(f"%{_escape_like(str(text))}%")
    elif q and q.strip():
        for word in q.split():
            if not text_cols:
                where.append("false")
                break
            where.append("(" + " OR ".join(f"{quote_ident(c)} ILIKE ? ESCAPE '\\'" for c in text_cols) + ")")
            params.extend([f"%{_escape_like(word)}%"] * len(text_cols))
    order = parse_sort(sort, set(types)) or [("_id", "asc")]
    if ("_id", "asc") not in order and ("_id", "desc") not in order:
        order.append(("_id", "asc"))  # a total order: pages neither repeat nor skip rows
    order_sql = ", ".join(f"{quote_ident(c)} {d.upper()} NULLS LAST" for c, d in order)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    cols_sql = ", ".join(quote_ident(f["id"]) for f in chosen)
    projection = _projection_source(path, fields, filtered)
    source = projection or parquet_source(path)
    conn = connection().cursor()
    try:
        limit = max(0, int(limit))
        offset = max(0, int(offset))
        if distinct:
            sql = (
                f"SELECT DISTINCT {cols_sql} FROM {source} {where_sql} ORDER BY {cols_sql} "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                f"LIMIT {limit} OFFSET {offset}"
            )
        else:
            sql = f"SELECT {cols_sql} FROM {source} {where_sql} ORDER BY {order_sql} LIMIT {limit} OFFSET {offset}"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
        rows = conn.execute(sql, params).fetchall() if limit else []
        total: int | None = None
        estimated = False
        if include_total:
            if not where and not distinct:
                total = row_count
            elif distinct:
                r = conn.execute(
                    f"SELECT count(*) FROM (SELECT DISTINCT {cols_sql} FROM {source} {where_sql})", params  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                ).fetchone()
                total = int(r[0]) if r else 0
            elif row_count > ESTIMATE_THRESHOLD and projection is None:
                r = conn.execute(
                    f"SELECT count(*) FROM (SELECT * FROM {source} USING SAMPLE 2% (system, 7)) {where_sql}", params  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                ).fetchone()
                total = round((r[0] if r else 0) * 50)
                estimated = True
            else:
                r = conn.execute(f"SELECT count(*) FROM {source} {where_sql}", params).fetchone()  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                total = int(r[0]) if r else 0
    except duckdb.Error as exc:
        raise QueryError(
            f"The query could not run: {str(exc).splitlines()[0][:200]}", code=OpenDataErrorCode.BAD_QUERY
        ) from exc
    finally:
        conn.close()
    names = [f["id"] for f in chosen]
    records: list[dict[str, Any]] | list[list[Any]]
    if as_lists:
        records = [[_json_value(v) for v in row] for row in rows]
    else:
        records = [{n: _json_value(v) for n, v in zip(names, row, strict=True)} for row in rows]
    return QueryResult(fields=list(chosen), records=records, total=total, total_was_estimated=estimated)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def column_values(path: Path, column: str, *, limit: int = 5000) -> list[Any]:
    conn = connection().cursor()
    try:
        rows = conn.execute(
            f"SELECT {quote_ident(column)} FROM {parquet_source(path)} ORDER BY _id LIMIT {int(limit)}"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
        ).fetchall()
    finally:
        conn.close()
    return [_json_value(r[0]) for r in rows]


def distinct_counts(path: Path, columns: Sequence[str]) -> dict[str, int]:
    """How many different values each column holds (to tell a category from a per-row label)."""
    if not columns:
        return {}
    select = ", ".join(f"count(DISTINCT {quote_ident(c)})" for c in columns)
    conn = connection().cursor()
    try:
        row = conn.execute(f"SELECT {select} FROM {parquet_source(path)}").fetchone()  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
    finally:
        conn.close()
    return {c: int(n) for c, n in zip(columns, row or (), strict=False)}


def aggregate(path: Path, *, group_by: str, value: str | None, func: str, limit: int = 50) -> list[tuple[Any, Any]]:
    """Chart data: `func` (count, sum, avg, min, max) of `value` per `group_by`, largest first."""
    func = func.lower()
    if func not in {"count", "sum", "avg", "min", "max"}:
        func = "count"
    measure = "count(*)" if func == "count" or not value else f"{func}({quote_ident(value)})"
    conn = connection().cursor()
    try:
        rows = conn.execute(
            f"SELECT {quote_ident(group_by)} AS k, {measure} AS v FROM {parquet_source(path)} "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
            f"GROUP BY 1 ORDER BY v DESC NULLS LAST, k LIMIT {int(limit)}"
        ).fetchall()
    finally:
        conn.close()
    return [(_json_value(k), _json_value(v)) for k, v in rows]


# --- downloads -----------------------------------------------------------------------------------------


def export(path: Path, fields: Sequence[dict[str, Any]], fmt: str, out: Path) -> Path:
    """Writes the whole table (without _id, in _id order) as csv, json, xlsx or parquet."""
    cols: list[str] = []
    for f in fields:
        ident = quote_ident(f["id"])
        if f["type"] == "datetime":
            cols.append(f"strftime({ident}, '%Y-%m-%dT%H:%M:%S') AS {ident}")
        elif f["type"] == "date":
            cols.append(f"strftime({ident}, '%Y-%m-%d') AS {ident}")
        else:
            cols.append(ident)
    select = f"SELECT {', '.join(cols)} FROM {parquet_source(path)} ORDER BY _id"  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    conn = duckdb.connect()
    try:
        if fmt == "csv":
            # Text columns are guarded against spreadsheet formulas; numbers, dates and booleans
            # are written as they are (`smartseoul.lib.spreadsheet`).
            guarded = [
                f"{spreadsheet.sql_guard(quote_ident(f['id']))} AS {quote_ident(f['id'])}"
                if f["type"] == "string" else quote_ident(f["id"])
                for f in fields
            ]
            conn.execute(
                f"COPY (SELECT {', '.join(guarded)} FROM ({select})) TO {quote_literal(str(tmp))} "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                "(FORMAT csv, HEADER true)"
            )
        elif fmt == "json":
            conn.execute(f"COPY ({select}) TO {quote_literal(str(tmp))} (FORMAT json, ARRAY true)")
        elif fmt == "parquet":
            plain = ", ".join(quote_ident(f["id"]) for f in fields)
            conn.execute(
                f"COPY (SELECT {plain} FROM {parquet_source(path)} ORDER BY _id) TO "  # noqa: S608  (identifiers through quote_ident, paths through quote_literal, values bound)
                f"{quote_literal(str(tmp))} (FORMAT parquet, COMPRESSION zstd)"
            )
        elif fmt == "xlsx":
            _write_xlsx(
                conn, select, [f["info"].get("label") or f["id"] if f.get("info") else f["id"] for f in fields], tmp
            )
        else:
            raise ValueError(fmt)
    finally:
        conn.close()
    tmp.replace(out)
    return out


def _write_xlsx(conn: duckdb.DuckDBPyConnection, select: str, header: list[str], out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(spreadsheet.xlsx_row(ws, header))
    cursor = conn.execute(select + " LIMIT 1048575")
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            ws.append(spreadsheet.xlsx_row(ws, row))  # text stays text, never a formula
    with out.open("wb") as fh:
        wb.save(fh)


def reencoded(path: Path, encoding: str, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """The UTF-8 export at `path` as bytes in `encoding`: unchanged for utf-8, behind a byte-order
    mark for utf-8-sig (so Excel reads Korean), transcoded for cp949 (the few characters cp949 lacks
    become '?')."""
    if encoding == "utf-8-sig":
        yield codecs.BOM_UTF8
        encoding = "utf-8"
    if encoding == "utf-8":
        with path.open("rb") as raw:
            while chunk := raw.read(chunk_size):
                yield chunk
        return
    with path.open("r", encoding="utf-8", newline="") as text:
        while part := text.read(chunk_size):
            yield part.encode(encoding, errors="replace")


def csv_bytes(records: Sequence[dict[str, Any]], names: Sequence[str], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(spreadsheet.row(names))
    for r in records:
        writer.writerow(spreadsheet.row("" if r.get(n) is None else r.get(n) for n in names))
    return buf.getvalue()
