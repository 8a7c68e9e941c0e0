"""Tables of the analytics module: the hexagon grid, jobs and their results, trip imports,
existing routes a city uploads, and the commercial-district indicators.

Trips themselves live in the lake (`LAKE_DIR/trips/date=YYYY-MM-DD/*.parquet`), not here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GridCell(models.Model):
    """One H3 cell of the city grid, tagged with the district and dong of its centre."""

    resolution = models.PositiveSmallIntegerField()
    cell = models.CharField(max_length=16, help_text="H3 index, hexadecimal")
    cell_id = models.BigIntegerField(help_text="H3 index as a 64-bit integer (as stored in the lake)")
    district_code = models.CharField(max_length=10, db_index=True)
    dong_code = models.CharField(max_length=12, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    boundaries_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["resolution", "cell_id"]
        constraints = [models.UniqueConstraint(fields=["resolution", "cell_id"], name="uniq_grid_cell")]

    def __str__(self) -> str:
        return self.cell


class JobKind(models.TextChoices):
    SYNTH = "synth", _("generate night demand")
    OD = "od", _("origin–destination analysis")
    PLAN = "plan", _("night-bus route plan")
    SITING = "siting", _("facility siting")
    DENSITY = "density", _("hexagon density")
    COMMERCE = "commerce", _("commercial-district indicators")


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


FINISHED_STATES = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Job(models.Model):
    """A long analysis: queued, run by the task worker with progress, cancellable; its result
    (summary and GeoJSON) is kept for the maps, the downloads and the open-data exports."""

    kind = models.CharField(max_length=10, choices=JobKind.choices)
    title = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=200, blank=True)
    cancel_requested = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    geojson = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "state", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class TripImport(models.Model):
    """One load of trips into the lake (a file or a synthetic batch) with its bad-row report."""

    source = models.CharField(max_length=200)
    synthetic = models.BooleanField(default=False)
    rows_total = models.PositiveBigIntegerField(default=0)
    rows_good = models.PositiveBigIntegerField(default=0)
    rows_bad = models.PositiveBigIntegerField(default=0)
    bad_rows = models.JSONField(default=list, blank=True, help_text="first bad rows: line and reason")
    bad_reasons = models.JSONField(default=dict, blank=True, help_text="count per reason")
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.source


class ExistingRoute(models.Model):
    """A bus route the city runs today (uploaded as GeoJSON), to compare plans against."""

    name = models.CharField(max_length=100, unique=True)
    geometry = models.JSONField(help_text="GeoJSON LineString, WGS84")
    cells = models.JSONField(default=list, help_text="grid cells along the route, in order")
    resolution = models.PositiveSmallIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Light(models.IntegerChoices):
    """The start-up traffic light (Seoul's 'My Neighborhood Analysis'): four levels of risk."""

    SAFE = 0, _("low risk")
    CAUTION = 1, _("caution")
    WARNING = 2, _("warning")
    HIGH_RISK = 3, _("high risk")


class CommerceIndicator(models.Model):
    """Indicators of one area (dong) × business category at a reference date."""

    area_code = models.CharField(max_length=12)
    district_code = models.CharField(max_length=10, db_index=True)
    category = models.CharField(max_length=40)
    reference_date = models.DateField()
    stores = models.PositiveIntegerField()
    openings_1y = models.PositiveIntegerField()
    closures_1y = models.PositiveIntegerField()
    survival_1y = models.FloatField(null=True)
    survival_3y = models.FloatField(null=True)
    closure_rate = models.FloatField(null=True)
    store_growth = models.FloatField(null=True)
    sales_trend = models.FloatField(null=True)
    sales_per_store = models.FloatField(null=True, help_text="last four quarters, KRW")
    light = models.PositiveSmallIntegerField(choices=Light.choices, null=True, help_text="empty: too few stores")
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["area_code", "category"]
        constraints = [models.UniqueConstraint(fields=["area_code", "category"], name="uniq_commerce_area_category")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.category}"
