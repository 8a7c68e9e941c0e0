"""Writes of the accounts module: registration, verification, roles, second factor, API keys."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

import pyotp
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext

from smartseoul.core import clock
from smartseoul.core.models import District
from smartseoul.core.services import audit_record, notify
from smartseoul.lib.crypto import FieldCipher, keyed_hash, normalise_phone, numeric_code

from .errors import (
    AccountConflict,
    AccountErrorCode,
    AccountForbidden,
    AccountInvalid,
    AccountNotFound,
    AccountRateLimited,
)
from .models import (
    STAFF_ROLES,
    ApiKey,
    ApiKeyUsage,
    ApiScope,
    Capability,
    PhoneChallenge,
    ResidentRecord,
    Role,
    User,
    Verification,
)
from .selectors import totp_uri

if TYPE_CHECKING:
    from django.http import HttpRequest

CODE_TTL = timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 5


def _cipher() -> FieldCipher:
    return FieldCipher(settings.FIELD_ENCRYPTION_KEY)


def identity_hash(*parts: str) -> str:
    """Keyed hash with the platform's pepper: phone look-ups, census lines, vote nullifiers."""
    return keyed_hash(settings.HASH_KEY, *parts)


def phone_hash(phone: str) -> str:
    try:
        number = normalise_phone(phone)
    except ValueError as exc:
        raise AccountInvalid(
            "Enter a Korean mobile number such as 010-1234-5678.", code=AccountErrorCode.BAD_PHONE
        ) from exc
    return identity_hash("phone", number)


# --- registration and phone verification ------------------------------------------------------


