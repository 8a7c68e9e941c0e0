"""Writes of Smart Seoul Map: theme maps proposed by citizens (or made by officials), their
points with photos, and moderation before publication."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps

from smartseoul.accounts.models import Capability
from smartseoul.core import clock, ratelimit
from smartseoul.core.geography import district_for_point
from smartseoul.core.services import audit_record, notify
from smartseoul.lib import uploads

from . import selectors
from .errors import DashboardConflict, DashboardErrorCode, DashboardForbidden, DashboardInvalid
from .models import AreaFigures, ThemeMap, ThemePoint, ThemeStatus
from .selectors import DEFAULT_PERIOD, AreaKey, Card

if TYPE_CHECKING:
    from django.http import HttpRequest

    from smartseoul.accounts.models import User

MAX_POINTS = 200
MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_DIR = "dashboard/themes"
EDITABLE = (ThemeStatus.DRAFT, ThemeStatus.REJECTED)


def is_moderator(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.MODERATOR))


def _require_author(theme: ThemeMap, user: User) -> None:
    if theme.author_id != user.pk and not is_moderator(user):
        raise DashboardForbidden(_("Only the author can change this theme map."), code=DashboardErrorCode.NOT_AUTHOR)


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise DashboardForbidden(_("Only moderators can publish or reject theme maps."),
                                 code=DashboardErrorCode.NOT_MODERATOR)


def _clean_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DashboardInvalid(_("This field is required."), code=DashboardErrorCode.BAD_THEME, field=field)
    if len(text) > max_length:
        raise DashboardInvalid(ngettext("Write at most %(n)d character.", "Write at most %(n)d characters.", max_length)
                               % {"n": max_length}, code=DashboardErrorCode.BAD_THEME, field=field)
    return text


def theme_map_create(
    *, author: User, title_ko: str, title_en: str = "", description: str = "", color: str = "#b3261e",
) -> ThemeMap:
    """A new draft theme map. Citizens may start 20 a day."""
    title_ko = _clean_text(title_ko, field="title", max_length=120, required=True)
    title_en = _clean_text(title_en, field="English title", max_length=120, required=False)
    description = _clean_text(description, field="description", max_length=2000, required=False)
    if not (len(color) == 7 and color.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
        raise DashboardInvalid(_("The colour must look like #b3261e."), code=DashboardErrorCode.BAD_THEME,
                               field="color")
    ratelimit.hit(f"dashboard:theme-create:{author.pk}", limit=20, window_seconds=86400,
                  message=_("You can start at most 20 theme maps a day."))
    with transaction.atomic():
        return ThemeMap.objects.create(
            title_ko=title_ko, title_en=title_en, description=description, color=color, author=author,
            by_official=author.acts_as_staff, status=ThemeStatus.DRAFT, created_at=clock.now(),
        )


def _public_photo(upload: Any) -> bytes:
    """A re-encoded copy of an uploaded photo: EXIF (and so any GPS tag) removed, at most 1600 px."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise DashboardInvalid(_("The photo is larger than 8 MB."), code=DashboardErrorCode.BAD_PHOTO)
    raw = upload.read(MAX_PHOTO_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(raw) > MAX_PHOTO_BYTES:
        raise DashboardInvalid(_("The photo is larger than 8 MB."), code=DashboardErrorCode.BAD_PHOTO)
    try:
        uploads.check_image(raw, name=getattr(upload, "name", "") or "")
    except uploads.UploadRefused as exc:
        raise DashboardInvalid(_photo_refusal(exc.code), code=DashboardErrorCode.BAD_PHOTO, field="photo") from exc
    with Image.open(io.BytesIO(raw)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)  # no exif= argument: metadata is dropped
    return out.getvalue()


def _photo_refusal(code: str) -> str:
    if code == uploads.CODE_EMPTY:
        return _("The photo file is empty.")
    if code == uploads.CODE_NAME:
        return _("The file is not what its name says; choose the photo itself.")
    if code == uploads.CODE_MARKUP:
        return _("The file carries a web page or script inside it and cannot be attached.")
    if code == uploads.CODE_PIXELS:
        return _("The photo has too many pixels.")
    if code == uploads.CODE_UNREADABLE:
        return _("The photo could not be read as an image.")
    return _("The photo must be a JPEG, PNG or WebP image.")


def theme_point_add(
    *, theme: ThemeMap, author: User, title: str, description: str = "", lat: float, lon: float,
    photo: Any = None,
) -> ThemePoint:
    """Adds a point to a draft (or rejected) theme map. The point must be inside the city; a
    photo is stored as a public copy without EXIF."""
    _require_author(theme, author)
    title = _clean_text(title, field="title", max_length=120, required=True)
    description = _clean_text(description, field="description", max_length=1000, required=False)
    place = district_for_point(lat, lon)  # refuses a point outside the city (400 outside_city)
    image = _public_photo(photo) if photo else None
    relative = ""
    if image is not None:
        relative = f"{PHOTO_DIR}/{uuid.uuid4().hex}.jpg"
    with transaction.atomic():
        locked = ThemeMap.objects.select_for_update().get(pk=theme.pk)
        if locked.status not in EDITABLE:
            raise DashboardConflict(_("Only a draft theme map can be changed."), code=DashboardErrorCode.NOT_EDITABLE)
        count = locked.points.count()
        if count >= MAX_POINTS:
            raise DashboardInvalid(_("A theme map holds at most %(n)d places.") % {"n": MAX_POINTS},
                                   code=DashboardErrorCode.TOO_MANY_POINTS)
        point = ThemePoint.objects.create(
            theme=locked, title=title, description=description, lat=round(lat, 7), lon=round(lon, 7),
            district_code=place.district_code, photo=relative, order=count, created_at=clock.now(),
        )
        if image is not None:
            target = Path(settings.MEDIA_ROOT) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(image)
    return point


def theme_point_remove(*, theme: ThemeMap, author: User, point_id: int) -> None:
    _require_author(theme, author)
    with transaction.atomic():
        locked = ThemeMap.objects.select_for_update().get(pk=theme.pk)
        if locked.status not in EDITABLE:
            raise DashboardConflict(_("Only a draft theme map can be changed."), code=DashboardErrorCode.NOT_EDITABLE)
        point = locked.points.filter(pk=point_id).first()
        if point is None:
            raise DashboardInvalid(_("No such point on this theme map."), code=DashboardErrorCode.BAD_THEME)
        photo = point.photo
        point.delete()
    if photo:
        (Path(settings.MEDIA_ROOT) / photo).unlink(missing_ok=True)


def theme_map_submit(*, theme: ThemeMap, author: User) -> ThemeMap:
    """Sends a draft to the moderators. It needs at least one point."""
    _require_author(theme, author)
    with transaction.atomic():
        locked = ThemeMap.objects.select_for_update().get(pk=theme.pk)
        if locked.status not in EDITABLE:
            raise DashboardConflict(_("This theme map was already submitted."), code=DashboardErrorCode.NOT_EDITABLE)
        if not locked.points.exists():
            raise DashboardInvalid(_("Add at least one point before submitting."), code=DashboardErrorCode.NO_POINTS)
        locked.status = ThemeStatus.PENDING
        locked.submitted_at = clock.now()
        locked.moderation_note = ""
        locked.save(update_fields=["status", "submitted_at", "moderation_note"])
        return locked


def theme_map_publish(*, theme: ThemeMap, moderator: User, request: HttpRequest | None = None) -> ThemeMap:
    """Publishes a theme map awaiting moderation (or a moderator's own draft): it joins the map's
    layer catalogue and the open API. Audited; the author is told."""
    _require_moderator(moderator)
    with transaction.atomic():
        locked = ThemeMap.objects.select_for_update().get(pk=theme.pk)
        own_draft = locked.status in EDITABLE and locked.author_id == moderator.pk
        if locked.status != ThemeStatus.PENDING and not own_draft:
            raise DashboardConflict(_("Only a theme map awaiting moderation can be published."),
                                    code=DashboardErrorCode.NOT_PENDING)
        if not locked.points.exists():
            raise DashboardInvalid(_("A theme map without places cannot be published."),
                                   code=DashboardErrorCode.NO_POINTS)
        now = clock.now()
        locked.status = ThemeStatus.PUBLISHED
        locked.submitted_at = locked.submitted_at or now
        locked.moderated_at = now
        locked.moderated_by = moderator
        locked.save(update_fields=["status", "submitted_at", "moderated_at", "moderated_by"])
        audit_record(actor=moderator, action="dashboard.theme_publish", target=locked, request=request,
                     details={"points": locked.points.count()})
        if locked.author is not None and locked.author_id != moderator.pk:
            notify(recipient=locked.author, kind="dashboard.theme_published",
                   subject="테마지도 공개 / Theme map published",
                   body=f"'{locked.title_ko}' is now on Smart Seoul Map.", link=f"/map/themes/{locked.pk}/",
                   channels=("inbox",))
        return locked


def theme_map_reject(*, theme: ThemeMap, moderator: User, note: str, request: HttpRequest | None = None) -> ThemeMap:
    """Sends a theme map back to its author with a reason; the author may edit and resubmit."""
    _require_moderator(moderator)
    note = _clean_text(note, field="reason", max_length=300, required=True)
    with transaction.atomic():
        locked = ThemeMap.objects.select_for_update().get(pk=theme.pk)
        if locked.status != ThemeStatus.PENDING:
            raise DashboardConflict(_("Only a theme map awaiting moderation can be rejected."),
                                    code=DashboardErrorCode.NOT_PENDING)
        locked.status = ThemeStatus.REJECTED
        locked.moderated_at = clock.now()
        locked.moderated_by = moderator
        locked.moderation_note = note
        locked.save(update_fields=["status", "moderated_at", "moderated_by", "moderation_note"])
        audit_record(actor=moderator, action="dashboard.theme_reject", target=locked, request=request,
                     details={"note": note})
        if locked.author is not None:
            notify(recipient=locked.author, kind="dashboard.theme_rejected",
                   subject="테마지도 반려 / Theme map returned",
                   body=f"'{locked.title_ko}': {note}", link=f"/map/themes/{locked.pk}/", channels=("inbox",))
        return locked


def theme_map_import_official(
    *, title_ko: str, title_en: str, description: str, color: str, points: list[dict[str, Any]],
) -> ThemeMap:
    """Publishes a city-made theme map in one step (the demo and bulk loads of the city's own
    maps). Idempotent by Korean title: an existing map of that title is returned unchanged."""
    existing = ThemeMap.objects.filter(title_ko=title_ko, by_official=True).first()
    if existing is not None:
        return existing
    now = clock.now()
    with transaction.atomic():
        theme = ThemeMap.objects.create(
            title_ko=title_ko, title_en=title_en, description=description, color=color, by_official=True,
            status=ThemeStatus.PUBLISHED, created_at=now, submitted_at=now, moderated_at=now,
        )
        for order, p in enumerate(points):
            place = district_for_point(p["lat"], p["lon"])
            ThemePoint.objects.create(theme=theme, title=p["title"], description=p.get("description", ""),
                                      lat=p["lat"], lon=p["lon"], district_code=place.district_code, order=order,
                                      created_at=now)
    return theme


# --- figures of the mayor's office ------------------------------------------------------------
# Widgets are computed by the task worker, never in a request: a page reads the area's last
# figures (`board`), and asks for a computation when they are missing or old.


def board(
    *, internal: bool, period_key: str = DEFAULT_PERIOD, district_code: str | None = None,
    neighborhood_code: str | None = None,
) -> list[Card]:
    """Every visible widget with the area's last stored figures. No widget is computed here.

    The figures are read from the cache, or from the area's stored row (one query, cached for
    WIDGET_TTL seconds). When they are missing, incomplete or older than WIDGET_TTL, their
    computation is queued for the task worker (once, whoever asks): meanwhile the last figures
    are shown, or, for an area never computed, cards in the "being computed" state that the
    board's polling replaces when the figures arrive. A widget that failed shows an error card."""
    selectors.period_for(period_key)
    widgets = selectors.visible_widgets(internal)
    area = AreaKey(period_key, district_code, neighborhood_code, internal, selectors.current_language())
    figures = _area_figures(area, [w.key for w in widgets])
    cards: list[Card] = []
    for widget in widgets:
        entry = figures.get(widget.key)
        data, error = (entry.get("data") or {}, entry.get("error") or "") if entry else ({}, "")
        cards.append(Card(widget.key, str(widget.title), widget.kind, widget.section, widget.internal, data, error,
                          pending=entry is None))
    return cards


def _stored(area: AreaKey) -> dict[str, Any] | None:
    row = AreaFigures.objects.filter(area=area.area).values("figures", "computed_at", "viewed_at").first()
    return dict(row) if row else None


def _area_figures(area: AreaKey, keys: list[str]) -> dict[str, Any]:
    from django.core.cache import cache
    from django_tasks import TaskResultStatus

    cache_key = f"dash:{selectors.CACHE_VERSION}:a:{area.area}"
    figures = cache.get(cache_key)
    if figures is not None:
        return dict(figures)
    row = _stored(area)
    complete = bool(row and row["computed_at"] and all(k in row["figures"] for k in keys))
    if not complete or (clock.now() - row["computed_at"]).total_seconds() >= selectors.WIDGET_TTL:  # type: ignore[index]
        result = figures_request(area)
        if not complete and result is not None and result.status == TaskResultStatus.SUCCESSFUL:
            row = _stored(area)  # a task backend that runs at once (the tests') has stored them already
    if (not row or row["viewed_at"] is None
            or (clock.now() - row["viewed_at"]).total_seconds() >= selectors.VIEWED_MARK_SECONDS):
        figures_viewed(area)  # keeps the area in the scheduler's refresh
    figures = dict(row["figures"]) if row else {}
    ready = all(k in figures for k in keys)
    cache.set(cache_key, figures, selectors.WIDGET_TTL if ready else selectors.PENDING_RECHECK)
    return figures

CLAIM_SECONDS = 300  # a queued computation not done by then (worker stopped) may be queued again
VIEWED_KEEP_SECONDS = 86400  # an area shown in the last day is kept fresh by the scheduler too
DEMAND_PRIORITY = 10  # someone is looking at the area: before the scheduled refresh
REFRESH_PRIORITY = -20  # the scheduled refresh: after every other queued task


def refresh_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_REFRESH_SECONDS", 600))


def standard_areas() -> list[Any]:
    """The areas computed after the demo load and by every scheduled refresh: the city and each
    of the 25 districts, for the default period, in every language, public and officials'.
    Other periods and dongs are computed when first shown, then kept fresh the same way."""
    from smartseoul.core import selectors as core_selectors

    languages = [code for code, _name in settings.LANGUAGES]
    codes: list[str | None] = [None, *core_selectors.districts().values_list("code", flat=True)]
    return [AreaKey(DEFAULT_PERIOD, code, None, internal, language)
            for internal in (False, True) for language in languages for code in codes]


def figures_compute(area: Any) -> AreaFigures:
    """Computes every widget of `area` in its language and stores the figures. A widget that
    raises is stored as unavailable; the others are stored as computed."""
    from django.utils import translation

    with translation.override(area.language):
        query = area.query()
        figures = {}
        for widget in selectors.visible_widgets(area.internal):
            data, error = selectors.compute_widget(widget, query)
            figures[widget.key] = {"data": data, "error": error}
    row, _created = AreaFigures.objects.update_or_create(
        area=area.area, defaults={**area.fields(), "figures": figures, "computed_at": clock.now(), "queued_at": None})
    return row


def _claim(area: Any, now: Any) -> bool:
    """Marks the area queued unless a computation is already waiting (one conditional update,
    so two processes asking at once queue it once)."""
    from django.db.models import Q

    AreaFigures.objects.get_or_create(area=area.area, defaults=area.fields())
    free = Q(queued_at=None) | Q(queued_at__lt=now - timedelta(seconds=CLAIM_SECONDS))
    return AreaFigures.objects.filter(free, area=area.area).update(queued_at=now) == 1


def figures_request(area: Any, *, priority: int = DEMAND_PRIORITY) -> Any:
    """Queues the computation of `area` unless one is already queued. Returns the task result
    (None when it was already queued); with an immediate task backend it has already run."""
    from .tasks import compute_area

    if not _claim(area, clock.now()):
        return None
    return compute_area.using(priority=priority).enqueue(**area.as_kwargs())


def figures_viewed(area: Any) -> None:
    AreaFigures.objects.filter(area=area.area).update(viewed_at=clock.now())


def figures_request_all() -> int:
    """Queues every standard area (after the demo load). Returns how many were queued."""
    return sum(figures_request(area, priority=REFRESH_PRIORITY) is not None for area in standard_areas())


def figures_refresh_due() -> int:
    """The scheduler's refresh: every standard area, and every area shown in the last day, whose
    figures are older than DASHBOARD_REFRESH_SECONDS (or missing) is queued once."""
    now = clock.now()
    due_before = now - timedelta(seconds=refresh_seconds())
    stored = {r.area: r for r in AreaFigures.objects.only("area", "computed_at", "viewed_at", "period",
                                                          "district_code", "neighborhood_code", "internal",
                                                          "language")}
    areas = {a.area: a for a in standard_areas()}
    for row in stored.values():
        if row.area not in areas and row.viewed_at and row.viewed_at >= now - timedelta(seconds=VIEWED_KEEP_SECONDS):
            areas[row.area] = AreaKey.of(row)
    queued = 0
    for key, area in areas.items():
        found = stored.get(key)
        if found is None or found.computed_at is None or found.computed_at < due_before:
            queued += figures_request(area, priority=REFRESH_PRIORITY) is not None
    return queued
