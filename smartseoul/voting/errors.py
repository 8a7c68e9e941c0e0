"""Error codes of the voting module (stable: clients and the budget module match on them)."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, Unavailable


class VotingErrorCode(StrEnum):
    VOTE_NOT_FOUND = "vote_not_found"
    BAD_VOTE = "bad_vote"
    NOT_EDITABLE = "vote_not_editable"
    NOT_OPEN = "vote_not_open"
    NOT_ELIGIBLE = "not_eligible"
    VERIFICATION_REQUIRED = "verification_required"
    RESIDENT_REQUIRED = "resident_required"
    WRONG_DISTRICT = "wrong_district"
    LOCATION_REQUIRED = "location_required"
    OUTSIDE_GEOFENCE = "outside_geofence"
    PHONE_NOT_LISTED = "phone_not_listed"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105  (an error code, not a password)
    TOO_YOUNG = "too_young"
    BIRTH_YEAR_REQUIRED = "birth_year_required"
    ALREADY_VOTED = "already_voted"
    BAD_CHOICES = "bad_choices"
    TOO_MANY_CHOICES = "too_many_choices"
    OVER_POINTS = "over_points"
    OVER_BUDGET = "over_budget"
    NOT_OWNER = "not_vote_owner"
    RESULTS_HIDDEN = "results_hidden"
    BAD_PROOF_REQUEST = "bad_proof_request"
    RECEIPT_NOT_FOUND = "receipt_not_found"
    LOG_BUSY = "log_busy"


class VotingError(DomainError):
    """Base of every voting error: `except VotingError` catches them all. Raise a subclass."""

    default_code = "voting_error"


class VoteNotFound(VotingError, NotFound):
    default_code = VotingErrorCode.VOTE_NOT_FOUND


class ReceiptNotFound(VotingError, NotFound):
    default_code = VotingErrorCode.RECEIPT_NOT_FOUND


class BadVote(VotingError, InvalidInput):
    default_code = VotingErrorCode.BAD_VOTE


class BadBallot(VotingError, InvalidInput):
    default_code = VotingErrorCode.BAD_CHOICES


class BadProofRequest(VotingError, InvalidInput):
    default_code = VotingErrorCode.BAD_PROOF_REQUEST


class NotEligible(VotingError, PermissionDenied):
    default_code = VotingErrorCode.NOT_ELIGIBLE


class NotOwner(VotingError, PermissionDenied):
    default_code = VotingErrorCode.NOT_OWNER


class ResultsHidden(VotingError, PermissionDenied):
    default_code = VotingErrorCode.RESULTS_HIDDEN


class VoteClosed(VotingError, Conflict):
    default_code = VotingErrorCode.NOT_OPEN


class VoteNotEditable(VotingError, Conflict):
    default_code = VotingErrorCode.NOT_EDITABLE


class AlreadyVoted(VotingError, Conflict):
    default_code = VotingErrorCode.ALREADY_VOTED


class LogBusy(VotingError, Unavailable):
    """The ballot box stayed locked through every retry: try again (503)."""

    default_code = VotingErrorCode.LOG_BUSY
