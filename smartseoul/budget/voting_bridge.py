"""The citizen vote of an envelope IS a `voting` vote: this is the one place that talks to the
voting module, through its services and selectors only (docs/voting.md, "Contract")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from .errors import BudgetConflict, BudgetErrorCode

if TYPE_CHECKING:
    from smartseoul.accounts.models import User

    from .models import Cycle, Envelope, Project

BALLOT_TYPES = {"approval": "approval", "knapsack": "knapsack", "points": "points"}


def source_for(envelope: Envelope) -> str:
    return f"budget:envelope:{envelope.pk}"


def open_vote(*, cycle: Cycle, envelope: Envelope, projects: Sequence[Project], actor: User,
              opens_at: datetime, closes_at: datetime, district_codes: list[str] | None = None) -> int:
    """Creates and publishes the envelope's vote, open from `opens_at` (the moment the official
    moves the cycle to its vote phase) until `closes_at`; returns its id."""
    from smartseoul.voting.services import vote_create

    if len(projects) < 2:
        raise BudgetConflict(
            _("The envelope %(name)s has only one project on the ballot; a vote needs at least two.") % {
                "name": envelope.name}, code=BudgetErrorCode.NO_VOTE, envelope=envelope.pk)
    method = cycle.vote_method
    options = [{"text": p.title, "cost": int(p.cost or 0), "key": p.code} for p in projects]
    vote = vote_create(
        owner=actor, kind="policy", title=f"{cycle.name} · {envelope.name}"[:200],
        description=cycle.description[:5000], options=options, ballot_type=BALLOT_TYPES[method],
        max_choices=min(cycle.max_choices, len(options)) if method == "approval" else None,
        points_total=cycle.points_per_voter if method == "points" else None,
        budget_limit=envelope.amount if method == "knapsack" else None,
        opens_at=opens_at, closes_at=closes_at,
        target={"type": "districts", "codes": district_codes} if district_codes else {"type": "everyone"},
        owner_body=envelope.district_code or "city", source=source_for(envelope), publish=True,
    )
    return int(vote.pk)


def cast(*, vote_id: int, user: User, choice: list[str] | dict[str, int], lat: float | None = None,
         lon: float | None = None) -> dict[str, Any]:
    """Casts one ballot (project codes, or {code: points}); returns the voting receipt as a dict."""
    from smartseoul.voting.selectors import vote_option_ids_by_key
    from smartseoul.voting.services import ballot_cast

    ids = vote_option_ids_by_key(vote_id)
    choices: list[int] | dict[int, int]
    if isinstance(choice, dict):
        choices = {ids[code]: pts for code, pts in choice.items()}
    else:
        choices = [ids[code] for code in choice]
    location = (lat, lon) if lat is not None and lon is not None else None
    receipt = ballot_cast(vote_id=vote_id, voter=user, choices=choices, location=location)
    return receipt.as_dict()


def close(*, vote_id: int, actor: User) -> None:
    from smartseoul.voting.services import vote_close

    vote_close(vote_id=vote_id, actor=actor)


@dataclass
class BallotChoice:
    codes: list[str] = field(default_factory=list)
    points: dict[str, int] = field(default_factory=dict)
    district_code: str | None = None


def ballots(*, vote_id: int) -> list[BallotChoice]:
    """The counted ballots of a vote, with option ids turned back into project codes."""
    from smartseoul.voting.selectors import current_ballots, vote_option_ids_by_key

    code_of = {oid: code for code, oid in vote_option_ids_by_key(vote_id).items()}
    out: list[BallotChoice] = []
    for b in current_ballots(vote_id):
        choices = b["choices"]
        if isinstance(choices, dict):
            out.append(BallotChoice(points={code_of[int(k)]: int(v) for k, v in choices.items() if int(k) in code_of},
                                    district_code=b.get("district_code")))
        else:
            out.append(BallotChoice(codes=[code_of[int(c)] for c in choices if int(c) in code_of],
                                    district_code=b.get("district_code")))
    return out


def voter_state(vote_id: int, user: Any) -> dict[str, Any]:
    """What the vote page tells this person: signed out; already voted (with the receipt
    tracker); may vote; or may not, with the voting module's reason code and message."""
    from smartseoul.voting.selectors import eligibility, my_ballot, vote_get

    if user is None or not user.is_authenticated:
        return {"signed_in": False, "voted": False, "eligible": False, "code": "", "message": ""}
    ballot = my_ballot(vote_id, user)
    if ballot is not None:
        return {"signed_in": True, "voted": True, "tracker": ballot.tracker, "eligible": False, "code": "",
                "message": ""}
    ok, code, message = eligibility(vote_get(vote_id), user)
    return {"signed_in": True, "voted": False, "eligible": ok, "code": str(code), "message": message}


def ballots_so_far(vote_id: int) -> int:
    """Cheap count for widgets: the size of the vote's ballot log (ballots cannot be changed)."""
    from smartseoul.voting.selectors import log_size

    return log_size(vote_id)


def results(vote_id: int) -> dict[str, Any]:
    from smartseoul.voting.selectors import vote_results

    return vote_results(vote_id)
