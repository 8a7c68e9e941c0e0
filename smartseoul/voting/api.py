"""The voting API (/api/v1/voting): votes, casting, results, and the public audit of each
vote's ballot log (checkpoints, leaves, inclusion and consistency proofs)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja import Status as Reply

from smartseoul.core import ratelimit
from smartseoul.core.auth import session_auth
from smartseoul.core.schemas import Page, RowId

from . import selectors, services
from .errors import ResultsHidden, VoteNotFound
from .models import Status, Vote
from .schemas import (
    BallotIn,
    CheckpointOut,
    LeavesQuery,
    ProofOut,
    ReceiptOut,
    VoteIn,
    VoteOut,
    vote_out,
)

router = Router()


def _visible_vote(request: HttpRequest, vote_id: RowId) -> Vote:
    vote = selectors.vote_get(vote_id)
    user = request.user
    if vote.status in (Status.PUBLISHED, Status.CLOSED):
        return vote
    if user.is_authenticated and (selectors.is_owner(vote, user) or user.is_official):  # type: ignore[union-attr]
        return vote
    raise VoteNotFound(f"No vote {vote_id}.")


@router.get("/votes", response=list[VoteOut])
def votes(request: HttpRequest, page: Query[Page], state: str = "open") -> Any:
    qs = selectors.votes_closed() if state == "closed" else selectors.votes_open()
    return [vote_out(v) for v in page.window(qs)]


@router.post("/votes", response={201: VoteOut}, auth=session_auth)
def vote_create(request: HttpRequest, body: VoteIn) -> Any:
    vote = services.vote_create(owner=request.auth, **body.to_service())  # type: ignore[attr-defined]
    return Reply(201, vote_out(vote))


@router.get("/votes/{vote_id}", response=VoteOut)
def vote_detail(request: HttpRequest, vote_id: RowId) -> Any:
    return vote_out(_visible_vote(request, vote_id))


@router.post("/votes/{vote_id}/ballots", response={201: ReceiptOut}, auth=session_auth)
def ballot_cast(request: HttpRequest, vote_id: RowId, body: BallotIn) -> Any:
    ratelimit.hit(f"vote-cast:{request.auth.pk}", limit=60, window_seconds=60)  # type: ignore[attr-defined]
    receipt = services.ballot_cast(
        vote_id=vote_id, voter=request.auth, choices=body.parsed_choices(),  # type: ignore[attr-defined]
        location=(body.location.lat, body.location.lon) if body.location else None, password=body.password,
    )
    return Reply(201, receipt.as_dict())


@router.post("/votes/{vote_id}/close", auth=session_auth)
def vote_close(request: HttpRequest, vote_id: RowId) -> Any:
    return services.vote_close(vote_id=vote_id, actor=request.auth)  # type: ignore[attr-defined]


@router.get("/votes/{vote_id}/results")
def vote_results(request: HttpRequest, vote_id: RowId) -> Any:
    vote = _visible_vote(request, vote_id)
    if not selectors.results_visible(vote, request.user):  # type: ignore[arg-type]
        raise ResultsHidden("Results are published when the vote closes.")
    return selectors.live_results_cached(vote)


# --- the public audit of the log ---------------------------------------------------------------


@router.get("/log/key")
def log_key(request: HttpRequest) -> Any:
    """The log's public key (Go note verifier format) and the key name."""
    return selectors.log_public_key()


@router.get("/votes/{vote_id}/log/checkpoint")
def log_checkpoint(request: HttpRequest, vote_id: RowId) -> HttpResponse:
    """The latest signed checkpoint as a C2SP signed note (text/plain)."""
    _visible_vote(request, vote_id)
    cp = selectors.checkpoint_latest(vote_id)
    if cp is None:
        raise VoteNotFound("No checkpoint has been signed yet.", code="no_checkpoint")
    return HttpResponse(cp.note, content_type="text/plain; charset=utf-8")


@router.get("/votes/{vote_id}/log/checkpoints", response=list[CheckpointOut])
def log_checkpoints(request: HttpRequest, vote_id: RowId) -> Any:
    _visible_vote(request, vote_id)
    return [{"size": c.size, "root": bytes(c.root).hex(), "note": c.note, "created_at": c.created_at}
            for c in selectors.checkpoints(vote_id)]


@router.get("/votes/{vote_id}/log/leaves")
def log_leaves(request: HttpRequest, vote_id: RowId, q: Query[LeavesQuery]) -> Any:
    _visible_vote(request, vote_id)
    items = selectors.leaves(vote_id, start=q.start, limit=q.limit)
    size = selectors.log_size(vote_id)
    last = items[-1]["index"] + 1 if items else q.start
    return {"size": size, "start": q.start, "leaves": items, "next": last if last < size else None}


@router.get("/votes/{vote_id}/log/proof/inclusion", response=ProofOut)
def log_inclusion(request: HttpRequest, vote_id: RowId, index: int, size: int) -> Any:
    _visible_vote(request, vote_id)
    proof = selectors.inclusion_proof(vote_id, index, size)
    return {"index": index, "size": size, "proof": [p.hex() for p in proof]}


@router.get("/votes/{vote_id}/log/proof/consistency", response=ProofOut)
def log_consistency(request: HttpRequest, vote_id: RowId, first: int, second: int) -> Any:
    _visible_vote(request, vote_id)
    proof = selectors.consistency_proof(vote_id, first, second)
    return {"first": first, "second": second, "proof": [p.hex() for p in proof]}


@router.get("/votes/{vote_id}/log/subtree")
def log_subtree(request: HttpRequest, vote_id: RowId, start: int, end: int) -> Any:
    """MTH(D[start:end]) from stored subtrees, for auditors descending to a bad leaf."""
    _visible_vote(request, vote_id)
    return {"start": start, "end": end, "hash": selectors.subtree_hash(vote_id, start, end).hex()}


@router.get("/receipts/{tracker}")
def receipt(request: HttpRequest, tracker: str) -> Any:
    """A fresh inclusion proof for a tracker code against the latest checkpoint."""
    ratelimit.hit(f"receipt:{ratelimit.client_ip(request)}", limit=120, window_seconds=60)
    return selectors.receipt_status(tracker)
