"""Turns domain errors raised under HTML views into error pages (the one place for HTML), and
refuses NUL characters in a request before any view reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartseoul.accounts.policy import second_factor_page, second_factor_pending, second_factor_refusal

from .error_pages import reader_text
from .errors import CoreErrorCode, DomainError, InvalidInput, PermissionDenied

NUL = "\x00"
HANGUL = re.compile("[\uac00-\ud7a3]")

def _page_message(exc: DomainError) -> Any:
    """A Korean page never shows an English sentence: a message with no Korean yet gives way to
    what its status means."""
    if get_language().startswith("ko") and not HANGUL.search(str(exc.message)):
        return reader_text(exc.status)
    return exc.message
FORM_TYPES = ("application/json", "application/x-www-form-urlencoded")


def has_nul(value: Any) -> bool:
    """A NUL character anywhere in decoded JSON: keys, strings, nested lists and objects."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def checks_own_input(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view that refuses NUL characters in its own envelope (a protocol adapter)."""
    view.checks_own_input = True  # type: ignore[attr-defined]
    return view


def carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path or any(NUL in k or any(NUL in v for v in vs) for k, vs in request.GET.lists()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS") or request.content_type not in FORM_TYPES:
        return False  # multipart bodies are read by the views that take uploads, with their own limits
    body = request.body
    if request.content_type == "application/x-www-form-urlencoded":
        return b"\x00" in body or b"%00" in body
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:
        return has_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the view refuses it in its own words


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], *args: Any) -> HttpResponse | None:
        """A NUL character in the path, the query or a JSON or form body is refused with 400: PostgreSQL
        cannot store or compare text holding one, so it would surface as a server error. Protocol
        adapters that answer in their own envelope (CKAN, Seoul OpenAPI) check their input themselves."""
        if getattr(view, "checks_own_input", False) or not carries_nul(request):
            return None
        error = InvalidInput(_("The request contains a NUL character."), code=CoreErrorCode.NUL_CHARACTER)
        if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"error": error.as_dict()}, status=error.status)
        return self.process_exception(request, error)  # the page every refusal gets

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        if isinstance(exception, PermissionDenied | DjangoPermissionDenied) and second_factor_pending(
            getattr(request, "user", None)
        ):
            # a refusal the second factor would lift: offer it (the staff account acts as a citizen until then)
            exception = second_factor_refusal(request)
            if not wants_json:
                return second_factor_page(request)
        if not isinstance(exception, DomainError):
            return None
        if wants_json:
            return JsonResponse({"error": exception.as_dict()}, status=exception.status)
        response = TemplateResponse(
            request, "core/domain_error.html", {"error": exception, "message": _page_message(exception)},
            status=exception.status,
        )
        return response.render()

