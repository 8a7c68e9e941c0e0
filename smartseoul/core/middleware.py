"""Turns domain errors raised under HTML views into error pages (the one place for HTML)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from smartseoul.accounts.policy import second_factor_page, second_factor_pending, second_factor_refusal

from .errors import DomainError, PermissionDenied


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

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
            request, "core/domain_error.html", {"error": exception}, status=exception.status
        )
        return response.render()

