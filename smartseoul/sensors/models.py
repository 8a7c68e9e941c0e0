"""Tables of the sensors module.

SensorThings entities (Thing, Location, HistoricalLocation, Sensor, ObservedProperty, Datastream,
FeatureOfInterest) live in the database. Observations live in the lake (append-only Parquet,
see `lake.py`); the database keeps only each datastream's latest value, the rare corrections
made through the API (`ObservationRevision`) and the id sequence.

Derived values (district conditions, daily summaries) are the service stage's small tables for
widgets and alerts; the full aggregates are Parquet datasets in the lake.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ThingKind(models.TextChoices):
    SDOT_BOX = "sdot_box", _("S-DoT sensor box")
    HOME_DEVICE = "home_device", _("senior-care home device")
    PARKING_SPOT = "parking_spot", _("shared-parking spot sensor")
    OTHER = "other", _("other sensing device")


class Senior(models.Model):
    """A senior living alone who agreed to home sensors. Only a case label is kept here (no name,
    phone or address): the welfare office's own records link the label to the person."""

    label = models.CharField(max_length=40, unique=True, help_text=_("case number, e.g. JN-2024-0012"))
    district_code = models.CharField(max_length=10, db_index=True)
    dong_code = models.CharField(max_length=12, blank=True)
    active = models.BooleanField(default=True)
    no_motion_minutes = models.PositiveIntegerField(null=True, blank=True, help_text=_("overrides the city default"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class CaseworkerAssignment(models.Model):
    senior = models.ForeignKey(Senior, on_delete=models.CASCADE, related_name="assignments")
    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_assignments")
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["senior", "caseworker"], name="uniq_caseworker_senior")]

    def __str__(self) -> str:
        return f"CaseworkerAssignment {self.pk}"


