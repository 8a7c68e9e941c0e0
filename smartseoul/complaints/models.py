"""Tables of the Smart Complaint Report: categories (Open311 services), routing rules, reports,
their media, status history, internal notes and "me too" marks. No logic in save() or signals:
every write goes through services.py."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

_HANGUL = re.compile("[\uac00-\ud7a3]")


def _pick(ko: str, en: str) -> str:
    return en if (get_language() or "ko").startswith("en") and en else ko


class Category(models.Model):
    """A kind of problem a citizen can report; an Open311 "service"."""

    code = models.CharField(max_length=32, unique=True, help_text=_("Open311 service_code, e.g. PARK-01"))
    name_ko = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    group = models.CharField(max_length=40, help_text=_("Open311 group, e.g. traffic"))
    keywords = models.CharField(max_length=300, blank=True, help_text=_("comma separated"))
    work_category = models.CharField(max_length=40, help_text=_("department work key used for routing"))
    response_days = models.PositiveSmallIntegerField(default=3, help_text=_("target in working days"))
    parking_evidence = models.BooleanField(
        default=False, help_text=_("illegal parking: evidence can justify a fine without a site visit")
    )
    icon = models.CharField(max_length=40, blank=True, help_text="a symbol of the icon sprite")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return _pick(self.name_ko, self.name_en)

    @property
    def description(self) -> str:
        return _pick(self.description_ko, self.description_en)


class Datatype(models.TextChoices):
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


class CategoryAttribute(models.Model):
    """A question asked with a category (Open311 service definition attribute)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(max_length=40)
    datatype = models.CharField(max_length=20, choices=Datatype.choices)
    required = models.BooleanField(default=False)
    variable = models.BooleanField(default=True, help_text=_("false: informs the citizen, asks nothing"))
    order = models.PositiveSmallIntegerField(default=1)
    description_ko = models.CharField(max_length=200)
    description_en = models.CharField(max_length=200)
    values = models.JSONField(default=list, blank=True, help_text='[{"key": …, "name_ko": …, "name_en": …}]')
    public = models.BooleanField(
        default=True, help_text=_("false for personal data such as a licence plate: never published")
    )

    class Meta:
        ordering = ["category", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="uniq_category_attribute")]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.code}"

    @property
    def description(self) -> str:
        return _pick(self.description_ko, self.description_en)


