"""The ballot sequencer: accepted ballots wait in a durable queue (`QueuedBallot`) and are
integrated into their vote's Merkle log in batches, in arrival order.

Acceptance is one short statement (one row, one commit; one ballot per person is decided there
by the queue's unique index). Integration takes a batch of queued ballots of one vote in one
transaction: one lock on the log head, the ballot rows, the complete subtrees the batch
completes and the queue marks each written with one multi-row statement, and one signed
checkpoint for the batch (published every `ledger.CHECKPOINT_INTERVAL_SECONDS`).

Who integrates (see docs/adr/0005-ballot-sequencer.md): the casting request itself, as a group
commit. After queueing, it tries the sequencer lock without waiting; the one that gets it
integrates everything queued for the vote; the others wait until that batch is committed, find
their ballot in it (or take the lock for the next batch). `smartseoul ledger sequencer` runs the
same integration in a loop for ballots whose request died before its batch (crash, SIGKILL).

The sequencer lock: on PostgreSQL a session advisory lock per vote (`pg_try_advisory_lock`;
waiters take it shared, which returns when the holder's batch is committed); on SQLite the
database's single write lock already serialises batches, and an advisory file lock beside the
database file (`flock`) elects the one request that integrates, across processes and threads.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from smartseoul.core import clock
from smartseoul.lib import merkle

from . import ledger
from .models import Ballot, Checkpoint, LogNode, QueuedBallot, Vote

LOCK_NAMESPACE = 0x766F7465  # "vote": the first key of the sequencer's advisory locks
MAX_BATCH = 1000
MAX_MERGE_DELAY_SECONDS = 2.0  # the sequencer command's promise: a queued ballot is in the log within this
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Integrated:
    """One ballot as the batch put it into the log."""

    queue_id: int
    seq: int
    leaf: str
    leaf_hash: bytes
    tracker: str
    proof: list[bytes]


@dataclass(frozen=True)
class Batch:
    vote_id: int
    start: int
    size: int
    root: bytes
    note: str  # the batch's signed checkpoint (size, root)
    ballots: dict[int, Integrated]  # by queue id


# --- the sequencer lock ------------------------------------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def one_writer() -> bool:
    """The database admits one writing transaction at a time (SQLite): casting then queues and
    integrates in one transaction under the sequencer lock instead of queueing concurrently."""
    return connection.vendor == "sqlite"


_local = threading.local()
_memory_locks: dict[str, threading.Lock] = {}


def _lock_file() -> int | None:
    """This thread's descriptor of the SQLite database's sequencer lock file (None for an
    in-memory database, where a process lock stands in)."""
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = name + ".sequencer"
    fds: dict[str, int] = _local.__dict__.setdefault("fds", {})
    fd = fds.get(path)
    if fd is None:
        fd = fds[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return fd


def _memory_lock() -> threading.Lock:
    return _memory_locks.setdefault(str(connection.settings_dict.get("NAME")), threading.Lock())


def try_lock(vote_id: int) -> bool:
    """Becomes the vote's sequencer if nobody is; never waits."""
    if _postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, vote_id])
            return bool(cur.fetchone()[0])
    fd = _lock_file()
    if fd is None:
        return _memory_lock().acquire(blocking=False)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def unlock(vote_id: int) -> None:
    if _postgres():
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, vote_id])
        except Exception:
            connection.close()  # a session lock must never outlive its use: drop the session
            raise
        return
    fd = _lock_file()
    if fd is None:
        _memory_lock().release()
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


