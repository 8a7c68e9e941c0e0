"""The read-only SQL endpoint (CKAN's datastore_search_sql): one SELECT, checked with sqlglot,
run on a fresh DuckDB connection that can read only the referenced tables' Parquet files,
with a row limit and a time limit. Off unless settings.OPENDATA_SQL_ENABLED is true."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from .datastore import _json_value, quote_ident, quote_literal
from .errors import OpenDataErrorCode, QueryError

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
}
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
    "copy_",
)


@dataclass
class SqlResult:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    truncated: bool


def refuse(message: str) -> QueryError:
    return QueryError(message, code=OpenDataErrorCode.SQL_REFUSED)


def validate(sql: str) -> tuple[exp.Expression, set[str]]:
    """Parses `sql`; returns the statement and the table names it reads. Refuses anything
    other than exactly one SELECT over plain table names."""
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
    if not isinstance(statement, exp.Select):
        raise refuse("Only a SELECT statement is allowed.")
    for node in statement.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise refuse(f"{node.key.upper()} is not allowed in a read-only query.")
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in _DENIED_FUNCTIONS or name.startswith(_DENIED_PREFIXES):
                raise refuse(f"The function {name} is not allowed.")
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    tables: set[str] = set()
    for table in statement.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise refuse("Table functions are not allowed; read tables by their resource id.")
        if table.args.get("db") or table.args.get("catalog"):
            raise refuse("Schema-qualified table names are not allowed.")
        if table.name not in ctes:
            tables.add(table.name)
    return statement, tables


def run(statement: exp.Expression, tables: Mapping[str, Path], *, max_rows: int, timeout_s: float) -> SqlResult:
    """Runs a validated statement. Only `tables` (name → Parquet file) are readable."""
    conn = duckdb.connect(config={"threads": 2})
    timer = threading.Timer(timeout_s, conn.interrupt)
    try:
        for name, path in tables.items():
            conn.execute(f"CREATE VIEW {quote_ident(name)} AS SELECT * FROM read_parquet({quote_literal(str(path))})")
        allowed = ", ".join(quote_literal(str(p)) for p in tables.values())
        conn.execute(f"SET allowed_paths = [{allowed}]")
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
        inner = statement.sql(dialect="duckdb")
        timer.start()
        cursor = conn.execute(f"SELECT * FROM ({inner}) AS result LIMIT {int(max_rows) + 1}")
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description or []]
        types = [str(d[1]) for d in cursor.description or []]
    except duckdb.InterruptException as exc:
        raise QueryError("The query took too long and was stopped.", code=OpenDataErrorCode.SQL_TIMEOUT) from exc
    except duckdb.Error as exc:
        raise refuse(f"The query failed: {str(exc).splitlines()[0][:200]}") from exc
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
