"""Reads of the core module."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from smartseoul.lib import spreadsheet
from smartseoul.lib.geo import simplified_coverage

from .errors import CoreErrorCode, InvalidInput, NotFound, PermissionDenied
from .models import AuditEvent, City, Department, District, Neighborhood, Notification

if TYPE_CHECKING:
    from smartseoul.accounts.models import User


def city() -> City | None:
    return City.objects.first()


def city_for_layout() -> City | None:
    """The city every page's layout names (masthead, footer), read from the cache: a page should not
    pay a query for it. A changed name or helpline shows within five minutes. None while the
    database cannot answer: an error page must still render."""
    from django.db import DatabaseError

    try:
        return cache.get_or_set("core:layout-city", city, 300)
    except DatabaseError:
        return None


def districts() -> QuerySet[District]:
    return District.objects.order_by("code")


def district_by_code(code: str) -> District:
    try:
        return District.objects.get(code=code)
    except District.DoesNotExist as exc:
        raise NotFound(f"No district with code {code}.", code=CoreErrorCode.UNKNOWN_DISTRICT) from exc


def neighborhoods(district_code: str | None = None) -> QuerySet[Neighborhood]:
    qs = Neighborhood.objects.select_related("district").order_by("code")
    return qs.filter(district__code=district_code) if district_code else qs


def district_names() -> dict[str, dict[str, str]]:
    """{code: {"ko": …, "en": …}} for labels in charts and exports."""
    return {code: {"ko": ko, "en": en} for code, ko, en in District.objects.values_list("code", "name_ko", "name_en")}


MAP_TOLERANCE_DEGREES = 0.001  # areas within 0.3 %: invisible at a city's zooms, a tenth of the bytes


def districts_geojson(*, for_map: bool = False) -> dict[str, Any]:
    """The districts' boundaries as published (`for_map=False`), or simplified together for drawing
    under a map's layers (shared edges kept; about 100 KB, 19 KB compressed, instead of 950 KB).
    Kept an hour in the cache, forgotten when boundaries are imported (`districts_geojson_forget`)."""
    found = cache.get_or_set(f"core:districts-geojson:{int(for_map)}", lambda: _districts_geojson(for_map), 3600)
    return cast("dict[str, Any]", found)


def districts_geojson_forget() -> None:
    cache.delete_many(["core:districts-geojson:0", "core:districts-geojson:1"])


def _districts_geojson(for_map: bool) -> dict[str, Any]:
    districts = list(District.objects.order_by("code"))
    geometries = [d.boundary for d in districts]
    if for_map and geometries:
        geometries = simplified_coverage(geometries, MAP_TOLERANCE_DEGREES)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.code,
                "geometry": geometry,
                "properties": {"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en, "source": d.boundary_source},
            }
            for d, geometry in zip(districts, geometries, strict=True)
        ],
    }


def neighborhoods_geojson(district_code: str) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": n.code,
                "geometry": n.boundary,
                "properties": {
                    "code": n.code,
                    "name_ko": n.name_ko,
                    "name_en": n.name_en,
                    "district_code": district_code,
                },
            }
            for n in Neighborhood.objects.filter(district__code=district_code).exclude(boundary=None).order_by("code")
        ],
    }


def departments_for(category: str, district_code: str | None) -> QuerySet[Department]:
    """Departments owning a work category: the district's own first, then city-wide ones."""
    qs = Department.objects.filter(work_categories__contains=[category]) if _json_contains_supported() else None
    if qs is None:
        ids = [d.pk for d in Department.objects.all() if category in (d.work_categories or [])]
        qs = Department.objects.filter(pk__in=ids)
    local = qs.filter(district__code=district_code) if district_code else qs.none()
    return local if local.exists() else qs.filter(district=None)


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def department_by_code(code: str) -> Department:
    try:
        return Department.objects.select_related("district").get(code=code)
    except Department.DoesNotExist as exc:
        raise NotFound(f"No department {code}.") from exc


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel="inbox")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, channel="inbox", read_at=None).count()


