from __future__ import annotations

from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "smartseoul.opendata"
    label = "opendata"
