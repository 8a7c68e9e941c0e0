"""Answers SensorThings GET requests: resolves the resource path, runs the query, renders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db.models import Q

from .. import selectors
from ..errors import BadQuery, EntityNotFound
from . import lakeq
from .model import SETS, EntitySet, plain_props
from .orm import OrmCompiler, order_fields
from .parser import Options, parse_options
from .render import dumps

_SEGMENT = re.compile(r"^([A-Za-z]+)(?:\((\d+|'[^']*')\))?$")


@dataclass
class Target:
    kind: str  # collection | entity | property | value | ref
    set_name: str
    entity: Any = None  # model instance or lake row
    constraint: Any = None  # Q for the database, (column, [ids]) for the lake
    prop: str = ""


class Reader:
    def __init__(self, base: str, user: Any) -> None:
        self.base = base
        self.user = user
        self._visible: dict[str, Any] = {}

    # -- helpers -------------------------------------------------------------------------------------
    def qs(self, set_name: str) -> Any:
        """The entities of the set this reader's user may see (a fresh, unevaluated query)."""
        if set_name not in self._visible:
            self._visible[set_name] = selectors.visible(set_name, self.user)
        return self._visible[set_name].all()

    def get_entity(self, set_name: str, pk: int) -> Any:
        if set_name == "Observations":
            row = lakeq.run_one(
                pk, visible_ds=self.qs("Datastreams"), visible_foi=self.qs("FeaturesOfInterest"), visible=self.qs
            )
            if row is None:
                raise EntityNotFound(f"No Observation with id {pk}.")
            return row
        obj = self.qs(set_name).filter(pk=pk).first()
        if obj is None:
            raise EntityNotFound(f"No {SETS[set_name].singular} with id {pk}.")
        return obj

    @staticmethod
    def pk_of(entity: Any) -> int:
        return int(entity["id"]) if isinstance(entity, dict) else int(entity.pk)

    def link(self, set_name: str, pk: int) -> str:
        return f"{self.base}/{set_name}({pk})"

    # -- path --------------------------------------------------------------------------------------
    def resolve(self, path: str) -> Target:
        segments = [s for s in path.strip("/").split("/") if s]
        if not segments:
            raise BadQuery("empty path")
        m = _SEGMENT.match(segments[0])
        if m is None or m.group(1) not in SETS:
            raise EntityNotFound(f"No entity set {segments[0]!r}.")
        set_name, raw_id = m.group(1), m.group(2)
        if raw_id is None:
            if len(segments) > 1:
                if segments[1:] == ["$ref"]:
                    return Target("ref", set_name)
                raise EntityNotFound("Navigate from one entity, e.g. Things(1)/Datastreams.")
            return Target("collection", set_name)
        if raw_id.startswith("'"):
            raise EntityNotFound("Ids are integers here.")
        target = Target("entity", set_name, entity=self.get_entity(set_name, int(raw_id)))
        for i, seg in enumerate(segments[1:], start=1):
            es = SETS[target.set_name]
            if target.kind == "entity":
                if seg in es.navs:
                    nav = es.navs[seg]
                    pk = self.pk_of(target.entity)
                    if nav.many:
                        constraint = (nav.reverse, [pk]) if nav.target == "Observations" else Q(**{nav.reverse: pk})
                        target = Target("collection", nav.target, constraint=constraint)
                    else:
                        fk = (
                            target.entity[nav.fk] if isinstance(target.entity, dict) else getattr(target.entity, nav.fk)
                        )
                        target = Target("entity", nav.target, entity=self.get_entity(nav.target, int(fk)))
                    continue
                if seg in es.props or seg == "id":
                    target = Target("property", target.set_name, entity=target.entity, prop=seg)
                    continue
            if target.kind == "property" and seg == "$value" and i == len(segments) - 1:
                target.kind = "value"
                continue
            if target.kind == "collection" and seg == "$ref" and i == len(segments) - 1:
                target.kind = "ref"
                continue
            raise EntityNotFound(f"{seg!r} is not part of {es.singular}.")
        return target

    # -- rendering ------------------------------------------------------------------------------------
    def render(self, set_name: str, entity: Any, opts: Options) -> dict[str, Any]:
        es = SETS[set_name]
        pk = self.pk_of(entity)
        self_link = self.link(set_name, pk)
        sel = set(opts.select) if opts.select else None
        out: dict[str, Any] = {}
        if sel is None or "id" in sel or "@iot.id" in sel:
            out["@iot.id"] = pk
        if sel is None or "@iot.selfLink" in sel:
            out["@iot.selfLink"] = self_link
        props = lakeq.row_to_json_fields(entity) if isinstance(entity, dict) else plain_props(es, entity)
        for k, v in props.items():
            if sel is None or k in sel:
                out[k] = v
        for nav in es.navs:
            if (sel is None or nav in sel) and nav not in opts.expand:
                out[f"{nav}@iot.navigationLink"] = f"{self_link}/{nav}"
        for name, sub in opts.expand.items():
            if name not in es.navs:
                raise BadQuery(f"{es.singular} has no relation {name!r} to expand")
            self._expand(es, entity, name, sub, self_link, out)
        return out

    def _expand(self, es: EntitySet, entity: Any, name: str, sub: Options, self_link: str, out: dict[str, Any]) -> None:
        nav = es.navs[name]
        pk = self.pk_of(entity)
        if not nav.many:
            fk = entity[nav.fk] if isinstance(entity, dict) else getattr(entity, nav.fk)
            try:
                child = self.get_entity(nav.target, int(fk))
            except EntityNotFound:
                return
            out[name] = self.render(nav.target, child, sub)
            return
        constraint = (nav.reverse, [pk]) if nav.target == "Observations" else Q(**{nav.reverse: pk})
        page = self.collection(nav.target, constraint, sub, next_base=f"{self_link}/{name}", raw_pairs=None)
        out[name] = page["value"]
        if "@iot.count" in page:
            out[f"{name}@iot.count"] = page["@iot.count"]
        if "@iot.nextLink" in page:
            out[f"{name}@iot.nextLink"] = page["@iot.nextLink"]

    def collection(
        self, set_name: str, constraint: Any, opts: Options, *, next_base: str, raw_pairs: list[tuple[str, str]] | None
    ) -> dict[str, Any]:
        limit, skip = opts.limit, opts.skip
        if set_name == "Observations":
            rows, total = lakeq.run(
                visible_ds=self.qs("Datastreams"),
                visible_foi=self.qs("FeaturesOfInterest"),
                visible=self.qs,
                constraint=constraint,
                options=opts,
                want_count=opts.count,
                limit=limit + 1,
                skip=skip,
            )
            items: list[Any] = rows
        else:
            es = SETS[set_name]
            qs = self.qs(set_name)
            if constraint is not None:
                qs = qs.filter(constraint)
            if opts.filter is not None:
                condition = OrmCompiler(es, self.qs).q(opts.filter)
                qs = qs.filter(pk__in=self.qs(set_name).filter(condition).values("pk"))
            qs = qs.distinct()
            total = qs.count() if opts.count else None
            items = list(qs.order_by(*order_fields(es, opts.orderby))[skip : skip + limit + 1])
        more = len(items) > limit
        items = items[:limit]
        page: dict[str, Any] = {}
        if total is not None:
            page["@iot.count"] = total
        if more:
            page["@iot.nextLink"] = self._next_link(next_base, raw_pairs, opts, skip + limit)
        if opts.result_format == "dataArray":
            page["value"] = self._data_array(items, opts)
        else:
            page["value"] = [self.render(set_name, it, opts) for it in items]
        return page

    def _next_link(self, base: str, raw_pairs: list[tuple[str, str]] | None, opts: Options, skip: int) -> str:
        pairs = [(k, v) for k, v in (raw_pairs or []) if k.lower() not in ("$skip", "$top")]
        if raw_pairs is None:
            pairs = [("$count", "true")] if opts.count else []
        pairs += [("$top", str(opts.limit)), ("$skip", str(skip))]
        return base + "?" + "&".join(f"{k}={quote(v, safe=',/()$:@')}" for k, v in pairs)

    def _data_array(self, rows: list[dict[str, Any]], opts: Options) -> list[dict[str, Any]]:
        allowed = [
            "id",
            "phenomenonTime",
            "result",
            "resultTime",
            "resultQuality",
            "validTime",
            "parameters",
            "FeatureOfInterest/id",
        ]
        components = [c for c in (opts.select or ["id", "phenomenonTime", "resultTime", "result"]) if c in allowed]
        components = list(dict.fromkeys(components))
        if not components:
            raise BadQuery("$select names no dataArray component")
        groups: dict[int, list[list[Any]]] = {}
        for row in rows:
            fields = lakeq.row_to_json_fields(row)
            values: list[Any] = []
            for c in components:
                if c == "id":
                    values.append(int(row["id"]))
                elif c == "FeatureOfInterest/id":
                    values.append(int(row["foi_id"]))
                else:
                    values.append(fields.get(c))
            groups.setdefault(int(row["datastream_id"]), []).append(values)
        return [
            {
                "Datastream@iot.navigationLink": self.link("Datastreams", ds),
                "components": components,
                "dataArray@iot.count": len(data),
                "dataArray": data,
            }
            for ds, data in groups.items()
        ]


def read(reader: Reader, path: str, raw_pairs: list[tuple[str, str]]) -> tuple[Any, str]:
    """(body, kind) for a GET; kind "raw" means body is the plain text of a $value."""
    opts = parse_options(raw_pairs)
    target = reader.resolve(path)
    if opts.result_format and target.set_name != "Observations":
        raise BadQuery("$resultFormat=dataArray applies to Observations")
    if target.kind in ("collection", "ref"):
        if target.kind == "ref":
            opts.select = ["@iot.selfLink"]
            opts.expand = {}
        page = reader.collection(
            target.set_name, target.constraint, opts, next_base=f"{reader.base}/{path.strip('/')}", raw_pairs=raw_pairs
        )
        return page, "json"
    if target.kind == "entity":
        return reader.render(target.set_name, target.entity, opts), "json"
    rendered = reader.render(target.set_name, target.entity, Options())
    key = "@iot.id" if target.prop == "id" else target.prop
    if key not in rendered:
        if target.kind == "value":
            return "", "raw"
        return {}, "json"
    if target.kind == "value":
        value = rendered[key]
        return (value if isinstance(value, str) else dumps(value)), "raw"
    return {key: rendered[key]}, "json"
