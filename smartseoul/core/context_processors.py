from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    from . import navigation, selectors

    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = selectors.unread_count(user)
    return {
        "SITE_URL": settings.SITE_URL,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_ATTRIBUTION": settings.MAP_ATTRIBUTION,
        "unread_notifications": unread,
        # Lazy: a page that never draws the layout (a fragment, a file) asks for none of these.
        "nav_menu": lambda: navigation.menu(user),
        "nav_breadcrumbs": lambda: navigation.breadcrumbs(request),
        "site_city": selectors.city_for_layout,
    }
