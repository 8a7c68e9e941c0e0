"""Reads of the participatory budget: cycles, ballots to show, results with explanations, map
features, chart data, widgets, open-data rows and Pabulib exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from smartseoul.core import clock
from smartseoul.lib.allocation import TIE_RULE, Reason
from smartseoul.lib.money import krw_text

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
DEFAULT_VOTE_DAYS = 14  # the citizen vote's length when the scheduled end is already (almost) past
MIN_VOTE_LENGTH = timedelta(days=1)
MAX_VOTE_LENGTH = timedelta(days=90)


def cycles() -> QuerySet[Cycle]:
    return Cycle.objects.exclude(phase=Phase.DRAFT).order_by("-year", "slug")


# what citizens can do now comes first: vote, then propose, then follow the others
LIVE_ORDER = (Phase.VOTE, Phase.SUBMISSION, Phase.REVIEW, Phase.DELIBERATION, Phase.ALLOCATION, Phase.IMPLEMENTATION)


def live_cycles() -> list[Cycle]:
    """Cycles that are neither drafts nor closed, the ones citizens can act on first."""
    rows = list(Cycle.objects.filter(phase__in=LIVE_ORDER).order_by("-year", "-id"))
    return sorted(rows, key=lambda c: LIVE_ORDER.index(c.phase))  # type: ignore[arg-type]


def current_cycle() -> Cycle | None:
    """The cycle citizens can act on now (a vote first, then proposals, then the newest other live
    one); else the newest closed one."""
    live = live_cycles()
    return live[0] if live else Cycle.objects.filter(phase=Phase.CLOSED).order_by("-year", "-id").first()


def default_vote_close(cycle: Cycle, now: datetime | None = None) -> datetime:
    """When the citizen vote closes if the official opens it now: the scheduled end while it is
    between a day and 90 days away, else DEFAULT_VOTE_DAYS from now."""
    now = now or clock.now()
    if now + MIN_VOTE_LENGTH <= cycle.vote_closes <= now + MAX_VOTE_LENGTH:
        return cycle.vote_closes
    return now + timedelta(days=DEFAULT_VOTE_DAYS)


def cycle_by_slug(slug: str, *, include_drafts: bool = False) -> Cycle:
    qs = Cycle.objects.all() if include_drafts else cycles()
    try:
        return qs.get(slug=slug)
    except Cycle.DoesNotExist as exc:
        raise BudgetNotFound(_("No such budget cycle."), code=BudgetErrorCode.CYCLE_NOT_FOUND) from exc


def envelope_get(envelope_id: int) -> Envelope:
    try:
        return Envelope.objects.select_related("cycle").get(pk=envelope_id)
    except Envelope.DoesNotExist as exc:
        raise BudgetNotFound(_("No such envelope."), code=BudgetErrorCode.ENVELOPE_NOT_FOUND) from exc


def envelopes(cycle: Cycle) -> QuerySet[Envelope]:
    return cycle.envelopes.annotate(n_projects=Count("projects")).order_by("kind", "district_code", "proposal_type",
                                                                           "id")


def project_by_code(code: str, *, include_drafts: bool = False) -> Project:
    """A proposal by its code; a draft cycle's proposals only for the office pages (`include_drafts`)."""
    qs = Project.objects.select_related("cycle", "envelope")
    if not include_drafts:
        qs = qs.exclude(cycle__phase=Phase.DRAFT)
    try:
        return qs.get(code=code)
    except Project.DoesNotExist as exc:
        raise BudgetNotFound(_("No such budget proposal."), code=BudgetErrorCode.PROJECT_NOT_FOUND) from exc


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


def democracy_search_url() -> str:
    """Where the proposal form searches adopted Democracy Seoul proposals ("" if the city runs
    without Democracy Seoul)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("api:democracy-adopted")
    except NoReverseMatch:
        return ""


def place_label(project: Project) -> str:
    """Where a project is, in the reader's language: "종로구 청운효자동" / "Jongno-gu"."""
    from smartseoul.core.selectors import district_names, neighborhoods

    if not project.district_code:
        return ""
    lang = "en" if (get_language() or "ko").startswith("en") else "ko"
    names = district_names().get(project.district_code, {})
    label = names.get(lang) or names.get("ko") or ""
    if lang == "ko" and project.neighborhood_code:
        dong = neighborhoods(project.district_code).filter(code=project.neighborhood_code).first()
        if dong is not None:
            label = f"{label} {dong.name_ko}"
    return label


def department_choices() -> list[tuple[str, Any]]:
    """Departments for the review form, grouped: the city's own first, then each district's."""
    from smartseoul.core.models import Department

    groups: dict[str, list[tuple[str, str]]] = {}
    for d in Department.objects.select_related("district").order_by("district__code", "code"):
        key = d.district.name if d.district else str(_("City departments"))
        groups.setdefault(key, []).append((d.code, d.name))
    return list(groups.items())