@transaction.atomic
def user_register(
    *, username: str, password: str, email: str = "", language: str = "ko", role: str = Role.CITIZEN
) -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    username = username.strip()
    if not username:
        raise AccountInvalid("Choose a user name.", code="invalid")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountInvalid("That user name is taken.", code=AccountErrorCode.USERNAME_TAKEN)
    user = User(username=username, email=email.strip(), preferred_language=language, role=role)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountInvalid(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def phone_challenge_start(*, user: User, phone: str) -> PhoneChallenge:
    """Sends a 6-digit code to the number through the SMS gateway (the outbox)."""
    try:
        number = normalise_phone(phone)
    except ValueError as exc:
        raise AccountInvalid(
            "Enter a Korean mobile number such as 010-1234-5678.", code=AccountErrorCode.BAD_PHONE
        ) from exc
    h = identity_hash("phone", number)
    if User.objects.filter(phone_hash=h).exclude(pk=user.pk).exists():
        raise AccountInvalid("This number is already verified on another account.", code=AccountErrorCode.PHONE_TAKEN)
    since = clock.now() - timedelta(hours=1)
    if PhoneChallenge.objects.filter(user=user, created_at__gte=since).count() >= 5:
        raise AccountRateLimited(
            "Too many codes requested; try again in an hour.", code=AccountErrorCode.TOO_MANY_ATTEMPTS
        )
    code = numeric_code(6)
    now = clock.now()
    user.phone_pending_encrypted = _cipher().encrypt(number)
    user.save(update_fields=["phone_pending_encrypted"])
    challenge = PhoneChallenge.objects.create(
        user=user, code_hash=identity_hash("otp", str(user.pk), code), expires_at=now + CODE_TTL, created_at=now
    )
    _send_code(user, number, code)
    return challenge


def _send_code(user: User, number: str, code: str) -> None:
    """The code goes to the pending number: the message is queued for the user with the
    pending number as the SMS address, because the number is not the user's yet."""
    from smartseoul.core.models import Channel, DeliveryStatus, Notification
    from smartseoul.core.notifications import sms_gateway

    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = gettext("Smart Seoul verification code %(code)s. It is valid for 5 minutes.") % {"code": code}
        subject = gettext("Smart Seoul")
    n = Notification.objects.create(
        recipient=user,
        channel=Channel.SMS,
        kind="accounts.phone_code",
        subject=subject,
        body=text,
        created_at=clock.now(),
        status=DeliveryStatus.PENDING,
    )
    sms_gateway().send(number, text)
    Notification.objects.filter(pk=n.pk).update(status=DeliveryStatus.SENT, sent_at=clock.now(), attempts=1)


@transaction.atomic
def phone_challenge_confirm(*, user: User, code: str) -> User:
    challenge = PhoneChallenge.objects.select_for_update().filter(user=user, used=False).order_by("-created_at").first()
    if challenge is None or not user.phone_pending_encrypted:
        raise AccountInvalid("Request a code first.", code=AccountErrorCode.BAD_CODE)
    if challenge.expires_at < clock.now():
        raise AccountInvalid("The code has expired; request a new one.", code=AccountErrorCode.CODE_EXPIRED)
    if challenge.attempts >= CODE_MAX_ATTEMPTS:
        raise AccountInvalid("Too many wrong codes; request a new one.", code=AccountErrorCode.TOO_MANY_ATTEMPTS)
    if not secrets.compare_digest(challenge.code_hash, identity_hash("otp", str(user.pk), code.strip())):
        PhoneChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
        raise AccountInvalid("That code is not right.", code=AccountErrorCode.BAD_CODE)
    challenge.used = True
    challenge.save(update_fields=["used"])
    number = _cipher().decrypt(user.phone_pending_encrypted)
    user.phone_encrypted = user.phone_pending_encrypted
    user.phone_pending_encrypted = ""
    user.phone_hash = identity_hash("phone", number)
    user.verification = max(user.verification, Verification.PHONE)
    try:
        with transaction.atomic():
            user.save(update_fields=["phone_encrypted", "phone_pending_encrypted", "phone_hash", "verification"])
    except IntegrityError as exc:
        raise AccountInvalid(
            "This number is already verified on another account.", code=AccountErrorCode.PHONE_TAKEN
        ) from exc
    return user


def user_set_phone_verified(*, user: User, phone: str) -> User:
    """Fixtures and trusted imports: sets a verified phone without a code."""
    number = normalise_phone(phone)
    user.phone_encrypted = _cipher().encrypt(number)
    user.phone_hash = identity_hash("phone", number)
    user.verification = max(user.verification, Verification.PHONE)
    user.save(update_fields=["phone_encrypted", "phone_hash", "verification"])
    return user


# --- residents ---------------------------------------------------------------------------------


def census_key(name: str, birth_date: str, phone: str) -> str:
    """The keyed hash a district's census export holds per resident. A district computes it
    with the same pepper (see docs/accounts.md); the platform never sees the plain identity."""
    return identity_hash("census", name.strip(), birth_date.strip(), normalise_phone(phone))


@transaction.atomic
def census_import(*, district: District, lines: Iterable[str], actor: User | None = None) -> int:
    """Replaces a district's census list from CSV lines with one column `key_hash` (64 hex)."""
    reader = csv.DictReader(io.StringIO("".join(lines)))
    if reader.fieldnames is None or "key_hash" not in reader.fieldnames:
        raise AccountInvalid(
            "The census file needs a header with a key_hash column.", code=AccountErrorCode.BAD_CENSUS_FILE
        )
    hashes: set[str] = set()
    for lineno, row in enumerate(reader, start=2):
        value = (row.get("key_hash") or "").strip().lower()
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise AccountInvalid(
                f"Line {lineno}: key_hash must be 64 hexadecimal characters (never a plain identifier).",
                code=AccountErrorCode.BAD_CENSUS_FILE,
            )
        hashes.add(value)
    ResidentRecord.objects.filter(district=district).delete()
    now = clock.now()
    ResidentRecord.objects.bulk_create(
        [ResidentRecord(district=district, key_hash=h, imported_at=now) for h in hashes], batch_size=2000
    )
    audit_record(actor=actor, action="accounts.census_import", target=district, details={"entries": len(hashes)})
    return len(hashes)


@transaction.atomic
def resident_verify(*, user: User, name: str, birth_date: str) -> User:
    """Raises the user to resident-verified when (name, birth date, verified phone) is on a census list."""
    if user.verification < Verification.PHONE:
        raise AccountInvalid("Verify your phone first.", code=AccountErrorCode.VERIFICATION_REQUIRED)
    key = census_key(name, birth_date, user.phone)
    record = ResidentRecord.objects.select_related("district").filter(key_hash=key).first()
    if record is None:
        raise AccountInvalid(
            "We could not find you on a district's resident list.", code=AccountErrorCode.NOT_IN_CENSUS
        )
    user.home_district = record.district
    user.verification = max(user.verification, Verification.RESIDENT)
    user.save(update_fields=["home_district", "verification"])
    return user


def user_set_resident(*, user: User, district: District, level: int = Verification.RESIDENT) -> User:
    """Fixtures and the identity provider's callback: marks a user resident of a district."""
    user.home_district = district
    user.verification = max(user.verification, level)
    user.save(update_fields=["home_district", "verification"])
    return user


# --- roles and capabilities --------------------------------------------------------------------


@transaction.atomic
def user_set_role(
    *, actor: User, user: User, role: str, department_id: int | None = None, request: HttpRequest | None = None
) -> User:
    if not (actor.is_city_admin or (actor.acts_as_staff and actor.role == Role.DISTRICT_ADMIN)):
        raise AccountForbidden("Only administrators change roles.")
    if actor.role == Role.DISTRICT_ADMIN and role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AUDITOR):
        raise AccountForbidden("A district administrator cannot grant that role.")
    if role not in Role.values:
        raise AccountInvalid(f"Unknown role {role!r}.", code="invalid")
    before = {"role": user.role, "department_id": user.department_id}
    user.role = role
    if department_id is not None:
        user.department_id = department_id
    user.is_staff = role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.OFFICIAL, Role.AUDITOR)
    user.save(update_fields=["role", "department", "is_staff"])
    audit_record(
        actor=actor,
        action="accounts.role_change",
        target=user,
        request=request,
        details={"before": before, "after": {"role": role, "department_id": user.department_id}},
    )
    return user


