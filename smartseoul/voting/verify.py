"""`smartseoul ledger verify`: an independent audit of one vote's ballot log.

It downloads everything (from a server's public API with --url, or from the local database),
then recomputes every checkpoint's root from the leaves, checks every signature and every
consistency proof between consecutive checkpoints, checks each leaf (position, vote, one
current ballot per nullifier, supersession chains) and re-tallies the current ballots against
the published result. The first problem is named (a leaf index or a checkpoint size).

A changed leaf is located by descending from the signed root: the server's subtree hashes are
each authenticated by their parent, so the descent ends at the first leaf whose bytes differ
from what was signed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import struct
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import accumulate, islice, pairwise
from operator import itemgetter
from typing import Any, Protocol

from smartseoul.lib import merkle

_loads: Callable[[str], Any]
try:  # orjson parses leaves several times faster; the standard library is the fallback
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.loads

CHUNK = 16384
PARALLEL_FROM = 50_000  # leaves: below this, forking costs more than hashing beside the checks


class VerificationFailed(Exception):
    """The log does not verify; the message names the first bad leaf or checkpoint."""


class LogSource(Protocol):
    def vote(self) -> dict[str, Any]: ...  # {"id", "ballot_type", "options": [{"id", "key", "text"}], "status"}
    def verifier_key(self) -> str: ...
    def checkpoints(self) -> list[str]: ...
    def leaves(self) -> Iterator[tuple[int, str]]: ...
    def consistency(self, first: int, second: int) -> list[bytes]: ...
    def subtree(self, start: int, end: int) -> bytes: ...
    def results(self) -> dict[str, Any] | None: ...


@dataclass
class Report:
    vote_id: int
    leaves: int = 0
    checkpoints: int = 0
    consistency_proofs: int = 0
    current_ballots: int = 0
    tally_checked: bool = False
    notes: list[str] = field(default_factory=list)


def _first_bad_leaf(source: LogSource, levels: list[list[bytes]], end: int, expected: bytes) -> int:
    """Descends from an authenticated MTH(D[0:end]) to the first leaf whose hash differs. Each
    left half of the descent is a complete, aligned subtree, so its recomputed hash is read from
    `levels`; the server's halves are each authenticated by their parent."""
    start, size = 0, end
    while end - start > 1:
        k = 1 << ((end - start - 1).bit_length() - 1)
        left, right = source.subtree(start, start + k), source.subtree(start + k, end)
        if merkle.node_hash(left, right) != expected:
            raise VerificationFailed(f"checkpoint size {size}: the server's stored tree over leaves "
                                     f"{start}–{end - 1} does not match it")
        if levels[k.bit_length() - 1][start // k] != left:
            end, expected = start + k, left
        else:
            start, expected = start + k, right
    return start


def verify_log(source: LogSource, *, pinned_key: str | None = None, origin_prefix: str | None = None) -> Report:
    """Verifies one vote's log from `source`; raises VerificationFailed naming the first problem.
    The cyclic garbage collector is paused meanwhile: a million small leaf objects would make
    it rescan the heap again and again (nothing here creates reference cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _verify_log(source, pinned_key=pinned_key, origin_prefix=origin_prefix)
    finally:
        if enabled:
            gc.enable()


def _read_leaves(source: LogSource) -> tuple[list[str], str | None]:
    """Every leaf text in index order, read in bulk. A gap or a leaf served out of order ends
    the list there; the second value then says which leaf is missing."""
    texts: list[str] = []
    leaves_iter = iter(source.leaves())
    while True:
        chunk = list(islice(leaves_iter, CHUNK))
        if not chunk:
            return texts, None
        start = len(texts)
        indexes = [c[0] for c in chunk]
        if indexes != list(range(start, start + len(chunk))):
            for offset, index in enumerate(indexes):
                if index != start + offset:
                    texts.extend(c[1] for c in chunk[:offset])
                    return texts, f"leaf {start + offset} is missing (the next leaf served is {index})"
        texts.extend([c[1] for c in chunk])


class _Ballots:
    """The checked leaves as columns: each leaf's nullifier, choices and district by leaf index,
    and the current ballot's leaf index per nullifier."""

    def __init__(self) -> None:
        self.current: dict[str, int] = {}
        self.nullifiers: list[str] = []
        self.choices: list[Any] = []
        self.districts: list[Any] = []

    def tally_input(self) -> Iterator[tuple[Any, Any]]:
        indexes = list(self.current.values())
        return zip(map(self.choices.__getitem__, indexes), map(self.districts.__getitem__, indexes), strict=True)

    def recount_current(self) -> None:
        """`current` again from the recorded leaves (each nullifier's last leaf is its current
        ballot), after a bulk update met a nullifier it should not have."""
        self.current.clear()
        self.current.update(zip(self.nullifiers, range(len(self.nullifiers)), strict=True))


_FIELDS = tuple(itemgetter(k) for k in ("seq", "vote", "nullifier", "supersedes", "choices", "district"))


def _check_entries(texts: list[str], vote_id: int, end: int, ballots: _Ballots) -> None:
    """Checks leaves [0, end) as ballot entries (position, vote, one current ballot per
    nullifier, supersession chains) and records them in `ballots`. Each chunk is parsed and
    checked in bulk; from the first leaf where a bulk check does not pass, the chunk is checked
    leaf by leaf, which names the first bad leaf."""
    for start in range(0, end, CHUNK):
        part = texts[start:min(start + CHUNK, end)]
        done = _bulk_chunk(part, start, vote_id, ballots)
        if done < len(part):
            _chunk_by_leaf(part[done:], start + done, vote_id, ballots)


def _bulk_chunk(part: list[str], start: int, vote_id: int, ballots: _Ballots) -> int:
    """Checks a chunk in a few passes over it and records its ballots: every leaf a complete
    entry in its own place and vote with a string nullifier; between superseding leaves, runs
    of nullifiers added to `current` at once, which must grow by the run's length (no nullifier
    repeated or already counted); each superseding leaf on its own. Returns how many leaves from
    the chunk's start passed and were recorded (the rest are for the leaf-by-leaf check)."""
    try:
        entries = list(map(_loads, part))
        seqs, votes, nullifiers, supersedes, choices, districts = (list(map(f, entries)) for f in _FIELDS)
        if (seqs != list(range(start, start + len(part))) or set(votes) != {vote_id}
                or set(map(type, nullifiers)) != {str}):
            return 0
    except (ValueError, KeyError, TypeError):
        return 0
    current = ballots.current
    changes = [k for k, s in enumerate(supersedes) if s is not None] if supersedes.count(None) != len(part) else []
    done, recount = 0, False
    for upto in [*changes, len(part)]:
        before = len(current)
        current.update(zip(nullifiers[done:upto], range(start + done, start + upto), strict=True))
        if len(current) != before + upto - done:  # a repeated nullifier: count again up to this run
            recount = True
            break
        done = upto
        if upto < len(part):
            previous = current.get(nullifiers[upto])
            if previous is None or previous != supersedes[upto]:
                break
            current[nullifiers[upto]] = start + upto
            done += 1
    ballots.nullifiers.extend(nullifiers[:done])
    ballots.choices.extend(choices[:done])
    ballots.districts.extend(districts[:done])
    if recount:
        ballots.recount_current()
    return done


def _chunk_by_leaf(part: list[str], start: int, vote_id: int, ballots: _Ballots) -> None:
    current = ballots.current
    for index, text in enumerate(part, start):
        try:
            entry = _loads(text)
        except ValueError as exc:
            raise VerificationFailed(f"leaf {index}: not JSON") from exc
        try:
            seq, vote_of, nullifier, supersedes = (entry["seq"], entry["vote"], entry["nullifier"], entry["supersedes"])
            choices, district = entry["choices"], entry["district"]
        except (KeyError, TypeError) as exc:
            raise VerificationFailed(f"leaf {index}: not a complete ballot entry") from exc
        if seq != index:
            raise VerificationFailed(f"leaf {index}: it says it is leaf {seq} (moved or swapped)")
        if vote_of != vote_id:
            raise VerificationFailed(f"leaf {index}: it belongs to vote {vote_of}")
        if type(nullifier) is not str:
            raise VerificationFailed(f"leaf {index}: the nullifier is not a string")
        previous = current.get(nullifier)
        if supersedes is None:
            if previous is not None:
                raise VerificationFailed(f"leaf {index}: a second ballot for the same voter without superseding "
                                         f"leaf {previous}")
        elif previous is None or previous != supersedes:
            raise VerificationFailed(f"leaf {index}: supersedes leaf {supersedes}, which is not this voter's "
                                     "current ballot")
        current[nullifier] = index
        ballots.nullifiers.append(nullifier)
        ballots.choices.append(choices)
        ballots.districts.append(district)


def _first_bad_position(hashes: list[bytes], checkpoints: Sequence[tuple[int, bytes]]) -> int | None:
    """The position of the first checkpoint (size, root) within the leaves whose root the leaf
    hashes do not give."""
    levels = merkle.tree_levels(hashes)
    return next((k for k, (size, root) in enumerate(checkpoints)
                 if size <= len(hashes) and merkle.root_from_levels(levels, size) != root), None)


def _spare_core() -> bool:
    """Whether a second core is free now; on a machine whose cores are all busy, hashing in this
    process is faster than waiting for another."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover  (not Linux)
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover
        return cores >= 2
    return cores >= 2 and load < cores - 0.5


class _Hasher:
    """The leaf and node hashing in a second process, on a second core while this one parses
    and checks the leaves. The process is forked before the leaves are read, while this
    process is small, so that neither touches pages the other still shares (copy-on-write would
    copy them); the leaves then go to it through a pipe as one buffer (each leaf with the 0x00
    prefix its hash needs, so the buffer is hashed in slices) and it answers with the position of
    the first checkpoint whose root they do not give (8 bytes). Where it cannot run (no fork, no
    free core, a small log, a leaf that is not ASCII), the hashing happens here."""

    def __init__(self) -> None:
        self.pid = 0
        self.job = self.answer = -1
        if not hasattr(os, "fork") or not _spare_core():
            return
        job_read, self.job = os.pipe()
        self.answer, answer_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: read the job, hash, answer, leave without running any exit handler
            code = 1
            try:
                os.close(self.job)
                os.close(self.answer)
                with os.fdopen(job_read, "rb") as job:
                    work = pickle.load(job)  # noqa: S301  (a pipe from the process that forked this one)
                if work is not None:
                    buffer, offsets, checkpoints = work
                    view, bounds = memoryview(buffer), array("q", offsets)
                    sha = hashlib.sha256
                    hashes = [sha(view[start:end]).digest() for start, end in pairwise(bounds)]
                    position = _first_bad_position(hashes, checkpoints)
                    os.write(answer_write, struct.pack(">q", -1 if position is None else position))
                code = 0
            finally:
                os._exit(code)
        os.close(job_read)
        os.close(answer_write)

    def start(self, texts: list[str], checkpoints: list[merkle.Checkpoint]) -> Callable[[], int | None]:
        """Hands the leaves over; the returned call waits for the answer (or hashes here)."""
        cps = [(cp.size, cp.root) for cp in checkpoints]

        def here() -> int | None:
            return _first_bad_position(merkle.leaf_hashes(texts), cps)

        job = None
        if self.pid and len(texts) >= PARALLEL_FROM:
            buffer = ("\x00" + "\x00".join(texts)).encode()
            offsets = array("q", accumulate(map((1).__add__, map(len, texts)), initial=0))
            if offsets[-1] == len(buffer):  # one byte per character: every slice is one leaf
                job = (buffer, offsets.tobytes(), cps)
        self._send(job)
        if job is None:
            position = here()
            return lambda: position

        def wait() -> int | None:
            answer = self._finish()
            return here() if answer is None else (None if answer < 0 else answer)

        return wait

    def _send(self, job: Any) -> None:
        if self.job < 0:
            return
        fd, self.job = self.job, -1
        with suppress(BrokenPipeError), os.fdopen(fd, "wb") as pipe:  # a dead process: _finish says so
            pickle.dump(job, pipe, protocol=5)
        if job is None:
            self._finish()

    def _finish(self) -> int | None:
        """Waits for the process; its answer, or None when it gave none."""
        if not self.pid:
            return None
        with os.fdopen(self.answer, "rb") as pipe:
            raw = pipe.read(8)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return struct.unpack(">q", raw)[0] if len(raw) == 8 and status == 0 else None

    def close(self) -> None:
        """Ends the process if the leaves never reached it (a failure while reading them)."""
        self._send(None)


def _verify_log(source: LogSource, *, pinned_key: str | None, origin_prefix: str | None) -> Report:
    vote = source.vote()
    vote_id = int(vote["id"])
    report = Report(vote_id)
    served_key = source.verifier_key()
    key = merkle.parse_verifier_key(pinned_key or served_key)
    if pinned_key and pinned_key.strip() != served_key.strip():
        report.notes.append("the server publishes a different key than the pinned one")
    expected_origin = f"{origin_prefix or key.name}/{vote_id}"

    checkpoints: list[merkle.Checkpoint] = []
    for note in source.checkpoints():
        try:
            cp = merkle.verify_checkpoint(note, [key], origin=expected_origin)
        except merkle.ProofError as exc:
            size = note.split("\n")[1] if note.count("\n") > 2 else "?"
            raise VerificationFailed(f"checkpoint size {size}: {exc}") from exc
        if checkpoints and cp.size <= checkpoints[-1].size:
            raise VerificationFailed(f"checkpoint size {cp.size}: checkpoints are not in increasing size order")
        checkpoints.append(cp)
    report.checkpoints = len(checkpoints)
    if checkpoints and checkpoints[0].size == 0 and checkpoints[0].root != merkle.EMPTY_ROOT:
        raise VerificationFailed("checkpoint size 0: the root of an empty log is not SHA-256 of nothing")

    # every leaf, read in bulk; then, beside each other: every complete subtree hashed level by
    # level with every checkpoint's root taken from those levels (O(log n) each, no
    # recomputation per checkpoint), and the leaves parsed and checked as ballot entries
    hasher = _Hasher()
    try:
        texts, gap = _read_leaves(source)
        bad_checkpoint = hasher.start(texts, checkpoints)
    finally:
        hasher.close()
    served = len(texts)
    ballots = _Ballots()
    entry_problem: VerificationFailed | None = None
    try:
        _check_entries(texts, vote_id, served, ballots)
    except VerificationFailed as exc:
        entry_problem = exc
    finally:
        position = bad_checkpoint()  # always waits for the hashing process
    bad = None if position is None else checkpoints[position]
    # the first problem in log order: a checkpoint of size s is checked before leaf s − 1 itself
    if entry_problem is not None and (bad is None or len(ballots.choices) < bad.size - 1):
        raise entry_problem
    if bad is not None:
        levels = merkle.tree_levels(merkle.leaf_hashes(texts[:bad.size]))
        bad_leaf = _first_bad_leaf(source, levels, bad.size, bad.root)
        raise VerificationFailed(f"leaf {bad_leaf}: its bytes differ from what checkpoint size {bad.size} signed")
    if gap is not None:
        raise VerificationFailed(gap)
    report.leaves = served
    if checkpoints and checkpoints[-1].size > served:
        raise VerificationFailed(f"leaf {served} is missing (checkpoint size {checkpoints[-1].size} "
                                 f"signed {checkpoints[-1].size} leaves, {served} were served)")

    for a, b in pairwise(checkpoints):
        if a.size == 0:
            continue
        try:
            proof = source.consistency(a.size, b.size)
            merkle.verify_consistency(a.size, b.size, proof, a.root, b.root)
        except merkle.ProofError as exc:
            raise VerificationFailed(f"checkpoint size {b.size}: not consistent with size {a.size}: {exc}") from exc
        report.consistency_proofs += 1

    report.current_ballots = len(ballots.current)
    published = source.results()
    if published is not None:
        _compare_tally(vote, ballots, published, checkpoints, report)
    return report


def _compare_tally(
    vote: dict[str, Any], ballots: _Ballots, published: dict[str, Any],
    checkpoints: list[merkle.Checkpoint], report: Report,
) -> None:
    from .selectors import tally_ballots

    rows = [(int(o["id"]), str(o.get("key") or ""), str(o["text"])) for o in vote["options"]]
    mine = tally_ballots(vote["ballot_type"], rows, ballots.tally_input())
    if mine["total_ballots"] != published.get("total_ballots"):
        raise VerificationFailed(f"results: {published.get('total_ballots')} ballots published, the leaves hold "
                                 f"{mine['total_ballots']} current ballots")
    theirs = {int(o["id"]): o for o in published.get("options", [])}
    for o in mine["options"]:
        p = theirs.get(o["id"])
        if p is None or p.get("count") != o["count"] or p.get("points") != o["points"]:
            raise VerificationFailed(
                f"results: option {o['id']} published count {p and p.get('count')} / points {p and p.get('points')}, "
                f"the leaves give {o['count']} / {o['points']}")
    pub_districts = {
        code: {int(k): v for k, v in c.items()} for code, c in (published.get("by_district") or {}).items()
    }
    if pub_districts != mine["by_district"]:
        raise VerificationFailed("results: the counts by district differ from the leaves")
    log = published.get("log")
    if log and checkpoints:
        last = checkpoints[-1]
        if int(log.get("size", -1)) != last.size or log.get("root") != last.root.hex():
            raise VerificationFailed(f"results: they were published for log size {log.get('size')}, "
                                     f"the last checkpoint is size {last.size}")
    report.tally_checked = True


# --- sources -------------------------------------------------------------------------------------


class MemorySource:
    """A log already held in memory (downloaded files, tests, benchmarks): the leaf texts in
    index order, the signed checkpoint notes, and a `merkle.MemoryStore` of the same leaves,
    which answers subtree hashes and consistency proofs as a server would."""

    def __init__(self, vote: dict[str, Any], verifier_key: str, notes: list[str], leaves: list[str],
                 store: merkle.MemoryStore, results: dict[str, Any] | None = None) -> None:
        self._vote, self._key, self.notes, self.leaf_texts, self.store = vote, verifier_key, notes, leaves, store
        self._results = results

    def vote(self) -> dict[str, Any]:
        return self._vote

    def verifier_key(self) -> str:
        return self._key

    def checkpoints(self) -> list[str]:
        return self.notes

    def leaves(self) -> Iterator[tuple[int, str]]:
        return enumerate(self.leaf_texts)

    def consistency(self, first: int, second: int) -> list[bytes]:
        return merkle.consistency_proof(first, second, self.store.get_node)

    def subtree(self, start: int, end: int) -> bytes:
        return merkle.fold([self.store.get_node(level, index) for level, index in merkle.subtree_coords(start, end)])

    def results(self) -> dict[str, Any] | None:
        return self._results


class LocalSource:
    """Reads the local database through the module's selectors (the same data the API serves)."""

    def __init__(self, vote_id: int, page: int = 20_000) -> None:
        self.vote_id = vote_id
        self.page = page

    def vote(self) -> dict[str, Any]:
        from . import selectors

        v = selectors.vote_get(self.vote_id)
        return {"id": v.pk, "ballot_type": v.ballot_type, "status": v.status,
                "options": [{"id": o.pk, "key": o.key, "text": o.text} for o in selectors.options(v.pk)]}

    def verifier_key(self) -> str:
        from . import selectors

        return selectors.log_public_key()["verifier_key"]

    def checkpoints(self) -> list[str]:
        from . import selectors

        return [c.note for c in selectors.checkpoints(self.vote_id)]

    def leaves(self) -> Iterator[tuple[int, str]]:
        from . import selectors

        start = 0
        while True:
            page = selectors.leaf_rows(self.vote_id, start, self.page)
            if not page:
                return
            yield from page
            start = page[-1][0] + 1

    def consistency(self, first: int, second: int) -> list[bytes]:
        from . import selectors

        return selectors.consistency_proof(self.vote_id, first, second)

    def subtree(self, start: int, end: int) -> bytes:
        from . import selectors

        return selectors.subtree_hash(self.vote_id, start, end)

    def results(self) -> dict[str, Any] | None:
        from . import selectors
        from .models import Status

        v = selectors.vote_get(self.vote_id)
        return selectors.vote_results(v.pk) if v.status == Status.CLOSED else None


class HttpSource:
    """Reads a server's public API (/api/v1/voting/…) with plain HTTP GETs."""

    def __init__(self, base_url: str, vote_id: int, timeout: float = 30.0) -> None:
        import requests

        self.base = base_url.rstrip("/") + "/api/v1/voting"
        self.vote_id = vote_id
        self.http = requests.Session()
        self.timeout = timeout
        self._vote: dict[str, Any] | None = None

    def _get(self, path: str, **params: Any) -> Any:
        r = self.http.get(self.base + path, params=params, timeout=self.timeout)
        if r.status_code >= 400:
            raise VerificationFailed(f"GET {path} answered {r.status_code}: {r.text[:200]}")
        return r.json()

    def vote(self) -> dict[str, Any]:
        if self._vote is None:
            self._vote = self._get(f"/votes/{self.vote_id}")
        return self._vote

    def verifier_key(self) -> str:
        return str(self._get("/log/key")["verifier_key"])

    def checkpoints(self) -> list[str]:
        return [c["note"] for c in self._get(f"/votes/{self.vote_id}/log/checkpoints")]

    def leaves(self) -> Iterator[tuple[int, str]]:
        start: int | None = 0
        while start is not None:
            page = self._get(f"/votes/{self.vote_id}/log/leaves", start=start, limit=1000)
            for item in page["leaves"]:
                yield item["index"], item["leaf"]
            start = page["next"] if page["leaves"] else None

    def consistency(self, first: int, second: int) -> list[bytes]:
        data = self._get(f"/votes/{self.vote_id}/log/proof/consistency", first=first, second=second)
        return [bytes.fromhex(h) for h in data["proof"]]

    def subtree(self, start: int, end: int) -> bytes:
        return bytes.fromhex(self._get(f"/votes/{self.vote_id}/log/subtree", start=start, end=end)["hash"])

    def results(self) -> dict[str, Any] | None:
        if self.vote().get("status") != "closed":
            return None
        return dict(self._get(f"/votes/{self.vote_id}/results"))


# --- the command -----------------------------------------------------------------------------------


def add_arguments(parser: Any) -> None:
    parser.add_argument("--vote", type=int, required=True, help="the vote id")
    parser.add_argument("--url", help="a server's base URL (default: the local database)")
    parser.add_argument("--key", help="pin the log's verifier key (<name>+<id>+<key>) instead of trusting the server")


def handle(args: Any) -> int:
    from rich.console import Console

    console = Console()
    source: LogSource = HttpSource(args.url, args.vote) if args.url else LocalSource(args.vote)
    try:
        with console.status(f"Verifying the ballot log of vote {args.vote}…"):
            report = verify_log(source, pinned_key=args.key)
    except VerificationFailed as exc:
        console.print(f"[red]✗ vote {args.vote}: {exc}[/red]", highlight=False)
        return 1
    except merkle.ProofError as exc:
        console.print(f"[red]✗ vote {args.vote}: {exc}[/red]", highlight=False)
        return 1
    for note in report.notes:
        console.print(f"[yellow]! {note}[/yellow]")
    tally = "re-tally matches the published result" if report.tally_checked else "vote not closed: no result to compare"
    console.print(
        f"[green]✓[/green] vote {report.vote_id}: {report.leaves} leaves, {report.checkpoints} signed checkpoints, "
        f"{report.consistency_proofs} consistency proofs, {report.current_ballots} counted ballots; {tally}",
        highlight=False,
    )
    return 0
