"""API authentication shared by every module's router.

- `session_auth`: a signed-in browser (CSRF checked on writes).
- `ApiKeyAuth(scope)`: machine clients with an accounts.ApiKey in `X-API-Key` or `Authorization: Bearer`;
  reads need `<scope>:read`, writes `<scope>:write`.
Both put the user on `request.auth`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, SessionAuth

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

if TYPE_CHECKING:
    from smartseoul.accounts.models import User


class _Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


session_auth = _Session()


class ApiKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return self.authenticate(request, header[7:])
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from smartseoul.accounts.errors import AccountError, AccountErrorCode
        from smartseoul.accounts.services import api_key_authenticate

        if not key:
            return None
        try:
            api_key = api_key_authenticate(raw=key, scope=self.scope, write=request.method not in SAFE_METHODS)
        except AccountError as exc:
            if exc.code == AccountErrorCode.KEY_READ_ONLY:
                raise  # a valid key that may not write: say so (403), not "sign in"
            return None
        request.api_key = api_key  # type: ignore[attr-defined]
        return api_key.owner


def request_user(request: HttpRequest) -> User:
    """The user an API operation authenticated (`request.auth`), typed."""
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):
        from .errors import PermissionDenied

        raise PermissionDenied("Sign in first.", code="unauthorized", status=401)
    return user  # type: ignore[no-any-return]


def session_or_key(scope: str) -> list[Any]:
    return [ApiKeyAuth(scope), session_auth]
