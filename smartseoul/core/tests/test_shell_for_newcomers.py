"""What a first-time visitor of a demo sees in the shell: how to sign in, and a site icon."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from smartseoul.accounts.demo import load_demo_accounts


@pytest.fixture
def demo_accounts(city, monkeypatch):
    monkeypatch.delenv("SMARTSEOUL_DEMO_PASSWORD", raising=False)
    load_demo_accounts()


def test_the_home_page_tells_a_signed_out_visitor_how_to_sign_in_to_the_demo(client, demo_accounts):
    html = client.get("/").content.decode()
    assert 'id="demo-hint"' in html
    for username in ("citizen", "resident", "official", "mayor"):
        assert f">{username}</code>" in html
    assert "seoul-demo-2026" in html and 'href="/accounts/login/"' in html
    assert "데모 체험하기" in html and "시민 (종로구 주민)" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get("/").content.decode()
    assert "Try the demo" in en and "Citizen, resident of Jongno-gu" in en and "데모 체험하기" not in en


def test_the_hint_names_a_chosen_password_without_showing_it(client, demo_accounts, monkeypatch):
    monkeypatch.setenv("SMARTSEOUL_DEMO_PASSWORD", "our-own-secret-2026")
    html = client.get("/").content.decode()
    assert 'id="demo-hint"' in html and "SMARTSEOUL_DEMO_PASSWORD" in html and "our-own-secret-2026" not in html


def test_no_hint_when_signed_in_in_production_or_without_demo_accounts(client, city, make_user, settings):
    assert 'id="demo-hint"' not in client.get("/").content.decode()  # no demo accounts loaded
    load_demo_accounts()
    settings.PRODUCTION = True
    assert 'id="demo-hint"' not in client.get("/").content.decode()
    settings.PRODUCTION = False
    client.force_login(make_user("minji"))
    assert 'id="demo-hint"' not in client.get("/").content.decode()


def test_every_page_names_a_site_icon_and_favicon_ico_is_answered(client, db):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/smartseoul/favicon.svg"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/smartseoul/favicon.ico"
    for name in ("smartseoul/favicon.ico", "smartseoul/favicon.svg"):
        found = finders.find(name)
        assert found and Path(found).stat().st_size > 100
    assert Path(finders.find("smartseoul/favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert django_settings.STATIC_URL == "/static/"


def test_links_in_messages_follow_the_port_served_outside_production(monkeypatch, settings):
    """`make run PORT=8001` used to send people to port 8000 from every message's link."""
    import os

    from smartseoul.cli import _default_site_url

    monkeypatch.delenv("SITE_URL", raising=False)
    settings.SITE_URL = "http://127.0.0.1:8000"
    _default_site_url("0.0.0.0", 8123)  # noqa: S104  (the address a person passes to serve)
    assert settings.SITE_URL == "http://127.0.0.1:8123" == os.environ["SITE_URL"]  # the task worker inherits it

    monkeypatch.setenv("SITE_URL", "https://smart.seoul.go.kr")
    settings.SITE_URL = "https://smart.seoul.go.kr"
    _default_site_url("127.0.0.1", 8124)
    assert settings.SITE_URL == "https://smart.seoul.go.kr"  # a configured address is kept

    monkeypatch.delenv("SITE_URL")
    settings.PRODUCTION = True
    _default_site_url("127.0.0.1", 8125)
    assert settings.SITE_URL == "https://smart.seoul.go.kr" and "SITE_URL" not in os.environ
