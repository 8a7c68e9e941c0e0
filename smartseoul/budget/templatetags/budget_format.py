"""Template filters of the budget pages: amounts as people read them (80억 원 / KRW 8 billion)."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
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


HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


@register.filter
def lang_attr(text: object) -> SafeString:
    """` lang="ko"` on what people wrote in Korean (a project's title on an English page), so a
    screen reader reads it in Korean and it is not taken for untranslated interface text."""
    return mark_safe(' lang="ko"' if HANGUL.search(str(text or "")) else "")  # noqa: S308  (a fixed literal)