def wait_for_sequencer(vote_id: int) -> None:
    """Returns once the batch being integrated now (if any) is committed."""
    if _postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock_shared(%s, %s) FROM (SELECT pg_advisory_lock_shared(%s, %s) "
                        "OFFSET 0) AS held", [LOCK_NAMESPACE, vote_id, LOCK_NAMESPACE, vote_id])
        return
    fd = _lock_file()
    if fd is None:
        with _memory_lock():
            return
    fcntl.flock(fd, fcntl.LOCK_SH)
    fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def sequencer_lock(vote_id: int) -> Iterator[None]:
    """Holds the vote's sequencer lock for a block, waiting for it in the kernel's (flock) or
    PostgreSQL's queue: a loop of non-blocking attempts between shared waits would starve under
    many waiters, each shared hold failing the next exclusive attempt."""
    if _postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, vote_id])
    elif (fd := _lock_file()) is None:
        _memory_lock().acquire()
    else:
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        unlock(vote_id)


def transaction_lock(vote_id: int) -> None:
    """Inside an outer transaction (a module casting within its own): the lock lasts until that
    transaction ends. On SQLite the transaction already holds the database's write lock."""
    if _postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, vote_id])


# --- acceptance ---------------------------------------------------------------------------------


def enqueue(*, vote_id: int, nullifier: str, choices: Any, district: str | None, exclusive: bool,
            now: datetime, status: str, flush_later: bool = False) -> int | None:
    """Queues an accepted ballot in one statement (one commit) if the vote has `status`; returns
    the queue id, or None when the vote is not in that status. Raises IntegrityError when the
    vote allows no change and this nullifier is already queued or counted. On PostgreSQL the
    vote row is key-share locked, so closing the vote (which drains the queue) waits for it.

    `flush_later` (PostgreSQL, when the caller's transaction is this one statement's): the commit
    does not wait for its WAL flush. Nobody is told the ballot is taken until its batch commits,
    and that commit's flush carries every earlier record of the log with it: the batch's one flush
    makes all its ballots durable, instead of one flush per ballot. A crash before it loses only
    ballots never acknowledged (the person gets no receipt and may cast again)."""
    ops, qn = connection.ops, connection.ops.quote_name
    lock = " FOR KEY SHARE" if _postgres() else ""
    with connection.cursor() as cur:
        if flush_later and _postgres():
            cur.execute("SET LOCAL synchronous_commit TO OFF")
        cur.execute(
            f"INSERT INTO {qn(QueuedBallot._meta.db_table)} (vote_id, nullifier, choices, district_code, accepted_at, "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
            f"{qn('exclusive')}) SELECT %s, %s, %s, %s, %s, %s FROM {qn(Vote._meta.db_table)} "
            f"WHERE id = %s AND status = %s{lock} RETURNING id",
            [vote_id, nullifier, ops.adapt_json_value(choices, None), district, ops.adapt_datetimefield_value(now),
             exclusive, vote_id, status],
        )
        row = cur.fetchone()
    return int(row[0]) if row else None


# --- integration --------------------------------------------------------------------------------


def _as_datetime(value: Any) -> datetime:
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _values(rows: int, width: int) -> str:
    one = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([one] * rows)


