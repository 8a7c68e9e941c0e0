"""Reads of the open-data module: catalogue search with facets, datasets, organisations,
categories, tags, datastore tables and queries, usage statistics, requests, gallery, documents.

Every protocol adapter (CKAN, DCAT, Data Package, Seoul OpenAPI) and the native API read
through these functions."""

from __future__ import annotations

import contextlib
import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from smartseoul.core import clock

from . import datastore, search, services
from .constants import CATEGORY_EN, CATEGORY_KO, Category
from .errors import BadInput, Missing, OpenDataErrorCode
from .models import (
    DataRequest,
    Dataset,
    DatasetState,
    DatasetTag,
    DatastoreTable,
    Document,
    DocumentStatus,
    Organization,
    OrganizationMember,
    Resource,
    Showcase,
    ShowcaseStatus,
    Upload,
    UsageDaily,
)
from .query import dataset_term, invalid, parse

if TYPE_CHECKING:
    pass

MAX_ROWS = 1000
DEFAULT_ROWS = 10
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
SORT_COLUMNS = {
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "name": "name",
    "id": "uid",
    "title_string": "title_ko",
    "title": "title_ko",
    "views_total": "usage_total",
    "views_recent": "usage_total",
    "usage": "usage_total",
}
DEFAULT_SORT = "score desc, metadata_modified desc"
MAX_ID_LIST = 5000  # above this many full-text hits, filter with a sub-query instead of an id list


# --- datasets -----------------------------------------------------------------------------------------


def _editable_org_ids(user: Any) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return [o.pk for o in Organization.objects.all() if services.can_publish(user, o)]


def visible_datasets(
    user: Any = None,
    *,
    include_private: bool = False,
    include_drafts: bool = False,
    include_deleted: bool = False,
) -> QuerySet[Dataset]:
    public = Q(state=DatasetState.ACTIVE, private=False)
    if not (include_private or include_drafts or include_deleted) or user is None or not user.is_authenticated:
        return Dataset.objects.filter(public)
    orgs = _editable_org_ids(user)
    extra = Q(organization_id__in=orgs) & Q(
        state__in=[
            s
            for s, on in (
                (DatasetState.ACTIVE, include_private),
                (DatasetState.DRAFT, include_drafts),
                (DatasetState.DELETED, include_deleted),
            )
            if on
        ]
    )
    return Dataset.objects.filter(public | extra)


