from __future__ import annotations

from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "smartseoul.budget"
    label = "budget"
