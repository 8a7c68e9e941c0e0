"""An append-only Merkle transparency log: RFC 6962 §2.1 hashing and proofs, RFC 9162
§2.1.3.2 / §2.1.4.2 verification, and C2SP signed-note checkpoints (Ed25519) with room for
witness cosignatures (C2SP tlog-cosignature v1).

Framework-free: the storage is whatever `get_node(level, index)` reads. A node (level, index)
is the hash of the complete subtree over leaves [index·2^level, (index+1)·2^level); level 0
holds the leaf hashes. A log stores every complete subtree hash once it exists (see
`append`), so appending is amortised O(1) and any proof or past root reads O(log n) nodes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

GetNode = Callable[[int, int], bytes]
Coord = tuple[int, int]  # (level, index) of a complete subtree


class ProofError(ValueError):
    """A proof, checkpoint or input that does not verify."""


# --- hashing ---------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n ≤ 2k (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over already hashed leaves (iterative, O(n) time, O(log n) memory)."""
    frontier: list[bytes] = []
    for i, h in enumerate(hashes):
        frontier = _frontier_push(frontier, i, h)[0]
    return root_from_frontier(frontier)


# --- storage helpers: complete subtrees, the frontier ----------------------------------------


def subtree_coords(start: int, end: int) -> list[Coord]:
    """The maximal complete subtrees covering leaves [start, end), left to right.

    For the ranges RFC 6962 recursion produces (start aligned to the range's power-of-two
    size bound), folding their hashes right to left gives MTH(D[start:end]).
    """
    coords: list[Coord] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << level) > end:
            level -= 1
        coords.append((level, start >> level))
        start += 1 << level
    return coords


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combines left-to-right complete-subtree hashes into one MTH (right-to-left fold)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    """The root of a tree from its frontier (the complete subtrees of [0, size), left to right)."""
    return fold(frontier)


def _frontier_push(frontier: list[bytes], index: int, h: bytes) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Appends leaf hash `h` at `index` (= current size). Returns the new frontier and the
    complete subtree nodes (level, index, hash) that now exist, the leaf first."""
    new_nodes: list[tuple[int, int, bytes]] = [(0, index, h)]
    frontier = list(frontier)
    level, i, acc = 0, index, h
    while i & 1:
        left = frontier.pop()
        acc = node_hash(left, acc)
        level += 1
        i >>= 1
        new_nodes.append((level, i, acc))
    frontier.append(acc)
    return frontier, new_nodes


@dataclass
class Appended:
    """What one append produced: the leaf's index, the new size and root, the new frontier,
    the nodes to store, and the inclusion proof of the new leaf against the new root."""

    index: int
    size: int
    root: bytes
    frontier: list[bytes]
    nodes: list[tuple[int, int, bytes]]
    proof: list[bytes]


def append(frontier: Sequence[bytes], size: int, data_hash: bytes) -> Appended:
    """Appends one leaf hash to a tree of `size` leaves whose frontier is given.

    The inclusion proof of the last leaf of a tree is its old frontier in reverse order, so
    the receipt for a fresh ballot costs no reads at all.
    """
    _check_hash(data_hash, "leaf hash")
    if len(frontier) != bin(size).count("1"):
        raise ProofError(f"a frontier of a {size}-leaf tree has {bin(size).count('1')} hashes, not {len(frontier)}")
    new_frontier, nodes = _frontier_push(list(frontier), size, data_hash)
    return Appended(
        index=size, size=size + 1, root=root_from_frontier(new_frontier), frontier=new_frontier, nodes=nodes,
        proof=list(reversed(frontier)),
    )


@dataclass
class BatchAppended:
    """What appending a batch produced: one tree head for the whole batch (size, root,
    frontier), the nodes to store, and each new leaf's inclusion proof against that head."""

    start: int
    size: int
    root: bytes
    frontier: list[bytes]
    nodes: list[tuple[int, int, bytes]]
    proofs: list[list[bytes]]


