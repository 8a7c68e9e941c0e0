"""Compiles a `$filter` tree into a Django filter for the database entity sets.

Geometry functions are evaluated with shapely over the (small) table that holds the geometry
and become `pk__in` conditions, so any database backend works without a spatial extension.

A condition on a related entity (`Datastreams/Thing/name eq 'x'`) is evaluated on that entity's
set *as the caller may see it* and becomes an `__in` condition, one relation at a time, so a
filter never reads a property of an entity the caller may not see (a home device's Thing
behind a shared Sensor, say) — not even as a yes/no answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import shapely
from django.db.models import F, FloatField, Q, Value
from django.db.models import lookups as L
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import (
    Cast,
    Ceil,
    Concat,
    ExtractDay,
    ExtractHour,
    ExtractMinute,
    ExtractMonth,
    ExtractSecond,
    ExtractYear,
    Floor,
    Length,
    Lower,
    Mod,
    Round,
    StrIndex,
    Substr,
    Trim,
    TruncDate,
    TruncTime,
    Upper,
)
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from smartseoul.core import clock

from ..errors import BadQuery
from .model import SETS, EntitySet
from .parser import BOOLEAN_FUNCTIONS, GEO_FUNCTIONS, Geometry, Node

CMP = {"eq": L.Exact, "gt": L.GreaterThan, "ge": L.GreaterThanOrEqual, "lt": L.LessThan, "le": L.LessThanOrEqual}
SIMPLE_FUNCS: dict[str, Callable[..., Any]] = {
    "length": Length,
    "tolower": Lower,
    "toupper": Upper,
    "trim": Trim,
    "year": ExtractYear,
    "month": ExtractMonth,
    "day": ExtractDay,
    "hour": ExtractHour,
    "minute": ExtractMinute,
    "second": ExtractSecond,
    "date": TruncDate,
    "time": TruncTime,
    "round": Round,
    "floor": Floor,
    "ceiling": Ceil,
}
PREDICATES: dict[str, Callable[[BaseGeometry, BaseGeometry], bool]] = {
    "geo.intersects": lambda a, b: a.intersects(b),
    "st_intersects": lambda a, b: a.intersects(b),
    "st_equals": lambda a, b: a.equals(b),
    "st_disjoint": lambda a, b: a.disjoint(b),
    "st_touches": lambda a, b: a.touches(b),
    "st_within": lambda a, b: a.within(b),
    "st_overlaps": lambda a, b: a.overlaps(b),
    "st_crosses": lambda a, b: a.crosses(b),
    "st_contains": lambda a, b: a.contains(b),
}


def json_text(field_path: str, keys: list[str]) -> Any:
    """The text of a JSON key below a (possibly related) JSON field, e.g. thing__properties → serial."""
    expr: Any = field_path
    for key in keys[:-1]:
        expr = KeyTransform(key, expr)
    return KeyTextTransform(keys[-1], expr)


class PathInfo:
    def __init__(self, es: EntitySet, prefix: str, prop: str, keys: list[str], target: EntitySet) -> None:
        self.es, self.prefix, self.prop, self.keys, self.target = es, prefix, prop, keys, target

    @property
    def field(self) -> str:
        if self.prop in ("id", "@iot.id"):
            return self.prefix + "pk"
        return self.prefix + self.target.props[self.prop]


def resolve(es: EntitySet, path: tuple[str, ...]) -> PathInfo:
    prefix = ""
    current = es
    for i, seg in enumerate(path):
        if seg in current.navs:
            nav = current.navs[seg]
            if not nav.orm:
                raise BadQuery(f"$filter on {es.name} cannot reach into {seg}")
            prefix += nav.orm + "__"
            current = SETS[nav.target]
            continue
        if seg in ("id", "@iot.id") or seg in current.props:
            keys = list(path[i + 1 :])
            if keys and seg not in current.json_props:
                raise BadQuery(f"{seg} has no sub-properties")
            return PathInfo(es, prefix, seg, keys, current)
        raise BadQuery(f"{current.name} has no property or relation {seg!r}")
    raise BadQuery(f"the path {'/'.join(path)} names an entity, not a property")


def geometry_of(value: Any) -> BaseGeometry | None:
    if not isinstance(value, dict):
        return None
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    try:
        return shape(value)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
        return None


def literal_geometry(g: Geometry) -> BaseGeometry:
    try:
        return shapely.from_wkt(g.wkt)
    except shapely.errors.GEOSException as exc:
        raise BadQuery(f"not a WKT geometry: {g.wkt[:60]!r}") from exc


_NODE_KINDS = frozenset({"and", "or", "not", "cmp", "arith", "call", "path", "lit"})


def _is_node(x: Any) -> bool:
    return isinstance(x, tuple) and bool(x) and isinstance(x[0], str) and x[0] in _NODE_KINDS


def _paths(node: Node) -> list[tuple[str, ...]]:
    if node[0] == "path":
        return [node[1]]
    if node[0] == "lit":
        return []
    out: list[tuple[str, ...]] = []
    for part in node[1:]:
        if _is_node(part):
            out += _paths(part)
        elif isinstance(part, tuple):
            for sub in part:
                if _is_node(sub):
                    out += _paths(sub)
    return out


def _strip_first(node: Node) -> Node:
    """The same condition with the first segment (a relation) taken off every path."""
    if node[0] == "path":
        return ("path", node[1][1:])
    if node[0] == "lit":
        return node
    out: list[Any] = [node[0]]
    for part in node[1:]:
        if _is_node(part):
            out.append(_strip_first(part))
        elif isinstance(part, tuple):
            out.append(tuple(_strip_first(s) if _is_node(s) else s for s in part))
        else:
            out.append(part)
    return tuple(out)


def _everything(set_name: str) -> Any:
    return SETS[set_name].model.objects.all()


class OrmCompiler:
    def __init__(self, es: EntitySet, visible: Callable[[str], Any] | None = None) -> None:
        self.es = es
        self.visible = visible or _everything

    def q(self, node: Node) -> Q:
        kind = node[0]
        if kind == "and":
            return self.q(node[1]) & self.q(node[2])
        if kind == "or":
            return self.q(node[1]) | self.q(node[2])
        if kind == "not":
            return ~self.q(node[1])
        related = self._related(node)
        if related is not None:
            return related
        if kind == "cmp":
            return self.cmp(node[1], node[2], node[3])
        if kind == "call" and node[1] in BOOLEAN_FUNCTIONS:
            return self.bool_call(node[1], node[2])
        if kind == "lit" and isinstance(node[1], bool):
            return Q(pk__isnull=not node[1])
        raise BadQuery("$filter must be a condition (a comparison or a true/false function)")

    def _related(self, node: Node) -> Q | None:
        """A condition on one related entity, evaluated on that entity's visible set; None when the
        condition is on this entity's own properties."""
        paths = _paths(node)
        navs = {p[0] for p in paths if len(p) > 1 and p[0] in self.es.navs}
        if not navs:
            return None
        own = [p for p in paths if not (len(p) > 1 and p[0] in self.es.navs)]
        if len(navs) > 1 or own:
            raise BadQuery("a condition may use the properties of one related entity at a time")
        name = navs.pop()
        nav = self.es.navs[name]
        if not nav.orm:
            raise BadQuery(f"$filter on {self.es.name} cannot reach into {name}")
        inner = OrmCompiler(SETS[nav.target], self.visible).q(_strip_first(node))
        matching = self.visible(nav.target).filter(inner).values("pk")
        return Q(**{f"{nav.orm}__in": matching})

    # -- comparisons ---------------------------------------------------------------------------------
    def cmp(self, op: str, left: Node, right: Node) -> Q:
        for a, b in ((left, right), (right, left)):
            if a[0] == "call" and a[1] in BOOLEAN_FUNCTIONS and b[0] == "lit" and isinstance(b[1], bool):
                cond = self.bool_call(a[1], a[2])
                if op not in ("eq", "ne"):
                    raise BadQuery("true/false values compare only with eq or ne")
                return cond if (op == "eq") == b[1] else ~cond
            if a[0] == "call" and a[1] in ("geo.distance", "geo.length") and b[0] == "lit":
                return self.geo_measure(a, op, b[1], flipped=a is right)
        if op == "ne":
            return ~self.cmp("eq", left, right)
        for a, b, flipped in ((left, right, False), (right, left, True)):
            if a[0] == "path":
                info = resolve(self.es, a[1])
                if info.prop in info.target.intervals:
                    return self.interval_cmp(info, _flip(op) if flipped else op, b)
        if right == ("lit", None) or left == ("lit", None):
            other = left if right == ("lit", None) else right
            return Q(L.IsNull(self.expr(other), True))
        hint = _literal_type(left) or _literal_type(right)
        lhs, rhs = self.expr(left, hint), self.expr(right, hint)
        return Q(CMP[op](lhs, rhs))

    def interval_cmp(self, info: PathInfo, op: str, other: Node) -> Q:
        start, end = info.target.intervals[info.prop]
        start_f, end_f = F(info.prefix + start), F(info.prefix + end)
        value = self.expr(other, datetime)
        if op == "eq":
            return Q(L.LessThanOrEqual(start_f, value)) & Q(L.GreaterThanOrEqual(end_f, value))
        if op in ("gt", "ge"):
            return Q(CMP[op](start_f, value))
        return Q(CMP[op](end_f, value))

    # -- values -------------------------------------------------------------------------------------
    def expr(self, node: Node, hint: type | None = None) -> Any:
        kind = node[0]
        if kind == "lit":
            if isinstance(node[1], Geometry):
                raise BadQuery("a geometry can only be used in a geo function")
            return Value(node[1])
        if kind == "path":
            info = resolve(self.es, node[1])
            if info.prop in info.target.intervals:
                return F(info.prefix + info.target.intervals[info.prop][0])
            if info.keys:
                text = json_text(info.field, info.keys)
                return Cast(text, FloatField()) if hint in (int, float) else text
            if info.prop in info.target.json_props:
                raise BadQuery(f"compare a key of {info.prop}, e.g. {info.prop}/name")
            return F(info.field)
        if kind == "arith":
            lhs, rhs = self.expr(node[2], float), self.expr(node[3], float)
            if node[1] == "mod":
                return Mod(lhs, rhs)
            return {"add": lhs + rhs, "sub": lhs - rhs, "mul": lhs * rhs, "div": lhs / rhs}[node[1]]
        if kind == "call":
            return self.value_call(node[1], node[2])
        raise BadQuery("a condition cannot be used as a value here")

    def value_call(self, name: str, args: tuple[Node, ...]) -> Any:
        if name in SIMPLE_FUNCS:
            return SIMPLE_FUNCS[name](self.expr(args[0]))
        if name == "indexof":
            return StrIndex(self.expr(args[0]), self.expr(args[1])) - 1
        if name == "substring":
            start = self.expr(args[1]) + 1
            return (
                Substr(self.expr(args[0]), start, self.expr(args[2]))
                if len(args) == 3
                else Substr(self.expr(args[0]), start)
            )
        if name == "concat":
            return Concat(self.expr(args[0]), self.expr(args[1]))
        if name == "now":
            return Value(clock.now())
        if name == "totaloffsetminutes":
            return Value(0)  # times are stored in UTC
        if name in ("mindatetime", "maxdatetime"):
            raise BadQuery(f"{name}() applies to intervals of Observations only")
        raise BadQuery(f"{name} cannot be used as a value on {self.es.name}")

    def bool_call(self, name: str, args: tuple[Node, ...]) -> Q:
        if name in GEO_FUNCTIONS:
            return self.geo_predicate(name, args)
        a, b = self.expr(args[0]), self.expr(args[1])
        if name == "substringof":
            return Q(L.Contains(b, a))
        if name == "startswith":
            return Q(L.StartsWith(a, b))
        return Q(L.EndsWith(a, b))

    # -- geometry -----------------------------------------------------------------------------------
    def _geo_args(self, args: tuple[Node, ...]) -> tuple[PathInfo, BaseGeometry, bool]:
        paths = [a for a in args[:2] if a[0] == "path"]
        lits = [a for a in args[:2] if a[0] == "lit" and isinstance(a[1], Geometry)]
        if len(paths) != 1 or len(lits) != 1:
            raise BadQuery("geo functions take one geometry property and one geography'…' literal")
        info = resolve(self.es, paths[0][1])
        if info.prop not in info.target.geo_props:
            raise BadQuery(f"{info.prop} is not a geometry")
        return info, literal_geometry(lits[0][1]), args[0][0] == "lit"

    def _geometries(self, info: PathInfo) -> list[tuple[int, BaseGeometry]]:
        fieldname = info.target.props[info.prop]
        out = []
        for pk, value in info.target.model.objects.values_list("pk", fieldname):
            g = geometry_of(value)
            if g is not None:
                out.append((pk, g))
        return out

    def _ids_q(self, info: PathInfo, ids: list[int]) -> Q:
        return Q(**{info.prefix + "pk__in": ids})

    def geo_predicate(self, name: str, args: tuple[Node, ...]) -> Q:
        info, const, literal_first = self._geo_args(args)
        if name == "st_relate":
            if args[2][0] != "lit" or not isinstance(args[2][1], str):
                raise BadQuery("st_relate needs a DE-9IM pattern string")
            pattern = args[2][1]
            pred: Callable[[BaseGeometry, BaseGeometry], bool] = lambda a, b: bool(a.relate_pattern(b, pattern))  # noqa: E731
        else:
            pred = PREDICATES[name]
        ids = [pk for pk, g in self._geometries(info) if (pred(const, g) if literal_first else pred(g, const))]
        return self._ids_q(info, ids)

    def geo_measure(self, call: Node, op: str, value: Any, *, flipped: bool) -> Q:
        if not isinstance(value, int | float):
            raise BadQuery(f"{call[1]} compares with a number")
        if flipped:
            op = _flip(op)
        if call[1] == "geo.length":
            if call[2][0] != "path":
                raise BadQuery("geo.length takes a geometry property")
            info = resolve(self.es, call[2][0][1])
            measures = [(pk, g.length) for pk, g in self._geometries(info)]
        else:
            info, const, _ = self._geo_args(call[2])
            measures = [(pk, g.distance(const)) for pk, g in self._geometries(info)]
        test = {
            "eq": lambda x: x == value,
            "ne": lambda x: x != value,
            "gt": lambda x: x > value,
            "ge": lambda x: x >= value,
            "lt": lambda x: x < value,
            "le": lambda x: x <= value,
        }[op]
        return self._ids_q(info, [pk for pk, x in measures if test(x)])


