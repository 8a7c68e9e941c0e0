"""API schemas of the voting module (the public contract of /api/v1/voting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from smartseoul.core.schemas import PAGE_OFFSET_MAX

from .models import Vote


class Location(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class BallotIn(Schema):
    choices: list[int] | dict[str, int]
    location: Location | None = None
    password: str | None = None

    def parsed_choices(self) -> list[int] | dict[int, int]:
        if isinstance(self.choices, dict):
            out: dict[int, int] = {}
            for k, v in self.choices.items():
                out[int(k) if k.lstrip("-").isdigit() else -1] = v
            return out
        return list(self.choices)


class OptionIn(Schema):
    text: str
    image: str | None = None
    cost: int | None = None
    key: str | None = None


class VoteIn(Schema):
    kind: str
    title: str
    description: str = ""
    options: list[OptionIn]
    ballot_type: str
    max_choices: int | None = None
    points_total: int | None = None
    budget_limit: int | None = None
    opens_at: datetime
    closes_at: datetime
    target: dict[str, Any] = Field(default_factory=lambda: {"type": "everyone"})
    allow_change: bool = False
    live_results: bool = False
    min_age: int | None = None
    owner_body: str = "city"
    publish: bool = True

    def to_service(self) -> dict[str, Any]:
        data = self.dict()
        data["options"] = [o.dict() for o in self.options]
        return data


class OptionOut(Schema):
    id: int
    text: str
    image: str
    cost: int | None
    key: str


class VoteOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    ballot_type: str
    max_choices: int | None
    points_total: int | None
    budget_limit: int | None
    opens_at: datetime
    closes_at: datetime
    status: str
    target_type: str
    target_codes: list[str]
    geofence: dict[str, Any] | None
    allow_change: bool
    live_results: bool
    min_age: int | None
    owner_body: str
    log_size: int
    options: list[OptionOut]


def vote_out(vote: Vote) -> dict[str, Any]:
    from .selectors import public_status

    return {
        "id": vote.pk, "kind": vote.kind, "title": vote.title, "description": vote.description,
        "ballot_type": vote.ballot_type, "max_choices": vote.max_choices, "points_total": vote.points_total,
        "budget_limit": vote.budget_limit, "opens_at": vote.opens_at, "closes_at": vote.closes_at,
        "status": public_status(vote), "target_type": vote.target_type, "target_codes": vote.target_codes or [],
        "geofence": vote.geofence, "allow_change": vote.allow_change, "live_results": vote.live_results,
        "min_age": vote.min_age, "owner_body": vote.owner_body, "log_size": vote.log_size,
        "options": [
            {"id": o.pk, "text": o.text, "image": o.image.url if o.image else o.image_url, "cost": o.cost, "key": o.key}
            for o in vote.options.all()
        ],
    }


class ReceiptOut(Schema):
    vote_id: int
    tracker: str
    leaf_index: int
    leaf: str
    leaf_hash: str
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str
    origin: str
    verifier_key: str


class CheckpointOut(Schema):
    size: int
    root: str
    note: str
    created_at: datetime


class LeavesQuery(Schema):
    """The log's own paging (the verifier reads up to 1,000 leaves a call)."""

    start: int = Field(0, ge=0, le=PAGE_OFFSET_MAX)
    limit: int = Field(100, ge=1, le=1000)


class ProofOut(Schema):
    index: int | None = None
    size: int | None = None
    first: int | None = None
    second: int | None = None
    proof: list[str]