def append_batch(frontier: Sequence[bytes], size: int, data_hashes: Sequence[bytes]) -> BatchAppended:
    """Appends leaf hashes in order to a tree of `size` leaves whose frontier is given.

    Every proof is computed from the old frontier and the batch's own nodes, without reads: a
    proof hash left of a new leaf that lies wholly in the old tree is one of its frontier
    subtrees (an aligned subtree of [0, size) whose parent reaches past `size` is maximal), and
    every other proof hash is a complete subtree the batch itself completed.
    """
    if len(frontier) != bin(size).count("1"):
        raise ProofError(f"a frontier of a {size}-leaf tree has {bin(size).count('1')} hashes, not {len(frontier)}")
    known: dict[Coord, bytes] = dict(zip(subtree_coords(0, size), frontier, strict=True))
    new_frontier = list(frontier)
    nodes: list[tuple[int, int, bytes]] = []
    for offset, h in enumerate(data_hashes):
        _check_hash(h, "leaf hash")
        new_frontier, pushed = _frontier_push(new_frontier, size + offset, h)
        nodes.extend(pushed)
    for level, index, h in nodes:
        known[(level, index)] = h
    end = size + len(data_hashes)
    get = known.__getitem__
    proofs = [inclusion_proof(i, end, lambda lv, ix: get((lv, ix))) for i in range(size, end)]
    return BatchAppended(start=size, size=end, root=root_from_frontier(new_frontier), frontier=new_frontier,
                         nodes=nodes, proofs=proofs)


class MemoryStore:
    """An in-memory log keeping every complete subtree hash (tests, benchmarks, verifiers)."""

    def __init__(self) -> None:
        self.nodes: dict[Coord, bytes] = {}
        self.frontier: list[bytes] = []
        self.size = 0

    def append(self, data: bytes) -> Appended:
        return self.append_hash(leaf_hash(data))

    def append_hash(self, h: bytes) -> Appended:
        result = append(self.frontier, self.size, h)
        for level, index, node in result.nodes:
            self.nodes[(level, index)] = node
        self.frontier, self.size = result.frontier, result.size
        return result

    def get_node(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def root(self, size: int | None = None) -> bytes:
        return root_at(self.size if size is None else size, self.get_node)


def root_at(size: int, get_node: GetNode) -> bytes:
    """The root of the tree's first `size` leaves, from stored complete subtrees (O(log n) reads)."""
    return fold([get_node(level, index) for level, index in subtree_coords(0, size)])


# --- bulk: a whole log's complete subtrees, level by level --------------------------------------


def leaf_hashes(texts: Iterable[str]) -> list[bytes]:
    """The leaf hashes of UTF-8 leaf texts, in one pass."""
    sha = hashlib.sha256
    return [sha(b"\x00" + t.encode()).digest() for t in texts]


def tree_levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Every complete subtree hash of a log, level by level: levels[0] is the leaf hashes and
    levels[l][i] is MTH of leaves [i·2^l, (i+1)·2^l). n − 1 node hashes for n leaves; any
    prefix's root is then `root_from_levels` (O(log n)), so every checkpoint of a log is
    checked from one pass over it."""
    sha = hashlib.sha256
    levels = [hashes]
    level = hashes
    while len(level) > 1:
        pairs = iter(level)
        level = [sha(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=False)]
        levels.append(level)
    return levels


def root_from_levels(levels: Sequence[Sequence[bytes]], size: int) -> bytes:
    """MTH of the first `size` leaves of a log whose `tree_levels` are given (size ≤ leaves)."""
    if not 0 <= size <= (len(levels[0]) if levels else 0):
        raise ProofError(f"no root of size {size} in a log of {len(levels[0]) if levels else 0} leaves")
    return fold([levels[level][index] for level, index in subtree_coords(0, size)])


# --- proofs ----------------------------------------------------------------------------------


def inclusion_coords(index: int, size: int) -> list[list[Coord]]:
    """The stored nodes an inclusion proof reads: one group per proof hash (a group of more
    than one node is folded into one hash)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    groups: list[list[Coord]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if m < k:
            groups.append(subtree_coords(start + k, end))
            end = start + k
        else:
            groups.append(subtree_coords(start, start + k))
            start += k
            m -= k
    groups.reverse()
    return groups


def consistency_coords(size1: int, size2: int) -> list[list[Coord]]:
    """The stored nodes a consistency proof from size1 to size2 reads (grouped like above)."""
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    groups: list[list[Coord]] = []
    if size1 == size2:
        return groups
    start, end, m, complete = 0, size2, size1, True
    while m != end - start:
        n = end - start
        k = _largest_power_of_two_below(n)
        if m <= k:
            groups.append(subtree_coords(start + k, end))
            end = start + k
        else:
            groups.append(subtree_coords(start, start + k))
            start += k
            m -= k
            complete = False
    if not complete:
        groups.append(subtree_coords(start, end))
    groups.reverse()
    return groups


def _resolve(groups: Iterable[list[Coord]], get_node: GetNode) -> list[bytes]:
    return [fold([get_node(level, index) for level, index in group]) for group in groups]


def inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """PATH(index, D[size]) from stored complete subtrees: O(log n) reads."""
    return _resolve(inclusion_coords(index, size), get_node)


def consistency_proof(size1: int, size2: int, get_node: GetNode) -> list[bytes]:
    """PROOF(size1, D[size2]) from stored complete subtrees: O(log n) reads."""
    return _resolve(consistency_coords(size1, size2), get_node)


def _check_hash(h: object, what: str) -> None:
    if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
        raise ProofError(f"{what} must be exactly {HASH_SIZE} bytes")


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2. Raises ProofError unless `proof` shows the leaf at `index` in the tree
    of exactly `size` leaves whose root is `root`."""
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root")
    for p in proof:
        _check_hash(p, "proof hash")
    if index < 0 or size < 0 or index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    if r != root:
        raise ProofError("the inclusion proof does not lead to the root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 §2.1.4.2. Raises ProofError unless the tree of size2 with root2 extends the
    tree of size1 with root1. A proof from an empty tree (size1 = 0) is refused. Between equal
    sizes an empty proof and equal roots verify whatever the roots' length, as in RFC 6962's
    reference code: nothing is hashed, so there is no hash size to hold them to."""
    if size1 < 0 or size2 < 0 or size1 > size2:
        raise ProofError(f"size {size1} is larger than size {size2}")
    if size1 == 0:
        raise ProofError("a consistency proof from an empty tree is not accepted")
    if size1 == size2:
        if not isinstance(root1, bytes | bytearray) or not isinstance(root2, bytes | bytearray):
            raise ProofError("roots must be bytes")
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if root1 != root2:
            raise ProofError("two roots of the same size differ")
        return
    _check_hash(root1, "first root")
    _check_hash(root2, "second root")
    for p in proof:
        _check_hash(p, "proof hash")
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, bytes(root1))
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != root1:
        raise ProofError("the consistency proof does not lead to the first root")
    if sr != root2:
        raise ProofError("the consistency proof does not lead to the second root")


# --- checkpoints (C2SP tlog-checkpoint + signed-note, Ed25519) ---------------------------------

SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return checkpoint_text(self.origin, self.size, self.root)


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    public_key: bytes
    alg: int = SIG_ED25519

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.alg]) + self.public_key).decode()}"