class ParkingLot(models.Model):
    """A private or public car park whose owner shares spaces in given hours."""

    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True, help_text=_("the car park's name in English, if it has one"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="parking_lots")
    district_code = models.CharField(max_length=10, db_index=True)
    lat = models.FloatField()
    lon = models.FloatField()
    address = models.CharField(max_length=300, blank=True, help_text=_("public address of the car park"))
    # [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}]; weekday 0 = Monday, local time
    sharing_hours = models.JSONField(default=list)
    fee_note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Thing(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField()
    properties = models.JSONField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=ThingKind.choices, default=ThingKind.OTHER, db_index=True)
    serial = models.CharField(max_length=40, null=True, blank=True, unique=True)
    district_code = models.CharField(max_length=10, blank=True, db_index=True)
    dong_code = models.CharField(max_length=12, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sensor_things",
        help_text=_("the gateway account that registered it"),
    )
    senior = models.ForeignKey(Senior, null=True, blank=True, on_delete=models.CASCADE, related_name="devices")
    parking_lot = models.ForeignKey(ParkingLot, null=True, blank=True, on_delete=models.CASCADE, related_name="spots")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField()
    encoding_type = models.CharField(max_length=100)
    location = models.JSONField()
    properties = models.JSONField(null=True, blank=True)
    things = models.ManyToManyField(Thing, related_name="locations", blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class HistoricalLocation(models.Model):
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="historical_locations")
    time = models.DateTimeField()
    locations = models.ManyToManyField(Location, related_name="historical_locations", blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"HistoricalLocation {self.pk}"


class Sensor(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField()
    encoding_type = models.CharField(max_length=100)
    metadata = models.JSONField()
    properties = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ObservedProperty(models.Model):
    name = models.CharField(max_length=200)
    definition = models.CharField(max_length=300)
    description = models.TextField()
    properties = models.JSONField(null=True, blank=True)
    code = models.CharField(max_length=40, blank=True, db_index=True, help_text=_("quantity key, e.g. pm25"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Datastream(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField()
    unit_of_measurement = models.JSONField()
    observation_type = models.CharField(max_length=200)
    properties = models.JSONField(null=True, blank=True)
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="datastreams")
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="datastreams")
    observed_property = models.ForeignKey(ObservedProperty, on_delete=models.CASCADE, related_name="datastreams")
    quantity = models.CharField(max_length=40, blank=True, db_index=True)
    observed_area = models.JSONField(null=True, blank=True)
    phenomenon_start = models.DateTimeField(null=True, blank=True)
    phenomenon_end = models.DateTimeField(null=True, blank=True)
    result_time_start = models.DateTimeField(null=True, blank=True)
    result_time_end = models.DateTimeField(null=True, blank=True)
    # The latest observation (source-stage copy for fast "current value" reads).
    latest_observation_id = models.BigIntegerField(null=True, blank=True)
    latest_phenomenon_time = models.DateTimeField(null=True, blank=True)
    latest_result = models.FloatField(null=True, blank=True)
    latest_result_text = models.TextField(null=True, blank=True, help_text=_("exact JSON of a non-numeric result"))
    latest_result_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["thing", "quantity"])]

    def __str__(self) -> str:
        return self.name


class FeatureOfInterest(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField()
    encoding_type = models.CharField(max_length=100)
    feature = models.JSONField()
    properties = models.JSONField(null=True, blank=True)
    location = models.OneToOneField(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="generated_feature"
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ObservationRevision(models.Model):
    """A correction of an observation made through the API. The source stage stays append-only;
    readers replace the original row with `row`, or drop it when `deleted`."""

    observation_id = models.BigIntegerField(unique=True)
    deleted = models.BooleanField(default=False)
    row = models.JSONField(null=True, blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ObservationRevision {self.pk}"


class IdSequence(models.Model):
    """Observation ids are handed out in blocks, so a batch of 50,000 costs one row lock."""

    name = models.CharField(max_length=40, unique=True)
    next_value = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return self.name


class IndexThreshold(models.Model):
    """A versioned threshold table (fine-dust bands, heat-wave rule, UV bands, noise limits,
    senior-care defaults, S-DoT value ranges) with its source and effective date."""

    kind = models.CharField(max_length=40)
    version = models.CharField(max_length=20)
    table = models.JSONField()
    source = models.CharField(max_length=300)
    effective_from = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="uniq_threshold_version")]

    def __str__(self) -> str:
        return f"IndexThreshold {self.pk}"


class DistrictCondition(models.Model):
    """Service stage: the latest hourly figures per district, for widgets, maps and alerts."""

    district_code = models.CharField(max_length=10)
    hour = models.DateTimeField()
    pm10 = models.FloatField(null=True)
    pm25 = models.FloatField(null=True)
    dust_grade = models.CharField(max_length=12, blank=True)
    temperature = models.FloatField(null=True)
    humidity = models.FloatField(null=True)
    feels_like = models.FloatField(null=True)
    uv = models.FloatField(null=True)
    uv_level = models.CharField(max_length=12, blank=True)
    noise = models.FloatField(null=True)
    noise_exceedances = models.PositiveIntegerField(default=0, help_text=_("boxes above their noise limit"))
    boxes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-hour", "district_code"]
        constraints = [models.UniqueConstraint(fields=["district_code", "hour"], name="uniq_district_hour")]

    def __str__(self) -> str:
        return f"DistrictCondition {self.pk}"


class DistrictDay(models.Model):
    district_code = models.CharField(max_length=10)
    date = models.DateField()
    max_feels_like = models.FloatField(null=True)
    max_temperature = models.FloatField(null=True)
    pm10_mean = models.FloatField(null=True)
    pm25_mean = models.FloatField(null=True)
    max_uv = models.FloatField(null=True)
    heat_level = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-date", "district_code"]
        constraints = [models.UniqueConstraint(fields=["district_code", "date"], name="uniq_district_day")]

    def __str__(self) -> str:
        return f"DistrictDay {self.pk}"


class AlertKind(models.TextChoices):
    DUST = "dust", _("fine dust bad or worse")
    HEAT = "heat", _("heat-wave advisory or warning")
    UV = "uv", _("UV very high or extreme")


class AlertSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sensor_alerts")
    district_code = models.CharField(max_length=10)
    kinds = models.JSONField(default=list)
    channels = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["district_code"]
        constraints = [models.UniqueConstraint(fields=["user", "district_code"], name="uniq_alert_subscription")]

    def __str__(self) -> str:
        return f"AlertSubscription {self.pk}"


class AlertEpisode(models.Model):
    """One spell of a condition in a district, from the hour it starts to the hour it ends.
    Subscribers hear about an episode once, however long it lasts or however often it is re-evaluated."""

    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    district_code = models.CharField(max_length=10)
    level = models.CharField(max_length=12)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "district_code"], condition=Q(ended_at=None), name="one_open_episode"
            )
        ]

    def __str__(self) -> str:
        return f"AlertEpisode {self.pk}"


