from __future__ import annotations

from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "smartseoul.voting"
    label = "voting"
