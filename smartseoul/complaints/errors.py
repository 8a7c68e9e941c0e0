"""Error codes of the complaints module (stable: clients and Open311 adapters rely on them)."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class ComplaintErrorCode(StrEnum):
    UNKNOWN_CATEGORY = "unknown_category"
    CATEGORY_INACTIVE = "category_inactive"
    NO_LOCATION = "no_location"
    OUTSIDE_CITY = "outside_city"
    NO_DEPARTMENT = "no_department"
    DESCRIPTION_TOO_LONG = "description_too_long"
    MISSING_ATTRIBUTE = "missing_attribute"
    BAD_ATTRIBUTE = "bad_attribute"
    VERIFICATION_REQUIRED = "verification_required"
    NOT_FOUND = "complaint_not_found"
    MEDIA_NOT_FOUND = "media_not_found"
    MEDIA_TYPE = "media_type_not_allowed"
    MEDIA_TOO_LARGE = "media_too_large"
    MEDIA_UNREADABLE = "media_unreadable"
    MEDIA_NAME = "media_name_mismatch"
    MEDIA_UNSAFE = "media_unsafe"
    VIDEO_TOO_LONG = "video_too_long"
    TOO_MANY_PHOTOS = "too_many_photos"
    TOO_MANY_VIDEOS = "too_many_videos"
    BAD_TRANSITION = "bad_transition"
    REASON_REQUIRED = "reason_required"
    DEPARTMENT_REQUIRED = "department_required"
    RESOLUTION_PHOTO_REQUIRED = "resolution_photo_required"
    NOT_YOUR_DEPARTMENT = "not_your_department"
    NOT_A_MEMBER = "not_a_member"
    REOPEN_WINDOW_CLOSED = "reopen_window_closed"
    NOT_REPORTER = "not_reporter"
    MERGE_INVALID = "merge_invalid"
    OWN_REPORT = "own_report"
    BAD_FILTER = "bad_filter"


class ComplaintError(DomainError):
    """Base of every complaints error: `except ComplaintError` catches them all. Raise a subclass."""


class ComplaintInvalid(ComplaintError, InvalidInput):
    default_code = "complaint_invalid"


class ComplaintNotFound(ComplaintError, NotFound):
    default_code = ComplaintErrorCode.NOT_FOUND


class ComplaintForbidden(ComplaintError, PermissionDenied):
    default_code = ComplaintErrorCode.NOT_YOUR_DEPARTMENT


class ComplaintConflict(ComplaintError, Conflict):
    default_code = ComplaintErrorCode.BAD_TRANSITION
