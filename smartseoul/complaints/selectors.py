"""Reads of the Smart Complaint Report: reports, queues, nearby duplicates, the Talk Map,
dashboard widgets and the open-data export. Public reads never return the reporter, contact
fields, private attributes (licence plates) or exact positions."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smartseoul.accounts import selectors as account_selectors
from smartseoul.accounts.models import Role
from smartseoul.core import clock
from smartseoul.core import selectors as core_selectors
from smartseoul.lib.cluster import grid_clusters, hexagon_heat
from smartseoul.lib.geo import EARTH_M_PER_DEG_LAT, EARTH_M_PER_DEG_LON_EQUATOR, haversine_m

from .errors import ComplaintErrorCode, ComplaintNotFound
from .index import OPEN_CODES, STATUS_CODES, STATUS_INDEX, Columns, complaint_index
from .models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    ComplaintMedia,
    EventKind,
    MediaKind,
    MediaSource,
    Status,
    StatusChange,
    complaint_number,
)
from .workdays import SEOUL

if TYPE_CHECKING:
    from smartseoul.accounts.models import User
    from smartseoul.core.models import Department
    from smartseoul.core.registry import LayerQuery, WidgetQuery

NUMBER_RE = re.compile(r"^(\d{4})-(\d{6,12})$")
PERIODS = {"1": 1, "7": 7, "30": 30, "90": 90, "365": 365}


def parse_number(number: str) -> int | None:
    match = NUMBER_RE.match(number.strip()) if number else None
    return int(match.group(2)) if match else None


# --- categories ------------------------------------------------------------------------------


def categories(*, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.prefetch_related("attributes")
    return qs.filter(active=True) if active_only else qs


def category_by_code(code: str) -> Category:
    category = categories(active_only=False).filter(code=code).first()
    if category is None:
        raise ComplaintNotFound(
            _("There is no complaint category %(c)s.") % {"c": code}, code=ComplaintErrorCode.UNKNOWN_CATEGORY
        )
    return category


_CATEGORY_CACHE: dict[str, Any] = {"at": 0.0, "by_id": {}, "sig": None}


def category_map() -> dict[int, Category]:
    """{id: Category}: kept while the table's signature (count, max id) is unchanged, and at
    most a minute (names may be edited)."""
    from django.db.models import Count, Max

    sig = tuple(Category.objects.aggregate(n=Count("id"), mx=Max("id")).values())
    if sig != _CATEGORY_CACHE["sig"] or time.monotonic() - _CATEGORY_CACHE["at"] > 60:
        _CATEGORY_CACHE["by_id"] = {c.pk: c for c in Category.objects.all()}
        _CATEGORY_CACHE["at"] = time.monotonic()
        _CATEGORY_CACHE["sig"] = sig
    return _CATEGORY_CACHE["by_id"]


def district_codes() -> dict[int, str]:
    # codes only: loading the districts whole parses every boundary (about 0.1 s per call)
    return dict(core_selectors.districts().values_list("pk", "code"))


# --- single reports --------------------------------------------------------------------------


def _base() -> QuerySet[Complaint]:
    return Complaint.objects.select_related("category", "department", "district", "neighborhood")


def report(number: str) -> Complaint:
    pk = parse_number(number)
    complaint = _base().select_related("merged_into").filter(pk=pk).first() if pk else None
    if complaint is None or complaint.number != number.strip():
        raise ComplaintNotFound(_("There is no report %(n)s.") % {"n": number})
    return complaint


def public_history(complaint: Complaint) -> list[StatusChange]:
    return list(complaint.history.exclude(kind=EventKind.ESCALATION).select_related("to_department", "from_department"))


def public_photos(complaint: Complaint) -> list[ComplaintMedia]:
    return [m for m in complaint.media.all() if m.kind == MediaKind.PHOTO and m.public_path]


def evidence(complaint: Complaint) -> list[ComplaintMedia]:
    return [m for m in complaint.media.all() if m.source != MediaSource.RESOLUTION]


def resolution_photos(complaint: Complaint) -> list[ComplaintMedia]:
    return [m for m in complaint.media.all() if m.source == MediaSource.RESOLUTION]


def public_attributes(complaint: Complaint) -> list[dict[str, Any]]:
    """Answers to the category's questions that may be published (never a licence plate)."""
    return answered_attributes(complaint, public_only=True)


