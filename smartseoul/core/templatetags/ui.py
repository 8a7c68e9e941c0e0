"""Template tags every page may use without loading them (settings: builtins)."""

from __future__ import annotations

import re

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """An icon from the platform's SVG sprite (static/smartseoul/icons.svg). Decorative unless a
    label is given, which then names it for screen readers."""
    href = f"{static('smartseoul/icons.svg')}#{name}"
    if label:
        return format_html('<svg class="icon" role="img" aria-label="{}"><use href="{}"></use></svg>', label, href)
    return format_html('<svg class="icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', href)


@register.simple_tag(takes_context=True)
def block_text(context: template.Context, name: str) -> str:
    """What the page's own `{% block name %}` renders, drawn a second time elsewhere in the layout
    (the page title ends the breadcrumbs), so no page has to write it twice."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block(name) if blocks is not None else None
    return block.nodelist.render(context) if block is not None else ""


HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


@register.filter
def lang_attr(text: object) -> SafeString:
    """` lang="ko"` for what people wrote in Korean (a title in the breadcrumbs of an English page),
    else nothing: the page's language applies."""
    return mark_safe(' lang="ko"' if HANGUL.search(str(text or "")) else "")  # noqa: S308  (a fixed literal)
