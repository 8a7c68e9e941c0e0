"""How the analytics pages word what jobs and imports store (progress steps, failures, bad-row
reasons, district codes) in the page's language. The API keeps the stored values as they are."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .errors import AnalyticsErrorCode

# Progress steps a running job reports (services and analysis write them in English).
STEPS: dict[str, Promise] = {
    "starting": _("starting"),
    "generating": _("generating trips"),
    "aggregating trips": _("adding up trips"),
    "top flows": _("finding the largest flows"),
    "reading demand": _("reading demand"),
    "planning": _("planning routes"),
    "map": _("drawing the map"),
    "demand": _("reading demand"),
    "choosing sites": _("choosing sites"),
    "counting": _("counting"),
    "aggregating": _("adding up"),
    "indicators": _("computing indicators"),
    "done": _("finished"),
    "cancelled": _("cancelled"),
}

# Failures, by their stable code (the stored message is English and may name server paths).
FAILURES: dict[str, Promise] = {
    AnalyticsErrorCode.BAD_FILE: _("The file cannot be read: upload a CSV or Parquet file."),
    AnalyticsErrorCode.BAD_COLUMNS: _(
        "The file needs a time column and an origin and a destination, each as latitude and longitude or as an "
        "H3 cell."
    ),
    AnalyticsErrorCode.NO_GOOD_ROWS: _("No row of the file could be used."),
    AnalyticsErrorCode.BAD_ROWS: _("The number of rows is outside what the form allows."),
    AnalyticsErrorCode.NO_TRIPS: _("There are no trips for this analysis yet: import a file or generate demand first."),
    AnalyticsErrorCode.NO_GRID: _("The city grid is not ready yet: load the city's districts first."),
    AnalyticsErrorCode.BAD_WINDOW: _("Check the time window."),
    AnalyticsErrorCode.BAD_PARAMS: _("Check the values of the form."),
    AnalyticsErrorCode.JOB_NOT_FOUND: _("No such analysis."),
    AnalyticsErrorCode.JOB_FINISHED: _("The analysis has already finished."),
    AnalyticsErrorCode.JOB_CANCELLED: _("The analysis was cancelled."),
    AnalyticsErrorCode.NOT_ANALYST: _("This needs the data analyst capability."),
    AnalyticsErrorCode.BAD_ROUTE_FILE: _("Upload a GeoJSON FeatureCollection of LineStrings."),
    AnalyticsErrorCode.UNKNOWN_CATEGORY: _("Choose a business category from the list."),
    AnalyticsErrorCode.NO_COMMERCE_DATA: _("There is no store data yet."),
    AnalyticsErrorCode.UNKNOWN_DATASET: _("No such dataset."),
    "internal": _("The analysis stopped on an unexpected error. Try again, or tell the operators."),
    # the route planner's constraints
    "bad_route_count": _("Plan between 1 and 50 routes at once."),
    "bad_stop_spacing": _("Stop spacing must be between 100 m and 5,000 m."),
    "route_too_short": _(
        "The maximum route length is shorter than one stop spacing: no route can have two stops."
    ),
    "route_too_long": _("The maximum route length must be at most 200 km."),
    "bad_alternatives": _("Alternatives per pair must be between 1 and 10."),
    "bad_top_pairs": _("Seed pairs must be between 1 and 5,000."),
    "too_few_buses": _("Give every route at least one bus."),
    "bad_vehicle": _("Bus capacity and speed must be positive."),
    "bad_catchment": _("The walking catchment must be 0, 1 or 2 rings of cells."),
    "bad_method": _("Method must be automatic, greedy or exact."),
}

# Why an imported trip row was left out (the import report stores these codes).
BAD_ROW_REASONS: dict[str, Promise] = {
    "bad_time": _("the time cannot be read"),
    "missing_origin": _("the origin is missing"),
    "missing_dest": _("the destination is missing"),
    "origin_out_of_range": _("the origin's coordinates are out of range"),
    "dest_out_of_range": _("the destination's coordinates are out of range"),
    "origin_outside_city": _("the origin lies outside the city"),
    "dest_outside_city": _("the destination lies outside the city"),
    "bad_origin_cell": _("the origin cell is not a valid H3 cell"),
    "bad_dest_cell": _("the destination cell is not a valid H3 cell"),
    "bad_weight": _("the weight is not a number"),
}


def job_title(job: Any) -> str:
    """The job's own title, else what it is: its kind, hours and main figures, in the page's language."""
    if job.title:
        return str(job.title)
    params = job.params if isinstance(job.params, dict) else {}
    parts: list[str] = []
    if isinstance(params.get("start_hour"), int) and isinstance(params.get("end_hour"), int):
        parts.append(f"{params['start_hour']:02d}–{params['end_hour']:02d}")
    if job.kind == "plan" and params.get("routes"):
        n = int(params["routes"])
        parts.append(ngettext("%(n)s route", "%(n)s routes", n) % {"n": n})
    if job.kind == "siting" and params.get("k"):
        n = int(params["k"])
        parts.append(ngettext("%(n)s site", "%(n)s sites", n) % {"n": n})
        if params.get("radius_m"):
            parts.append(gettext("%(m)s m") % {"m": f"{float(params['radius_m']):g}"})
    kind = str(job.get_kind_display())
    return f"{kind} ({', '.join(parts)})" if parts else kind


def step(message: str) -> str:
    return str(STEPS.get(message, message))


def failure(code: str, message: str = "") -> str:
    known = FAILURES.get(code)
    return str(known) if known is not None else message


def bad_row_reason(reason: str) -> str:
    return str(BAD_ROW_REASONS.get(reason, reason))


def district_name(code: Any, names: dict[str, dict[str, str]]) -> str:
    """A district code as its name in the page's language (the code itself when unknown)."""
    lang = "en" if (get_language() or "ko").startswith("en") else "ko"
    return names.get(str(code), {}).get(lang) or str(code)
