"""The city's shared geography, departments, the notification outbox and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """Korean and English names; `name` picks the active language."""

    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko


class City(Bilingual):
    timezone = models.CharField(max_length=64, default="Asia/Seoul")
    open311_jurisdiction = models.CharField(max_length=100, default="seoul.go.kr")
    bbox_west = models.FloatField()
    bbox_south = models.FloatField()
    bbox_east = models.FloatField()
    bbox_north = models.FloatField()
    contact_email = models.EmailField(blank=True)
    helpline = models.CharField(max_length=32, default="120")
    boundaries_version = models.PositiveIntegerField(default=0, help_text="bumped on every boundary import")

    class Meta:
        verbose_name_plural = "cities"


class BoundarySource(models.TextChoices):
    DEMO = "demo", _("demo approximation")
    OFFICIAL = "official", _("official boundary file")


class District(Bilingual):
    """A gu: the official 5-digit code (e.g. 11110 Jongno-gu)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    code = models.CharField(max_length=10, unique=True)
    boundary = models.JSONField(help_text="GeoJSON (Multi)Polygon, WGS84, counter-clockwise exterior rings")
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()
    population = models.PositiveIntegerField(default=0)
    boundary_source = models.CharField(max_length=10, choices=BoundarySource.choices, default=BoundarySource.DEMO)

    class Meta:
        ordering = ["code"]


class Neighborhood(Bilingual):
    """A dong (administrative neighbourhood) inside a district."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="neighborhoods")
    code = models.CharField(max_length=12, unique=True)
    boundary = models.JSONField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(default=0)
    boundary_source = models.CharField(max_length=10, choices=BoundarySource.choices, default=BoundarySource.DEMO)

    class Meta:
        ordering = ["code"]


class Department(Bilingual):
    """A city or district department. `work_categories` lists the kinds of work it owns
    (complaint categories, proposal topics, dataset themes …) as stable keys."""

    code = models.SlugField(max_length=60, unique=True)
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.CASCADE, related_name="departments",
        help_text=_("empty for a city-wide department"),
    )
    work_categories = models.JSONField(default=list, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True, help_text=_("the office's public number"))
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_departments"
    )

    class Meta:
        ordering = ["code"]


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    INBOX = "inbox", _("in-app inbox")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    """The outbox: one row per message per channel. Addresses are never stored here; they are
    read from the recipient at delivery time, so the outbox holds no phone number or e-mail."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=60, help_text="stable key, e.g. complaints.received")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "channel", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel}, {self.status})"


class AuditEvent(models.Model):
    """Who did what, when, from where. Written by every official action; read by auditors."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=150, help_text="username at the time (kept if the user is deleted)")
    action = models.CharField(max_length=80, help_text="stable key, e.g. accounts.login, complaints.resolve")
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


# --- points of interest ----------------------------------------------------------------------


class PoiType(Bilingual):
    """A kind of public facility shown on the map and in "information around me"
    (free Wi-Fi access point, public restroom, EV charger …). Each type is one map layer."""

    key = models.SlugField(max_length=60, unique=True, help_text="stable key, e.g. wifi, restroom, ev-charger")
    description_ko = models.CharField(max_length=300, blank=True)
    description_en = models.CharField(max_length=300, blank=True)
    icon = models.CharField(max_length=40, default="pin", help_text="a symbol of the icon sprite")
    color = models.CharField(max_length=9, default="#0b4ea2")
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "key"]


class PointOfInterest(Bilingual):
    """One public facility at a point (WGS84). `source_id` is the identifier in the source file,
    unique per type, so re-importing a file updates rather than duplicates."""

    type = models.ForeignKey(PoiType, on_delete=models.CASCADE, related_name="points")
    source_id = models.CharField(max_length=100)
    lat = models.FloatField()
    lon = models.FloatField()
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="points")
    address = models.CharField(max_length=300, blank=True)
    properties = models.JSONField(default=dict, blank=True, help_text="public attributes: hours, operator, ports …")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["type", "source_id"]
        constraints = [models.UniqueConstraint(fields=["type", "source_id"], name="uniq_poi_source_id")]
        indexes = [models.Index(fields=["lat", "lon"]), models.Index(fields=["type", "lat", "lon"])]