def integrate(vote_id: int, *, limit: int = MAX_BATCH) -> Batch | None:
    """Integrates up to `limit` queued ballots of the vote, oldest first, as one batch. The
    caller holds the sequencer lock and a transaction; the log head's row lock is taken here
    (on PostgreSQL `FOR NO KEY UPDATE`, which lets acceptances go on meanwhile)."""
    from .services import _schedule_checkpoint

    ops, qn = connection.ops, connection.ops.quote_name
    vote_t, ballot_t, node_t, queue_t = (m._meta.db_table for m in (Vote, Ballot, LogNode, QueuedBallot))
    lock = " FOR NO KEY UPDATE" if _postgres() else ""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT log_size, log_frontier, last_checkpoint_at, checkpoint_scheduled, allow_change FROM {qn(vote_t)} "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
            f"WHERE id = %s{lock}", [vote_id],
        )
        head = cur.fetchone()
        if head is None:
            return None
        size, frontier_blob, last_raw, scheduled, allow_change = head
        cur.execute(
            f"SELECT id, nullifier, choices, district_code, accepted_at FROM {qn(queue_t)} "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
            "WHERE vote_id = %s AND seq IS NULL ORDER BY id LIMIT %s", [vote_id, limit],
        )
        queued = cur.fetchall()
        if not queued:
            return None
        current: dict[str, int] = {}
        if allow_change:
            nullifiers = sorted({row[1] for row in queued})
            cur.execute(
                f"SELECT nullifier, seq FROM {qn(ballot_t)} WHERE vote_id = %s AND {qn('current')} = %s "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
                f"AND nullifier IN ({', '.join(['%s'] * len(nullifiers))})", [vote_id, True, *nullifiers],
            )
            current = {n: int(s) for n, s in cur.fetchall()}
        rows: list[list[Any]] = []
        hashes: list[bytes] = []
        superseded_before: list[tuple[int, int]] = []  # (old seq, new seq) of ballots already in the log
        first_seq = int(size)
        for offset, (_qid, nullifier, choices, district, accepted) in enumerate(queued):
            seq = first_seq + offset
            supersedes = current.get(nullifier)
            if supersedes is not None:
                if supersedes >= first_seq:  # changed again within this batch
                    rows[supersedes - first_seq][8:10] = [False, seq]
                else:
                    superseded_before.append((supersedes, seq))
            if allow_change:
                current[nullifier] = seq
            at = _as_datetime(accepted)
            parsed = _as_json(choices)
            leaf = ledger.canonical_json({
                "choices": parsed, "district": district, "nullifier": nullifier, "seq": seq,
                "supersedes": supersedes, "time": ledger.iso_time(at), "vote": vote_id,
            })
            h = merkle.leaf_hash(leaf.encode())
            hashes.append(h)
            rows.append([vote_id, seq, nullifier, ops.adapt_json_value(parsed, None), district,
                         ops.adapt_datetimefield_value(at), leaf, ledger.tracker_for(h), True, None])
        batch = merkle.append_batch(ledger.split_frontier(bytes(frontier_blob or b"")), first_seq, hashes)
        for old, new in superseded_before:
            cur.execute(f"UPDATE {qn(ballot_t)} SET {qn('current')} = %s, superseded_by = %s "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
                        "WHERE vote_id = %s AND seq = %s", [False, new, vote_id, old])
        for start in range(0, len(rows), 500):
            part = rows[start:start + 500]
            cur.execute(
                f"INSERT INTO {qn(ballot_t)} (vote_id, seq, nullifier, choices, district_code, cast_at, leaf, tracker, "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
                f"{qn('current')}, superseded_by) VALUES " + _values(len(part), 10), [v for r in part for v in r],
            )
        for start in range(0, len(batch.nodes), 2000):
            part_nodes = batch.nodes[start:start + 2000]
            cur.execute(
                f"INSERT INTO {qn(node_t)} (tree_id, level, {qn('index')}, hash) VALUES "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
                + _values(len(part_nodes), 4), [v for lv, ix, hv in part_nodes for v in (vote_id, lv, ix, hv)],
            )
        for start in range(0, len(queued), 1000):
            part_q = queued[start:start + 1000]
            cur.execute(
                f"UPDATE {qn(queue_t)} SET seq = marks.column2 FROM (VALUES {_values(len(part_q), 2)}) AS marks "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
                f"WHERE {qn(queue_t)}.id = marks.column1",
                [v for k, row in enumerate(part_q) for v in (row[0], first_seq + start + k)],
            )
        now = clock.now()
        note = ledger.sign(vote_id, batch.size, batch.root)
        sets = ["log_size = %s", "log_frontier = %s"]
        params: list[Any] = [batch.size, b"".join(batch.frontier)]
        last = _as_datetime(last_raw) if last_raw is not None else None
        if last is None or (now - last).total_seconds() >= ledger.CHECKPOINT_INTERVAL_SECONDS:
            Checkpoint.objects.create(vote_id=vote_id, size=batch.size, root=batch.root, note=note, created_at=now)
            sets += ["last_checkpoint_at = %s", "last_checkpoint_size = %s"]
            params += [ops.adapt_datetimefield_value(now), batch.size]
        elif not scheduled and _schedule_checkpoint(vote_id, last):
            sets.append("checkpoint_scheduled = %s")
            params.append(True)
        cur.execute(f"UPDATE {qn(vote_t)} SET {', '.join(sets)} WHERE id = %s", [*params, vote_id])  # noqa: S608  (table and column names from model metadata, quoted; values bound)
    ballots = {
        int(row[0]): Integrated(int(row[0]), first_seq + k, r[6], hashes[k], r[7], batch.proofs[k])
        for k, (row, r) in enumerate(zip(queued, rows, strict=True))
    }
    return Batch(vote_id, first_seq, batch.size, batch.root, note, ballots)


