"""The catalogue's query language: CKAN/Solr `q` and `fq` (the forms CKAN clients and the CKAN
harvester send) parsed into Django Q objects.

Grammar (a Lucene subset): clauses joined by AND (also implicit) and OR, negated with `-` or
NOT, grouped with parentheses. A clause is `field:value`, `field:"a phrase"`,
`field:(a OR b)`, `field:[from TO to]` / `{from TO to}` with `*` for open ends, or `*:*`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q

from .errors import OpenDataErrorCode, QueryError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lpar>\() | (?P<rpar>\)) |
        (?P<op>AND\b|OR\b|NOT\b|&&|\|\|) |
        (?P<clause>[-+!]?(?:\*|[A-Za-z_][\w.]*):
            (?: \[[^\]]*\] | \{[^}]*\} | "(?:[^"\\]|\\.)*" | \([^)]*\) | [^\s()]+ ))
        | (?P<bare>[-+]?"(?:[^"\\]|\\.)*" | [^\s()]+)
    )""",
    re.VERBOSE,
)


def invalid(message: str) -> QueryError:
    return QueryError(f"Search Query is invalid: {message}", code=OpenDataErrorCode.BAD_QUERY)


@dataclass
class Term:
    negate: bool
    field: str
    value: str  # raw value text (phrase without quotes, range with brackets, group with parens)
    kind: str  # "value" | "phrase" | "range" | "group" | "all"


def tokenize(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid(f"cannot read the query near {text[pos : pos + 20]!r}")
        pos = m.end()
        if m.group("lpar"):
            out.append(("(", None))
        elif m.group("rpar"):
            out.append((")", None))
        elif m.group("op"):
            op = m.group("op")
            out.append(("op", {"&&": "AND", "||": "OR"}.get(op, op)))
        elif m.group("clause"):
            out.append(("term", _term(m.group("clause"))))
        else:
            bare = m.group("bare")
            if bare.count("[") != bare.count("]") or bare.count("{") != bare.count("}") or bare.count('"') % 2:
                raise invalid(f"unbalanced brackets or quotes in {bare!r}")
            if ":" in bare and not bare.startswith('"'):
                raise invalid(f"cannot read {bare!r}")
            negate = bare[0] == "-"
            bare = bare.lstrip("+-")
            out.append(("term", Term(negate, "text", bare.strip('"'), "phrase" if bare.startswith('"') else "value")))
    return out


def _term(clause: str) -> Term:
    negate = clause[0] in "-!"
    clause = clause.lstrip("+-!")
    field, value = clause.split(":", 1)
    if field == "*" and value == "*":
        return Term(negate, "*", "*", "all")
    if not value:
        raise invalid(f"the field {field} has no value")
    if value[0] in "[{":
        if value[-1] not in "]}" or " TO " not in value:
            raise invalid(f"the range {value!r} is not closed or lacks TO")
        return Term(negate, field, value, "range")
    if value[0] == '"':
        return Term(negate, field, value[1:-1].replace('\\"', '"'), "phrase")
    if value[0] == "(":
        return Term(negate, field, value[1:-1], "group")
    if value.count("[") or value.count("]"):
        raise invalid(f"unbalanced brackets in {value!r}")
    return Term(negate, field, value.replace("\\", ""), "value")


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], to_q: Callable[[Term], Q]) -> None:
        self.tokens, self.pos, self.to_q = tokens, 0, to_q

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Q:
        q = self.or_expr()
        if self.peek() is not None:
            raise invalid("unexpected ')'")
        return q

    def or_expr(self) -> Q:
        q = self.and_expr()
        while (tok := self.peek()) is not None and tok == ("op", "OR"):
            self.pos += 1
            q = q | self.and_expr()
        return q

    def and_expr(self) -> Q:
        q = self.unary()
        while (tok := self.peek()) is not None and tok[0] != ")" and tok != ("op", "OR"):
            if tok == ("op", "AND"):
                self.pos += 1
            q = q & self.unary()
        return q

    def unary(self) -> Q:
        tok = self.peek()
        if tok is None:
            raise invalid("the query ends too early")
        if tok == ("op", "NOT"):
            self.pos += 1
            return ~self.unary()
        if tok[0] == "(":
            self.pos += 1
            q = self.or_expr()
            if self.peek() != (")", None):
                raise invalid("a '(' is not closed")
            self.pos += 1
            return q
        if tok[0] == "term":
            self.pos += 1
            term: Term = tok[1]
            q = self.to_q(term)
            return ~q if term.negate else q
        raise invalid(f"unexpected {tok[1] or tok[0]!r}")