def with_related(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return qs.select_related("organization").prefetch_related(
        Prefetch("tags", queryset=DatasetTag.objects.order_by("name"), to_attr="tag_list"),
        Prefetch(
            "resources",
            to_attr="resource_list",
            queryset=Resource.objects.filter(active=True).select_related("table").order_by("position", "id"),
        ),
    )


def tags_of(ds: Dataset) -> list[DatasetTag]:
    """The dataset's tags (the prefetched list when read through `with_related`)."""
    cached = getattr(ds, "tag_list", None)
    return cached if cached is not None else list(ds.tags.order_by("name"))


def resources_of(ds: Dataset) -> list[Resource]:
    """The dataset's active resources, with their tables (prefetched through `with_related`)."""
    cached = getattr(ds, "resource_list", None)
    if cached is not None:
        return cached
    return list(ds.resources.filter(active=True).select_related("table").order_by("position", "id"))


def dataset_get(id_or_name: str, user: Any = None) -> Dataset:
    """A dataset by CKAN id (uuid) or name; drafts, private and deleted ones only for their publishers."""
    qs = with_related(Dataset.objects.all())
    dataset: Dataset | None = None
    with contextlib.suppress(ValueError):
        dataset = qs.filter(uid=uuid.UUID(str(id_or_name))).first()
    if dataset is None:
        dataset = qs.filter(name=str(id_or_name)).first()
    if dataset is None:
        raise Missing(f"Not found: dataset {id_or_name}", code=OpenDataErrorCode.DATASET_NOT_FOUND)
    if (dataset.state != DatasetState.ACTIVE or dataset.private) and not services.can_publish(
        user, dataset.organization
    ):
        raise Missing(f"Not found: dataset {id_or_name}", code=OpenDataErrorCode.DATASET_NOT_FOUND)
    return dataset


def dataset_by_service(service_name: str) -> Dataset | None:
    return with_related(
        Dataset.objects.filter(service_name=service_name, state=DatasetState.ACTIVE, private=False)
    ).first()


def organization_titles(names: Sequence[str]) -> dict[str, str]:
    """{name: title in the page language} of the given publishers."""
    return {o.name: o.title for o in Organization.objects.filter(name__in=list(names))}


def dataset_versions(dataset: Dataset, limit: int = 50) -> list[Any]:
    return list(dataset.versions.select_related("actor")[:limit])


VERSION_ACTIONS = {
    "dataset_create": _("dataset created"),
    "dataset_update": _("description changed"),
    "resource_create": _("file added"),
    "resource_update": _("file changed"),
    "table_publish": _("new table published"),
    "table_write": _("table updated"),
}
_ROWS_NOTE = re.compile(r"^(?P<what>.+?): (?P<n>\d+) rows$")


def dataset_history(dataset: Dataset, limit: int = 50) -> list[dict[str, Any]]:
    """The change history as people read it: what happened in words, and the automatic
    "<table>: <n> rows" notes in the page language."""
    out = []
    for v in dataset_versions(dataset, limit):
        note = v.note
        found = _ROWS_NOTE.match(note or "")
        if found:
            n = int(found["n"])
            note = ngettext("%(what)s: %(n)s row", "%(what)s: %(n)s rows", n) % {"what": found["what"], "n": n}
        out.append({"number": v.number, "at": v.at, "action": VERSION_ACTIONS.get(v.action, v.action), "note": note})
    return out


def recent_versions(limit: int = 31, offset: int = 0) -> list[Any]:
    from .models import DatasetVersion

    return list(
        DatasetVersion.objects.filter(dataset__state=DatasetState.ACTIVE, dataset__private=False)
        .select_related("dataset", "actor")
        .order_by("-at", "-id")[offset : offset + limit]
    )


def dataset_names(limit: int | None = None, offset: int = 0) -> list[str]:
    qs = visible_datasets().order_by("name").values_list("name", flat=True)
    return list(qs[offset : offset + limit] if limit is not None else qs[offset:])


@dataclass
class SearchParams:
    q: str = ""
    fq: str = ""
    fq_list: Sequence[str] = ()
    sort: str = ""
    rows: int = DEFAULT_ROWS
    start: int = 0
    facet_fields: Sequence[str] = ()
    facet_limit: int = 50
    facet_mincount: int = 1
    include_private: bool = False
    include_drafts: bool = False
    include_deleted: bool = False
    user: Any = None
    modified_since: Any = None


@dataclass
class SearchResult:
    count: int
    results: list[Dataset]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # field → [(name, label, n)]
    sort: str = DEFAULT_SORT


def _facet_label(field_name: str, value: str, orgs: dict[str, str]) -> str:
    if field_name == "groups":
        return str(Category(value).label) if value in Category.values else value
    if field_name == "organization":
        return orgs.get(value, value)
    return value


def _looks_fielded(q: str) -> bool:
    return bool(re.search(r"(^|[\s(+\-])(\*|[A-Za-z_][\w.]*):", q))


def search_datasets(params: SearchParams) -> SearchResult:
    """CKAN package_search semantics: q (Korean-aware full text, or fielded), fq / fq_list,
    sort, rows (capped at 1,000), start, facets. `id asc` is a total order for harvesters."""
    qs = visible_datasets(
        params.user,
        include_private=params.include_private,
        include_drafts=params.include_drafts,
        include_deleted=params.include_deleted,
    )
    q = (params.q or "").strip()
    ranks: dict[int, float] | None = None
    if q and q not in {"*:*", "*"}:
        if _looks_fielded(q):
            qs = qs.filter(parse(q, dataset_term))
        else:
            if q.count('"') % 2 or q.count("[") != q.count("]"):
                raise invalid(f"unbalanced quotes or brackets in {q!r}")
            terms = search.query_terms(q)
            if not terms:
                return SearchResult(
                    count=0, results=[], facets={f: [] for f in params.facet_fields}, sort=params.sort or DEFAULT_SORT
                )
            # One full-text query gives the matching ids and their relevance; the other queries
            # (count, facets, ordering) then look rows up by primary key instead of re-running it.
            matched = search.ranks("dataset", terms)
            if len(matched) <= MAX_ID_LIST:
                qs = qs.filter(pk__in=list(matched))
            else:
                qs = qs.filter(search.matching("dataset", terms))
            ranks = matched if _wants_score(params.sort) else None
    for fq in [params.fq, *params.fq_list]:
        if fq and fq.strip():
            qs = qs.filter(parse(fq, dataset_term))
    if params.modified_since is not None:
        qs = qs.filter(modified_at__gte=params.modified_since)
    order = _order(params.sort)
    rows = max(0, min(int(params.rows), MAX_ROWS))
    start = max(0, int(params.start))
    count = qs.count()
    if ranks is not None:
        ordered = _ordered_by_score(qs, ranks, order)
        page_ids = ordered[start : start + rows]
        by_id = {d.pk: d for d in with_related(Dataset.objects.filter(pk__in=page_ids))}
        results = [by_id[i] for i in page_ids if i in by_id]
    else:
        results = list(with_related(qs.order_by(*order))[start : start + rows]) if rows else []
    facets = _facets(qs, params) if params.facet_fields else {}
    return SearchResult(count=count, results=results, facets=facets, sort=params.sort or DEFAULT_SORT)


def _wants_score(sort: str) -> bool:
    return not sort or sort.strip().lower().startswith("score") or sort.strip().lower().startswith("rank")


def _order(sort: str) -> list[str]:
    order: list[str] = []
    for part in (sort or DEFAULT_SORT).split(","):
        bits = part.strip().split()
        if not bits:
            continue
        name = bits[0]
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if direction not in {"asc", "desc"} or len(bits) > 2:
            raise invalid(f"cannot sort by {part.strip()!r}")
        if name in {"score", "rank"}:
            continue
        if name not in SORT_COLUMNS:
            raise invalid(f'Can not sort on field "{name}"')
        column = SORT_COLUMNS[name]
        order.append(column if direction == "asc" else f"-{column}")
    if not any(o.lstrip("-") == "uid" for o in order):
        order.append("uid")  # ties broken by id: pages neither repeat nor skip
    return order


def _column_key(index: int) -> Any:
    return lambda row: (row[index] is None, row[index])


def _ordered_by_score(qs: QuerySet[Dataset], ranks: dict[int, float], order: list[str]) -> list[int]:
    columns = [o.lstrip("-") for o in order]
    rows = list(qs.values_list("pk", *columns))
    for i in range(len(columns) - 1, -1, -1):
        rows.sort(key=_column_key(i + 1), reverse=order[i].startswith("-"))
    rows.sort(key=lambda r: -ranks.get(r[0], 0.0))
    return [r[0] for r in rows]


def _facets(qs: QuerySet[Dataset], params: SearchParams) -> dict[str, list[tuple[str, str, int]]]:
    ids = qs.values("pk")
    out: dict[str, list[tuple[str, str, int]]] = {}
    orgs: dict[str, str] = {}
    limit = max(0, int(params.facet_limit)) if params.facet_limit is not None else 50
    mincount = max(0, int(params.facet_mincount))
    for name in params.facet_fields:
        if name == "organization":
            rows = qs.order_by().values_list("organization__name", "organization__title_ko").annotate(n=Count("pk"))
            orgs.update({r[0]: r[1] for r in rows})
            counts = [(r[0], r[2]) for r in rows]
        elif name in {"groups", "category"}:
            counts = list(qs.order_by().values_list("category").annotate(n=Count("pk")))
        elif name == "license_id":
            counts = list(qs.order_by().values_list("licence").annotate(n=Count("pk")))
        elif name == "tags":
            counts = list(
                DatasetTag.objects.filter(dataset__in=ids)
                .order_by()
                .values_list("name")
                .annotate(n=Count("dataset", distinct=True))
            )
        elif name == "res_format":
            counts = list(
                Resource.objects.filter(dataset__in=ids, active=True)
                .exclude(format="")
                .order_by()
                .values_list("format")
                .annotate(n=Count("dataset", distinct=True))
            )
        elif name in {"publisher_kind", "frequency"}:
            column = "organization__kind" if name == "publisher_kind" else "frequency"
            counts = list(qs.order_by().values_list(column).annotate(n=Count("pk")))
        else:
            raise invalid(f"cannot facet on {name!r}")
        items = sorted(
            ((str(v), int(n)) for v, n in counts if v is not None and n >= mincount),
            key=lambda item: (-item[1], item[0]),
        )
        if limit >= 0:
            items = items[:limit] if params.facet_limit is not None and limit >= 0 else items
        out[name] = [(v, _facet_label(name, v, orgs), n) for v, n in items]
    return out


# --- organisations, groups, tags -----------------------------------------------------------------------


def organizations() -> QuerySet[Organization]:
    return Organization.objects.annotate(
        package_count=Count("datasets", filter=Q(datasets__state=DatasetState.ACTIVE, datasets__private=False))
    ).order_by("name")


def organization_get(id_or_name: str) -> Organization:
    qs = organizations()
    org = None
    with contextlib.suppress(ValueError):
        org = qs.filter(uid=uuid.UUID(str(id_or_name))).first()
    org = org or qs.filter(name=str(id_or_name)).first()
    if org is None:
        raise Missing(f"Not found: organization {id_or_name}", code=OpenDataErrorCode.ORGANIZATION_NOT_FOUND)
    return org


def organizations_for(user: Any) -> list[Organization]:
    """Publishers the user may publish for."""
    if user is None or not user.is_authenticated or not user.staff_permissions_active:
        return []
    member_of = set(OrganizationMember.objects.filter(user=user).values_list("organization_id", flat=True))
    return [o for o in Organization.objects.order_by("name") if o.pk in member_of or services.can_publish(user, o)]


def is_publisher(user: Any) -> bool:
    """Who may open the publishing pages (their gate and the back-office tile ask this)."""
    return bool(organizations_for(user))


def can_manage_documents(user: Any) -> bool:
    """Officials register and check administrative documents (the pages' gate and the tile ask this)."""
    return bool(user is not None and user.is_authenticated and user.is_official)


GROUP_NAMESPACE = uuid.UUID("6f1c2b1e-52c5-4a0e-9a51-0e7d8c5a1b00")


@functools.lru_cache(maxsize=64)
def group_uid(category: str) -> str:
    return str(uuid.uuid5(GROUP_NAMESPACE, f"group:{category}"))


@functools.lru_cache(maxsize=4096)
def tag_uid(name: str) -> str:
    return str(uuid.uuid5(GROUP_NAMESPACE, f"tag:{name}"))


def category_counts() -> dict[str, int]:
    rows = visible_datasets().order_by().values_list("category").annotate(n=Count("pk"))
    return {c: n for c, n in rows}


def groups() -> list[dict[str, Any]]:
    counts = category_counts()
    return [
        {
            "name": c,
            "title": CATEGORY_EN[c],
            "title_ko": CATEGORY_KO[c],
            "uid": group_uid(c),
            "package_count": counts.get(c, 0),
        }
        for c in Category.values
    ]


def group_get(id_or_name: str) -> dict[str, Any]:
    for g in groups():
        if id_or_name in {g["name"], g["uid"]}:
            return g
    raise Missing(f"Not found: group {id_or_name}", code=OpenDataErrorCode.GROUP_NOT_FOUND)


def tags(query: str = "", limit: int | None = None) -> list[str]:
    qs = DatasetTag.objects.filter(dataset__in=visible_datasets().values("pk"))
    if query:
        qs = qs.filter(name__icontains=query)
    names = qs.order_by("name").values_list("name", flat=True).distinct()
    return list(names[:limit] if limit else names)


# --- resources and tables ------------------------------------------------------------------------------


def resource_get(resource_id: str, user: Any = None) -> Resource:
    try:
        rid = uuid.UUID(str(resource_id))
    except ValueError:
        raise Missing(f"Not found: resource {resource_id}", code=OpenDataErrorCode.RESOURCE_NOT_FOUND) from None
    res = Resource.objects.select_related("dataset__organization", "table").filter(uid=rid, active=True).first()
    if res is None:
        raise Missing(f"Not found: resource {resource_id}", code=OpenDataErrorCode.RESOURCE_NOT_FOUND)
    ds = res.dataset
    if (ds.state != DatasetState.ACTIVE or ds.private) and not services.can_publish(user, ds.organization):
        raise Missing(f"Not found: resource {resource_id}", code=OpenDataErrorCode.RESOURCE_NOT_FOUND)
    return res


def table_of(resource: Resource) -> DatastoreTable:
    table = getattr(resource, "table", None) if hasattr(resource, "table") else None
    if table is None:
        raise Missing(
            f"Not found: the resource {resource.uid} has no datastore table", code=OpenDataErrorCode.TABLE_NOT_FOUND
        )
    return table


def table_path(table: DatastoreTable) -> Path:
    return services.datastore_root() / table.path


def primary_table(dataset: Dataset) -> tuple[Resource, DatastoreTable] | None:
    for res in resources_of(dataset):
        if res.active and hasattr(res, "table"):
            return res, res.table
    return None


def field_label(field_: dict[str, Any]) -> str:
    """A column's name in the page language: its label (Korean for the city's own exports and for
    most uploaded tables), the English label on English pages where the column has one."""
    from django.utils.translation import get_language

    info = field_.get("info") or {}
    if (get_language() or "ko").startswith("en") and info.get("label_en"):
        return str(info["label_en"])
    return str(info.get("label") or field_["id"])


# A numeric column that only names or places a row: charting it adds nothing.
_NOT_A_MEASURE = re.compile(r"(^|_)(id|code|no|number|lat|lon|lng|latitude|longitude|x|y|year|month|day)$", re.I)


@dataclass(frozen=True)
class ChartDefaults:
    x: str  # the column to group by
    y: str  # the numeric column to measure, "" for a count of rows
    func: str  # sum | count


def chart_defaults(
    table: DatastoreTable, *, exclude: Sequence[str] = (), district: str | None = None
) -> ChartDefaults | None:
    """The chart a dataset page draws first: a real numeric column summed by a category that
    repeats (the district column first, else the one with the most groups up to 50); without a
    repeating category, that number per row label (a district, or a name, not a code); without a number, the
    rows counted by the category. Never a count by a column whose every value is different,
    which draws every bar as 1. `exclude`: columns that only place a row (latitude, longitude)."""
    fields = [f for f in table.fields if f["id"] != "_id"]
    measures = [
        f["id"]
        for f in fields
        if f["type"] in {"integer", "number"} and f["id"] not in exclude and not _NOT_A_MEASURE.search(f["id"])
    ]
    texts = [f["id"] for f in fields if f["type"] == "string" and f["id"] not in exclude]
    distinct = datastore.distinct_counts(table_path(table), texts) if texts else {}
    rows = table.row_count or 0
    repeating = [c for c in texts if 1 < distinct.get(c, 0) < rows and distinct[c] <= 50]
    categories = [c for c in repeating if c == district] or sorted(
        (c for c in repeating if not _NOT_A_MEASURE.search(c)), key=lambda c: -distinct[c]
    )
    labels = [c for c in texts if distinct.get(c, 0) == rows and (c == district or not _NOT_A_MEASURE.search(c))]
    y = measures[0] if measures else ""
    if y and district is not None and district in labels and district not in repeating:  # a bar per district
        return ChartDefaults(x=district, y=y, func="sum")
    if categories:
        return ChartDefaults(x=categories[0], y=y, func="sum" if y else "count")
    if labels and y:
        return ChartDefaults(x=labels[0], y=y, func="sum")
    return None


def table_query(table: DatastoreTable, **kwargs: Any) -> datastore.QueryResult:
    return datastore.query(table_path(table), table.fields, row_count=table.row_count, **kwargs)


def export_file(table: DatastoreTable, fmt: str) -> Path:
    """The whole table as csv/json/xlsx/parquet, written once per table version and reused."""
    cache = services.datastore_root() / "exports" / str(table.resource.uid) / f"v{table.version}.{fmt}"
    if not cache.exists():
        datastore.export(table_path(table), table.fields, fmt, cache)
    return cache


def district_counts(table: DatastoreTable, column: str) -> dict[Any, int]:
    """Rows of the table per value of its district-code column (for the map and its table)."""
    return dict(datastore.aggregate(table_path(table), group_by=column, value=None, func="count", limit=100))


# What a CSV download may be asked for with `?encoding=`: the names people type for each.
CSV_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf8-sig": "utf-8-sig",
    "bom": "utf-8-sig",
    "excel": "utf-8-sig",
    "cp949": "cp949",
    "ms949": "cp949",
    "windows-949": "cp949",
    "euc-kr": "cp949",
    "euckr": "cp949",
}


