"""Background work of Democracy Seoul: the daily ladder run (expiry, forum results, reminders)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def ladder_daily() -> dict[str, int]:
    return services.ladder_tick()
