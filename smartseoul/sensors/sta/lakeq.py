"""Observations read from the lake (DuckDB over the source-stage Parquet files).

Conditions on the Observation's own properties become SQL; conditions on its Datastream
(and beyond) or FeatureOfInterest are evaluated on the database entity set and become id sets.
Observations of deleted or hidden Datastreams and FeaturesOfInterest are never returned,
and corrections made through the API replace the stored rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from smartseoul.core import clock

from .. import lake
from ..errors import BadQuery
from ..models import ObservationRevision
from ..timeutil import from_us, iso
from .model import SETS
from .orm import OrmCompiler
from .parser import BOOLEAN_FUNCTIONS, Geometry, Node, Options

OWN = {
    "id": "o.id",
    "@iot.id": "o.id",
    "phenomenonTime": "o.phenomenon_time",
    "resultTime": "o.result_time",
    "validTime": "o.valid_start",
    "result": "o.result",
    "resultQuality": "o.result_quality",
}
SQL_FUNCS = {
    "length": "length({0})",
    "tolower": "lower({0})",
    "toupper": "upper({0})",
    "trim": "trim({0})",
    "year": "year({0})",
    "month": "month({0})",
    "day": "day({0})",
    "hour": "hour({0})",
    "minute": "minute({0})",
    "second": "second({0})",
    "fractionalseconds": "(microsecond({0}) % 1000000) / 1e6",
    "date": "CAST({0} AS DATE)",
    "time": "CAST({0} AS TIME)",
    "totaloffsetminutes": "0",
    "round": "round({0})",
    "floor": "floor({0})",
    "ceiling": "ceil({0})",
    "indexof": "(instr({0}, {1}) - 1)",
    "concat": "concat({0}, {1})",
    "substringof": "contains({1}, {0})",
    "startswith": "starts_with({0}, {1})",
    "endswith": "ends_with({0}, {1})",
}
OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}


@dataclass
class LakeQuery:
    sql_where: list[str]
    params: list[Any]
    id_tables: dict[str, np.ndarray]


class SqlCompiler:
    def __init__(self, visible_ds: Any, visible_foi: Any, visible: Callable[[str], Any] | None = None) -> None:
        self.params: list[Any] = []
        self.tables: dict[str, np.ndarray] = {}
        self.visible_ds = visible_ds
        self.visible_foi = visible_foi
        self.visible = visible

    def _table(self, ids: Any) -> str:
        name = f"ids{len(self.tables)}"
        self.tables[name] = np.fromiter((int(x) for x in ids), dtype=np.int64)
        return name

    def cond(self, node: Node) -> str:
        kind = node[0]
        if kind in ("and", "or"):
            return f"({self.cond(node[1])} {kind.upper()} {self.cond(node[2])})"
        if kind == "not":
            return f"(NOT {self.cond(node[1])})"
        roots = _roots(node)
        if roots and roots <= {"Datastream"}:
            return self._delegate(node, "Datastreams", "Datastream", "o.datastream_id", self.visible_ds)
        if roots and roots <= {"FeatureOfInterest"}:
            return self._delegate(node, "FeaturesOfInterest", "FeatureOfInterest", "o.foi_id", self.visible_foi)
        if roots - {"", *OWN, "parameters", "phenomenonTime"}:
            raise BadQuery("a condition may mix an Observation's own properties with those of only one related entity")
        if kind == "cmp":
            return self.cmp(node[1], node[2], node[3])
        if kind == "call" and node[1] in BOOLEAN_FUNCTIONS:
            if node[1] not in SQL_FUNCS:
                raise BadQuery("geometry conditions on Observations go through FeatureOfInterest/feature")
            return SQL_FUNCS[node[1]].format(*(self.expr(a) for a in node[2]))
        if kind == "lit" and isinstance(node[1], bool):
            return "TRUE" if node[1] else "FALSE"
        raise BadQuery("$filter must be a condition (a comparison or a true/false function)")

    def _delegate(self, node: Node, set_name: str, root: str, column: str, base: Any) -> str:
        stripped = _strip_root(node, root)
        q = OrmCompiler(SETS[set_name], self.visible).q(stripped)
        ids = base.filter(q).values_list("pk", flat=True).distinct()
        return f"{column} IN (SELECT id FROM {self._table(ids)})"  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)

    def cmp(self, op: str, left: Node, right: Node) -> str:
        for a, b in ((left, right), (right, left)):
            if a[0] == "call" and a[1] in BOOLEAN_FUNCTIONS and b[0] == "lit" and isinstance(b[1], bool):
                inner = self.cond(a)
                return inner if (op == "eq") == b[1] else f"(NOT {inner})"
        if ("lit", None) in (left, right):
            other = left if right == ("lit", None) else right
            test = "IS NULL" if op == "eq" else "IS NOT NULL"
            if other == ("path", ("result",)):
                return "(o.result_text = 'null')" if op == "eq" else "(o.result_text IS DISTINCT FROM 'null')"
            return f"({self.expr(other)} {test})"
        # result against a string or boolean compares the JSON text
        for a, b in ((left, right), (right, left)):
            if a == ("path", ("result",)) and b[0] == "lit" and isinstance(b[1], str | bool):
                self.params.append(json.dumps(b[1]))
                if op in ("eq", "ne"):
                    return f"(o.result_text {OPS[op]} ?)" if op == "eq" else "(o.result_text IS DISTINCT FROM ?)"
                self.params[-1] = b[1]
                return f"(json_extract_string(o.result_text, '$') {OPS[op] if a is left else OPS[_flip(op)]} ?)"
        for a, b, flipped in ((left, right, False), (right, left, True)):
            if a[0] == "path" and a[1][0] in ("phenomenonTime", "validTime") and len(a[1]) == 1:
                start, end = (
                    ("o.phenomenon_time", "coalesce(o.phenomenon_end, o.phenomenon_time)")
                    if a[1][0] == "phenomenonTime"
                    else ("o.valid_start", "coalesce(o.valid_end, o.valid_start)")
                )
                real = _flip(op) if flipped else op
                value = self.expr(b)
                if real == "eq":
                    return f"({start} <= {value} AND {end} >= {value})"
                if real == "ne":
                    return f"NOT ({start} <= {value} AND {end} >= {value})"
                return f"({start if real in ('gt', 'ge') else end} {OPS[real]} {value})"
        return f"({self.expr(left)} {OPS[op]} {self.expr(right)})"

    def expr(self, node: Node) -> str:
        kind = node[0]
        if kind == "lit":
            v = node[1]
            if isinstance(v, Geometry):
                raise BadQuery("a geometry can only be used in a geo function")
            if isinstance(v, datetime):
                self.params.append(v.isoformat())
                return "CAST(? AS TIMESTAMPTZ)"
            if isinstance(v, bool):
                return "TRUE" if v else "FALSE"
            self.params.append(v)
            return "?"
        if kind == "path":
            path = node[1]
            if path[0] == "parameters" and len(path) > 1:
                self.params.append("$." + ".".join(path[1:]))
                return "json_extract_string(o.parameters, ?)"
            if len(path) == 1 and path[0] in OWN:
                return OWN[path[0]]
            raise BadQuery(f"Observations have no property {'/'.join(path)!r} here")
        if kind == "arith":
            return f"({self.expr(node[2])} {ARITH[node[1]]} {self.expr(node[3])})"
        if kind == "call":
            name, args = node[1], node[2]
            if name == "now":
                self.params.append(clock.now().isoformat())
                return "CAST(? AS TIMESTAMPTZ)"
            if name in ("mindatetime", "maxdatetime"):
                return "o.phenomenon_time" if name == "mindatetime" else "coalesce(o.phenomenon_end, o.phenomenon_time)"
            if name == "substring":
                parts = [self.expr(a) for a in args]
                return f"substr({parts[0]}, {parts[1]} + 1{', ' + parts[2] if len(parts) == 3 else ''})"
            if name in SQL_FUNCS:
                return SQL_FUNCS[name].format(*(self.expr(a) for a in args))
            raise BadQuery(f"{name} cannot be used on Observations")
        raise BadQuery("a condition cannot be used as a value here")


def _flip(op: str) -> str:
    return {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}.get(op, op)


def _roots(node: Node) -> set[str]:
    if node[0] == "path":
        first = node[1][0]
        return {first if first in ("Datastream", "FeatureOfInterest") else ""}
    out: set[str] = set()
    for part in node[1:]:
        if (
            isinstance(part, tuple)
            and part
            and isinstance(part[0], str)
            and part[0] in {"and", "or", "not", "cmp", "arith", "call", "path", "lit"}
        ):
            out |= _roots(part)
        elif isinstance(part, tuple):
            for sub in part:
                if isinstance(sub, tuple) and sub and isinstance(sub[0], str):
                    out |= _roots(sub)
    return out


def _strip_root(node: Node, root: str) -> Node:
    if node[0] == "path":
        return ("path", node[1][1:])
    out: list[Any] = [node[0]]
    for part in node[1:]:
        if isinstance(part, tuple) and part and part[0] in {"and", "or", "not", "cmp", "arith", "call", "path", "lit"}:
            out.append(_strip_root(part, root))
        elif isinstance(part, tuple):
            out.append(tuple(_strip_root(s, root) if isinstance(s, tuple) else s for s in part))
        else:
            out.append(part)
    return tuple(out)


TS_COLUMNS = frozenset(f.name for f in lake.OBSERVATION_SCHEMA if pa.types.is_timestamp(f.type))
ORDER = {
    "id": "o.id",
    "@iot.id": "o.id",
    "phenomenonTime": "o.phenomenon_time",
    "resultTime": "o.result_time",
    "result": "o.result",
    "validTime": "o.valid_start",
}


# --- execution ---------------------------------------------------------------------------------------


def _revisions() -> tuple[np.ndarray, pa.Table | None]:
    revs = list(ObservationRevision.objects.values_list("observation_id", "deleted", "row"))
    if not revs:
        return np.array([], dtype=np.int64), None
    ids = np.array([r[0] for r in revs], dtype=np.int64)
    rows = [r[2] for r in revs if not r[1] and r[2]]
    if not rows:
        return ids, None
    cols: dict[str, list[Any]] = {f.name: [] for f in lake.OBSERVATION_SCHEMA}
    for row in rows:
        for name in cols:
            value = row.get(name)
            if value is not None and pa.types.is_timestamp(lake.OBSERVATION_SCHEMA.field(name).type):
                value = datetime.fromisoformat(value)
            cols[name].append(value)
    return ids, pa.table(cols, schema=lake.OBSERVATION_SCHEMA)


def run(
    *,
    visible_ds: Any,
    visible_foi: Any,
    visible: Callable[[str], Any] | None = None,
    constraint: tuple[str, list[int]] | None,
    options: Options,
    want_count: bool,
    limit: int,
    skip: int,
) -> tuple[list[dict[str, Any]], int | None]:
    """Rows (dicts of lake columns) matching the options, and the total when asked for.
    `visible(set name)` gives the entities the caller may see, for conditions on related entities."""
    compiler = SqlCompiler(visible_ds, visible_foi, visible)
    where = [
        f"o.datastream_id IN (SELECT id FROM {compiler._table(visible_ds.values_list('pk', flat=True))})",  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        f"(o.foi_id = 0 OR o.foi_id IN (SELECT id FROM {compiler._table(visible_foi.values_list('pk', flat=True))}))",  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
    ]
    if constraint is not None:
        column, ids = constraint
        where.append(f"o.{column} IN (SELECT id FROM {compiler._table(ids)})")  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
    if options.filter is not None:
        where.append(compiler.cond(options.filter))
    order = []
    for path, desc in options.orderby:
        key = "/".join(path)
        if key not in ORDER:
            raise BadQuery(f"Observations can be ordered by {', '.join(sorted(ORDER))} (not {key})")
        order.append(f"{ORDER[key]} {'DESC NULLS LAST' if desc else 'ASC NULLS FIRST'}")
    order.append("o.id ASC")
    revised, rev_table = _revisions()
    con = lake.connect()
    for name, table_ids in compiler.tables.items():
        con.register(name, pa.table({"id": pa.array(table_ids, type=pa.int64())}))
    source = lake.scan_sql(lake.files(lake.OBSERVATIONS))
    base = f"SELECT * FROM {source}"  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
    if len(revised):
        con.register("revised", pa.table({"id": pa.array(revised)}))
        base += " WHERE id NOT IN (SELECT id FROM revised)"
        if rev_table is not None:
            con.register("rev_rows", rev_table)
            base = f"({base}) UNION ALL BY NAME (SELECT * FROM rev_rows)"  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
    sql_where = " AND ".join(where)
    total = None
    if want_count:
        counted = con.execute(f"SELECT count(*) FROM ({base}) o WHERE {sql_where}", compiler.params).fetchone()  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        total = int(counted[0]) if counted else 0
    cols = ", ".join(
        f"epoch_us(o.{f.name}) AS {f.name}" if f.name in TS_COLUMNS else f"o.{f.name}" for f in lake.OBSERVATION_SCHEMA
    )
    cur = con.execute(
        f"SELECT {cols} FROM ({base}) o WHERE {sql_where} ORDER BY {', '.join(order)} "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        f"LIMIT {int(limit)} OFFSET {int(skip)}",
        compiler.params,
    )
    names = [d[0] for d in cur.description]
    rows = []
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        for name in TS_COLUMNS:
            if row.get(name) is not None:
                row[name] = from_us(row[name])
        rows.append(row)
    return rows, total


def run_one(
    observation_id: int, *, visible_ds: Any, visible_foi: Any, visible: Callable[[str], Any] | None = None
) -> dict[str, Any] | None:
    from .parser import Options as Opts

    rows, _ = run(
        visible_ds=visible_ds,
        visible_foi=visible_foi,
        visible=visible,
        constraint=("id", [observation_id]),
        options=Opts(),
        want_count=False,
        limit=1,
        skip=0,
    )
    return rows[0] if rows else None


def run_per_parent(
    *, visible_ds: Any, visible_foi: Any, column: str, parent_ids: list[int], options: Options, want_count: bool
) -> dict[int, tuple[list[dict[str, Any]], int | None]]:
    """For $expand: the first rows of each parent (one query per parent set)."""
    result: dict[int, tuple[list[dict[str, Any]], int | None]] = {}
    for pid in parent_ids:
        rows, total = run(
            visible_ds=visible_ds,
            visible_foi=visible_foi,
            constraint=(column, [pid]),
            options=options,
            want_count=want_count,
            limit=options.limit,
            skip=options.skip,
        )
        result[pid] = (rows, total)
    return result


def row_to_json_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The STA properties of a lake row (the result as its exact JSON)."""
    from .render import RawJson

    start, end = row["phenomenon_time"], row.get("phenomenon_end")
    phen = iso(start) if end is None else f"{iso(start)}/{iso(end)}"
    if row.get("result_text") is not None:
        result: Any = RawJson(row["result_text"])
    else:
        value = row["result"]
        result = int(value) if value is not None and float(value).is_integer() and abs(value) < 2**53 else value
    out: dict[str, Any] = {"phenomenonTime": phen, "result": result, "resultTime": iso(row.get("result_time"))}
    if row.get("result_quality") is not None:
        out["resultQuality"] = RawJson(row["result_quality"])
    if row.get("valid_start") is not None:
        out["validTime"] = f"{iso(row['valid_start'])}/{iso(row.get('valid_end') or row['valid_start'])}"
    if row.get("parameters") is not None:
        out["parameters"] = RawJson(row["parameters"])
    return out