def csv_encoding(requested: str | None, default: str) -> str:
    """The encoding a CSV download is written in: `default` unless `?encoding=` names another."""
    if not requested or not requested.strip():
        return default
    found = CSV_ENCODINGS.get(requested.strip().lower().replace("_", "-"))
    if found is None:
        raise BadInput(
            gettext("This file comes as encoding=utf-8, utf-8-sig (for Excel) or cp949."),
            code=OpenDataErrorCode.BAD_FIELD,
        )
    return found


def uploads_for(dataset: Dataset) -> QuerySet[Upload]:
    return dataset.uploads.all()


def upload_get(upload_id: str, user: Any) -> Upload:
    try:
        uid = uuid.UUID(str(upload_id))
    except ValueError:
        raise Missing("No such upload.", code=OpenDataErrorCode.UPLOAD_NOT_FOUND) from None
    upload = Upload.objects.select_related("dataset__organization", "resource").filter(uid=uid).first()
    if upload is None or not services.can_publish(user, upload.dataset.organization):
        raise Missing("No such upload.", code=OpenDataErrorCode.UPLOAD_NOT_FOUND)
    return upload


def staged_preview(upload: Upload, limit: int = 20) -> list[dict[str, Any]]:
    if not upload.staged_path:
        return []
    path = services.datastore_root() / upload.staged_path
    if not path.exists():
        return []
    records = datastore.query(path, upload.fields, row_count=upload.row_count, limit=limit, include_total=False).records
    return [r for r in records if isinstance(r, dict)]


