"""HTML routes: the shell, each module's pages from the registry, then protocol adapters at the root."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from smartseoul.api import api
from smartseoul.core import views as core_views
from smartseoul.core.registry import manifests

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(".well-known/security.txt", core_views.security_txt, name="security-txt"),
    path("office/", core_views.office, name="office"),
    path("search/", core_views.search, name="search"),
    path("manifest.webmanifest", core_views.web_manifest, name="web-manifest"),
    path("dev/outbox/", core_views.dev_outbox, name="dev-outbox"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "smartseoul/favicon.ico", permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("city/", include(("smartseoul.core.urls", "core"), namespace="core")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

for _m in manifests():
    if _m.urls:
        urlpatterns.append(path(_m.url_prefix or f"{_m.name}/", include((_m.urls, _m.name), namespace=_m.name)))
for _m in manifests():  # root-mounted protocol adapters last: they own broad patterns
    if _m.root_urls:
        urlpatterns.append(path("", include(_m.root_urls)))

# The platform's own error pages in the reader's language (JSON under /api/), whatever DEBUG is.
handler400 = "smartseoul.core.views.bad_request"
handler403 = "smartseoul.core.views.permission_denied"
handler404 = "smartseoul.core.views.page_not_found"
handler500 = "smartseoul.core.views.server_error"