def user_grant_capability(*, user: User, capability: str, actor: User | None = None) -> User:
    if capability not in Capability.values:
        raise AccountInvalid(f"Unknown capability {capability!r}.", code="invalid")
    group, _ = Group.objects.get_or_create(name=capability)
    user.groups.add(group)
    if hasattr(user, "_capability_cache"):
        del user._capability_cache
    audit_record(actor=actor, action="accounts.capability_grant", target=user, details={"capability": capability})
    return user


# --- sign-in, lock-out, second factor -----------------------------------------------------------


def _login_account(username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()


def login_failed(*, username: str, request: HttpRequest | None = None) -> None:
    """Counts a failed sign-in against the account; the N-th locks it. The count is raised in the
    database, so concurrent guesses each count (a read-modify-write would lose some)."""
    user = _login_account(username)
    if user is None:
        return
    accounts = User.objects.filter(pk=user.pk)
    accounts.update(failed_logins=F("failed_logins") + 1)
    locked = accounts.filter(failed_logins__gte=settings.LOGIN_MAX_FAILURES).update(
        failed_logins=0, locked_until=clock.now() + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    )
    if locked:  # only the request that locked it records it
        audit_record(actor=None, action="accounts.lockout", target=user, request=request)


def login_check_lock(*, username: str) -> None:
    user = User.objects.filter(username__iexact=username).only("locked_until").first()
    if user is not None and user.locked_until and user.locked_until > clock.now():
        seconds = (user.locked_until - clock.now()).total_seconds()
        minutes = max(1, math.ceil(seconds / 60))
        raise AccountRateLimited(
            gettext("Too many failed sign-ins: this account is locked. Try again in %(minutes)s minutes.")
            % {"minutes": minutes},
            code=AccountErrorCode.LOCKED,
            retry_after=math.ceil(seconds),
        )


def login_succeeded(*, user: User, request: HttpRequest | None = None) -> None:
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
    if user.is_staff_role:
        audit_record(actor=user, action="accounts.login", target=user, request=request)


def totp_begin(*, user: User) -> str:
    """Starts the authenticator set-up and returns the provisioning URI of the pending secret.

    Idempotent: the unconfirmed secret is made once and kept until a code confirms it, so the
    key a person typed into their app on one page load is the key the next code is checked
    against. A confirmed authenticator is never replaced here."""
    if user.totp_confirmed:
        raise AccountConflict("The authenticator is already set up.", code=AccountErrorCode.NOT_ALLOWED)
    if not user.totp_secret_encrypted:
        user.totp_secret_encrypted = _cipher().encrypt(pyotp.random_base32())
        user.save(update_fields=["totp_secret_encrypted"])
    return totp_uri(user)


def totp_verify(*, user: User, code: str, request: HttpRequest | None = None) -> None:
    """Checks a TOTP code (confirming the secret on first use); raises on a wrong code."""
    if not user.totp_secret_encrypted:
        raise AccountInvalid("Set up the authenticator first.", code=AccountErrorCode.SECOND_FACTOR_REQUIRED)
    if not pyotp.TOTP(user.totp_secret).verify(code.strip(), for_time=clock.now(), valid_window=1):
        audit_record(actor=user, action="accounts.totp_failed", target=user, request=request)
        raise AccountInvalid("That authenticator code is not right.", code=AccountErrorCode.BAD_TOTP)
    if not user.totp_confirmed:
        user.totp_confirmed = True
        user.save(update_fields=["totp_confirmed"])
    audit_record(actor=user, action="accounts.second_factor", target=user, request=request)


# --- API keys -----------------------------------------------------------------------------------


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


API_KEY_LIFETIME = timedelta(days=365)
KEY_FLAGS = frozenset({"opendata-sample"})  # markers a module may add beside the scopes


def api_key_create(
    *,
    owner: User,
    name: str,
    scopes: Iterable[str],
    daily_quota: int = 1000,
    second_factor: bool = False,
    lifetime: timedelta = API_KEY_LIFETIME,
    request: HttpRequest | None = None,
) -> tuple[ApiKey, str]:
    """Returns the key row and the raw key, which is shown once and never stored (only its hash).

    `second_factor`: the owner passed it in the session that creates the key. A staff account
    creates keys only after it; a key carries staff permissions only if it was made so."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in ApiScope.values and s not in KEY_FLAGS]
    if unknown or not any(s in ApiScope.values for s in scopes):
        raise AccountInvalid(gettext("Choose what the key may do."), code=AccountErrorCode.BAD_SCOPE, scopes=unknown)
    if owner.is_staff_role and not second_factor:
        raise AccountForbidden(
            gettext("Complete two-factor sign-in before creating a key."),
            code=AccountErrorCode.SECOND_FACTOR_REQUIRED,
        )
    raw = "ss_" + secrets.token_urlsafe(24)
    now = clock.now()
    with transaction.atomic():
        key = ApiKey.objects.create(
            owner=owner,
            name=name[:100],
            prefix=raw[:10],
            key_hash=_key_hash(raw),
            scopes=scopes,
            daily_quota=daily_quota,
            second_factor=second_factor and owner.is_staff_role,
            created_at=now,
            expires_at=now + lifetime,
        )
        audit_record(actor=owner, action="accounts.api_key_create", target=key,
                     details={"prefix": key.prefix, "scopes": scopes}, request=request)
    return key, raw


def api_key_revoke(*, owner: User | None, key_id: int, request: HttpRequest | None = None) -> ApiKey:
    """Revokes a key of `owner` (None: any key, for the command that lists unsafe staff keys)."""
    keys = ApiKey.objects.filter(pk=key_id, revoked_at=None)
    if owner is not None:
        keys = keys.filter(owner=owner)
    with transaction.atomic():
        key = keys.select_for_update().first()
        if key is None:
            raise AccountNotFound(gettext("No such key."))
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=owner, action="accounts.api_key_revoke", target=key, details={"prefix": key.prefix},
                     request=request)
    return key


def api_key_authenticate(*, raw: str, scope: str, write: bool = False, count: bool = True) -> ApiKey:
    """The active, unexpired key allowed to read (or `write`) `scope`, counting one call against
    its daily quota. The key's owner comes back bound to the key's second-factor state."""
    from .policy import bind_key

    key = ApiKey.objects.select_related("owner").filter(key_hash=_key_hash(raw.strip()), revoked_at=None).first()
    now = clock.now()
    if key is None or not key.owner.is_active or (key.expires_at is not None and key.expires_at <= now):
        raise AccountForbidden("Invalid API key.", code=AccountErrorCode.BAD_API_KEY)
    scopes = set(key.scopes)
    if f"{scope}:write" not in scopes:
        if f"{scope}:read" not in scopes:
            raise AccountForbidden("Invalid API key.", code=AccountErrorCode.BAD_API_KEY)
        if write:
            raise AccountForbidden("This key is read-only: create a key that may write.",
                                   code=AccountErrorCode.KEY_READ_ONLY)
    bind_key(key)
    if count:
        first_today = api_key_count_call(key=key) == 1
        if write or first_today:  # every write, and the first read of each day, in the audit log
            audit_record(actor=key.owner, action="accounts.api_key_use", target=key,
                         details={"prefix": key.prefix, "scope": scope, "write": write})
    return key


def api_keys_without_second_factor() -> QuerySet[ApiKey]:
    """Staff accounts' live keys made before (or without) the second factor: to revoke."""
    staff = Q(owner__role__in=STAFF_ROLES) | Q(owner__is_superuser=True)
    return ApiKey.objects.filter(staff, revoked_at=None, second_factor=False).select_related("owner")


def api_key_count_call(*, key: ApiKey) -> int:
    """Counts one call for today; raises QUOTA_EXCEEDED (HTTP 429) past the key's daily quota."""
    today = clock.today_local().date()
    with transaction.atomic():
        usage, _ = ApiKeyUsage.objects.get_or_create(key=key, day=today)
        ApiKeyUsage.objects.filter(pk=usage.pk).update(calls=F("calls") + 1)
        calls = ApiKeyUsage.objects.values_list("calls", flat=True).get(pk=usage.pk)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=clock.now())
    if calls > key.daily_quota:
        raise AccountRateLimited("This key has used its daily quota.", code=AccountErrorCode.QUOTA_EXCEEDED)
    return calls


def notify_user(*, user: User, kind: str, subject: str, body: str, link: str = "") -> None:
    """Shortcut used by accounts pages (welcome, lock-out)."""
    notify(recipient=user, kind=kind, subject=subject, body=body, link=link)