def answered_attributes(complaint: Complaint, *, public_only: bool) -> list[dict[str, Any]]:
    """Answers to the category's questions, each with the question and the answer in the page
    language (officials see the private ones too, e.g. a licence plate)."""
    out = []
    for attr in complaint.category.attributes.all():
        if (public_only and not attr.public) or attr.code not in (complaint.attributes or {}):
            continue
        value = complaint.attributes[attr.code]
        labels = {v["key"]: (v.get("name_en") if _en() else v.get("name_ko")) or v["key"] for v in attr.values}
        shown = ", ".join(labels.get(v, str(v)) for v in value) if isinstance(value, list) else labels.get(value, value)
        out.append({"code": attr.code, "name": attr.description, "value": value, "label": shown})
    return out


def _en() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ko").startswith("en")


def media_item(media_id: int) -> ComplaintMedia:
    row = ComplaintMedia.objects.select_related("complaint__department").filter(pk=media_id).first()
    if row is None:
        raise ComplaintNotFound(_("No such file."), code=ComplaintErrorCode.MEDIA_NOT_FOUND)
    return row


def my_reports(user: User) -> QuerySet[Complaint]:
    return _base().filter(reporter=user)


def my_pending_media(user: User) -> QuerySet[ComplaintMedia]:
    return ComplaintMedia.objects.filter(owner=user, complaint=None)


def nearby_open(
    *, category_code: str, lat: float, lon: float, radius_m: float = 100.0, days: int = 30, limit: int = 10
) -> list[tuple[Complaint, float]]:
    """Open reports of the same category within `radius_m` filed in the last `days` days."""
    dlat = radius_m / EARTH_M_PER_DEG_LAT
    dlon = radius_m / (EARTH_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)))
    since = clock.now() - timedelta(days=days)
    rows = (
        _base()
        .filter(
            category__code=category_code,
            status__in=OPEN_STATUSES,
            lat__gte=lat - dlat,
            lat__lte=lat + dlat,
            lon__gte=lon - dlon,
            lon__lte=lon + dlon,
            created_at__gte=since,
        )
        .order_by("-created_at")[:200]
    )
    found = [(c, haversine_m(lat, lon, c.lat, c.lon)) for c in rows]
    return sorted([(c, d) for c, d in found if d <= radius_m], key=lambda t: t[1])[:limit]


# --- officials -------------------------------------------------------------------------------


def can_work_queue(user: Any) -> bool:
    """Who may open the work queue (the view's gate and the back-office tile ask this)."""
    return bool(user is not None and user.is_authenticated and user.is_official)


def transfer_groups(*, exclude_department_id: int | None = None) -> list[tuple[str, list[Department]]]:
    """Every department a report can be sent to, grouped for a choice list: the city's own
    departments first (under the city's name), then each district's, districts by name, names in
    the page language."""
    from smartseoul.core.models import Department

    city = core_selectors.city()
    city_label = city.name if city is not None else pgettext("government level", "City")
    by_group: dict[int | None, list[Department]] = {}
    labels: dict[int | None, str] = {None: city_label}
    departments = Department.objects.select_related("district")
    if exclude_department_id is not None:
        departments = departments.exclude(pk=exclude_department_id)
    for dept in departments:
        by_group.setdefault(dept.district_id, []).append(dept)
        if dept.district is not None:
            labels[dept.district_id] = dept.district.name
    order = sorted(by_group, key=lambda k: (k is not None, labels[k]))
    return [(labels[k], sorted(by_group[k], key=lambda d: d.name)) for k in order]


