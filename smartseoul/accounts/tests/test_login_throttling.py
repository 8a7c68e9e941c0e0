"""Password guessing: each account locks after a few failures wherever they come from, each address
is slowed down whatever accounts it tries, and a good sign-in clears the account's count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smartseoul.accounts.models import User
from smartseoul.core import clock
from smartseoul.core.models import AuditEvent

LOGIN = "/accounts/login/"
GOOD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _middle_of_a_window():
    """Rate-limit windows are fixed 5-minute buckets on the platform clock: start mid-bucket."""
    clock.freeze(datetime(2026, 11, 2, 9, 2, 30, tzinfo=UTC))


def _post(client, username: str, password: str, *, address: str, language: str = "en", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
        **extra,
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_account_locks_after_n_failures_even_from_different_addresses(make_user, client, settings):
    settings.LOGIN_MAX_FAILURES = 4
    make_user("target")
    for i in range(4):
        response = _post(client, "target", "wrong-password!", address=f"198.51.100.{i + 1}")
        assert response.status_code == 200
        assert "The user name or password is not right." in response.content.decode()

    # the right password from a fifth address is refused while the lock lasts, with a clear message
    response = _post(client, "target", GOOD, address="203.0.113.50")
    assert response.status_code == 429
    assert "locked" in response.content.decode() and "15 minutes" in response.content.decode()
    assert not _signed_in(client)
    response = _post(client, "TARGET", GOOD, address="203.0.113.51", language="ko")
    assert response.status_code == 429 and "잠겼" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.lockout").count() == 1

    clock.advance(settings.LOGIN_LOCKOUT_SECONDS + 1)
    response = _post(client, "target", GOOD, address="203.0.113.52")
    assert response.status_code == 302 and _signed_in(client)


def test_a_good_sign_in_resets_the_account_count(make_user, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = make_user("forgetful")
    for _ in range(2):
        _post(client, "forgetful", "wrong-password!", address="198.51.100.7")
    user.refresh_from_db()
    assert user.failed_logins == 2

    assert _post(client, "forgetful", GOOD, address="198.51.100.7").status_code == 302
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None
    client.logout()

    # two more failures do not lock: the count started again from zero
    for _ in range(2):
        assert _post(client, "forgetful", "wrong-password!", address="198.51.100.7").status_code == 200
    assert _post(client, "forgetful", GOOD, address="198.51.100.7").status_code == 302


def test_concurrent_failures_each_count(make_user, settings, monkeypatch):
    """Two guesses that read the account at the same moment both count: the count is raised in
    the database, not written back from the copy each request read."""
    from smartseoul.accounts import services

    settings.LOGIN_MAX_FAILURES = 2
    user = make_user("raced")
    reads = iter([User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)])  # both read before either writes
    monkeypatch.setattr(services, "_login_account", lambda username: next(reads))
    services.login_failed(username="raced")
    services.login_failed(username="raced")
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > clock.now()
    assert AuditEvent.objects.filter(action="accounts.lockout", target_id=str(user.pk)).count() == 1


def test_one_address_trying_many_accounts_is_throttled(make_user, client, settings):
    settings.LOGIN_MAX_PER_ADDRESS = 12
    settings.LOGIN_MAX_FAILURES = 100  # the per-account lock stays out of this test
    for i in range(6):
        make_user(f"resident{i}")
    attacker = "192.0.2.66"
    for attempt in range(12):
        response = _post(client, f"resident{attempt % 6}", f"guess-{attempt}-pw", address=attacker)
        assert response.status_code == 200, attempt

    response = _post(client, "resident0", "guess-again-pw", address=attacker)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many sign-in attempts from your network" in body
    assert int(response["Retry-After"]) > 0
    # even the right password is refused from there until the window passes …
    assert _post(client, "resident1", GOOD, address=attacker).status_code == 429
    # … and a forged X-Forwarded-For does not make it a new address
    forged = _post(client, "resident1", GOOD, address=attacker, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 429 and not _signed_in(client)
    korean = _post(client, "resident1", GOOD, address=attacker, language="ko")
    assert korean.status_code == 429 and "로그인 시도" in korean.content.decode()

    # another address is not affected, and the throttled one signs in once the window has passed
    assert _post(client, "resident2", GOOD, address="192.0.2.67").status_code == 302
    client.logout()
    clock.advance(300)
    assert _post(client, "resident1", GOOD, address=attacker).status_code == 302


def test_accounts_that_do_not_exist_are_throttled_by_address_too(db, city, client, settings):
    settings.LOGIN_MAX_PER_ADDRESS = 5
    for i in range(5):
        assert _post(client, f"nobody{i}", "whatever-pw", address="192.0.2.80").status_code == 200
    assert _post(client, "nobody9", "whatever-pw", address="192.0.2.80").status_code == 429


def test_the_admin_sign_in_is_the_platform_sign_in(make_user, client, settings):
    """Django's admin has its own sign-in form, which would try passwords without any lock:
    it sends people to the platform's sign-in instead, and accepts no password itself."""
    settings.LOGIN_MAX_FAILURES = 2
    make_user("clerk")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "clerk", "password": "wrong-password!"})
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    response = client.post("/admin/login/", {"username": "clerk", "password": GOOD})
    assert response.status_code == 302 and not _signed_in(client)
