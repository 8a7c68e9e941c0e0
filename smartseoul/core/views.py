"""Shell pages: home (service tiles), health, the citizen's inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from . import registry, selectors, services
from .errors import PermissionDenied


def _tile_groups(office: bool) -> dict[str, list[registry.Tile]]:
    groups: dict[str, list[registry.Tile]] = {}
    for tile in registry.tiles():
        if (tile.group == "office") == office:
            groups.setdefault(tile.group, []).append(tile)
    return groups


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"groups": _tile_groups(office=False), "city": selectors.city()})


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    """The officials' back office: every module's work pages (second factor enforced by middleware)."""
    if not request.user.is_staff_role:  # type: ignore[union-attr]
        raise PermissionDenied("The back office is for officials.")
    return render(request, "core/office.html", {"tiles": _tile_groups(office=True).get("office", [])})


@require_GET
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
def districts_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.districts_geojson(), content_type="application/geo+json")