def visible_departments(actor: User) -> QuerySet[Department]:
    from smartseoul.core.models import Department

    if actor.is_city_admin:
        return Department.objects.all()
    if actor.role == Role.DISTRICT_ADMIN and actor.department is not None and actor.department.district_id:
        return Department.objects.filter(district_id=actor.department.district_id)
    if actor.department_id:
        return Department.objects.filter(pk=actor.department_id)
    return Department.objects.none()


def office_queue(
    *,
    actor: User,
    district: str = "",
    category: str = "",
    status: str = "",
    overdue: bool = False,
    department: str = "",
    assignee: str = "",
    query: str = "",
) -> QuerySet[Complaint]:
    """The work queue of the actor's department(s), oldest due first."""
    qs = _base().select_related("assignee").filter(department__in=visible_departments(actor))
    if department:
        qs = qs.filter(department__code=department)
    if district:
        qs = qs.filter(district__code=district)
    if category:
        qs = qs.filter(category__code=category)
    if status == "open" or not status:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=clock.now())
    if assignee == "me":
        qs = qs.filter(assignee=actor)
    elif assignee == "none":
        qs = qs.filter(assignee=None)
    if query:
        pk = parse_number(query)
        qs = qs.filter(pk=pk) if pk else qs.filter(Q(address__icontains=query) | Q(description__icontains=query))
    return qs.order_by("due_at", "id")


def department_members(department_id: int) -> QuerySet[User]:
    return account_selectors.officials_of(department_id)


def office_report(number: str) -> Complaint:
    complaint = report(number)
    return (
        Complaint.objects.select_related(
            "category", "department", "district", "neighborhood", "assignee", "merged_into", "reporter"
        )
        .prefetch_related(
            "media",
            Prefetch("internal_notes__author"),
        )
        .get(pk=complaint.pk)
    )


# --- Talk Map and statistics (from the in-memory index) ---------------------------------------


def _period_seconds(period: str | None, default_days: int = 30) -> tuple[float, float]:
    now = clock.now().timestamp()
    if period == "all":
        return float("-inf"), now + 1
    days = PERIODS.get(period or "", default_days)
    return now - days * 86400, now + 1


