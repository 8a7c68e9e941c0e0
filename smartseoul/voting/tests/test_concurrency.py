"""200 concurrent casts by the same person yield exactly one counted ballot (real transactions)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.db.utils import OperationalError

from smartseoul.core.errors import DomainError
from smartseoul.voting import selectors, services
from smartseoul.voting.verify import LocalSource, verify_log

from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db(transaction=True)


def _hammer(n: int, fn: Any) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(n)
    # PostgreSQL allows ~100 connections: like an application server's pool, at most 40 threads
    # hold a connection at once; the others wait their turn (all 200 casts still race).
    pool = threading.BoundedSemaphore(40 if connection.vendor == "postgresql" else n)

    def run(i: int) -> None:
        barrier.wait()
        with pool:
            try:
                fn(i)
                result = "ok"
            except DomainError as exc:
                result = exc.code
            except OperationalError:
                # SQLite under heavy load: a writer waited past its busy timeout and was refused.
                # The person may retry; what matters is that nothing was counted twice.
                result = "busy"
            finally:
                connection.close()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_200_concurrent_casts_by_one_person(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner)
    ids = option_ids(vote)
    voter = make_user()
    outcomes = _hammer(200, lambda i: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[i % 3]]))
    assert outcomes["ok"] == 1
    assert outcomes["already_voted"] + outcomes["busy"] == 199
    assert outcomes["busy"] == 0 or connection.vendor == "sqlite"
    assert len(list(selectors.current_ballots(vote.pk))) == 1
    assert selectors.vote_results(vote.pk)["total_ballots"] == 1
    services.vote_close(vote_id=vote.pk, actor=owner)
    assert verify_log(LocalSource(vote.pk)).leaves == 1


def test_concurrent_changes_keep_one_current_ballot(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, allow_change=True)
    ids = option_ids(vote)
    voter = make_user()
    outcomes = _hammer(40, lambda i: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[i % 3]]))
    assert outcomes == Counter({"ok": 40})
    assert len(list(selectors.current_ballots(vote.pk))) == 1
    services.vote_close(vote_id=vote.pk, actor=owner)
    report = verify_log(LocalSource(vote.pk))
    assert report.leaves == 40 and report.current_ballots == 1 and report.tally_checked


def test_concurrent_casts_by_many_people(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner)
    ids = option_ids(vote)
    voters = [make_user() for _ in range(60)]
    outcomes = _hammer(60, lambda i: services.ballot_cast(vote_id=vote.pk, voter=voters[i], choices=[ids[i % 3]]))
    assert outcomes == Counter({"ok": 60})
    services.vote_close(vote_id=vote.pk, actor=owner)
    report = verify_log(LocalSource(vote.pk))
    assert report.leaves == 60 and report.tally_checked