def parse(text: str, to_q: Callable[[Term], Q]) -> Q:
    tokens = tokenize(text)
    if not tokens:
        return Q()
    return _Parser(tokens, to_q).parse()


def parse_datetime(text: str) -> datetime:
    text = text.strip().strip('"')
    if text.upper().startswith("NOW"):
        from smartseoul.core import clock

        return clock.now()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            d = date.fromisoformat(text)
        except ValueError as exc:
            raise invalid(f"{text!r} is not a date") from exc
        value = datetime(d.year, d.month, d.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def range_q(column: str, raw: str, convert: Callable[[str], Any]) -> Q:
    inclusive_low, inclusive_high = raw[0] == "[", raw[-1] == "]"
    low, _, high = raw[1:-1].partition(" TO ")
    q = Q()
    if low.strip() not in {"*", ""}:
        q &= Q(**{f"{column}__{'gte' if inclusive_low else 'gt'}": convert(low)})
    if high.strip() not in {"*", ""}:
        q &= Q(**{f"{column}__{'lte' if inclusive_high else 'lt'}": convert(high)})
    return q


def dataset_term(term: Term) -> Q:
    """One clause of a dataset query as a Q on opendata.Dataset."""
    from .models import DatasetTag, Resource

    field, value, kind = term.field, term.value, term.kind
    if kind == "all":
        return Q()
    if kind == "group":
        values = [v.strip('"') for v in re.findall(r'"[^"]*"|\S+', value) if v not in {"OR", "AND", "||"}]
        if not values:
            raise invalid(f"the group for {field} is empty")
        result = dataset_term(Term(False, field, values[0], "value"))
        for v in values[1:]:
            result = result | dataset_term(Term(False, field, v, "value"))
        return result
    if value == "*" and kind == "value":
        return Q() if field in FIELDS else _unknown(field)
    if field in {"metadata_modified", "metadata_created"}:
        column = "modified_at" if field == "metadata_modified" else "created_at"
        if kind == "range":
            return range_q(column, value, parse_datetime)
        return Q(**{column: parse_datetime(value)})
    if kind == "range":
        raise invalid(f"the field {field} does not take a range")
    simple = {
        "organization": "organization__name",
        "owner_org": "organization__uid",
        "groups": "category",
        "license_id": "licence",
        "name": "name",
        "id": "uid",
        "state": "state",
        "category": "category",
        "publisher_kind": "organization__kind",
        "district_code": "spatial",
        "service_name": "service_name",
        "frequency": "frequency",
    }
    if field in simple:
        if field in {"id", "owner_org"} and not re.fullmatch(r"[0-9a-fA-F-]{32,36}", value):
            return Q(pk__in=[])
        return Q(**{simple[field]: value})
    if field == "private":
        return Q(private=value.lower() == "true")
    if field == "type":
        return Q() if value == "dataset" else Q(pk__in=[])
    if field == "tags":
        return Q(Exists(DatasetTag.objects.filter(dataset=OuterRef("pk"), name=value)))
    if field == "res_format":
        return Q(Exists(Resource.objects.filter(dataset=OuterRef("pk"), active=True, format__iexact=value)))
    if field in {"title", "text", "notes"}:
        from . import search

        terms = search.query_terms(value)
        if not terms:
            return Q(pk__in=[])
        return search.matching("dataset", terms)
    return _unknown(field)


def _unknown(field: str) -> Q:
    raise invalid(f"undefined field {field}")


FIELDS = frozenset(
    {
        "organization",
        "owner_org",
        "groups",
        "license_id",
        "name",
        "id",
        "state",
        "category",
        "publisher_kind",
        "district_code",
        "service_name",
        "frequency",
        "private",
        "type",
        "tags",
        "res_format",
        "title",
        "text",
        "notes",
        "metadata_modified",
        "metadata_created",
    }
)