def _mask(
    cols: Columns,
    *,
    category_codes: Sequence[str] = (),
    status: str = "",
    since: float = float("-inf"),
    until: float = float("inf"),
    district_code: str = "",
    bbox: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    mask = (cols.created >= since) & (cols.created < until)
    if category_codes:
        ids = [c.pk for c in category_map().values() if c.code in set(category_codes)]
        mask &= np.isin(cols.category, np.array(ids or [-1], dtype=np.int64))
    if status == "open":
        mask &= np.isin(cols.status, OPEN_CODES)
    elif status == "closed":
        mask &= ~np.isin(cols.status, OPEN_CODES)
    elif status in STATUS_INDEX:
        mask &= cols.status == STATUS_INDEX[status]
    if district_code:
        ids = [pk for pk, code in district_codes().items() if code == district_code]
        mask &= np.isin(cols.district, np.array(ids or [-1], dtype=np.int64))
    if bbox is not None:
        w, s, e, n = bbox
        mask &= (cols.lon >= w) & (cols.lon <= e) & (cols.lat >= s) & (cols.lat <= n)
    return mask


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        w, s, e, n = (float(v) for v in raw.split(","))
    except ValueError as exc:
        from .errors import ComplaintInvalid

        raise ComplaintInvalid(_("bbox must be west,south,east,north."), code=ComplaintErrorCode.BAD_FILTER) from exc
    return w, s, e, n


def map_geojson(
    *,
    zoom: int = 11,
    bbox: tuple[float, float, float, float] | None = None,
    category_codes: Sequence[str] = (),
    status: str = "",
    period: str = "30",
    mode: str = "cluster",
    district_code: str = "",
) -> dict[str, Any]:
    """The Talk Map: coarsened public positions as RFC 7946 clusters, or an H3 heat map.

    Results are memoised per index snapshot (a new report or status change makes a new
    snapshot), so the city-wide view most visitors open is computed once per change."""
    cols = complaint_index.columns()
    key = (id(cols), zoom, bbox, tuple(category_codes), status, period, mode, district_code, _en())
    with _MAP_CACHE_LOCK:
        if _MAP_CACHE.get("snapshot") is not cols:
            _MAP_CACHE.clear()
            _MAP_CACHE["snapshot"] = cols
        cached = _MAP_CACHE.get(key)
    if cached is not None:
        return dict(cached)  # a shallow copy: callers may add top-level members
    result = _map_compute(
        cols,
        zoom=zoom,
        bbox=bbox,
        category_codes=category_codes,
        status=status,
        period=period,
        mode=mode,
        district_code=district_code,
    )
    with _MAP_CACHE_LOCK:
        if _MAP_CACHE.get("snapshot") is cols and len(_MAP_CACHE) < 256:
            _MAP_CACHE[key] = result
    return result


_MAP_CACHE: dict[Any, Any] = {}
_MAP_CACHE_LOCK = threading.Lock()


def _map_compute(
    cols: Columns,
    *,
    zoom: int,
    bbox: tuple[float, float, float, float] | None,
    category_codes: Sequence[str],
    status: str,
    period: str,
    mode: str,
    district_code: str,
) -> dict[str, Any]:
    since, until = _period_seconds(period)
    mask = _mask(
        cols,
        category_codes=category_codes,
        status=status,
        since=since,
        until=until,
        district_code=district_code,
        bbox=bbox,
    )
    idx = np.nonzero(mask)[0]
    lons, lats = cols.lon[idx], cols.lat[idx]
    if mode == "heat":
        return _heat(lons, lats, zoom)
    fc = grid_clusters(lons, lats, zoom=zoom, ids=cast(Any, idx))
    cats = category_map()
    for feature in fc["features"]:
        if "id" not in feature:
            continue
        i = int(feature.pop("id"))
        category = cats.get(int(cols.category[i]))
        year = datetime.fromtimestamp(float(cols.created[i]), SEOUL).year
        number = complaint_number(year, int(cols.ids[i]))
        feature["id"] = number
        feature["properties"].update(
            {
                "number": number,
                "service_code": category.code if category else "",
                "category": category.name if category else "",
                "icon": category.icon if category else "",
                "status": STATUS_CODES[int(cols.status[i])],
                "status_label": str(Status(STATUS_CODES[int(cols.status[i])]).label),
                "url": f"/complaints/r/{number}/",
            }
        )
    return fc


def _heat(lons: np.ndarray, lats: np.ndarray, zoom: int) -> dict[str, Any]:
    """Bins points to ~100 m first, so the hexagon pass handles thousands of cells, not every report."""
    resolution = 7 if zoom <= 11 else 8 if zoom <= 13 else 9
    if lons.size == 0:
        return {"type": "FeatureCollection", "features": []}
    step = 0.001
    keys = np.round(lons / step).astype(np.int64) * 1_000_000 + np.round(lats / step).astype(np.int64)
    _uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    mean_lon = np.bincount(inverse, weights=lons) / counts
    mean_lat = np.bincount(inverse, weights=lats) / counts
    return hexagon_heat(mean_lon, mean_lat, resolution=resolution, weights=counts.astype(float))


def district_summary(*, period: str = "30") -> list[dict[str, Any]]:
    """Per district: reports in the period, open now, and average hours to resolve."""
    cols = complaint_index.columns()
    since, until = _period_seconds(period)
    in_period = (cols.created >= since) & (cols.created < until)
    is_open = np.isin(cols.status, OPEN_CODES)
    resolved = (cols.status == STATUS_INDEX["resolved"]) & in_period & ~np.isnan(cols.closed)
    names = core_selectors.district_names()
    en = _en()
    out = []
    for pk, code in sorted(district_codes().items(), key=lambda kv: kv[1]):
        d = cols.district == pk
        durations = (cols.closed - cols.created)[d & resolved]
        out.append(
            {
                "code": code,
                "name": (names.get(code, {}).get("en") if en else None) or names.get(code, {}).get("ko", code),
                "count": int(np.count_nonzero(d & in_period)),
                "open": int(np.count_nonzero(d & is_open)),
                "avg_hours": round(float(durations.mean()) / 3600, 1) if durations.size else None,
            }
        )
    return out


# --- dashboard widgets -----------------------------------------------------------------------


def _widget_mask(cols: Columns, q: WidgetQuery) -> np.ndarray:
    mask = np.ones(len(cols), dtype=bool)
    if q.district_code:
        mask &= _mask(cols, district_code=q.district_code)
    elif q.neighborhood_code:
        code = q.neighborhood_code[:5]
        mask &= _mask(cols, district_code=code)
    return mask


def _by_district(cols: Columns, mask: np.ndarray) -> dict[str, int]:
    codes = district_codes()
    counts: dict[str, int] = dict.fromkeys(sorted(codes.values()), 0)
    ids, n = np.unique(cols.district[mask], return_counts=True)
    for pk, count in zip(ids.tolist(), n.tolist(), strict=True):
        if pk in codes:
            counts[codes[pk]] = int(count)
    return counts


def widget_today(q: WidgetQuery) -> dict[str, Any]:
    cols = complaint_index.columns()
    base = _widget_mask(cols, q)
    local = clock.today_local()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    today = base & (cols.created >= midnight)
    start = max(q.period.start.timestamp(), midnight - 29 * 86400)
    series = []
    day = datetime.fromtimestamp(start, SEOUL).replace(hour=0, minute=0, second=0, microsecond=0)
    while day.timestamp() <= midnight:
        a, b = day.timestamp(), (day + timedelta(days=1)).timestamp()
        series.append(
            {"t": day.date().isoformat(), "v": int(np.count_nonzero(base & (cols.created >= a) & (cols.created < b)))}
        )
        day += timedelta(days=1)
    return {
        "value": int(np.count_nonzero(today)),
        "unit": "",
        "series": series,
        "by_district": _by_district(cols, today),
    }


def widget_open(q: WidgetQuery) -> dict[str, Any]:
    cols = complaint_index.columns()
    mask = _widget_mask(cols, q) & cols.is_open
    return {"value": int(np.count_nonzero(mask)), "unit": "", "by_district": _by_district(cols, mask)}


def _overdue(cols: Columns) -> np.ndarray:
    return cols.is_open & (cols.due < clock.now().timestamp())


def widget_overdue(q: WidgetQuery) -> dict[str, Any]:
    cols = complaint_index.columns()
    mask = _widget_mask(cols, q) & _overdue(cols)
    return {"value": int(np.count_nonzero(mask)), "unit": "", "by_district": _by_district(cols, mask)}


def widget_top_categories(q: WidgetQuery) -> dict[str, Any]:
    cols = complaint_index.columns()
    mask = (
        _widget_mask(cols, q) & (cols.created >= q.period.start.timestamp()) & (cols.created < q.period.end.timestamp())
    )
    ids, n = np.unique(cols.category[mask], return_counts=True)
    cats = category_map()
    order = np.argsort(-n, kind="stable")[:8]
    items = [
        {
            "title": cats[int(ids[k])].name if int(ids[k]) in cats else "?",
            "value": int(n[k]),
            "code": cats[int(ids[k])].code if int(ids[k]) in cats else "",
            "url": f"/complaints/map/?category={cats[int(ids[k])].code}" if int(ids[k]) in cats else "",
        }
        for k in order.tolist()
    ]
    return {"items": items, "value": int(np.count_nonzero(mask)), "unit": ""}


def widget_resolve_time(q: WidgetQuery) -> dict[str, Any]:
    cols = complaint_index.columns()
    closed = ~np.isnan(cols.closed)
    mask = (
        _widget_mask(cols, q)
        & closed
        & (cols.status == STATUS_INDEX["resolved"])
        & (cols.closed >= q.period.start.timestamp())
        & (cols.closed < q.period.end.timestamp())
    )
    hours = (cols.closed[mask] - cols.created[mask]) / 3600
    by_district: dict[str, float] = {}
    codes = district_codes()
    for pk, code in codes.items():
        sel = cols.district[mask] == pk
        if np.any(sel):
            by_district[code] = round(float(hours[sel].mean()), 1)
    return {
        "value": round(float(hours.mean()), 1) if hours.size else None,
        "unit": "h",
        "by_district": by_district,
        "count": int(hours.size),
    }


def widget_overdue_by_department(q: WidgetQuery) -> dict[str, Any]:
    if not q.internal:
        return {"items": []}
    cols = complaint_index.columns()
    mask = _widget_mask(cols, q) & _overdue(cols)
    ids, n = np.unique(cols.department[mask], return_counts=True)
    from smartseoul.core.models import Department

    names = {d.pk: (d.name, d.code) for d in Department.objects.filter(pk__in=ids.tolist())}
    order = np.argsort(-n, kind="stable")[:20]
    return {
        "value": int(np.count_nonzero(mask)),
        "items": [
            {
                "title": names.get(int(ids[k]), ("?", ""))[0],
                "code": names.get(int(ids[k]), ("?", ""))[1],
                "value": int(n[k]),
                "url": f"/complaints/office/?overdue=1&department={names.get(int(ids[k]), ('', ''))[1]}",
            }
            for k in order.tolist()
        ],
    }


def widget_workload(q: WidgetQuery) -> dict[str, Any]:
    if not q.internal:
        return {"items": []}
    cols = complaint_index.columns()
    mask = _widget_mask(cols, q) & cols.is_open & (cols.assignee > 0)
    ids, n = np.unique(cols.assignee[mask], return_counts=True)
    from smartseoul.accounts.models import User

    names = dict(User.objects.filter(pk__in=ids.tolist()).values_list("pk", "username"))
    order = np.argsort(-n, kind="stable")[:20]
    unassigned = int(np.count_nonzero(_widget_mask(cols, q) & cols.is_open & (cols.assignee == 0)))
    return {
        "value": unassigned,
        "unit": _("unassigned"),  # open reports with nobody assigned yet
        "items": [{"title": names.get(int(ids[k]), "?"), "value": int(n[k])} for k in order.tolist()],
    }


def layer_features(q: LayerQuery, *, mode: str) -> dict[str, Any]:
    filters: Mapping[str, str] = q.filters or {}
    cats = [c for c in (filters.get("category") or "").split(",") if c]
    return map_geojson(
        zoom=q.zoom if q.zoom is not None else 11,
        bbox=q.bbox,
        category_codes=cats,
        status=filters.get("status", ""),
        period=filters.get("period", "30"),
        mode=mode,
        district_code=filters.get("district", ""),
    )


# --- open data -------------------------------------------------------------------------------


def export_rows() -> Iterator[dict[str, Any]]:
    """The anonymised daily dataset: no reporter, no text, positions on a ~50 m grid."""
    cats = {c.pk: c for c in Category.objects.all()}
    districts = district_codes()
    from smartseoul.core.models import Neighborhood

    dongs = dict(Neighborhood.objects.values_list("pk", "code"))
    rows = Complaint.objects.order_by("id").values_list(
        "id",
        "created_at",
        "category_id",
        "district_id",
        "neighborhood_id",
        "status",
        "closed_at",
        "public_lat",
        "public_lon",
        "fine_without_visit",
        "metoo_count",
    )
    for pk, created, cat, district, dong, status, closed, lat, lon, _fine, metoo in rows.iterator(chunk_size=5000):
        category = cats.get(cat)
        local = created.astimezone(SEOUL)
        yield {
            "service_request_id": complaint_number(local.year, pk),
            "service_code": category.code if category else "",
            "category_ko": category.name_ko if category else "",
            "category_en": category.name_en if category else "",
            "district_code": districts.get(district, ""),
            "dong_code": dongs.get(dong, "") if dong else "",
            "status": status,
            "open311_status": "open" if status in OPEN_STATUSES else "closed",
            "created_date": local.date().isoformat(),
            "resolved_date": closed.astimezone(SEOUL).date().isoformat() if closed and status == "resolved" else None,
            "lat": lat,
            "lon": lon,
            "metoo_count": metoo,
        }


# --- Open311 ---------------------------------------------------------------------------------


def open311_requests(
    *,
    ids: Sequence[int] = (),
    codes: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: Sequence[str] = (),
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
    page: int | None = None,
    page_size: int = 50,
    default_days: int = 90,
    default_limit: int = 1000,
) -> list[Complaint]:
    qs = _base().prefetch_related("media", "category__attributes").order_by("-created_at", "-id")
    if ids:
        return list(qs.filter(pk__in=list(ids)))
    if codes:
        qs = qs.filter(category__code__in=list(codes))
    if statuses:
        wanted: list[str] = []
        if "open" in statuses:
            wanted += list(OPEN_STATUSES)
        if "closed" in statuses:
            wanted += ["resolved", "rejected", "merged"]
        qs = qs.filter(status__in=wanted)
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lte=end)
    if updated_after:
        qs = qs.filter(updated_at__gte=updated_after)
    if updated_before:
        qs = qs.filter(updated_at__lte=updated_before)
    if page is not None:
        offset = (page - 1) * page_size
        return list(qs[offset : offset + page_size])
    if not start and not end:
        qs = qs.filter(created_at__gte=clock.now() - timedelta(days=default_days))
    return list(qs[:default_limit])


