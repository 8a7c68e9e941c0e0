"""Users, roles, verification levels, the census list, one-time codes and API keys."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartseoul.lib.crypto import FieldCipher


class Role(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    OFFICIAL = "official", _("official")
    DISTRICT_ADMIN = "district_admin", _("district administrator")
    CITY_ADMIN = "city_admin", _("city administrator")
    AUDITOR = "auditor", _("auditor")


STAFF_ROLES = frozenset({Role.OFFICIAL, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.AUDITOR})


class Verification(models.IntegerChoices):
    UNVERIFIED = 0, _("unverified")
    PHONE = 1, _("phone verified")
    RESIDENT = 2, _("resident verified")
    REAL_NAME = 3, _("real-name verified")


class Capability(models.TextChoices):
    """Extra duties granted on top of a role (stored as Django groups of the same name)."""

    PROPOSAL_SELECTION = "proposal_selection", _("Proposal Selection Group")
    MODERATOR = "moderator", _("moderator")
    BUDGET_COMMITTEE = "budget_committee", _("budget citizen committee")
    CASEWORKER = "caseworker", _("senior-care caseworker")
    ANALYST = "analyst", _("data analyst")
    PUBLISHER = "publisher", _("open-data publisher")
    VOTE_OWNER = "vote_owner", _("vote owner")
    MAYOR = "mayor", _("mayor's office")


def _cipher() -> FieldCipher:
    return FieldCipher(settings.FIELD_ENCRYPTION_KEY)


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CITIZEN)
    verification = models.PositiveSmallIntegerField(choices=Verification.choices, default=Verification.UNVERIFIED)
    # The phone number is stored encrypted; `phone_hash` (keyed HMAC) finds a user by number.
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    phone_pending_encrypted = models.TextField(blank=True, editable=False)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    home_district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    preferred_language = models.CharField(max_length=5, default="ko")
    totp_secret_encrypted = models.TextField(blank=True, editable=False)
    totp_confirmed = models.BooleanField(default=False)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]

    @property
    def is_official(self) -> bool:
        return (self.role in STAFF_ROLES and self.role != Role.AUDITOR) or self.is_superuser

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES or self.is_superuser

    @property
    def has_phone(self) -> bool:
        return bool(self.phone_encrypted)

    @property
    def phone(self) -> str:
        """The decrypted number. Use only to deliver a message; never render it publicly."""
        return _cipher().decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    @property
    def totp_secret(self) -> str:
        return _cipher().decrypt(self.totp_secret_encrypted) if self.totp_secret_encrypted else ""

    def has_capability(self, capability: str) -> bool:
        if self.is_superuser or self.role == Role.CITY_ADMIN:
            return True
        cache = getattr(self, "_capability_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self._capability_cache = cache
        return capability in cache

    def public_name(self) -> str:
        """What public pages may show: a nickname-like handle, never the real name or phone."""
        return f"{self.username[:2]}***"


class ResidentRecord(models.Model):
    """One line of a district's census list: a keyed hash of the resident's identity, never
    the identifier itself. Matching it raises a user to resident-verified for that district."""

    district = models.ForeignKey("core.District", on_delete=models.CASCADE, related_name="census")
    key_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "key_hash"], name="uniq_census_entry")]

    def __str__(self) -> str:
        return f"{self.district_id}:{self.key_hash[:8]}…"


class PhoneChallenge(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_challenges")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"code for user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ApiKey(models.Model):
    """A key for machine clients: Open311 (scope open311), open-data API (opendata), sensor
    gateways (sensors). Only a hash is kept; the key is shown once on creation."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    daily_quota = models.PositiveIntegerField(default=1000)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyUsage(models.Model):
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="uniq_key_day")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.calls}"
