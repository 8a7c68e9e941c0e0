"""The verifier's bulk path on a log of several chunks: leaves parsed and checked in bulk, the
tree hashed level by level (in a second process when the log is large), every checkpoint's root
taken from those levels. The diagnostics stay those of a leaf-by-leaf check: the first bad
leaf or checkpoint is named, wherever it sits in a chunk."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from smartseoul.lib import merkle
from smartseoul.voting import verify
from smartseoul.voting.selectors import tally_ballots
from smartseoul.voting.verify import MemorySource, VerificationFailed, verify_log

LEAVES = 2 * verify.CHUNK + 7_000  # three chunks, the last one partial
EVERY = 5_000  # a signed checkpoint every EVERY leaves, and one at the end
CHANGE = 50  # every CHANGE-th ballot changes the previous voter's ballot
NAME = "test.smartseoul.local/log"
SEED = hashlib.sha256(b"bulk verify test").digest()
OPTIONS = [{"id": i, "key": f"p{i}", "text": f"project {i}"} for i in range(1, 6)]


def entry(i: int, *, voter: int | None = None, supersedes: int | None = None, choices: list[int] | None = None,
          vote: int = 1, seq: int | None = None) -> dict[str, Any]:
    return {"choices": choices or [1 + i % 5], "district": "11110" if i % 2 else "11140",
            "nullifier": hashlib.sha256((i if voter is None else voter).to_bytes(8, "big")).hexdigest(),
            "seq": i if seq is None else seq, "supersedes": supersedes, "time": "2026-11-01T09:00:00.000Z",
            "vote": vote}


def sound_entries(n: int = LEAVES) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        out.append(entry(i, voter=i - 1, supersedes=i - 1) if i % CHANGE == CHANGE - 1 else entry(i))
    return out


def text(e: dict[str, Any]) -> str:
    return json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def signed_source(entries: list[dict[str, Any]], *, sizes: list[int] | None = None) -> MemorySource:
    """A log the server signed as given (a bad entry in it is signed too), with a checkpoint
    every EVERY leaves and the published result of its current ballots."""
    signer = merkle.Signer(NAME, SEED)
    store = merkle.MemoryStore()
    texts = [text(e) for e in entries]
    notes = []
    wanted = set(sizes or [*range(EVERY, len(texts) + 1, EVERY), len(texts)])
    for i, t in enumerate(texts):
        store.append(t.encode())
        if i + 1 in wanted:
            notes.append(signer.sign(merkle.Checkpoint(f"{NAME}/1", i + 1, store.root())))
    current: dict[str, tuple[list[int], str]] = {}
    for e in entries:
        current[e["nullifier"]] = (e["choices"], e["district"])
    results = tally_ballots("approval", [(o["id"], o["key"], o["text"]) for o in OPTIONS], current.values())
    results["log"] = {"size": len(texts), "root": store.root().hex()}
    vote = {"id": 1, "ballot_type": "approval", "status": "closed", "options": OPTIONS}
    return MemorySource(vote, str(signer.verifier), notes, texts, store, results)


@pytest.fixture(scope="module")
def sound() -> MemorySource:
    return signed_source(sound_entries())


def served(source: MemorySource, change: Callable[[list[str]], list[str]]) -> MemorySource:
    """The same signed log, with the leaves the server serves changed afterwards."""
    return MemorySource(source.vote(), source.verifier_key(), list(source.notes), change(list(source.leaf_texts)),
                        source.store, source.results())


FORKS: list[int] = []


@pytest.fixture(params=["one process", "hashing beside"])
def mode(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    beside = request.param == "hashing beside"
    monkeypatch.setattr(verify, "PARALLEL_FROM", 0)
    monkeypatch.setattr(verify, "_spare_core", lambda: beside)  # fork (or not) whatever the machine's load
    real_fork = os.fork

    def counted_fork() -> int:
        pid = real_fork()
        if pid:
            FORKS.append(pid)
        return pid

    monkeypatch.setattr(verify.os, "fork", counted_fork)
    FORKS.clear()
    return str(request.param)


def failure(source: MemorySource) -> str:
    with pytest.raises(VerificationFailed) as exc:
        verify_log(source)
    return str(exc.value)


def test_sound_log_verifies_in_bulk(sound: MemorySource, mode: str) -> None:
    report = verify_log(sound)
    assert report.leaves == LEAVES
    assert report.checkpoints == LEAVES // EVERY + 1
    assert report.consistency_proofs == report.checkpoints - 1
    assert report.current_ballots == sum(1 for i in range(LEAVES) if i % CHANGE != CHANGE - 1)
    assert report.tally_checked
    assert len(FORKS) == (1 if mode == "hashing beside" else 0)


def test_a_leaf_that_is_not_ascii_is_hashed_as_utf8(mode: str) -> None:
    """The hashing process takes the leaves as one buffer of one byte per character; a leaf with
    other characters is hashed here instead, with the same result."""
    entries = sound_entries(3 * EVERY)
    entries[EVERY + 3]["district"] = "서울"
    report = verify_log(signed_source(entries))
    assert report.leaves == 3 * EVERY
    entries[EVERY + 3]["district"] = "부산"
    changed = signed_source(entries)
    changed.leaf_texts[EVERY + 3] = changed.leaf_texts[EVERY + 3].replace("부산", "서울")
    assert failure(changed) == f"leaf {EVERY + 3}: its bytes differ from what checkpoint size {2 * EVERY} signed"


def test_tampered_leaf_in_the_middle_is_named(sound: MemorySource, mode: str) -> None:
    """A valid ballot entry with other choices: only the signed roots can tell."""
    bad = verify.CHUNK + 1_234

    def change(texts: list[str]) -> list[str]:
        e = json.loads(texts[bad])
        e["choices"] = [1 + (e["choices"][0] % 5)]
        texts[bad] = text(e)
        return texts

    first_cp = (bad // EVERY + 1) * EVERY
    assert failure(served(sound, change)) == f"leaf {bad}: its bytes differ from what checkpoint size {first_cp} signed"


def test_a_leaf_problem_is_named_before_a_later_checkpoint(sound: MemorySource, mode: str) -> None:
    bad = 2 * verify.CHUNK + 11  # in the last chunk, not at a checkpoint's end

    def change(texts: list[str]) -> list[str]:
        texts[bad] = text(entry(bad, seq=bad + 1))
        return texts

    assert failure(served(sound, change)) == f"leaf {bad}: it says it is leaf {bad + 1} (moved or swapped)"


def test_a_checkpoint_is_checked_before_its_own_last_leaf(sound: MemorySource, mode: str) -> None:
    """Leaf EVERY·3 − 1 is the last leaf of a checkpoint: broken, it is named by the checkpoint;
    the leaf right after it is named by its own check."""
    last, after = 3 * EVERY - 1, 3 * EVERY

    def broken(index: int) -> Callable[[list[str]], list[str]]:
        def change(texts: list[str]) -> list[str]:
            texts[index] = "{not json"
            return texts
        return change

    assert failure(served(sound, broken(last))) == (
        f"leaf {last}: its bytes differ from what checkpoint size {3 * EVERY} signed")
    assert failure(served(sound, broken(after))) == f"leaf {after}: not JSON"


def test_signed_bad_ballots_are_named_inside_a_chunk(mode: str) -> None:
    """Ballots the server signed itself: a second ballot for a voter without superseding, and a
    supersession that points at a ballot not the voter's current one."""
    entries = sound_entries()
    twice = verify.CHUNK + 501
    entries[twice] = entry(twice, voter=twice - 3)
    assert failure(signed_source(entries)) == (
        f"leaf {twice}: a second ballot for the same voter without superseding leaf {twice - 3}")

    entries = sound_entries()
    wrong = next(i for i in range(2 * verify.CHUNK + 100, LEAVES) if i % CHANGE == CHANGE - 1)  # a superseding leaf
    assert entries[wrong]["supersedes"] == wrong - 1
    entries[wrong]["supersedes"] = wrong - 2  # one leaf too far back
    assert failure(signed_source(entries)) == (
        f"leaf {wrong}: supersedes leaf {wrong - 2}, which is not this voter's current ballot")

    entries = sound_entries()
    entries[verify.CHUNK - 1] = entry(verify.CHUNK - 1, vote=2)
    assert failure(signed_source(entries)) == f"leaf {verify.CHUNK - 1}: it belongs to vote 2"


