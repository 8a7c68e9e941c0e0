"""Reads of the core module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .errors import CoreErrorCode, NotFound
from .models import AuditEvent, City, Department, District, Neighborhood, Notification

if TYPE_CHECKING:
    from smartseoul.accounts.models import User


def city() -> City | None:
    return City.objects.first()


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


def districts_geojson() -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.code,
                "geometry": d.boundary,
                "properties": {"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en, "source": d.boundary_source},
            }
            for d in District.objects.order_by("code")
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


def audit_events(*, action: str | None = None, actor_id: int | None = None) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs
