"""Officials reach the back office only with their second factor."""

from __future__ import annotations

from conftest import totp_now


def test_official_without_second_factor_is_sent_to_it(client, official):
    client.force_login(official)
    assert client.get("/office/")["Location"].startswith("/accounts/second-factor/")
    # Django's admin: its login page sends a signed-in staff account on to the second factor
    chain = client.get("/admin/", follow=True).redirect_chain
    assert chain[-1][0].startswith("/accounts/second-factor/")


def test_wrong_code_keeps_the_door_shut(client, official):
    client.force_login(official)
    response = client.post(
        "/accounts/second-factor/", {"code": "000000" if totp_now(official) != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert client.get("/office/").status_code == 302


def test_right_code_opens_the_back_office(client, official):
    client.force_login(official)
    response = client.post("/accounts/second-factor/", {"code": totp_now(official), "next": "/office/"})
    assert response.status_code == 302 and response["Location"] == "/office/"
    assert client.get("/office/").status_code == 200


def test_citizens_are_refused_from_the_back_office(client, citizen):
    client.force_login(citizen)
    assert client.get("/office/").status_code == 403


def test_without_second_factor_an_official_may_do_what_a_citizen_may(client, official):
    """The second factor guards staff permissions, not the account: setting one's own phone is a
    citizen's action and works; the staff pages do not."""
    client.force_login(official)
    response = client.post("/api/v1/accounts/phone", {"phone": "010-1111-2222"}, content_type="application/json")
    assert response.status_code != 403


def _key_shown(html: str) -> str:
    import re

    match = re.search(r'data-totp-secret="([A-Z2-7]+)"', html)
    assert match, "the second-factor page shows no key to set up"
    return match.group(1)


def test_new_official_sets_up_the_authenticator_with_the_key_shown(client, city, make_user):
    """The key shown on the first load is the key the next code is checked against (it used to be
    replaced on every request, so no code could ever pass)."""
    import pyotp

    from smartseoul.core import clock

    new = make_user("new-official", role="official", department="11110-parking")
    assert not new.totp_confirmed and not new.totp_secret_encrypted
    client.force_login(new)
    page = client.get("/accounts/second-factor/?next=/office/")
    assert page.status_code == 200
    html = page.content.decode()
    secret = _key_shown(html)
    assert "<svg" in html and 'class="qr"' in html  # the otpauth:// URI drawn as a QR code
    assert f"secret={secret}" in html  # the link an app on this phone opens
    assert _key_shown(client.get("/accounts/second-factor/").content.decode()) == secret  # a reload keeps the key

    response = client.post("/accounts/second-factor/", {"code": pyotp.TOTP(secret).at(clock.now()), "next": "/office/"})
    assert response.status_code == 302 and response["Location"] == "/office/"
    new.refresh_from_db()
    assert new.totp_confirmed
    assert client.get("/office/").status_code == 200
    assert "data-totp-secret" not in client.get("/accounts/second-factor/").content.decode()  # never shown again


def test_totp_begin_keeps_the_pending_key_and_never_replaces_a_confirmed_one(make_user, official):
    import pytest

    from smartseoul.accounts import services
    from smartseoul.accounts.errors import AccountError

    new = make_user("new-official", role="official", department="11110-parking")
    first = services.totp_begin(user=new)
    assert services.totp_begin(user=new) == first
    with pytest.raises(AccountError):
        services.totp_begin(user=official)
