"""Pages of the Smart Complaint Report: the citizen's phone-first reporting flow, report pages,
the Citizens' Talk Map and the officials' work queue (htmx). Thin: parse, call one service or
selector, render."""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.accounts.models import Verification
from smartseoul.core import clock, ratelimit
from smartseoul.core import selectors as core_selectors
from smartseoul.core.errors import DomainError
from smartseoul.core.redirects import local_path, login_url

from . import selectors, services
from .errors import ComplaintErrorCode, ComplaintForbidden, ComplaintInvalid
from .models import OPEN_STATUSES, Channel, MediaSource, Status


def _user(request: HttpRequest) -> Any:
    """The signed-in user (pages check `is_authenticated` before acting)."""
    return cast(Any, request).user


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


# --- citizens --------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_reports(_user(request))[:5] if _user(request).is_authenticated else []
    return render(
        request,
        "complaints/index.html",
        {
            "categories": selectors.categories(),
            "mine": mine,
            "summary": selectors.district_summary(period="30"),
        },
    )


def _needs_verification(request: HttpRequest) -> HttpResponse | None:
    user = _user(request)
    if not user.is_authenticated:
        return redirect(login_url(request))
    if user.verification < Verification.PHONE and not user.is_official:
        messages.info(request, _("Verify your phone number to report: anonymous reports are not accepted."))
        return redirect(login_url(request, "accounts:phone"))
    return None


def _attributes_from_post(request: HttpRequest, category_code: str) -> dict[str, Any]:
    prefix = f"attr_{category_code}_"
    out: dict[str, Any] = {}
    for key in request.POST:
        if key.startswith(prefix):
            values = [v for v in request.POST.getlist(key) if v != ""]
            if values:
                out[key[len(prefix) :]] = values if len(values) > 1 else values[0]
    return out


# Which part of the report form a refusal is about, by its code: the page marks that field and the
# error summary links to it. Codes not listed (rate limits, verification) concern the whole form.
_REPORT_FIELD_BY_CODE: dict[str, str] = {
    ComplaintErrorCode.UNKNOWN_CATEGORY: "category",
    ComplaintErrorCode.CATEGORY_INACTIVE: "category",
    ComplaintErrorCode.MISSING_ATTRIBUTE: "attribute",
    ComplaintErrorCode.BAD_ATTRIBUTE: "attribute",
    ComplaintErrorCode.NO_LOCATION: "address",
    ComplaintErrorCode.OUTSIDE_CITY: "place",
    ComplaintErrorCode.DESCRIPTION_TOO_LONG: "description",
    ComplaintErrorCode.MEDIA_NOT_FOUND: "media",
    ComplaintErrorCode.MEDIA_TYPE: "media",
    ComplaintErrorCode.MEDIA_TOO_LARGE: "media",
    ComplaintErrorCode.MEDIA_UNREADABLE: "media",
    ComplaintErrorCode.MEDIA_NAME: "media",
    ComplaintErrorCode.MEDIA_UNSAFE: "media",
    ComplaintErrorCode.VIDEO_TOO_LONG: "media",
    ComplaintErrorCode.TOO_MANY_PHOTOS: "media",
    ComplaintErrorCode.TOO_MANY_VIDEOS: "media",
}


def _report_error(exc: DomainError, post: Any, category_codes: list[str]) -> dict[str, str]:
    """The refusal as the report form shows it: its message, and the id of the control it is about
    ("" when it concerns the whole form)."""
    category = post.get("category", "")
    message = exc.message
    field = ""
    match _REPORT_FIELD_BY_CODE.get(exc.code, ""):
        case "category":
            field = f"cat-{category if category in category_codes else (category_codes or [''])[0]}"
            if exc.code == ComplaintErrorCode.UNKNOWN_CATEGORY:  # the service names the unknown code
                message = _("Choose what the problem is.")
        case "attribute":
            attribute = exc.details.get("attribute")
            field = f"attr-{category}-{attribute}" if attribute else ""
        case "place":  # outside the city: the coordinates if they were typed or pinned, else the address
            field = "lat" if post.get("lat") else "address"
        case "media":
            field = "gallery-files"
        case "address" | "description" as name:
            field = name
    return {"code": exc.code, "message": message, "field": field}


