"""Production settings: `SMARTSEOUL_ENV=production smartseoul manage check --deploy` is clean when the
secrets are given, and names each missing one in plain words when they are not.

The check runs in a child process with only the variables a production start would have: the
settings module reads its environment once, at import."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT / "var"), "LANG": "C.UTF-8", "SMARTSEOUL_ENV": "production"}
    return subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "manage", "check", "--deploy"],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120, check=False,
    )


def _production_env() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "city.example",
        "SMARTSEOUL_FIELD_KEY": Fernet.generate_key().decode(),
        "SMARTSEOUL_HASH_KEY": secrets.token_urlsafe(32),
        "SMARTSEOUL_LEDGER_KEY": secrets.token_hex(32),
        # `check` does not connect; production runs on PostgreSQL, so its URL is given.
        "DATABASE_URL": "postgres://smartseoul:smartseoul@127.0.0.1:5432/smartseoul",
    }


def test_deploy_check_is_clean_in_production() -> None:
    result = _check(_production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "security.W" not in output


def test_debug_stays_off_in_production_unless_set_and_then_the_check_fails() -> None:
    result = _check({**_production_env(), "DEBUG": "1"})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DEBUG is on." in output


def test_missing_secrets_are_named_not_a_traceback() -> None:
    result = _check({})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SMARTSEOUL_FIELD_KEY", "SMARTSEOUL_HASH_KEY", "SMARTSEOUL_LEDGER_KEY",
                 "DATABASE_URL"):
        assert name in output, name


def _settings(env: dict[str, str], *names: str) -> list[str]:
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'smartseoul.settings'); "
        f"from django.conf import settings; print(*(getattr(settings, n) for n in {names!r}))"
    )
    base = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT / "var"), "LANG": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60,
        check=True,
    )
    return done.stdout.split()


def test_debug_is_off_by_default_outside_production() -> None:
    """The demo (`make run`) shows the platform's own error pages: DEBUG only when DEBUG=1 is set."""
    assert _settings({}, "DEBUG", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE") == ["False", "True", "Lax"]
    assert _settings({"DEBUG": "1"}, "DEBUG") == ["True"]


def test_cookies_are_secure_httponly_and_lax_in_production() -> None:
    names = ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
             "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "DEBUG")
    env = {**_production_env(), "SMARTSEOUL_ENV": "production"}
    assert _settings(env, *names) == ["True", "True", "Lax", "True", "True", "Lax", "False"]
