"""Writes of the analytics module: the grid, trip imports, jobs (queue, run, cancel), existing
routes and the commercial-district indicators."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import transaction

from smartseoul.core import clock, geography
from smartseoul.core import selectors as core_selectors
from smartseoul.core.errors import DomainError
from smartseoul.core.services import audit_record
from smartseoul.lib.geo import geometry_from_geojson
from smartseoul.lib.hexgrid import DEFAULT_RESOLUTION, cell_centres, cell_str, cells_along_line, cells_for_geometry

from . import analysis, ingest, lake, selectors, synth
from .errors import AnalyticsConflict, AnalyticsErrorCode, AnalyticsInvalid, AnalyticsNotFound
from .models import FINISHED_STATES, CommerceIndicator, ExistingRoute, GridCell, Job, JobKind, JobState, TripImport
from .params import parse

if TYPE_CHECKING:
    from smartseoul.accounts.models import User

log = logging.getLogger("smartseoul.analytics")
PROGRESS_EVERY_S = 0.5


# --- grid ------------------------------------------------------------------------------------------


@transaction.atomic
def grid_build(*, resolution: int = DEFAULT_RESOLUTION) -> int:
    """(Re)builds the city grid: cells whose centre lies in the city, each tagged with the district
    and dong that contain its centre. Returns the number of cells."""
    import shapely
    from shapely.geometry import mapping

    districts = list(core_selectors.districts())
    if not districts:
        raise AnalyticsInvalid("Load the city's districts first (smartseoul demo).", code=AnalyticsErrorCode.NO_GRID)
    version = selectors.boundaries_version()
    union = shapely.union_all([geometry_from_geojson(d.boundary) for d in districts])
    cells = cells_for_geometry(mapping(union), resolution)
    lats, lons = cell_centres(cells)
    codes = geography.locate_many(lats, lons)
    rows = []
    for cell, lat, lon, code in zip(cells, lats.tolist(), lons.tolist(), codes, strict=True):
        if code is None:
            continue
        place = geography.locate(lat, lon)
        rows.append(GridCell(resolution=resolution, cell=cell_str(cell), cell_id=cell, district_code=code,
                             dong_code=(place.neighborhood_code or "") if place else "", lat=lat, lon=lon,
                             boundaries_version=version))
    GridCell.objects.filter(resolution=resolution).delete()
    GridCell.objects.bulk_create(rows, batch_size=2000)
    transaction.on_commit(selectors.forget_grid_cache)
    return len(rows)


def grid_ensure(*, resolution: int = DEFAULT_RESOLUTION) -> selectors.CityGrid:
    if not selectors.grid_is_current(resolution):
        grid_build(resolution=resolution)
        selectors.forget_grid_cache()
    return selectors.city_grid(resolution)


# --- trips -----------------------------------------------------------------------------------------


def _city_bbox(margin: float = 0.02) -> tuple[float, float, float, float] | None:
    city = core_selectors.city()
    if city is None:
        return None
    return (city.bbox_west - margin, city.bbox_south - margin, city.bbox_east + margin, city.bbox_north + margin)


def trips_import(
    *, path: Path, mapping: ingest.Mapping | None = None, actor: User | None = None,
    resolution: int = DEFAULT_RESOLUTION, on_progress: Callable[[int, int], None] | None = None,
) -> TripImport:
    """Imports a CSV/Parquet trip file into the lake: good rows are stored, bad rows reported.
    A file with no good row stores nothing and is refused."""
    mapping = mapping or ingest.Mapping()
    source = f"file:{Path(path).name}"[:60]
    chunks, report = ingest.read_trips(Path(path), mapping, resolution=resolution, bbox=_city_bbox(),
                                       source=source, on_progress=on_progress)
    frames = list(chunks)  # validate everything before the first write
    if report.rows_good == 0:
        raise AnalyticsInvalid(
            f"No good rows in {Path(path).name}: {report.rows_bad} bad rows ({_reasons(report.reasons)}).",
            code=AnalyticsErrorCode.NO_GOOD_ROWS, bad_rows=report.bad_rows[:20], reasons=report.reasons,
        )
    days: dict[str, int] = {}
    for frame in frames:
        for k, v in lake.write_partitioned(lake.TRIPS, frame).items():
            days[k] = days.get(k, 0) + v
    with transaction.atomic():
        record = TripImport.objects.create(
            source=Path(path).name[:200], rows_total=report.rows_total, rows_good=report.rows_good,
            rows_bad=report.rows_bad, bad_rows=report.bad_rows, bad_reasons=report.reasons,
            first_date=date.fromisoformat(min(days)), last_date=date.fromisoformat(max(days)),
            created_by=actor, created_at=clock.now(),
        )
        if actor is not None:
            audit_record(actor=actor, action="analytics.trips_import", target=record,
                         details={"rows_good": report.rows_good, "rows_bad": report.rows_bad})
    return record


def _reasons(reasons: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items())) or "none"


def trips_synthesise(
    *, rows: int, days: int = 28, seed: int = 1, night_only: bool = False, actor: User | None = None,
    source: str = "synthetic", resolution: int = DEFAULT_RESOLUTION, end: date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> TripImport:
    """Generates `rows` synthetic trips from district populations and night hot spots into the lake."""
    if not (1 <= rows <= 500_000_000):
        raise AnalyticsInvalid("rows must be between 1 and 500,000,000.", code=AnalyticsErrorCode.BAD_ROWS)
    if not (1 <= days <= 366):
        raise AnalyticsInvalid("days must be between 1 and 366.", code=AnalyticsErrorCode.BAD_PARAMS)
    cg = grid_ensure(resolution=resolution)
    population = {d.code: d.population for d in core_selectors.districts()}
    weights = synth.cell_weights(cg.grid.lats, cg.grid.lons, cg.grid.cells, cg.districts, population)
    end = end or clock.now().astimezone(_tz()).date()
    written: dict[str, int] = {}
    for frame in synth.synth_trips(weights, rows, end=end, days=days, seed=seed, night_only=night_only,
                                   source=source, on_chunk=(lambda n: on_progress(n, rows)) if on_progress else None):
        for k, v in lake.write_partitioned(lake.TRIPS, frame).items():
            written[k] = written.get(k, 0) + v
    with transaction.atomic():
        record = TripImport.objects.create(
            source=f"synthetic (seed {seed}, {days} days)", synthetic=True, rows_total=rows, rows_good=rows,
            first_date=date.fromisoformat(min(written)), last_date=date.fromisoformat(max(written)),
            created_by=actor, created_at=clock.now(),
        )
        if actor is not None:
            audit_record(actor=actor, action="analytics.trips_synthesise", target=record, details={"rows": rows})
    return record


def _tz() -> Any:
    from zoneinfo import ZoneInfo

    city = core_selectors.city()
    return ZoneInfo(city.timezone if city is not None else "Asia/Seoul")


# --- jobs ------------------------------------------------------------------------------------------


def job_create(*, kind: str, params: dict[str, Any], actor: User | None, title: str = "") -> Job:
    """Validates the parameters (a bad request never queues), stores the job and queues it."""
    if actor is not None:
        selectors.require_analyst(actor)
    parsed = parse(kind, params)
    if kind != JobKind.SYNTH and kind != JobKind.COMMERCE:
        grid_ensure(resolution=parsed.resolution)
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title[:200], params=json.loads(parsed.model_dump_json()),
                                 created_by=actor, created_at=clock.now())
        if actor is not None:
            audit_record(actor=actor, action=f"analytics.job_{kind}", target=job, details={"params": job.params})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_job

    run_job.enqueue(job_id)


def job_cancel(*, job_id: int, actor: User | None) -> Job:
    """Asks a queued or running job to stop; the job stops at its next progress check."""
    if actor is not None:
        selectors.require_analyst(actor)
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise AnalyticsNotFound("No such analysis job.", code=AnalyticsErrorCode.JOB_NOT_FOUND)
        if job.state in FINISHED_STATES:
            raise AnalyticsConflict("The job has already finished.", code=AnalyticsErrorCode.JOB_FINISHED)
        job.cancel_requested = True
        fields = ["cancel_requested"]
        if job.state == JobState.QUEUED:
            job.state = JobState.CANCELLED
            job.finished_at = clock.now()
            fields += ["state", "finished_at"]
        job.save(update_fields=fields)
        if actor is not None:
            audit_record(actor=actor, action="analytics.job_cancel", target=job)
    return job


class JobCancelled(Exception):
    """Raised inside a running job when its cancel flag is set (a signal, not a domain error)."""


class _Progress:
    """Writes progress at most every PROGRESS_EVERY_S and stops the job when cancel is asked."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        Job.objects.filter(pk=self.job_id).update(progress=round(max(0.0, min(fraction, 1.0)), 3),
                                                  message=message[:200])
        if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise JobCancelled()