def _attribute_sets(categories: list[Any], post: Any) -> list[tuple[Any, list[tuple[Any, list[str]]]]]:
    """Each category with its questions and the answers just posted (kept when the form comes back)."""
    return [
        (c, [(a, post.getlist(f"attr_{c.code}_{a.code}")) for a in c.attributes.all()])
        for c in categories
        if c.attributes.all()
    ]


@require_http_methods(["GET", "POST"])
def new_report(request: HttpRequest) -> HttpResponse:
    gate = _needs_verification(request)
    if gate is not None:
        return gate
    categories = list(selectors.categories())
    context: dict[str, Any] = {
        "categories": categories,
        "attribute_sets": _attribute_sets(categories, request.POST),
        "values": request.POST or request.GET,
        "pending": selectors.my_pending_media(_user(request)),
    }
    if request.method == "POST":
        category = request.POST.get("category", "")
        try:
            complaint = services.complaint_submit(
                reporter=_user(request),
                category_code=category,
                lat=_float(request.POST.get("lat")),
                lon=_float(request.POST.get("lon")),
                address=request.POST.get("address", ""),
                description=request.POST.get("description", ""),
                attributes=_attributes_from_post(request, category),
                media_ids=[int(v) for v in request.POST.getlist("media") if v.isdigit()],
                files=request.FILES.getlist("files"),
                channel=Channel.MOBILE if request.POST.get("channel") == "mobile" else Channel.WEB,
                client_ip=ratelimit.client_ip(request),
            )
        except DomainError as exc:
            context["error"] = _report_error(exc, request.POST, [c.code for c in categories])
            # a form sent back for correction, even for a category that does not exist (a 404 to the service)
            return render(request, "complaints/new.html", context, status=400 if exc.status == 404 else exc.status)
        return redirect(f"{reverse('complaints:report', args=[complaint.number])}?new=1")
    return render(request, "complaints/new.html", context)


@require_POST
def media_upload(request: HttpRequest) -> JsonResponse:
    """The capture flow uploads each photo or video at once; the server stamps in-app captures."""
    if not _user(request).is_authenticated:
        return JsonResponse({"error": {"code": "unauthorized", "message": _("Please sign in first.")}}, status=401)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse(
            {"error": {"code": ComplaintErrorCode.MEDIA_NOT_FOUND, "message": _("No file was sent.")}}, status=400
        )
    source = request.POST.get("source", MediaSource.GALLERY)
    try:
        row = services.media_upload(
            owner=_user(request),
            file=upload,
            source=source,
            client_ip=ratelimit.client_ip(request),
        )
    except DomainError as exc:
        return JsonResponse({"error": exc.as_dict()}, status=exc.status)
    return JsonResponse(
        {
            "id": row.pk,
            "kind": row.kind,
            "source": row.source,
            "captured_at": row.captured_at.isoformat() if row.captured_at else None,
            "duration_s": row.duration_s,
            "thumb": settings.MEDIA_URL + row.public_path if row.public_path else None,
        },
        status=201,
    )


