"""Officials reach the back office only with their second factor."""

from __future__ import annotations

from conftest import totp_now


def test_official_without_second_factor_is_sent_to_it(client, official):
    client.force_login(official)
    for path in ("/office/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/second-factor/")


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


def test_staff_api_writes_need_the_second_factor(client, official):
    client.force_login(official)
    response = client.post("/api/v1/accounts/phone", {"phone": "010-1111-2222"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"
