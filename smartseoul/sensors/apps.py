from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest


class SensorsConfig(AppConfig):
    name = "smartseoul.sensors"
    label = "sensors"
    verbose_name = _("City sensors")

    def manifest(self) -> ModuleManifest:
        from . import registration

        return registration.manifest()
