"""Compiles every module's `locale/*/LC_MESSAGES/django.po` to `.mo` in pure Python (polib),
so neither a fresh machine nor CI needs GNU gettext. Run by `make run`/`make test`
(`smartseoul compile-translations`) and by the test session."""

from __future__ import annotations

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def compile_translations(root: Path = PACKAGE_DIR) -> int:
    """Compiles .po files whose .mo is missing or older; returns how many were compiled."""
    compiled = 0
    for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled += 1
    return compiled
