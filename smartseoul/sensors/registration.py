"""What the sensors module offers the platform: API, pages, SensorThings, widgets, layers,
open-data exports, tiles, demo and commands."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest


def manifest() -> ModuleManifest:
    from .commands import COMMANDS

    return ModuleManifest(
        name="sensors",
        title=str(_("City sensors")),
        root_urls="smartseoul.sensors.sta.urls",
        commands=COMMANDS,
    )
