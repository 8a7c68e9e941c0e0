"""Reads of the participatory budget: cycles, ballots to show, results with explanations, map
features, chart data, widgets, open-data rows and Pabulib exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from . import pabulib, voting_bridge
from .errors import BudgetErrorCode, BudgetNotFound
from .models import (
    AllocationRun,
    Cycle,
    Envelope,
    ImplementationUpdate,
    Override,
    Phase,
    Project,
    ProjectOutcome,
    ProjectStatus,
)

PUBLIC_PHASES_FOR_RESULTS = (Phase.IMPLEMENTATION, Phase.CLOSED)


def cycles() -> QuerySet[Cycle]:
    return Cycle.objects.exclude(phase=Phase.DRAFT).order_by("-year", "slug")


def current_cycle() -> Cycle | None:
    """The newest cycle that is not a draft or closed (else the newest published one)."""
    live = Cycle.objects.exclude(phase__in=(Phase.DRAFT, Phase.CLOSED)).order_by("-year", "-id").first()
    return live or Cycle.objects.filter(phase=Phase.CLOSED).order_by("-year", "-id").first()


def cycle_by_slug(slug: str, *, include_drafts: bool = False) -> Cycle:
    qs = Cycle.objects.all() if include_drafts else cycles()
    try:
        return qs.get(slug=slug)
    except Cycle.DoesNotExist as exc:
        raise BudgetNotFound("No such budget cycle.", code=BudgetErrorCode.CYCLE_NOT_FOUND) from exc


def envelope_get(envelope_id: int) -> Envelope:
    try:
        return Envelope.objects.select_related("cycle").get(pk=envelope_id)
    except Envelope.DoesNotExist as exc:
        raise BudgetNotFound("No such envelope.", code=BudgetErrorCode.ENVELOPE_NOT_FOUND) from exc


def envelopes(cycle: Cycle) -> QuerySet[Envelope]:
    return cycle.envelopes.annotate(n_projects=Count("projects")).order_by("kind", "district_code", "proposal_type",
                                                                           "id")


def project_by_code(code: str) -> Project:
    try:
        return Project.objects.select_related("cycle", "envelope").get(code=code)
    except Project.DoesNotExist as exc:
        raise BudgetNotFound("No such budget proposal.", code=BudgetErrorCode.PROJECT_NOT_FOUND) from exc


def projects(cycle: Cycle, *, status: str | None = None, envelope_id: int | None = None,
             public: bool = True) -> QuerySet[Project]:
    qs = cycle.projects.select_related("envelope")
    if public:
        qs = qs.exclude(status=ProjectStatus.WITHDRAWN)
    if status:
        qs = qs.filter(status=status)
    if envelope_id:
        qs = qs.filter(envelope_id=envelope_id)
    return qs.order_by("code")


def ballot_projects(envelope: Envelope) -> QuerySet[Project]:
    return envelope.projects.filter(status=ProjectStatus.ON_BALLOT).order_by("code")


def review_queue(cycle: Cycle) -> QuerySet[Project]:
    return cycle.projects.filter(status=ProjectStatus.SUBMITTED).order_by("submitted_at", "id")


def updates(project: Project) -> QuerySet[ImplementationUpdate]:
    return project.updates.all()


def results_public(cycle: Cycle) -> bool:
    return cycle.phase in PUBLIC_PHASES_FOR_RESULTS


@dataclass
class EnvelopeResult:
    envelope: Envelope
    run: AllocationRun | None
    outcomes: list[ProjectOutcome]
    overrides: list[Override]

    @property
    def spent(self) -> int:
        return sum(o.project.cost or 0 for o in self.outcomes if o.project.status == ProjectStatus.FUNDED)


def results(cycle: Cycle) -> list[EnvelopeResult]:
    """The current run of every envelope, outcomes in rank order, with the projects' final status."""
    out: list[EnvelopeResult] = []
    runs = {
        r.envelope_id: r
        for r in AllocationRun.objects.filter(envelope__cycle=cycle, is_current=True).prefetch_related(
            Prefetch("outcomes", queryset=ProjectOutcome.objects.select_related("project").order_by("rank")),
            Prefetch("overrides", queryset=Override.objects.select_related("project")),
        )
    }
    for env in cycle.envelopes.order_by("kind", "district_code", "proposal_type", "id"):
        run = runs.get(env.pk)
        out.append(EnvelopeResult(env, run, list(run.outcomes.all()) if run else [],
                                  list(run.overrides.all()) if run else []))
    return out


