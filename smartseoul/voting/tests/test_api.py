"""The API and pages over the Django test client: casting, results visibility, the audit endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smartseoul.lib import merkle
from smartseoul.voting import services
from smartseoul.voting.models import Ballot

from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db

API = "/api/v1/voting"


def test_cast_over_api_and_audit(client: Any, owner: Any, make_user: Any) -> None:
    vote = make_vote(owner)
    ids = option_ids(vote)
    receipts = []
    for i in range(5):
        voter = make_user()
        client.force_login(voter)
        r = client.post(f"{API}/votes/{vote.pk}/ballots", {"choices": [ids[i % 3]]}, content_type="application/json")
        assert r.status_code == 201, r.content
        receipts.append(r.json())
    # a second ballot by the last voter: refused, nothing stored
    r = client.post(f"{API}/votes/{vote.pk}/ballots", {"choices": [ids[0]]}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_voted"
    r = client.post(f"{API}/votes/{vote.pk}/ballots", {"choices": "x"}, content_type="application/json")
    assert r.status_code == 422
    assert Ballot.objects.filter(vote=vote).count() == 5
    client.logout()
    # results hidden while voting (no live results)
    assert client.get(f"{API}/votes/{vote.pk}/results").json()["error"]["code"] == "results_hidden"
    key = merkle.parse_verifier_key(client.get(f"{API}/log/key").json()["verifier_key"])
    note = client.get(f"{API}/votes/{vote.pk}/log/checkpoint").content.decode()
    cp = merkle.verify_checkpoint(note, [key])
    leaves = client.get(f"{API}/votes/{vote.pk}/log/leaves?start=0&limit=2").json()
    assert leaves["size"] == 5 and [x["index"] for x in leaves["leaves"]] == [0, 1] and leaves["next"] == 2
    r = receipts[3]
    proof = client.get(f"{API}/votes/{vote.pk}/log/proof/inclusion?index=3&size=5").json()["proof"]
    root5 = merkle.root_from_leaf_hashes([merkle.leaf_hash(x["leaf"].encode()) for x in
                                          client.get(f"{API}/votes/{vote.pk}/log/leaves").json()["leaves"]])
    merkle.verify_inclusion(bytes.fromhex(r["leaf_hash"]), 3, 5, [bytes.fromhex(p) for p in proof], root5)
    cons = client.get(f"{API}/votes/{vote.pk}/log/proof/consistency?first={cp.size}&second=5").json()["proof"]
    merkle.verify_consistency(cp.size, 5, [bytes.fromhex(p) for p in cons], cp.root, root5)
    assert client.get(f"{API}/votes/{vote.pk}/log/proof/inclusion?index=5&size=5").status_code == 400
    assert client.get(f"{API}/votes/{vote.pk}/log/proof/consistency?first=0&second=5").status_code == 400
    status = client.get(f"{API}/receipts/{r['tracker']}").json()
    assert status["leaf_index"] == 3 and status["tree_size"] >= 4
    assert client.get(f"{API}/receipts/NOPE-NOPE").status_code == 404
    # close: results public, frozen
    services.vote_close(vote_id=vote.pk, actor=owner)
    res = client.get(f"{API}/votes/{vote.pk}/results").json()
    assert res["total_ballots"] == 5 and res["status"] == "closed"
    assert len(client.get(f"{API}/votes/{vote.pk}/log/checkpoints").json()) >= 2


def test_drafts_are_hidden(client: Any, owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, publish=False)
    assert client.get(f"{API}/votes/{vote.pk}").status_code == 404
    assert client.get(f"/voting/{vote.pk}/").status_code == 404
    assert client.get(f"{API}/votes/{vote.pk}/log/leaves").status_code == 404


def test_create_over_api_needs_an_owner(client: Any, owner: Any, make_user: Any) -> None:
    body = {"kind": "policy", "title": "API vote", "options": [{"text": "a"}, {"text": "b"}], "ballot_type": "single",
            "opens_at": "2026-01-01T00:00:00+09:00", "closes_at": "2099-01-01T00:00:00+09:00"}
    client.force_login(make_user())
    r = client.post(f"{API}/votes", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_vote_owner"


def test_pages(client: Any, owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, live_results=True)
    ids = option_ids(vote)
    voter = make_user()
    assert client.get("/voting/").status_code == 200
    anonymous = client.get(f"/voting/{vote.pk}/").content.decode()
    assert "/accounts/login/?next=" in anonymous and 'id="ballot-form"' not in anonymous
    client.force_login(voter)
    page = client.get(f"/voting/{vote.pk}/").content.decode()
    assert 'id="ballot-form"' in page
    r = client.post(f"/voting/{vote.pk}/cast", {"choice": [str(ids[1])]})
    tracker = Ballot.objects.get(vote=vote).tracker
    assert r.status_code == 302 and r.url == f"/voting/receipt/?tracker={tracker}"
    assert tracker in client.get(r.url).content.decode()
    assert client.get(f"/voting/{vote.pk}/results/").status_code == 200
    assert client.get(f"/voting/{vote.pk}/audit/").status_code == 200
    page = client.get(f"/voting/{vote.pk}/").content.decode()
    assert tracker in page and 'id="ballot-form"' not in page
    # a wrong ballot by form: a message, nothing stored
    other = make_user()
    client.force_login(other)
    r = client.post(f"/voting/{vote.pk}/cast", {"choice": [str(ids[0]), str(ids[1])]})
    assert r.status_code == 302 and Ballot.objects.filter(vote=vote).count() == 1


def test_office_pages_create_publish_close(client: Any, owner: Any) -> None:
    from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY

    client.force_login(owner)
    response = client.get("/voting/office/")  # second factor not passed: sent to it
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    assert client.get("/voting/office/").status_code == 200
    r = client.post("/voting/new/", {
        "kind": "policy", "title": "시청 앞 화단 꽃", "options": "장미\n튤립\n국화", "ballot_type": "single",
        "opens_at": "2026-01-01T09:00", "closes_at": "2099-01-01T09:00", "target_type": "everyone",
        "owner_body": "city",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    vote_id = int(r.url.rstrip("/").split("/")[-2])
    assert client.post(f"/voting/{vote_id}/publish").status_code == 302
    assert client.post(f"/voting/{vote_id}/close").status_code == 302
    assert json.loads(client.get(f"{API}/votes/{vote_id}").content)["status"] == "closed"
