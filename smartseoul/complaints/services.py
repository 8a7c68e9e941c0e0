"""Writes of the Smart Complaint Report. Every page, the native API and the Open311 adapter go
through these functions: one transaction each, domain errors for every refusal, nothing stored
when a refusal is raised."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from smartseoul.accounts import selectors as account_selectors
from smartseoul.accounts.models import Role, Verification
from smartseoul.accounts.rules import require_verified
from smartseoul.core import clock, geography, ratelimit
from smartseoul.core import selectors as core_selectors
from smartseoul.core.errors import InvalidInput
from smartseoul.core.services import audit_record, notify
from smartseoul.lib.crypto import FieldCipher
from smartseoul.lib.geo import round_to_grid

from . import media as media_lib
from .errors import (
    ComplaintConflict,
    ComplaintErrorCode,
    ComplaintForbidden,
    ComplaintInvalid,
    ComplaintNotFound,
)
from .index import complaint_index
from .models import (
    OPEN_STATUSES,
    Category,
    CategoryAttribute,
    Channel,
    Complaint,
    ComplaintMedia,
    Datatype,
    EventKind,
    InternalNote,
    MediaKind,
    MediaSource,
    MeToo,
    RoutingRule,
    Status,
    StatusChange,
)
from .workdays import SEOUL, add_working_days

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

    from smartseoul.accounts.models import User
    from smartseoul.core.models import Department

log = logging.getLogger("smartseoul.complaints")

MAX_PHOTOS = 3
MAX_VIDEOS = 1
MAX_DESCRIPTION = 4000
FINE_EVIDENCE_SECONDS = 60
REOPEN_DAYS = 14
DUPLICATE_RADIUS_M = 100
DUPLICATE_DAYS = 30
PUBLIC_GRID_M = 50.0
CAPTURE_EXIF_TOLERANCE = timedelta(minutes=10)
T = TypeVar("T")


def _limit(name: str, default: int) -> int:
    """Limits are settings (COMPLAINTS_<NAME>) or environment (SMARTSEOUL_COMPLAINTS_<NAME>)."""
    import os

    value = getattr(settings, f"COMPLAINTS_{name}", None) or os.environ.get(f"SMARTSEOUL_COMPLAINTS_{name}")
    return int(value) if value else default


def photo_max_bytes() -> int:
    return _limit("PHOTO_MAX_BYTES", 10 * 1024 * 1024)


def video_max_bytes() -> int:
    return _limit("VIDEO_MAX_BYTES", 50 * 1024 * 1024)


def video_max_seconds() -> int:
    return _limit("VIDEO_MAX_SECONDS", 180)


# --- categories and routing ------------------------------------------------------------------


@transaction.atomic
def category_upsert(
    *,
    code: str,
    name_ko: str,
    name_en: str,
    group: str,
    work_category: str,
    response_days: int,
    description_ko: str = "",
    description_en: str = "",
    keywords: str = "",
    parking_evidence: bool = False,
    icon: str = "",
    order: int = 100,
    attributes: Sequence[Mapping[str, Any]] = (),
) -> Category:
    """Creates or updates a category and replaces its attributes (Open311 service definition)."""
    if response_days < 0 or response_days > 60:
        raise ComplaintInvalid("The response target must be 0–60 working days.", code=ComplaintErrorCode.BAD_ATTRIBUTE)
    category, _created = Category.objects.update_or_create(
        code=code,
        defaults={
            "name_ko": name_ko,
            "name_en": name_en,
            "group": group,
            "work_category": work_category,
            "response_days": response_days,
            "description_ko": description_ko,
            "description_en": description_en,
            "keywords": keywords,
            "parking_evidence": parking_evidence,
            "icon": icon,
            "order": order,
        },
    )
    keep: list[str] = []
    for i, attr in enumerate(attributes, start=1):
        if attr["datatype"] not in Datatype.values:
            raise ComplaintInvalid(f"Unknown datatype {attr['datatype']!r}.", code=ComplaintErrorCode.BAD_ATTRIBUTE)
        CategoryAttribute.objects.update_or_create(
            category=category,
            code=attr["code"],
            defaults={
                "datatype": attr["datatype"],
                "required": attr.get("required", False),
                "variable": attr.get("variable", True),
                "order": attr.get("order", i),
                "description_ko": attr["description_ko"],
                "description_en": attr["description_en"],
                "values": list(attr.get("values", [])),
                "public": attr.get("public", True),
            },
        )
        keep.append(attr["code"])
    CategoryAttribute.objects.filter(category=category).exclude(code__in=keep).delete()
    _config_changed()
    return category


@transaction.atomic
def routing_rule_set(*, category_code: str, district_code: str | None, department_code: str) -> RoutingRule:
    category = _category(category_code)
    department = core_selectors.department_by_code(department_code)
    district = core_selectors.district_by_code(district_code) if district_code else None
    rule, _created = RoutingRule.objects.update_or_create(
        category=category, district=district, defaults={"department": department}
    )
    _config_changed()
    return rule


@transaction.atomic
def routing_build_defaults(*, category_code: str) -> int:
    """A rule for every district (the district's own team, else the city-wide department) and a
    city-wide fallback. Existing rules are kept. Returns how many rules were created."""
    from smartseoul.core.models import Department

    category = _category(category_code)
    created = 0
    existing = set(RoutingRule.objects.filter(category=category).values_list("district__code", flat=True))
    # the same rule as core.selectors.departments_for (the district's own team first, else
    # city-wide), evaluated once in memory instead of one query per district
    owners = [d for d in Department.objects.order_by("code") if category.work_category in (d.work_categories or [])]
    citywide = next((d for d in owners if d.district_id is None), None)
    for district in core_selectors.districts():
        if district.code in existing:
            continue
        department = next((d for d in owners if d.district_id == district.pk), citywide)
        if department is not None:
            RoutingRule.objects.create(category=category, district=district, department=department)
            created += 1
    if None not in existing and citywide is not None:
        RoutingRule.objects.create(category=category, district=None, department=citywide)
        created += 1
    _config_changed()
    return created


class _Config:
    """Categories (with attributes), routing rules and the city's areas, kept in memory while a
    one-row signature query says nothing changed (and at most `TTL` seconds), so a submission
    does not re-read configuration tables. Writes in this process clear it at once."""

    TTL = 30.0

    def __init__(self) -> None:
        self.sig: tuple[Any, ...] | None = None
        self.at = 0.0
        self.categories: dict[str, Category] = {}
        self.rules: dict[tuple[int, str | None], Department] = {}
        self.districts: dict[str, Any] = {}
        self.dongs: dict[str, tuple[int, int]] = {}

    def clear(self) -> None:
        self.sig = None

    def _signature(self) -> tuple[Any, ...]:
        from django.db import connection

        from smartseoul.core.models import City, Department, District, Neighborhood

        tables = [
            m._meta.db_table for m in (Category, CategoryAttribute, RoutingRule, Department, District, Neighborhood)
        ]
        parts = ", ".join(f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(id) FROM {t})" for t in tables)  # noqa: S608  (table names from model metadata, no request text)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {parts}, (SELECT MAX(boundaries_version) FROM {City._meta.db_table})")  # noqa: S608  (table names from model metadata, no request text)
            return tuple(cursor.fetchone())

    def get(self) -> _Config:
        sig = self._signature()
        if sig == self.sig and time.monotonic() - self.at < self.TTL:
            return self
        from smartseoul.core.models import District, Neighborhood

        self.categories = {c.code: c for c in Category.objects.prefetch_related("attributes")}
        self.rules = {
            (r.category_id, r.district.code if r.district is not None else None): r.department
            for r in RoutingRule.objects.select_related("department", "district")
        }
        self.districts = {d.code: d for d in District.objects.defer("boundary")}  # shapes: core.geography
        self.dongs = {
            code: (district_id, pk)
            for code, district_id, pk in Neighborhood.objects.values_list("code", "district_id", "id")
        }
        self.sig, self.at = sig, time.monotonic()
        return self


_config = _Config()


def _config_changed() -> None:
    transaction.on_commit(_config.clear)
    _config.clear()


def _category(code: str) -> Category:
    try:
        return Category.objects.get(code=code)
    except Category.DoesNotExist as exc:
        raise ComplaintNotFound(
            f"There is no complaint category {code!r}.", code=ComplaintErrorCode.UNKNOWN_CATEGORY
        ) from exc


def route(category: Category, district_code: str) -> Department:
    """The responsible department: the district's rule, the city-wide rule, else by work category."""
    rules = _config.get().rules
    department = rules.get((category.pk, district_code)) or rules.get((category.pk, None))
    if department is None:
        department = core_selectors.departments_for(category.work_category, district_code).first()
    if department is None:
        raise ComplaintInvalid(
            "No department handles this kind of report yet. Please call 120.", code=ComplaintErrorCode.NO_DEPARTMENT
        )
    return department


# --- media -----------------------------------------------------------------------------------


@dataclass
class _Checked:
    info: media_lib.MediaInfo
    data: bytes
    sha256: str
    source: str
    captured_at: Any


def _read_upload(upload: UploadedFile | bytes, *, name: str = "") -> bytes:
    """Reads a file, refusing it as soon as it is larger than the biggest allowed video."""
    limit = max(photo_max_bytes(), video_max_bytes())
    if isinstance(upload, bytes):
        data = upload
    else:
        if upload.size is not None and upload.size > limit:
            raise ComplaintInvalid(_("The file is too large."), code=ComplaintErrorCode.MEDIA_TOO_LARGE)
        chunks: list[bytes] = []
        total = 0
        for chunk in upload.chunks():
            total += len(chunk)
            if total > limit:
                raise ComplaintInvalid(_("The file is too large."), code=ComplaintErrorCode.MEDIA_TOO_LARGE)
            chunks.append(chunk)
        data = b"".join(chunks)
    if len(data) > limit:
        raise ComplaintInvalid(_("The file is too large."), code=ComplaintErrorCode.MEDIA_TOO_LARGE)
    if not data:
        raise ComplaintInvalid(_("The file is empty."), code=ComplaintErrorCode.MEDIA_UNREADABLE)
    return data


def _check_media(upload: UploadedFile | bytes, source: str) -> _Checked:
    data = _read_upload(upload)
    try:
        info = media_lib.inspect(data[:8192], data, name=getattr(upload, "name", "") or "")
    except media_lib.MediaRefused as exc:
        messages = {
            "media_type_not_allowed": _(
                "Only photos (JPEG, PNG, WebP) and videos (MP4, MOV) can be attached; this file is neither."
            ),
            "media_unreadable": _("The file cannot be read; it may be damaged. Please take it again."),
            "media_too_large": _("The photo has too many pixels."),
            "media_name_mismatch": _(
                "The file's name does not match what it holds (for example a document named .jpg). "
                "Please attach the photo or video itself."
            ),
            "media_unsafe": _("The file carries a web page or script inside it and cannot be attached."),
        }
        raise ComplaintInvalid(messages.get(exc.code, str(exc)), code=exc.code) from exc
    if info.kind == MediaKind.PHOTO and len(data) > photo_max_bytes():
        raise ComplaintInvalid(
            _("A photo may be at most %(mb)d MB.") % {"mb": photo_max_bytes() // (1024 * 1024)},
            code=ComplaintErrorCode.MEDIA_TOO_LARGE,
        )
    if info.kind == MediaKind.VIDEO:
        if len(data) > video_max_bytes():
            raise ComplaintInvalid(
                _("A video may be at most %(mb)d MB.") % {"mb": video_max_bytes() // (1024 * 1024)},
                code=ComplaintErrorCode.MEDIA_TOO_LARGE,
            )
        if (info.duration_s or 0) > video_max_seconds():
            raise ComplaintInvalid(
                _("A video may be at most %(s)d seconds long.") % {"s": video_max_seconds()},
                code=ComplaintErrorCode.VIDEO_TOO_LONG,
            )
    now = clock.now()
    captured_at = None
    if source == MediaSource.CAPTURE:
        captured_at = now
        if info.taken_at is not None:  # an old photo sent through the capture flow is a gallery photo
            local_now = clock.today_local().replace(tzinfo=None)
            if abs(local_now - info.taken_at) > CAPTURE_EXIF_TOLERANCE:
                source, captured_at = MediaSource.GALLERY, None
    elif source == MediaSource.RESOLUTION:
        captured_at = now
    return _Checked(info, data, hashlib.sha256(data).hexdigest(), source, captured_at)


def _store(checked: _Checked, owner: User) -> ComplaintMedia:
    """Writes the private original and (for photos) the public copy; returns an unsaved row."""
    now = clock.now()
    stem = f"complaints/{now:%Y/%m}/{uuid.uuid4().hex}"
    private_rel = f"{stem}.{checked.info.extension}"
    private = Path(settings.PRIVATE_MEDIA_ROOT) / private_rel
    private.parent.mkdir(parents=True, exist_ok=True)
    private.write_bytes(checked.data)
    public_rel = ""
    width, height = checked.info.width, checked.info.height
    if checked.info.kind == MediaKind.PHOTO:
        public_bytes, width, height = media_lib.public_photo(checked.data)
        public_rel = f"complaints/{now:%Y/%m}/{uuid.uuid4().hex}.jpg"  # unrelated to the private name
        public = Path(settings.MEDIA_ROOT) / public_rel
        public.parent.mkdir(parents=True, exist_ok=True)
        public.write_bytes(public_bytes)
    return ComplaintMedia(
        owner=owner,
        kind=checked.info.kind,
        source=checked.source,
        content_type=checked.info.content_type,
        size=len(checked.data),
        sha256=checked.sha256,
        private_path=private_rel,
        public_path=public_rel,
        width=width,
        height=height,
        duration_s=checked.info.duration_s,
        captured_at=checked.captured_at,
        uploaded_at=now,
    )


def _unlink(rows: Iterable[ComplaintMedia]) -> None:
    for row in rows:
        (Path(settings.PRIVATE_MEDIA_ROOT) / row.private_path).unlink(missing_ok=True)
        if row.public_path:
            (Path(settings.MEDIA_ROOT) / row.public_path).unlink(missing_ok=True)


def media_upload(
    *, owner: User, file: UploadedFile | bytes, source: str, client_ip: str | None = None
) -> ComplaintMedia:
    """Checks and stores one file before the report is submitted. In-app captures are stamped
    with the server's clock at upload; gallery files are marked as gallery files."""
    if source not in (MediaSource.CAPTURE, MediaSource.GALLERY):
        raise ComplaintInvalid("source must be 'capture' or 'gallery'.", code=ComplaintErrorCode.BAD_ATTRIBUTE)
    _require_reporter(owner)
    ratelimit.hit(f"complaints:media:{owner.pk}", limit=_limit("MEDIA_PER_HOUR", 60), window_seconds=3600)
    if client_ip:
        ratelimit.hit(f"complaints:media-ip:{client_ip}", limit=_limit("MEDIA_PER_IP_HOUR", 300), window_seconds=3600)
    checked = _check_media(file, source)
    row = _store(checked, owner)
    try:
        with transaction.atomic():
            row.save()
    except Exception:
        _unlink([row])
        raise
    return row


# --- submitting ------------------------------------------------------------------------------


_PHONE_RE = re.compile(r"(?<!\d)(?:\+?82[- ]?)?0?1[016789][- .]?\d{3,4}[- .]?\d{4}(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_RRN_RE = re.compile(r"(?<!\d)\d{6}[- ]?[1-8]\d{6}(?!\d)")


def redact(text: str) -> str:
    """Public copy of free text: phone numbers, e-mail addresses and resident numbers masked."""
    text = _RRN_RE.sub("******-*******", text)
    text = _PHONE_RE.sub("***-****-****", text)
    return _EMAIL_RE.sub("***@***", text)


def _require_reporter(user: User) -> None:
    """A report, a photo or a "me too" needs a phone-verified citizen (or an official)."""
    require_verified(
        user, Verification.PHONE, error=ComplaintForbidden, code=ComplaintErrorCode.VERIFICATION_REQUIRED,
        signed_out=_("Please sign in first."),
        unverified=_("Please verify your phone number before reporting: anonymous reports are not accepted."),
        officials_exempt=True,
    )


def _clean_attributes(category: Category, raw: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for attr in category.attributes.all():
        if not attr.variable:
            continue
        value = raw.get(attr.code)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if attr.required:
                raise ComplaintInvalid(
                    _("Please answer: %(q)s") % {"q": attr.description},
                    code=ComplaintErrorCode.MISSING_ATTRIBUTE,
                    attribute=attr.code,
                )
            continue
        keys = {v["key"] for v in attr.values}
        if attr.datatype == Datatype.SINGLEVALUELIST:
            if isinstance(value, list):
                value = value[0] if len(value) == 1 else value
            if value not in keys:
                raise ComplaintInvalid(
                    _("%(v)s is not an allowed answer to %(q)s") % {"v": value, "q": attr.description},
                    code=ComplaintErrorCode.BAD_ATTRIBUTE,
                    attribute=attr.code,
                )
        elif attr.datatype == Datatype.MULTIVALUELIST:
            values = value if isinstance(value, list) else [value]
            if any(v not in keys for v in values):
                raise ComplaintInvalid(
                    _("An answer to %(q)s is not allowed.") % {"q": attr.description},
                    code=ComplaintErrorCode.BAD_ATTRIBUTE,
                    attribute=attr.code,
                )
            value = list(values)
        elif attr.datatype == Datatype.NUMBER:
            try:
                value = float(value)
            except (TypeError, ValueError) as exc:
                raise ComplaintInvalid(
                    _("%(q)s must be a number.") % {"q": attr.description},
                    code=ComplaintErrorCode.BAD_ATTRIBUTE,
                    attribute=attr.code,
                ) from exc
        else:
            value = strip_tags(str(value))[:500]
        clean[attr.code] = value
    return clean


def locate_address(address: str) -> tuple[float, float] | None:
    """A rough position from address text: the neighbourhood (dong) or district (gu) it names."""
    text = address.replace(",", " ").lower()
    best: tuple[int, float, float] | None = None
    for n in core_selectors.neighborhoods():
        for name in (n.name_ko, n.name_en):
            if name and len(name) >= 2 and name.lower() in text and n.centroid_lat is not None:
                cand = (len(name) + 100, n.centroid_lat, n.centroid_lon or 0.0)
                best = cand if best is None or cand[0] > best[0] else best
    if best is None:
        for d in core_selectors.districts():
            for name in (d.name_ko, d.name_en):
                if name and name.lower() in text:
                    cand = (len(name), d.centroid_lat, d.centroid_lon)
                    best = cand if best is None or cand[0] > best[0] else best
    return (best[1], best[2]) if best else None


def _place(lat: float | None, lon: float | None, address: str) -> tuple[float, float, geography.Place]:
    if lat is None or lon is None:
        if not address.strip():
            raise ComplaintInvalid(
                _("Please pin the place on the map or type its address."), code=ComplaintErrorCode.NO_LOCATION
            )
        found = locate_address(address)
        if found is None:
            raise ComplaintInvalid(
                _("We could not find this address in the city. Please pin the place on the map."),
                code=ComplaintErrorCode.NO_LOCATION,
            )
        lat, lon = found
    try:
        place = geography.district_for_point(float(lat), float(lon))
    except InvalidInput as exc:
        raise ComplaintInvalid(
            _("This place is outside the city. Reports can only be made for places inside the city."),
            code=ComplaintErrorCode.OUTSIDE_CITY,
            lat=lat,
            lon=lon,
        ) from exc
    return float(lat), float(lon), place


def evidence_allows_fine(category: Category, rows: Sequence[ComplaintMedia]) -> bool:
    """Illegal parking: ≥2 in-app photos taken ≥60 s apart, or an in-app video of ≥60 s."""
    if not category.parking_evidence:
        return False
    stamps = sorted(
        m.captured_at
        for m in rows
        if m.kind == MediaKind.PHOTO and m.source == MediaSource.CAPTURE and m.captured_at is not None
    )
    if len(stamps) >= 2 and (stamps[-1] - stamps[0]).total_seconds() >= FINE_EVIDENCE_SECONDS:
        return True
    return any(
        m.kind == MediaKind.VIDEO and m.source == MediaSource.CAPTURE and (m.duration_s or 0) >= FINE_EVIDENCE_SECONDS
        for m in rows
    )


def complaint_submit(
    *,
    reporter: User,
    category_code: str,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    description: str = "",
    attributes: Mapping[str, Any] | None = None,
    media_ids: Sequence[int] = (),
    files: Sequence[UploadedFile | bytes] = (),
    channel: str = Channel.WEB,
    client_ip: str | None = None,
    via_api_key: bool = False,
    client_contact: Mapping[str, str] | None = None,
    external_media: Sequence[str] = (),
) -> Complaint:
    """Files a report: checks it, stores it with its receipt (number, due date, the "received"
    history row) and its follow-up task in one short transaction, and returns. Routing to the
    responsible department and the reporter's notifications are the follow-up's work
    (`complaint_follow_up`), done by the task worker after the commit; until then the report is
    "received" with its department "being assigned". `via_api_key`: an Open311/app client key
    holder vouches for its users, so the key owner need not be phone-verified;
    `client_contact` is kept encrypted."""
    if not via_api_key:
        _require_reporter(reporter)
    ratelimit.hit(
        f"complaints:submit:{reporter.pk}",
        limit=_limit("SUBMIT_PER_HOUR", 20 if not via_api_key else 2000),
        window_seconds=3600,
        message=_("You have sent many reports in a short time; please try again later."),
    )
    if client_ip:
        ratelimit.hit(
            f"complaints:submit-ip:{client_ip}",
            limit=_limit("SUBMIT_PER_IP_HOUR", 200 if not via_api_key else 5000),
            window_seconds=3600,
            message=_("Too many reports from this network; please try again later."),
        )
    config = _config.get()
    category = config.categories.get(category_code) or _category(category_code)
    if not category.active:
        raise ComplaintInvalid(_("This category is closed."), code=ComplaintErrorCode.CATEGORY_INACTIVE)
    description = strip_tags(description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ComplaintInvalid(
            _("The description may be at most 4,000 characters."), code=ComplaintErrorCode.DESCRIPTION_TOO_LONG
        )
    clean_attributes = _clean_attributes(category, attributes or {})
    lat, lon, place = _place(lat, lon, address)
    district, neighborhood_id = _areas(place, config)
    checked_files = [_check_media(f, MediaSource.GALLERY) for f in files]
    address = strip_tags(address or "").strip()[:300]
    new_rows: list[ComplaintMedia] = []
    try:
        complaint = _retry_locked(
            lambda: _submit_tx(
                reporter=reporter,
                category=category,
                lat=lat,
                lon=lon,
                district=district,
                neighborhood_id=neighborhood_id,
                address=address,
                description=description,
                attributes=clean_attributes,
                media_ids=media_ids,
                checked_files=checked_files,
                new_rows=new_rows,
                channel=channel,
                client_contact=client_contact,
                external_media=list(external_media)[:3],
            )
        )
    except Exception:
        _unlink(new_rows)
        raise
    transaction.on_commit(complaint_index.mark_dirty)
    return complaint


def _submit_tx(
    *,
    reporter: User,
    category: Category,
    lat: float,
    lon: float,
    district: Any,
    neighborhood_id: int | None,
    address: str,
    description: str,
    attributes: dict[str, Any],
    media_ids: Sequence[int],
    checked_files: list[_Checked],
    new_rows: list[ComplaintMedia],
    channel: str,
    client_contact: Mapping[str, str] | None,
    external_media: list[str],
) -> Complaint:
    _unlink(new_rows)  # a retried transaction starts again from nothing
    new_rows.clear()
    with transaction.atomic():
        rows = (
            list(
                ComplaintMedia.objects.select_for_update().filter(
                    pk__in=list(media_ids), owner=reporter, complaint=None
                )
            )
            if media_ids
            else []
        )
        if len(rows) != len(set(media_ids)):
            raise ComplaintInvalid(
                _("An attached file was not found; please attach it again."), code=ComplaintErrorCode.MEDIA_NOT_FOUND
            )
        for checked in checked_files:
            row = _store(checked, reporter)
            new_rows.append(row)
        every = rows + new_rows
        if sum(m.kind == MediaKind.PHOTO for m in every) > MAX_PHOTOS:
            raise ComplaintInvalid(_("Attach at most 3 photos."), code=ComplaintErrorCode.TOO_MANY_PHOTOS)
        if sum(m.kind == MediaKind.VIDEO for m in every) > MAX_VIDEOS:
            raise ComplaintInvalid(_("Attach at most 1 video."), code=ComplaintErrorCode.TOO_MANY_VIDEOS)
        now = clock.now()
        public_lat, public_lon = round_to_grid(lat, lon, PUBLIC_GRID_M)
        contact = ""
        if client_contact:
            import json

            contact = FieldCipher(settings.FIELD_ENCRYPTION_KEY).encrypt(json.dumps(dict(client_contact)))
        complaint = Complaint.objects.create(
            category=category,
            reporter=reporter,
            channel=channel,
            status=Status.RECEIVED,
            description=description,
            attributes=attributes,
            lat=lat,
            lon=lon,
            public_lat=public_lat,
            public_lon=public_lon,
            address=address,
            district=district,
            neighborhood_id=neighborhood_id,
            department=None,
            fine_without_visit=evidence_allows_fine(category, every),
            token=secrets.token_hex(8) if channel == Channel.OPEN311 else None,
            client_contact=contact,
            external_media=external_media,
            created_at=now,
            updated_at=now,
            due_at=add_working_days(now, category.response_days),
        )
        for row in rows:
            row.complaint = complaint
        if rows:
            ComplaintMedia.objects.bulk_update(rows, ["complaint"])
        for row in new_rows:
            row.complaint = complaint
        if new_rows:
            ComplaintMedia.objects.bulk_create(new_rows)
        StatusChange.objects.create(
            complaint=complaint,
            kind=EventKind.STATUS,
            from_status="",
            to_status=Status.RECEIVED,
            at=now,
        )
        # the follow-up is queued in this same transaction: a report is never committed without
        # it, and it is never run for a report that was not committed
        from .tasks import follow_up_report

        follow_up_report.enqueue(complaint.pk)
        return complaint


def complaint_follow_up(*, complaint_id: int) -> bool:
    """The part of filing a report done after the acknowledgement, by the task worker: routes it
    to the responsible department and tells the reporter (inbox, and SMS for a phone). Runs once
    per report whatever happens: the routing write is conditional on the report still being
    unrouted, and the notifications share its transaction, so a second run (a retried task, the
    sweep) changes nothing. A failure (no department takes the category yet) leaves the stored
    report as it was, "received" and "being assigned", for the sweep to try again. Returns
    whether this run routed the report."""
    with transaction.atomic():
        complaint = Complaint.objects.select_related("category", "reporter", "district").filter(pk=complaint_id).first()
        if complaint is None or complaint.department_id is not None:
            return False
        department = route(complaint.category, complaint.district.code)
        now = clock.now()
        if not Complaint.objects.filter(pk=complaint.pk, department=None).update(department=department, updated_at=now):
            return False  # another run routed it first
        complaint.department, complaint.updated_at = department, now
        reporter = complaint.reporter
        with translation.override(reporter.preferred_language or "ko"):
            body = _("Your report %(n)s (%(c)s) was received and sent to %(d)s. We aim to handle it by %(due)s.") % {
                "n": complaint.number,
                "c": complaint.category.name,
                "d": department.name,
                "due": f"{complaint.due_at.astimezone(SEOUL):%Y-%m-%d}",
            }
            if complaint.fine_without_visit:
                body += " " + _("Your evidence allows a fine without a site visit.")
            notify(
                recipient=reporter,
                kind="complaints.received",
                subject=_("Report received"),
                body=body,
                link=_report_link(complaint),
                channels=("inbox",) if complaint.channel == Channel.OPEN311 else ("inbox", "sms"),
            )
    transaction.on_commit(complaint_index.mark_dirty)
    return True


FOLLOW_UP_GRACE = timedelta(seconds=30)


def complaints_follow_up_pending(*, limit: int = 500) -> int:
    """The sweep behind the queue: follows up reports still unrouted some time after they were
    filed (their task failed, e.g. no department took the category then). Returns how many it
    routed; a report that still cannot be routed is logged and left for the next sweep."""
    ids = list(
        Complaint.objects.filter(department=None, created_at__lt=clock.now() - FOLLOW_UP_GRACE)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    routed = 0
    for pk in ids:
        try:
            routed += complaint_follow_up(complaint_id=pk)
        except ComplaintInvalid as exc:
            log.warning("report %s still cannot be routed: %s", pk, exc)
    return routed


def _areas(place: geography.Place, config: _Config) -> tuple[Any, int | None]:
    """(district, neighbourhood id) of a located place, from the configuration cache."""
    district = config.districts.get(place.district_code)
    if district is None:
        raise ComplaintInvalid(_("This place is outside the city."), code=ComplaintErrorCode.OUTSIDE_CITY)
    dong = config.dongs.get(place.neighborhood_code or "")
    return district, dong[1] if dong else None


def _report_link(complaint: Complaint) -> str:
    return reverse("complaints:report", args=[complaint.number])


def _retry_locked(fn: Callable[[], T], attempts: int = 200) -> T:
    """Runs a transaction again when SQLite says the database (or a table) is locked: a file
    database waits up to its busy timeout first; a shared-cache one fails at once, so retry
    with a jittered back-off. Inside an outer transaction there is nothing to retry."""
    import random

    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if (
                "locked" not in str(exc).lower()
                or attempt == attempts - 1
                or transaction.get_connection().in_atomic_block
            ):
                raise
            time.sleep(random.uniform(0.002, min(0.2, 0.005 * (2**attempt))))  # noqa: S311  (retry jitter, not a secret)
    raise AssertionError("unreachable")


# --- citizens' actions -----------------------------------------------------------------------


def _by_number(number: str, *, lock: bool = False) -> Complaint:
    from .selectors import parse_number

    pk = parse_number(number)
    qs = Complaint.objects.select_related("category", "department", "district", "reporter")
    if lock:
        qs = (
            qs.select_for_update(of=("self",)) if transaction.get_connection().features.has_select_for_update_of else qs
        )
    complaint = qs.filter(pk=pk).first() if pk else None
    if complaint is None or complaint.number != number:
        raise ComplaintNotFound(_("There is no report %(n)s.") % {"n": number})
    return complaint


def complaint_metoo(*, user: User, number: str) -> tuple[Complaint, bool]:
    """Adds the citizen's "me too" to an open report. Counts each citizen once, under any
    concurrency. Returns the report and whether this call added a new mark."""
    _require_reporter(user)
    ratelimit.hit(f"complaints:metoo:{user.pk}", limit=_limit("METOO_PER_HOUR", 120), window_seconds=3600)

    def tx() -> tuple[Complaint, bool]:
        with transaction.atomic():
            complaint = _by_number(number)
            if complaint.reporter_id == user.pk:
                raise ComplaintInvalid(_("This is your own report."), code=ComplaintErrorCode.OWN_REPORT)
            if not complaint.is_open:
                raise ComplaintConflict(_("This report is already closed."), code=ComplaintErrorCode.BAD_TRANSITION)
            try:
                with transaction.atomic():
                    MeToo.objects.create(complaint=complaint, user=user, at=clock.now())
            except IntegrityError:
                return complaint, False
            Complaint.objects.filter(pk=complaint.pk).update(metoo_count=F("metoo_count") + 1)
            complaint.refresh_from_db(fields=["metoo_count"])
            return complaint, True

    return _retry_locked(tx)


def complaint_reopen(*, user: User, number: str, reason: str) -> Complaint:
    """The reporter reopens a resolved report within 14 days when the problem is still there."""
    reason = strip_tags(reason or "").strip()
    with transaction.atomic():
        complaint = _by_number(number, lock=True)
        if complaint.reporter_id != user.pk:
            raise ComplaintForbidden(_("Only the reporter can reopen a report."), code=ComplaintErrorCode.NOT_REPORTER)
        if complaint.status != Status.RESOLVED or complaint.closed_at is None:
            raise ComplaintConflict(
                _("Only a resolved report can be reopened."), code=ComplaintErrorCode.BAD_TRANSITION
            )
        if clock.now() - complaint.closed_at > timedelta(days=REOPEN_DAYS):
            raise ComplaintConflict(
                _("A report can be reopened only within 14 days of its resolution; please file a new report."),
                code=ComplaintErrorCode.REOPEN_WINDOW_CLOSED,
            )
        if not reason:
            raise ComplaintInvalid(_("Please say what is still wrong."), code=ComplaintErrorCode.REASON_REQUIRED)
        _change(complaint, Status.REOPENED, actor=None, note=redact(reason), kind=EventKind.REOPEN)
        complaint.closed_at = None
        complaint.due_at = add_working_days(clock.now(), complaint.category.response_days)
        complaint.save(update_fields=["status", "closed_at", "due_at", "updated_at"])
        _notify_status(complaint)
    return complaint


# --- officials' actions ----------------------------------------------------------------------


def can_handle(actor: User, complaint: Complaint) -> bool:
    if not actor.is_authenticated or not actor.is_official:
        return False
    if actor.is_city_admin:
        return True
    if actor.role == Role.DISTRICT_ADMIN and actor.department_id:
        dept = actor.department
        return (
            dept is not None
            and dept.district_id is not None
            and complaint.department is not None
            and complaint.department.district_id == dept.district_id
        )
    return actor.department_id is not None and actor.department_id == complaint.department_id


def _official(actor: User, complaint: Complaint) -> None:
    if not can_handle(actor, complaint):
        raise ComplaintForbidden(
            _("This report belongs to another department."), code=ComplaintErrorCode.NOT_YOUR_DEPARTMENT
        )


def _change(
    complaint: Complaint,
    to: str,
    *,
    actor: User | None,
    note: str = "",
    kind: str = EventKind.STATUS,
    to_department: Department | None = None,
) -> StatusChange:
    now = clock.now()
    event = StatusChange.objects.create(
        complaint=complaint,
        kind=kind,
        from_status=complaint.status,
        to_status=to,
        note=note,
        actor=actor,
        from_department=complaint.department if to_department else None,
        to_department=to_department,
        at=now,
    )
    complaint.status = to
    complaint.updated_at = now
    transaction.on_commit(complaint_index.mark_dirty)
    return event


def _notify_status(complaint: Complaint, extra: str = "") -> None:
    reporter = complaint.reporter
    with translation.override(reporter.preferred_language or "ko"):
        status = Status(complaint.status).label
        body = _("Your report %(n)s is now: %(s)s.") % {"n": complaint.number, "s": status}
        if extra:
            body += " " + extra
        notify(
            recipient=reporter,
            kind=f"complaints.{complaint.status}",
            subject=_("Report update: %(s)s") % {"s": status},
            body=body,
            link=_report_link(complaint),
        )


_ASSIGNABLE = (Status.RECEIVED, Status.TRANSFERRED, Status.REOPENED, Status.ASSIGNED, Status.IN_PROGRESS)


def complaint_assign(*, actor: User, number: str, assignee_id: int, request: HttpRequest | None = None) -> Complaint:
    with transaction.atomic():
        complaint = _by_number(number, lock=True)
        _official(actor, complaint)
        if complaint.status not in _ASSIGNABLE:
            raise ComplaintConflict(_("A closed report cannot be assigned."), code=ComplaintErrorCode.BAD_TRANSITION)
        assignee = (
            account_selectors.officials_of(complaint.department_id).filter(pk=assignee_id).first()
            if complaint.department_id is not None  # not routed yet: no department has members to assign
            else None
        )
        if assignee is None:
            raise ComplaintInvalid(
                _("The assignee must be a member of the responsible department."), code=ComplaintErrorCode.NOT_A_MEMBER
            )
        complaint.assignee = assignee
        if complaint.status == Status.IN_PROGRESS:
            complaint.updated_at = clock.now()
            transaction.on_commit(complaint_index.mark_dirty)
        else:
            _change(complaint, Status.ASSIGNED, actor=actor)
        complaint.save(update_fields=["assignee", "status", "updated_at"])
        audit_record(
            actor=actor,
            action="complaints.assign",
            target=complaint,
            details={"number": complaint.number, "assignee": assignee.pk},
            request=request,
        )
        if complaint.status == Status.ASSIGNED:
            _notify_status(complaint)
    return complaint


def complaint_start(*, actor: User, number: str, note: str = "", request: HttpRequest | None = None) -> Complaint:
    with transaction.atomic():
        complaint = _by_number(number, lock=True)
        _official(actor, complaint)
        if complaint.status not in (Status.RECEIVED, Status.ASSIGNED, Status.TRANSFERRED, Status.REOPENED):
            raise ComplaintConflict(_("This report cannot be started now."), code=ComplaintErrorCode.BAD_TRANSITION)
        if complaint.assignee_id is None and actor.department_id == complaint.department_id:
            complaint.assignee = actor
        _change(complaint, Status.IN_PROGRESS, actor=actor, note=strip_tags(note).strip())
        complaint.save(update_fields=["status", "assignee", "updated_at"])
        audit_record(
            actor=actor,
            action="complaints.start",
            target=complaint,
            details={"number": complaint.number},
            request=request,
        )
        _notify_status(complaint)
    return complaint


def complaint_resolve(
    *, actor: User, number: str, note: str, photo: UploadedFile | bytes | None, request: HttpRequest | None = None
) -> Complaint:
    """Resolves a report; a photo of the fix is required and goes to the citizen."""
    note = strip_tags(note or "").strip()
    if photo is None:
        raise ComplaintInvalid(
            _("Attach a photo of the fix to resolve the report."), code=ComplaintErrorCode.RESOLUTION_PHOTO_REQUIRED
        )
    checked = _check_media(photo, MediaSource.RESOLUTION)
    if checked.info.kind != MediaKind.PHOTO:
        raise ComplaintInvalid(
            _("The resolution needs a photo, not a video."), code=ComplaintErrorCode.RESOLUTION_PHOTO_REQUIRED
        )
    row: ComplaintMedia | None = None
    try:
        with transaction.atomic():
            complaint = _by_number(number, lock=True)
            _official(actor, complaint)
            if not complaint.is_open:
                raise ComplaintConflict(_("This report is already closed."), code=ComplaintErrorCode.BAD_TRANSITION)
            row = _store(checked, actor)
            row.complaint = complaint
            row.save()
            _change(complaint, Status.RESOLVED, actor=actor, note=note)
            complaint.closed_at = complaint.updated_at
            complaint.resolution_note = note
            complaint.save(update_fields=["status", "closed_at", "resolution_note", "updated_at"])
            audit_record(
                actor=actor,
                action="complaints.resolve",
                target=complaint,
                details={"number": complaint.number, "photo_sha256": row.sha256},
                request=request,
            )
            with translation.override(complaint.reporter.preferred_language or "ko"):
                extra = (note + " " if note else "") + _("Photo of the fix: %(url)s") % {
                    "url": settings.SITE_URL + settings.MEDIA_URL + row.public_path
                }
            _notify_status(complaint, extra)
    except Exception:
        if row is not None:
            _unlink([row])
        raise
    return complaint


def complaint_reject(*, actor: User, number: str, reason: str, request: HttpRequest | None = None) -> Complaint:
    reason = strip_tags(reason or "").strip()
    if not reason:
        raise ComplaintInvalid(_("A reason is required to reject a report."), code=ComplaintErrorCode.REASON_REQUIRED)
    with transaction.atomic():
        complaint = _by_number(number, lock=True)
        _official(actor, complaint)
        if not complaint.is_open:
            raise ComplaintConflict(_("This report is already closed."), code=ComplaintErrorCode.BAD_TRANSITION)
        _change(complaint, Status.REJECTED, actor=actor, note=reason)
        complaint.closed_at = complaint.updated_at
        complaint.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="complaints.reject",
            target=complaint,
            details={"number": complaint.number, "reason": reason[:200]},
            request=request,
        )
        _notify_status(complaint, _("Reason: %(r)s") % {"r": reason})
    return complaint


def complaint_transfer(
    *, actor: User, number: str, department_code: str, reason: str, request: HttpRequest | None = None
) -> Complaint:
    if not (department_code or "").strip():
        raise ComplaintInvalid(
            _("Choose the department to transfer the report to."), code=ComplaintErrorCode.DEPARTMENT_REQUIRED
        )
    reason = strip_tags(reason or "").strip()
    if not reason:
        raise ComplaintInvalid(_("A reason is required to transfer a report."), code=ComplaintErrorCode.REASON_REQUIRED)
    target = core_selectors.department_by_code(department_code)
    with transaction.atomic():
        complaint = _by_number(number, lock=True)
        _official(actor, complaint)
        if not complaint.is_open:
            raise ComplaintConflict(_("This report is already closed."), code=ComplaintErrorCode.BAD_TRANSITION)
        if target.pk == complaint.department_id:
            raise ComplaintInvalid(
                _("The report is already with this department."), code=ComplaintErrorCode.BAD_TRANSITION
            )
        from_code = complaint.department.code if complaint.department is not None else ""
        _change(complaint, Status.TRANSFERRED, actor=actor, note=reason, kind=EventKind.TRANSFER, to_department=target)
        complaint.department = target
        complaint.assignee = None
        complaint.escalated_at = None
        complaint.save(update_fields=["status", "department", "assignee", "escalated_at", "updated_at"])
        audit_record(
            actor=actor,
            action="complaints.transfer",
            target=complaint,
            details={"number": complaint.number, "from": from_code, "to": target.code, "reason": reason[:200]},
            request=request,
        )
        _notify_status(complaint, _("It was sent to %(d)s: %(r)s") % {"d": target.name, "r": reason})
    return complaint


def complaint_note_add(*, actor: User, number: str, body: str, request: HttpRequest | None = None) -> InternalNote:
    body = strip_tags(body or "").strip()
    if not body:
        raise ComplaintInvalid(_("The note is empty."), code=ComplaintErrorCode.REASON_REQUIRED)
    with transaction.atomic():
        complaint = _by_number(number)
        _official(actor, complaint)
        note = InternalNote.objects.create(complaint=complaint, author=actor, body=body[:4000], at=clock.now())
        audit_record(
            actor=actor,
            action="complaints.note",
            target=complaint,
            details={"number": complaint.number},
            request=request,
        )
    return note


def complaint_merge(*, actor: User, number: str, into_number: str, request: HttpRequest | None = None) -> Complaint:
    """Closes `number` as a duplicate of `into_number`; its reporter joins the other as a "me
    too", and the citizens of both reports are told."""
    if number == into_number:
        raise ComplaintInvalid(_("A report cannot be merged into itself."), code=ComplaintErrorCode.MERGE_INVALID)
    with transaction.atomic():
        dup = _by_number(number, lock=True)
        target = _by_number(into_number, lock=True)
        _official(actor, dup)
        if not dup.is_open or not target.is_open:
            raise ComplaintConflict(_("Only open reports can be merged."), code=ComplaintErrorCode.MERGE_INVALID)
        if target.merged_into_id is not None:
            raise ComplaintInvalid(_("The target is itself a duplicate."), code=ComplaintErrorCode.MERGE_INVALID)
        _change(
            dup,
            Status.MERGED,
            actor=actor,
            kind=EventKind.MERGE,
            note=_("Merged into %(n)s, which handles the same problem.") % {"n": target.number},
        )
        dup.merged_into = target
        dup.closed_at = dup.updated_at
        dup.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        added = 0
        for user_id in {dup.reporter_id, *dup.metoos.values_list("user_id", flat=True)} - {target.reporter_id}:
            try:
                with transaction.atomic():
                    MeToo.objects.create(complaint=target, user_id=user_id, at=clock.now())
                added += 1
            except IntegrityError:
                continue
        Complaint.objects.filter(pk=target.pk).update(metoo_count=F("metoo_count") + added, updated_at=clock.now())
        audit_record(
            actor=actor,
            action="complaints.merge",
            target=dup,
            details={"number": dup.number, "into": target.number},
            request=request,
        )
        _notify_status(dup, _("It is handled together with report %(n)s.") % {"n": target.number})
        with translation.override(target.reporter.preferred_language or "ko"):
            notify(
                recipient=target.reporter,
                kind="complaints.merged",
                subject=_("Another report joined yours"),
                body=_("Report %(d)s about the same problem was merged into your report %(n)s.")
                % {"d": dup.number, "n": target.number},
                link=_report_link(target),
            )
    return target


BULK_ACTIONS = ("assign", "start", "transfer", "reject")


def complaints_bulk(
    *,
    actor: User,
    numbers: Sequence[str],
    action: str,
    assignee_id: int | None = None,
    department_code: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> int:
    """Applies one action to many reports, all or nothing."""
    if action not in BULK_ACTIONS:
        raise ComplaintInvalid(_("Unknown bulk action."), code=ComplaintErrorCode.BAD_TRANSITION)
    if not numbers:
        raise ComplaintInvalid(_("Select at least one report."), code=ComplaintErrorCode.BAD_FILTER)
    with transaction.atomic():
        for number in numbers:
            if action == "assign":
                if assignee_id is None:
                    raise ComplaintInvalid(_("Choose a member to assign."), code=ComplaintErrorCode.NOT_A_MEMBER)
                complaint_assign(actor=actor, number=number, assignee_id=assignee_id, request=request)
            elif action == "start":
                complaint_start(actor=actor, number=number, request=request)
            elif action == "transfer":
                complaint_transfer(
                    actor=actor, number=number, department_code=department_code, reason=reason, request=request
                )
            else:
                complaint_reject(actor=actor, number=number, reason=reason, request=request)
    return len(numbers)


def complaints_escalate_overdue() -> int:
    """Tells each department head (or, without a head, its members) about reports past their
    due date, once per report. Returns how many reports were escalated."""
    now = clock.now()
    escalated = 0
    overdue = (
        Complaint.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now, escalated_at=None)
        .exclude(department=None)  # not routed yet: the follow-up sweep comes first
        .select_related("department__head", "category")
        .order_by("department_id", "due_at")
    )
    by_department: dict[Department, list[Complaint]] = {}
    for c in overdue[:5000]:
        if c.department is not None:  # always, given the query: for the types
            by_department.setdefault(c.department, []).append(c)
    for department, items in by_department.items():
        with transaction.atomic():
            recipients = (
                [department.head] if department.head_id else list(account_selectors.officials_of(department.pk))
            )
            numbers = [c.number for c in items]
            for recipient in recipients:
                if recipient is None:
                    continue
                with translation.override(recipient.preferred_language or "ko"):
                    notify(
                        recipient=recipient,
                        kind="complaints.escalated",
                        subject=_("%(n)d reports are overdue") % {"n": len(items)},
                        body=_("Past their due date in %(d)s: %(list)s")
                        % {"d": department.name, "list": ", ".join(numbers[:50])},
                        link=reverse("complaints:office") + "?overdue=1",
                        channels=("inbox", "email"),
                    )
            ids = [c.pk for c in items]
            Complaint.objects.filter(pk__in=ids).update(escalated_at=now)
            StatusChange.objects.bulk_create(
                [
                    StatusChange(
                        complaint=c,
                        kind=EventKind.ESCALATION,
                        from_status=c.status,
                        to_status=c.status,
                        note="",
                        at=now,
                    )
                    for c in items
                ]
            )
            audit_record(
                actor=None,
                action="complaints.escalate",
                target_type="core.department",
                target_id=str(department.pk),
                details={"count": len(items), "numbers": numbers[:50]},
            )
        escalated += len(items)
    return escalated


def media_cleanup_orphans(*, older_than_hours: int = 24) -> int:
    """Deletes uploads never attached to a report (abandoned drafts)."""
    cutoff = clock.now() - timedelta(hours=older_than_hours)
    with transaction.atomic():
        rows = list(ComplaintMedia.objects.select_for_update().filter(complaint=None, uploaded_at__lt=cutoff))
        ComplaintMedia.objects.filter(pk__in=[r.pk for r in rows]).delete()
    _unlink(rows)
    return len(rows)


def on_day(day: Any) -> None:
    complaints_escalate_overdue()
    media_cleanup_orphans()


def complaints_generate(
    *,
    count: int,
    reporter: User,
    seed: int = 7,
    days: int = 90,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Synthetic but plausible reports (no media) spread over the last `days` days, for the demo
    and the benchmark: positions inside districts, routing, due dates and a realistic status mix."""
    import random

    import numpy as np

    from smartseoul.core.models import District

    rng = random.Random(seed)  # noqa: S311  (demo data, reproducible, not a secret)
    categories = list(Category.objects.filter(active=True))
    if not categories:
        raise ComplaintInvalid(
            "Load the complaint categories first (smartseoul demo).", code=ComplaintErrorCode.UNKNOWN_CATEGORY
        )
    districts = list(District.objects.all())
    city = core_selectors.city()
    if city is None or not districts:
        raise ComplaintInvalid("Load the city first (smartseoul demo).", code=ComplaintErrorCode.OUTSIDE_CITY)
    routes = {(c.pk, d.code): route(c, d.code) for c in categories for d in districts}
    district_by_code = {d.code: d for d in districts}
    now = clock.now()
    made = 0
    weights = [max(1, 12 - c.order // 10) for c in categories]
    while made < count:
        n = min(batch_size, count - made)
        lats = np.array([rng.uniform(city.bbox_south, city.bbox_north) for _ in range(n * 2)])
        lons = np.array([rng.uniform(city.bbox_west, city.bbox_east) for _ in range(n * 2)])
        codes = geography.locate_many(lats, lons)
        points = [(la, lo, c) for la, lo, c in zip(lats.tolist(), lons.tolist(), codes, strict=True) if c][:n]
        rows = []
        for lat, lon, code in points:
            category = rng.choices(categories, weights=weights)[0]
            created = now - timedelta(seconds=rng.uniform(0, days * 86400))
            due = add_working_days(created, category.response_days)
            age = (now - created).total_seconds()
            roll = rng.random()
            status, closed = Status.RECEIVED, None
            if age > 86400 * 2 and roll < 0.78:
                status = Status.RESOLVED if roll < 0.70 else Status.REJECTED
                closed = created + timedelta(seconds=rng.uniform(3600, max(7200, min(age, 86400 * 10))))
            elif roll < 0.9:
                status = rng.choice([Status.ASSIGNED, Status.IN_PROGRESS])
            plat, plon = round_to_grid(lat, lon, PUBLIC_GRID_M)
            rows.append(
                Complaint(
                    category=category,
                    reporter=reporter,
                    channel=rng.choice([Channel.MOBILE, Channel.MOBILE, Channel.WEB]),
                    status=status,
                    description="",
                    attributes={},
                    lat=lat,
                    lon=lon,
                    public_lat=plat,
                    public_lon=plon,
                    address=district_by_code[code].name_ko,
                    district=district_by_code[code],
                    department=routes[(category.pk, code)],
                    created_at=created,
                    updated_at=closed or created,
                    due_at=due,
                    closed_at=closed,
                )
            )
        with transaction.atomic():
            Complaint.objects.bulk_create(rows, batch_size=1000)
        made += len(rows)
        if progress:
            progress(len(rows))
    transaction.on_commit(complaint_index.mark_dirty)
    complaint_index.mark_dirty()
    return made
