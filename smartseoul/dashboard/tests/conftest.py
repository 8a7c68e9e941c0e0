"""Fixtures of the dashboard tests: fake modules registered through the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from smartseoul.core import registry
from smartseoul.core.registry import MapLayer, ModuleManifest, Widget


@pytest.fixture(autouse=True)
def _fresh_layer_cache() -> Iterator[None]:
    from smartseoul.dashboard import selectors

    selectors.clear_layer_cache()
    yield
    selectors.clear_layer_cache()


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """register(widgets=(...), layers=(...)): adds a fake module to the (cached) registry."""
    from smartseoul.dashboard import selectors

    real = registry.manifests()
    extra: list[ModuleManifest] = []

    def add(*, widgets: tuple[Widget, ...] = (), layers: tuple[MapLayer, ...] = (), name: str | None = None) -> None:
        extra.append(ModuleManifest(name=name or f"fake{len(extra)}", title="Fake", widgets=widgets, layers=layers))

    monkeypatch.setattr(registry, "manifests", lambda: (*real, *extra))
    selectors.clear_layer_cache()
    yield add
    selectors.clear_layer_cache()


@pytest.fixture
def demo(city: Any) -> Any:
    from smartseoul.dashboard.demo import load_demo

    load_demo()
    return city


@pytest.fixture
def moderator(city: Any, make_user: Any) -> Any:
    return make_user("moderator", capabilities=("moderator",))
