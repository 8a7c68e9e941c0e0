"""Error codes of Democracy Seoul. Each refusal carries one of these stable codes."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class DemocracyErrorCode(StrEnum):
    VERIFICATION_REQUIRED = "verification_required"
    PROPOSAL_NOT_FOUND = "proposal_not_found"
    PROPOSAL_LOCKED = "proposal_locked"  # edits after the first support
    PROPOSAL_CLOSED = "proposal_closed"  # support/withdrawal after the window
    WRONG_STAGE = "wrong_stage"
    ALREADY_SUPPORTED = "already_supported"
    NOT_SUPPORTED = "not_supported"
    OWN_PROPOSAL = "own_proposal"
    NOT_AUTHOR = "not_author"
    NOT_RESPONSIBLE = "not_responsible"  # an official of another department
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    BAD_OUTCOME = "bad_outcome"
    BAD_CATEGORY = "bad_category"
    BAD_ATTACHMENT = "bad_attachment"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    BAD_CONFIG = "bad_config"
    ALREADY_REPORTED = "already_reported"
    REPORT_NOT_FOUND = "report_not_found"
    COMMENT_NOT_FOUND = "comment_not_found"
    HIDDEN = "hidden"
    INQUIRY_NOT_FOUND = "inquiry_not_found"
    INQUIRY_CLOSED = "inquiry_closed"
    VOTE_SERVICE_UNAVAILABLE = "vote_service_unavailable"
    NO_DEPARTMENT = "no_department"


class DemocracyError(DomainError):
    """Base of every Democracy Seoul error: `except DemocracyError` catches them all. Raise a subclass."""


class DemocracyInvalid(DemocracyError, InvalidInput):
    default_code = "invalid"


class DemocracyNotFound(DemocracyError, NotFound):
    default_code = DemocracyErrorCode.PROPOSAL_NOT_FOUND


class DemocracyForbidden(DemocracyError, PermissionDenied):
    default_code = "forbidden"


class DemocracyConflict(DemocracyError, Conflict):
    default_code = DemocracyErrorCode.WRONG_STAGE