def open311_token(token: str) -> Complaint | None:
    return Complaint.objects.select_related("category").filter(token=token).first()


def open311_updates(*, start: datetime | None, end: datetime | None, limit: int = 1000) -> list[StatusChange]:
    qs = StatusChange.objects.select_related("complaint", "complaint__category").exclude(kind=EventKind.ESCALATION)
    if start:
        qs = qs.filter(at__gte=start)
    if end:
        qs = qs.filter(at__lte=end)
    if not start and not end:
        qs = qs.filter(at__gte=clock.now() - timedelta(days=1))
    return list(qs.order_by("at", "id")[:limit])


def history_for(ids: Sequence[int]) -> dict[int, list[StatusChange]]:
    out: dict[int, list[StatusChange]] = {}
    for row in (
        StatusChange.objects.filter(complaint_id__in=list(ids))
        .exclude(kind=EventKind.ESCALATION)
        .select_related("to_department")
        .order_by("at", "id")
    ):
        out.setdefault(row.complaint_id, []).append(row)
    return out


# --- site-wide search ------------------------------------------------------------------------


def site_search_hits(query: str, user: Any, limit: int) -> list[Any]:
    """What the site-wide search finds here: a report by its receipt number (its public page),
    and the kinds of problem whose name or keywords match (the report form with that kind
    chosen). Public pages only: no reporter, no text a citizen wrote."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from smartseoul.core.registry import SearchHit

    q = query.strip()
    hits: list[Any] = []
    if re.fullmatch(r"\d{4}-\d{1,9}", q):
        try:
            found = report(q if len(q.split("-")[1]) >= 6 else f"{q.split('-')[0]}-{int(q.split('-')[1]):06d}")
        except ComplaintNotFound:
            found = None
        if found is not None:
            hits.append(SearchHit(
                title=_("Report %(n)s · %(category)s") % {"n": found.number, "category": found.category.name},
                url=reverse("complaints:report", args=[found.number]),
                summary=f"{found.district.name} · {found.get_status_display()}",
            ))
    needle = q.casefold()
    if needle:
        for c in categories():
            words = [c.name_ko, c.name_en, *c.keywords.split(",")]
            if any(needle in w.strip().casefold() for w in words if w.strip()):
                days = c.response_days
                when = ngettext("handled within %(n)s working day", "handled within %(n)s working days", days) % {
                    "n": days} if days else _("handled the same working day")
                hits.append(SearchHit(
                    title=_("Report a problem: %(category)s") % {"category": c.name},
                    url=f"{reverse('complaints:new')}?category={c.code}",
                    summary=f"{c.description} ({when})" if c.description else when,
                ))
    return hits[:limit]
