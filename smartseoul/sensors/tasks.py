"""Scheduled work of the sensors module (django-tasks): the service stage and the care rules."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from smartseoul.core import clock


@task()
def derive_today() -> dict[str, int]:
    """Hourly: aggregates, indices and alerts for the current local day."""
    from .services.derive import derive_day

    return derive_day(day=clock.today_local().date())


@task()
def derive_for(day_iso: str) -> dict[str, int]:
    from .services.derive import derive_day

    return derive_day(day=date.fromisoformat(day_iso))


@task()
def care_check_now() -> int:
    """Every few minutes: the senior-care rules."""
    from .services.care import care_check

    return len(care_check())
