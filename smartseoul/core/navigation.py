"""The site-wide navigation every page shares: the main menu (from the modules' tiles) and the
breadcrumbs (home › the module › the page). Read by the base layout through the context processor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import registry

# The main menu's groups, in order, and the tile groups each one gathers.
MENU: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("participate", _("Participation"), ("participate",)),
    ("report", _("Reports"), ("report",)),
    ("data", _("Data"), ("data",)),
    ("live", _("City now"), ("live", "life")),
)


@dataclass(frozen=True)
class Link:
    title: Any
    url: str
    icon: str = ""
    description: Any = ""


@dataclass(frozen=True)
class MenuGroup:
    key: str
    title: Any
    links: tuple[Link, ...]


def _link(tile: registry.Tile) -> Link:
    return Link(tile.title, reverse(tile.url_name), tile.icon, tile.description)


def menu(user: Any) -> tuple[MenuGroup, ...]:
    """The main menu for this person: the public groups, then "my page" when signed in (with the
    back office for officials who may open it)."""
    tiles = registry.tiles()
    groups = [
        MenuGroup(key, title, tuple(_link(t) for t in tiles if t.group in members))
        for key, title, members in MENU
    ]
    if user is not None and user.is_authenticated:
        mine = [Link(_("My account"), reverse("accounts:profile"), "user"),
                Link(_("Notifications"), reverse("core:inbox"), "bell")]
        mine += [_link(t) for t in tiles if t.group == "mine"]
        if getattr(user, "acts_as_staff", False):
            mine.append(Link(_("Back office"), reverse("office"), "building"))
        groups.append(MenuGroup("mine", _("My page"), tuple(mine)))
    return tuple(g for g in groups if g.links)


def _module_crumb(namespace: str) -> Link | None:
    """The module a page belongs to, linked to its first page on the menu (or its index)."""
    for manifest in registry.manifests():
        if manifest.urls is None or (manifest.name != namespace and not _owns(manifest, namespace)):
            continue
        for tile in registry.tiles():
            if tile.url_name.split(":")[0] == namespace and tile.group != "office":
                return Link(manifest.title, reverse(tile.url_name))
        try:
            return Link(manifest.title, reverse(f"{namespace}:index"))
        except NoReverseMatch:
            return None
    return None


def _owns(manifest: registry.ModuleManifest, namespace: str) -> bool:
    return any(t.url_name.split(":")[0] == namespace for t in manifest.tiles)


def breadcrumbs(request: HttpRequest) -> tuple[Link, ...]:
    """Home › module, for every page below the home; the page itself is added by the layout
    (its title block), and a page may give its own trail instead."""
    match = getattr(request, "resolver_match", None)
    if match is None or (match.url_name == "home" and not match.namespace):
        return ()
    trail = [Link(_("Home"), reverse("home"))]
    crumb = _module_crumb(match.namespace) if match.namespace else None
    if crumb is not None and crumb.url != request.path:
        trail.append(crumb)
    return tuple(trail)
