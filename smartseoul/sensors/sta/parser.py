"""SensorThings query options: `$filter` expressions (OData subset of STA 1.1) and the
`$expand/$select/$orderby/$top/$skip/$count` options, nested with `;`.

The parser produces a small tree of tuples; the ORM and lake compilers turn it into queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, unquote_plus

from ..errors import BadQuery
from ..timeutil import parse_instant

DEFAULT_TOP = 100
MAX_TOP = 10_000

# --- $filter ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<geo>geography'(?:[^']|'')*')
  | (?P<str>'(?:[^']|'')*')
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}|\x20\d{2}:\d{2}(?![\d:]))?)
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_@$][A-Za-z0-9_@$.]*(?:/[A-Za-z_@$][A-Za-z0-9_@$.]*)*)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)

COMPARISON = {"eq", "ne", "gt", "ge", "lt", "le"}
ARITH = {"add", "sub", "mul", "div", "mod"}
FUNCTIONS = {
    "substringof": 2,
    "endswith": 2,
    "startswith": 2,
    "length": 1,
    "indexof": 2,
    "substring": (2, 3),
    "tolower": 1,
    "toupper": 1,
    "trim": 1,
    "concat": 2,
    "year": 1,
    "month": 1,
    "day": 1,
    "hour": 1,
    "minute": 1,
    "second": 1,
    "fractionalseconds": 1,
    "date": 1,
    "time": 1,
    "totaloffsetminutes": 1,
    "now": 0,
    "mindatetime": 0,
    "maxdatetime": 0,
    "round": 1,
    "floor": 1,
    "ceiling": 1,
    "geo.distance": 2,
    "geo.length": 1,
    "geo.intersects": 2,
    "st_equals": 2,
    "st_disjoint": 2,
    "st_touches": 2,
    "st_within": 2,
    "st_overlaps": 2,
    "st_crosses": 2,
    "st_intersects": 2,
    "st_contains": 2,
    "st_relate": 3,
}
BOOLEAN_FUNCTIONS = {
    "substringof",
    "endswith",
    "startswith",
    "geo.intersects",
    "st_equals",
    "st_disjoint",
    "st_touches",
    "st_within",
    "st_overlaps",
    "st_crosses",
    "st_intersects",
    "st_contains",
    "st_relate",
}
GEO_FUNCTIONS = {f for f in FUNCTIONS if f.startswith(("geo.", "st_"))}

Node = tuple[Any, ...]


@dataclass(frozen=True)
class Geometry:
    wkt: str


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise BadQuery(f"$filter: unexpected character at position {pos}: {text[pos : pos + 15]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise BadQuery("$filter ends too early")
        self.i += 1
        return tok

    def word(self) -> str | None:
        tok = self.peek()
        return tok[1].lower() if tok and tok[0] == "name" else None

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise BadQuery(f"$filter: unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.word() == "or":
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.cmp()
        while self.word() == "and":
            self.take()
            node = ("and", node, self.cmp())
        return node

    def cmp(self) -> Node:
        node = self.add()
        while self.word() in COMPARISON:
            op = self.take()[1].lower()
            node = ("cmp", op, node, self.add())
        return node

    def add(self) -> Node:
        node = self.mul()
        while self.word() in {"add", "sub"}:
            op = self.take()[1].lower()
            node = ("arith", op, node, self.mul())
        return node

    def mul(self) -> Node:
        node = self.unary()
        while self.word() in {"mul", "div", "mod"}:
            op = self.take()[1].lower()
            node = ("arith", op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.word() == "not":
            self.take()
            return ("not", self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "lp":
            node = self.or_()
            self.expect("rp")
            return node
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "geo":
            return ("lit", Geometry(text[len("geography'") : -1].replace("''", "'")))
        if kind == "dt":
            try:
                return ("lit", parse_instant(text.replace(" ", "+")))
            except ValueError as exc:
                raise BadQuery(f"$filter: {exc}") from exc
        if kind == "date":
            return ("lit", parse_instant(text + "T00:00:00"))
        if kind == "num":
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "name":
            low = text.lower()
            if low in {"true", "false"}:
                return ("lit", low == "true")
            if low == "null":
                return ("lit", None)
            nxt = self.peek()
            if nxt and nxt[0] == "lp":
                return self.call(low)
            return ("path", tuple(seg for seg in text.split("/")))
        raise BadQuery(f"$filter: unexpected {text!r}")

    def call(self, name: str) -> Node:
        if name not in FUNCTIONS:
            raise BadQuery(f"$filter: unknown function {name}")
        self.expect("lp")
        args: list[Node] = []
        if self.peek() and self.peek()[0] != "rp":  # type: ignore[index]
            args.append(self.or_())
            while self.peek() and self.peek()[0] == "comma":  # type: ignore[index]
                self.take()
                args.append(self.or_())
        self.expect("rp")
        arity = FUNCTIONS[name]
        allowed = arity if isinstance(arity, tuple) else (arity,)
        if len(args) not in allowed:
            raise BadQuery(f"$filter: {name} takes {' or '.join(map(str, allowed))} arguments")
        return ("call", name, tuple(args))

    def expect(self, kind: str) -> None:
        tok = self.take()
        if tok[0] != kind:
            raise BadQuery(f"$filter: expected {'(' if kind == 'lp' else ')'} but found {tok[1]!r}")


def parse_filter(text: str) -> Node:
    if not text or not text.strip():
        raise BadQuery("$filter is empty")
    return _Parser(text).parse()


# --- query options ---------------------------------------------------------------------------------


@dataclass
class Options:
    filter: Node | None = None
    expand: dict[str, Options] = field(default_factory=dict)
    select: list[str] | None = None
    orderby: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)  # (path, descending)
    top: int | None = None
    skip: int = 0
    count: bool = False
    result_format: str | None = None

    @property
    def limit(self) -> int:
        return self.top if self.top is not None else DEFAULT_TOP


def _split_top(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth, quote = 0, False
    for ch in text:
        if ch == "'":
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth != 0 or quote:
        raise BadQuery(f"unbalanced parentheses or quotes in {text!r}")
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _int(name: str, value: str, lo: int, hi: int | None) -> int:
    try:
        n = int(value)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number") from None
    if n < lo or (hi is not None and n > hi):
        raise BadQuery(f"{name} must be between {lo} and {hi}" if hi else f"{name} must be at least {lo}")
    return n


def parse_options(pairs: list[tuple[str, str]]) -> Options:
    opts = Options()
    seen: set[str] = set()
    for raw_key, value in pairs:
        key = raw_key.strip().lower()
        if not key.startswith("$"):
            continue
        if key in seen:
            raise BadQuery(f"{raw_key} given twice")
        seen.add(key)
        if key == "$filter":
            opts.filter = parse_filter(value)
        elif key == "$top":
            opts.top = _int("$top", value, 0, MAX_TOP)
        elif key == "$skip":
            opts.skip = _int("$skip", value, 0, None)
        elif key == "$count":
            if value.lower() not in {"true", "false"}:
                raise BadQuery("$count must be true or false")
            opts.count = value.lower() == "true"
        elif key == "$select":
            opts.select = [s.strip() for s in value.split(",") if s.strip()]
            if not opts.select:
                raise BadQuery("$select is empty")
        elif key == "$orderby":
            for part in _split_top(value, ","):
                bits = part.split()
                if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in {"asc", "desc"}):
                    raise BadQuery(f"$orderby: cannot read {part!r}")
                opts.orderby.append((tuple(bits[0].split("/")), len(bits) == 2 and bits[1].lower() == "desc"))
        elif key == "$expand":
            for item in _split_top(value, ","):
                _add_expand(opts, item)
        elif key == "$resultformat":
            if value != "dataArray":
                raise BadQuery("$resultFormat supports only dataArray")
            opts.result_format = value
        else:
            raise BadQuery(f"unknown query option {raw_key}")
    return opts


def _add_expand(opts: Options, item: str) -> None:
    m = re.match(r"^([A-Za-z/]+)\s*(?:\((.*)\))?$", item, re.DOTALL)
    if m is None:
        raise BadQuery(f"$expand: cannot read {item!r}")
    path = m.group(1).split("/")
    inner = m.group(2)
    target = opts
    for i, name in enumerate(path):
        child = target.expand.get(name)
        if child is None:
            child = Options()
            target.expand[name] = child
        if i == len(path) - 1 and inner:
            nested = parse_options(
                [(p.split("=", 1)[0], p.split("=", 1)[1] if "=" in p else "") for p in _split_top(inner, ";")]
            )
            child.filter = nested.filter or child.filter
            child.select = nested.select or child.select
            child.orderby = nested.orderby or child.orderby
            child.top = nested.top if nested.top is not None else child.top
            child.skip = nested.skip or child.skip
            child.count = nested.count or child.count
            for k, v in nested.expand.items():
                child.expand[k] = v
        target = child


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """Splits a raw query string keeping `+` and `;` inside values (STA values carry both)."""
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((unquote(k), unquote_plus(v)))
    return pairs


def is_datetime(value: Any) -> bool:
    return isinstance(value, datetime)
