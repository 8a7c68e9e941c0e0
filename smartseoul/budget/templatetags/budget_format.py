"""Template filters of the budget pages: amounts as people read them (80억 원 / KRW 8 billion)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from smartseoul.lib.money import krw_text

register = template.Library()


@register.filter
def won(amount: int | str | None) -> str:
    """80억 원 in Korean, KRW 8 billion in English; "" for what is not a whole number of won."""
    if amount is None or amount == "":
        return krw_text(None)
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    return krw_text(value, get_language() or "ko")


@register.filter
def why(outcome: Any) -> str:
    """Why a project was or was not funded, in the reader's language."""
    from smartseoul.budget.selectors import explanation

    return explanation(outcome) if outcome is not None else ""


@register.filter
def tie_rule(run: Any) -> str:
    from smartseoul.budget.selectors import tie_rule_text

    return tie_rule_text(run)

