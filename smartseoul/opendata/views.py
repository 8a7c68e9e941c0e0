"""HTML pages of the Open Data Plaza and the Information Open Plaza. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smartseoul.accounts.policy import second_factor_page, second_factor_passed, second_factor_pending
from smartseoul.core import ratelimit
from smartseoul.core.errors import DomainError
from smartseoul.core.redirects import login_url

from . import adapters, datastore, labels, selectors, services
from .constants import (
    CATEGORY_ICON,
    LICENCES,
    Category,
    Disclosure,
    DocumentType,
    Frequency,
)
from .errors import FieldErrors, Forbidden
from .models import RequestStatus

SORTS = {
    "relevance": "score desc, metadata_modified desc",
    "newest": "metadata_modified desc",
    "popular": "views_total desc",
    "name": "title_string asc",
}
FACETS = ("groups", "organization", "res_format", "license_id", "tags")
_LAT = re.compile(r"^(lat|latitude|y|위도|ycoord|y좌표)$", re.IGNORECASE)
_LON = re.compile(r"^(lon|lng|long|longitude|x|경도|xcoord|x좌표)$", re.IGNORECASE)
_DISTRICT = re.compile(r"(district_code|gu_code|자치구코드|sgg_cd|signgu_cd|^district$)", re.IGNORECASE)
FUNC_LABELS = {
    "sum": gettext_lazy("sum"),
    "avg": gettext_lazy("average"),
    "max": gettext_lazy("maximum"),
    "min": gettext_lazy("minimum"),
    "count": gettext_lazy("count"),
}
FINDING_KINDS = {
    "rrn": gettext_lazy("resident registration number"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "bank_account": gettext_lazy("bank account number"),
    "unscanned": gettext_lazy("file to check by hand"),
}
FINDING_PLACES = {
    "title": gettext_lazy("title"),
    "body": gettext_lazy("body"),
    "attachment": gettext_lazy("attachment"),
}
# The controls each form's field errors link to (service field name → element id).
REQUEST_IDS = {"title": "r-title", "description": "r-desc", "purpose": "r-purpose", "category": "r-cat",
               "department": "r-dept"}
ANSWER_IDS = {"status": "a-status", "answer": "a-answer", "legal_ground": "a-ground", "dataset": "a-dataset"}
APP_IDS = {"title": "app-title", "description": "app-desc", "url": "app-url", "kind": "app-kind",
           "datasets": "app-datasets"}
DOCUMENT_IDS = {"number": "d-number", "title": "d-title", "body": "d-body", "doc_type": "d-type",
                "department": "d-dept", "produced_on": "d-date", "disclosure": "d-disc", "legal_ground": "d-ground"}
PUBLISH_IDS = {"license_id": "licence", "title": "title_ko"}


def _fq(request: HttpRequest) -> str:
    parts = []
    for key, field in (
        ("category", "groups"),
        ("organization", "organization"),
        ("format", "res_format"),
        ("licence", "license_id"),
        ("tag", "tags"),
    ):
        value = request.GET.get(key, "").strip()
        if value:
            parts.append(f'{field}:"{value}"')
    return " AND ".join(parts)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    sort_key = request.GET.get("sort") or ("relevance" if q else "newest")
    page = max(1, int(request.GET.get("page", "1")) if request.GET.get("page", "1").isdigit() else 1)
    error = ""
    try:
        result = selectors.search_datasets(
            selectors.SearchParams(
                q=q,
                fq=_fq(request),
                sort=SORTS.get(sort_key, SORTS["newest"]),
                rows=20,
                start=(page - 1) * 20,
                facet_fields=FACETS,
                facet_limit=12,
            )
        )
    except DomainError as exc:
        error = exc.message
        result = selectors.SearchResult(count=0, results=[])
    pages = max(1, (result.count + 19) // 20)
    if result.facets.get("organization"):  # publishers by their name in the page language
        names = selectors.organization_titles([n for n, _label, _n in result.facets["organization"]])
        result.facets["organization"] = [(n, names.get(n, label), c) for n, label, c in result.facets["organization"]]
    counts = selectors.category_counts()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "opendata/index.html",
        {
            "q": q,
            "result": result,
            "sort": sort_key,
            "sorts": SORTS,
            "page": page,
            "pages": pages,
            "categories": [(c, label, CATEGORY_ICON[c], counts.get(c, 0)) for c, label in Category.choices],
            "totals": selectors.catalogue_totals(),
            "error": error,
            "query_string": params.urlencode(),
            "selected": {k: request.GET.get(k, "") for k in ("category", "organization", "format", "licence", "tag")},
        },
    )


def _geo_columns(fields: list[dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for f in fields:
        label = (f.get("info") or {}).get("label", "")
        for key, pattern in (("lat", _LAT), ("lon", _LON)):
            if key not in found and f["type"] == "number" and (pattern.match(f["id"]) or pattern.match(label)):
                found[key] = f["id"]
        if "district" not in found and (_DISTRICT.search(f["id"]) or _DISTRICT.search(label)):
            found["district"] = f["id"]
    return found


@require_GET
def dataset(request: HttpRequest, name: str) -> HttpResponse:
    try:
        ds = selectors.dataset_get(name, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    services.usage_count(dataset_id=ds.pk, kind="views")
    found = selectors.primary_table(ds)
    table = found[1] if found else None
    resource = found[0] if found else None
    columns = (
        [{**f, "shown": selectors.field_label(f), "type_label": labels.field_type(f["type"])} for f in table.fields]
        if table
        else []
    )
    numeric = [f for f in columns if f["type"] in {"integer", "number"}]
    geo = _geo_columns(table.fields) if table else {}
    chart = (
        selectors.chart_defaults(
            table, exclude=[c for k, c in geo.items() if k in ("lat", "lon")], district=geo.get("district")
        )
        if table
        else None
    )
    base = request.build_absolute_uri("/").rstrip("/")
    licence = LICENCES.get(ds.licence)
    district_rows: list[tuple[Any, Any]] = []
    if table and geo.get("district") and not ("lat" in geo and "lon" in geo):  # the map's table
        counts = sorted(selectors.district_counts(table, geo["district"]).items(), key=lambda kv: -kv[1])
        district_rows = list(zip(_district_labels([k for k, _n in counts]), [n for _k, n in counts], strict=True))
    return render(
        request,
        "opendata/dataset.html",
        {
            "ds": ds,
            "table": table,
            "resource": resource,
            "numeric": numeric,
            "geo": geo,
            "chart": chart,
            "chart_funcs": FUNC_LABELS.items(),
            "history": [{**v, "note": labels.message(v["note"])} for v in selectors.dataset_history(ds, 10)],
            "licence": licence,
            "district_rows": district_rows,
            "licence_title": labels.licence_title(licence) if licence else ds.licence,
            "usage": selectors.usage_for(ds),
            "base": base,
            "can_publish": services.can_publish(request.user, ds.organization),
            "category_fields": [f for f in columns if f["type"] in {"string", "integer"}],
            "columns": columns,
            "formats": ("csv", "json", "xlsx", "parquet"),
        },
    )


@require_GET
def preview(request: HttpRequest, name: str) -> HttpResponse:
    """The preview table fragment (htmx): paging, text filter and sort."""
    try:
        ds = selectors.dataset_get(name, request.user)
        found = selectors.primary_table(ds)
        if found is None:
            raise Http404("No table.")
        table = found[1]
        offset = max(0, int(request.GET.get("offset", "0") or 0))
        sort = request.GET.get("sort", "")
        result = selectors.table_query(
            table, q=request.GET.get("q") or None, sort=sort or None, limit=20, offset=offset
        )
    except (DomainError, ValueError) as exc:
        status = exc.status if isinstance(exc, DomainError) else 400  # a private dataset: 404, as its page
        return HttpResponse(f'<p class="error">{getattr(exc, "message", str(exc))}</p>', status=status)
    shown = [f for f in result.fields if f["id"] != "_id"]
    rows = [[r.get(f["id"]) for f in shown] for r in result.records if isinstance(r, dict)]
    return render(
        request,
        "opendata/_preview.html",
        {
            "ds": ds,
            "table": table,
            "result": result,
            "rows": rows,
            "headers": [selectors.field_label(f) for f in shown],
            "offset": offset,
            "q": request.GET.get("q", ""),
            "sort": sort,
            "next": offset + 20 if (result.total or 0) > offset + 20 else None,
            "prev": max(0, offset - 20) if offset else None,
        },
    )


@require_GET
def chart_data(request: HttpRequest, name: str) -> HttpResponse:
    try:
        ds = selectors.dataset_get(name, request.user)
        found = selectors.primary_table(ds)
        if found is None:
            raise Http404("No table.")
        table = found[1]
        names = {f["id"] for f in table.fields}
        x, y = request.GET.get("x", ""), request.GET.get("y", "")
        func = request.GET.get("func", "sum")
        if x not in names or (y and y not in names):
            return JsonResponse(
                {"error": {"code": "bad_field", "message": _("Choose columns of this table.")}}, status=400
            )
        points = datastore.aggregate(selectors.table_path(table), group_by=x, value=y or None, func=func)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    labels = {f["id"]: selectors.field_label(f) for f in table.fields}
    keys = [p[0] for p in points]
    if x == _geo_columns(table.fields).get("district"):  # district codes drawn as the districts' names
        keys = _district_labels(keys)
        labels[x] = _("District")
    counting = func == "count" or not y
    measure = str(FUNC_LABELS.get(func, func))
    return JsonResponse(
        {
            "x": keys,
            "y": [p[1] for p in points],
            "func": "count" if counting else func,
            "x_label": labels[x],
            "y_label": _("number of rows") if counting else f"{labels[y]} ({measure})",
        }
    )


def _district_labels(values: list[Any]) -> list[Any]:
    from django.utils.translation import get_language

    from smartseoul.core.selectors import district_names

    lang = "en" if (get_language() or "ko").startswith("en") else "ko"
    names = district_names()
    return [names.get(str(v), {}).get(lang) or v for v in values]


@require_GET
def map_data(request: HttpRequest, name: str) -> HttpResponse:
    """GeoJSON of the table: points from latitude/longitude columns, else districts with counts."""
    from smartseoul.core.selectors import districts_geojson

    try:
        ds = selectors.dataset_get(name, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    found = selectors.primary_table(ds)
    if found is None:
        raise Http404("No table.")
    table = found[1]
    geo = _geo_columns(table.fields)
    features: list[dict[str, Any]] = []
    if "lat" in geo and "lon" in geo:
        label_col = next((f["id"] for f in table.fields if f["type"] == "string"), None)
        result = selectors.table_query(table, limit=2000, include_total=False)
        for rec in result.records:
            assert isinstance(rec, dict)  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
            lat, lon = rec.get(geo["lat"]), rec.get(geo["lon"])
            if lat is None or lon is None or not (33 <= lat <= 39 and 124 <= lon <= 132):
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": rec["_id"],
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                    "properties": {"label": str(rec.get(label_col, "")) if label_col else ""},
                }
            )
    elif "district" in geo:
        counts = selectors.district_counts(table, geo["district"])
        for feat in districts_geojson()["features"]:
            code = feat.get("properties", {}).get("code")
            features.append(
                {
                    **feat,
                    "properties": {
                        **feat.get("properties", {}),
                        "count": counts.get(code, counts.get(int(code) if code and code.isdigit() else code, 0)),
                    },
                }
            )
    return JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")


@require_GET
def download(request: HttpRequest, name: str, resource_id: Any, filename: str) -> HttpResponseBase:
    """The download the dataset page offers people: CSV with a byte-order mark, so Excel opens
    Korean text as it is; `?encoding=cp949` for older spreadsheet programs."""
    return adapters.download(request, name, str(resource_id), filename, csv_default="utf-8-sig")


# --- publishing -------------------------------------------------------------------------------------


def _publisher_only(request: HttpRequest) -> list[Any]:
    orgs = selectors.organizations_for(request.user)
    if not orgs:
        raise Forbidden(_("You are not an open-data publisher."))
    return orgs


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest) -> HttpResponse:
    orgs = _publisher_only(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = request.POST
        org = next((o for o in orgs if o.name == data.get("organization")), None)
        try:
            if org is None:
                raise FieldErrors({"organization": [_("Choose one of your publishers.")]})
            ds = services.dataset_create(
                actor=request.user,
                organization=org,
                name=data.get("name", "").strip(),
                title_ko=data.get("title_ko", ""),
                title_en=data.get("title_en", ""),
                description_ko=data.get("description_ko", ""),
                description_en=data.get("description_en", ""),
                category=data.get("category", ""),
                licence=data.get("licence", "KOGL-1"),
                frequency=data.get("frequency", "irregular"),
                tags=[t.strip() for t in data.get("tags", "").split(",") if t.strip()],
                service_name=data.get("service_name", "").strip() or None,
                spatial=org.district_code,
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Dataset created as a draft. Upload its table next."))
            return redirect("opendata:upload", name=ds.name)
    datasets = selectors.with_related(
        selectors.Dataset.objects.filter(organization__in=orgs).exclude(state="deleted").order_by("-modified_at")
    )
    return render(
        request,
        "opendata/publish.html",
        {
            "orgs": orgs,
            "datasets": datasets[:200],
            "errors": labels.error_items(errors, PUBLISH_IDS),
            "data": request.POST,
            "categories": Category.choices,
            "licences": labels.licences(),
            "frequencies": Frequency.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, name: str) -> HttpResponse:
    _publisher_only(request)
    try:
        ds = selectors.dataset_get(name, request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if not services.can_publish(request.user, ds.organization):
        raise Forbidden(_("You may not publish for this publisher."))
    error = ""
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            error = _("Choose a CSV or XLSX file.")
        else:
            resource = None
            rid = request.POST.get("resource")
            if rid:
                resource = next((r for r in selectors.resources_of(ds) if str(r.uid) == rid), None)
            try:
                staged = services.upload_stage(
                    actor=request.user,
                    dataset=ds,
                    file=file,
                    original_name=file.name or "upload.csv",
                    resource=resource,
                )
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("opendata:upload-report", uid=staged.uid)
    tables = [r for r in selectors.resources_of(ds) if hasattr(r, "table")]
    return render(
        request,
        "opendata/upload.html",
        {"ds": ds, "tables": tables, "error": error, "uploads": selectors.uploads_for(ds)[:10]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload_report(request: HttpRequest, uid: str) -> HttpResponse:
    try:
        staged = selectors.upload_get(str(uid), request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        try:
            if request.POST.get("action") == "discard":
                services.upload_discard(actor=request.user, upload=staged)
                messages.info(request, _("The upload was discarded; the published table is unchanged."))
                return redirect("opendata:upload", name=staged.dataset.name)
            services.upload_publish(
                actor=request.user,
                upload=staged,
                resource_name=request.POST.get("resource_name", "").strip(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Published."))
            return redirect("opendata:dataset", name=staged.dataset.name)
    report = staged.report or {}
    return render(
        request,
        "opendata/upload_report.html",
        {
            "upload": staged,
            "report": report,
            "report_errors": [labels.message(e) for e in report.get("errors", [])],
            "bad_rows": [{**b, "reason": labels.message(b.get("reason", ""))} for b in report.get("bad_rows", [])],
            "widened": [
                {**w, "from": labels.field_type(w.get("from", "")), "to": labels.field_type(w.get("to", ""))}
                for w in report.get("widened", [])
            ],
            "preview": selectors.staged_preview(staged),
            "fields": [{**f, "type_label": labels.field_type(f["type"])} for f in staged.fields or []],
        },
    )


# --- API keys ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    new_key = None
    error = ""
    if request.method == "POST":
        if second_factor_pending(request.user):
            return second_factor_page(request)  # a staff account makes keys only after its second factor
        try:
            ratelimit.hit(f"opendata-key:{request.user.pk}", limit=10, window_seconds=3600)
            _key, new_key = services.api_key_register(
                owner=request.user,
                name=request.POST.get("name", ""),
                sample=request.POST.get("kind") == "sample",
                write=request.POST.get("write") == "1",
                second_factor=second_factor_passed(request),
                request=request,
            )
        except FieldErrors as exc:
            error = labels.joined(exc.errors)
        except DomainError as exc:
            error = exc.message
    services_list = selectors.visible_datasets().exclude(service_name=None).order_by("service_name")[:50]
    return render(
        request,
        "opendata/keys.html",
        {
            "keys": selectors.api_keys_of(request.user),
            "can_write": selectors.is_publisher(request.user),
            "new_key": new_key,
            "error": error,
            "services": services_list,
            "base": request.build_absolute_uri("/").rstrip("/"),
        },
    )


# --- data requests -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def requests_list(request: HttpRequest) -> HttpResponse:
    from smartseoul.core.models import Department

    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(login_url(request))
        try:
            ratelimit.hit(f"opendata-request:{request.user.pk}", limit=10, window_seconds=3600)
            req = services.data_request_create(
                requester=request.user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                category=request.POST.get("category", ""),
                department_code=request.POST.get("department", ""),
                purpose=request.POST.get("purpose", ""),
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Your request was received."))
            return redirect("opendata:request", uid=req.uid)
    page = Paginator(selectors.data_requests(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/requests.html",
        {
            "page": page,
            "errors": labels.error_items(errors, REQUEST_IDS),
            "data": request.POST,
            "categories": Category.choices,
            "departments": Department.objects.filter(district=None).order_by("code"),
        },
    )


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, uid: str) -> HttpResponse:
    try:
        req = selectors.data_request_get(str(uid))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    can_answer = services.can_answer_request(request.user, req)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_answer:
            raise Forbidden(_("Only the owning department answers this request."))
        ds = None
        if request.POST.get("dataset"):
            try:
                ds = selectors.dataset_get(request.POST["dataset"], request.user)
            except DomainError:
                errors["dataset"] = [_("No such dataset.")]
        if not errors:
            try:
                services.data_request_answer(
                    actor=request.user,
                    request=req,
                    status=request.POST.get("status", ""),
                    answer=request.POST.get("answer", ""),
                    legal_ground=request.POST.get("legal_ground", ""),
                    dataset=ds,
                )
            except FieldErrors as exc:
                errors = exc.errors
            except DomainError as exc:
                errors = {"status": [exc.message]}
            else:
                messages.success(request, _("Answer sent."))
                return redirect("opendata:request", uid=req.uid)
    return render(
        request,
        "opendata/request.html",
        {
            "req": req,
            "can_answer": can_answer,
            "errors": labels.error_items(errors, ANSWER_IDS),
            "statuses": RequestStatus.choices,
            "grounds": labels.legal_grounds(),
            "is_requester": request.user == req.requester,
            "ground_text": labels.legal_ground(req.legal_ground),
        },
    )


# --- app gallery --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apps(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    user = request.user
    is_moderator = user.is_authenticated and (user.has_capability("moderator") or user.has_capability("publisher"))
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(login_url(request))
        try:
            if request.POST.get("moderate") and is_moderator:
                item = selectors.showcase_get(request.POST["moderate"], include_pending=True)
                services.showcase_moderate(
                    actor=user,
                    showcase=item,
                    approve=request.POST.get("decision") == "approve",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Moderated."))
                return redirect("opendata:apps")
            ratelimit.hit(f"opendata-app:{user.pk}", limit=10, window_seconds=3600)
            services.showcase_submit(
                author=user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                url=request.POST.get("url", ""),
                kind=request.POST.get("kind", "app"),
                dataset_names=[n.strip() for n in request.POST.get("datasets", "").split(",") if n.strip()],
            )
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"title": [exc.message]}
        else:
            messages.success(request, _("Thank you. Your app will appear once a moderator has checked it."))
            return redirect("opendata:apps")
    pending = selectors.showcases(status="pending") if is_moderator else []
    return render(
        request,
        "opendata/apps.html",
        {
            "items": selectors.showcases(),
            "pending": pending,
            "errors": labels.error_items(errors, APP_IDS),
            "data": request.POST,
        },
    )


# --- statistics ---------------------------------------------------------------------------------------------


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    data = selectors.usage_by_category(30)
    chart = {
        "days": data["days"],
        "views": [d["views"] for d in data["per_day"]],
        "downloads": [d["downloads"] for d in data["per_day"]],
        "api_calls": [d["api_calls"] for d in data["per_day"]],
        "categories": [str(Category(c).label) for c in data["per_category"]],
        "category_totals": [v["views"] + v["downloads"] + v["api_calls"] for v in data["per_category"].values()],
        "names": {"views": _("views"), "downloads": _("downloads"), "api_calls": _("API calls")},
        "axes": {"day": _("Day"), "category": _("Category"), "uses": _("Uses (number)")},
    }
    return render(
        request,
        "opendata/stats.html",
        {
            "chart": chart,
            "top": selectors.top_datasets(30, 10),
            "totals": selectors.catalogue_totals(),
            "today": selectors.usage_today(),
        },
    )


# --- Information Open Plaza ------------------------------------------------------------------------------------


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    qs = selectors.documents_published(
        q=q, doc_type=request.GET.get("type", ""), disclosure=request.GET.get("disclosure", "")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/documents.html",
        {
            "page": page,
            "q": q,
            "types": DocumentType.choices,
            "disclosures": Disclosure.choices,
            "selected_type": request.GET.get("type", ""),
        },
    )


@require_GET
def document(request: HttpRequest, uid: str) -> HttpResponse:
    try:
        doc = selectors.document_get(str(uid), request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "opendata/document.html", {"doc": doc, "ground_text": labels.legal_ground(doc.legal_ground)})


def _official_only(request: HttpRequest) -> None:
    if not selectors.can_manage_documents(request.user):
        raise Forbidden(_("Only officials may do this."))


@login_required
@require_http_methods(["GET", "POST"])
def documents_office(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            produced = date.fromisoformat(request.POST.get("produced_on", ""))
        except ValueError:
            produced = None
        from .services import AttachmentIn

        atts = [AttachmentIn(name=f.name or "attachment", content=f.read()) for f in request.FILES.getlist("files")]
        try:
            doc = services.document_create(
                actor=request.user,
                number=request.POST.get("number", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                doc_type=request.POST.get("doc_type", ""),
                department_code=request.POST.get("department", ""),
                produced_on=produced,
                disclosure=request.POST.get("disclosure", "open"),
                legal_ground=request.POST.get("legal_ground", ""),
                attachments=atts,
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            return redirect("opendata:document-review", uid=doc.uid)
    user_dept = getattr(request.user, "department", None)
    return render(
        request,
        "opendata/documents_office.html",
        {
            "docs": selectors.documents_to_review()[:100],
            "errors": labels.error_items(errors, DOCUMENT_IDS),
            "data": request.POST,
            "types": DocumentType.choices,
            "disclosures": Disclosure.choices,
            "grounds": labels.legal_grounds(),
            "default_department": user_dept.code if user_dept else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_review(request: HttpRequest, uid: str) -> HttpResponse:
    _official_only(request)
    try:
        doc = selectors.document_get(str(uid), request.user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.document_publish(actor=request.user, document=doc)
                messages.success(request, _("Published."))
            else:
                finding = doc.findings.filter(pk=request.POST.get("finding") or 0).first()
                if finding is None:
                    raise Http404("No such finding.")
                if action == "redact":
                    services.document_redact(actor=request.user, finding=finding)
                elif action == "waive":
                    services.document_waive(
                        actor=request.user,
                        finding=finding,
                        reason=request.POST.get("reason", ""),
                    )
        except FieldErrors as exc:
            messages.error(request, labels.joined(exc.errors))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("opendata:document-review", uid=doc.uid)
    findings = list(doc.findings.select_related("attachment"))
    for f in findings:  # what and where in words; an unreadable attachment explained, not a stored English note
        f.where_label = FINDING_PLACES.get(f.where, f.where)  # type: ignore[attr-defined]
        f.kind_label = FINDING_KINDS.get(f.kind, f.kind)  # type: ignore[attr-defined]
        if f.kind == services.UNSCANNED:
            name = f.attachment.name if f.attachment else ""
            f.excerpt = _("%(name)s: not readable automatically; check it by hand") % {"name": name}
    return render(request, "opendata/document_review.html", {"doc": doc, "findings": findings})
