"""Pages: the live air-quality map, a box's charts, alert subscriptions, the caseworker's dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.core import clock
from smartseoul.core.selectors import district_names, districts
from smartseoul.sensors.errors import SensorForbidden

from . import sdot, selectors
from .models import AlertKind
from .services import alerts, care

PERIODS = {"day": 1, "week": 7, "month": 30}


@require_GET
def air_map(request: HttpRequest) -> HttpResponse:
    conditions = selectors.district_conditions_latest()
    names = district_names()
    rows = [
        {"code": code, "name": names.get(code, {}).get("ko", code), "c": c} for code, c in sorted(conditions.items())
    ]
    return render(request, "sensors/map.html", {"rows": rows, "grades": selectors.air_quality_by_district()})


@require_GET
def boxes_geojson(request: HttpRequest) -> JsonResponse:
    from smartseoul.core.registry import LayerQuery

    from .layers import boxes_layer

    return JsonResponse(boxes_layer(LayerQuery()), content_type="application/geo+json")


@require_GET
def box_page(request: HttpRequest, serial: str) -> HttpResponse:
    box = selectors.box_by_serial(serial)
    if box is None:
        raise Http404("no such box")
    period = request.GET.get("period", "day")
    if period not in PERIODS:
        period = "day"
    end = clock.now()
    latest = selectors.latest_values([box.pk], sdot.HEADLINE_CODES).get(box.pk, {})
    if latest:
        newest = max((at for _v, at in latest.values() if at is not None), default=None)
        if newest is not None and newest < end - timedelta(days=PERIODS[period]):
            end = newest  # a box that stopped reporting: show its last period
    start = end - timedelta(days=PERIODS[period])
    series = []
    for code in sdot.HEADLINE_CODES:
        points = selectors.box_series(box.pk, code, start, end, max_points=1500)
        if points:
            q = sdot.BY_CODE[code]
            series.append(
                {
                    "code": code,
                    "name": q.name_ko,
                    "unit": q.unit_symbol,
                    "t": [p[0].isoformat() for p in points],
                    "v": [p[1] for p in points],
                }
            )
    return render(
        request,
        "sensors/box.html",
        {
            "box": box,
            "series": series,
            "period": period,
            "periods": list(PERIODS),
            "latest": [(sdot.BY_CODE[c], latest[c]) for c in sdot.HEADLINE_CODES if c in latest],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_subscriptions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        alerts.subscription_set(
            user=request.user,
            district_code=request.POST.get("district_code", ""),
            kinds=request.POST.getlist("kinds"),
            channels=request.POST.getlist("channels"),
        )
        messages.success(request, _("Your alert settings are saved."))
        return redirect("sensors:alerts")
    return render(
        request,
        "sensors/alerts.html",
        {
            "subscriptions": selectors.subscriptions_of(request.user),
            "districts": districts(),
            "kinds": AlertKind.choices,
            "episodes": selectors.open_episodes()[:20],
            "home_district": getattr(request.user, "home_district", None),
        },
    )


def _caseworker(request: HttpRequest) -> None:
    if not selectors.is_caseworker(request.user):
        raise SensorForbidden(_("The senior-care dashboard is for caseworkers."))


@login_required
@require_GET
def care_dashboard(request: HttpRequest) -> HttpResponse:
    _caseworker(request)
    seniors = list(selectors.seniors_for(request.user))
    devices = {s.pk: list(selectors.senior_devices(s)) for s in seniors}
    latest = selectors.latest_values(
        [d.pk for ds in devices.values() for d in ds],
        ("motion", "indoor_temperature", "indoor_humidity", "indoor_light"),
    )
    rows = []
    for s in seniors:
        values: dict[str, object] = {}
        for d in devices[s.pk]:
            values.update(latest.get(d.pk, {}))
        rows.append({"senior": s, "values": values})
    return render(
        request,
        "sensors/care.html",
        {
            "rows": rows,
            "alerts": selectors.care_alerts_for(request.user),
        },
    )


@login_required
@require_POST
def care_alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    _caseworker(request)
    if action == "acknowledge":
        care.care_alert_acknowledge(user=request.user, alert_id=alert_id)
    elif action == "close":
        care.care_alert_close(user=request.user, alert_id=alert_id, note=request.POST.get("note", ""))
    else:
        raise Http404("unknown action")
    return redirect("sensors:care")


@login_required
@require_GET
def care_senior(request: HttpRequest, senior_id: int) -> HttpResponse:
    _caseworker(request)
    senior = selectors.seniors_for(request.user).filter(pk=senior_id).first()
    if senior is None:
        raise Http404("not one of your seniors")
    return redirect("sensors:care")
