"""RFC 6962 test vectors, hand-computed small trees, exhaustive and property tests of the log,
and the C2SP checkpoint example of STANDARDS.md §7.5."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.lib import merkle
from smartseoul.lib.merkle import (
    MemoryStore,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(x)
    for x in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H = bytes.fromhex
INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
CONSISTENCY = {
    (1, 8): INCLUSION[(0, 8)],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def store_of(n: int) -> MemoryStore:
    s = MemoryStore()
    for i in range(n):
        s.append(f"leaf {i}".encode())
    return s


def mth(data: list[bytes]) -> bytes:
    """The recursive definition of RFC 6962 §2.1, written out for reference."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def test_rfc6962_roots() -> None:
    s = MemoryStore()
    assert s.root().hex() == ROOTS[0]
    assert root_from_leaf_hashes([]).hex() == ROOTS[0]
    for n, data in enumerate(LEAVES, start=1):
        s.append(data)
        assert s.root().hex() == ROOTS[n]
        assert root_from_leaf_hashes([leaf_hash(d) for d in LEAVES[:n]]).hex() == ROOTS[n]
    for n in range(9):  # past roots are recomputed from stored subtrees
        assert s.root(n).hex() == ROOTS[n]


@pytest.mark.parametrize(("index", "size"), list(INCLUSION))
def test_rfc6962_inclusion_vectors(index: int, size: int) -> None:
    s = MemoryStore()
    for d in LEAVES:
        s.append(d)
    proof = inclusion_proof(index, size, s.get_node)
    assert [p.hex() for p in proof] == INCLUSION[(index, size)]
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, H(ROOTS[size]))


@pytest.mark.parametrize(("size1", "size2"), list(CONSISTENCY))
def test_rfc6962_consistency_vectors(size1: int, size2: int) -> None:
    s = MemoryStore()
    for d in LEAVES:
        s.append(d)
    proof = consistency_proof(size1, size2, s.get_node)
    assert [p.hex() for p in proof] == CONSISTENCY[(size1, size2)]
    verify_consistency(size1, size2, proof, H(ROOTS[size1]), H(ROOTS[size2]))


def test_hand_computed_small_trees() -> None:
    """Sizes 0–9 written out by hand from leaf_hash/node_hash."""
    d = [bytes([i]) for i in range(9)]
    lh = [hashlib.sha256(b"\x00" + x).digest() for x in d]

    def n(a: bytes, b: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + a + b).digest()

    h01, h23, h45, h67 = n(lh[0], lh[1]), n(lh[2], lh[3]), n(lh[4], lh[5]), n(lh[6], lh[7])
    h0123, h4567 = n(h01, h23), n(h45, h67)
    expected = [
        hashlib.sha256(b"").digest(),
        lh[0],
        h01,
        n(h01, lh[2]),
        h0123,
        n(h0123, lh[4]),
        n(h0123, h45),
        n(h0123, n(h45, lh[6])),
        n(h0123, h4567),
        n(n(h0123, h4567), lh[8]),
    ]
    s = MemoryStore()
    assert s.root() == expected[0]
    for i in range(9):
        s.append(d[i])
        assert s.root() == expected[i + 1], i + 1
        assert leaf_hash(d[i]) == lh[i] and node_hash(lh[0], lh[1]) == h01
    # hand-written proofs for the odd size 7
    assert inclusion_proof(6, 7, s.get_node) == [h45, h0123]
    assert inclusion_proof(4, 7, s.get_node) == [lh[5], lh[6], h0123]
    assert inclusion_proof(0, 7, s.get_node) == [lh[1], h23, n(h45, lh[6])]
    assert consistency_proof(3, 7, s.get_node) == [lh[2], lh[3], h01, n(h45, lh[6])]
    assert consistency_proof(4, 9, s.get_node) == [h4567, lh[8]] and consistency_proof(4, 8, s.get_node) == [h4567]
    for size in range(1, 10):
        assert s.root(size) == mth(d[:size])


def test_exhaustive_small_trees() -> None:
    """Every size up to 64, every index and every (m, n) pair: generated, then verified."""
    s = store_of(64)
    data = [f"leaf {i}".encode() for i in range(64)]
    roots = [s.root(n) for n in range(65)]
    for n in range(1, 65):
        assert roots[n] == mth(data[:n])
        for m in range(n):
            proof = inclusion_proof(m, n, s.get_node)
            assert len(proof) <= (n - 1).bit_length()
            verify_inclusion(leaf_hash(data[m]), m, n, proof, roots[n])
        for m in range(1, n + 1):
            verify_consistency(m, n, consistency_proof(m, n, s.get_node), roots[m], roots[n])


