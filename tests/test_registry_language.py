"""What modules register for the mayor's office and the map is named in the reader's language:
a title turned into a string when the module loads is frozen in whatever language was active
then, and an English page shows Korean titles (or a Korean page English ones)."""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.functional import Promise

from smartseoul.core import registry

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _registered() -> tuple:
    return (*registry.manifests(), *registry.widgets(), *registry.layers(), *registry.tiles())


def _name(item: object) -> str:
    return str(getattr(item, "key", None) or getattr(item, "name", None) or getattr(item, "url_name", ""))


def test_every_widget_and_layer_title_is_translated_when_drawn() -> None:
    frozen = [_name(item) for item in _registered() if not isinstance(item.title, Promise)]
    assert frozen == []


def test_every_widget_and_layer_title_is_english_on_an_english_page() -> None:
    with translation.override("en"):
        korean = [f"{item.title}" for item in _registered() if HANGUL.search(str(item.title))]
    assert korean == []
