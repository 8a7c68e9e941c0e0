"""Pages of the Digital Mayor's Office (/mayor/), Smart Seoul Map (/map/), theme maps and
"information around me". Thin: parse, call one selector or service, render."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.core import clock
from smartseoul.core.errors import CoreErrorCode, DomainError
from smartseoul.core.forms import add_domain_error
from smartseoul.core.redirects import login_url

from . import present, selectors, services
from .errors import DashboardErrorCode, DashboardForbidden, DashboardInvalid
from .forms import RejectForm, ThemeMapForm, ThemePointForm
from .models import ThemeStatus

RADII = (250, 500, 1000, 2000)


# --- the Digital Mayor's Office --------------------------------------------------------------


def _office_gate(request: HttpRequest) -> HttpResponse | None:
    """The officials' version: a signed-in official who passed the second factor in this session."""
    user = request.user
    if not user.is_authenticated:
        return redirect(login_url(request))
    if not selectors.can_see_internal(user):
        raise DashboardForbidden(_("The officials' dashboard is for officials."), code="officials_only")
    return None


def _page_context(area: dict[str, Any]) -> dict[str, Any]:
    district = area["district"]
    return {
        **area, "periods": [(k, v[0]) for k, v in selectors.PERIODS.items()],
        "base": reverse("mayor:office" if area["internal"] else "mayor:index"),
        "districts": selectors.district_shapes().areas,
        "dongs": selectors.neighborhood_shapes(district.code).areas if district else (),
    }


def _board_context(request: HttpRequest, *, internal: bool, period: str, district: Any, dong: Any) -> dict[str, Any]:
    district_code = district.code if district else None
    dong_code = dong.code if dong else None
    cards = services.board(internal=internal, period_key=period, district_code=district_code,
                            neighborhood_code=dong_code)
    presented = {c.key: present.present(c, district_code=district_code) for c in cards}
    sections = [(s, [presented[c.key] for c in s.cards]) for s in selectors.sections(cards)]
    query = {"period": period, **({"district": district_code} if district_code else {}),
             **({"dong": dong_code} if dong_code else {})}
    pending = sum(1 for c in cards if c.pending)
    return {
        "internal": internal, "period": period, "district": district, "dong": dong, "sections": sections,
        "pending": pending,
        "base": reverse("mayor:office" if internal else "mayor:index"),
        "board_url": reverse("mayor:office-board" if internal else "mayor:board") + "?" + urlencode(query),
        "poll_seconds": selectors.PENDING_POLL_SECONDS if pending else selectors.POLL_SECONDS,
        "updated": clock.today_local(), "widget_count": len(cards),
        "no_data_fill": selectors.NO_DATA,
    }


BOARD_HTML_TTL = 5  # every screen polling the same board within 5 s shares one rendering


def _board_html(request: HttpRequest, context: dict[str, Any]) -> str:
    """The board fragment, rendered once per area, period, version and language every few seconds
    (it holds no per-user content: the officials' version has its own key)."""
    key = "dash:board:" + "|".join([str(context["internal"]), context["period"],
                                    context["district"].code if context["district"] else "-",
                                    context["dong"].code if context["dong"] else "-", get_language() or "ko"])
    html = cache.get(key)
    if html is None:
        board = _board_context(request, **context)
        html = render_to_string("dashboard/_board.html", board, request=request)
        cache.set(key, html, min(BOARD_HTML_TTL, selectors.PENDING_RECHECK) if board["pending"] else BOARD_HTML_TTL)
    return html


def _area(request: HttpRequest, *, internal: bool) -> dict[str, Any]:
    period = request.GET.get("period") or selectors.DEFAULT_PERIOD
    selectors.period_for(period)  # 400 for an unknown period
    district, dong = selectors.check_area(request.GET.get("district") or None, request.GET.get("dong") or None)
    return {"internal": internal, "period": period, "district": district, "dong": dong}


def _mayor_page(request: HttpRequest, *, internal: bool, fragment: bool) -> HttpResponse:
    area = _area(request, internal=internal)
    board = _board_html(request, area)
    if fragment:
        return HttpResponse(board)
    return render(request, "dashboard/mayor.html", {**_page_context(area), "board_html": board})