@dataclass(frozen=True)
class SignedNote:
    text: str
    signatures: tuple[tuple[str, bytes, bytes], ...] = field(default=())  # (name, key id, signature bytes)


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise ProofError("a key name or origin must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes, alg: int = SIG_ED25519) -> bytes:
    """C2SP key ID: SHA-256(name ‖ 0x0A ‖ alg ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    _check_name(origin)
    _check_hash(root, "root")
    if size < 0:
        raise ProofError("a tree size cannot be negative")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def public_key_from_seed(seed: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if len(seed) != 32:
        raise ProofError("an Ed25519 seed is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, seed_or_public: bytes, *, from_seed: bool = True) -> VerifierKey:
    _check_name(name)
    public = public_key_from_seed(seed_or_public) if from_seed else seed_or_public
    return VerifierKey(name, key_id(name, public), public)


def parse_verifier_key(text: str) -> VerifierKey:
    """Parses `<name>+<key id hex>+<base64(alg ‖ public key)>` and checks the key ID."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise ProofError("a verifier key is <name>+<key id>+<key>")
    name, hex_id, b64 = parts
    _check_name(name)
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError) as exc:
        raise ProofError("the verifier key is not valid hex/base64") from exc
    if len(kid) != 4 or len(raw) != 33 or raw[0] != SIG_ED25519:
        raise ProofError("only Ed25519 verifier keys (type 0x01, 32 bytes) are supported")
    if key_id(name, raw[1:]) != kid:
        raise ProofError("the verifier key's ID does not match its name and key")
    return VerifierKey(name, kid, raw[1:])


def _sign_line(name: str, kid: bytes, sig: bytes) -> str:
    return f"— {name} {base64.b64encode(kid + sig).decode()}\n"


class Signer:
    """A log's signing key, loaded once: signs checkpoints as C2SP signed notes."""

    def __init__(self, name: str, seed: bytes) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        _check_name(name)
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.verifier = verifier_key(name, seed)

    def sign(self, checkpoint: Checkpoint | str) -> str:
        text = checkpoint.text() if isinstance(checkpoint, Checkpoint) else checkpoint
        _check_note_text(text)
        return text + "\n" + _sign_line(self.name, self.verifier.key_id, self._key.sign(text.encode()))


def sign_checkpoint(checkpoint: Checkpoint | str, *, name: str, seed: bytes) -> str:
    """The signed note for a checkpoint (or a note text ending in a newline)."""
    return Signer(name, seed).sign(checkpoint)