def project_outcome(project: Project) -> ProjectOutcome | None:
    return (ProjectOutcome.objects.filter(project=project, run__is_current=True).select_related("run").first())


def overrides(cycle: Cycle) -> QuerySet[Override]:
    return Override.objects.filter(project__cycle=cycle).select_related("project")


def projects_geojson(cycle: Cycle, *, funded_only: bool = False) -> dict[str, Any]:
    """RFC 7946 points of the cycle's projects that have a place (public fields only)."""
    qs = projects(cycle).exclude(lat=None).exclude(lon=None)
    if funded_only:
        qs = qs.filter(status=ProjectStatus.FUNDED)
    show_votes = results_public(cycle)
    features = []
    for p in qs:
        props: dict[str, Any] = {
            "code": p.code, "title": p.title, "status": p.status, "type": p.proposal_type,
            "cost": p.cost or p.requested_cost, "district_code": p.district_code,
            "progress": p.progress, "url": f"/budget/projects/{p.code}/",
        }
        if show_votes:
            props["votes"] = p.votes
        features.append({"type": "Feature", "id": p.code,
                         "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},  # type: ignore[arg-type]
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def chart_data(cycle: Cycle) -> dict[str, Any]:
    """Funded amount per envelope and votes per project of each envelope (for the charts)."""
    per_envelope = []
    top: list[dict[str, Any]] = []
    for r in results(cycle):
        funded = [o for o in r.outcomes if o.project.status == ProjectStatus.FUNDED]
        per_envelope.append({"envelope": r.envelope.name, "amount": r.envelope.amount,
                             "funded": sum(o.project.cost or 0 for o in funded)})
        for o in sorted(r.outcomes, key=lambda o: -o.votes)[:15]:
            top.append({"envelope": r.envelope.name, "project": o.project.title[:40], "votes": o.votes,
                        "funded": o.project.status == ProjectStatus.FUNDED})
    return {"per_envelope": per_envelope, "top": top}


# --- Pabulib export ----------------------------------------------------------------------------


def pabulib_export(envelope: Envelope, *, include_ballots: bool = True) -> str:
    """The envelope as a Pabulib file: projects with costs, votes and `selected`, and the
    ballots (anonymous: voter ids are sequence numbers, no personal data)."""
    cycle = envelope.cycle
    project_qs = envelope.projects.exclude(status__in=(ProjectStatus.WITHDRAWN, ProjectStatus.INELIGIBLE,
                                                       ProjectStatus.SUBMITTED)).order_by("code")
    plist = list(project_qs)
    code_set = {p.code for p in plist}
    votes: list[pabulib.PbVote] = []
    run = envelope.runs.filter(is_current=True).first()
    vote_type = "cumulative" if cycle.vote_method == "points" else "approval"
    if include_ballots:
        imported = envelope.imported_profiles.order_by("-id").first()
        if imported is not None:
            pb_in = pabulib.loads(imported.text)
            for v in pb_in.votes:
                votes.append(pabulib.PbVote(v.voter_id, [imported.code_prefix + x for x in v.vote], v.points))
            vote_type = pb_in.vote_type
        elif envelope.vote_id is not None:
            for i, b in enumerate(voting_bridge.ballots(vote_id=envelope.vote_id), start=1):
                if b.points:
                    items = [(c, p) for c, p in sorted(b.points.items()) if c in code_set]
                    votes.append(pabulib.PbVote(str(i), [c for c, _ in items], [p for _, p in items]))
                else:
                    votes.append(pabulib.PbVote(str(i), [c for c in b.codes if c in code_set]))
    budget_meta = {
        "description": f"{cycle.name_en or cycle.name_ko} — {envelope.name_en or envelope.name_ko}",
        "country": "South Korea", "unit": "Seoul",
        "subunit": envelope.district_code or envelope.get_kind_display(),
        "instance": str(cycle.year), "budget": str(envelope.amount), "vote_type": vote_type,
        "rule": _pb_rule(run.rule if run is not None else cycle.rule),
        "date_begin": cycle.vote_opens.strftime("%d.%m.%Y"),
        "date_end": cycle.vote_closes.strftime("%d.%m.%Y"),
        "language": "ko",
        "currency": "KRW",
    }
    if cycle.vote_method == "approval":
        budget_meta["max_length"] = str(cycle.max_choices)
    if cycle.vote_method == "knapsack":
        budget_meta["max_sum_cost"] = str(envelope.amount)
    if cycle.vote_method == "points":
        budget_meta["max_sum_points"] = str(cycle.points_per_voter)
    pb_projects = [
        pabulib.PbProject(
            project_id=p.code, cost=int(p.cost or p.requested_cost), votes=p.votes if run else None,
            name=p.title, category=[p.category] if p.category else [], target=[],
            selected=(1 if p.status == ProjectStatus.FUNDED else 0) if run else None,
            extra={"latitude": str(p.lat), "longitude": str(p.lon)} if p.lat is not None and p.lon is not None
            else {},
        )
        for p in plist
    ]
    return pabulib.dumps(pabulib.PbFile(budget_meta, pb_projects, votes))


def _pb_rule(rule: str) -> str:
    return {"greedy": "greedy", "greedy_floor": "greedy-threshold", "mes": "equalshares-greedy",
            "weighted": "greedy-weighted"}.get(rule, rule)


# --- dashboard and open data -------------------------------------------------------------------


def widget_phase() -> dict[str, Any]:
    cycle = current_cycle()
    if cycle is None:
        return {"value": None, "items": []}
    order = [p for p in Phase.values if p not in (Phase.DRAFT, Phase.CLOSED)]
    return {
        "value": str(cycle.get_phase_display()), "unit": "",
        "items": [{"title": str(Phase(p).label), "current": p == cycle.phase} for p in order],
        "cycle": cycle.name, "total_amount": cycle.total_amount,
        "url": f"/budget/{cycle.slug}/",
    }


def widget_votes_so_far() -> dict[str, Any]:
    cycle = current_cycle()
    if cycle is None:
        return {"value": 0, "unit": "ballots"}
    total = 0
    by_envelope = []
    for env in cycle.envelopes.exclude(vote_id=None):
        n = voting_bridge.ballots_so_far(env.vote_id)  # type: ignore[arg-type]
        total += n
        by_envelope.append({"title": env.name, "value": n})
    return {"value": total, "unit": "ballots", "items": by_envelope, "cycle": cycle.name}


def export_rows() -> Iterator[Mapping[str, Any]]:
    """Open data: every project of every published cycle with its outcome (no personal data)."""
    qs = (Project.objects.filter(cycle__phase__in=PUBLIC_PHASES_FOR_RESULTS)
          .exclude(status=ProjectStatus.WITHDRAWN).select_related("cycle", "envelope").order_by("cycle__year", "code"))
    explanations = dict(ProjectOutcome.objects.filter(run__is_current=True, project__in=qs)
                        .values_list("project_id", "explanation"))
    for p in qs.iterator(chunk_size=1000):
        yield {
            "cycle": p.cycle.slug, "year": p.cycle.year, "project_code": p.code, "title": p.title,
            "proposal_type": p.proposal_type, "envelope": p.envelope.name_ko if p.envelope else "",
            "district_code": p.district_code, "cost_krw": p.cost, "votes": p.votes,
            "status": p.status, "funded": p.status == ProjectStatus.FUNDED,
            "implementation_status": p.implementation_status, "progress_percent": p.progress,
            "explanation": explanations.get(p.pk, ""),
            "latitude": p.lat, "longitude": p.lon,
        }


def stats(cycle: Cycle) -> dict[str, Any]:
    agg = cycle.projects.aggregate(n=Count("id"), requested=Sum("requested_cost"))
    funded = cycle.projects.filter(status=ProjectStatus.FUNDED).aggregate(n=Count("id"), amount=Sum("cost"))
    return {"proposals": agg["n"] or 0, "requested": agg["requested"] or 0, "funded": funded["n"] or 0,
            "funded_amount": funded["amount"] or 0}