def outbox(user: User | None = None, channel: str | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.select_related("recipient")
    if user is not None:
        qs = qs.filter(recipient=user)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


DEV_OUTBOX_LIMIT = 50


def dev_outbox(viewer: User) -> QuerySet[Notification]:
    """The text messages and e-mails the development gateway holds for `viewer`, newest first
    (what the development outbox page shows; nothing leaves the machine in development)."""
    if not viewer.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=viewer, channel__in=("sms", "email")).order_by("-created_at", "-id")[
        :DEV_OUTBOX_LIMIT
    ]


def can_read_audit(user: User) -> bool:
    """Auditors read the audit log; so do city administrators (who answer for it) and superusers."""
    from smartseoul.accounts.models import Role

    return bool(user.is_authenticated and (user.is_city_admin or (user.acts_as_staff and user.role == Role.AUDITOR)))


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor narrows the log to. Dates are inclusive, in the city's time zone."""

    action: str = ""
    actor: str = ""  # username at the time of the event (actor_label), exact
    target_type: str = ""
    target_id: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> AuditFilter:
        """From query parameters; a malformed date is refused with a clear error."""
        dates: dict[str, date | None] = {}
        for key in ("since", "until"):
            raw = (params.get(key) or "").strip()
            try:
                dates[key] = date.fromisoformat(raw) if raw else None
            except ValueError as exc:
                raise InvalidInput(
                    f"{key} must be a date like 2026-12-01, not {raw[:20]!r}.", code=CoreErrorCode.BAD_FILTER, field=key
                ) from exc
        if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
            raise InvalidInput("since is after until.", code=CoreErrorCode.BAD_FILTER, field="since")
        return cls(
            action=(params.get("action") or "").strip()[:80],
            actor=(params.get("actor") or "").strip()[:150],
            target_type=(params.get("target_type") or "").strip()[:60],
            target_id=(params.get("target_id") or "").strip()[:64],
            **dates,
        )

    def as_query(self) -> dict[str, str]:
        """The non-empty filters as query parameters (for paging and export links)."""
        values = {
            "action": self.action,
            "actor": self.actor,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in values.items() if v}


def audit_events(*, reader: User, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for someone allowed to read it (read-only: nothing here writes)."""
    if not can_read_audit(reader):
        raise PermissionDenied("The audit log is for auditors.", code=CoreErrorCode.NOT_AN_AUDITOR)
    f = filters or AuditFilter()
    qs = AuditEvent.objects.order_by("-at", "-id")
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor:
        qs = qs.filter(actor_label=f.actor)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type)
    if f.target_id:
        qs = qs.filter(target_id=f.target_id)
    tz = timezone.get_current_timezone()
    if f.since:
        qs = qs.filter(at__gte=datetime.combine(f.since, time.min, tzinfo=tz))
    if f.until:
        qs = qs.filter(at__lt=datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=tz))
    return qs


def audit_actions() -> list[str]:
    """Every action key that occurs in the log, for the filter's choices."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


AUDIT_EXPORT_COLUMNS = ("at", "actor", "action", "target_type", "target_id", "ip", "details")


def _cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula (a username may start with "=")."""
    return str(spreadsheet.cell(value))


def audit_export_rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    """CSV rows (header first) of the given events, read from the database in chunks."""
    yield list(AUDIT_EXPORT_COLUMNS)
    for e in events.iterator(chunk_size=2000):
        yield [
            _cell(v)
            for v in (
                timezone.localtime(e.at).isoformat(),
                e.actor_label,
                e.action,
                e.target_type,
                e.target_id,
                e.ip or "",
                json.dumps(e.details, ensure_ascii=False, sort_keys=True),
            )
        ]


def site_search(query: str, user: Any, limit: int = 5) -> dict[str, Any]:
    """The site-wide search: services (tiles) whose name or description holds the words, then each
    module's own search (registry `search`), limited to what this person may see."""
    from . import registry

    words = query.casefold().split()
    services = [
        t for t in registry.tiles()
        if t.allows(user) and (t.group != "office" or getattr(user, "acts_as_staff", False))
        and all(w in f"{t.title} {t.description}".casefold() for w in words)
    ]
    sections = []
    for manifest in registry.manifests():
        if manifest.search is None:
            continue
        hits = list(manifest.search(query, user, limit))
        if hits:
            sections.append({"module": manifest.name, "title": manifest.title, "hits": hits})
    return {"services": services, "sections": sections}
