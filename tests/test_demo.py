"""`smartseoul demo` loads every module's Seoul demo, and a second run changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from smartseoul.cli import main

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    """The demo records the day's housekeeping in the data directory: never the real one."""
    settings.DATA_DIR = tmp_path


def _row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "admin", "contenttypes", "django_tasks_db"}:
            continue
        counts[model._meta.label] = model.objects.count()
    return counts


def test_demo_loads_and_second_run_changes_nothing() -> None:
    assert main(["demo"]) == 0
    first = _row_counts()
    assert first["core.District"] == 25 and first["core.Neighborhood"] > 400
    assert first["accounts.User"] >= 5
    assert main(["demo"]) == 0
    assert _row_counts() == first


def test_demo_names_its_accounts_roles_and_where_to_sign_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` used to end without saying how to sign in."""
    monkeypatch.delenv("SMARTSEOUL_DEMO_PASSWORD", raising=False)
    assert main(["demo", "--host", "127.0.0.1", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    for username in ("citizen", "resident", "official", "planner", "analyst", "caseworker", "mayor"):
        assert username in out
    assert "http://127.0.0.1:8123/accounts/login/" in out
    assert "seoul-demo-2026" in out and "SMARTSEOUL_DEMO_PASSWORD" in out
    assert "시민 (종로구 주민)" in out and "Citizen, resident of Jongno-gu" in out  # roles in words, both languages
    assert "/dev/outbox/" in out


def test_a_chosen_demo_password_is_named_not_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTSEOUL_DEMO_PASSWORD", "our-own-secret-2026")
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "SMARTSEOUL_DEMO_PASSWORD" in out and "our-own-secret-2026" not in out


def test_no_demo_accounts_are_printed_in_production(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.delenv("SMARTSEOUL_DEMO_PASSWORD", raising=False)
    from smartseoul.accounts.demo import load_demo_accounts
    from smartseoul.cli import print_demo_sign_in
    from smartseoul.core.demo import load_core_demo

    load_core_demo()
    load_demo_accounts()
    print_demo_sign_in("127.0.0.1", 8000)
    assert "seoul-demo-2026" in capsys.readouterr().out
    settings.PRODUCTION = True
    print_demo_sign_in("127.0.0.1", 8000)
    out = capsys.readouterr().out
    assert out == ""


@pytest.mark.slow
def test_demo_on_a_data_directory_never_migrated_migrates_first(tmp_path: Path) -> None:
    """`smartseoul demo` on an empty data directory used to end in `no such table: core_city`."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_URL"))}
    env.update(SMARTSEOUL_ENV="development", SMARTSEOUL_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    done = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "demo", "--port", "8124"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "no such table" not in done.stderr
    assert "migrations first" in done.stdout
    assert "http://127.0.0.1:8124/accounts/login/" in done.stdout
    assert (tmp_path / "smartseoul.sqlite3").exists()
    assert (tmp_path / "scheduler-state.json").exists()  # today's housekeeping is done: serve starts idle
