"""Every icon a page asks for is a symbol of the site's sprite (static/smartseoul/icons.svg): a
missing one draws nothing, silently."""

from __future__ import annotations

import re
from pathlib import Path

from smartseoul.core import poi, registry

SPRITE = Path(__file__).resolve().parents[3] / "static" / "smartseoul" / "icons.svg"
TEMPLATES = Path(__file__).resolve().parents[3]


def _symbols() -> set[str]:
    return set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text(encoding="utf-8")))


def test_every_tile_and_facility_icon_is_in_the_sprite() -> None:
    names = {t.icon for t in registry.tiles()} | {spec.icon for spec in poi.DEFAULT_TYPES}
    assert names - _symbols() == set()


def test_every_icon_a_template_names_is_in_the_sprite() -> None:
    used: set[str] = set()
    for template in [*TEMPLATES.glob("templates/**/*.html"), *TEMPLATES.glob("smartseoul/*/templates/**/*.html")]:
        used |= set(re.findall(r'{%\s*icon\s+"([^"]+)"', template.read_text(encoding="utf-8")))
    assert used and used - _symbols() == set()


def test_the_sprite_names_each_symbol_once() -> None:
    ids = re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids))
