"""Shell pages: home (service tiles), health, the citizen's inbox, the auditors' log, the error pages."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from . import clock, registry, selectors, services
from .error_pages import PAGES
from .errors import PermissionDenied

HOME_GROUPS = ("report", "participate", "live", "data", "life")  # the home page's sections, in order


def _tile_groups(office: bool, user: Any = None) -> dict[str, list[registry.Tile]]:
    groups: dict[str, list[registry.Tile]] = {}
    for tile in registry.tiles():
        if (tile.group == "office") == office and (user is None or tile.allows(user)):
            groups.setdefault(tile.group, []).append(tile)
    return groups


def _admin_apps(request: HttpRequest) -> bool:
    """Whether Django's admin would show this person anything: its own rule (staff) and at least
    one model they hold a permission for; an official without any sees an empty admin."""
    from django.contrib import admin

    return admin.site.has_permission(request) and bool(admin.site.get_app_list(request))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from smartseoul.accounts.selectors import demo_sign_in

    demo = None if request.user.is_authenticated else demo_sign_in()  # None in production
    found = _tile_groups(office=False)
    groups = {g: found[g] for g in HOME_GROUPS if g in found}  # my page's entries ("mine") are in the menu
    featured = sorted((t for t in registry.tiles() if t.featured and t.group in HOME_GROUPS),
                      key=lambda t: (HOME_GROUPS.index(t.group), t.order))
    context = {"groups": groups, "featured": featured, "city": selectors.city(), "demo": demo}
    return render(request, "core/home.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The site-wide search: the services whose name matches, then what each module's own search
    finds (datasets, proposals, votes, documents …) that this person may see."""
    query = request.GET.get("q", "").strip()[:200]
    context: dict[str, Any] = {"query": query, "services": [], "sections": []}
    if query:
        context.update(selectors.site_search(query, request.user))
    return render(request, "core/search.html", context)


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """The web-app manifest: the site added to a phone's home screen opens like an app."""
    city = selectors.city()
    name = f"{city.name} {_('Smart Seoul')}" if city else str(_("Smart Seoul"))
    manifest = {
        "name": name,
        "short_name": str(_("Smart Seoul")),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b50d0",
        "icons": [
            {"src": static("smartseoul/favicon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    """The officials' back office: every module's work pages."""
    if not request.user.acts_as_staff:  # type: ignore[union-attr]
        raise PermissionDenied("The back office is for officials.")
    context = {
        "tiles": _tile_groups(office=True, user=request.user).get("office", []),
        "can_audit": selectors.can_read_audit(request.user),  # type: ignore[arg-type]
        "can_admin": _admin_apps(request),
    }
    return render(request, "core/office.html", context)


@require_GET
@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: where to report a vulnerability (SMARTSEOUL_SECURITY_CONTACT); 404 while none is set."""
    contacts = settings.SECURITY_CONTACT
    if not contacts:
        raise Http404("No security contact is configured.")
    expires = (clock.now() + timedelta(days=365)).replace(microsecond=0)
    lines = [f"Contact: {c}" for c in contacts] + [
        f"Expires: {expires.astimezone(UTC).isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: ko, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and task-queue status, for load balancers and monitoring."""
    status: dict[str, object] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any driver error means "down"
        status["status"] = "error"
        status["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        from django_tasks import task_backends

        backend = task_backends["default"]
        tasks: dict[str, object] = {"ok": True, "backend": type(backend).__name__}
        if type(backend).__name__ == "DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            tasks["queued"] = DBTaskResult.objects.filter(status="READY").count()
            tasks["failed"] = DBTaskResult.objects.filter(status="FAILED").count()
        status["tasks"] = tasks
    except Exception as exc:  # a misconfigured backend raises on first use
        status["status"] = "error"
        status["tasks"] = {"ok": False, "error": type(exc).__name__}
    return JsonResponse(status, status=200 if status["status"] == "ok" else 503)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    messages = selectors.inbox(request.user)[:100]  # type: ignore[arg-type]
    return render(request, "core/inbox.html", {"messages_list": messages})


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)  # type: ignore[arg-type]
    return render(request, "core/inbox.html#message", {"m": selectors.inbox(request.user).get(pk=pk)})  # type: ignore[arg-type]


@require_GET
def dev_outbox(request: HttpRequest) -> HttpResponse:
    """Development and demo only: the SMS and e-mail messages the development gateway kept for
    the signed-in person (a phone code, a notice), since nothing is really sent. 404 in production."""
    if settings.PRODUCTION:
        raise Http404
    return render(request, "core/dev_outbox.html", {"messages_list": selectors.dev_outbox(request.user)})  # type: ignore[arg-type]


@require_GET
@gzip_page
@cache_control(public=True, max_age=3600)
def districts_geojson(request: HttpRequest) -> JsonResponse:
    """The districts' boundaries; `?detail=map` simplified for drawing (what the maps fetch)."""
    data = selectors.districts_geojson(for_map=request.GET.get("detail") == "map")
    return JsonResponse(data, content_type="application/geo+json")


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, read-only, filterable and paged."""
    filters = selectors.AuditFilter.parse(request.GET)
    events = selectors.audit_events(reader=request.user, filters=filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "actions": selectors.audit_actions(),
    }
    return render(request, "core/audit_log.html", context)


@login_required
@require_GET
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered audit log as CSV; the export itself is recorded in the log."""
    filters = selectors.AuditFilter.parse(request.GET)
    events = selectors.audit_events(reader=request.user, filters=filters)  # type: ignore[arg-type]
    services.audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action="core.audit_export",
        details={"filters": filters.as_query()},
        request=request,
    )
    writer = csv.writer(_Echo())
    rows = (writer.writerow(row) for row in selectors.audit_export_rows(events))
    # A byte-order mark first: Excel, which most offices open CSV files with, then reads UTF-8 (not CP949).
    response = StreamingHttpResponse(itertools.chain(["\ufeff"], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


# The platform's own error pages (handler400/403/404/500 in smartseoul/urls.py, CSRF_FAILURE_VIEW):
# shown whatever DEBUG is, in the reader's language; under /api/ the JSON error envelope instead.
def _error_response(request: HttpRequest, status: int, *, code: str = "", message: Any = None) -> HttpResponse:
    default_code, heading, text, api_message = PAGES[status]
    if request.path.startswith("/api/"):
        body = {"error": {"code": code or default_code, "message": str(message or api_message)}}
        return JsonResponse(body, status=status)
    context = {"status": status, "code": code or default_code, "heading": heading, "message": message or text}
    if status >= 500:
        # No request context: the page must render even when the database or a context processor is down.
        html = loader.render_to_string("core/error_500.html", context)
    else:
        html = loader.render_to_string("core/error_page.html", context, request=request)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form post (CSRF check): usually a page left open past its session, or cookies off."""
    message = _("The form could not be accepted: reload the page, then send it again. Cookies must be on.")
    api_message = "The CSRF check failed: send the CSRF token with the session cookie."
    return _error_response(
        request, 403, code="csrf_failed", message=api_message if request.path.startswith("/api/") else message
    )
