"""CKAN Action API compatibility (STANDARDS.md §2): /api/3/action/<name> and /api/action/<name>.

A thin adapter over the module's selectors and services: it parses CKAN's request forms,
calls one selector or service, and answers with CKAN's exact envelope and error types.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from smartseoul import __version__
from smartseoul.core import ratelimit
from smartseoul.core.errors import DomainError, NotFound, PermissionDenied, RateLimited
from smartseoul.core.middleware import checks_own_input, has_nul

from . import datastore, selectors, services, sqlsafe
from .constants import CATEGORY_EN, LICENCES, ResourceKind
from .errors import FieldErrors, Missing, OpenDataErrorCode, QueryError
from .models import Dataset, DatasetState, Organization, Resource

log = logging.getLogger("smartseoul.opendata.ckan")

DATASTORE_DEFAULT_LIMIT = 100
DATASTORE_MAX_LIMIT = 32_000
LIST_MAX = 1000
INT_MAX = 1_000_000_000  # the largest count, offset or limit a call may give (the /api/v1 pages' bound)
READ_ACTIONS = frozenset(
    {
        "package_search",
        "package_show",
        "package_list",
        "organization_list",
        "organization_show",
        "group_list",
        "group_show",
        "tag_list",
        "resource_show",
        "status_show",
        "help_show",
        "license_list",
        "site_read",
        "datastore_search",
        "datastore_info",
        "datastore_search_sql",
        "current_package_list_with_resources",
        "package_activity_list",
        "recently_changed_packages_activity_list",
        "resource_view_list",
        "ckanext_showcase_list",
        "ckanext_showcase_show",
        "ckanext_showcase_package_list",
        "show_datarequest",
        "list_datarequests",
        "organization_list_for_user",
    }
)
JSON_PARAMS = (
    "filters",
    "facet.field",
    "fq_list",
    "q",
    "fields",
    "sort",
    "tags",
    "groups",
    "extras",
    "resources",
    "datasets",
)


class CkanError(Exception):
    def __init__(self, type_: str, status: int, **body: Any) -> None:
        super().__init__(type_)
        self.type, self.status, self.body = type_, status, body


def ckan_time(value: datetime | None) -> str | None:
    """CKAN's timestamp form: naive UTC with microseconds, no offset."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- shapes ------------------------------------------------------------------------------------------


def organization_dict(org: Organization, base: str) -> dict[str, Any]:
    return {
        "id": str(org.uid),
        "name": org.name,
        "title": org.title_ko,
        "display_name": org.title_ko,
        "title_translated": {"ko": org.title_ko, "en": org.title_en},
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "description": org.description_ko,
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(org.created_at),
        "approval_status": "approved",
        "package_count": getattr(org, "package_count", None) or 0,
        "extras": [{"key": "publisher_kind", "value": org.kind}, {"key": "district_code", "value": org.district_code}],
    }


def group_dict(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": group["uid"],
        "name": group["name"],
        "title": group["title"],
        "display_name": group["title"],
        "title_translated": {"ko": group["title_ko"], "en": group["title"]},
        "description": "",
        "image_display_url": "",
        "image_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "package_count": group["package_count"],
    }


def resource_url(resource: Resource, base: str) -> str:
    if resource.kind in {ResourceKind.LINK, ResourceKind.API} and resource.url:
        return resource.url
    ext = "csv" if resource.kind == ResourceKind.TABLE or not resource.file else resource.file.rsplit(".", 1)[-1]
    filename = re.sub(r"[^\w.\-]+", "_", resource.name)[:80] or "data"
    return f"{base}/dataset/{resource.dataset.name}/resource/{resource.uid}/download/{filename}.{ext}"


def resource_dict(resource: Resource, base: str) -> dict[str, Any]:
    has_table = hasattr(resource, "table")
    return {
        "id": str(resource.uid),
        "package_id": str(resource.dataset.uid),
        "name": resource.name,
        "description": resource.description,
        "url": resource_url(resource, base),
        "format": "CSV" if has_table else resource.format,
        "mimetype": "text/csv" if has_table else resource.mimetype,
        "size": resource.size,
        "created": ckan_time(resource.created_at),
        "last_modified": ckan_time(resource.table.loaded_at if has_table else resource.modified_at),
        "metadata_modified": ckan_time(resource.modified_at),
        "datastore_active": has_table,
        "position": resource.position,
        "state": "active",
        "url_type": "upload" if (has_table or resource.file) else "",
        "resource_type": resource.kind,
        "hash": "",
        "cache_url": None,
    }


