"""What the module offers the platform: demo, widgets, the open-data export, the manifest."""

from __future__ import annotations

from typing import Any

import pytest

from smartseoul.core.registry import Period, WidgetQuery, manifests
from smartseoul.voting import demo, services, widgets
from smartseoul.voting.models import Vote
from smartseoul.voting.selectors import results_export_rows

from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(city: Any) -> None:
    demo.load_demo()
    count = Vote.objects.count()
    demo.load_demo()
    assert count == 4 == Vote.objects.count()
    assert Vote.objects.filter(status="review").count() == 1


def test_widgets_and_export(owner: Any, make_user: Any) -> None:
    from smartseoul.core import clock

    vote = make_vote(owner, live_results=True)
    hidden = make_vote(owner, title="hidden counts")
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[option_ids(vote)[0]])
    services.ballot_cast(vote_id=hidden.pk, voter=make_user(), choices=[option_ids(hidden)[0]])
    now = clock.now()
    q = WidgetQuery(period=Period(now, now))
    data = widgets.open_votes(q)
    by_title = {i["title"]: i for i in data["items"]}
    assert data["value"] == 2 and by_title[vote.title]["value"] == 1 and "value" not in by_title["hidden counts"]
    assert widgets.ballots_today(q)["value"] == 2
    assert list(results_export_rows()) == []
    services.vote_close(vote_id=vote.pk, actor=owner)
    rows = list(results_export_rows())
    assert len(rows) == 3 and sum(r["count"] for r in rows) == 1
    assert all("nullifier" not in r for r in rows)


def test_manifest_registers_the_ledger_commands() -> None:
    (m,) = [m for m in manifests() if m.name == "voting"]
    assert [(c.group, c.name) for c in m.commands] == [("ledger", "verify"), ("ledger", "sequencer")]
    assert {t.group for t in m.tiles} == {"participate", "mine", "office"}
    assert m.exports[0].key == "voting-results"