def test_last_leaf_proof_needs_no_reads() -> None:
    s = MemoryStore()
    for i in range(40):
        appended = s.append(f"{i}".encode())
        assert appended.proof == inclusion_proof(i, i + 1, s.get_node)
        verify_inclusion(leaf_hash(f"{i}".encode()), i, i + 1, appended.proof, appended.root)


def test_negative_cases() -> None:
    s = store_of(8)
    root = s.root()
    lh = leaf_hash(b"leaf 3")
    proof = inclusion_proof(3, 8, s.get_node)
    flipped = bytearray(proof[1])
    flipped[0] ^= 1
    bad_inputs = [
        (lh, 3, 8, [proof[0], bytes(flipped), proof[2]], root),  # a flipped bit
        (lh, 3, 8, [*proof, proof[0]], root),  # one hash too long
        (lh, 3, 8, proof[:-1], root),  # one hash too short
        (lh, 3, 7, proof, s.root(7)),  # wrong size (with that size's root)
        (lh, 8, 8, proof, root),  # leaf_index == tree_size
        (lh, -1, 8, proof, root),
        (lh, 2, 8, proof, root),  # wrong index
        (lh[:31], 3, 8, proof, root),  # not 32 bytes
        (lh, 3, 8, [proof[0][:31], proof[1], proof[2]], root),
        (lh, 3, 8, proof, root[:31]),
        (lh, 0, 0, [], root),
    ]
    verify_inclusion(lh, 3, 8, proof, root)
    for args in bad_inputs:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    r3, r8 = s.root(3), s.root(8)
    cproof = consistency_proof(3, 8, s.get_node)
    verify_consistency(3, 8, cproof, r3, r8)
    for args2 in [
        (3, 8, cproof[:-1], r3, r8),
        (3, 8, [*cproof, r3], r3, r8),
        (4, 8, cproof, r3, r8),
        (3, 7, cproof, r3, s.root(7)),
        (0, 8, [], merkle.EMPTY_ROOT, r8),
        (0, 8, cproof, merkle.EMPTY_ROOT, r8),
        (8, 3, cproof, r8, r3),
        (3, 8, [], r3, r8),
        (3, 3, [r3], r3, r3),
        (3, 8, cproof, r8, r8),
        (3, 8, cproof, r3, r3),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*args2)
    verify_consistency(3, 3, [], r3, r3)
    with pytest.raises(ProofError):
        inclusion_proof(8, 8, s.get_node)
    with pytest.raises(ProofError):
        consistency_proof(0, 8, s.get_node)


def test_equal_sizes_verify_whatever_the_roots_length() -> None:
    """RFC 6962's reference code accepts equal sizes with an empty proof and equal roots without
    hashing anything, so a 12-byte root is no reason to refuse; a differing root or any proof is."""
    short = bytes(range(12))
    verify_consistency(5, 5, [], short, short)
    verify_consistency(5, 5, [], b"", b"")
    with pytest.raises(ProofError):
        verify_consistency(5, 5, [], short, short[:-1] + b"x")
    with pytest.raises(ProofError):
        verify_consistency(5, 5, [short], short, short)
    with pytest.raises(ProofError):
        verify_consistency(0, 0, [], short, short)
    with pytest.raises(ProofError):
        verify_consistency(3, 5, [bytes(32)], short, short)


_big = store_of(300)
_roots = {n: _big.root(n) for n in range(301)}


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))), st.data())
def test_property_inclusion(case: tuple[int, int], data: st.DataObject) -> None:
    size, index = case
    proof = inclusion_proof(index, size, _big.get_node)
    lh = leaf_hash(f"leaf {index}".encode())
    verify_inclusion(lh, index, size, proof, _roots[size])
    # any single changed byte fails
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        pos = data.draw(st.integers(0, 31))
        bad = bytearray(proof[which])
        bad[pos] ^= data.draw(st.integers(1, 255))
        with pytest.raises(ProofError):
            verify_inclusion(lh, index, size, [*proof[:which], bytes(bad), *proof[which + 1 :]], _roots[size])
    bad_leaf = bytearray(lh)
    bad_leaf[data.draw(st.integers(0, 31))] ^= 0x80
    with pytest.raises(ProofError):
        verify_inclusion(bytes(bad_leaf), index, size, proof, _roots[size])
    # another index fails
    other = data.draw(st.integers(0, size))
    if other != index:
        with pytest.raises(ProofError):
            verify_inclusion(lh, other, size, proof, _roots[size])
    # a proof never verifies against the root of another size
    other_size = data.draw(st.integers(1, 300))
    if other_size != size:
        with pytest.raises(ProofError):
            verify_inclusion(lh, index, other_size, proof, _roots[other_size])


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 300).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))), st.data())
def test_property_consistency(sizes: tuple[int, int], data: st.DataObject) -> None:
    m, n = sizes
    proof = consistency_proof(m, n, _big.get_node)
    verify_consistency(m, n, proof, _roots[m], _roots[n])
    which = data.draw(st.integers(0, len(proof) - 1))
    bad = bytearray(proof[which])
    bad[data.draw(st.integers(0, 31))] ^= data.draw(st.integers(1, 255))
    with pytest.raises(ProofError):
        verify_consistency(m, n, [*proof[:which], bytes(bad), *proof[which + 1 :]], _roots[m], _roots[n])
    other = data.draw(st.integers(1, 300))
    if other not in (m, n):
        first, second = (other, n) if other < n else (m, other)
        with pytest.raises(ProofError):
            verify_consistency(first, second, proof, _roots[first], _roots[second])


