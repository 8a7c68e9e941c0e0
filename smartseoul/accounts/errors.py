from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, RateLimited


class AccountErrorCode(StrEnum):
    USERNAME_TAKEN = "username_taken"
    PHONE_TAKEN = "phone_taken"
    BAD_PHONE = "bad_phone"
    BAD_CODE = "bad_code"
    CODE_EXPIRED = "code_expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NOT_IN_CENSUS = "not_in_census"
    BAD_CENSUS_FILE = "bad_census_file"
    LOCKED = "account_locked"
    BAD_CREDENTIALS = "bad_credentials"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    BAD_TOTP = "bad_totp"
    VERIFICATION_REQUIRED = "verification_required"
    BAD_API_KEY = "bad_api_key"
    BAD_SCOPE = "bad_scope"
    KEY_READ_ONLY = "key_read_only"
    QUOTA_EXCEEDED = "quota_exceeded"
    NOT_ALLOWED = "not_allowed"


class AccountError(DomainError):
    """Base of every accounts error: `except AccountError` catches them all. Raise a subclass."""

    default_code = "account_error"


class AccountInvalid(AccountError, InvalidInput):
    default_code = "invalid"


class AccountNotFound(AccountError, NotFound):
    default_code = "not_found"


class AccountForbidden(AccountError, PermissionDenied):
    default_code = AccountErrorCode.NOT_ALLOWED


class AccountConflict(AccountError, Conflict):
    default_code = AccountErrorCode.NOT_ALLOWED


class AccountRateLimited(AccountError, RateLimited):
    default_code = AccountErrorCode.TOO_MANY_ATTEMPTS