def locate_url() -> str:
    """The city's point → district lookup (core API), used by the proposal form's map pin."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("api:locate")
    except NoReverseMatch:
        return ""


def democracy_proposal(proposal_id: int) -> dict[str, Any] | None:
    """The adopted Democracy Seoul proposal with this id ({id, title, url, …}), or None."""
    try:
        from smartseoul.democracy.selectors import adopted_proposals
    except ImportError:  # a city may run without Democracy Seoul
        return None
    return next((p for p in adopted_proposals() if p["id"] == proposal_id), None)


def vote_is_open(cycle: Cycle) -> bool:
    """The cycle is in its vote phase and its closing time has not passed."""
    return cycle.phase == Phase.VOTE and clock.now() < cycle.vote_closes


def voter_state(envelope: Envelope, user: Any) -> dict[str, Any]:
    """For the vote page: signed in?, voted already (and the receipt tracker)?, may vote?, and
    if not, why — in the reader's language."""
    if envelope.vote_id is None:
        return {"signed_in": bool(user and user.is_authenticated), "voted": False, "eligible": False,
                "code": "", "message": ""}
    state = voting_bridge.voter_state(envelope.vote_id, user)
    if state["code"]:
        state["message"] = _voting_text(state["code"], state["message"])
    return state


def _voting_text(code: str, fallback: str) -> str:
    texts = {
        "verification_required": _("Verify your phone number to vote."),
        "resident_required": _("This envelope is voted on by the district's residents: confirm your home "
                               "district on your profile to vote."),
        "wrong_district": _("This envelope is voted on by the residents of its district only."),
        "already_voted": _("You have already voted in this envelope."),
        "vote_not_open": _("This vote is not open now."),
        "too_young": _("This vote has a minimum age."),
        "birth_year_required": _("This vote has a minimum age: add your year of birth on your profile."),
        "over_budget": _("The projects you chose cost more than this envelope."),
        "too_many_choices": _("You chose more projects than this ballot allows."),
        "over_points": _("You gave more points than this ballot allows."),
        "bad_choices": _("This ballot is not valid; check your choices."),
        "log_busy": _("The ballot box is busy; please try again."),
    }
    return str(texts.get(code, fallback))


def ballot_error_text(exc: Any) -> str:
    """A refused ballot in the reader's language: the budget's own messages are translated where
    they are raised; the voting module's codes are translated here."""
    if type(exc).__module__.startswith("smartseoul.budget"):
        return str(exc.message)
    return _voting_text(str(getattr(exc, "code", "")), str(exc.message))


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


def _won(amount: float | int | None) -> str:
    return krw_text(round(amount or 0), get_language() or "ko")


def explanation(outcome: ProjectOutcome) -> str:
    """Why a project was or was not funded, in the reader's language, from the outcome's reason
    code and numbers (the stored `explanation` is the English text of the same facts)."""
    d = outcome.detail or {}
    cost = outcome.project.cost or 0
    values: dict[str, Any] = {
        "rank": outcome.rank, "votes": f"{outcome.votes:,}", "cost": _won(cost),
        "before": _won(outcome.remaining_before), "left": _won(d.get("supporters_money")),
        "share": _won(d.get("max_payment")), "round": d.get("round", outcome.rank),
        "min": f"{int(d.get('min_votes', 0)):,}",
    }
    reason = outcome.reason
    n = outcome.votes
    if "score" in d and reason in (Reason.FUNDED_WEIGHTED, Reason.NOT_FIT):
        params = outcome.run.params or {}
        values.update(score=f"{float(d['score']):.2f}", wc=params.get("committee_weight", 45),
                      wv=params.get("citizen_weight", 55))
        if outcome.funded:
            return ngettext(
                "Funded: rank %(rank)s, combined score %(score)s (%(wc)s%% committee, %(wv)s%% citizens; "
                "%(votes)s vote); its cost %(cost)s fitted the remaining %(before)s.",
                "Funded: rank %(rank)s, combined score %(score)s (%(wc)s%% committee, %(wv)s%% citizens; "
                "%(votes)s votes); its cost %(cost)s fitted the remaining %(before)s.", n) % values
        return ngettext(
            "Not funded: rank %(rank)s, combined score %(score)s (%(wc)s%% committee, %(wv)s%% citizens; "
            "%(votes)s vote); its cost %(cost)s did not fit the remaining %(before)s.",
            "Not funded: rank %(rank)s, combined score %(score)s (%(wc)s%% committee, %(wv)s%% citizens; "
            "%(votes)s votes); its cost %(cost)s did not fit the remaining %(before)s.", n) % values
    texts = {
        Reason.FUNDED_GREEDY: ngettext(
            "Funded: rank %(rank)s, %(votes)s vote; its cost %(cost)s fitted the remaining %(before)s.",
            "Funded: rank %(rank)s, %(votes)s votes; its cost %(cost)s fitted the remaining %(before)s.", n),
        Reason.NOT_FIT: ngettext(
            "Not funded: rank %(rank)s, %(votes)s vote; its cost %(cost)s did not fit the remaining %(before)s "
            "after the projects ranked above it were funded.",
            "Not funded: rank %(rank)s, %(votes)s votes; its cost %(cost)s did not fit the remaining %(before)s "
            "after the projects ranked above it were funded.", n),
        Reason.BELOW_FLOOR: ngettext(
            "Not funded: %(votes)s vote, below the minimum of %(min)s votes.",
            "Not funded: %(votes)s votes, below the minimum of %(min)s votes.", n),
        Reason.FUNDED_MES: ngettext(
            "Funded in equal-shares round %(round)s: its %(votes)s supporter could pay its cost %(cost)s, "
            "paying at most %(share)s of their equal share (remaining money %(before)s).",
            "Funded in equal-shares round %(round)s: its %(votes)s supporters could share its cost %(cost)s, "
            "each paying at most %(share)s of their equal share (remaining money %(before)s).", n),
        Reason.FUNDED_COMPLETION: ngettext(
            "Funded in the completion phase: its supporters' remaining equal shares (%(left)s) could not cover "
            "its cost %(cost)s, but with %(votes)s vote (rank %(rank)s) it fitted the money left, %(before)s.",
            "Funded in the completion phase: its supporters' remaining equal shares (%(left)s) could not cover "
            "its cost %(cost)s, but with %(votes)s votes (rank %(rank)s) it fitted the money left, %(before)s.", n),
        Reason.MES_NOT_AFFORDABLE_NOT_FIT: ngettext(
            "Not funded: its supporters' remaining equal shares (%(left)s) could not cover its cost %(cost)s, "
            "and in the completion phase (rank %(rank)s, %(votes)s vote) it did not fit the money left, "
            "%(before)s.",
            "Not funded: its supporters' remaining equal shares (%(left)s) could not cover its cost %(cost)s, "
            "and in the completion phase (rank %(rank)s, %(votes)s votes) it did not fit the money left, "
            "%(before)s.", n),
    }
    text = texts.get(reason)  # type: ignore[call-overload]
    return text % values if text else outcome.explanation