def job_run(*, job_id: int) -> Job:
    """Runs a queued job to the end (called by the task worker). Domain errors mark it failed
    with their code; a cancel request marks it cancelled; results are stored on success."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.state != JobState.QUEUED:
            return job
        job.state = JobState.RUNNING
        job.started_at = clock.now()
        job.save(update_fields=["state", "started_at"])
    tick = _Progress(job.pk)
    tick.last = -PROGRESS_EVERY_S  # first tick always checks the cancel flag
    try:
        tick(0.0, "starting")
        result, geojson = _execute(job, tick)
    except JobCancelled:
        Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, finished_at=clock.now(), message="cancelled")
        return Job.objects.get(pk=job.pk)
    except DomainError as exc:  # any module's refusal (no grid yet, a place outside the city …) keeps its code
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, finished_at=clock.now(), error_code=exc.code,
                                             error_message=exc.message[:500])
        return Job.objects.get(pk=job.pk)
    except Exception as exc:  # an unexpected failure must not leave the job "running" forever
        log.exception("analytics job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, finished_at=clock.now(), error_code="internal",
                                             error_message=type(exc).__name__)
        return Job.objects.get(pk=job.pk)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.cancel_requested:
            job.state = JobState.CANCELLED
        else:
            job.state = JobState.DONE
            job.result = result
            job.geojson = geojson
            job.progress = 1.0
            job.message = "done"
        job.finished_at = clock.now()
        job.save()
    return job


def _execute(job: Job, tick: Callable[[float, str], None]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    p = parse(job.kind, job.params)
    if job.kind == JobKind.OD:
        return analysis.run_od(p, tick)
    if job.kind == JobKind.PLAN:
        return analysis.run_plan(p, tick)
    if job.kind == JobKind.SITING:
        return analysis.run_siting(p, tick)
    if job.kind == JobKind.DENSITY:
        return analysis.run_density(p, tick)
    if job.kind == JobKind.SYNTH:
        record = trips_synthesise(rows=p.rows, days=p.days, seed=p.seed, night_only=p.night_only,
                                  actor=job.created_by, on_progress=lambda n, total: tick(n / total, "generating"))
        return {"import_id": record.pk, "rows": record.rows_good, "first_date": str(record.first_date),
                "last_date": str(record.last_date)}, None
    if job.kind == JobKind.COMMERCE:
        summary, rows = analysis.run_commerce(p, tick)
        commerce_store(rows=rows, reference=date.fromisoformat(summary["reference_date"]))
        return summary, None
    raise AnalyticsInvalid(f"Unknown job kind {job.kind!r}.", code=AnalyticsErrorCode.BAD_PARAMS)


# --- existing routes -------------------------------------------------------------------------------


@transaction.atomic
def existing_routes_upload(*, geojson: dict[str, Any], actor: User | None,
                           resolution: int = DEFAULT_RESOLUTION) -> list[ExistingRoute]:
    """Stores the city's current routes (a FeatureCollection of LineStrings with a `name`),
    replacing routes of the same name. Nothing is stored when one feature is bad."""
    if actor is not None:
        selectors.require_analyst(actor)
    features = geojson.get("features") if isinstance(geojson, dict) else None
    if geojson.get("type") != "FeatureCollection" or not isinstance(features, list) or not features:
        raise AnalyticsInvalid("Upload a GeoJSON FeatureCollection of LineStrings.",
                               code=AnalyticsErrorCode.BAD_ROUTE_FILE)
    parsed: list[tuple[str, dict[str, Any], list[int]]] = []
    for i, f in enumerate(features, start=1):
        geom = (f or {}).get("geometry") or {}
        name = str(((f or {}).get("properties") or {}).get("name") or "").strip()
        lines: list[Any] | None = ([geom.get("coordinates")] if geom.get("type") == "LineString"
                                   else geom.get("coordinates") if geom.get("type") == "MultiLineString" else None)
        if not name or not lines:
            raise AnalyticsInvalid(f"Feature {i} needs a name and a LineString geometry.",
                                   code=AnalyticsErrorCode.BAD_ROUTE_FILE)
        cells: list[int] = []
        try:
            for line in lines:
                if len(line) < 2 or any(not (-90 <= float(p[1]) <= 90 and -180 <= float(p[0]) <= 180) for p in line):
                    raise ValueError("bad coordinates")
                for c in cells_along_line(line, resolution):
                    if not cells or cells[-1] != c:
                        cells.append(c)
        except (TypeError, ValueError, IndexError) as exc:
            raise AnalyticsInvalid(f"Feature {i} ({name}) has bad coordinates.",
                                   code=AnalyticsErrorCode.BAD_ROUTE_FILE) from exc
        parsed.append((name[:100], geom, cells))
    saved = []
    for name, geom, cells in parsed:
        route, _ = ExistingRoute.objects.update_or_create(
            name=name, defaults={"geometry": geom, "cells": cells, "resolution": resolution, "uploaded_by": actor,
                                 "uploaded_at": clock.now()})
        saved.append(route)
    if actor is not None:
        audit_record(actor=actor, action="analytics.existing_routes_upload", target_type="analytics.existingroute",
                     details={"routes": [n for n, _, _ in parsed]})
    return saved


# --- commercial districts --------------------------------------------------------------------------


@transaction.atomic
def commerce_store(*, rows: list[dict[str, Any]], reference: date) -> int:
    """Replaces the stored indicators with freshly computed ones."""
    dongs = {n.code: n.district.code for n in core_selectors.neighborhoods().select_related("district")}
    CommerceIndicator.objects.all().delete()
    CommerceIndicator.objects.bulk_create([
        CommerceIndicator(
            area_code=r["area_code"], district_code=dongs.get(r["area_code"], r["area_code"][:5]),
            category=r["category"], reference_date=reference, stores=r["stores"], openings_1y=r["openings_1y"],
            closures_1y=r["closures_1y"], survival_1y=r["survival_1y"], survival_3y=r["survival_3y"],
            closure_rate=r["closure_rate"], store_growth=r["store_growth"], sales_trend=r["sales_trend"],
            sales_per_store=r["sales_per_store"], light=r["light"], reasons=r["reasons"],
        ) for r in rows
    ], batch_size=2000)
    return len(rows)


def commerce_import(*, stores_path: Path, sales_path: Path | None = None, actor: User | None = None) -> dict[str, int]:
    """Imports store openings/closings (store_id, category, lat, lon, opened_on, closed_on) and
    quarterly sales (area_code, category, quarter, sales) as the lake's commerce snapshot, then
    recomputes the indicators. Stores are placed in their dong by position."""
    try:
        stores = pl.read_csv(stores_path, try_parse_dates=True) if str(stores_path).endswith(".csv") else \
            pl.read_parquet(stores_path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise AnalyticsInvalid(f"{stores_path}: cannot read ({exc})", code=AnalyticsErrorCode.BAD_FILE) from exc
    need = {"store_id", "category", "lat", "lon", "opened_on"}
    if not need <= set(stores.columns):
        raise AnalyticsInvalid(f"The store file needs the columns {', '.join(sorted(need))} (and closed_on).",
                               code=AnalyticsErrorCode.BAD_COLUMNS)
    if "closed_on" not in stores.columns:
        stores = stores.with_columns(pl.lit(None, dtype=pl.Date).alias("closed_on"))
    stores = stores.with_columns(
        pl.col("opened_on").cast(pl.Date, strict=False), pl.col("closed_on").cast(pl.Date, strict=False),
        pl.col("lat").cast(pl.Float64, strict=False), pl.col("lon").cast(pl.Float64, strict=False),
        pl.col("store_id").cast(pl.Utf8), pl.col("category").cast(pl.Utf8),
    )
    good = stores.filter(pl.col("opened_on").is_not_null() & pl.col("lat").is_between(-90, 90)
                         & pl.col("lon").is_between(-180, 180))
    areas = [(p.neighborhood_code if p and p.neighborhood_code else None)
             for p in (geography.locate(la, lo) for la, lo in zip(good["lat"].to_list(), good["lon"].to_list(),
                                                                   strict=True))]
    good = good.with_columns(pl.Series("area_code", areas, dtype=pl.Utf8)).filter(pl.col("area_code").is_not_null())
    if good.height == 0:
        raise AnalyticsInvalid("No store in the file lies in the city with a valid opening date.",
                               code=AnalyticsErrorCode.NO_GOOD_ROWS)
    sales = None
    if sales_path is not None:
        try:
            sales = pl.read_csv(sales_path, schema_overrides={"area_code": pl.Utf8, "quarter": pl.Utf8})
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise AnalyticsInvalid(f"{sales_path}: cannot read ({exc})", code=AnalyticsErrorCode.BAD_FILE) from exc
        if not {"area_code", "category", "quarter", "sales"} <= set(sales.columns):
            raise AnalyticsInvalid("The sales file needs the columns area_code, category, quarter, sales.",
                                   code=AnalyticsErrorCode.BAD_COLUMNS)
    today = clock.now().date()
    cols = ["store_id", "area_code", "category", "lat", "lon", "opened_on", "closed_on"]
    lake.replace_snapshot(lake.STORES, good.select(cols), today)
    if sales is not None:
        lake.replace_snapshot(lake.SALES, sales.select(["area_code", "category", "quarter", "sales"]), today)
    _summary, rows = analysis.run_commerce(analysis.CommerceParams(), lambda f, m: None)
    commerce_store(rows=rows, reference=today)
    if actor is not None:
        audit_record(actor=actor, action="analytics.commerce_import", target_type="analytics.commerce",
                     details={"stores": good.height, "skipped": stores.height - good.height})
    return {"stores": good.height, "skipped": stores.height - good.height, "indicators": len(rows)}


def commerce_synthesise(*, seed: int = 7) -> dict[str, int]:
    """Synthetic stores and sales for every dong (demo), then the indicators."""
    today = clock.now().date()
    areas = []
    for n in core_selectors.neighborhoods():
        if n.centroid_lat is None or n.centroid_lon is None:
            continue
        areas.append((n.code, float(n.centroid_lat), float(n.centroid_lon), int(n.population or 0)))
    if not areas:
        raise AnalyticsInvalid("The city has no neighbourhoods to analyse.", code=AnalyticsErrorCode.NO_GRID)
    stores, sales = synth.synth_commerce(areas, reference=today, seed=seed)
    lake.replace_snapshot(lake.STORES, stores, today)
    lake.replace_snapshot(lake.SALES, sales, today)
    _summary, rows = analysis.run_commerce(analysis.CommerceParams(), lambda f, m: None)
    commerce_store(rows=rows, reference=today)
    return {"stores": stores.height, "indicators": len(rows)}


# --- demo ------------------------------------------------------------------------------------------

DEMO_SOURCE = "demo"
DEMO_ROWS = 200_000


def demo_load() -> None:
    """Idempotent demo: the grid, 200,000 synthetic trips, a 5-route night-bus plan, a siting
    result, a density map and the commercial-district indicators."""
    grid_ensure()
    if not TripImport.objects.filter(synthetic=True, source__startswith="demo").exists():
        lake.remove_source(lake.TRIPS, DEMO_SOURCE)
        record = trips_synthesise(rows=DEMO_ROWS, days=28, seed=2024, source=DEMO_SOURCE,
                                  end=clock.now().astimezone(_tz()).date() - timedelta(days=0))
        TripImport.objects.filter(pk=record.pk).update(source=f"demo: {DEMO_ROWS:,} synthetic trips")
    # Untitled: pages describe each job from its kind and parameters in the reader's language.
    for kind, params in (
        (JobKind.PLAN, {"routes": 5}),
        (JobKind.DENSITY, {"start_hour": 0, "end_hour": 5}),
        (JobKind.SITING, {"k": 10, "radius_m": 1000}),
        (JobKind.OD, {}),
    ):
        if not Job.objects.filter(kind=kind, state=JobState.DONE).exists():
            job = job_create(kind=kind, params=params, actor=None, title="")
            job_run(job_id=job.pk)  # the demo runs it now (the queued copy finds it no longer queued)
    if not CommerceIndicator.objects.exists():
        commerce_synthesise()
