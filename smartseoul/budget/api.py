"""The participatory budget API at /api/v1/budget: thin — parse, call one service or selector,
return a schema. Reads are public (results once published); writes need a signed-in session
(officials also pass their second factor, enforced by the accounts middleware on API writes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from smartseoul.core import ratelimit
from smartseoul.core.auth import session_auth
from smartseoul.core.schemas import Page, RowId

from . import selectors, services
from .errors import BudgetConflict, BudgetErrorCode
from .models import Cycle, Envelope, Project
from .schemas import (
    AdvanceIn,
    BallotIn,
    CycleOut,
    EnvelopeResultOut,
    OverrideIn,
    ProjectIn,
    ProjectOut,
    ReviewIn,
    ScoreIn,
    UpdateIn,
)

router = Router()


def _user(request: HttpRequest) -> Any:
    """The signed-in user that session_auth put on the request."""
    return request.auth  # type: ignore[attr-defined]


def envelope_out(e: Envelope) -> dict[str, Any]:
    return {"id": e.pk, "name": e.name, "kind": e.kind, "district_code": e.district_code,
            "proposal_type": e.proposal_type, "amount": e.amount, "vote_id": e.vote_id}


def cycle_out(c: Cycle) -> dict[str, Any]:
    fields = ("slug", "year", "phase", "total_amount", "rule", "vote_method", "residents_only", "submission_opens",
              "submission_closes", "review_closes", "deliberation_closes", "vote_opens", "vote_closes",
              "results_published_at")
    return {**{f: getattr(c, f) for f in fields}, "name": c.name,
            "envelopes": [envelope_out(e) for e in c.envelopes.all()]}


def project_out(p: Project) -> dict[str, Any]:
    public_votes = selectors.results_public(p.cycle)
    return {"code": p.code, "title": p.title, "summary": p.summary, "proposal_type": p.proposal_type,
            "category": p.category, "status": p.status, "district_code": p.district_code, "lat": p.lat, "lon": p.lon,
            "requested_cost": p.requested_cost, "cost": p.cost, "envelope_id": p.envelope_id,
            "votes": p.votes if public_votes else None, "implementation_status": p.implementation_status,
            "progress": p.progress}


@router.get("/cycles", response=list[CycleOut])
def cycles(request: HttpRequest, page: Query[Page]) -> Any:
    return [cycle_out(c) for c in page.window(selectors.cycles().prefetch_related("envelopes"))]


@router.get("/cycles/{slug}", response=CycleOut)
def cycle(request: HttpRequest, slug: str) -> Any:
    return cycle_out(selectors.cycle_by_slug(slug))


@router.get("/cycles/{slug}/projects", response=list[ProjectOut])
def projects(request: HttpRequest, slug: str, page: Query[Page], status: str | None = None) -> Any:
    c = selectors.cycle_by_slug(slug)
    return [project_out(p) for p in page.window(selectors.projects(c, status=status))]


@router.get("/projects/{code}", response=ProjectOut)
def project(request: HttpRequest, code: str) -> Any:
    return project_out(selectors.project_by_code(code))


@router.post("/cycles/{slug}/projects", response={201: ProjectOut}, auth=session_auth)
def project_submit(request: HttpRequest, slug: str, body: ProjectIn) -> Any:
    ratelimit.hit(f"budget-submit:{_user(request).pk}", limit=20, window_seconds=3600)
    c = selectors.cycle_by_slug(slug)
    p = services.project_submit(user=_user(request), cycle_id=c.pk, **body.dict())
    return 201, project_out(p)


@router.post("/envelopes/{envelope_id}/ballot", response={201: dict}, auth=session_auth)
def ballot(request: HttpRequest, envelope_id: RowId, body: BallotIn) -> Any:
    ratelimit.hit(f"budget-ballot:{_user(request).pk}", limit=30, window_seconds=600)
    receipt = services.ballot_cast(user=_user(request), envelope_id=envelope_id, project_codes=body.projects,
                                   points=body.points, lat=body.lat, lon=body.lon)
    return 201, receipt


def _results_or_refuse(c: Cycle) -> None:
    if not selectors.results_public(c):
        raise BudgetConflict("The results are published after the allocation phase.", code=BudgetErrorCode.NO_RESULT)


def envelope_result_out(r: selectors.EnvelopeResult) -> dict[str, Any]:
    return {
        "envelope": envelope_out(r.envelope), "rule": r.run.rule if r.run else None,
        "voters": r.run.voters if r.run else 0, "spent": r.spent, "tie_rule": r.run.tie_rule if r.run else "",
        "source": r.run.source if r.run else "",
        "outcomes": [{"project_code": o.project.code, "title": o.project.title, "votes": o.votes,
                      "cost": o.project.cost or 0, "rank": o.rank, "funded": o.project.status == "funded",
                      "computed_funded": o.funded, "reason": o.reason, "explanation": o.explanation,
                      "detail": o.detail} for o in r.outcomes],
        "overrides": [{"project_code": v.project.code, "funded": v.funded, "reason": v.reason, "at": v.at}
                      for v in r.overrides],
    }


@router.get("/cycles/{slug}/results", response=list[EnvelopeResultOut])
def results(request: HttpRequest, slug: str) -> Any:
    c = selectors.cycle_by_slug(slug)
    _results_or_refuse(c)
    return [envelope_result_out(r) for r in selectors.results(c)]


@router.get("/cycles/{slug}/projects.geojson")
def projects_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug)
    return JsonResponse(selectors.projects_geojson(c), content_type="application/geo+json")


@router.get("/envelopes/{envelope_id}/pabulib")
def pabulib(request: HttpRequest, envelope_id: RowId) -> HttpResponse:
    env = selectors.envelope_get(envelope_id)
    _results_or_refuse(env.cycle)
    response = HttpResponse(selectors.pabulib_export(env), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{env.cycle.slug}-envelope-{env.pk}.pb"'
    return response


# --- officials ---------------------------------------------------------------------------------


@router.post("/cycles/{slug}/advance", response=CycleOut, auth=session_auth)
def advance(request: HttpRequest, slug: str, body: AdvanceIn) -> Any:
    c = selectors.cycle_by_slug(slug, include_drafts=True)
    return cycle_out(services.cycle_advance(actor=_user(request), cycle_id=c.pk, to_phase=body.to_phase,
                                            vote_closes=body.vote_closes))


@router.post("/projects/{code}/review", response=ProjectOut, auth=session_auth)
def review(request: HttpRequest, code: str, body: ReviewIn) -> Any:
    p = selectors.project_by_code(code)
    return project_out(services.project_review(actor=_user(request), project_id=p.pk, **body.dict()))


@router.post("/projects/{code}/score", response={201: dict}, auth=session_auth)
def score(request: HttpRequest, code: str, body: ScoreIn) -> Any:
    p = selectors.project_by_code(code)
    row = services.committee_score_set(member=_user(request), project_id=p.pk, score=body.score,
                                       comment=body.comment)
    return 201, {"project_code": code, "score": row.score}


@router.post("/projects/{code}/override", response={201: dict}, auth=session_auth)
def override(request: HttpRequest, code: str, body: OverrideIn) -> Any:
    p = selectors.project_by_code(code)
    row = services.outcome_override(actor=_user(request), project_id=p.pk, funded=body.funded, reason=body.reason)
    return 201, {"project_code": code, "funded": row.funded, "reason": row.reason}


@router.post("/projects/{code}/updates", response={201: ProjectOut}, auth=session_auth)
def implementation_update(request: HttpRequest, code: str, body: UpdateIn) -> Any:
    p = selectors.project_by_code(code)
    services.implementation_update_add(actor=_user(request), project_id=p.pk, status=body.status,
                                       progress=body.progress, note=body.note)
    return 201, project_out(selectors.project_by_code(code))
