"""Senior care: home devices, caseworker assignments, and the alert rules (no movement during
the day; dangerous indoor temperature). Only assigned caseworkers see a senior's data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from smartseoul.accounts.models import Capability
from smartseoul.core import clock
from smartseoul.core.models import Channel
from smartseoul.core.selectors import neighborhoods
from smartseoul.core.services import audit_record, notify

from .. import sdot, selectors
from ..errors import AlreadyClosed, BadEntity, EntityNotFound, NotAssigned
from ..models import CareAlert, CareAlertKind, CaseworkerAssignment, Datastream, Location, Senior, Thing, ThingKind
from ..timeutil import local_zone
from .boxes import datastreams_ensure

HOME_QUANTITIES = ("motion", "indoor_temperature", "indoor_humidity", "indoor_light")


def _require_staff(actor: Any) -> None:
    if actor is None or not (actor.is_official or actor.has_capability(Capability.CASEWORKER)):
        raise NotAssigned("Only welfare officials manage senior care.")


@transaction.atomic
def senior_register(
    *, label: str, district_code: str, dong_code: str = "", actor: Any, no_motion_minutes: int | None = None
) -> Senior:
    _require_staff(actor)
    if not label.strip():
        raise BadEntity("a case label is required")
    senior = Senior.objects.create(
        label=label.strip()[:40],
        district_code=district_code,
        dong_code=dong_code,
        no_motion_minutes=no_motion_minutes,
        created_at=clock.now(),
    )
    audit_record(actor=actor, action="sensors.senior_register", target=senior)
    return senior


@transaction.atomic
def caseworker_assign(*, senior: Senior, caseworker: Any, actor: Any) -> CaseworkerAssignment:
    _require_staff(actor)
    if not caseworker.has_capability(Capability.CASEWORKER):
        raise BadEntity("that account is not a senior-care caseworker")
    assignment, _created = CaseworkerAssignment.objects.get_or_create(
        senior=senior, caseworker=caseworker, defaults={"assigned_at": clock.now()}
    )
    audit_record(actor=actor, action="sensors.caseworker_assign", target=senior, details={"caseworker": caseworker.pk})
    return assignment


@transaction.atomic
def home_device_add(
    *, senior: Senior, name: str, actor: Any, gateway: Any = None, quantities: tuple[str, ...] = HOME_QUANTITIES
) -> Thing:
    """A home device (Thing of kind home_device). Its Location is the centre of the senior's dong,
    never the home itself."""
    _require_staff(actor)
    unknown = [q for q in quantities if q not in sdot.BY_CODE]
    if unknown:
        raise BadEntity(f"unknown quantities {unknown}")
    thing = Thing.objects.create(
        name=name[:200],
        description="Senior-care home sensor",
        kind=ThingKind.HOME_DEVICE,
        senior=senior,
        district_code=senior.district_code,
        dong_code=senior.dong_code,
        owner=gateway,
        created_at=clock.now(),
        properties={"senior": senior.label},
    )
    dong = neighborhoods(senior.district_code).filter(code=senior.dong_code).first() if senior.dong_code else None
    from smartseoul.core.selectors import district_by_code

    district = district_by_code(senior.district_code)
    lat = dong.centroid_lat if dong and dong.centroid_lat else district.centroid_lat
    lon = dong.centroid_lon if dong and dong.centroid_lon else district.centroid_lon
    loc = Location.objects.create(
        name=f"{senior.label} area",
        description="centre of the dong (coarsened)",
        encoding_type="application/geo+json",
        location={"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
        lat=lat,
        lon=lon,
    )
    thing.locations.add(loc)
    datastreams_ensure(pairs={(thing.pk, q) for q in quantities})
    audit_record(actor=actor, action="sensors.home_device_add", target=thing)
    return thing


def _settings(senior: Senior) -> dict[str, Any]:
    table = dict(selectors.threshold("senior_care").table)
    if senior.no_motion_minutes:
        table["no_motion_minutes"] = senior.no_motion_minutes
    return table


def _last_motion(datastream_ids: list[int], since: datetime) -> dict[int, datetime]:
    """The last time each motion datastream saw movement (result > 0), looking back to `since`."""
    return selectors.last_motion(datastream_ids, since)


def _open_alert(senior: Senior, kind: str, detail: str, facts: dict[str, Any]) -> CareAlert | None:
    try:
        with transaction.atomic():
            alert = CareAlert.objects.create(
                senior=senior, kind=kind, opened_at=clock.now(), detail=detail[:300], facts=facts
            )
    except IntegrityError:
        return None  # one is already open
    subject = _("Senior care: %(label)s") % {"label": senior.label}
    for a in senior.assignments.select_related("caseworker"):
        notify(
            recipient=a.caseworker,
            kind=f"sensors.care.{kind}",
            subject=subject,
            body=detail,
            link=f"/sensors/care/{senior.pk}",
            channels=(Channel.INBOX, Channel.SMS),
        )
    return alert


def care_check(*, at: datetime | None = None) -> list[CareAlert]:
    """Runs the rules for every active senior; returns the alerts opened now (at most one per
    senior and kind while it is open, and none again for the same stretch without movement)."""
    now = at or clock.now()
    local = now.astimezone(local_zone())
    opened: list[CareAlert] = []
    for senior in Senior.objects.filter(active=True).prefetch_related("devices"):
        rules = _settings(senior)
        streams = list(
            Datastream.objects.filter(thing__senior=senior).values(
                "pk", "quantity", "latest_result", "latest_phenomenon_time"
            )
        )
        motion_ids = [s["pk"] for s in streams if s["quantity"] == "motion"]
        day_start = datetime.combine(local.date(), time.fromisoformat(rules["day_start"]), tzinfo=local_zone())
        day_end = datetime.combine(local.date(), time.fromisoformat(rules["day_end"]), tzinfo=local_zone())
        if motion_ids and day_start <= local <= day_end:
            seen = _last_motion(motion_ids, day_start - timedelta(days=1))
            last = max(seen.values(), default=None)
            quiet_since = max(last, day_start) if last else day_start
            minutes = int(rules["no_motion_minutes"])
            if now - quiet_since >= timedelta(minutes=minutes):
                # the same stretch without movement is reported once, even after the alert is closed
                already = CareAlert.objects.filter(
                    senior=senior, kind=CareAlertKind.NO_MOTION, opened_at__gte=quiet_since
                ).exists()
                if not already:
                    hours = round((now - quiet_since).total_seconds() / 3600, 1)
                    detail = _("No movement detected at home since %(time)s (%(hours)s hours).") % {
                        "time": quiet_since.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M"),
                        "hours": f"{hours:.1f}",
                    }
                    facts = {"since": quiet_since.isoformat(), "hours": hours}
                    alert = _open_alert(senior, CareAlertKind.NO_MOTION, detail, facts)
                    if alert:
                        opened.append(alert)
        for s in streams:
            if s["quantity"] != "indoor_temperature" or s["latest_result"] is None:
                continue
            value = s["latest_result"]
            kind = (
                CareAlertKind.COLD
                if value < rules["cold_below"]
                else (CareAlertKind.HOT if value > rules["hot_above"] else None)
            )
            if kind:
                detail = _("Indoor temperature is %(value).1f °C.") % {"value": value}
                alert = _open_alert(senior, kind, detail, {"value": value})
                if alert:
                    opened.append(alert)
    return opened


def care_alerts(*, user: Any) -> QuerySet[CareAlert]:
    """The open alerts of the caller's seniors. Caseworkers only, acting as such (second factor
    passed): an assignment alone does not open care data to a password-only session."""
    if not selectors.is_caseworker(user):
        raise NotAssigned("Care alerts are for caseworkers.")
    return selectors.care_alerts_for(user)


def _alert_for(user: Any, alert_id: int) -> CareAlert:
    alert = CareAlert.objects.select_related("senior").filter(pk=alert_id).first()
    if alert is None:
        raise EntityNotFound("No such alert.")
    if not (selectors.is_caseworker(user) and selectors.is_assigned(user, alert.senior)):
        raise NotAssigned("Only the senior's assigned caseworkers may handle this alert.")
    return alert


@transaction.atomic
def care_alert_acknowledge(*, user: Any, alert_id: int) -> CareAlert:
    alert = _alert_for(user, alert_id)
    if alert.closed_at:
        raise AlreadyClosed("This alert is already closed.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = clock.now(), user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(actor=user, action="sensors.care_acknowledge", target=alert)
    return alert


@transaction.atomic
def care_alert_close(*, user: Any, alert_id: int, note: str) -> CareAlert:
    alert = _alert_for(user, alert_id)
    if alert.closed_at:
        raise AlreadyClosed("This alert is already closed.")
    if not note.strip():
        raise BadEntity("Write what was done before closing the alert.")
    now = clock.now()
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.acknowledged_by = alert.acknowledged_by or user
    alert.closed_at, alert.closed_by, alert.note = now, user, note.strip()[:2000]
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "closed_at", "closed_by", "note"])
    audit_record(actor=user, action="sensors.care_close", target=alert)
    return alert
