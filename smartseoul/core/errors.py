"""The error base class. Every module's errors subclass `DomainError` with a stable code.

The one hierarchy: each module has its own base (`class VotingError(DomainError)`), and every
other error of the module derives from that base AND from exactly one status class below
(`class NotEligible(VotingError, PermissionDenied)`), so `except VotingError` catches every
voting error and `except PermissionDenied` every refusal, whichever module raised it.
`tests/test_error_hierarchy.py` walks every `errors.py` and enforces this.

`smartseoul/api.py` turns them into JSON responses and `core.middleware.DomainErrorMiddleware`
into HTML pages, in one place each. Protocol adapters (Open311, CKAN, SensorThings …) catch
them and answer in their own wire format.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal the caller can act on: carries a stable `code`, an HTTP status and a message."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid"

    def __init__(
        self, message: str, *, code: str | StrEnum | None = None, status: int | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = str(code or self.default_code)
        if status is not None:
            self.status = status  # type: ignore[misc]
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    status = 400
    default_code = "invalid"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class RateLimited(DomainError):
    status = 429
    default_code = "rate_limited"


class Unavailable(DomainError):
    """A temporary refusal: the caller may retry the same request shortly (HTTP 503)."""

    status = 503
    default_code = "unavailable"


class CommandError(InvalidInput):
    """Bad arguments or files for a `smartseoul` command: printed as one line, exit status 2."""

    default_code = "bad_command"


class CoreErrorCode(StrEnum):
    OUTSIDE_CITY = "outside_city"
    UNKNOWN_DISTRICT = "unknown_district"
    BAD_BOUNDARY_FILE = "bad_boundary_file"
    UNKNOWN_CHANNEL = "unknown_channel"
    RATE_LIMITED = "rate_limited"
    NOT_AN_AUDITOR = "not_an_auditor"
    BAD_FILTER = "bad_filter"
    NUL_CHARACTER = "nul_character"
