"""Appending a batch of leaves at once gives the same nodes, head and proofs as appending them
one by one and proving from a full store."""

from __future__ import annotations

import hashlib
import random

import pytest

from smartseoul.lib import merkle


def _h(i: int) -> bytes:
    return hashlib.sha256(i.to_bytes(8, "big")).digest()


@pytest.mark.parametrize("seed", range(12))
def test_batches_match_single_appends(seed: int) -> None:
    rng = random.Random(seed)
    single = merkle.MemoryStore()
    frontier: list[bytes] = []
    size = 0
    stored: dict[tuple[int, int], bytes] = {}
    while size < 300:
        batch = [_h(size + k) for k in range(rng.choice([1, 1, 2, 3, 5, 8, 17, 33]))]
        for h in batch:
            single.append_hash(h)
        result = merkle.append_batch(frontier, size, batch)
        assert result.start == size and result.size == size + len(batch) == single.size
        assert result.root == single.root() and result.frontier == single.frontier
        for level, index, h in result.nodes:
            assert single.get_node(level, index) == h
            assert (level, index) not in stored  # each complete subtree is written once
            stored[(level, index)] = h
        for offset, proof in enumerate(result.proofs):
            assert proof == merkle.inclusion_proof(size + offset, result.size, single.get_node)
            merkle.verify_inclusion(batch[offset], size + offset, result.size, proof, result.root)
        frontier, size = result.frontier, result.size
    assert stored == single.nodes


def test_a_wrong_frontier_is_refused() -> None:
    with pytest.raises(merkle.ProofError):
        merkle.append_batch([], 3, [_h(0)])
    with pytest.raises(merkle.ProofError):
        merkle.append_batch([], 0, [b"short"])


def test_an_empty_batch_changes_nothing() -> None:
    store = merkle.MemoryStore()
    for i in range(5):
        store.append_hash(_h(i))
    result = merkle.append_batch(store.frontier, 5, [])
    assert result.size == 5 and result.root == store.root() and result.nodes == [] and result.proofs == []
