"""Root-mounted file and linked-data endpoints: DCAT-AP catalogue and dataset graphs, the
Data Package descriptor and ZIP, and resource downloads. Thin: parse, one selector, render."""

from __future__ import annotations

from pathlib import Path

from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from smartseoul.core.errors import DomainError

from . import datapackage, datastore, dcat, selectors, services
from .ckan import base_url
from .constants import ResourceKind
from .query import invalid, parse_datetime

DOWNLOAD_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def _bad(message: str) -> HttpResponse:
    return JsonResponse({"error": {"code": "bad_query", "message": message}}, status=400)


@require_GET
def catalogue(request: HttpRequest, fmt: str) -> HttpResponse:
    """/catalog.{ttl,jsonld,rdf,xml,n3}?page=&modified_since=&q=&fq= (100 datasets a page)."""
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return _bad("page must be a positive integer")
    try:
        since = parse_datetime(request.GET["modified_since"]) if request.GET.get("modified_since") else None
        params = selectors.SearchParams(
            q=request.GET.get("q", ""),
            fq=request.GET.get("fq", ""),
            sort="id asc",
            rows=dcat.PAGE_SIZE,
            start=(page - 1) * dcat.PAGE_SIZE,
            modified_since=since,
        )
        result = selectors.search_datasets(params)
    except DomainError as exc:
        return _bad(exc.message)
    base = base_url(request)
    modified = selectors.visible_datasets().aggregate(m=Max("modified_at"))["m"]
    keep = [(k, v) for k, v in request.GET.items() if k != "page"]
    from urllib.parse import urlencode

    page_url = f"{base}/catalog.{fmt}" + (f"?{urlencode(keep)}" if keep else "")
    graph = dcat.catalogue_graph(
        base,
        result.results,
        page=page,
        total=result.count,
        page_size=dcat.PAGE_SIZE,
        page_url=page_url,
        modified=modified,
    )
    data, media_type = dcat.serialize(graph, fmt)
    return HttpResponse(data, content_type=f"{media_type}; charset=utf-8")


@require_GET
def dataset_rdf(request: HttpRequest, ident: str, fmt: str) -> HttpResponse:
    try:
        ds = selectors.dataset_get(ident, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    data, media_type = dcat.serialize(dcat.dataset_graph(base_url(request), ds), fmt)
    return HttpResponse(data, content_type=f"{media_type}; charset=utf-8")


@require_GET
def dataset_page(request: HttpRequest, ident: str) -> HttpResponse:
    """/dataset/{id}: content negotiation for linked-data clients, else the HTML page."""
    accept = request.headers.get("Accept", "")
    for fmt, (_rdf, media_type) in dcat.FORMATS.items():
        if media_type in accept and "text/html" not in accept:
            return dataset_rdf(request, ident, fmt)
    try:
        ds = selectors.dataset_get(ident, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return redirect("opendata:dataset", name=ds.name)


@require_GET
def datapackage_json(request: HttpRequest, ident: str) -> HttpResponse:
    try:
        ds = selectors.dataset_get(ident, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return JsonResponse(datapackage.descriptor(ds, base_url(request)), json_dumps_params={"ensure_ascii": False})


@require_GET
def dataset_zip(request: HttpRequest, ident: str) -> HttpResponseBase:
    try:
        ds = selectors.dataset_get(ident, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    path = datapackage.build_zip(ds, base_url(request), lambda table: selectors.export_file(table, "csv"))
    services.usage_count(dataset_id=ds.pk, kind="downloads")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{ds.name}.zip", content_type="application/zip"
    )
    path.unlink(missing_ok=True)  # the open handle keeps the data until the response is sent
    return response


@require_GET
def resource_download(request: HttpRequest, ident: str, resource_id: str, filename: str) -> HttpResponseBase:
    """The address catalogues, CKAN and Data Package descriptors point to: a table's CSV is plain
    UTF-8 (what `"encoding": "utf-8"` promises) unless `?encoding=` asks for another."""
    return download(request, ident, resource_id, filename, csv_default="utf-8")


def download(
    request: HttpRequest, ident: str, resource_id: str, filename: str, *, csv_default: str
) -> HttpResponseBase:
    """A resource as a file; a table as csv, json, xlsx or parquet. CSV text is written in
    `?encoding=` (utf-8, utf-8-sig or cp949), else in `csv_default`."""
    try:
        res = selectors.resource_get(resource_id, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if res.dataset.name != ident and str(res.dataset.uid) != ident:
        raise Http404("No such resource in this dataset.")
    if res.kind in {ResourceKind.LINK, ResourceKind.API} and res.url:
        return redirect(res.url)
    fmt = Path(filename).suffix.lower().lstrip(".")
    encoding = "utf-8"
    if hasattr(res, "table"):
        if fmt not in DOWNLOAD_FORMATS:
            raise Http404("Download as csv, json, xlsx or parquet.")
        if fmt == "csv":
            encoding = selectors.csv_encoding(request.GET.get("encoding"), csv_default)
        path = selectors.export_file(res.table, fmt)
        content_type = DOWNLOAD_FORMATS[fmt]
    elif res.file:
        path = services.datastore_root() / res.file
        content_type = res.mimetype or "application/octet-stream"
        if not path.exists():
            raise Http404("The file is missing.")
    else:
        raise Http404("This resource has nothing to download.")
    services.usage_count(dataset_id=res.dataset_id, kind="downloads")
    stamp = timezone.localdate().strftime("%Y%m%d")  # the day in Seoul
    name = f"{res.dataset.name}-{stamp}.{fmt}" if hasattr(res, "table") else Path(filename).name
    if encoding == "utf-8":
        return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response = StreamingHttpResponse(
        datastore.reencoded(path, encoding), content_type=f"text/csv; charset={encoding.removesuffix('-sig')}"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or "attachment"
    return response


__all__ = [
    "catalogue",
    "datapackage_json",
    "dataset_page",
    "dataset_rdf",
    "dataset_zip",
    "download",
    "invalid",
    "resource_download",
]