def _flip(op: str) -> str:
    return {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}.get(op, op)


def _literal_type(node: Node) -> type | None:
    if node[0] == "lit" and node[1] is not None and not isinstance(node[1], bool):
        return type(node[1])
    if node[0] == "arith":
        return float
    return None


def _to_one_only(es: EntitySet, path: tuple[str, ...]) -> None:
    """Ordering may follow to-one relations only: ordering by a property of one of many related
    entities would sort by entities the caller may not see."""
    current = es
    for seg in path:
        nav = current.navs.get(seg)
        if nav is None:
            return
        if nav.many:
            raise BadQuery(f"$orderby may follow only relations to one entity ({seg} is a collection)")
        current = SETS[nav.target]


def order_fields(es: EntitySet, orderby: list[tuple[tuple[str, ...], bool]]) -> list[Any]:
    fields: list[Any] = []
    for path, desc in orderby:
        _to_one_only(es, path)
        info = resolve(es, path)
        if info.prop in info.target.intervals:
            expr: Any = F(info.prefix + info.target.intervals[info.prop][0])
        elif info.keys:
            expr = json_text(info.field, info.keys)
        else:
            expr = F(info.field)
        fields.append(expr.desc(nulls_last=True) if desc else expr.asc(nulls_first=True))
    fields.append(F("pk").asc())
    return fields
