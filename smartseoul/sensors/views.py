"""Pages: the live air-quality map, a box's charts, alert subscriptions, the caseworker's dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.core import clock
from smartseoul.core.models import Channel
from smartseoul.core.selectors import district_names, districts
from smartseoul.sensors.errors import SensorForbidden

from . import grades, sdot, selectors
from .models import AlertKind
from .services import alerts, care
from .timeutil import local_zone

PERIODS = {"day": 1, "week": 7, "month": 30}


def _quantity_name(q: sdot.Quantity) -> str:
    if (get_language() or "ko").startswith("en"):
        return q.name_en[:1].upper() + q.name_en[1:]
    return q.name_ko


def _district_name(code: str, names: dict[str, dict[str, str]]) -> str:
    english = (get_language() or "ko").startswith("en")
    return names.get(code, {}).get("en" if english else "ko") or code


@require_GET
def air_map(request: HttpRequest) -> HttpResponse:
    conditions = selectors.district_conditions_latest()
    names = district_names()
    rows = [
        {
            "code": code,
            "name": _district_name(code, names),
            "c": c,
            "grade": grades.label(c.dust_grade),
            "uv": grades.label(c.uv_level),
        }
        for code, c in sorted(conditions.items())
    ]
    scale = grades.dust_scale()
    return render(
        request,
        "sensors/map.html",
        {
            "rows": rows,
            "hour": selectors.latest_condition_hour(),
            "scale": scale,
            "map_data": {
                "grades": selectors.air_quality_by_district(),
                "colours": {c["key"]: c["color"] for c in scale},
                "labels": {c["key"]: c["label"] for c in scale},
                "names": {code: _district_name(code, names) for code in names},
                "pm25_bands": selectors.threshold("pm25_grade").table,
                "no_data": grades.NO_DATA_COLOUR,
            },
        },
    )


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
    newest = max((at for _v, at in latest.values() if at is not None), default=None)
    if newest is not None and newest < end:
        end = newest  # the last period the box has measurements for, not an empty stretch up to now
    start = end - timedelta(days=PERIODS[period])
    zone = local_zone()
    series = []
    for code in sdot.HEADLINE_CODES:
        points = selectors.box_series(box.pk, code, start, end, max_points=1500)
        if points:
            q = sdot.BY_CODE[code]
            series.append(
                {
                    "code": code,
                    "name": _quantity_name(q),
                    "unit": q.unit_symbol,
                    # the city's local time with its offset (+09:00): charts show the hour people lived
                    "t": [p[0].astimezone(zone).isoformat() for p in points],
                    "v": [p[1] for p in points],
                }
            )
    return render(
        request,
        "sensors/box.html",
        {
            "box": box,
            "district_name": _district_name(box.district_code, district_names()) if box.district_code else "",
            "series": series,
            "period": period,
            "periods": list(PERIODS),
            "start": start,
            "end": end,
            "newest": newest,
            "latest": [
                {
                    "name": _quantity_name(sdot.BY_CODE[c]),
                    "unit": sdot.BY_CODE[c].unit_symbol,
                    "value": latest[c][0],
                    "at": latest[c][1],
                }
                for c in sdot.HEADLINE_CODES
                if c in latest
            ],
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
    names = district_names()
    kinds = dict(AlertKind.choices)
    channels = dict(Channel.choices)
    subscriptions = [
        {
            "district": _district_name(s.district_code, names),
            "kinds": [str(kinds.get(k, k)) for k in s.kinds],
            "channels": [str(channels.get(c, c)) for c in s.channels],
        }
        for s in selectors.subscriptions_of(request.user)
    ]
    episodes = [
        {
            "district": _district_name(e.district_code, names),
            "kind": e.get_kind_display(),
            "level": grades.label(e.level),
            "since": e.started_at,
        }
        for e in selectors.open_episodes()[:20]
    ]
    return render(
        request,
        "sensors/alerts.html",
        {
            "subscriptions": subscriptions,
            "districts": districts(),
            "kinds": AlertKind.choices,
            "episodes": episodes,
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
    moved_by_thing = selectors.last_motion_of_things([d.pk for ds in devices.values() for d in ds], days=2)
    rows = []
    for s in seniors:
        values: dict[str, object] = {}
        for d in devices[s.pk]:
            values.update(latest.get(d.pk, {}))
        last = [moved_by_thing[d.pk] for d in devices[s.pk] if d.pk in moved_by_thing]
        rows.append({"senior": s, "values": values, "moved_at": max(last, default=None)})
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
