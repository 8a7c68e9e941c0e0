"""Theme maps of Smart Seoul Map (proposed by citizens or officials, moderated before
publication), and the last computed figures of the mayor's office widgets.

The dashboard owns no other module's data: widgets and layers of the other modules are read
through the registry; only the figures their widgets returned are stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ThemeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("awaiting moderation")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")


THEME_STATUS_BADGE: dict[str, str] = {
    ThemeStatus.DRAFT: "gray", ThemeStatus.PENDING: "warning",
    ThemeStatus.PUBLISHED: "success", ThemeStatus.REJECTED: "danger",
}


class ThemeMap(models.Model):
    """A map of points on one theme (trails, old shops, cooling shelters, working-mom support …)."""

    title_ko = models.CharField(_("title (Korean)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    color = models.CharField(max_length=9, default="#b3261e")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="theme_maps"
    )
    by_official = models.BooleanField(default=False, help_text="made by the city (shown with the city's badge)")
    status = models.CharField(max_length=10, choices=ThemeStatus.choices, default=ThemeStatus.DRAFT)
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderation_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-moderated_at"]), models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def status_badge(self) -> str:
        """The KRDS badge colour of the status (its label says it in words)."""
        return THEME_STATUS_BADGE.get(self.status, "gray")

    @property
    def title(self) -> str:
        if (get_language() or "ko").startswith("en") and self.title_en:
            return self.title_en
        return self.title_ko

    @property
    def layer_key(self) -> str:
        return f"theme-{self.pk}"


class ThemePoint(models.Model):
    theme = models.ForeignKey(ThemeMap, on_delete=models.CASCADE, related_name="points")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    district_code = models.CharField(max_length=10, blank=True)
    photo = models.CharField(max_length=200, blank=True,
                             help_text="path of the public copy (EXIF removed) under MEDIA_ROOT")
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["theme", "order", "id"]
        indexes = [models.Index(fields=["district_code"])]

    def __str__(self) -> str:
        return self.title

    @property
    def photo_url(self) -> str:
        return f"{settings.MEDIA_URL}{self.photo}" if self.photo else ""


class AreaFigures(models.Model):
    """The last computed figures of every widget of one area of the mayor's office: one row per
    period, district, dong, version (public or the officials') and language.

    The task worker writes it (`tasks.compute_area`); a page reads one row and never computes a
    widget itself. `computed_at` is None until the first computation; `queued_at` marks a
    computation waiting in the task queue, so views and the scheduler never queue it twice."""

    area = models.CharField(max_length=80, unique=True)  # period|district|dong|internal|language
    period = models.CharField(max_length=8)
    district_code = models.CharField(max_length=10, blank=True)
    neighborhood_code = models.CharField(max_length=12, blank=True)
    internal = models.BooleanField(default=False)
    language = models.CharField(max_length=8)
    figures = models.JSONField(default=dict, blank=True)  # {widget key: {"data": {…}, "error": ""}}
    computed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)  # at most every few minutes: keeps it refreshed

    class Meta:
        indexes = [models.Index(fields=["computed_at"], name="dash_area_computed")]

    def __str__(self) -> str:
        return self.area
