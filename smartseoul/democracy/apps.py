from __future__ import annotations

from django.apps import AppConfig


class DemocracyConfig(AppConfig):
    name = "smartseoul.democracy"
    label = "democracy"