# --- usage statistics ------------------------------------------------------------------------------------


def usage_for(dataset: Dataset, days: int = 30) -> dict[str, Any]:
    since = clock.today_local().date() - timedelta(days=days - 1)
    rows = list(UsageDaily.objects.filter(dataset=dataset, day__gte=since).order_by("day"))
    totals = UsageDaily.objects.filter(dataset=dataset).aggregate(
        v=Sum("views"), d=Sum("downloads"), a=Sum("api_calls")
    )
    return {
        "views": totals["v"] or 0,
        "downloads": totals["d"] or 0,
        "api_calls": totals["a"] or 0,
        "series": [
            {"day": r.day.isoformat(), "views": r.views, "downloads": r.downloads, "api_calls": r.api_calls}
            for r in rows
        ],
    }


def usage_by_category(days: int = 30) -> dict[str, Any]:
    today = clock.today_local().date()
    since = today - timedelta(days=days - 1)
    rows = (
        UsageDaily.objects.filter(day__gte=since, dataset__state=DatasetState.ACTIVE, dataset__private=False)
        .values_list("day", "dataset__category")
        .annotate(v=Sum("views"), d=Sum("downloads"), a=Sum("api_calls"))
        .order_by("day")
    )
    per_day: dict[str, dict[str, int]] = {}
    per_category: dict[str, dict[str, int]] = {c: {"views": 0, "downloads": 0, "api_calls": 0} for c in Category.values}
    for day, category, v, d, a in rows:
        key = day.isoformat()
        bucket = per_day.setdefault(key, {"views": 0, "downloads": 0, "api_calls": 0})
        bucket["views"] += v or 0
        bucket["downloads"] += d or 0
        bucket["api_calls"] += a or 0
        if category in per_category:
            per_category[category]["views"] += v or 0
            per_category[category]["downloads"] += d or 0
            per_category[category]["api_calls"] += a or 0
    days_list = [(since + timedelta(days=i)).isoformat() for i in range(days)]
    return {
        "days": days_list,
        "per_day": [{"day": d, **per_day.get(d, {"views": 0, "downloads": 0, "api_calls": 0})} for d in days_list],
        "per_category": per_category,
    }


