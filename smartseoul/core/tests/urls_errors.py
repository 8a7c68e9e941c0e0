"""The site's URLs plus views that fail on purpose, for the error-page tests (never mounted by the site)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from smartseoul import urls as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug the error page must not show")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("api/v1/test-errors/boom", boom),
    path("api/v1/test-errors/forbidden", forbidden),
    *site.urlpatterns,
]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