def tie_rule_text(run: AllocationRun | None) -> str:
    """The run's tie rule in the reader's language (the documented rule; any other text as stored)."""
    if run is None:
        return ""
    if run.tie_rule == TIE_RULE:
        return _("Ties are broken by more votes, then lower cost, then earlier submission, then the smaller "
                 "project id.")
    return run.tie_rule


def project_outcome(project: Project) -> ProjectOutcome | None:
    return (ProjectOutcome.objects.filter(project=project, run__is_current=True).select_related("run").first())


def overrides(cycle: Cycle) -> QuerySet[Override]:
    return Override.objects.filter(project__cycle=cycle).select_related("project")


def projects_geojson(cycle: Cycle, *, funded_only: bool = False) -> dict[str, Any]:
    """RFC 7946 points of the cycle's projects that have a place (public fields only); the status
    both as its code and as its label in the request's language (what a map's popup shows)."""
    qs = projects(cycle).exclude(lat=None).exclude(lon=None)
    if funded_only:
        qs = qs.filter(status=ProjectStatus.FUNDED)
    show_votes = results_public(cycle)
    features = []
    for p in qs:
        props: dict[str, Any] = {
            "code": p.code, "title": p.title, "status": p.status, "status_label": str(p.get_status_display()),
            "type": p.proposal_type,
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
        return {"value": 0, "unit": ngettext("ballot", "ballots", 0)}
    total = 0
    by_envelope = []
    for env in cycle.envelopes.exclude(vote_id=None):
        n = voting_bridge.ballots_so_far(env.vote_id)  # type: ignore[arg-type]
        total += n
        by_envelope.append({"title": env.name, "value": n})
    return {"value": total, "unit": ngettext("ballot", "ballots", total), "items": by_envelope, "cycle": cycle.name}


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


def site_search_hits(query: str, user: Any, limit: int) -> list[Any]:
    """Budget proposals of published cycles whose title or summary holds every word: the
    participatory budget's part of the site-wide search (a draft cycle's proposals are not public)."""
    from django.db.models import Q
    from django.urls import reverse

    from smartseoul.core.registry import SearchHit

    words = query.split()
    if not words:
        return []
    qs = Project.objects.exclude(cycle__phase=Phase.DRAFT).exclude(status=ProjectStatus.WITHDRAWN)
    for w in words:
        qs = qs.filter(Q(title__icontains=w) | Q(summary__icontains=w))
    lang = get_language() or "ko"
    return [SearchHit(title=p.title, url=reverse("budget:project", args=[p.code]),
                      summary=f"{p.get_status_display()} · {krw_text(p.cost or p.requested_cost, lang)}")
            for p in qs.select_related("cycle").order_by("-cycle__year", "code")[:limit]]
