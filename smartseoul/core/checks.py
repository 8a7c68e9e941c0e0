"""Production start-up checks: a production start without its secrets fails loudly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


def production_problems() -> list[str]:
    """What a production deployment is missing, in plain words (also printed by `smartseoul check`)."""
    problems: list[str] = []
    if not settings.PRODUCTION:
        return problems
    try:
        secret = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to even read an empty SECRET_KEY
        secret = ""
    if not secret or "development" in secret or len(secret) < 40:
        problems.append("SECRET_KEY is missing or too short (use 50 random characters).")
    if not settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty (the public host names, comma-separated).")
    if not settings.FIELD_ENCRYPTION_KEY or "ZGV2ZWxvcG1lbnQ" in settings.FIELD_ENCRYPTION_KEY:
        problems.append("SMARTSEOUL_FIELD_KEY is missing (a Fernet key for personal fields).")
    if not settings.HASH_KEY or settings.HASH_KEY.startswith("development"):
        problems.append("SMARTSEOUL_HASH_KEY is missing (the pepper for keyed hashes).")
    if not settings.LEDGER_KEY:
        problems.append("SMARTSEOUL_LEDGER_KEY is missing (the ballot-log signing key: hex seed or file path).")
    import os

    if "DATABASE_URL" not in os.environ:
        problems.append("DATABASE_URL is missing (production runs on PostgreSQL).")
    elif settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append("DATABASE_URL points at SQLite; production runs on PostgreSQL.")
    if settings.DEBUG:
        problems.append("DEBUG is on.")
    return problems


@register(Tags.security, deploy=False)
def production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    return [Error(p, id="smartseoul.E001") for p in production_problems()]
