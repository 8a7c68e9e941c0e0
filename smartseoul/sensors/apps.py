from __future__ import annotations

from django.apps import AppConfig


class SensorsConfig(AppConfig):
    name = "smartseoul.sensors"
    label = "sensors"
