"""/office/ shows each person exactly the tiles whose pages let them in: every tile shown answers 200
for that person (second factor passed), every hidden one would refuse them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import sign_in
from smartseoul.core import registry

DEMO_OFFICIALS = ["official", "planner", "analyst", "caseworker", "mayor"]


@pytest.fixture
def demo_accounts(city):
    from smartseoul.accounts.demo import load_demo_accounts

    load_demo_accounts()


def _shown(client) -> set[str]:
    response = client.get("/office/")
    assert response.status_code == 200
    return set(re.findall(r'<a class="tile" href="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("username", DEMO_OFFICIALS)
def test_every_tile_shown_opens_and_every_hidden_one_refuses(demo_accounts, client, username):
    from smartseoul.accounts.models import User

    sign_in(client, User.objects.get(username=username))
    shown = _shown(client)
    candidates = {reverse(t.url_name) for t in registry.tiles() if t.group == "office"}
    candidates |= {reverse("core:audit-log"), reverse("admin:index")}
    assert shown <= candidates
    for url in sorted(candidates):
        response = client.get(url)
        if url == reverse("admin:index") and url not in shown:
            # Django's admin lets any staff member in but shows nothing without a permission.
            assert response.status_code != 200 or response.context["app_list"] == [], (username, url)
        elif url in shown:
            assert response.status_code == 200, (username, url, response.status_code)
        else:
            assert response.status_code == 403, (username, url, response.status_code)


def test_the_parking_official_sees_neither_care_analytics_theme_review_nor_admin(demo_accounts, client):
    from smartseoul.accounts.models import User

    sign_in(client, User.objects.get(username="official"))
    shown = _shown(client)
    for hidden in ("sensors:care", "analytics:home", "dashboard:moderation", "admin:index"):
        assert reverse(hidden) not in shown
    assert reverse("complaints:office") in shown


def test_a_tile_without_a_rule_is_shown_and_one_with_a_rule_asks_it():
    tile = registry.Tile("t", "home", "*", "office")
    assert tile.allows(object())
    ruled = registry.Tile("t", "home", "*", "office", allowed=lambda user: user == "yes")
    assert ruled.allows("yes") and not ruled.allows("no")
