"""`smartseoul ledger verify`: a sound log verifies; a flipped, deleted or swapped leaf, a
forged checkpoint or a doctored result makes it fail and name the place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smartseoul.cli import main
from smartseoul.core import clock
from smartseoul.voting import services
from smartseoul.voting.models import Ballot, Checkpoint, Vote

from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_vote(owner: Any, make_user: Any) -> Vote:
    vote = make_vote(owner, allow_change=True, target={"type": "districts", "codes": ["11110", "11140"]})
    ids = option_ids(vote)
    from smartseoul.accounts.models import Verification

    voters = [make_user(district="11110" if i % 2 else "11140", verification=Verification.RESIDENT) for i in range(18)]
    for i, voter in enumerate(voters):
        services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[i % 3]])
        if i % 5 == 4:
            clock.advance(11)  # a checkpoint every few ballots
    services.ballot_cast(vote_id=vote.pk, voter=voters[0], choices=[ids[2]])  # a changed ballot
    services.vote_close(vote_id=vote.pk, actor=owner)
    assert Checkpoint.objects.filter(vote=vote).count() >= 4
    return vote


def run(vote: Vote, capsys: Any) -> tuple[int, str]:
    code = main(["ledger", "verify", "--vote", str(vote.pk)])
    return code, capsys.readouterr().out


def test_sound_log_verifies(closed_vote: Vote, capsys: Any) -> None:
    code, out = run(closed_vote, capsys)
    assert code == 0, out
    assert "19 leaves" in out and "re-tally matches" in out


def test_flipped_leaf_is_named(closed_vote: Vote, capsys: Any) -> None:
    b = Ballot.objects.get(vote=closed_vote, seq=7)
    entry = json.loads(b.leaf)
    entry["choices"] = [entry["choices"][0] + 1]
    flipped = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    Ballot.objects.filter(pk=b.pk).update(leaf=flipped)
    code, out = run(closed_vote, capsys)
    assert code == 1 and "leaf 7" in out, out


def test_one_changed_byte_is_named(closed_vote: Vote, capsys: Any) -> None:
    b = Ballot.objects.get(vote=closed_vote, seq=12)
    pos = b.leaf.index('"time":"') + 10
    changed = b.leaf[:pos] + ("1" if b.leaf[pos] != "1" else "2") + b.leaf[pos + 1:]
    Ballot.objects.filter(pk=b.pk).update(leaf=changed)
    code, out = run(closed_vote, capsys)
    assert code == 1 and "leaf 12" in out, out


def test_deleted_leaf_is_named(closed_vote: Vote, capsys: Any) -> None:
    Ballot.objects.filter(vote=closed_vote, seq=5).delete()
    code, out = run(closed_vote, capsys)
    assert code == 1 and "leaf 5 is missing" in out, out


def test_deleted_last_leaf_is_named(closed_vote: Vote, capsys: Any) -> None:
    Ballot.objects.filter(vote=closed_vote, seq=18).delete()
    code, out = run(closed_vote, capsys)
    assert code == 1 and "leaf 18 is missing" in out, out


def test_swapped_leaves_are_named(closed_vote: Vote, capsys: Any) -> None:
    a = Ballot.objects.get(vote=closed_vote, seq=3)
    b = Ballot.objects.get(vote=closed_vote, seq=11)
    Ballot.objects.filter(pk=a.pk).update(leaf=b.leaf)
    Ballot.objects.filter(pk=b.pk).update(leaf=a.leaf)
    code, out = run(closed_vote, capsys)
    assert code == 1 and "leaf 3" in out, out


def test_swapped_positions_are_named(closed_vote: Vote, capsys: Any) -> None:
    """Swapping two rows' positions (seq) instead of their bytes."""
    a = Ballot.objects.get(vote=closed_vote, seq=2)
    b = Ballot.objects.get(vote=closed_vote, seq=9)
    Ballot.objects.filter(pk=a.pk).update(seq=-1)
    Ballot.objects.filter(pk=b.pk).update(seq=2)
    Ballot.objects.filter(pk=a.pk).update(seq=9)
    code, out = run(closed_vote, capsys)
    assert code == 1 and "leaf 2" in out, out


def test_forged_checkpoint_is_named(closed_vote: Vote, capsys: Any) -> None:
    cp = Checkpoint.objects.filter(vote=closed_vote).order_by("size")[1]
    lines = cp.note.split("\n")
    lines[1] = str(cp.size + 1)
    Checkpoint.objects.filter(pk=cp.pk).update(note="\n".join(lines))
    code, out = run(closed_vote, capsys)
    assert code == 1 and f"checkpoint size {cp.size + 1}" in out, out


def test_doctored_result_is_named(closed_vote: Vote, capsys: Any) -> None:
    results = dict(Vote.objects.get(pk=closed_vote.pk).results or {})
    results["options"] = [dict(o) for o in results["options"]]
    results["options"][0]["count"] += 1
    Vote.objects.filter(pk=closed_vote.pk).update(results=results)
    code, out = run(closed_vote, capsys)
    assert code == 1 and f"option {results['options'][0]['id']}" in out, out


def test_unknown_vote_is_a_clear_error(db: Any, capsys: Any) -> None:
    assert main(["ledger", "verify", "--vote", "987654"]) == 2