def _check_note_text(text: str) -> None:
    if not text.endswith("\n"):
        raise ProofError("a note text ends with a newline")
    if any((ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F for c in text):
        raise ProofError("a note must not contain control characters")
    if "\n\n" in text:
        raise ProofError("a note text has no blank lines")


def parse_note(note: str) -> SignedNote:
    """Splits a signed note into its text and its signature lines (no verification)."""
    if any((ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F for c in note):
        raise ProofError("a note must not contain control characters")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise ProofError("a signed note needs a blank line before its signatures")
    text, sigblock = note[: cut + 1], note[cut + 2 :]
    if not sigblock.endswith("\n"):
        raise ProofError("each signature line ends with a newline")
    lines = sigblock[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise ProofError(f"a note may carry at most {MAX_SIGNATURES} signatures")
    sigs: list[tuple[str, bytes, bytes]] = []
    for line in lines:
        if not line.startswith("— "):
            raise ProofError("a signature line starts with an em dash and a space")
        parts = line[2:].split(" ")
        if len(parts) != 2:
            raise ProofError("a signature line is '— <name> <base64>'")
        name, b64 = parts
        _check_name(name)
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise ProofError("a signature is not valid base64") from exc
        if len(raw) < 5:
            raise ProofError("a signature is too short")
        sigs.append((name, raw[:4], raw[4:]))
    _check_note_text(text)
    return SignedNote(text, tuple(sigs))


def parse_checkpoint_text(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise ProofError("a checkpoint has at least three lines: origin, size, root")
    origin, size_s, root_b64 = lines[0], lines[1], lines[2]
    _check_name(origin)
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")) or not size_s.isascii():
        raise ProofError("the tree size is a decimal number without leading zeros")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except binascii.Error as exc:
        raise ProofError("the root hash is not valid base64") from exc
    _check_hash(root, "root")
    if base64.b64encode(root).decode() != root_b64:
        raise ProofError("the root hash is not canonical base64")
    return Checkpoint(origin, int(size_s), root)


def verify_checkpoint(note: str, keys: Sequence[VerifierKey], *, origin: str | None = None) -> Checkpoint:
    """Verifies a signed checkpoint: every signature by a known (name, key ID) must verify
    and at least one must; unknown signatures (e.g. witnesses not configured) are ignored."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signed = parse_note(note)
    known = {(k.name, k.key_id): k for k in keys if k.alg == SIG_ED25519}
    verified = 0
    for name, kid, sig in signed.signatures:
        k = known.get((name, kid))
        if k is None:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(k.public_key).verify(sig, signed.text.encode())
        except InvalidSignature as exc:
            raise ProofError(f"the signature of {name} does not verify") from exc
        verified += 1
    if not verified:
        raise ProofError("no known key signed this checkpoint")
    checkpoint = parse_checkpoint_text(signed.text)
    if origin is not None and checkpoint.origin != origin:
        raise ProofError(f"the checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


# --- witness cosignatures (C2SP tlog-cosignature, Ed25519 v1) ----------------------------------


def cosignature_key(name: str, seed: bytes) -> VerifierKey:
    public = public_key_from_seed(seed)
    return VerifierKey(name, key_id(name, public, SIG_COSIGNATURE_V1), public, SIG_COSIGNATURE_V1)


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def cosign(note: str, *, name: str, seed: bytes, timestamp: int) -> str:
    """A witness adds its cosignature line to a signed checkpoint (after checking it itself)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signed = parse_note(note)
    k = cosignature_key(name, seed)
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(_cosigned_message(signed.text, timestamp))
    return note + _sign_line(name, k.key_id, struct.pack(">Q", timestamp) + sig)


def verify_cosignatures(note: str, witnesses: Sequence[VerifierKey]) -> list[str]:
    """Names of the given witnesses whose cosignature on this note verifies."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signed = parse_note(note)
    known = {(w.name, w.key_id): w for w in witnesses if w.alg == SIG_COSIGNATURE_V1}
    names: list[str] = []
    for name, kid, sig in signed.signatures:
        w = known.get((name, kid))
        if w is None or len(sig) != 72:
            continue
        (timestamp,) = struct.unpack(">Q", sig[:8])
        try:
            Ed25519PublicKey.from_public_bytes(w.public_key).verify(sig[8:], _cosigned_message(signed.text, timestamp))
        except InvalidSignature as exc:
            raise ProofError(f"the cosignature of witness {name} does not verify") from exc
        names.append(name)
    return names
