"""Error codes of the open-data module. Protocol adapters (CKAN, Seoul OpenAPI) map them to
their own wire formats; the native API and pages show them as they are."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, RateLimited


class OpenDataErrorCode(StrEnum):
    DATASET_NOT_FOUND = "dataset_not_found"
    RESOURCE_NOT_FOUND = "resource_not_found"
    ORGANIZATION_NOT_FOUND = "organization_not_found"
    GROUP_NOT_FOUND = "group_not_found"
    TABLE_NOT_FOUND = "table_not_found"
    UPLOAD_NOT_FOUND = "upload_not_found"
    NAME_TAKEN = "name_taken"
    BAD_NAME = "bad_name"
    BAD_FIELD = "bad_field"
    BAD_CATEGORY = "bad_category"
    BAD_LICENCE = "bad_licence"
    BAD_QUERY = "bad_query"
    BAD_FILTER = "bad_filter"
    BAD_SORT = "bad_sort"
    BAD_FILE = "bad_file"
    TOO_MANY_BAD_ROWS = "too_many_bad_rows"
    UPLOAD_NOT_PUBLISHABLE = "upload_not_publishable"
    SQL_DISABLED = "sql_disabled"
    SQL_REFUSED = "sql_refused"
    SQL_TIMEOUT = "sql_timeout"
    SQL_MEMORY = "sql_memory"
    SQL_BUSY = "sql_busy"
    NOT_PUBLISHER = "not_publisher"
    NOT_ALLOWED = "not_allowed"
    QUOTA_EXCEEDED = "quota_exceeded"
    BAD_API_KEY = "bad_api_key"
    REQUEST_ALREADY_ANSWERED = "request_already_answered"
    LEGAL_GROUND_REQUIRED = "legal_ground_required"
    SHOWCASE_NOT_FOUND = "showcase_not_found"
    DOCUMENT_NOT_FOUND = "document_not_found"
    PERSONAL_DATA = "personal_data"
    REASON_REQUIRED = "reason_required"
    FINDING_NOT_FOUND = "finding_not_found"
    BAD_IMPORT = "bad_import"


class OpenDataError(DomainError):
    """Base of every open-data error: `except OpenDataError` catches them all. Raise a subclass."""

    default_code = "opendata"


class BadInput(OpenDataError, InvalidInput):
    default_code = OpenDataErrorCode.BAD_FIELD


class Missing(OpenDataError, NotFound):
    default_code = OpenDataErrorCode.DATASET_NOT_FOUND


class Forbidden(OpenDataError, PermissionDenied):
    default_code = OpenDataErrorCode.NOT_PUBLISHER


class Clash(OpenDataError, Conflict):
    default_code = OpenDataErrorCode.NAME_TAKEN


class FieldErrors(BadInput):
    """Validation errors per field (CKAN answers them as a `Validation Error` with field keys)."""

    def __init__(self, errors: dict[str, list[str]], message: str = "The data is not valid.") -> None:
        super().__init__(message, code=OpenDataErrorCode.BAD_FIELD, fields=errors)
        self.errors = errors


class QueryError(BadInput):
    """A search or datastore query that cannot be understood (CKAN: Search Query Error)."""

    default_code = OpenDataErrorCode.BAD_QUERY


class QuotaExceeded(OpenDataError, RateLimited):
    default_code = OpenDataErrorCode.QUOTA_EXCEEDED


class SqlBusy(OpenDataError, RateLimited):
    """Every slot of the SQL endpoint is taken; the caller may retry shortly."""

    default_code = OpenDataErrorCode.SQL_BUSY