def test_bad_checkpoint_is_named(sound: MemorySource, mode: str) -> None:
    """A checkpoint correctly signed over a root its leaves do not give."""
    size = 4 * EVERY
    notes = list(sound.notes)
    position = next(i for i, n in enumerate(notes) if n.split("\n")[1] == str(size))
    wrong = merkle.root_from_leaf_hashes([merkle.leaf_hash(t.encode()) for t in sound.leaf_texts[:size - 1]])
    notes[position] = merkle.Signer(NAME, SEED).sign(merkle.Checkpoint(f"{NAME}/1", size, wrong))
    source = MemorySource(sound.vote(), sound.verifier_key(), notes, list(sound.leaf_texts), sound.store,
                          sound.results())
    assert failure(source).startswith(f"checkpoint size {size}: the server's stored tree over leaves 0–{size - 1} ")


def test_truncated_log_is_named(sound: MemorySource, mode: str) -> None:
    keep = 2 * verify.CHUNK + 100
    assert failure(served(sound, lambda texts: texts[:keep])) == (
        f"leaf {keep} is missing (checkpoint size {LEAVES} signed {LEAVES} leaves, {keep} were served)")


def test_missing_leaf_in_the_middle_is_named(sound: MemorySource, mode: str) -> None:
    gone = verify.CHUNK + 77

    class Gap(MemorySource):
        def leaves(self) -> Any:
            return ((i, t) for i, t in enumerate(self.leaf_texts) if i != gone)

    source = Gap(sound.vote(), sound.verifier_key(), sound.notes, sound.leaf_texts, sound.store, sound.results())
    assert failure(source) == f"leaf {gone} is missing (the next leaf served is {gone + 1})"


def test_levels_give_every_prefix_root() -> None:
    texts = [f"leaf {i}" for i in range(37)]
    levels = merkle.tree_levels(merkle.leaf_hashes(texts))
    for size in range(38):
        assert merkle.root_from_levels(levels, size) == merkle.root_from_leaf_hashes(
            [merkle.leaf_hash(t.encode()) for t in texts[:size]])
    with pytest.raises(merkle.ProofError):
        merkle.root_from_levels(levels, 38)