@require_GET
def mayor(request: HttpRequest) -> HttpResponse:
    return _mayor_page(request, internal=False, fragment=False)


@require_GET
def mayor_board(request: HttpRequest) -> HttpResponse:
    return _mayor_page(request, internal=False, fragment=True)


@require_GET
def mayor_office(request: HttpRequest) -> HttpResponse:
    return _office_gate(request) or _mayor_page(request, internal=True, fragment=False)


@require_GET
def mayor_office_board(request: HttpRequest) -> HttpResponse:
    return _office_gate(request) or _mayor_page(request, internal=True, fragment=True)


# --- Smart Seoul Map -------------------------------------------------------------------------


def _map_context(request: HttpRequest) -> dict[str, Any]:
    entries = selectors.catalogue(internal=False)
    if "layers" in request.GET:  # a shared view, even one with no layer on
        active = [k for k in request.GET["layers"].split(",") if k]
    else:  # a first visit opens on the layers their modules show first, not on an empty map
        active = [e.key for e in entries if e.shown_first]
    return {
        "groups": selectors.catalogue_groups(entries), "active": active,
        "catalogue_json": [{"key": e.key, "title": e.title, "style": dict(e.style), "source": e.source,
                            "legend": {str(k): str(v) for k, v in e.legend.items()}} for e in entries],
        "view": {"lat": request.GET.get("lat"), "lon": request.GET.get("lon"), "z": request.GET.get("z"),
                 "mode": request.GET.get("mode", "cluster")},
    }


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/map.html", _map_context(request))


