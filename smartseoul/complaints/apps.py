from __future__ import annotations

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "smartseoul.complaints"
    label = "complaints"
