"""`smartseoul demo` loads every module's Seoul demo, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from smartseoul.cli import main

pytestmark = pytest.mark.django_db(transaction=True)


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
