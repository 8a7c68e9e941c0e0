"""Django's admin as the platform's back office: its permission rule asks the second-factor policy too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from smartseoul.accounts.policy import second_factor_page, second_factor_pending


class BackOfficeSite(admin.AdminSite):
    site_header = "Smart Seoul back office"
    site_title = "Smart Seoul"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.staff_permissions_active  # type: ignore[union-attr]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if second_factor_pending(request.user):
            return second_factor_page(request)
        if request.method == "POST" or not request.user.is_authenticated:
            # Django's own sign-in form would check passwords past the per-account lock and the
            # per-address limit: passwords are only ever checked on the platform's sign-in page.
            target = request.GET.get("next") or reverse("admin:index")
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
        return super().login(request, extra_context)
