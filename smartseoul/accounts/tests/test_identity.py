"""Phone verification, residents, roles, lock-out, the audit trail and personal data at rest."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import serializers
from django.db import connection

from smartseoul.accounts import services
from smartseoul.accounts.errors import AccountError
from smartseoul.accounts.models import Role, User, Verification
from smartseoul.core import clock
from smartseoul.core.models import AuditEvent, District, Notification

PHONE = "010-2345-6789"


def _code_from_outbox(user: User) -> str:
    body = Notification.objects.filter(recipient=user, kind="accounts.phone_code").latest("id").body
    return re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]


def test_phone_verification_with_code_from_outbox(citizen, make_user):
    user = make_user("newbie", verification=Verification.UNVERIFIED)
    services.phone_challenge_start(user=user, phone=PHONE)
    code = _code_from_outbox(user)
    services.phone_challenge_confirm(user=user, code=code)
    user.refresh_from_db()
    assert user.verification == Verification.PHONE
    assert user.phone == "01023456789"
    assert user.phone_hash == services.phone_hash(PHONE)


def test_wrong_and_expired_codes_are_refused(make_user, city):
    user = make_user("late", verification=Verification.UNVERIFIED)
    services.phone_challenge_start(user=user, phone=PHONE)
    with pytest.raises(AccountError) as wrong:
        services.phone_challenge_confirm(user=user, code="000000" if _code_from_outbox(user) != "000000" else "111111")
    assert wrong.value.code == "bad_code"
    clock.advance(6 * 60)
    with pytest.raises(AccountError) as expired:
        services.phone_challenge_confirm(user=user, code=_code_from_outbox(user))
    assert expired.value.code == "code_expired"
    user.refresh_from_db()
    assert user.verification == Verification.UNVERIFIED


def test_a_number_verifies_one_account_only(make_user, city):
    make_user("first", phone=PHONE)
    second = make_user("second", verification=Verification.UNVERIFIED)
    with pytest.raises(AccountError) as info:
        services.phone_challenge_start(user=second, phone=PHONE)
    assert info.value.code == "phone_taken"


def test_phone_numbers_are_not_readable_at_rest_or_in_logs(make_user, city, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user("private", verification=Verification.UNVERIFIED)
    services.phone_challenge_start(user=user, phone=PHONE)
    services.phone_challenge_confirm(user=user, code=_code_from_outbox(user))
    logging.getLogger("smartseoul.test").info("user typed %s", PHONE)  # even a careless log line is masked
    digits = "01023456789"
    dump = serializers.serialize("json", [*User.objects.all(), *Notification.objects.all(), *AuditEvent.objects.all()])
    assert digits not in dump and "2345-6789" not in dump and "23456789" not in dump
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone_encrypted, phone_hash FROM accounts_user WHERE id = %s", [user.pk])
        encrypted, hashed = cursor.fetchone()
    assert digits not in encrypted and digits not in hashed
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert "2345-6789" not in log_text and digits not in log_text


def test_resident_verification_against_a_census_of_keyed_hashes(make_user, city):
    user = make_user("resident", phone=PHONE)
    jongno = District.objects.get(code="11110")
    line = services.census_key("홍길동", "1990-01-01", PHONE)
    assert services.census_import(district=jongno, lines=["key_hash\n", line + "\n"]) == 1
    with pytest.raises(AccountError):
        services.resident_verify(user=user, name="홍길순", birth_date="1990-01-01")
    services.resident_verify(user=user, name="홍길동", birth_date="1990-01-01")
    user.refresh_from_db()
    assert user.verification == Verification.RESIDENT and user.home_district == jongno


def test_census_file_with_plain_identifiers_is_refused_and_keeps_the_old_list(make_user, city):
    jongno = District.objects.get(code="11110")
    services.census_import(district=jongno, lines=["key_hash\n", "a" * 64 + "\n"])
    with pytest.raises(AccountError) as info:
        services.census_import(district=jongno, lines=["key_hash\n", "900101-1234567\n"])
    assert info.value.code == "bad_census_file"
    assert jongno.census.count() == 1


def test_role_change_and_official_login_are_audited(make_user, official, client):
    admin = make_user("cityadmin", role=Role.CITY_ADMIN)
    target = make_user("clerk")
    services.user_set_role(actor=admin, user=target, role=Role.OFFICIAL)
    event = AuditEvent.objects.get(action="accounts.role_change")
    assert event.actor == admin and event.target_id == str(target.pk)
    assert event.details["before"]["role"] == "citizen" and event.details["after"]["role"] == "official"

    response = client.post("/accounts/login/", {"username": "official", "password": "correct-horse-battery"})
    assert response.status_code == 302 and "/accounts/second-factor/" in response["Location"]
    login = AuditEvent.objects.get(action="accounts.login")
    assert login.actor == official and login.ip == "127.0.0.1"


def test_a_citizen_cannot_change_roles(make_user, city):
    citizen = make_user("plain")
    with pytest.raises(Exception) as info:
        services.user_set_role(actor=citizen, user=citizen, role=Role.CITY_ADMIN)
    assert getattr(info.value, "status", None) == 403
    citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN


def test_lockout_after_repeated_failures(make_user, city, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    make_user("target")
    for _ in range(3):
        client.post("/accounts/login/", {"username": "target", "password": "wrong-password!"})
    response = client.post("/accounts/login/", {"username": "target", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    clock.advance(settings.LOGIN_LOCKOUT_SECONDS + 1)
    response = client.post("/accounts/login/", {"username": "target", "password": "correct-horse-battery"})
    assert response.status_code == 302


def test_api_key_quota(make_user, city):
    user = make_user("dev")
    key, raw = services.api_key_create(owner=user, name="app", scopes=["opendata:read"], daily_quota=2)
    services.api_key_authenticate(raw=raw, scope="opendata")
    services.api_key_authenticate(raw=raw, scope="opendata")
    with pytest.raises(AccountError) as info:
        services.api_key_authenticate(raw=raw, scope="opendata")
    assert info.value.code == "quota_exceeded" and info.value.status == 429
    with pytest.raises(AccountError):
        services.api_key_authenticate(raw=raw, scope="sensors")
    assert raw not in str(key.__dict__)
