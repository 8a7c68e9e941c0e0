"""The contract other modules (budget) rely on: vote_create, ballot_cast, vote_close,
vote_results, current_ballots, vote_option_ids_by_key."""

from __future__ import annotations

from typing import Any

import pytest

from smartseoul.core.errors import DomainError
from smartseoul.lib import merkle
from smartseoul.voting import selectors, services

from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db


def test_knapsack_vote_round_trip(owner: Any, make_user: Any) -> None:
    vote = make_vote(
        owner, ballot_type="knapsack", budget_limit=100, source="budget:cycle:3",
        options=[{"text": "공원", "cost": 60, "key": "p1"}, {"text": "도서관", "cost": 50, "key": "p2"},
                 {"text": "놀이터", "cost": 30, "key": "p3"}],
    )
    keys = selectors.vote_option_ids_by_key(vote.pk)
    assert set(keys) == {"p1", "p2", "p3"}
    a, b = make_user(), make_user()
    receipt = services.ballot_cast(vote_id=vote.pk, voter=a, choices=[keys["p1"], keys["p3"]])
    assert receipt.leaf_index == 0 and receipt.tree_size == 1
    with pytest.raises(DomainError) as err:
        services.ballot_cast(vote_id=vote.pk, voter=b, choices=[keys["p1"], keys["p2"]])
    assert err.value.code == "over_budget"
    services.ballot_cast(vote_id=vote.pk, voter=b, choices=[keys["p2"]])
    ballots = list(selectors.current_ballots(vote.pk))
    assert sorted(map(tuple, (b["choices"] for b in ballots))) == sorted([(keys["p1"], keys["p3"]), (keys["p2"],)])
    assert all(len(b["nullifier"]) == 64 for b in ballots)
    results = services.vote_close(vote_id=vote.pk, actor=owner)
    assert results["total_ballots"] == 2
    by_id = {o["id"]: o for o in results["options"]}
    assert by_id[keys["p1"]]["count"] == 1 and by_id[keys["p2"]]["count"] == 1 and by_id[keys["p3"]]["count"] == 1
    assert by_id[keys["p1"]]["key"] == "p1"
    assert selectors.vote_results(vote.pk)["status"] == "closed"


def test_receipt_verifies_against_its_checkpoint(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner)
    ids = option_ids(vote)
    receipts = [services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[i % 3]]) for i in range(7)]
    key = merkle.parse_verifier_key(receipts[0].verifier_key)
    for r in receipts:
        cp = merkle.verify_checkpoint(r.checkpoint, [key], origin=r.origin)
        assert cp.size == r.tree_size == r.leaf_index + 1
        assert merkle.leaf_hash(r.leaf.encode()).hex() == r.leaf_hash
        merkle.verify_inclusion(bytes.fromhex(r.leaf_hash), r.leaf_index, r.tree_size,
                                [bytes.fromhex(p) for p in r.inclusion_proof], cp.root)
        # the same proof read back from the stored nodes
        assert [p.hex() for p in selectors.inclusion_proof(vote.pk, r.leaf_index, r.tree_size)] == r.inclusion_proof


def test_points_and_ranking_ballots(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, ballot_type="points", points_total=10)
    ids = option_ids(vote)
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices={ids[0]: 7, ids[1]: 3})
    with pytest.raises(DomainError) as err:
        services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices={ids[0]: 11})
    assert err.value.code == "over_points"
    (ballot,) = selectors.current_ballots(vote.pk)
    assert ballot["choices"] == {ids[0]: 7, ids[1]: 3}
    results = selectors.vote_results(vote.pk)
    assert [o["points"] for o in results["options"]] == [7, 3, 0]

    ranking = make_vote(owner, ballot_type="ranking")
    rid = option_ids(ranking)
    services.ballot_cast(vote_id=ranking.pk, voter=make_user(), choices=[rid[2], rid[0], rid[1]])
    (ballot,) = selectors.current_ballots(ranking.pk)
    assert ballot["choices"] == [rid[2], rid[0], rid[1]]
    results = selectors.vote_results(ranking.pk)
    assert [o["points"] for o in results["options"]] == [1, 0, 2]
    assert [o["count"] for o in results["options"]] == [0, 0, 1]