# --- checkpoints ---------------------------------------------------------------------------------

SEED = hashlib.sha256(b"smartseoul example key").digest()
EXAMPLE = (
    "vote.example.city/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
    "— vote.example.city/log "
    "MA5Syh/93jT1kGuRzMyHO21E5bwZ60+FStO+pbZ2CNzSPOBFOw9GnCDxr0LEwfIQY8xbmDpb1i33jPjfoXzijEPMUQI=\n"
)


def test_c2sp_checkpoint_example() -> None:
    assert SEED.hex() == "dcee086fd262ee896add1f209be12869ee58bba07d494f6cc1c05112fd12684b"
    vk = merkle.verifier_key("vote.example.city/log", SEED)
    assert base64.b64encode(vk.public_key).decode() == "xp7D0xV0coTcYedCEYDb4yKC16FgiJ4wWzZALMTiSc4="
    assert vk.key_id.hex() == "300e52ca"
    assert str(vk) == "vote.example.city/log+300e52ca+Acaew9MVdHKE3GHnQhGA2+MigtehYIieMFs2QCzE4knO"
    note = merkle.sign_checkpoint(
        merkle.Checkpoint("vote.example.city/log", 8, H(ROOTS[8])), name="vote.example.city/log", seed=SEED
    )
    assert note == EXAMPLE
    parsed = merkle.parse_verifier_key(str(vk))
    cp = merkle.verify_checkpoint(EXAMPLE, [parsed], origin="vote.example.city/log")
    assert (cp.size, cp.root.hex()) == (8, ROOTS[8])


def test_checkpoint_refusals() -> None:
    vk = merkle.verifier_key("vote.example.city/log", SEED)
    other = merkle.verifier_key("vote.example.city/log", hashlib.sha256(b"other").digest())
    tampered = EXAMPLE.replace("\n8\n", "\n9\n")
    for bad, keys in [
        (tampered, [vk]),  # the text changed
        (EXAMPLE, [other]),  # no known key
        (EXAMPLE.replace("— ", "- "), [vk]),  # not an em dash
        (EXAMPLE.replace("\n\n", "\n"), [vk]),  # no blank line
        (EXAMPLE.replace("log\n8", "log\n08"), [vk]),  # leading zero
        (EXAMPLE.replace("log\n8", "log\r\n8"), [vk]),  # control character
    ]:
        with pytest.raises(ProofError):
            merkle.verify_checkpoint(bad, keys)
    with pytest.raises(ProofError):
        merkle.verify_checkpoint(EXAMPLE, [vk], origin="another.example/log")
    with pytest.raises(ProofError):
        merkle.parse_verifier_key("vote.example.city/log+300e52cb+Acaew9MVdHKE3GHnQhGA2+MigtehYIieMFs2QCzE4knO")
    # a known key whose signature fails rejects the note even if another signature verifies
    forged = EXAMPLE + f"— vote.example.city/log {base64.b64encode(other.key_id + bytes(64)).decode()}\n"
    merkle.verify_checkpoint(forged, [vk])  # the unknown (name, id) line is ignored
    with pytest.raises(ProofError):
        merkle.verify_checkpoint(forged, [vk, other])


def test_many_signature_lines_and_witness_cosignatures() -> None:
    vk = merkle.verifier_key("vote.example.city/log", SEED)
    note = EXAMPLE
    witnesses = []
    for i in range(16):
        wseed = hashlib.sha256(f"witness {i}".encode()).digest()
        note = merkle.cosign(note, name=f"witness{i}.example", seed=wseed, timestamp=1_700_000_000 + i)
        witnesses.append(merkle.cosignature_key(f"witness{i}.example", wseed))
    assert len(merkle.parse_note(note).signatures) == 17
    assert merkle.verify_checkpoint(note, [vk]).size == 8
    assert merkle.verify_cosignatures(note, witnesses) == [f"witness{i}.example" for i in range(16)]
    bad = note.replace("\n8\n", "\n9\n")
    with pytest.raises(ProofError):
        merkle.verify_cosignatures(bad, witnesses)
