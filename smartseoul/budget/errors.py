"""Error codes of the participatory budget. Each refusal carries one of these stable codes."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class BudgetErrorCode(StrEnum):
    CYCLE_NOT_FOUND = "cycle_not_found"
    ENVELOPE_NOT_FOUND = "envelope_not_found"
    PROJECT_NOT_FOUND = "project_not_found"
    WRONG_PHASE = "wrong_phase"
    BAD_CYCLE = "bad_cycle"
    BAD_ENVELOPE = "bad_envelope"
    BAD_PROJECT = "bad_project"
    BAD_REVIEW = "bad_review"
    BAD_SCORE = "bad_score"
    BAD_BALLOT = "bad_ballot"
    OVER_ENVELOPE = "over_envelope"
    TOO_MANY_CHOICES = "too_many_choices"
    OVER_POINTS = "over_points"
    NOT_ON_BALLOT = "not_on_ballot"
    NO_VOTE = "no_vote"
    VERIFICATION_REQUIRED = "verification_required"
    NOT_ALLOWED = "not_allowed"
    NOT_PROPOSER = "not_proposer"
    REASON_REQUIRED = "reason_required"
    BAD_RULE = "bad_rule"
    NO_RESULT = "no_result"
    BAD_PABULIB = "bad_pabulib"
    BAD_PHOTO = "bad_photo"
    BAD_UPDATE = "bad_update"
    BAD_DEMOCRACY_LINK = "bad_democracy_link"


class BudgetError(DomainError):
    """Base of every budget error: `except BudgetError` catches them all. Raise a subclass."""


class BudgetInvalid(BudgetError, InvalidInput):
    default_code = "budget_invalid"


class BudgetNotFound(BudgetError, NotFound):
    default_code = BudgetErrorCode.PROJECT_NOT_FOUND


class BudgetForbidden(BudgetError, PermissionDenied):
    default_code = BudgetErrorCode.NOT_ALLOWED


class BudgetConflict(BudgetError, Conflict):
    default_code = BudgetErrorCode.WRONG_PHASE