def usage_today() -> dict[str, int]:
    today = clock.today_local().date()
    agg = UsageDaily.objects.filter(day=today).aggregate(v=Sum("views"), d=Sum("downloads"), a=Sum("api_calls"))
    return {"views": agg["v"] or 0, "downloads": agg["d"] or 0, "api_calls": agg["a"] or 0}


def top_datasets(days: int = 30, limit: int = 10) -> list[dict[str, Any]]:
    since = clock.today_local().date() - timedelta(days=days - 1)
    rows = (
        UsageDaily.objects.filter(day__gte=since, dataset__state=DatasetState.ACTIVE, dataset__private=False)
        .values("dataset__name", "dataset__title_ko", "dataset__title_en")
        .annotate(total=Sum("views") + Sum("downloads") + Sum("api_calls"))
        .order_by("-total")[:limit]
    )
    return list(rows)


def catalogue_totals() -> dict[str, int]:
    visible = visible_datasets()
    return {
        "datasets": visible.count(),
        "organizations": Organization.objects.filter(Exists(visible.filter(organization=OuterRef("pk")))).count(),
        "tables": DatastoreTable.objects.filter(resource__dataset__in=visible.values("pk")).count(),
    }


def key_usage(key: Any, days: int = 14) -> list[tuple[date, int]]:
    since = clock.today_local().date() - timedelta(days=days - 1)
    rows = {u.day: u.calls for u in key.usage.filter(day__gte=since)}
    return [(since + timedelta(days=i), rows.get(since + timedelta(days=i), 0)) for i in range(days)]


