"""The second factor belongs to the session: the one policy for staff permissions.

A staff account (official, district or city administrator, auditor, superuser) uses its staff
permissions only after its second factor (TOTP) in this session, or through an API key created
after one. Until then it holds exactly a citizen's permissions. The check lives where every
permission is checked (`User.staff_permissions_active`, asked by `is_official`, `has_capability`,
`has_perm` and `acts_as_staff`), never in a list of URLs; this module binds the session's (or the
key's) state to the user object each request works with, and turns a refusal that the second
factor would lift into an offer of the second-factor page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from smartseoul.core.errors import PermissionDenied

if TYPE_CHECKING:
    from .models import ApiKey

SECOND_FACTOR_SESSION_KEY = "second_factor_ok"


def second_factor_passed(request: HttpRequest) -> bool:
    return bool(request.session.get(SECOND_FACTOR_SESSION_KEY))


def bind_key(key: ApiKey) -> None:
    """A key carries its owner's staff permissions only if it was created after the second factor."""
    key.owner.second_factor_ok = key.second_factor


def second_factor_pending(user: Any) -> bool:
    """A signed-in staff account whose staff permissions wait for its second factor."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_staff_role
        and not user.staff_permissions_active
    )


def second_factor_page(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"/accounts/second-factor/?{urlencode({'next': request.get_full_path()})}")


def second_factor_refusal(request: HttpRequest) -> PermissionDenied:
    """What a refusal becomes when the second factor would lift it."""
    if getattr(request, "api_key", None) is not None:
        message = _("This API key was created without two-factor sign-in: create a new key after signing in with it.")
    else:
        message = _("Complete two-factor sign-in first.")
    return PermissionDenied(message, code="second_factor_required")


class SecondFactorMiddleware:
    """Binds this session's second-factor state to `request.user` before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.second_factor_ok = second_factor_passed(request)
        return self.get_response(request)