class RoutingRule(models.Model):
    """Which department takes a category in a district (district empty: city-wide fallback)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing")
    district = models.ForeignKey("core.District", null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="complaint_routes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="uniq_route"),
            models.UniqueConstraint(fields=["category"], condition=models.Q(district=None), name="uniq_citywide_route"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.district_id or 'city'}"


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("report status", "in progress")
    TRANSFERRED = "transferred", _("transferred")
    REOPENED = "reopened", _("reopened")
    RESOLVED = "resolved", _("resolved")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged as duplicate")


OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.TRANSFERRED, Status.REOPENED)
CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED, Status.MERGED)


STATUS_BADGE: dict[str, str] = {
    Status.RECEIVED: "warning", Status.ASSIGNED: "information", Status.IN_PROGRESS: "information",
    Status.TRANSFERRED: "information", Status.REOPENED: "danger", Status.RESOLVED: "success",
    Status.REJECTED: "gray", Status.MERGED: "gray",
}


class Channel(models.TextChoices):
    WEB = "web", _("web")
    MOBILE = "mobile", _("mobile")
    API = "api", _("app API")
    OPEN311 = "open311", _("Open311 client")
    PHONE = "phone", _("120 Dasan call centre")


class Complaint(models.Model):
    """One report. The public receipt number is `<year>-<id, 6+ digits>` (see `number`)."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    public_lat = models.FloatField(help_text=_("position rounded to ~50 m for public maps"))
    public_lon = models.FloatField()
    address = models.CharField(max_length=300, blank=True)
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="complaints")
    neighborhood = models.ForeignKey(
        "core.Neighborhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        help_text=_("empty while the report is being routed (the follow-up task sets it)"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_complaints"
    )
    fine_without_visit = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates")
    metoo_count = models.PositiveIntegerField(default=0)
    token = models.CharField(max_length=40, null=True, blank=True, unique=True, help_text=_("Open311 token"))
    client_contact = models.TextField(
        blank=True, editable=False, help_text=_("encrypted contact fields sent by an Open311 client")
    )
    external_media = models.JSONField(default=list, blank=True, help_text=_("media URLs sent by an Open311 client"))
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="cmp_created"),
            models.Index(fields=["status", "due_at"], name="cmp_status_due"),
            models.Index(fields=["department", "status", "due_at"], name="cmp_dept_status_due"),
            models.Index(fields=["category", "status", "lat"], name="cmp_cat_status_lat"),
            models.Index(fields=["reporter", "-created_at"], name="cmp_reporter"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return complaint_number(self.created_at.year if self.created_at else 0, self.pk or 0)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_badge(self) -> str:
        """The KRDS badge colour of the status (its label says it in words): waiting amber, being
        handled blue, reopened red, resolved green, closed otherwise grey."""
        return STATUS_BADGE.get(self.status, "gray")

    @property
    def place_parts(self) -> list[tuple[str, str]]:
        """Where it is, for a page in the current language, as (text, lang) pieces: the address
        as the reporter wrote it (lang "ko" when it is in Hangul, so an English page marks it), then
        the dong and the district by their names in the page's language. An address that only
        names the district is left out for the district's name; a Korean page does not repeat a
        district the address already names."""
        english = (get_language() or "ko").startswith("en")
        address = self.address.strip()
        district = self.district
        if address in (district.name_ko, district.name_en):
            address = ""
        parts: list[tuple[str, str]] = []
        if address:
            parts.append((address, "ko" if english and _HANGUL.search(address) else ""))
        if self.neighborhood_id is not None and self.neighborhood is not None:
            parts.append((self.neighborhood.name, ""))
        if english or district.name_ko not in address:
            parts.append((district.name, ""))
        return parts


def complaint_number(year: int, pk: int) -> str:
    return f"{year}-{pk:06d}"


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    VIDEO = "video", _("video")


class MediaSource(models.TextChoices):
    CAPTURE = "capture", _("taken in the app")
    GALLERY = "gallery", _("from the gallery")
    RESOLUTION = "resolution", _("official's photo of the fix")


class ComplaintMedia(models.Model):
    """A photo or video. Uploaded first (complaint empty), attached on submit. The original stays
    private (with its SHA-256); photos get a public copy, re-encoded without EXIF."""

    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="media")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaint_media")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    source = models.CharField(max_length=12, choices=MediaSource.choices)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    private_path = models.CharField(max_length=300, help_text=_("relative to PRIVATE_MEDIA_ROOT"))
    public_path = models.CharField(max_length=300, blank=True, help_text=_("relative to MEDIA_ROOT"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True, help_text=_("server time of an in-app capture"))
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]}"

    @property
    def public_url(self) -> str:
        return f"{settings.MEDIA_URL}{self.public_path}" if self.public_path else ""
        [models.Index(fields=["owner", "complaint"], name="cmp_media_owner")]


class EventKind(models.TextChoices):
    STATUS = "status_change", _("status change")
    TRANSFER = "transfer", _("transfer")
    MERGE = "merge", _("merge")
    REOPEN = "reopen", _("reopen")
    ESCALATION = "escalation", _("escalation")
    ANSWER = "answer", _("answer")


class StatusChange(models.Model):
    """The public history of a report: one row per status change, transfer, merge or reopen.
    Rows are never edited or deleted, so rejected and transferred reports keep their history."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=16, choices=EventKind.choices, default=EventKind.STATUS)
    from_status = models.CharField(max_length=12, blank=True, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField(blank=True, help_text=_("public explanation shown to citizens"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_status} → {self.to_status}"


class InternalNote(models.Model):
    """Officials' notes on a report; never shown to the public or the reporter."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.complaint_id}"


class MeToo(models.Model):
    """A citizen saying "I have the same problem" instead of filing a duplicate."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="metoos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="uniq_metoo")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.complaint_id}"
