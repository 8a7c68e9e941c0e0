"""The read-only SQL endpoint (CKAN's datastore_search_sql): one SELECT, checked with sqlglot,
run on a fresh DuckDB connection that can read only the referenced tables' Parquet files,
with a row limit, a time limit, a memory limit and a cap on what it may spill to disk.
Off unless settings.OPENDATA_SQL_ENABLED is true.

Two walls, each enough on its own for files and the network: the parser refuses anything but
one query over resource ids, and the connection has external access off (only the tables'
Parquet files are allowed), extensions neither installed nor loaded, and its configuration
locked before the caller's SQL runs."""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from .datastore import _json_value, quote_ident, quote_literal
from .errors import OpenDataErrorCode, QueryError, SqlBusy

_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    t
    for t in (
        getattr(exp, n, None)
        for n in (
            "Insert",
            "Update",
            "Delete",
            "Create",
            "Drop",
            "Alter",
            "Command",
            "Pragma",
            "Set",
            "Copy",
            "Attach",
            "Detach",
            "Into",
            "Merge",
            "TruncateTable",
            "Use",
            "Transaction",
            "Commit",
            "Rollback",
            "LoadData",
            "Install",
            "Describe",
        )
    )
    if isinstance(t, type)
)
_DENIED_FUNCTIONS = {
    "query",
    "query_table",
    "getenv",
    "current_setting",
    "load",
    "install",
    "glob",
    "read_blob",
    "read_text",
    "sniff_csv",
    "checkpoint",
    "force_checkpoint",
    "which_secret",
    "system",
    "getvariable",
    "version",
    "user",
    "session_user",
    "txid_current",
    "nextval",
    "currval",
    "setval",
}
# current_date, current_time and current_timestamp are ordinary values; every other current_*
# (current_setting, current_database, current_schema(s), current_user, current_query …) is not.
_ALLOWED_CURRENT = {"current_date", "current_time", "current_timestamp", "current_localtimestamp"}
_DENIED_PREFIXES = (
    "read_",
    "parquet_",
    "duckdb_",
    "pragma_",
    "iceberg_",
    "delta_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "http",
    "s3",
    "json_execute",
    "json_deserialize_sql",
    "copy_",
    "current_",
    "pg_",
    "has_",
    "load_",
    "install_",
    "sniff_",
    "st_read",
    "ducklake",
    "excel",
    "gdal",
)
_QUERIES = (exp.Select, exp.SetOperation)
_BUSY_WAIT_S = 2.0


@dataclass(frozen=True)
class Limits:
    """What one query may use. Memory and spill sizes are DuckDB sizes ("256MB", "1GB")."""

    max_rows: int = 32_000
    timeout_s: float = 5.0
    memory_limit: str = "256MB"
    max_temp_directory_size: str = "512MB"
    temp_dir: str = ""  # empty: the system's temporary directory
    threads: int = 1
    concurrency: int = 2


def limits() -> Limits:
    """The limits from settings (OPENDATA_SQL_*), with the defaults above."""
    from django.conf import settings

    d = Limits()
    return Limits(
        max_rows=int(getattr(settings, "OPENDATA_SQL_MAX_ROWS", d.max_rows)),
        timeout_s=float(getattr(settings, "OPENDATA_SQL_TIMEOUT_S", d.timeout_s)),
        memory_limit=str(getattr(settings, "OPENDATA_SQL_MEMORY_LIMIT", d.memory_limit)),
        max_temp_directory_size=str(getattr(settings, "OPENDATA_SQL_TEMP_LIMIT", d.max_temp_directory_size)),
        temp_dir=str(getattr(settings, "OPENDATA_SQL_TEMP_DIR", d.temp_dir) or ""),
        threads=max(1, int(getattr(settings, "OPENDATA_SQL_THREADS", d.threads))),
        concurrency=max(1, int(getattr(settings, "OPENDATA_SQL_CONCURRENCY", d.concurrency))),
    )


_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _slot(concurrency: int) -> threading.BoundedSemaphore:
    """One semaphore per configured concurrency: at most that many queries run at once per process,
    so memory use is bounded by concurrency × memory_limit."""
    with _slots_lock:
        sem = _slots.get(concurrency)
        if sem is None:
            sem = _slots[concurrency] = threading.BoundedSemaphore(concurrency)
        return sem


@dataclass
class SqlResult:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    truncated: bool


def refuse(message: str) -> QueryError:
    return QueryError(message, code=OpenDataErrorCode.SQL_REFUSED)


