"""Users, roles, verification levels, the census list, one-time codes and API keys."""

from __future__ import annotations

from typing import Any

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

    # Whether the web request this user object serves has passed the second factor: set from the
    # session for a signed-in browser, from the key for an API client (`accounts.policy`). None
    # outside web requests (commands, tasks), where there is no second factor to ask for.
    second_factor_ok: bool | None = None

    class Meta:
        ordering = ["username"]

    @property
    def is_staff_role(self) -> bool:
        """Whether the account is a staff account (identity, not permission: see `acts_as_staff`)."""
        return self.role in STAFF_ROLES or self.is_superuser

    @property
    def staff_permissions_active(self) -> bool:
        """The one second-factor policy every staff permission goes through: a staff account that
        has not passed its second factor in this session (or whose API key was created without it)
        holds exactly a citizen's permissions until it does."""
        return not self.is_staff_role or self.second_factor_ok is not False

    @property
    def acts_as_staff(self) -> bool:
        return self.is_staff_role and self.staff_permissions_active

    @property
    def is_city_admin(self) -> bool:
        return self.staff_permissions_active and (self.is_superuser or self.role == Role.CITY_ADMIN)

    @property
    def is_official(self) -> bool:
        return self.acts_as_staff and (self.role != Role.AUDITOR or self.is_superuser)

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
        if not self.staff_permissions_active:
            return False
        if self.is_city_admin:
            return True
        cache = getattr(self, "_capability_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self._capability_cache = cache
        return capability in cache

    def has_perm(self, perm: str, obj: Any = None) -> bool:  # Django's admin asks this
        return self.staff_permissions_active and super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.staff_permissions_active and super().has_module_perms(app_label)

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


class ApiScope(models.TextChoices):
    """What a key may do: read or write one resource. Keys are read-only unless a write scope is given."""

    OPENDATA_READ = "opendata:read", _("Read open data (CKAN, Seoul OpenAPI, open-data API)")
    OPENDATA_WRITE = "opendata:write", _("Publish open data (CKAN write actions)")
    OPEN311_READ = "open311:read", _("Read reports (Open311)")
    OPEN311_WRITE = "open311:write", _("Submit reports (Open311)")
    COMPLAINTS_READ = "complaints:read", _("Read reports (platform API)")
    COMPLAINTS_WRITE = "complaints:write", _("File and answer reports (platform API)")
    SENSORS_READ = "sensors:read", _("Read sensor data")
    SENSORS_WRITE = "sensors:write", _("Send sensor readings (gateways)")


class ApiKey(models.Model):
    """A key for machine clients: Open311, the open-data APIs, sensor gateways, the platform API.
    Only a hash is kept; the key is shown once on creation. Scopes are `<resource>:read|write`;
    staff permissions travel with a key only if it was created after the second factor."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    daily_quota = models.PositiveIntegerField(default=1000)
    second_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
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