class AlertDelivery(models.Model):
    episode = models.ForeignKey(AlertEpisode, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "user"], name="uniq_alert_delivery")]

    def __str__(self) -> str:
        return f"AlertDelivery {self.pk}"


class FacilityKind(models.TextChoices):
    COOLING_SHELTER = "cooling_shelter", _("cooling shelter")
    INDOOR = "indoor", _("indoor place (clean-air shelter)")


class Facility(models.Model):
    """A place the city points people to in an alert (imported from the city's CSV/GeoJSON list)."""

    kind = models.CharField(max_length=20, choices=FacilityKind.choices)
    external_id = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    district_code = models.CharField(max_length=10, blank=True, db_index=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    opening_hours = models.CharField(max_length=100, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CareAlertKind(models.TextChoices):
    NO_MOTION = "no_motion", _("no movement")
    COLD = "cold", _("dangerously cold indoors")
    HOT = "hot", _("dangerously hot indoors")


class CareAlert(models.Model):
    senior = models.ForeignKey(Senior, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=12, choices=CareAlertKind.choices)
    opened_at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True)
    facts = models.JSONField(
        default=dict, blank=True, help_text=_("what the detail says, so each reader gets it in their language")
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["senior", "kind"], condition=Q(closed_at=None), name="one_open_care_alert")
        ]

    def __str__(self) -> str:
        return f"CareAlert {self.pk}"

    @property
    def detail_text(self) -> str:
        """The detail in the reader's language, written from the alert's facts (an alert
        without them keeps the text stored when it opened)."""
        from django.utils.translation import gettext

        from .timeutil import local_zone

        facts = self.facts or {}
        if self.kind == CareAlertKind.NO_MOTION and "since" in facts and "hours" in facts:
            since = datetime.fromisoformat(facts["since"]).astimezone(local_zone())
            return gettext("No movement detected at home since %(time)s (%(hours)s hours).") % {
                "time": since.strftime("%Y-%m-%d %H:%M"), "hours": f"{float(facts['hours']):.1f}"}
        if self.kind in (CareAlertKind.COLD, CareAlertKind.HOT) and "value" in facts:
            return gettext("Indoor temperature is %(value).1f °C.") % {"value": float(facts["value"])}
        return self.detail


class BrokerLogin(models.Model):
    """An MQTT broker login: one per device (a Thing) or per gateway account. The password is
    shown once; only its hash is kept, in the broker's own PBKDF2-SHA512 format, so the
    broker's password file is written from this table (`smartseoul sensors broker-files`)."""

    username = models.CharField(max_length=64, unique=True)
    password_hash = models.CharField(max_length=200)
    thing = models.ForeignKey(Thing, null=True, blank=True, on_delete=models.CASCADE, related_name="broker_logins")
    gateway = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="broker_logins"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(thing__isnull=True, gateway__isnull=False) | Q(thing__isnull=False, gateway__isnull=True),
                name="broker_login_device_or_gateway",
            )
        ]

    def __str__(self) -> str:
        return self.username