def api_keys_of(user: Any) -> list[Any]:
    from smartseoul.accounts.selectors import api_key_calls_today, api_keys

    keys = [k for k in api_keys(user) if {"opendata:read", "opendata:write"} & set(k.scopes) and k.revoked_at is None]
    return [
        {"key": k, "today": api_key_calls_today(k), "sample": services.api_key_is_sample(k), "history": key_usage(k),
         "writes": "opendata:write" in k.scopes}
        for k in keys
    ]


# --- requests, gallery ----------------------------------------------------------------------------------


def data_requests(*, status: str | None = None, department_code: str | None = None) -> QuerySet[DataRequest]:
    qs = DataRequest.objects.select_related("dataset")
    if status:
        qs = qs.filter(status=status)
    if department_code:
        qs = qs.filter(department_code=department_code)
    return qs


def data_request_get(uid: str) -> DataRequest:
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise Missing("No such data request.", code=OpenDataErrorCode.DATASET_NOT_FOUND) from None
    req = DataRequest.objects.select_related("dataset", "requester").filter(uid=key).first()
    if req is None:
        raise Missing("No such data request.", code=OpenDataErrorCode.DATASET_NOT_FOUND)
    return req


def showcases(*, status: str = ShowcaseStatus.APPROVED) -> QuerySet[Showcase]:
    return Showcase.objects.filter(status=status).prefetch_related("datasets")


