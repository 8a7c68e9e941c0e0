"""The platform's own 400/403/404/500 pages (never Django's technical ones), in Korean and English;
the JSON error envelope under /api/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from smartseoul.core import selectors

TECHNICAL = ("Traceback", "Using the URLconf", "technical_500", "You're seeing this error because", "Request Method:")


@pytest.fixture(autouse=True)
def _errors_urlconf(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "smartseoul.core.tests.urls_errors"


@pytest.fixture
def anyone(db) -> Client:
    """A client that answers a view's exception with the 500 page, as a server does."""
    return Client(raise_request_exception=False)


def _page(response) -> str:
    body = response.content.decode()
    assert 'id="error-page"' in body and f'data-status="{response.status_code}"' in body
    assert not any(marker in body for marker in TECHNICAL)
    assert response["Content-Type"].startswith("text/html")
    return body


@pytest.mark.parametrize(
    ("language", "heading", "html_lang"),
    [("en", "We could not find this page", 'lang="en"'), ("ko", "페이지를 찾을 수 없습니다", 'lang="ko"')],
)
def test_404_is_the_platforms_page_in_the_readers_language(anyone, city, language, heading, html_lang):
    response = anyone.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    body = _page(response)
    assert heading in body and html_lang in body and 'data-code="not_found">404</code>' in body


def test_the_language_cookie_wins_over_the_browser_language(anyone, city):
    anyone.cookies["django_language"] = "en"
    response = anyone.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "We could not find this page" in _page(response)
    anyone.cookies["django_language"] = "ko"
    response = anyone.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "페이지를 찾을 수 없습니다" in _page(response)


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "You may not open this page"), ("ko", "이 페이지를 열 권한이 없습니다")]
)
def test_403_is_the_platforms_page(anyone, city, language, heading):
    response = anyone.get("/test-errors/forbidden/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert heading in _page(response)


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "reload the page, then send it again"), ("ko", "페이지를 새로 고친 뒤 다시 보내 주세요")],
)
def test_a_refused_form_post_gets_the_platforms_403_not_djangos_csrf_page(city, language, text):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/accounts/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403
    body = _page(response)
    assert text in body and "csrf_failed" in body and "CSRF verification failed" not in body


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Something went wrong on our side"), ("ko", "시스템에 문제가 생겼습니다")]
)
def test_500_is_the_platforms_page(anyone, city, language, heading):
    response = anyone.get("/test-errors/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    body = _page(response)
    assert heading in body and "a bug the error page must not show" not in body


def test_a_failure_in_a_real_page_shows_the_500_page_even_when_the_page_frame_would_fail(
    anyone, city, citizen, monkeypatch
):
    """The 500 page stands alone: it renders even when what every other page's frame needs (the
    signed-in person's unread count, read from the database) is what failed."""

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(selectors, "city", broken)
    monkeypatch.setattr(selectors, "unread_count", broken)
    anyone.force_login(citizen)
    response = anyone.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert "Something went wrong on our side" in _page(response)


def test_a_bad_host_gets_the_platforms_400(anyone, city):
    response = anyone.get("/", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "We could not read that request" in _page(response)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/no-such-operation", 404, "not_found"),
        ("/api/no-such-version/", 404, "not_found"),
        ("/api/v1/test-errors/forbidden", 403, "forbidden"),
        ("/api/v1/test-errors/boom", 500, "server_error"),
    ],
)
def test_api_paths_get_the_json_error_envelope(anyone, city, path, status, code):
    response = anyone.get(path, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert error["code"] == code and error["message"]
    assert "a bug the error page must not show" not in response.content.decode()


def test_the_development_outbox_is_tied_to_production_not_debug(anyone, city, settings):
    settings.DEBUG = False
    assert settings.PRODUCTION is False
    response = anyone.get("/dev/outbox/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Development outbox" in response.content.decode()
    settings.PRODUCTION = True
    response = anyone.get("/dev/outbox/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "We could not find this page" in _page(response)


def test_security_txt_names_the_contact_when_one_is_set(client: Any, settings: Any, db: Any) -> None:
    """RFC 9116: Contact and Expires are required; without a configured contact there is nothing to publish."""
    settings.SECURITY_CONTACT = []
    assert client.get("/.well-known/security.txt").status_code == 404
    settings.SECURITY_CONTACT = ["mailto:security@city.example", "https://city.example/report"]
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["Contact: mailto:security@city.example", "Contact: https://city.example/report"]
    assert any(line.startswith("Expires: ") and line.endswith("Z") for line in lines)
    assert "Preferred-Languages: ko, en" in lines
