"""The analytics API (/api/v1/analytics): jobs for analysts, the grid and the start-up traffic
light for everyone."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Body, File, Form, Query, Router, Status
from ninja.files import UploadedFile

from smartseoul.core.auth import session_auth
from smartseoul.core.ratelimit import hit
from smartseoul.core.schemas import Page, RowId

from . import analysis, ingest, portable, selectors, services
from .errors import AnalyticsErrorCode, AnalyticsInvalid
from .schemas import ImportOut, IndicatorOut, JobIn, JobOut, RouteOut

router = Router(tags=["analytics"])


def _user(request: HttpRequest) -> Any:
    """The signed-in user django-ninja's authentication put on the request."""
    return getattr(request, "auth", None)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@router.get("/grid", summary="The city's hexagon grid as GeoJSON")
def grid(request: HttpRequest, resolution: int = 8) -> HttpResponse:
    from smartseoul.lib.hexgrid import cell_polygon

    if not (6 <= resolution <= 10):
        raise AnalyticsInvalid("resolution must be between 6 and 10", code=AnalyticsErrorCode.BAD_PARAMS)
    cg = selectors.city_grid(resolution)
    features = [{"type": "Feature", "id": cid, "geometry": cell_polygon(cid),
                 "properties": {"cell": cid, "district": d, "dong": n}}
                for cid, d, n in zip(cg.ids, cg.districts, cg.dongs, strict=True)]
    return JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")


@router.post("/jobs", response={201: JobOut}, auth=session_auth, summary="Queue an analysis (analysts)")
def create_job(request: HttpRequest, payload: JobIn) -> Any:
    hit(f"analytics-job:{_user(request).pk}", limit=60, window_seconds=3600)
    job = services.job_create(kind=payload.kind, params=payload.params, actor=_user(request), title=payload.title)
    job.refresh_from_db()
    return Status(201, job)


@router.get("/jobs", response=list[JobOut], auth=session_auth)
def list_jobs(request: HttpRequest, page: Query[Page], kind: str | None = None) -> Any:
    selectors.require_analyst(_user(request))
    return list(page.window(selectors.jobs(kind)))


@router.get("/jobs/{job_id}", response=JobOut, auth=session_auth)
def get_job(request: HttpRequest, job_id: RowId) -> Any:
    selectors.require_analyst(_user(request))
    return selectors.job(job_id)


@router.post("/jobs/{job_id}/cancel", response=JobOut, auth=session_auth)
def cancel_job(request: HttpRequest, job_id: RowId) -> Any:
    return services.job_cancel(job_id=job_id, actor=_user(request))


@router.get("/jobs/{job_id}/geojson", auth=session_auth, summary="Download a job's map (RFC 7946)")
def job_geojson(request: HttpRequest, job_id: RowId) -> HttpResponse:
    selectors.require_analyst(_user(request))
    job = selectors.job(job_id)
    if job.geojson is None:
        raise AnalyticsInvalid("This job has no map (yet).", code=AnalyticsErrorCode.BAD_PARAMS)
    response = JsonResponse(job.geojson, content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="analytics-{job.kind}-{job.pk}.geojson"'
    return response


@router.post("/trips/import", response={201: ImportOut}, auth=session_auth, summary="Import a trip file")
def import_trips(request: HttpRequest, file: File[UploadedFile], time: Form[str] = "",
                 time_format: Form[str] = "") -> Any:
    selectors.require_analyst(_user(request))
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise AnalyticsInvalid("The file is larger than 200 MB: use the command line.",
                               code=AnalyticsErrorCode.BAD_FILE)
    suffix = Path(file.name or "trips.csv").suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq"}:
        raise AnalyticsInvalid("Upload a .csv or .parquet file.", code=AnalyticsErrorCode.BAD_FILE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(file.name or f"trips{suffix}").name
        with path.open("wb") as fh:
            for chunk in file.chunks():
                fh.write(chunk)
        record = services.trips_import(path=path, mapping=ingest.Mapping(time=time or None,
                                                                          time_format=time_format or None),
                                       actor=_user(request))
    return Status(201, record)


@router.get("/trips/imports", response=list[ImportOut], auth=session_auth)
def list_imports(request: HttpRequest, page: Query[Page]) -> Any:
    selectors.require_analyst(_user(request))
    return list(page.window(selectors.imports()))


@router.post("/routes/existing", response={201: list[RouteOut]}, auth=session_auth,
             summary="Upload the city's existing routes (GeoJSON LineStrings with a name)")
def upload_routes(request: HttpRequest, payload: Body[dict[str, Any]]) -> Any:
    return Status(201, services.existing_routes_upload(geojson=payload, actor=_user(request)))


@router.get("/sql", auth=session_auth, summary="The OD aggregation as SQL for DuckDB, Spark, Trino or PostgreSQL")
def portable_sql(request: HttpRequest, dialect: str = "spark", start_hour: int = 0, end_hour: int = 5) -> Any:
    selectors.require_analyst(_user(request))
    try:
        return {"dialect": dialect, "sql": portable.sql(portable.od_by_hour(start_hour=start_hour, end_hour=end_hour),
                                                        dialect, pretty=True)}
    except ValueError as exc:
        raise AnalyticsInvalid(str(exc), code=AnalyticsErrorCode.BAD_PARAMS) from exc


@router.get("/commerce/indicators", response=list[IndicatorOut], summary="Start-up traffic light per area")
def commerce_indicators(request: HttpRequest, page: Query[Page], category: str | None = None,
                        area_code: str | None = None) -> Any:
    return list(page.window(selectors.commerce_indicators(category, area_code)))


@router.get("/commerce/analyse", summary="Analyse my store: a point and a business category")
def analyse_store(request: HttpRequest, lat: float, lon: float, category: str) -> Any:
    hit(f"analytics-store:{request.META.get('REMOTE_ADDR', '')}", limit=120, window_seconds=60)
    return analysis.analyse_store(lat=lat, lon=lon, category=category)
