"""Error codes and exceptions of the analytics module."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class AnalyticsErrorCode(StrEnum):
    BAD_FILE = "bad_trip_file"
    BAD_COLUMNS = "bad_column_mapping"
    NO_GOOD_ROWS = "no_good_rows"
    BAD_ROWS = "bad_row_count"
    NO_TRIPS = "no_trips"
    NO_GRID = "no_grid"
    BAD_WINDOW = "bad_time_window"
    BAD_PARAMS = "bad_parameters"
    JOB_NOT_FOUND = "job_not_found"
    JOB_FINISHED = "job_finished"
    JOB_CANCELLED = "job_cancelled"
    NOT_ANALYST = "not_analyst"
    BAD_ROUTE_FILE = "bad_route_file"
    UNKNOWN_CATEGORY = "unknown_category"
    NO_COMMERCE_DATA = "no_commerce_data"
    UNKNOWN_DATASET = "unknown_dataset"


class AnalyticsError(DomainError):
    """Base of every analytics error: `except AnalyticsError` catches them all. Raise a subclass."""


class AnalyticsInvalid(AnalyticsError, InvalidInput):
    pass


class AnalyticsNotFound(AnalyticsError, NotFound):
    pass


class AnalyticsForbidden(AnalyticsError, PermissionDenied):
    pass


class AnalyticsConflict(AnalyticsError, Conflict):
    pass


class PlanningRefused(AnalyticsInvalid):
    """The route planner refused the constraints; `code` is the planner's stable code."""