def showcase_get(id_or_name: str, *, include_pending: bool = False) -> Showcase:
    qs = Showcase.objects.prefetch_related("datasets")
    if not include_pending:
        qs = qs.filter(status=ShowcaseStatus.APPROVED)
    item = None
    with contextlib.suppress(ValueError):
        item = qs.filter(uid=uuid.UUID(str(id_or_name))).first()
    item = item or qs.filter(name=str(id_or_name)).first()
    if item is None:
        raise Missing(f"Not found: showcase {id_or_name}", code=OpenDataErrorCode.SHOWCASE_NOT_FOUND)
    return item


# --- documents ------------------------------------------------------------------------------------------


def documents_published(
    *, q: str = "", doc_type: str = "", department_code: str = "", disclosure: str = ""
) -> QuerySet[Document]:
    qs = Document.objects.filter(status=DocumentStatus.PUBLISHED)
    if q.strip():
        terms = search.query_terms(q)
        if not terms:
            return qs.none()
        qs = qs.filter(search.matching("document", terms))
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    if department_code:
        qs = qs.filter(department_code=department_code)
    if disclosure:
        qs = qs.filter(disclosure=disclosure)
    return qs


def document_get(uid: str, user: Any = None) -> Document:
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise Missing("No such document.", code=OpenDataErrorCode.DOCUMENT_NOT_FOUND) from None
    doc = Document.objects.prefetch_related("attachments", "findings").filter(uid=key).first()
    if doc is None:
        raise Missing("No such document.", code=OpenDataErrorCode.DOCUMENT_NOT_FOUND)
    if doc.status != DocumentStatus.PUBLISHED and not (user is not None and user.is_authenticated and user.is_official):
        raise Missing("No such document.", code=OpenDataErrorCode.DOCUMENT_NOT_FOUND)
    return doc


