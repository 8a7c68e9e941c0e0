"""Django's admin as the platform's back office: its permission rule asks the second-factor policy too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from smartseoul.accounts.policy import second_factor_page, second_factor_pending


class BackOfficeSite(admin.AdminSite):
    site_header = "Smart Seoul back office"
    site_title = "Smart Seoul"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.staff_permissions_active  # type: ignore[union-attr]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if second_factor_pending(request.user):
            return second_factor_page(request)
        return super().login(request, extra_context)