def _function_names(node: exp.Func) -> set[str]:
    """The names a function call may go by: sqlglot's and the one it is written as for DuckDB."""
    names = {(node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()}
    try:
        rendered = node.sql(dialect="duckdb")
    except Exception:  # a node sqlglot cannot write back is refused below by its own name
        rendered = ""
    head = rendered.split("(", 1)[0].strip().strip('"').lower()
    if head and head.replace("_", "").isalnum():
        names.add(head)
    return names


def _denied(name: str) -> bool:
    if name in _ALLOWED_CURRENT:
        return False
    return name in _DENIED_FUNCTIONS or name.startswith(_DENIED_PREFIXES)


def _is_resource_id(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name.lower()
    except ValueError:
        return False


def validate(sql: str) -> tuple[exp.Expression, set[str]]:
    """Parses `sql`; returns the statement and the table names it reads. Refuses anything
    other than exactly one query (SELECT, or SELECTs joined by UNION/INTERSECT/EXCEPT) over
    tables named by their resource id."""
    if not sql or not sql.strip():
        raise refuse("The sql parameter is empty.")
    if len(sql) > 20_000:
        raise refuse("The SQL statement is too long.")
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise refuse(f"The SQL could not be parsed: {str(exc).splitlines()[0][:200]}") from exc
    if len(statements) != 1:
        raise refuse("Send exactly one SELECT statement.")
    statement = statements[0]
    if not isinstance(statement, _QUERIES):
        raise refuse("Only a SELECT statement is allowed.")
    for node in statement.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise refuse(f"{node.key.upper()} is not allowed in a read-only query.")
        if isinstance(node, exp.Func):
            for name in sorted(_function_names(node)):
                if _denied(name):
                    raise refuse(f"The function {name} is not allowed.")
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    tables: set[str] = set()
    for table in statement.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise refuse("Table functions are not allowed; read tables by their resource id.")
        if table.args.get("db") or table.args.get("catalog"):
            raise refuse("Schema-qualified table names are not allowed.")
        if table.name in ctes:
            continue
        if not _is_resource_id(table.name):
            # DuckDB would read a quoted file name or URL in FROM as a file ("replacement scan").
            raise refuse(
                f"Unknown table {table.name[:80]!r}: read datastore tables by their resource id "
                "(files and URLs cannot be read)."
            )
        tables.add(table.name)
    return statement, tables


def connect(tables: Mapping[str, Path], lim: Limits, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with `tables` (name → Parquet file) as views and nothing
    else readable; its configuration is locked, so the caller's SQL cannot change a limit."""
    conn = duckdb.connect(
        config={
            "threads": lim.threads,
            "memory_limit": lim.memory_limit,
            "max_temp_directory_size": lim.max_temp_directory_size,
            "temp_directory": str(temp_dir),
            "preserve_insertion_order": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "allow_community_extensions": False,
            "allow_unsigned_extensions": False,
            "allow_persistent_secrets": False,
        }
    )
    try:
        for name, path in tables.items():
            conn.execute(f"CREATE VIEW {quote_ident(name)} AS SELECT * FROM read_parquet({quote_literal(str(path))})")  # noqa: S608  (the query passed sqlsafe.validate; names and paths quoted)
        allowed = ", ".join(quote_literal(str(p)) for p in tables.values())
        conn.execute(f"SET allowed_paths = [{allowed}]")
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
    except BaseException:
        conn.close()
        raise
    return conn


def run(
    statement: exp.Expression,
    tables: Mapping[str, Path],
    *,
    limits: Limits | None = None,
    max_rows: int | None = None,
    timeout_s: float | None = None,
) -> SqlResult:
    """Runs a validated statement. Only `tables` (name → Parquet file) are readable."""
    lim = limits or Limits()
    max_rows = lim.max_rows if max_rows is None else max_rows
    timeout_s = lim.timeout_s if timeout_s is None else timeout_s
    slot = _slot(lim.concurrency)
    if not slot.acquire(timeout=min(timeout_s, _BUSY_WAIT_S)):
        raise SqlBusy("Too many SQL queries are running; try again in a moment.")
    base = Path(lim.temp_dir) if lim.temp_dir else Path(tempfile.gettempdir())
    try:
        base.mkdir(parents=True, exist_ok=True)
        spill = Path(tempfile.mkdtemp(prefix="sql-", dir=base))
        try:
            return _execute(statement, tables, lim, spill, max_rows=max_rows, timeout_s=timeout_s)
        finally:
            shutil.rmtree(spill, ignore_errors=True)
    finally:
        slot.release()


def _execute(
    statement: exp.Expression,
    tables: Mapping[str, Path],
    lim: Limits,
    spill: Path,
    *,
    max_rows: int,
    timeout_s: float,
) -> SqlResult:
    conn = connect(tables, lim, spill)
    timer = threading.Timer(timeout_s, conn.interrupt)
    try:
        inner = statement.sql(dialect="duckdb")
        timer.start()
        cursor = conn.execute(f"SELECT * FROM ({inner}) AS result LIMIT {int(max_rows) + 1}")  # noqa: S608  (the query passed sqlsafe.validate; names and paths quoted)
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description or []]
        types = [str(d[1]) for d in cursor.description or []]
    except duckdb.InterruptException as exc:
        raise QueryError("The query took too long and was stopped.", code=OpenDataErrorCode.SQL_TIMEOUT) from exc
    except duckdb.OutOfMemoryException as exc:
        raise QueryError(
            f"The query needs more memory than a query may use ({lim.memory_limit}, "
            f"{lim.max_temp_directory_size} on disk) and was stopped.",
            code=OpenDataErrorCode.SQL_MEMORY,
        ) from exc
    except duckdb.PermissionException as exc:
        raise refuse("The query tried to read a file, a URL or an extension, which is not allowed.") from exc
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        for name, path in tables.items():  # never show where a table's file lives
            message = message.replace(str(path), name)
        raise refuse(f"The query failed: {message[:200]}") from exc
    finally:
        timer.cancel()
        conn.close()
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    return SqlResult(
        fields=[{"id": n, "type": t.lower()} for n, t in zip(names, types, strict=True)],
        records=[{n: _json_value(v) for n, v in zip(names, row, strict=True)} for row in rows],
        truncated=truncated,
    )
