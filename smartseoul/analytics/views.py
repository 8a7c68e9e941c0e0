"""HTML pages: the analysts' workbench (jobs, maps, downloads) and the public start-up traffic light."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartseoul.core import selectors as core_selectors

from . import analysis, forms, labels, lake, selectors, services
from .errors import AnalyticsErrorCode, AnalyticsInvalid
from .models import JobKind, Light
from .synth import CATEGORIES

FORMS: dict[str, type[forms.forms.Form]] = {
    JobKind.SYNTH: forms.SynthForm, JobKind.PLAN: forms.PlanForm, JobKind.SITING: forms.SitingForm,
    JobKind.DENSITY: forms.DensityForm, JobKind.OD: forms.ODForm,
}


def _analyst(request: HttpRequest) -> Any:
    user = selectors.require_analyst(request.user)
    return user


def _home_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    jobs = list(selectors.jobs()[:20])
    for j in jobs:
        j.shown_title = labels.job_title(j)  # type: ignore[attr-defined]
    error = extra.get("import_error")
    if error is not None:  # the stored message is English and may name a server path
        extra["import_error_text"] = labels.failure(error.code, error.message)
    record = extra.get("import_record")
    if record is not None:
        extra["import_bad_rows"] = [
            {"line": r.get("line"), "reason": labels.bad_row_reason(r.get("reason", ""))} for r in record.bad_rows[:20]
        ]
    return {
        "summary": lake.trip_summary(), "jobs": jobs, "imports": selectors.imports()[:5],
        "routes": selectors.existing_routes(),
        "forms": {kind: extra.pop(f"form_{kind}", None) or cls(prefix=kind) for kind, cls in FORMS.items()},
        "import_form": forms.ImportForm(), "routes_form": forms.RoutesForm(), **extra,
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    return render(request, "analytics/home.html", _home_context(request))


@login_required
@require_POST
def job_new(request: HttpRequest, kind: str) -> HttpResponse:
    user = _analyst(request)
    form_cls = FORMS.get(kind)
    if form_cls is None:
        raise AnalyticsInvalid("Unknown analysis.", code=AnalyticsErrorCode.BAD_PARAMS)
    form = form_cls(request.POST, prefix=kind)
    if not form.is_valid():
        return render(request, "analytics/home.html", _home_context(request, **{f"form_{kind}": form}), status=400)
    params = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    try:
        job = services.job_create(kind=kind, params=params, actor=user)
    except AnalyticsInvalid as exc:
        form.add_error(None, labels.failure(exc.code, exc.message))
        return render(request, "analytics/home.html", _home_context(request, **{f"form_{kind}": form}), status=400)
    return redirect("analytics:job", pk=job.pk)


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _analyst(request)
    return render(request, "analytics/job.html", _job_context(selectors.job(pk), results=True))


def _job_context(job: Any, *, results: bool = False, **extra: Any) -> dict[str, Any]:
    """The job with its step and failure in words; with `results`, district codes as names."""
    context: dict[str, Any] = {
        "job": job,
        "title": labels.job_title(job),
        "step": labels.step(job.message),
        "failure": labels.failure(job.error_code, job.error_message),
        **extra,
    }
    if results and isinstance(job.result, dict):
        names = core_selectors.district_names()
        context["by_district"] = [
            (labels.district_name(code, names), v) for code, v in (job.result.get("by_district") or {}).items()
        ]
        context["sites"] = [
            {**site, "district_name": labels.district_name(site.get("district", ""), names)}
            for site in job.result.get("sites") or []
        ]
    return context


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    _analyst(request)
    return render(request, "analytics/job.html#status", _job_context(selectors.job(pk), polled=True))


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _analyst(request)
    services.job_cancel(job_id=pk, actor=user)
    return redirect("analytics:job", pk=pk)


@login_required
@require_GET
def job_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    _analyst(request)
    job = selectors.job(pk)
    if job.geojson is None:
        raise AnalyticsInvalid("This job has no map (yet).", code=AnalyticsErrorCode.BAD_PARAMS)
    response = JsonResponse(job.geojson, content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="analytics-{job.kind}-{job.pk}.geojson"'
    return response


@login_required
@require_POST
def trips_import(request: HttpRequest) -> HttpResponse:
    user = _analyst(request)
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "analytics/home.html", _home_context(request, import_form=form), status=400)
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            record = services.trips_import(path=path, actor=user)
        except AnalyticsInvalid as exc:
            return render(request, "analytics/home.html", _home_context(request, import_error=exc), status=400)
    return render(request, "analytics/home.html", _home_context(request, import_record=record))


@login_required
@require_POST
def routes_upload(request: HttpRequest) -> HttpResponse:
    user = _analyst(request)
    form = forms.RoutesForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "analytics/home.html", _home_context(request, routes_form=form), status=400)
    try:
        data = json.loads(form.cleaned_data["file"].read().decode("utf-8-sig"))
        services.existing_routes_upload(geojson=data, actor=user)
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        form.add_error("file", _("Not a GeoJSON file."))
        return render(request, "analytics/home.html", _home_context(request, routes_form=form), status=400)
    except AnalyticsInvalid as exc:
        form.add_error("file", labels.failure(exc.code, exc.message))
        return render(request, "analytics/home.html", _home_context(request, routes_form=form), status=400)
    return redirect("analytics:home")


def _category_choices() -> list[tuple[str, str]]:
    names = {c[0]: (c[1], c[2]) for c in CATEGORIES}
    from django.utils.translation import get_language

    en = (get_language() or "ko").startswith("en")
    return [(k, names.get(k, (k, k))[1 if en else 0]) for k in analysis.category_keys()]


@require_GET
def commerce(request: HttpRequest) -> HttpResponse:
    choices = _category_choices()
    category = request.GET.get("category") or (choices[0][0] if choices else "")
    if choices and category not in dict(choices):
        raise AnalyticsInvalid("Unknown business category.", code=AnalyticsErrorCode.UNKNOWN_CATEGORY)
    dongs = {n.code: n for n in core_selectors.neighborhoods()}
    rows = []
    for ind in selectors.commerce_indicators(category=category).order_by("-light", "area_code"):
        n = dongs.get(ind.area_code)
        if n is None or n.centroid_lat is None:
            continue
        rows.append({"area": ind.area_code, "name": n.name, "district": ind.district_code, "lat": n.centroid_lat,
                     "lon": n.centroid_lon, "light": ind.light, "stores": ind.stores,
                     "survival_3y": ind.survival_3y, "closure_rate": ind.closure_rate,
                     "store_growth": ind.store_growth, "sales_trend": ind.sales_trend})
    counts = [sum(1 for r in rows if r["light"] == k) for k in range(4)]
    top = max(counts) or 1
    bars = [{"value": k, "label": label, "count": counts[k], "width": round(100 * counts[k] / top)}
            for k, label in Light.choices]
    form = forms.StoreForm(initial={"category": category, "lat": 37.5665, "lon": 126.978})
    form.fields["category"].choices = choices  # type: ignore[attr-defined]
    return render(request, "analytics/commerce.html", {
        "rows": rows, "category": category, "choices": choices, "counts": counts, "lights": Light.choices,
        "bars": bars, "unjudged": sum(1 for r in rows if r["light"] is None),
        "form": form, "map_rows": [{k: r[k] for k in ("area", "name", "lat", "lon", "light", "stores")}
                                   for r in rows],
    })


@require_GET
def commerce_analyse(request: HttpRequest) -> HttpResponse:
    form = forms.StoreForm(request.GET)
    form.fields["category"].choices = _category_choices()  # type: ignore[attr-defined]
    if not form.is_valid():
        return render(request, "analytics/analyse.html", {"form": form}, status=400)
    result = analysis.analyse_store(lat=form.cleaned_data["lat"], lon=form.cleaned_data["lon"],
                                    category=form.cleaned_data["category"])
    # The place in the page's language (the analysis answers in Korean, as its API does).
    result["district_name"] = labels.district_name(result["district_code"], core_selectors.district_names())
    dong = core_selectors.neighborhoods().filter(code=result["area_code"]).first() if result["area_code"] else None
    if dong is not None:
        result["area_name"] = dong.name
    return render(request, "analytics/analyse.html", {"form": form, "r": result, "lights": dict(Light.choices)})
