"""Officials reach the back office only after their second factor (TOTP) in this session."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

SECOND_FACTOR_SESSION_KEY = "second_factor_ok"
PROTECTED_PREFIXES = ("/admin/", "/office/")
PROTECTED_SEGMENT = "/office/"  # every module's back-office pages live under /<module>/office/


def second_factor_passed(request: HttpRequest) -> bool:
    return bool(request.session.get(SECOND_FACTOR_SESSION_KEY))


class OfficialSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_role
            and not second_factor_passed(request)
            and (path.startswith(PROTECTED_PREFIXES) or PROTECTED_SEGMENT in path or _is_official_api(request))
        ):
            if path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "second_factor_required", "message": "Complete two-factor sign-in first."}},
                    status=403,
                )
            return redirect(f"/accounts/second-factor/?next={path}")
        return self.get_response(request)


def _is_official_api(request: HttpRequest) -> bool:
    """Session-authenticated official API calls pass the same gate (token clients do not use sessions)."""
    return request.path_info.startswith("/api/v1/") and request.method not in ("GET", "HEAD", "OPTIONS")
