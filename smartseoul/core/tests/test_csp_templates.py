"""Every page runs under `script-src 'self'`: no template may rely on what that policy refuses —
an inline script, an inline event handler or a javascript: URL (the error page's "Go back" link
was one, and did nothing)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.PROJECT_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates() -> list[Path]:
    return sorted({*ROOT.joinpath("templates").rglob("*.html"), *Path(settings.BASE_DIR).rglob("templates/**/*.html")})


def test_no_template_needs_what_the_csp_refuses() -> None:
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        checks = (("inline script", INLINE_SCRIPT), ("event handler", HANDLER), ("javascript: URL", JS_URL))
        for name, pattern in checks:
            found += [f"{path.relative_to(ROOT)}: {name}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert len(_templates()) > 50
    assert found == []


def test_the_error_page_goes_back_without_a_javascript_url(client, db) -> None:
    html = client.get("/complaints/r/1999-000001/").content.decode()
    link = re.search(r'<a [^>]*id="go-back"[^>]*>', html)
    assert link is not None and "javascript:" not in link.group(0) and "data-back" in link.group(0)