def drain(vote_id: int) -> int:
    """Integrates every queued ballot of the vote (the caller holds the head's lock and a
    transaction: closing a vote). Returns how many."""
    done = 0
    while (batch := integrate(vote_id)) is not None:
        done += len(batch.ballots)
    return done


def integrated(queue_id: int) -> tuple[int, int, str, str, int, bytes] | None:
    """(vote, seq, leaf, tracker, log size, frontier) of a queued ballot once it is in the log."""
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            "SELECT q.vote_id, q.seq, b.leaf, b.tracker, v.log_size, v.log_frontier "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
            f"FROM {qn(QueuedBallot._meta.db_table)} q "
            f"JOIN {qn(Ballot._meta.db_table)} b ON b.vote_id = q.vote_id AND b.seq = q.seq "
            f"JOIN {qn(Vote._meta.db_table)} v ON v.id = q.vote_id WHERE q.id = %s", [queue_id],
        )
        row = cur.fetchone()
    if row is None:
        return None
    return int(row[0]), int(row[1]), str(row[2]), str(row[3]), int(row[4]), bytes(row[5] or b"")


def pending_votes() -> list[int]:
    return sorted(set(QueuedBallot.objects.filter(seq__isnull=True).values_list("vote_id", flat=True)))


# --- the command ---------------------------------------------------------------------------------


def run(*, once: bool = False, batch: int = MAX_BATCH, poll: float = POLL_SECONDS,
        report: Any = None) -> int:
    """Integrates queued ballots of every vote until stopped (or, `once`, until none is queued).
    A vote another sequencer is integrating is left to it. Returns the ballots integrated."""
    total = 0
    while True:
        votes = pending_votes()
        for vote_id in votes:
            while try_lock(vote_id):  # per batch: requests casting meanwhile may take the next one
                try:
                    with transaction.atomic():
                        done = integrate(vote_id, limit=batch)
                finally:
                    unlock(vote_id)
                if done is None:
                    break
                total += len(done.ballots)
                if report is not None:
                    report(done)
        if once and not votes:
            return total
        time.sleep(poll)


def add_arguments(parser: Any) -> None:
    parser.add_argument("--once", action="store_true", help="integrate what is queued, then exit")
    parser.add_argument("--batch", type=int, default=MAX_BATCH, help="most ballots per batch (transaction)")
    parser.add_argument("--poll", type=float, default=POLL_SECONDS, help="seconds between looks at the queue")


def handle(args: Any) -> int:
    import sys

    def report(done: Batch) -> None:
        sys.stdout.write(json.dumps({"pid": os.getpid(), "vote": done.vote_id, "start": done.start,
                                     "size": done.size}) + "\n")
        sys.stdout.flush()

    if args.batch < 1 or args.poll <= 0:
        from smartseoul.core.errors import CommandError

        raise CommandError("--batch must be at least 1 and --poll above 0.")
    with suppress(KeyboardInterrupt):
        run(once=args.once, batch=args.batch, poll=args.poll, report=report)
    return 0