def package_dict(ds: Dataset, base: str) -> dict[str, Any]:
    lic = LICENCES.get(ds.licence)
    tags = selectors.tags_of(ds)
    resources = selectors.resources_of(ds)
    extras = [
        {"key": "category", "value": ds.category},
        {"key": "frequency", "value": ds.frequency},
        {"key": "publisher_kind", "value": ds.organization.kind},
    ]
    if ds.spatial:
        extras.append({"key": "district_code", "value": ds.spatial})
    if ds.service_name:
        extras.append({"key": "seoul_openapi_service", "value": ds.service_name})
    if ds.temporal_start:
        extras.append({"key": "temporal_start", "value": ds.temporal_start.isoformat()})
    if ds.temporal_end:
        extras.append({"key": "temporal_end", "value": ds.temporal_end.isoformat()})
    if ds.export_key:
        extras.append({"key": "module_export", "value": ds.export_key})
    extras.extend({"key": str(k), "value": str(v)} for k, v in sorted((ds.extras or {}).items()))
    return {
        "id": str(ds.uid),
        "name": ds.name,
        "title": ds.title_ko,
        "notes": ds.description_ko,
        "title_translated": {"ko": ds.title_ko, "en": ds.title_en},
        "notes_translated": {"ko": ds.description_ko, "en": ds.description_en},
        "type": "dataset",
        "state": ds.state,
        "private": ds.private,
        "owner_org": str(ds.organization.uid),
        "url": f"{base}/opendata/dataset/{ds.name}/",
        "version": str(ds.version),
        "author": None,
        "author_email": None,
        "maintainer": ds.organization.title_ko,
        "maintainer_email": None,
        "license_id": ds.licence,
        "license_title": lic.title if lic else ds.licence,
        "license_url": lic.url if lic else "",
        "isopen": bool(lic and lic.is_open),
        "metadata_created": ckan_time(ds.created_at),
        "metadata_modified": ckan_time(ds.modified_at),
        "organization": organization_dict(ds.organization, base),
        "groups": [
            {
                "id": selectors.group_uid(ds.category),
                "name": ds.category,
                "title": CATEGORY_EN[ds.category],
                "display_name": CATEGORY_EN[ds.category],
                "description": "",
                "image_display_url": "",
            }
        ],
        "tags": [
            {
                "id": selectors.tag_uid(t.name),
                "name": t.name,
                "display_name": t.name,
                "state": "active",
                "vocabulary_id": None,
            }
            for t in tags
        ],
        "num_tags": len(tags),
        "resources": [resource_dict(r, base) for r in resources],
        "num_resources": len(resources),
        "extras": extras,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# --- request parsing -------------------------------------------------------------------------------


def request_data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        data: dict[str, Any] = {}
        for key in request.GET:
            values = request.GET.getlist(key)
            data[key] = values if len(values) > 1 else values[0]
        return data
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data") or content_type == "application/x-www-form-urlencoded":
        items = list(request.POST.lists())
        if len(items) == 1 and items[0][1] in ([""], ["1"]) and not request.FILES:
            try:
                loaded = json.loads(items[0][0])
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                return loaded
        data = {k: (v if len(v) > 1 else v[0]) for k, v in items}
        for key in request.FILES:
            data[key] = request.FILES[key]
        return data
    body = request.body
    if not body:
        return {}
    try:
        loaded = json.loads(body)
    except ValueError as exc:
        raise CkanError("Validation Error", 409, body=["JSON Error: could not decode the request body"]) from exc
    if not isinstance(loaded, dict):
        raise CkanError("Validation Error", 409, body=["JSON Error: the body must be an object"])
    return loaded


def _json_param(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            if key in {"filters", "facet.field", "fq_list"}:
                raise CkanError("Validation Error", 409, **{key: ["Cannot parse JSON"]}) from None
    return value


def _int(data: dict[str, Any], key: str, default: int, *, maximum: int | None = None, minimum: int = 0) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        value = default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float from a JSON body
        raise CkanError("Validation Error", 409, **{key: ["Invalid integer"]}) from None
    if number < minimum:
        raise CkanError("Validation Error", 409, **{key: ["Must be a natural number"]})
    if number > INT_MAX:  # past any table, and past what a database takes as an offset
        raise CkanError("Validation Error", 409, **{key: [f"Must be at most {INT_MAX}"]})
    return min(number, maximum) if maximum is not None else number


def _bool(data: dict[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "on"}


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def _require(data: dict[str, Any], *keys: str) -> None:
    missing = {k: ["Missing value"] for k in keys if data.get(k) in (None, "")}
    if missing:
        raise CkanError("Validation Error", 409, **missing)


# --- actions -------------------------------------------------------------------------------------


class Context:
    def __init__(self, request: HttpRequest, user: Any, base: str) -> None:
        self.request, self.user, self.base = request, user, base


def _user(ctx: Context) -> Any:
    if ctx.user is None:
        raise CkanError("Authorization Error", 403, message="Access denied: an API token is required")
    return ctx.user


def act_package_search(ctx: Context, data: dict[str, Any]) -> Any:
    q = data.get("q", "")
    if isinstance(q, list):
        q = " ".join(str(term) for term in q)
    facet_fields = _list(_json_param(data, "facet.field")) if _bool(data, "facet", True) else []
    fq_list = _json_param(data, "fq_list")
    params = selectors.SearchParams(
        q=str(q or ""),
        fq=" ".join(str(f) for f in _list(data.get("fq"))) if isinstance(data.get("fq"), list)
        else str(data.get("fq") or ""),
        fq_list=[str(x) for x in _list(fq_list)],
        sort=str(data.get("sort") or ""),
        rows=_int(data, "rows", selectors.DEFAULT_ROWS, maximum=selectors.MAX_ROWS),
        start=_int(data, "start", 0),
        facet_fields=[str(f) for f in facet_fields],
        facet_limit=_int(data, "facet.limit", 50, minimum=-1),
        facet_mincount=_int(data, "facet.mincount", 1),
        include_private=_bool(data, "include_private"),
        include_drafts=_bool(data, "include_drafts"),
        include_deleted=_bool(data, "include_deleted"),
        user=ctx.user,
    )
    result = selectors.search_datasets(params)
    fl = _list(data.get("fl"))
    packages = [package_dict(d, ctx.base) for d in result.results]
    if fl and fl != ["*"]:
        packages = [{k: p.get(k) for k in fl} for p in packages]
    return {
        "count": result.count,
        "sort": result.sort,
        "results": packages,
        "facets": {f: {name: n for name, _label, n in items} for f, items in result.facets.items()},
        "search_facets": {
            f: {"title": f, "items": [{"name": name, "display_name": label, "count": n} for name, label, n in items]}
            for f, items in result.facets.items()
        },
    }


def act_package_show(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id") if not data.get("name_or_id") else None
    ident = str(data.get("id") or data.get("name_or_id"))
    ds = selectors.dataset_get(ident, ctx.user)
    services.usage_count(dataset_id=ds.pk, kind="api_calls")
    return package_dict(ds, ctx.base)


def act_package_list(ctx: Context, data: dict[str, Any]) -> Any:
    limit = data.get("limit")
    return selectors.dataset_names(_int(data, "limit", 0) if limit not in (None, "") else None, _int(data, "offset", 0))


def act_current_package_list_with_resources(ctx: Context, data: dict[str, Any]) -> Any:
    limit = _int(data, "limit", 100, maximum=LIST_MAX)
    offset = _int(data, "offset", 0)
    qs = selectors.with_related(selectors.visible_datasets().order_by("-modified_at", "uid"))[offset : offset + limit]
    return [package_dict(d, ctx.base) for d in qs]


def _list_action(ctx: Context, data: dict[str, Any], items: list[dict[str, Any]], *, names: list[str]) -> Any:
    all_fields = _bool(data, "all_fields")
    limit = _int(data, "limit", 25 if all_fields else LIST_MAX, maximum=LIST_MAX)
    offset = _int(data, "offset", 0)
    sort = str(data.get("sort") or "name asc")
    key = "package_count" if sort.startswith("package_count") else ("title" if sort.startswith("title") else "name")
    reverse = sort.endswith("desc")
    order = sorted(range(len(items)), key=lambda i: (items[i][key], items[i]["name"]), reverse=reverse)
    window = order[offset : offset + limit]
    return [items[i] for i in window] if all_fields else [names[i] for i in window]


def act_organization_list(ctx: Context, data: dict[str, Any]) -> Any:
    orgs = list(selectors.organizations())
    items = [organization_dict(o, ctx.base) for o in orgs]
    return _list_action(ctx, data, items, names=[o.name for o in orgs])


def act_organization_show(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    org = selectors.organization_get(str(data["id"]))
    result = organization_dict(org, ctx.base)
    if _bool(data, "include_datasets"):
        qs = selectors.with_related(selectors.visible_datasets().filter(organization=org).order_by("name"))[:1000]
        result["packages"] = [package_dict(d, ctx.base) for d in qs]
    result["users"] = []
    return result


def act_group_list(ctx: Context, data: dict[str, Any]) -> Any:
    groups = selectors.groups()
    items = [group_dict(g) for g in groups]
    return _list_action(ctx, data, items, names=[g["name"] for g in groups])


def act_group_show(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    group = selectors.group_get(str(data["id"]))
    result = group_dict(group)
    if _bool(data, "include_datasets"):
        qs = selectors.with_related(selectors.visible_datasets().filter(category=group["name"]).order_by("name"))
        result["packages"] = [package_dict(d, ctx.base) for d in qs[:1000]]
    return result


def act_tag_list(ctx: Context, data: dict[str, Any]) -> Any:
    names = selectors.tags(str(data.get("query") or data.get("q") or ""))
    if _bool(data, "all_fields"):
        return [{"id": selectors.tag_uid(n), "name": n, "display_name": n, "vocabulary_id": None} for n in names]
    return names


def act_resource_show(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    return resource_dict(selectors.resource_get(str(data["id"]), ctx.user), ctx.base)


def act_resource_view_list(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    res = selectors.resource_get(str(data["id"]), ctx.user)
    if not hasattr(res, "table"):
        return []
    return [
        {
            "id": str(res.uid),
            "resource_id": str(res.uid),
            "package_id": str(res.dataset.uid),
            "title": "Table",
            "description": "",
            "view_type": "datatables_view",
        }
    ]


def act_status_show(ctx: Context, data: dict[str, Any]) -> Any:
    return {
        "site_title": "Smart Seoul Open Data Plaza",
        "site_description": "서울 열린데이터 광장",
        "site_url": ctx.base,
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": ["datastore", "dcat", "showcase", "datarequests", "seoul_openapi"],
        "ckan_version": "2.11.0",
        "smartseoul_version": __version__,
    }


def act_help_show(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "name")
    func = ACTIONS.get(str(data["name"]))
    if func is None:
        raise CkanError("Not Found Error", 404, message=f"Not found: Action function not found: {data['name']}")
    return (func.__doc__ or f"{data['name']}: see the CKAN Action API documentation.").strip()


def act_site_read(ctx: Context, data: dict[str, Any]) -> Any:
    return True


def act_license_list(ctx: Context, data: dict[str, Any]) -> Any:
    return [
        {
            "id": lic.id,
            "title": lic.title,
            "url": lic.url,
            "status": "active",
            "maintainer": "",
            "family": "KOGL" if lic.id.startswith("KOGL") else "Creative Commons",
            "od_conformance": "approved" if lic.is_open else "not reviewed",
            "osd_conformance": "not reviewed",
            "domain_content": True,
            "domain_data": True,
            "domain_software": False,
            "is_generic": False,
            "is_okd_compliant": lic.is_open,
            "is_osi_compliant": False,
        }
        for lic in LICENCES.values()
    ]


def _next_link(ctx: Context, resource_id: str, data: dict[str, Any], offset: int, limit: int) -> str:
    from urllib.parse import urlencode

    params = {"resource_id": resource_id, "offset": offset, "limit": limit}
    for key in ("filters", "q", "sort", "fields", "distinct"):
        value = data.get(key)
        if value not in (None, ""):
            params[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "/api/3/action/datastore_search?" + urlencode(params)


def act_datastore_search(ctx: Context, data: dict[str, Any]) -> Any:
    """Rows of a datastore table: filters, q, sort, limit (default 100, max 32,000), offset, fields."""
    resource_id = str(data.get("resource_id") or data.get("id") or "")
    if not resource_id:
        raise CkanError("Validation Error", 409, resource_id=["Missing value"])
    res = selectors.resource_get(resource_id, ctx.user)
    table = selectors.table_of(res)
    filters = _json_param(data, "filters") or {}
    if not isinstance(filters, dict):
        raise CkanError("Validation Error", 409, filters=["Not a JSON object"])
    q = _json_param(data, "q")
    if q is None:
        q = data.get("full_text")
    if isinstance(q, list):
        q = " ".join(str(v) for v in q)
    fields = _list(_json_param(data, "fields"))
    limit = _int(data, "limit", DATASTORE_DEFAULT_LIMIT, maximum=DATASTORE_MAX_LIMIT)
    offset = _int(data, "offset", 0)
    records_format = str(data.get("records_format") or "objects")
    if records_format not in {"objects", "lists", "csv", "tsv"}:
        raise CkanError("Validation Error", 409, records_format=["Must be objects, lists, csv or tsv"])
    sort = _json_param(data, "sort")
    result = selectors.table_query(
        table,
        filters=filters,
        q=q if isinstance(q, dict | str) else None,
        sort=sort,
        limit=limit,
        offset=offset,
        select=[str(f) for f in fields] or None,
        distinct=_bool(data, "distinct"),
        include_total=_bool(data, "include_total", True),
        as_lists=records_format == "lists",
    )
    services.usage_count(dataset_id=res.dataset_id, kind="api_calls")
    records: Any = result.records
    if records_format in {"csv", "tsv"}:
        names = [f["id"] for f in result.fields]
        text = datastore.csv_bytes(result.records, names, "\t" if records_format == "tsv" else ",")  # type: ignore[arg-type]
        records = text.split("\n", 1)[1] if "\n" in text else ""
    fields_out = [
        {
            "id": f["id"],
            "type": datastore.CKAN_TYPES.get(f["type"], "text"),
            **(
                {"info": {"label": f["info"].get("label", ""), "notes": f["info"].get("notes", "")}}
                if f.get("info")
                else {}
            ),
        }
        for f in result.fields
    ]
    out: dict[str, Any] = {
        "resource_id": str(res.uid),
        "fields": fields_out,
        "records": records,
        "limit": limit,
        "offset": offset,
        "filters": filters,
        "records_format": records_format,
        "include_total": _bool(data, "include_total", True),
        "_links": {
            "start": _next_link(ctx, str(res.uid), data, 0, limit),
            "next": _next_link(ctx, str(res.uid), data, offset + limit, limit),
        },
    }
    if q:
        out["q"] = q
    if sort:
        out["sort"] = sort
    if result.total is not None:
        out["total"] = result.total
        out["total_was_estimated"] = result.total_was_estimated
    got = len(result.records)
    more = (result.total is None and got == limit) or (result.total is not None and offset + got < result.total)
    out["next_page"] = _next_link(ctx, str(res.uid), data, offset + limit, limit) if more and limit else None
    return out


def act_datastore_info(ctx: Context, data: dict[str, Any]) -> Any:
    resource_id = str(data.get("resource_id") or data.get("id") or "")
    if not resource_id:
        raise CkanError("Validation Error", 409, id=["Missing value"])
    res = selectors.resource_get(resource_id, ctx.user)
    table = selectors.table_of(res)
    return {
        "meta": {
            "id": str(res.uid),
            "count": table.row_count,
            "table_type": "BASE TABLE",
            "version": table.version,
            "loaded": ckan_time(table.loaded_at),
        },
        "fields": [
            {
                "id": f["id"],
                "type": datastore.CKAN_TYPES.get(f["type"], "text"),
                "schema": {"native_type": datastore.DUCK_TYPES.get(f["type"], "VARCHAR").lower(), "notnull": False},
                "info": f.get("info", {}),
            }
            for f in table.fields
        ],
    }


def act_datastore_search_sql(ctx: Context, data: dict[str, Any]) -> Any:
    """One read-only SELECT over datastore tables (by resource id); off unless OPENDATA_SQL_ENABLED."""
    if not getattr(settings, "OPENDATA_SQL_ENABLED", False):
        raise CkanError(
            "Authorization Error", 403, message="Access denied: datastore_search_sql is not enabled on this site"
        )
    sql = str(data.get("sql") or "")
    statement, names = sqlsafe.validate(sql)
    tables = {}
    for name in names:
        try:
            res = selectors.resource_get(name, ctx.user)
            tables[name] = selectors.table_path(selectors.table_of(res))
        except Missing:
            raise CkanError("Not Found Error", 404, message=f"Not found: table {name}") from None
    result = sqlsafe.run(statement, tables, limits=sqlsafe.limits())
    out = {"sql": sql, "fields": result.fields, "records": result.records, "records_truncated": result.truncated}
    return out


def act_package_activity_list(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    ds = selectors.dataset_get(str(data["id"]), ctx.user)
    limit = _int(data, "limit", 31, maximum=100)
    return [_activity(v, ds) for v in selectors.dataset_versions(ds, limit)]


def act_recently_changed_packages_activity_list(ctx: Context, data: dict[str, Any]) -> Any:
    return [
        _activity(v, v.dataset)
        for v in selectors.recent_versions(_int(data, "limit", 31, maximum=100), _int(data, "offset", 0))
    ]


def _activity(version: Any, ds: Dataset) -> dict[str, Any]:
    return {
        "id": f"{ds.uid}-{version.number}-{version.pk}",
        "timestamp": ckan_time(version.at),
        "user_id": None,
        "object_id": str(ds.uid),
        "activity_type": "new package"
        if version.action == "dataset_create"
        else ("deleted package" if version.snapshot.get("state") == "deleted" else "changed package"),
        "data": {"package": version.snapshot, "note": version.note},
    }


def _showcase_dict(item: Any, base: str) -> dict[str, Any]:
    return {
        "id": str(item.uid),
        "name": item.name,
        "title": item.title,
        "notes": item.description,
        "url": item.url,
        "type": "showcase",
        "state": "active",
        "private": False,
        "metadata_created": ckan_time(item.created_at),
        "num_datasets": item.datasets.count(),
        "extras": [{"key": "kind", "value": item.kind}],
    }


def act_ckanext_showcase_list(ctx: Context, data: dict[str, Any]) -> Any:
    return [_showcase_dict(s, ctx.base) for s in selectors.showcases()]


def act_ckanext_showcase_show(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    return _showcase_dict(selectors.showcase_get(str(data["id"])), ctx.base)


def act_ckanext_showcase_package_list(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "showcase_id")
    item = selectors.showcase_get(str(data["showcase_id"]))
    qs = selectors.with_related(selectors.visible_datasets().filter(showcases=item))
    return [package_dict(d, ctx.base) for d in qs]


def _datarequest_dict(req: Any) -> dict[str, Any]:
    return {
        "id": str(req.uid),
        "title": req.title,
        "description": req.description,
        "organization_id": req.department_code,
        "open_time": ckan_time(req.created_at),
        "close_time": ckan_time(req.answered_at),
        "closed": req.status not in {"submitted", "will_publish"},
        "status": req.status,
        "accepted_dataset_id": str(req.dataset.uid) if req.dataset else None,
        "due_date": req.due_date.isoformat(),
        "answer": req.answer,
        "legal_ground": req.legal_ground,
    }


def act_create_datarequest(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "title", "description")
    department = str(data.get("department_code") or "")
    if not department and data.get("organization_id"):
        org = selectors.organization_get(str(data["organization_id"]))
        department = org.department_code or (f"{org.district_code}-planning" if org.district_code else "")
    req = services.data_request_create(
        requester=user,
        title=str(data["title"]),
        description=str(data["description"]),
        category=str(data.get("category") or "administration"),
        department_code=department or "seoul-data",
        purpose=str(data.get("purpose") or ""),
    )
    return _datarequest_dict(req)


def act_show_datarequest(ctx: Context, data: dict[str, Any]) -> Any:
    _require(data, "id")
    return _datarequest_dict(selectors.data_request_get(str(data["id"])))


def act_list_datarequests(ctx: Context, data: dict[str, Any]) -> Any:
    qs = selectors.data_requests(status=str(data.get("status") or "") or None)
    limit = _int(data, "limit", 10, maximum=LIST_MAX)
    offset = _int(data, "offset", 0)
    return {"count": qs.count(), "result": [_datarequest_dict(r) for r in qs[offset : offset + limit]], "facets": {}}


# --- writes (tier 2) ----------------------------------------------------------------------------------


def _dataset_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    mapping = {"title": "title_ko", "notes": "description_ko", "license_id": "licence"}
    for key, target in mapping.items():
        if key in data:
            values[target] = data[key] or ""
    translated = _json_param(data, "title_translated")
    if isinstance(translated, dict):
        values["title_ko"] = translated.get("ko") or values.get("title_ko", "")
        values["title_en"] = translated.get("en") or ""
    notes = _json_param(data, "notes_translated")
    if isinstance(notes, dict):
        values["description_ko"] = notes.get("ko") or values.get("description_ko", "")
        values["description_en"] = notes.get("en") or ""
    if "private" in data:
        values["private"] = _bool(data, "private")
    groups = _json_param(data, "groups")
    if groups:
        first = groups[0] if isinstance(groups, list) else groups
        values["category"] = first.get("name") if isinstance(first, dict) else str(first)
    extras = _json_param(data, "extras") or []
    for extra in extras if isinstance(extras, list) else []:
        if not isinstance(extra, dict):
            continue
        key, value = str(extra.get("key") or ""), extra.get("value")
        if key == "category":
            values.setdefault("category", value)
        elif key == "frequency":
            values["frequency"] = value
        elif key == "district_code":
            values["spatial"] = value or ""
        elif key == "seoul_openapi_service":
            values["service_name"] = value or None
    return values


def _tags(data: dict[str, Any]) -> list[str] | None:
    tags = _json_param(data, "tags")
    if tags is None:
        return None
    return [t.get("name", "") if isinstance(t, dict) else str(t) for t in _list(tags)]


def act_package_create(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "name")
    if not data.get("owner_org"):
        raise CkanError("Validation Error", 409, owner_org=["An organization must be provided"])
    org = selectors.organization_get(str(data["owner_org"]))
    values = _dataset_values(data)
    values.setdefault("title_ko", str(data.get("name")))
    values.setdefault("category", "administration")
    state = DatasetState.ACTIVE if str(data.get("state") or "active") == "active" else DatasetState.DRAFT
    ds = services.dataset_create(
        actor=user, organization=org, name=str(data["name"]), tags=_tags(data) or [], state=state, **values
    )
    for res in _list(_json_param(data, "resources")):
        if isinstance(res, dict):
            services.resource_create(
                actor=user,
                dataset=ds,
                name=str(res.get("name") or res.get("url") or "link"),
                kind=ResourceKind.LINK,
                format=str(res.get("format") or ""),
                url=str(res.get("url") or ""),
                description=str(res.get("description") or ""),
            )
    return package_dict(selectors.dataset_get(str(ds.uid), user), ctx.base)


def _package_change(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "id")
    ds = selectors.dataset_get(str(data["id"]), user)
    values = _dataset_values(data)
    if "name" in data and data["name"] != ds.name:
        values["name"] = data["name"]
    if "owner_org" in data:
        values["organization"] = selectors.organization_get(str(data["owner_org"]))
    if data.get("state") in {"active", "draft"}:
        values["state"] = data["state"]
    services.dataset_update(actor=user, dataset=ds, tags=_tags(data), **values)
    return package_dict(selectors.dataset_get(str(ds.uid), user), ctx.base)


def act_package_update(ctx: Context, data: dict[str, Any]) -> Any:
    return _package_change(ctx, data)


def act_package_patch(ctx: Context, data: dict[str, Any]) -> Any:
    return _package_change(ctx, data)


def act_package_delete(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "id")
    services.dataset_delete(actor=user, dataset=selectors.dataset_get(str(data["id"]), user))
    return None


def _upload_into(ctx: Context, ds: Dataset, upload: UploadedFile, name: str, resource: Resource | None) -> Resource:
    staged = services.upload_stage(
        actor=ctx.user, dataset=ds, file=upload, original_name=upload.name or name, resource=resource
    )
    if staged.status != "validated":
        raise CkanError(
            "Validation Error",
            409,
            upload=[
                *staged.report.get("errors", []),
                *[f"line {b['line']}: {b['reason']}" for b in staged.report.get("bad_rows", [])[:20]],
            ],
        )
    return services.upload_publish(actor=ctx.user, upload=staged, resource_name=name)


def act_resource_create(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "package_id")
    ds = selectors.dataset_get(str(data["package_id"]), user)
    upload = data.get("upload")
    name = str(data.get("name") or (upload.name if isinstance(upload, UploadedFile) else "") or data.get("url") or "")
    if isinstance(upload, UploadedFile):
        if (upload.name or "").lower().endswith((".csv", ".xlsx", ".tsv", ".txt")):
            res = _upload_into(ctx, ds, upload, name, None)
        else:
            raise CkanError("Validation Error", 409, upload=[_("Upload a CSV or XLSX table.")])
    else:
        res = services.resource_create(
            actor=user,
            dataset=ds,
            name=name,
            kind=ResourceKind.LINK,
            format=str(data.get("format") or ""),
            url=str(data.get("url") or ""),
            description=str(data.get("description") or ""),
        )
    return resource_dict(selectors.resource_get(str(res.uid), user), ctx.base)


def act_resource_update(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "id")
    res = selectors.resource_get(str(data["id"]), user)
    upload = data.get("upload")
    if isinstance(upload, UploadedFile):
        _upload_into(ctx, res.dataset, upload, res.name, res)
    changes = {k: data[k] for k in ("name", "description", "url", "format") if k in data}
    if changes:
        services.resource_update(actor=user, resource=res, **changes)
    return resource_dict(selectors.resource_get(str(res.uid), user), ctx.base)


def act_resource_patch(ctx: Context, data: dict[str, Any]) -> Any:
    return act_resource_update(ctx, data)


def act_organization_create(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "name")
    extras = {e.get("key"): e.get("value") for e in _list(_json_param(data, "extras")) if isinstance(e, dict)}
    org = services.organization_create(
        actor=user,
        name=str(data["name"]),
        title_ko=str(data.get("title") or data["name"]),
        kind=str(extras.get("publisher_kind") or "city"),
        district_code=str(extras.get("district_code") or ""),
        description_ko=str(data.get("description") or ""),
    )
    return organization_dict(org, ctx.base)


def act_organization_update(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "id")
    org = selectors.organization_get(str(data["id"]))
    changes = {}
    if "title" in data:
        changes["title_ko"] = data["title"]
    if "description" in data:
        changes["description_ko"] = data["description"]
    org = services.organization_update(actor=user, organization=org, **changes)
    return organization_dict(org, ctx.base)


def act_api_token_create(ctx: Context, data: dict[str, Any]) -> Any:
    user = _user(ctx)
    _require(data, "name")
    if data.get("user") and str(data["user"]) not in {user.username, str(user.pk)}:
        raise CkanError("Authorization Error", 403, message="Access denied: tokens are created for yourself only")
    _key, raw = services.api_key_register(owner=user, name=str(data["name"]))
    return {"token": raw}


def act_organization_list_for_user(ctx: Context, data: dict[str, Any]) -> Any:
    return [organization_dict(o, ctx.base) for o in selectors.organizations_for(ctx.user)]


ACTIONS: dict[str, Callable[[Context, dict[str, Any]], Any]] = {
    name[4:]: func for name, func in list(globals().items()) if name.startswith("act_") and callable(func)
}
for _hidden in ("create_datarequest", "organization_list_for_user"):
    assert _hidden in ACTIONS  # noqa: S101  (a check on this table when the module loads, not a request guard)


# --- the view ------------------------------------------------------------------------------------


def _envelope(
    request: HttpRequest, action: str, payload: dict[str, Any], status: int, callback: str | None = None
) -> HttpResponse:
    body = {"help": f"{base_url(request)}/api/3/action/help_show?name={action}", **payload}
    text = json.dumps(body, ensure_ascii=False, default=str)
    if callback:
        return HttpResponse(f"{callback}({text});", content_type="application/javascript; charset=utf-8", status=200)
    return HttpResponse(text, content_type="application/json;charset=utf-8", status=status)


def _error(type_: str, status: int, **body: Any) -> tuple[dict[str, Any], int]:
    return {"success": False, "error": {"__type": type_, **body}}, status


ANONYMOUS_PER_MINUTE = 300  # the same as the native open-data API


def _authenticate(request: HttpRequest, *, write: bool) -> Any:
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    if not raw:
        return None  # anonymous: public data needs no key
    key = services.api_key_use(raw=raw, write=write)  # never logged
    return key.owner


def _bad_request(message: str) -> dict[str, Any]:
    return {"success": False, "error": {"__type": "Bad Request", "message": f"Bad request - {message}"}}


_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")


@csrf_exempt
@checks_own_input
def action(request: HttpRequest, name: str) -> HttpResponse:
    callback = request.GET.get("callback") if request.method == "GET" else None
    if callback and not _CALLBACK.match(callback):
        callback = None
    func = ACTIONS.get(name)
    if func is None:
        return _envelope(request, name, _bad_request(f"Action name not known: {name[:60]}"), 400)
    if request.method not in {"GET", "POST"}:
        return _envelope(request, name, _bad_request("Invalid request method"), 400)
    if request.method == "GET" and name not in READ_ACTIONS:
        return _envelope(request, name, _bad_request("Invalid request. Please use POST method"), 400)
    try:
        user = None if callback else _authenticate(request, write=name not in READ_ACTIONS)
        if user is None:  # keyed callers are limited by their key's quota
            ratelimit.hit(f"ckan-anon:{ratelimit.client_ip(request)}", limit=ANONYMOUS_PER_MINUTE, window_seconds=60)
        data = request_data(request)
        if has_nul(data):  # PostgreSQL stores and compares no text holding one
            raise CkanError("Validation Error", 409, input=["NUL characters are not allowed"])
        data.pop("callback", None)
        data.pop("_", None)
        result = func(Context(request, user, base_url(request)), data)
        payload, status = {"success": True, "result": result}, 200
    except CkanError as exc:
        payload, status = _error(exc.type, exc.status, **exc.body)
    except FieldErrors as exc:
        payload, status = _error("Validation Error", 409, **exc.errors)
    except QueryError as exc:
        if exc.code in {OpenDataErrorCode.BAD_QUERY, OpenDataErrorCode.BAD_SORT} or exc.message.startswith("Search"):
            message = (
                exc.message if exc.message.startswith("Search Query") else f"Search Query is invalid: {exc.message}"
            )
            payload, status = _error("Search Query Error", 400, message=message)
        else:
            sql_codes = {OpenDataErrorCode.SQL_REFUSED, OpenDataErrorCode.SQL_TIMEOUT, OpenDataErrorCode.SQL_MEMORY}
            key = "sql" if exc.code in sql_codes else "query"
            payload, status = _error("Validation Error", 409, **{key: [exc.message]})
    except NotFound as exc:
        message = exc.message if exc.message.startswith("Not found") else f"Not found: {exc.message}"
        payload, status = _error("Not Found Error", 404, message=message)
    except RateLimited as exc:
        payload, status = _error("Authorization Error", 429, message=f"Access denied: {exc.message}")
    except PermissionDenied as exc:
        payload, status = _error("Authorization Error", 403, message=f"Access denied: {exc.message}")
    except DomainError as exc:
        payload, status = _error("Validation Error", 409, **{exc.code: [exc.message]})
    except Exception:
        log.exception("CKAN action %s failed", name)
        payload, status = _error("Internal Server Error", 500, message="Internal Server Error")
    return _envelope(request, name, payload, status, callback)