def documents_to_review() -> QuerySet[Document]:
    return (
        Document.objects.exclude(status=DocumentStatus.PUBLISHED)
        .exclude(status=DocumentStatus.WITHDRAWN)
        .annotate(open_findings=Count("findings", filter=Q(findings__status="open")))
    )


def exported_keys() -> set[str]:
    """Keys of module exports already published as datasets."""
    return set(Dataset.objects.exclude(export_key=None).exclude(export_key="").values_list("export_key", flat=True))


def site_search_hits(query: str, user: Any, limit: int) -> list[Any]:
    """The site-wide search's hits here: public datasets, then published documents (what anyone may see)."""
    from django.urls import reverse

    from smartseoul.core.errors import DomainError
    from smartseoul.core.registry import SearchHit

    q = (query or "").strip()
    if not q or limit <= 0:
        return []
    try:
        found = search_datasets(SearchParams(q=q, rows=limit, sort="score desc, metadata_modified desc"))
    except DomainError:  # a query the catalogue cannot parse finds nothing here; the search page still answers
        found = SearchResult(count=0, results=[])
    hits: list[Any] = [
        SearchHit(
            title=ds.title,
            url=reverse("opendata:dataset", args=[ds.name]),
            summary=f"{ds.organization.title} · {Category(ds.category).label}",
        )
        for ds in found.results[:limit]
    ]
    for doc in documents_published(q=q)[: max(0, limit - len(hits))]:
        hits.append(
            SearchHit(
                title=doc.title,
                url=reverse("opendata:document", args=[doc.uid]),
                summary=f"{doc.number} · {doc.get_doc_type_display()}",
            )
        )
    return hits
