"""Reads of the accounts module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyotp
from django.db.models import QuerySet, Sum
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from smartseoul.core import clock
from smartseoul.lib.qr import group_key, qr_svg

from .models import ApiKey, ApiKeyUsage, ApiScope, Role, User


def officials_of(department_id: int) -> QuerySet[User]:
    return User.objects.filter(department_id=department_id, is_active=True).exclude(role=Role.CITIZEN)


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()


def api_keys(owner: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=owner)


# Write scopes only a staff account can exercise (publishing for an organisation, a sensor gateway).
STAFF_WRITE_SCOPES = frozenset({ApiScope.OPENDATA_WRITE, ApiScope.SENSORS_WRITE})


def api_key_scopes_for(user: User) -> list[tuple[str, Any]]:
    """The scopes offered to `user` when making a key: every read, and the writes the account can use."""
    return [(v, label) for v, label in ApiScope.choices if user.is_staff_role or v not in STAFF_WRITE_SCOPES]


def api_key_calls_today(key: ApiKey) -> int:
    today = clock.today_local().date()
    return ApiKeyUsage.objects.filter(key=key, day=today).aggregate(n=Sum("calls"))["n"] or 0


@dataclass(frozen=True)
class TotpSetup:
    """What the second-factor page shows while an official's authenticator is not yet confirmed."""

    secret: str  # base32, as the app expects it
    grouped: str  # the same key in groups of four, for typing
    uri: str  # otpauth:// provisioning URI
    qr: SafeString  # the URI drawn as an inline SVG QR code


def totp_uri(user: User) -> str:
    """The otpauth:// URI of a user's secret, as an authenticator app reads it from a QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="Smart Seoul")


def totp_setup(user: User) -> TotpSetup | None:
    """The pending authenticator key of `user` (None once confirmed or before `totp_begin`)."""
    if user.totp_confirmed or not user.totp_secret_encrypted:
        return None
    secret = user.totp_secret
    uri = totp_uri(user)
    svg = qr_svg(uri, title=_("QR code of the authenticator key"))
    return TotpSetup(secret=secret, grouped=group_key(secret), uri=uri, qr=mark_safe(svg))  # noqa: S308  (our own SVG)


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as the demo's sign-in guide names it."""

    username: str
    role: str  # in words, in the active language
    try_: str  # what to try with it
    start: str  # the page to start from
    official: bool  # signs in with a second factor


@dataclass(frozen=True)
class DemoSignIn:
    """How to sign in to the demo: its accounts and the password (None when it was chosen in
    SMARTSEOUL_DEMO_PASSWORD, which a page never shows)."""

    accounts: list[DemoAccount]
    password: str | None
    password_env: str


def demo_sign_in() -> DemoSignIn | None:
    """The demo accounts present in this database (None in production or without a demo)."""
    from django.conf import settings

    from .demo import DEMO_GUIDE, DEMO_PASSWORD_ENV, DEMO_USERS, demo_password

    if settings.PRODUCTION:
        return None
    present = set(User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list("username", flat=True))
    accounts = [
        DemoAccount(
            username=username,
            role=str(DEMO_GUIDE[username][0]),
            try_=str(DEMO_GUIDE[username][1]),
            start=DEMO_GUIDE[username][2],
            official=role != Role.CITIZEN,
        )
        for username, role, *_rest in DEMO_USERS
        if username in present and username in DEMO_GUIDE
    ]
    if not accounts:
        return None
    password, from_env = demo_password()
    return DemoSignIn(accounts=accounts, password=None if from_env else password, password_env=DEMO_PASSWORD_ENV)
