"""The second factor belongs to the session: a password alone gives a staff account a citizen's
permissions and nothing more, on every page and API that uses a staff permission, and keys made
without it carry none."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import sign_in
from smartseoul.accounts import services
from smartseoul.accounts.models import ApiKey, Capability
from smartseoul.core.models import AuditEvent

SECOND_FACTOR = "/accounts/second-factor/"


@pytest.fixture
def jongno(city: Any) -> Any:
    from smartseoul.opendata import services as opendata

    return opendata.organization_ensure(
        name="jongno-gu", title_ko="서울특별시 종로구", title_en="Jongno-gu", kind="district", district_code="11110"
    )


@pytest.fixture
def publisher(make_user: Any, jongno: Any) -> Any:
    return make_user("publisher", role="official", department="11110-parking", capabilities=(Capability.PUBLISHER,))


@pytest.fixture
def caseworker(make_user: Any, city: Any) -> Any:
    return make_user("caseworker", role="official", department="11110-welfare", capabilities=(Capability.CASEWORKER,))


@pytest.fixture
def mayor(make_user: Any, city: Any) -> Any:
    return make_user("mayor", role="city_admin", capabilities=(Capability.MAYOR,))


def _offered_second_factor(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SECOND_FACTOR)


@pytest.mark.parametrize("path", ["/opendata/publish/", "/opendata/publish/?step=new"])
def test_publishing_pages_offer_the_second_factor(client: Any, publisher: Any, path: str) -> None:
    sign_in(client, publisher, second_factor=False)
    assert _offered_second_factor(client.get(path))
    sign_in(client, publisher)
    assert client.get("/opendata/publish/").status_code == 200


def test_password_only_publisher_creates_no_dataset(client: Any, publisher: Any) -> None:
    from smartseoul.opendata.models import Dataset

    sign_in(client, publisher, second_factor=False)
    response = client.post("/opendata/publish/", {"organization": "jongno-gu", "name": "sneaky", "title_ko": "x"})
    assert _offered_second_factor(response)
    assert not Dataset.objects.filter(name="sneaky").exists()


def test_password_only_official_creates_no_key(client: Any, publisher: Any) -> None:
    sign_in(client, publisher, second_factor=False)
    for path, data in (
        ("/opendata/keys/", {"name": "k", "kind": "service", "write": "1"}),
        ("/accounts/profile/", {"name": "k", "scopes": ["opendata:read"]}),
    ):
        response = client.post(path, data)  # offered the second-factor page
        assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")
    assert not ApiKey.objects.filter(owner=publisher).exists()


def test_a_key_made_without_the_second_factor_cannot_publish(client: Any, publisher: Any, jongno: Any) -> None:
    """The finding: a key created on the password alone published a public dataset through CKAN."""
    from smartseoul.opendata.models import Dataset

    old = ApiKey.objects.create(  # as keys were before this rule (the migration keeps them, flagged)
        owner=publisher, name="old", prefix="ss_old", key_hash=services._key_hash("ss_old-key"),
        scopes=["opendata:read", "opendata:write"], created_at=publisher.date_joined,
    )
    body = json.dumps({"name": "via-old-key", "owner_org": "jongno-gu", "title": "x"})
    response = client.post("/api/3/action/package_create", body, content_type="application/json",
                           HTTP_AUTHORIZATION="ss_old-key")
    assert response.status_code == 403 and response.json()["success"] is False
    assert not Dataset.objects.filter(name="via-old-key").exists()
    assert list(services.api_keys_without_second_factor()) == [old]

    _key, fresh = services.api_key_create(owner=publisher, name="new", scopes=["opendata:read", "opendata:write"],
                                          second_factor=True)
    response = client.post("/api/3/action/package_create", body, content_type="application/json",
                           HTTP_AUTHORIZATION=fresh)
    assert response.status_code == 200, response.content
    assert Dataset.objects.filter(name="via-old-key").exists()


def test_a_read_only_key_cannot_write(client: Any, publisher: Any, jongno: Any) -> None:
    _key, raw = services.api_key_create(owner=publisher, name="r", scopes=["opendata:read"], second_factor=True)
    body = json.dumps({"name": "read-only", "owner_org": "jongno-gu", "title": "x"})
    response = client.post("/api/3/action/package_create", body, content_type="application/json",
                           HTTP_AUTHORIZATION=raw)
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]
    assert client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=raw).status_code == 200


def test_expired_and_revoked_keys_stop_working(client: Any, citizen: Any) -> None:
    from datetime import timedelta

    from smartseoul.core import clock

    key, raw = services.api_key_create(owner=citizen, name="short", scopes=["opendata:read"],
                                       lifetime=timedelta(days=1))
    assert client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=raw).status_code == 200
    clock.freeze(clock.now() + timedelta(days=2))
    assert client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=raw).status_code == 403
    clock.reset()
    services.api_key_revoke(owner=citizen, key_id=key.pk)
    assert client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=raw).status_code == 403


def test_keys_are_read_only_by_default_shown_once_hashed_and_audited(client: Any, citizen: Any) -> None:
    sign_in(client, citizen)
    page = client.get("/accounts/profile/").content.decode()
    assert 'value="opendata:read"' in page and 'value="open311:write"' in page
    # a citizen is not offered what only a staff account can do, nor can post it
    assert 'value="opendata:write"' not in page and 'value="sensors:write"' not in page
    refused = client.post("/accounts/profile/", {"name": "app", "scopes": ["opendata:write"]})
    assert refused.context["new_key"] is None and not ApiKey.objects.exists()
    response = client.post("/accounts/profile/", {"name": "app", "scopes": ["opendata:read", "open311:read"]})
    raw = response.context["new_key"]
    key = ApiKey.objects.get(owner=citizen)
    assert key.scopes == ["open311:read", "opendata:read"] and key.expires_at is not None
    assert raw not in json.dumps(list(ApiKey.objects.values()), default=str)  # only a hash is kept
    assert raw not in client.get("/accounts/profile/").content.decode()  # shown once
    client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=raw)
    key.refresh_from_db()
    assert key.last_used_at is not None
    client.post(f"/accounts/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    actions = set(AuditEvent.objects.filter(target_id=str(key.pk)).values_list("action", flat=True))
    assert {"accounts.api_key_create", "accounts.api_key_use", "accounts.api_key_revoke"} <= actions


def test_staff_are_offered_the_staff_write_scopes(client: Any, publisher: Any) -> None:
    page = sign_in(client, publisher).get("/accounts/profile/").content.decode()
    assert 'value="opendata:write"' in page and 'value="sensors:write"' in page


def test_an_unknown_scope_is_refused(citizen: Any) -> None:
    from smartseoul.accounts.errors import AccountInvalid

    with pytest.raises(AccountInvalid):
        services.api_key_create(owner=citizen, name="x", scopes=["everything:write"])
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "mayor"])
def test_care_dashboard_needs_the_second_factor(client: Any, request: Any, who: str) -> None:
    user = request.getfixturevalue(who)
    sign_in(client, user, second_factor=False)
    assert _offered_second_factor(client.get("/sensors/care/"))
    sign_in(client, user)
    assert client.get("/sensors/care/").status_code == 200


def test_vote_manage_pages_need_the_second_factor_even_for_the_owner(client: Any, official: Any) -> None:
    from datetime import timedelta

    from smartseoul.core import clock
    from smartseoul.voting import services as voting

    vote = voting.vote_create(
        owner=official, kind="policy", title="심야버스 노선", options=[{"text": "찬성"}, {"text": "반대"}],
        ballot_type="single", opens_at=clock.now() + timedelta(days=1), closes_at=clock.now() + timedelta(days=8),
    )
    sign_in(client, official, second_factor=False)
    assert _offered_second_factor(client.get(f"/voting/{vote.pk}/manage/"))
    assert _offered_second_factor(client.get("/voting/office/"))
    assert _offered_second_factor(client.post(f"/voting/{vote.pk}/publish"))
    sign_in(client, official)
    assert client.get(f"/voting/{vote.pk}/manage/").status_code == 200


def test_staff_apis_answer_second_factor_required(client: Any, make_user: Any, city: Any) -> None:
    """A session without the second factor gets a citizen's answer on staff operations, with a code
    that says what would lift it; after it, the operation runs (here: 404, no such job)."""
    analyst = make_user("analyst", role="official", capabilities=(Capability.ANALYST,))
    sign_in(client, analyst, second_factor=False)
    response = client.get("/api/v1/analytics/jobs/999999/geojson")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"
    sign_in(client, analyst)
    assert client.get("/api/v1/analytics/jobs/999999/geojson").status_code == 404


def test_the_command_lists_and_revokes_staff_keys_made_without_the_second_factor(publisher: Any, capsys: Any) -> None:
    from smartseoul.cli import main

    old = ApiKey.objects.create(owner=publisher, name="old", prefix="ss_old", key_hash="h" * 64,
                                scopes=["opendata:read"], created_at=publisher.date_joined)
    assert main(["staff-keys"]) == 0
    assert "ss_old" in capsys.readouterr().out
    old.refresh_from_db()
    assert old.revoked_at is None
    assert main(["staff-keys", "--revoke"]) == 0
    old.refresh_from_db()
    assert old.revoked_at is not None


@pytest.mark.django_db
def test_createofficial_leaves_no_half_made_user_when_the_second_step_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The account and its staff rights are written together or not at all."""
    from smartseoul.accounts.models import User
    from smartseoul.cli import main

    monkeypatch.setenv("SMARTSEOUL_OFFICIAL_PASSWORD", "a long enough official passphrase 7")
    saved = User.save

    def failing_second_step(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields"):
            raise RuntimeError("the database went away")
        saved(self, *args, **kwargs)

    monkeypatch.setattr(User, "save", failing_second_step)
    with pytest.raises(RuntimeError):
        main(["createofficial", "half.made", "--role", "city_admin"])
    assert not User.objects.filter(username="half.made").exists()

    monkeypatch.setattr(User, "save", saved)
    assert main(["createofficial", "half.made", "--role", "city_admin"]) == 0
    made = User.objects.get(username="half.made")
    assert made.is_staff and made.is_superuser and made.role == "city_admin"