@require_GET
@xframe_options_exempt  # framing is governed by the CSP frame-ancestors list (SMARTSEOUL_EMBED_ANCESTORS)
def map_embed(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/embed.html", _map_context(request))


def _int_or_none(raw: str | None, code: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except ValueError as exc:
        raise DashboardInvalid(_("%(raw)r is not a whole number.") % {"raw": raw}, code=code) from exc


@require_GET
def layer_geojson(request: HttpRequest, key: str) -> HttpResponse:
    """A layer as GeoJSON (application/geo+json): clustered or heat for a map view with bbox and
    zoom; the whole layer with ?download=1."""
    download = request.GET.get("download") == "1"
    fc = selectors.layer_geojson(
        key, bbox=None if download else selectors.parse_bbox(request.GET.get("bbox")),
        zoom=None if download else _int_or_none(request.GET.get("zoom"), DashboardErrorCode.BAD_ZOOM),
        mode=request.GET.get("mode") or "cluster",
    )
    response = HttpResponse(json.dumps(fc, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/geo+json; charset=utf-8")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{key}.geojson"'
    response["Cache-Control"] = "public, max-age=15"
    return response


# --- information around me -------------------------------------------------------------------


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None  # type: ignore[arg-type]
    except ValueError as exc:
        raise DashboardInvalid(_("Latitude and longitude must be numbers."), code=DashboardErrorCode.BAD_POINT) from exc


def _around_context(request: HttpRequest) -> dict[str, Any]:
    entries = [e for e in selectors.catalogue(internal=False) if e.style.get("kind", "point") == "point"]
    chosen = request.GET.getlist("layer") or [e.key for e in entries if e.source == "poi"][:4]
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))
    radius = _int_or_none(request.GET.get("radius"), DashboardErrorCode.BAD_RADIUS) or 500
    results = None
    if lat is not None and lon is not None:
        results = selectors.nearby(lat=lat, lon=lon, radius_m=radius, layer_keys=chosen)
    return {"entries": entries, "chosen": chosen, "lat": lat, "lon": lon, "radius": radius, "radii": RADII,
            "results": results}


@require_GET
def around(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/around.html", _around_context(request))


@require_GET
def around_results(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/around.html#results", _around_context(request))


# --- theme maps ------------------------------------------------------------------------------


@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    mine = selectors.themes_of(request.user) if request.user.is_authenticated else None
    return render(request, "dashboard/themes.html", {"published": selectors.published_themes()[:100], "mine": mine,
                                                     "moderator": services.is_moderator(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def theme_new(request: HttpRequest) -> HttpResponse:
    form = ThemeMapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_map_create(author=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Now add the places of your map."))
            return redirect("dashboard:theme", pk=theme.pk)
    return render(request, "dashboard/theme_new.html", {"form": form})


# The field of the place form a refusal is about, when the error does not name it itself; else the
# refusal concerns the whole form. The page marks that field and the error summary links to it.
_POINT_FIELD_BY_CODE: dict[str, str] = {
    DashboardErrorCode.BAD_PHOTO: "photo",
    DashboardErrorCode.BAD_POINT: "lat",
    CoreErrorCode.OUTSIDE_CITY: "lat",
}


def _theme_page(request: HttpRequest, pk: int, point_form: ThemePointForm | None = None,
                reject_form: RejectForm | None = None, status: int = 200) -> HttpResponse:
    theme = selectors.theme_for(pk, request.user)
    user = request.user
    is_author = user.is_authenticated and theme.author_id == user.pk
    moderator = services.is_moderator(user)
    editable = theme.status in services.EDITABLE and (is_author or moderator)
    return render(request, "dashboard/theme.html", {
        "theme": theme, "points": list(theme.points.all()), "editable": editable, "is_author": is_author,
        "moderator": moderator, "point_form": point_form or ThemePointForm(),
        "reject_form": reject_form or RejectForm(),
        "geojson": selectors.theme_geojson(theme), "can_publish": moderator and (
            theme.status == ThemeStatus.PENDING or (editable and is_author)),
    }, status=status)


@require_GET
def theme(request: HttpRequest, pk: int) -> HttpResponse:
    return _theme_page(request, pk)


@login_required
@require_POST
def theme_point_add(request: HttpRequest, pk: int) -> HttpResponse:
    theme = selectors.theme_for(pk, request.user)
    form = ThemePointForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.theme_point_add(theme=theme, author=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_error(form, exc, _POINT_FIELD_BY_CODE)
            return _theme_page(request, pk, point_form=form, status=exc.status)
        messages.success(request, _("Place added."))
        return redirect("dashboard:theme", pk=pk)
    return _theme_page(request, pk, point_form=form, status=400)


@login_required
@require_POST
def theme_point_remove(request: HttpRequest, pk: int, point_id: int) -> HttpResponse:
    theme = selectors.theme_for(pk, request.user)
    services.theme_point_remove(theme=theme, author=request.user, point_id=point_id)  # type: ignore[arg-type]
    return redirect("dashboard:theme", pk=pk)


@login_required
@require_POST
def theme_submit(request: HttpRequest, pk: int) -> HttpResponse:
    theme = selectors.theme_for(pk, request.user)
    services.theme_map_submit(theme=theme, author=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Sent to the moderators. You will get a message when it is published."))
    return redirect("dashboard:theme", pk=pk)


def _moderator_gate(request: HttpRequest) -> HttpResponse | None:
    if not services.is_moderator(request.user):
        raise DashboardForbidden(_("Only moderators can do this."), code=DashboardErrorCode.NOT_MODERATOR)
    return None


@login_required
@require_POST
def theme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    gate = _moderator_gate(request)
    if gate:
        return gate
    theme = selectors.theme_for(pk, request.user)
    services.theme_map_publish(theme=theme, moderator=request.user, request=request)  # type: ignore[arg-type]
    selectors.clear_layer_cache()
    messages.success(request, _("Published: the map is now in the layer catalogue."))
    return redirect("dashboard:theme", pk=pk)


@login_required
@require_POST
def theme_reject(request: HttpRequest, pk: int) -> HttpResponse:
    gate = _moderator_gate(request)
    if gate:
        return gate
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _theme_page(request, pk, reject_form=form, status=400)
    theme = selectors.theme_for(pk, request.user)
    services.theme_map_reject(theme=theme, moderator=request.user, note=form.cleaned_data["note"], request=request)  # type: ignore[arg-type]
    messages.success(request, _("Returned to the author."))
    return redirect("dashboard:moderation")


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    gate = _moderator_gate(request)
    if gate:
        return gate
    return render(request, "dashboard/moderation.html", {"pending": selectors.pending_themes()})
