"""The platform's clock-driven work: every module's `periodic` jobs and, once per local day,
every module's `on_day` housekeeping (escalations, reminders, expiry, export refresh).

`smartseoul scheduler` runs it in a loop (started by `smartseoul serve`); `smartseoul daily`
runs the daily part once, e.g. from cron. A failing job is logged and retried next time; it
never stops the others.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections

from . import clock, registry

log = logging.getLogger("smartseoul.scheduler")


def run_daily(day: date) -> dict[str, str]:
    """Runs every module's on_day for `day`; returns {module: "ok" | error}."""
    outcome: dict[str, str] = {}
    for m in registry.manifests():
        if m.on_day is None:
            continue
        try:
            m.on_day(day)
            outcome[m.name] = "ok"
        except Exception as exc:  # one module's failure must not stop the others
            log.exception("daily work of %s failed", m.name)
            outcome[m.name] = f"{type(exc).__name__}: {exc}"[:200]
    return outcome


def _state_file() -> Path:
    return Path(settings.DATA_DIR) / "scheduler-state.json"


def _last_daily() -> str:
    try:
        return str(json.loads(_state_file().read_text())["daily"])
    except (OSError, ValueError, KeyError):
        return ""


def run_daily_if_due() -> dict[str, str] | None:
    """Today's housekeeping, unless it already ran today (the scheduler's state file says so)."""
    today = clock.today_local().date()
    if _last_daily() == today.isoformat():
        return None
    outcome = run_daily(today)
    _state_file().write_text(json.dumps({"daily": today.isoformat()}))
    close_old_connections()
    return outcome


def run_forever(stop: threading.Event | None = None, tick_seconds: float = 1.0) -> None:
    stop = stop or threading.Event()
    last_run: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for job in registry.periodic():
            if now - last_run.get(job.name, 0.0) >= job.seconds:
                last_run[job.name] = now
                try:
                    job.run()
                except Exception:  # logged, retried at the next interval
                    log.exception("periodic job %s failed", job.name)
                finally:
                    close_old_connections()
        run_daily_if_due()
        stop.wait(tick_seconds)
