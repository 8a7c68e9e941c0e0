"""Template filters of the Democracy Seoul pages.

`lang_attr` marks what citizens wrote (titles, problems, comments) with the language it is written
in, so that a Korean proposal on an English page is read in Korean by a screen reader and is not
taken for untranslated interface text."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


@register.filter
def lang_attr(text: object) -> SafeString:
    """` lang="ko"` for text with Hangul in it, else nothing (the page's language applies)."""
    return mark_safe(' lang="ko"' if HANGUL.search(str(text or "")) else "")  # noqa: S308  (a fixed literal)
