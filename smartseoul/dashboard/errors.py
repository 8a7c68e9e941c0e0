"""Error codes of the dashboard and Smart Seoul Map."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class DashboardErrorCode(StrEnum):
    UNKNOWN_LAYER = "unknown_layer"
    UNKNOWN_THEME = "unknown_theme"
    UNKNOWN_PERIOD = "unknown_period"
    BAD_BBOX = "bad_bbox"
    BAD_ZOOM = "bad_zoom"
    BAD_MODE = "bad_mode"
    BAD_POINT = "bad_point"
    BAD_RADIUS = "bad_radius"
    BAD_PHOTO = "bad_photo"
    BAD_THEME = "bad_theme"
    TOO_MANY_POINTS = "too_many_points"
    NOT_EDITABLE = "theme_not_editable"
    NOT_PENDING = "theme_not_pending"
    NO_POINTS = "theme_has_no_points"
    NOT_MODERATOR = "not_moderator"
    NOT_AUTHOR = "not_author"


class DashboardError(DomainError):
    """Base of every dashboard error: `except DashboardError` catches them all. Raise a subclass."""


class DashboardInvalid(DashboardError, InvalidInput):
    default_code = DashboardErrorCode.BAD_THEME


class DashboardNotFound(DashboardError, NotFound):
    default_code = DashboardErrorCode.UNKNOWN_LAYER


class DashboardForbidden(DashboardError, PermissionDenied):
    default_code = DashboardErrorCode.NOT_MODERATOR


class DashboardConflict(DashboardError, Conflict):
    default_code = DashboardErrorCode.NOT_EDITABLE
