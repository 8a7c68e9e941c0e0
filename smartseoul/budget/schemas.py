"""API schemas of the participatory budget: the public contract at /api/v1/budget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class EnvelopeOut(Schema):
    id: int
    name: str
    kind: str
    district_code: str
    proposal_type: str
    amount: int
    vote_id: int | None


class CycleOut(Schema):
    slug: str
    year: int
    name: str
    phase: str
    total_amount: int
    rule: str
    vote_method: str
    residents_only: bool
    submission_opens: datetime
    submission_closes: datetime
    review_closes: datetime
    deliberation_closes: datetime
    vote_opens: datetime
    vote_closes: datetime
    results_published_at: datetime | None
    envelopes: list[EnvelopeOut] = []


class ProjectOut(Schema):
    code: str
    title: str
    summary: str
    proposal_type: str
    category: str
    status: str
    district_code: str
    lat: float | None
    lon: float | None
    requested_cost: int
    cost: int | None
    envelope_id: int | None
    votes: int | None
    implementation_status: str
    progress: int


class ProjectIn(Schema):
    proposal_type: str
    title: str
    summary: str
    requested_cost: int
    description: str = ""
    category: str = ""
    district_code: str = ""
    lat: float | None = None
    lon: float | None = None
    democracy_proposal_id: int | None = None


class BallotIn(Schema):
    projects: list[str] = Field(default_factory=list, description="project codes (approval, knapsack)")
    points: dict[str, int] | None = Field(default=None, description="{project code: points} (points vote)")
    lat: float | None = None
    lon: float | None = None


class ReviewIn(Schema):
    feasible: bool
    cost: int | None = None
    department_code: str = ""
    note: str = ""
    envelope_id: int | None = None


class ScoreIn(Schema):
    score: int
    comment: str = ""


class AdvanceIn(Schema):
    to_phase: str
    vote_closes: datetime | None = Field(None, description="moving to the vote: when it closes (default: the "
                                         "scheduled end, or two weeks from now)")


class OverrideIn(Schema):
    funded: bool
    reason: str


class UpdateIn(Schema):
    status: str
    progress: int
    note: str


class OutcomeOut(Schema):
    project_code: str
    title: str
    votes: int
    cost: int
    rank: int
    funded: bool
    computed_funded: bool
    reason: str
    explanation: str
    detail: dict[str, Any]


class OverrideOut(Schema):
    project_code: str
    funded: bool
    reason: str
    at: datetime


class EnvelopeResultOut(Schema):
    envelope: EnvelopeOut
    rule: str | None
    voters: int
    spent: int
    tie_rule: str
    source: str
    outcomes: list[OutcomeOut]
    overrides: list[OverrideOut]
