"""The native open-data API (/api/v1/opendata): the catalogue, datastore rows, usage, requests,
documents. An API key (X-API-Key or Authorization: Bearer) counts against its daily quota;
past the quota the answer is HTTP 429."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from smartseoul.core import ratelimit
from smartseoul.core.auth import session_auth
from smartseoul.core.schemas import Page

from . import selectors, services, sqlsafe
from .ckan import base_url, package_dict
from .errors import BadInput, Forbidden, OpenDataErrorCode

router = Router()


def _count_call(request: HttpRequest) -> None:
    """Counts the call against the caller's key, or rate-limits anonymous callers by address."""
    header = request.headers.get("X-API-Key") or ""
    auth = request.headers.get("Authorization", "")
    if not header and auth.lower().startswith("bearer "):
        header = auth[7:]
    if header:
        services.api_key_use(raw=header.strip())
    else:
        ratelimit.hit(f"opendata-api:{ratelimit.client_ip(request)}", limit=300, window_seconds=60)


class SearchIn(Page):
    q: str = ""
    fq: str = ""
    category: str = ""
    organization: str = ""
    sort: str = ""
    facets: bool = True


@router.get("/datasets", summary="Search the catalogue (Korean-aware full text, facets, sorts)")
def dataset_search(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    _count_call(request)
    fq = [params.fq] if params.fq else []
    if params.category:
        fq.append(f'groups:"{params.category}"')
    if params.organization:
        fq.append(f'organization:"{params.organization}"')
    result = selectors.search_datasets(
        selectors.SearchParams(
            q=params.q,
            fq=" AND ".join(f"({f})" for f in fq),
            sort=params.sort,
            rows=params.limit,
            start=params.offset,
            facet_fields=selectors.FACET_FIELDS if params.facets else (),
        )
    )
    base = base_url(request)
    return {
        "count": result.count,
        "results": [package_dict(d, base) for d in result.results],
        "facets": {
            f: [{"name": n, "label": label, "count": c} for n, label, c in items] for f, items in result.facets.items()
        },
    }


@router.get("/datasets/{name}", summary="One dataset with its resources")
def dataset_show(request: HttpRequest, name: str) -> dict[str, Any]:
    _count_call(request)
    ds = selectors.dataset_get(name, request.user)
    services.usage_count(dataset_id=ds.pk, kind="api_calls")
    return package_dict(ds, base_url(request))


@router.get("/datasets/{name}/usage", summary="Views, downloads and API calls per day")
def dataset_usage(request: HttpRequest, name: str, days: int = 30) -> dict[str, Any]:
    ds = selectors.dataset_get(name, request.user)
    return selectors.usage_for(ds, max(1, min(days, 366)))


class RowsIn(Page):
    filters: str = ""
    q: str = ""
    sort: str = ""
    fields: str = ""
    include_total: bool = True


@router.get("/resources/{resource_id}/rows", summary="Rows of a datastore table")
def rows(request: HttpRequest, resource_id: str, params: Query[RowsIn]) -> dict[str, Any]:
    _count_call(request)
    res = selectors.resource_get(resource_id, request.user)
    table = selectors.table_of(res)
    try:
        filters = json.loads(params.filters) if params.filters else {}
    except ValueError as exc:
        raise BadInput("filters must be a JSON object.", code=OpenDataErrorCode.BAD_FILTER) from exc
    if not isinstance(filters, dict):
        raise BadInput("filters must be a JSON object.", code=OpenDataErrorCode.BAD_FILTER)
    result = selectors.table_query(
        table,
        filters=filters,
        q=params.q or None,
        sort=params.sort or None,
        select=[f.strip() for f in params.fields.split(",") if f.strip()] or None,
        limit=params.limit,
        offset=params.offset,
        include_total=params.include_total,
    )
    services.usage_count(dataset_id=res.dataset_id, kind="api_calls")
    return {
        "fields": result.fields,
        "records": result.records,
        "total": result.total,
        "total_was_estimated": result.total_was_estimated,
    }


class SqlIn(Schema):
    sql: str


@router.post("/sql", summary="One read-only SELECT over datastore tables (when enabled)")
def sql(request: HttpRequest, payload: SqlIn) -> dict[str, Any]:
    if not getattr(settings, "OPENDATA_SQL_ENABLED", False):
        raise Forbidden("The SQL endpoint is not enabled on this site.", code=OpenDataErrorCode.SQL_DISABLED)
    _count_call(request)
    statement, names = sqlsafe.validate(payload.sql)
    tables = {n: selectors.table_path(selectors.table_of(selectors.resource_get(n, request.user))) for n in names}
    result = sqlsafe.run(statement, tables, limits=sqlsafe.limits())
    return {"fields": result.fields, "records": result.records, "truncated": result.truncated}


@router.get("/stats", summary="Use per day and per category (30 days)")
def stats(request: HttpRequest) -> dict[str, Any]:
    return {"today": selectors.usage_today(), **selectors.usage_by_category(30), "totals": selectors.catalogue_totals()}


class RequestIn(Schema):
    title: str
    description: str
    category: str
    department_code: str
    purpose: str = ""


@router.post("/requests", auth=session_auth, summary="Ask for data that is not open yet")
def request_create(request: HttpRequest, payload: RequestIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    req = services.data_request_create(requester=user, **payload.dict())
    return {"id": str(req.uid), "status": req.status, "due_date": req.due_date.isoformat()}


@router.get("/keys", auth=session_auth, summary="Your open-data keys and their use")
def my_keys(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "name": k["key"].name,
            "prefix": k["key"].prefix,
            "sample": k["sample"],
            "calls_today": k["today"],
            "daily_quota": k["key"].daily_quota,
            "history": [{"day": d.isoformat(), "calls": n} for d, n in k["history"]],
        }
        for k in selectors.api_keys_of(request.auth)  # type: ignore[attr-defined]
    ]


@router.get("/documents", summary="Search published administrative documents")
def documents(request: HttpRequest, page: Query[Page], q: str = "", doc_type: str = "") -> dict[str, Any]:
    _count_call(request)
    qs = selectors.documents_published(q=q, doc_type=doc_type)
    return {
        "count": qs.count(),
        "results": [
            {
                "id": str(d.uid),
                "number": d.number,
                "title": d.title,
                "type": d.doc_type,
                "department": d.department_name,
                "date": d.produced_on.isoformat(),
                "disclosure": d.disclosure,
                "legal_ground": d.legal_ground,
            }
            for d in page.window(qs)
        ],
    }
