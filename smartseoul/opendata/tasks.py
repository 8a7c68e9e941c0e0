"""Background work: the scheduled refresh of module exports (daily, and on demand)."""

from __future__ import annotations

import logging
from datetime import date

from django_tasks import task

from . import services

log = logging.getLogger("smartseoul.opendata")


@task()
def refresh_exports() -> dict[str, object]:
    summary = services.exports_refresh_all()
    return {"refreshed": summary.refreshed, "failed": summary.failed}


def on_day(day: date) -> None:
    """Daily housekeeping: queue the export refresh."""
    refresh_exports.enqueue()