@require_GET
def media_original(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The private original: only its uploader and officials handling the report."""
    row = selectors.media_item(pk)
    user = _user(request)
    allowed = user.is_authenticated and (
        row.owner_id == user.pk
        or (row.complaint is not None and services.can_handle(user, row.complaint))
    )
    if not allowed:
        raise ComplaintForbidden(_("This file is not public."), code=ComplaintErrorCode.NOT_YOUR_DEPARTMENT)
    path = Path(settings.PRIVATE_MEDIA_ROOT) / row.private_path
    response = FileResponse(path.open("rb"), content_type=row.content_type or mimetypes.guess_type(path.name)[0])
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))
    category = request.GET.get("category", "")
    found = selectors.nearby_open(category_code=category, lat=lat, lon=lon) if (lat and lon and category) else []
    return render(request, "complaints/_nearby.html", {"found": found})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/mine.html", {"reports": selectors.my_reports(_user(request))[:200]})


@require_GET
def report(request: HttpRequest, number: str) -> HttpResponse:
    complaint = selectors.report(number)
    user = _user(request)
    is_reporter = user.is_authenticated and complaint.reporter_id == user.pk
    can_reopen = (
        is_reporter
        and complaint.status == Status.RESOLVED
        and complaint.closed_at is not None
        and clock.now() - complaint.closed_at <= timedelta(days=services.REOPEN_DAYS)
    )
    return render(
        request,
        "complaints/report.html",
        {
            "c": complaint,
            "history": selectors.public_history(complaint),
            "photos": [m for m in selectors.public_photos(complaint) if m.source != MediaSource.RESOLUTION],
            "resolution_photos": [m for m in selectors.resolution_photos(complaint) if m.public_path],
            "attributes": selectors.public_attributes(complaint),
            "is_reporter": is_reporter,
            "can_reopen": can_reopen,
            "is_new": request.GET.get("new") == "1" and is_reporter,
            "can_metoo": user.is_authenticated and not is_reporter and complaint.status in OPEN_STATUSES,
            "is_official": user.is_authenticated and services.can_handle(user, complaint),
            "description": services.redact(complaint.description),
        },
    )


@require_POST
def metoo(request: HttpRequest, number: str) -> HttpResponse:
    if not _user(request).is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('complaints:report', args=[number])}")
    complaint, added = services.complaint_metoo(user=_user(request), number=number)
    if getattr(request, "htmx", False):
        return render(request, "complaints/_metoo.html", {"c": complaint, "added": added, "done": True})
    messages.success(request, _("Thank you: your voice was added to this report."))
    return redirect("complaints:report", number=number)


@login_required
@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    services.complaint_reopen(user=_user(request), number=number, reason=request.POST.get("reason", ""))
    messages.success(request, _("The report was reopened and sent back to the department."))
    return redirect("complaints:report", number=number)


# --- Talk Map --------------------------------------------------------------------------------

# The colour of each status on the Talk Map: the legend beside the map draws them and the map's
# script reads them from it, so the two never disagree.
STATUS_COLOURS = {
    Status.RECEIVED: "#b45309", Status.ASSIGNED: "#1d4ed8", Status.IN_PROGRESS: "#1d4ed8",
    Status.TRANSFERRED: "#6d28d9", Status.REOPENED: "#b91c1c", Status.RESOLVED: "#15803d",
    Status.REJECTED: "#6b7280", Status.MERGED: "#6b7280",
}


@require_GET
def talk_map(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "complaints/map.html",
        {
            "categories": selectors.categories(),
            "statuses": Status.choices,
            "legend": [(s.value, s.label, STATUS_COLOURS[s]) for s in Status],
            "periods": selectors.PERIODS,
            "summary": selectors.district_summary(period=request.GET.get("period", "30")),
            "selected": request.GET,
        },
    )


@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    try:
        zoom = max(0, min(int(request.GET.get("zoom", "11")), 20))
    except ValueError:
        zoom = 11
    data = selectors.map_geojson(
        zoom=zoom,
        bbox=selectors.parse_bbox(request.GET.get("bbox")),
        category_codes=[c for c in request.GET.get("category", "").split(",") if c],
        status=request.GET.get("status", ""),
        period=request.GET.get("period", "30"),
        mode="heat" if request.GET.get("mode") == "heat" else "cluster",
        district_code=request.GET.get("district", ""),
    )
    return JsonResponse(data, content_type="application/geo+json")


@require_GET
def district_stats(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "complaints/_districts.html",
        {"summary": selectors.district_summary(period=request.GET.get("period", "30"))},
    )


# --- officials' work queue -------------------------------------------------------------------


def _office_gate(request: HttpRequest) -> HttpResponse | None:
    user = _user(request)
    if not user.is_authenticated:
        return redirect(login_url(request))
    if not selectors.can_work_queue(user):
        raise ComplaintForbidden(_("The work queue is for officials."), code=ComplaintErrorCode.NOT_YOUR_DEPARTMENT)
    return None


def _safe_next(request: HttpRequest) -> str:
    """The queue page (with its filters) a form came from, only if it is on this site."""
    return local_path(request.POST.get("next", "")) or ""


def _queue_filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    return {
        "district": g.get("district", ""),
        "category": g.get("category", ""),
        "status": g.get("status", ""),
        "overdue": g.get("overdue") in ("1", "on", "true"),
        "department": g.get("department", ""),
        "assignee": g.get("assignee", ""),
        "query": g.get("q", "").strip(),
    }


@require_GET
def office(request: HttpRequest) -> HttpResponse:
    gate = _office_gate(request)
    if gate is not None:
        return gate
    filters = _queue_filters(request)
    queue = selectors.office_queue(actor=_user(request), **filters)
    context = {
        "queue": queue[:200],
        "total": queue.count(),
        "filters": filters,
        "now": clock.now(),
        "categories": selectors.categories(),
        "districts": core_selectors.districts(),
        "departments": selectors.visible_departments(_user(request)),
        "transfer_groups": selectors.transfer_groups(),
        "members": selectors.department_members(_user(request).department_id) if _user(request).department_id else [],
        "statuses": Status.choices,
        "bulk_actions": services.BULK_ACTIONS,
    }
    if getattr(request, "htmx", False):
        return render(request, "complaints/office.html#queue", context)
    return render(request, "complaints/office.html", context)


@require_POST
def office_bulk(request: HttpRequest) -> HttpResponse:
    gate = _office_gate(request)
    if gate is not None:
        return gate
    assignee = request.POST.get("assignee", "")
    try:
        count = services.complaints_bulk(
            actor=_user(request),
            numbers=request.POST.getlist("numbers"),
            action=request.POST.get("action", ""),
            assignee_id=int(assignee) if assignee.isdigit() else None,
            department_code=request.POST.get("department", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ComplaintInvalid as exc:  # a missing choice: say so above the queue, keep the filters
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("%(n)d report updated.", "%(n)d reports updated.", count) % {"n": count})
    return redirect(_safe_next(request) or reverse("complaints:office"))


@require_GET
def office_report(request: HttpRequest, number: str) -> HttpResponse:
    gate = _office_gate(request)
    if gate is not None:
        return gate
    complaint = selectors.office_report(number)
    if not services.can_handle(_user(request), complaint):
        raise ComplaintForbidden(_("This report belongs to another department."))
    return render(
        request,
        "complaints/office_report.html",
        {
            "c": complaint,
            "history": list(complaint.history.select_related("actor", "to_department")),
            "notes": complaint.internal_notes.all(),
            "media": list(complaint.media.all()),
            "attributes": selectors.answered_attributes(complaint, public_only=False),
            "members": selectors.department_members(complaint.department_id) if complaint.department_id else [],
            "transfer_groups": selectors.transfer_groups(exclude_department_id=complaint.department_id),
            "now": clock.now(),
            "nearby": [
                (c, d)
                for c, d in selectors.nearby_open(
                    category_code=complaint.category.code, lat=complaint.lat, lon=complaint.lon, days=60
                )
                if c.pk != complaint.pk
            ],
        },
    )


@require_POST
def office_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    gate = _office_gate(request)
    if gate is not None:
        return gate
    actor = _user(request)
    p = request.POST
    if action == "assign":
        assignee = p.get("assignee", "")
        if not assignee.isdigit():
            raise ComplaintInvalid(_("Choose a member to assign."), code=ComplaintErrorCode.NOT_A_MEMBER)
        services.complaint_assign(actor=actor, number=number, assignee_id=int(assignee), request=request)
    elif action == "start":
        services.complaint_start(actor=actor, number=number, note=p.get("note", ""), request=request)
    elif action == "resolve":
        services.complaint_resolve(
            actor=actor,
            number=number,
            note=p.get("note", ""),
            photo=request.FILES.get("photo"),
            request=request,
        )
    elif action == "reject":
        services.complaint_reject(actor=actor, number=number, reason=p.get("reason", ""), request=request)
    elif action == "transfer":
        services.complaint_transfer(
            actor=actor,
            number=number,
            department_code=p.get("department", ""),
            reason=p.get("reason", ""),
            request=request,
        )
    elif action == "note":
        services.complaint_note_add(actor=actor, number=number, body=p.get("body", ""), request=request)
    elif action == "merge":
        services.complaint_merge(actor=actor, number=number, into_number=p.get("into", "").strip(), request=request)
    else:
        raise ComplaintInvalid(_("Unknown action."), code=ComplaintErrorCode.BAD_TRANSITION)
    messages.success(request, _("Saved."))
    if action == "transfer" and not services.can_handle(actor, selectors.report(number)):
        return redirect("complaints:office")
    return redirect("complaints:office-report", number=number)
