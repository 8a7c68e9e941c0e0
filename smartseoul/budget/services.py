"""Writes of the participatory budget: cycles and envelopes, proposals, review, committee scores,
the citizen vote (through `voting`), allocation with explanations, overrides, implementation
tracking and Pabulib import. Each function is one transaction and raises the module's errors."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartseoul.accounts.models import Capability, Verification
from smartseoul.accounts.rules import require_verified
from smartseoul.core import clock
from smartseoul.core.services import audit_record, notify
from smartseoul.lib import allocation as alloc
from smartseoul.lib.money import krw_text

from . import pabulib, selectors, voting_bridge
from .errors import BudgetConflict, BudgetErrorCode, BudgetForbidden, BudgetInvalid, BudgetNotFound
from .models import (
    PHASE_ORDER,
    AllocationRule,
    AllocationRun,
    CommitteeScore,
    Cycle,
    Envelope,
    EnvelopeKind,
    ImplementationStatus,
    ImplementationUpdate,
    ImportedProfile,
    Override,
    Phase,
    Project,
    ProjectOutcome,
    ProjectStatus,
    ProposalType,
    VoteMethod,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from smartseoul.accounts.models import User

MAX_AMOUNT = 10**15  # KRW; far above any city's budget, keeps sums inside 64-bit integers
MIN_OVERRIDE_REASON = 20
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MIN_VOTE_LENGTH = selectors.MIN_VOTE_LENGTH
MAX_VOTE_LENGTH = selectors.MAX_VOTE_LENGTH


# --- authorisation ---------------------------------------------------------------------------


def is_budget_admin(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_city_admin)


def is_budget_official(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_official)


def is_committee_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.BUDGET_COMMITTEE))


def can_open_office(user: Any) -> bool:
    """Officials and the citizen committee: the budget office's gate and its back-office tile ask this."""
    return is_budget_official(user) or is_committee_member(user)


def _require_admin(user: Any) -> None:
    if not is_budget_admin(user):
        raise BudgetForbidden(_("Only the city's budget administrators may do this."), code=BudgetErrorCode.NOT_ALLOWED)


def _require_official(user: Any) -> None:
    if not is_budget_official(user):
        raise BudgetForbidden(_("Only officials may do this."), code=BudgetErrorCode.NOT_ALLOWED)


def _phase(cycle: Cycle, *allowed: str) -> None:
    if cycle.phase not in allowed:
        raise BudgetConflict(
            _("This cannot be done in the cycle's current phase (%(phase)s).") % {"phase": cycle.get_phase_display()},
            code=BudgetErrorCode.WRONG_PHASE, phase=cycle.phase, allowed=list(allowed),
        )


def _won(amount: int) -> str:
    """An amount in messages as people read it: 11억 원 / KRW 1.1 billion."""
    return krw_text(amount, get_language() or "ko")


def _text(value: str, *, field: str, minimum: int = 1, maximum: int = 200) -> str:
    value = (value or "").strip()
    if not minimum <= len(value) <= maximum:
        raise BudgetInvalid(_("%(field)s must be %(min)s to %(max)s characters.") % {
            "field": field, "min": minimum, "max": maximum}, code=BudgetErrorCode.BAD_PROJECT, field=field)
    return value


def _amount(value: int, *, field: str, code: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_AMOUNT:
        raise BudgetInvalid(_("%(field)s must be a whole number of won between %(min)s and %(max)s.") % {
            "field": field, "min": minimum, "max": MAX_AMOUNT}, code=code, field=field)
    return value


# --- cycles and envelopes --------------------------------------------------------------------


@dataclass(frozen=True)
class CycleDates:
    submission_opens: datetime
    submission_closes: datetime
    review_closes: datetime
    deliberation_closes: datetime
    vote_opens: datetime
    vote_closes: datetime

    def check(self) -> None:
        seq = [self.submission_opens, self.submission_closes, self.review_closes, self.deliberation_closes,
               self.vote_opens, self.vote_closes]
        if any(d.tzinfo is None for d in seq):
            raise BudgetInvalid(_("Dates need a time zone."), code=BudgetErrorCode.BAD_CYCLE)
        if any(b < a for a, b in pairwise(seq)) or seq[0] == seq[-1]:
            raise BudgetInvalid(_("The phase dates must follow each other in order."), code=BudgetErrorCode.BAD_CYCLE)


def _check_rule(rule: str, vote_method: str, min_votes: int, committee_weight: int, citizen_weight: int) -> None:
    if rule not in AllocationRule.values:
        raise BudgetInvalid(_("Unknown allocation rule."), code=BudgetErrorCode.BAD_RULE, rule=rule)
    if vote_method not in VoteMethod.values:
        raise BudgetInvalid(_("Unknown vote method."), code=BudgetErrorCode.BAD_RULE, vote_method=vote_method)
    if rule == AllocationRule.MES and vote_method == VoteMethod.POINTS:
        raise BudgetInvalid(_("The Method of Equal Shares needs approval or knapsack ballots, not points."),
                            code=BudgetErrorCode.BAD_RULE)
    if rule == AllocationRule.GREEDY_FLOOR and min_votes < 1:
        raise BudgetInvalid(_("Set a minimum number of votes for this rule."), code=BudgetErrorCode.BAD_RULE)
    if rule == AllocationRule.WEIGHTED and (committee_weight + citizen_weight != 100):
        raise BudgetInvalid(_("The committee and citizen weights must add up to 100."), code=BudgetErrorCode.BAD_RULE)


@transaction.atomic
def cycle_create(
    *, actor: User, slug: str, year: int, name_ko: str, name_en: str = "", total_amount: int, dates: CycleDates,
    rule: str = AllocationRule.GREEDY, vote_method: str = VoteMethod.APPROVAL, min_votes: int = 0,
    committee_weight: int = 45, citizen_weight: int = 55, max_choices: int = 5, points_per_voter: int = 10,
    residents_only: bool = False, description: str = "", description_en: str = "",
) -> Cycle:
    _require_admin(actor)
    slug = _text(slug, field="slug", maximum=40)
    if Cycle.objects.filter(slug=slug).exists():
        raise BudgetConflict(_("A cycle with this name already exists."), code=BudgetErrorCode.BAD_CYCLE, slug=slug)
    if not 2000 <= year <= 2100:
        raise BudgetInvalid(_("The year is not plausible."), code=BudgetErrorCode.BAD_CYCLE)
    _amount(total_amount, field="total_amount", code=BudgetErrorCode.BAD_CYCLE)
    dates.check()
    _check_rule(rule, vote_method, min_votes, committee_weight, citizen_weight)
    if not 1 <= max_choices <= 100 or not 1 <= points_per_voter <= 1000:
        raise BudgetInvalid(_("Ballot limits are out of range."), code=BudgetErrorCode.BAD_CYCLE)
    cycle = Cycle.objects.create(
        slug=slug, year=year, name_ko=_text(name_ko, field="name_ko"), name_en=(name_en or "").strip()[:200],
        total_amount=total_amount, rule=rule, vote_method=vote_method, min_votes=min_votes,
        committee_weight=committee_weight, citizen_weight=citizen_weight, max_choices=max_choices,
        points_per_voter=points_per_voter, residents_only=residents_only, description=description.strip(),
        description_en=(description_en or "").strip(),
        created_at=clock.now(), **dates.__dict__,
    )
    audit_record(actor=actor, action="budget.cycle_create", target=cycle,
                 details={"slug": slug, "total_amount": total_amount, "rule": rule, "vote_method": vote_method})
    return cycle


@transaction.atomic
def cycle_set_rule(
    *, actor: User, cycle_id: int, rule: str, min_votes: int = 0, committee_weight: int = 45, citizen_weight: int = 55
) -> Cycle:
    """Chooses the allocation rule; allowed until the vote opens (the rule is known before anyone votes)."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle_id)
    _phase(cycle, Phase.DRAFT, Phase.SUBMISSION, Phase.REVIEW, Phase.DELIBERATION)
    _check_rule(rule, cycle.vote_method, min_votes, committee_weight, citizen_weight)
    before = {"rule": cycle.rule, "min_votes": cycle.min_votes, "committee_weight": cycle.committee_weight}
    cycle.rule, cycle.min_votes = rule, min_votes
    cycle.committee_weight, cycle.citizen_weight = committee_weight, citizen_weight
    cycle.save(update_fields=["rule", "min_votes", "committee_weight", "citizen_weight"])
    audit_record(actor=actor, action="budget.cycle_rule", target=cycle,
                 details={"before": before, "rule": rule, "min_votes": min_votes,
                          "committee_weight": committee_weight, "citizen_weight": citizen_weight})
    return cycle


@transaction.atomic
def envelope_create(
    *, actor: User, cycle_id: int, kind: str, amount: int, name_ko: str, name_en: str = "",
    district_code: str = "", proposal_type: str = "",
) -> Envelope:
    from smartseoul.core.selectors import district_by_code

    _require_admin(actor)
    cycle = _locked_cycle(cycle_id)
    _phase(cycle, Phase.DRAFT, Phase.SUBMISSION, Phase.REVIEW)
    if kind not in EnvelopeKind.values:
        raise BudgetInvalid(_("Unknown envelope kind."), code=BudgetErrorCode.BAD_ENVELOPE)
    _amount(amount, field="amount", code=BudgetErrorCode.BAD_ENVELOPE)
    if kind == EnvelopeKind.DISTRICT:
        district_by_code(district_code)  # NotFound for an unknown code
        proposal_type = ""
    elif kind == EnvelopeKind.PROPOSAL_TYPE:
        if proposal_type not in ProposalType.values:
            raise BudgetInvalid(_("Unknown proposal type."), code=BudgetErrorCode.BAD_ENVELOPE)
        district_code = ""
    else:
        district_code = proposal_type = ""
    allocated = sum(cycle.envelopes.values_list("amount", flat=True))
    if allocated + amount > cycle.total_amount:
        raise BudgetInvalid(
            _("The envelopes would add up to more than the cycle's total (%(total)s).") % {
                "total": _won(cycle.total_amount)},
            code=BudgetErrorCode.BAD_ENVELOPE, allocated=allocated, total=cycle.total_amount)
    if cycle.envelopes.filter(kind=kind, district_code=district_code, proposal_type=proposal_type).exists():
        raise BudgetConflict(_("This envelope already exists."), code=BudgetErrorCode.BAD_ENVELOPE)
    env = Envelope.objects.create(cycle=cycle, kind=kind, amount=amount, district_code=district_code,
                                  proposal_type=proposal_type, name_ko=_text(name_ko, field="name_ko"),
                                  name_en=(name_en or "").strip()[:200])
    audit_record(actor=actor, action="budget.envelope_create", target=env,
                 details={"cycle": cycle.slug, "kind": kind, "amount": amount, "district": district_code,
                          "proposal_type": proposal_type})
    return env


def _locked_cycle(cycle_id: int) -> Cycle:
    try:
        return Cycle.objects.select_for_update().get(pk=cycle_id)
    except Cycle.DoesNotExist as exc:
        raise BudgetNotFound(_("No such budget cycle."), code=BudgetErrorCode.CYCLE_NOT_FOUND) from exc


def _locked_project(project_id: int) -> Project:
    try:
        return Project.objects.select_for_update(of=("self",)).select_related("cycle", "envelope").get(pk=project_id)
    except Project.DoesNotExist as exc:
        raise BudgetNotFound(_("No such budget proposal."), code=BudgetErrorCode.PROJECT_NOT_FOUND) from exc


def _check_vote_close(closes: datetime, now: datetime) -> datetime:
    if closes.tzinfo is None:
        raise BudgetInvalid(_("Dates need a time zone."), code=BudgetErrorCode.BAD_CYCLE, field="vote_closes")
    if closes < now + MIN_VOTE_LENGTH:
        raise BudgetInvalid(_("The vote must stay open for at least a day; choose a later closing time."),
                            code=BudgetErrorCode.BAD_CYCLE, field="vote_closes")
    if closes > now + MAX_VOTE_LENGTH:
        raise BudgetInvalid(_("A vote stays open for at most 90 days; choose an earlier closing time."),
                            code=BudgetErrorCode.BAD_CYCLE, field="vote_closes")
    return closes


# the date that a move into each phase makes true (the end of the phase before it)
PHASE_BOUNDARY = {Phase.SUBMISSION: "submission_opens", Phase.REVIEW: "submission_closes",
                  Phase.DELIBERATION: "review_closes", Phase.VOTE: "deliberation_closes",
                  Phase.ALLOCATION: "vote_closes"}
DATE_FIELDS = ("submission_opens", "submission_closes", "review_closes", "deliberation_closes", "vote_opens",
               "vote_closes")


def _record_phase_dates(cycle: Cycle, to_phase: str, now: datetime, vote_closes: datetime | None) -> None:
    """The phase the official chooses is the truth: the phase that ends, ends now (a vote closed
    earlier by its time keeps that time), the vote runs from now to its closing time, and the dates
    before stay in order. Scheduled dates of later phases are left as planned."""
    name = PHASE_BOUNDARY.get(to_phase)  # type: ignore[call-overload]
    if name is None:
        return
    setattr(cycle, name, min(cycle.vote_closes, now) if to_phase == Phase.ALLOCATION else now)
    if to_phase == Phase.VOTE:
        assert vote_closes is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
        cycle.vote_opens, cycle.vote_closes = now, vote_closes
    for i in range(DATE_FIELDS.index(name) - 1, -1, -1):
        earlier, later = DATE_FIELDS[i], DATE_FIELDS[i + 1]
        setattr(cycle, earlier, min(getattr(cycle, earlier), getattr(cycle, later)))
    cycle.save(update_fields=list(DATE_FIELDS))


@transaction.atomic
def cycle_advance(*, actor: User, cycle_id: int, to_phase: str, vote_closes: datetime | None = None) -> Cycle:
    """Moves the cycle to the next phase, doing what that phase needs:
    vote → opens a `voting` vote per envelope, open from now until `vote_closes` (by default the
    scheduled end, or two weeks from now if that is less than a day away: `selectors.default_vote_close`);
    allocation → closes the votes and allocates; implementation → publishes the results and tells
    the proposers. The phase the official chooses decides, not the scheduled dates."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle_id)
    if to_phase not in PHASE_ORDER or PHASE_ORDER.index(to_phase) != PHASE_ORDER.index(cycle.phase) + 1:
        raise BudgetConflict(_("A cycle moves one phase at a time, in order."), code=BudgetErrorCode.WRONG_PHASE,
                             phase=cycle.phase, to_phase=to_phase)
    now = clock.now()
    if to_phase == Phase.VOTE:
        vote_closes = _check_vote_close(vote_closes or selectors.default_vote_close(cycle, now), now)
    elif vote_closes is not None:
        raise BudgetInvalid(_("A closing time is chosen only when the vote opens."), code=BudgetErrorCode.BAD_CYCLE,
                            field="vote_closes")
    if to_phase == Phase.SUBMISSION and not cycle.envelopes.exists():
        raise BudgetConflict(_("Create at least one envelope first."), code=BudgetErrorCode.BAD_ENVELOPE)
    if to_phase == Phase.DELIBERATION:
        pending = cycle.projects.filter(status=ProjectStatus.SUBMITTED).count()
        if pending:
            raise BudgetConflict(_("%(n)s proposals still wait for their eligibility review.") % {"n": pending},
                                 code=BudgetErrorCode.WRONG_PHASE, pending=pending)
    if to_phase == Phase.VOTE:
        assert vote_closes is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
        _open_votes(cycle, actor, opens=now, closes=vote_closes)
    previous = cycle.phase
    cycle.phase = to_phase
    cycle.save(update_fields=["phase"])
    _record_phase_dates(cycle, to_phase, now, vote_closes)
    if to_phase == Phase.ALLOCATION:
        for env in cycle.envelopes.exclude(vote_id=None):
            voting_bridge.close(vote_id=env.vote_id, actor=actor)  # type: ignore[arg-type]
        for env in cycle.envelopes.all():
            if env.projects.filter(status=ProjectStatus.ON_BALLOT).exists() or env.imported_profiles.exists():
                _allocate(env, actor)
    if to_phase == Phase.IMPLEMENTATION:
        cycle.results_published_at = clock.now()
        cycle.save(update_fields=["results_published_at"])
        _tell_proposers(cycle)
    details: dict[str, Any] = {"from": previous, "to": to_phase}
    if to_phase == Phase.VOTE:
        details["vote_opens"] = cycle.vote_opens.isoformat()
        details["vote_closes"] = cycle.vote_closes.isoformat()
    audit_record(actor=actor, action="budget.cycle_advance", target=cycle, details=details)
    return cycle


def _open_votes(cycle: Cycle, actor: User, *, opens: datetime, closes: datetime) -> None:
    for env in cycle.envelopes.all():
        projects = list(env.projects.filter(status=ProjectStatus.ELIGIBLE).order_by("code"))
        if not projects or env.vote_id is not None:
            continue
        codes = [env.district_code] if cycle.residents_only and env.kind == EnvelopeKind.DISTRICT else None
        env.vote_id = voting_bridge.open_vote(cycle=cycle, envelope=env, projects=projects, actor=actor,
                                              district_codes=codes, opens_at=opens, closes_at=closes)
        env.save(update_fields=["vote_id"])
        env.projects.filter(status=ProjectStatus.ELIGIBLE).update(status=ProjectStatus.ON_BALLOT)


def _tell_proposers(cycle: Cycle) -> None:
    for p in cycle.projects.filter(status__in=(ProjectStatus.FUNDED, ProjectStatus.NOT_FUNDED)).exclude(proposer=None
                                                                                                        ).select_related("proposer"):
        funded = p.status == ProjectStatus.FUNDED
        notify(recipient=p.proposer, kind="budget.result",  # type: ignore[arg-type]
               subject=_("Your budget proposal was funded") if funded else _("Your budget proposal was not funded"),
               body=_("%(title)s: see the results and why.") % {"title": p.title},
               link=reverse("budget:project", args=[p.code]))


# --- proposals -------------------------------------------------------------------------------


@transaction.atomic
def project_submit(
    *, user: User, cycle_id: int, proposal_type: str, title: str, summary: str, requested_cost: int,
    description: str = "", category: str = "", district_code: str = "", lat: float | None = None,
    lon: float | None = None, democracy_proposal_id: int | None = None,
) -> Project:
    from smartseoul.core.geography import district_for_point

    require_verified(user, Verification.PHONE, error=BudgetForbidden, code=BudgetErrorCode.VERIFICATION_REQUIRED,
                     signed_out=_("Please sign in first."),
                     unverified=_("Please verify your phone before taking part."),
                     required_level=int(Verification.PHONE))
    cycle = _locked_cycle(cycle_id)
    _phase(cycle, Phase.SUBMISSION)
    if proposal_type not in ProposalType.values:
        raise BudgetInvalid(_("Unknown proposal type."), code=BudgetErrorCode.BAD_PROJECT, field="proposal_type")
    _amount(requested_cost, field="requested_cost", code=BudgetErrorCode.BAD_PROJECT)
    neighborhood_code = ""
    if (lat is None) != (lon is None):
        raise BudgetInvalid(_("Give both latitude and longitude, or neither."), code=BudgetErrorCode.BAD_PROJECT)
    if lat is not None and lon is not None:
        place = district_for_point(lat, lon)
        district_code = place.district_code
        neighborhood_code = place.neighborhood_code or ""
        lat, lon = round(lat, 6), round(lon, 6)
    elif district_code:
        from smartseoul.core.selectors import district_by_code

        district_by_code(district_code)
    if proposal_type in (ProposalType.DISTRICT, ProposalType.LOCAL) and not district_code:
        raise BudgetInvalid(_("District and local proposals need a place or a district."),
                            code=BudgetErrorCode.BAD_PROJECT, field="district_code")
    if proposal_type == ProposalType.DEMOCRACY:
        _check_democracy_link(democracy_proposal_id)
    elif democracy_proposal_id is not None:
        raise BudgetInvalid(_("Only Democracy Seoul connection proposals name a Democracy Seoul proposal."),
                            code=BudgetErrorCode.BAD_DEMOCRACY_LINK)
    number = cycle.projects.count() + 1
    project = Project.objects.create(
        cycle=cycle, code=f"{cycle.slug}-{number:04d}", proposal_type=proposal_type,
        title=_text(title, field="title", minimum=4), summary=_text(summary, field="summary", minimum=10, maximum=500),
        description=(description or "").strip()[:20000], category=(category or "").strip()[:60],
        proposer=user, district_code=district_code, neighborhood_code=neighborhood_code, lat=lat, lon=lon,
        requested_cost=requested_cost, democracy_proposal_id=democracy_proposal_id, submitted_at=clock.now(),
    )
    return project


def _check_democracy_link(proposal_id: int | None) -> dict[str, Any]:
    if proposal_id is None:
        raise BudgetInvalid(_("Name the adopted Democracy Seoul proposal this builds on."),
                            code=BudgetErrorCode.BAD_DEMOCRACY_LINK)
    from smartseoul.democracy.selectors import adopted_proposals

    found = next((p for p in adopted_proposals() if p["id"] == proposal_id), None)
    if found is None:
        raise BudgetInvalid(_("That Democracy Seoul proposal is not an adopted proposal."),
                            code=BudgetErrorCode.BAD_DEMOCRACY_LINK, proposal_id=proposal_id)
    if found.get("budget_reference"):
        raise BudgetInvalid(_("That Democracy Seoul proposal is already carried out by a budget project."),
                            code=BudgetErrorCode.BAD_DEMOCRACY_LINK, proposal_id=proposal_id,
                            budget_reference=found["budget_reference"])
    return found


@transaction.atomic
def project_withdraw(*, user: User, project_id: int) -> Project:
    project = _locked_project(project_id)
    if project.proposer_id != user.pk:
        raise BudgetForbidden(_("Only the proposer can withdraw a proposal."), code=BudgetErrorCode.NOT_PROPOSER)
    if project.status not in (ProjectStatus.SUBMITTED, ProjectStatus.ELIGIBLE) or project.cycle.phase not in (
            Phase.SUBMISSION, Phase.REVIEW, Phase.DELIBERATION):
        raise BudgetConflict(_("A proposal can be withdrawn only before the vote."), code=BudgetErrorCode.WRONG_PHASE)
    project.status = ProjectStatus.WITHDRAWN
    project.save(update_fields=["status"])
    return project


def _default_envelope(project: Project) -> Envelope | None:
    envs = list(project.cycle.envelopes.all())
    if project.district_code and project.proposal_type in (ProposalType.DISTRICT, ProposalType.LOCAL):
        for e in envs:
            if e.kind == EnvelopeKind.DISTRICT and e.district_code == project.district_code:
                return e
    for e in envs:
        if e.kind == EnvelopeKind.PROPOSAL_TYPE and e.proposal_type == project.proposal_type:
            return e
    return next((e for e in envs if e.kind == EnvelopeKind.CITYWIDE), None)


@transaction.atomic
def project_review(
    *, actor: User, project_id: int, feasible: bool, cost: int | None = None, department_code: str = "",
    note: str = "", envelope_id: int | None = None,
) -> Project:
    """The eligibility review: feasible or not (with the reason), the official cost estimate, the
    responsible department and the envelope. A Democracy Seoul connection is linked here."""
    _require_official(actor)
    project = _locked_project(project_id)
    _phase(project.cycle, Phase.REVIEW)
    if project.status not in (ProjectStatus.SUBMITTED, ProjectStatus.ELIGIBLE, ProjectStatus.INELIGIBLE):
        raise BudgetConflict(_("This proposal can no longer be reviewed."), code=BudgetErrorCode.WRONG_PHASE)
    note = (note or "").strip()
    if not feasible and len(note) < 10:
        raise BudgetInvalid(_("Explain why the proposal is not eligible (at least 10 characters)."),
                            code=BudgetErrorCode.BAD_REVIEW, field="note")
    envelope: Envelope | None = None
    if feasible:
        if cost is None:
            raise BudgetInvalid(_("An eligible proposal needs the official cost estimate."),
                                code=BudgetErrorCode.BAD_REVIEW, field="cost")
        _amount(cost, field="cost", code=BudgetErrorCode.BAD_REVIEW)
        if department_code:
            from smartseoul.core.selectors import department_by_code

            department_by_code(department_code)
        envelope = (project.cycle.envelopes.filter(pk=envelope_id).first() if envelope_id is not None
                    else _default_envelope(project))
        if envelope is None:
            raise BudgetInvalid(_("Choose an envelope of this cycle."), code=BudgetErrorCode.BAD_REVIEW,
                                field="envelope")
        if cost > envelope.amount:
            raise BudgetInvalid(_("The cost is larger than the whole envelope (%(amount)s).") % {
                "amount": _won(envelope.amount)}, code=BudgetErrorCode.BAD_REVIEW, field="cost")
        if project.proposal_type == ProposalType.DEMOCRACY and project.democracy_proposal_id is not None:
            from smartseoul.democracy.services import proposal_link_budget

            proposal_link_budget(proposal_id=project.democracy_proposal_id, budget_reference=project.code,
                                 actor=actor)
    project.feasible = feasible
    project.cost = cost if feasible else None
    project.department_code = department_code if feasible else ""
    project.envelope = envelope
    project.review_note = note
    project.reviewed_at = clock.now()
    project.reviewed_by = actor
    project.status = ProjectStatus.ELIGIBLE if feasible else ProjectStatus.INELIGIBLE
    project.save()
    audit_record(actor=actor, action="budget.review", target=project,
                 details={"code": project.code, "feasible": feasible, "cost": project.cost,
                          "department": project.department_code, "envelope": envelope.pk if envelope else None})
    if project.proposer is not None:
        notify(recipient=project.proposer, kind="budget.review",
               subject=_("Your budget proposal was reviewed"),
               body=(_("%(title)s is eligible for the citizen vote.") if feasible
                     else _("%(title)s is not eligible: %(note)s")) % {"title": project.title, "note": note},
               link=reverse("budget:project", args=[project.code]))
    return project


@transaction.atomic
def committee_score_set(*, member: User, project_id: int, score: int, comment: str = "") -> CommitteeScore:
    if not is_committee_member(member):
        raise BudgetForbidden(_("Only members of the citizen committee score proposals."),
                              code=BudgetErrorCode.NOT_ALLOWED)
    project = _locked_project(project_id)
    _phase(project.cycle, Phase.DELIBERATION)
    if project.status != ProjectStatus.ELIGIBLE:
        raise BudgetConflict(_("Only eligible proposals are scored."), code=BudgetErrorCode.WRONG_PHASE)
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise BudgetInvalid(_("A score is a whole number from 0 to 100."), code=BudgetErrorCode.BAD_SCORE)
    row, _created = CommitteeScore.objects.update_or_create(
        project=project, member=member, defaults={"score": score, "comment": (comment or "").strip()[:2000],
                                                  "at": clock.now()})
    mean = CommitteeScore.objects.filter(project=project).aggregate(m=Avg("score"))["m"]
    project.committee_score = Decimal(str(round(mean, 2))) if mean is not None else None
    project.save(update_fields=["committee_score"])
    audit_record(actor=member, action="budget.committee_score", target=project, details={"score": score})
    return row


# --- the citizen vote ------------------------------------------------------------------------


@transaction.atomic
def ballot_cast(
    *, user: User, envelope_id: int, project_codes: Sequence[str] = (), points: Mapping[str, int] | None = None,
    lat: float | None = None, lon: float | None = None,
) -> dict[str, Any]:
    """Checks a ballot against the envelope's rules, then casts it through `voting` (which checks
    who may vote, one ballot per person, and writes the ballot log). Returns the receipt."""
    try:
        env = Envelope.objects.select_related("cycle").get(pk=envelope_id)
    except Envelope.DoesNotExist as exc:
        raise BudgetNotFound(_("No such envelope."), code=BudgetErrorCode.ENVELOPE_NOT_FOUND) from exc
    cycle = env.cycle
    _phase(cycle, Phase.VOTE)
    if env.vote_id is None:
        raise BudgetConflict(_("This envelope has no vote."), code=BudgetErrorCode.NO_VOTE)
    on_ballot = {p.code: p for p in env.projects.filter(status=ProjectStatus.ON_BALLOT)}
    if cycle.vote_method == VoteMethod.POINTS:
        given = {str(k): v for k, v in (points or {}).items()}
        if not given:
            raise BudgetInvalid(_("Give points to at least one project."), code=BudgetErrorCode.BAD_BALLOT)
        for code, pts in given.items():
            if code not in on_ballot:
                raise BudgetInvalid(_("%(code)s is not on this ballot.") % {"code": code},
                                    code=BudgetErrorCode.NOT_ON_BALLOT, project=code)
            if isinstance(pts, bool) or not isinstance(pts, int) or pts < 1:
                raise BudgetInvalid(_("Points are whole numbers of at least 1."), code=BudgetErrorCode.BAD_BALLOT)
        total = sum(given.values())
        if total > cycle.points_per_voter:
            raise BudgetInvalid(_("You gave %(total)s points; each voter has %(max)s.") % {
                "total": total, "max": cycle.points_per_voter}, code=BudgetErrorCode.OVER_POINTS,
                total=total, limit=cycle.points_per_voter)
        choice: Any = given
    else:
        codes = list(dict.fromkeys(str(c) for c in project_codes))
        if not codes:
            raise BudgetInvalid(_("Choose at least one project."), code=BudgetErrorCode.BAD_BALLOT)
        for code in codes:
            if code not in on_ballot:
                raise BudgetInvalid(_("%(code)s is not on this ballot.") % {"code": code},
                                    code=BudgetErrorCode.NOT_ON_BALLOT, project=code)
        if cycle.vote_method == VoteMethod.APPROVAL and len(codes) > cycle.max_choices:
            raise BudgetInvalid(_("Choose at most %(n)s projects.") % {"n": cycle.max_choices},
                                code=BudgetErrorCode.TOO_MANY_CHOICES, limit=cycle.max_choices)
        if cycle.vote_method == VoteMethod.KNAPSACK:
            total_cost = sum(on_ballot[c].cost or 0 for c in codes)
            if total_cost > env.amount:
                raise BudgetInvalid(
                    _("The projects you chose cost %(total)s in all, more than this envelope's "
                      "%(amount)s. Remove a project and try again.") % {
                        "total": _won(total_cost), "amount": _won(env.amount)},
                    code=BudgetErrorCode.OVER_ENVELOPE, total=total_cost, envelope=env.amount)
        choice = codes
    return voting_bridge.cast(vote_id=env.vote_id, user=user, choice=choice, lat=lat, lon=lon)


# --- allocation ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Votes per project code and, for approval-type ballots, the ballots themselves."""

    votes: dict[str, int]
    voters: int
    profile: alloc.ApprovalProfile | None
    source: str


def envelope_tally(env: Envelope) -> Tally:
    imported = env.imported_profiles.order_by("-id").first()
    if imported is not None:
        pb = pabulib.loads(imported.text)
        prefix = imported.code_prefix
        votes = {prefix + k: v for k, v in pabulib.tally(pb).items()}
        profile = None
        if pb.vote_type in ("approval", "choose-1"):
            profile = alloc.ApprovalProfile.from_ballots(
                ([prefix + x for x in b] for b in pabulib.approval_ballots(pb)),
                [prefix + p.project_id for p in pb.projects])
        return Tally(votes, len(pb.votes), profile, f"pabulib:{imported.filename}")
    if env.vote_id is None:
        raise BudgetConflict(_("This envelope has no vote to count."), code=BudgetErrorCode.NO_VOTE)
    codes = list(env.projects.filter(status__in=(ProjectStatus.ON_BALLOT, ProjectStatus.FUNDED,
                                                 ProjectStatus.NOT_FUNDED)).values_list("code", flat=True))
    ballots = voting_bridge.ballots(vote_id=env.vote_id)
    if env.cycle.vote_method == VoteMethod.POINTS:
        votes = dict.fromkeys(codes, 0)
        for b in ballots:
            for code, pts in b.points.items():
                if code in votes:
                    votes[code] += int(pts)
        return Tally(votes, len(ballots), None, f"voting:{env.vote_id}")
    profile = alloc.ApprovalProfile.from_ballots(([c for c in b.codes if c in set(codes)] for b in ballots), codes)
    return Tally(profile.votes(), len(ballots), profile, f"voting:{env.vote_id}")


def _allocate(env: Envelope, actor: User | None) -> AllocationRun:
    cycle = env.cycle
    tally = envelope_tally(env)
    projects = {p.code: p for p in env.projects.filter(
        status__in=(ProjectStatus.ON_BALLOT, ProjectStatus.FUNDED, ProjectStatus.NOT_FUNDED))}
    order = {code: i for i, code in enumerate(sorted(projects, key=lambda c: (projects[c].submitted_at, c)))}
    candidates = [
        alloc.Candidate(id=code, cost=int(p.cost or 0), votes=tally.votes.get(code, 0), submitted=order[code],
                        committee_score=None if p.committee_score is None else float(p.committee_score),
                        name=p.title)
        for code, p in projects.items()
    ]
    profile = tally.profile
    if profile is not None:
        profile = alloc.ApprovalProfile(profile.n_voters, {c: profile.supporters[c] for c in projects})
    try:
        result = alloc.allocate(cycle.rule, candidates, env.amount, profile=profile, min_votes=cycle.min_votes,
                                committee_weight=cycle.committee_weight, citizen_weight=cycle.citizen_weight)
    except alloc.AllocationInputError as exc:
        raise BudgetInvalid(str(exc), code=BudgetErrorCode.BAD_RULE) from exc
    env.runs.filter(is_current=True).update(is_current=False)
    run = AllocationRun.objects.create(
        envelope=env, rule=cycle.rule, params=result.params, budget=env.amount, spent=result.spent,
        voters=tally.voters, source=tally.source, tie_rule=result.tie_rule, computed_at=clock.now(),
        computed_by=actor if actor is not None and actor.is_authenticated else None, is_current=True,
    )
    ProjectOutcome.objects.bulk_create([
        ProjectOutcome(run=run, project=projects[d.project_id], votes=d.votes, funded=d.funded, rank=d.rank,
                       reason=str(d.reason), detail=dict(d.detail), explanation=d.explanation,
                       remaining_before=d.remaining_before, remaining_after=d.remaining_after)
        for d in result.decisions.values()
    ])
    funded = result.funded_set()
    for code, p in projects.items():
        p.votes = tally.votes.get(code, 0)
        p.status = ProjectStatus.FUNDED if code in funded else ProjectStatus.NOT_FUNDED
    Project.objects.bulk_update(list(projects.values()), ["votes", "status"])
    audit_record(actor=actor, action="budget.allocate", target=run,
                 details={"envelope": env.pk, "rule": cycle.rule, "spent": result.spent, "voters": tally.voters,
                          "funded": sorted(funded)})
    return run


@transaction.atomic
def envelope_allocate(*, actor: User, envelope_id: int) -> AllocationRun:
    """Re-runs the allocation of one envelope (e.g. after a corrected cost). Supersedes overrides."""
    _require_admin(actor)
    try:
        env = Envelope.objects.select_for_update().select_related("cycle").get(pk=envelope_id)
    except Envelope.DoesNotExist as exc:
        raise BudgetNotFound(_("No such envelope."), code=BudgetErrorCode.ENVELOPE_NOT_FOUND) from exc
    _phase(env.cycle, Phase.ALLOCATION)
    return _allocate(env, actor)


@transaction.atomic
def outcome_override(*, actor: User, project_id: int, funded: bool, reason: str) -> Override:
    """An administrator funds or unfunds a project against the computed result. The written
    reason is published next to the result, and the action is audited."""
    _require_admin(actor)
    project = _locked_project(project_id)
    _phase(project.cycle, Phase.ALLOCATION, Phase.IMPLEMENTATION)
    reason = (reason or "").strip()
    if len(reason) < MIN_OVERRIDE_REASON:
        raise BudgetInvalid(_("Write the reason for the override (at least %(n)s characters); it is published.")
                            % {"n": MIN_OVERRIDE_REASON}, code=BudgetErrorCode.REASON_REQUIRED)
    run = project.envelope.runs.filter(is_current=True).first() if project.envelope else None
    if run is None:
        raise BudgetConflict(_("There is no result to override yet."), code=BudgetErrorCode.NO_RESULT)
    currently = project.status == ProjectStatus.FUNDED
    if currently == funded:
        raise BudgetConflict(_("The project already has this decision."), code=BudgetErrorCode.WRONG_PHASE)
    if funded:
        env = project.envelope
        assert env is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
        spent = sum(c or 0 for c in env.projects.filter(status=ProjectStatus.FUNDED).values_list("cost", flat=True))
        if spent + (project.cost or 0) > env.amount:
            raise BudgetConflict(
                _("Funding it would spend %(total)s, more than the envelope's %(amount)s; unfund another "
                  "project first.") % {"total": _won(spent + (project.cost or 0)), "amount": _won(env.amount)},
                code=BudgetErrorCode.OVER_ENVELOPE)
    project.status = ProjectStatus.FUNDED if funded else ProjectStatus.NOT_FUNDED
    project.save(update_fields=["status"])
    row = Override.objects.create(project=project, run=run, funded=funded, reason=reason, actor=actor,
                                  at=clock.now())
    run.spent = sum(c or 0 for c in run.envelope.projects.filter(status=ProjectStatus.FUNDED)
                    .values_list("cost", flat=True))
    run.save(update_fields=["spent"])
    audit_record(actor=actor, action="budget.override", target=project,
                 details={"code": project.code, "funded": funded, "reason": reason, "run": run.pk})
    return row


# --- implementation --------------------------------------------------------------------------


def _clean_photo(photo: UploadedFile) -> ContentFile:
    from PIL import Image

    from smartseoul.lib import uploads

    if photo.size is None or photo.size > MAX_PHOTO_BYTES:
        raise BudgetInvalid(_("A photo may be at most 10 MB."), code=BudgetErrorCode.BAD_PHOTO)
    data = photo.read(MAX_PHOTO_BYTES + 1)
    try:
        uploads.check_image(data, name=photo.name or "")
    except uploads.UploadRefused as exc:
        messages = {
            uploads.CODE_EMPTY: _("The photo file is empty."),
            uploads.CODE_NAME: _("The file is not what its name says; choose the photo itself."),
            uploads.CODE_MARKUP: _("The file carries a web page or script inside it and cannot be attached."),
            uploads.CODE_PIXELS: _("The photo has too many pixels."),
            uploads.CODE_UNREADABLE: _("The photo could not be read."),
        }
        message = messages.get(exc.code, _("The photo must be a JPEG, PNG or WebP image."))
        raise BudgetInvalid(message, code=BudgetErrorCode.BAD_PHOTO) from exc
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        clean = img.convert("RGB")
    clean.thumbnail((2400, 2400))
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85)  # re-encoding drops EXIF, including the location
    return ContentFile(out.getvalue(), name="update.jpg")


@transaction.atomic
def implementation_update_add(
    *, actor: User, project_id: int, status: str, progress: int, note: str, photo: UploadedFile | None = None,
) -> ImplementationUpdate:
    _require_official(actor)
    project = _locked_project(project_id)
    if project.status != ProjectStatus.FUNDED or project.cycle.phase not in (Phase.IMPLEMENTATION, Phase.CLOSED):
        raise BudgetConflict(_("Only funded projects of a published cycle are tracked."),
                             code=BudgetErrorCode.WRONG_PHASE)
    if status not in ImplementationStatus.values:
        raise BudgetInvalid(_("Unknown implementation status."), code=BudgetErrorCode.BAD_UPDATE)
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise BudgetInvalid(_("Progress is a percentage from 0 to 100."), code=BudgetErrorCode.BAD_UPDATE)
    if status == ImplementationStatus.COMPLETED and progress != 100:
        raise BudgetInvalid(_("A completed project is at 100%."), code=BudgetErrorCode.BAD_UPDATE)
    note = _text(note, field="note", minimum=5, maximum=5000)
    update = ImplementationUpdate(project=project, status=status, progress=progress, note=note, author=actor,
                                  at=clock.now())
    if photo is not None:
        update.photo.save("update.jpg", _clean_photo(photo), save=False)
    update.save()
    project.implementation_status = status
    project.progress = progress
    project.save(update_fields=["implementation_status", "progress"])
    audit_record(actor=actor, action="budget.implementation_update", target=project,
                 details={"code": project.code, "status": status, "progress": progress})
    if project.proposer is not None:
        notify(recipient=project.proposer, kind="budget.implementation",
               subject=_("News about your funded project"),
               body=_("%(title)s: %(status)s, %(progress)s%%.") % {
                   "title": project.title, "status": project.get_implementation_status_display(),
                   "progress": progress},
               link=reverse("budget:project", args=[project.code]))
    return update


# --- Pabulib import ---------------------------------------------------------------------------


@transaction.atomic
def pabulib_import(*, actor: User, cycle_id: int, text: str, filename: str = "upload.pb",
                   name_ko: str = "") -> Envelope:
    """Imports a Pabulib instance as a new envelope of a cycle in the allocation phase: its
    projects (ids prefixed with the cycle) and its ballots, kept as the file. Allocation then
    reads the ballots from the file. Nothing is stored if the file is not valid."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle_id)
    _phase(cycle, Phase.DRAFT, Phase.SUBMISSION, Phase.REVIEW, Phase.DELIBERATION, Phase.VOTE, Phase.ALLOCATION)
    try:
        pb = pabulib.loads(text)
    except pabulib.PabulibError as exc:
        raise BudgetInvalid(_("Not a valid Pabulib file: %(e)s") % {"e": exc}, code=BudgetErrorCode.BAD_PABULIB
                            ) from exc
    if cycle.rule == AllocationRule.MES and pb.vote_type not in ("approval", "choose-1"):
        raise BudgetInvalid(_("This cycle allocates by equal shares, which needs approval ballots."),
                            code=BudgetErrorCode.BAD_PABULIB)
    n = cycle.envelopes.count() + 1
    label = (name_ko or pb.meta.get("description") or filename)[:200]
    allocated = sum(cycle.envelopes.values_list("amount", flat=True))
    if allocated + pb.budget > cycle.total_amount:
        raise BudgetInvalid(_("The file's budget is larger than what is left of the cycle's total."),
                            code=BudgetErrorCode.BAD_PABULIB)
    env = Envelope.objects.create(cycle=cycle, kind=EnvelopeKind.IMPORTED, amount=pb.budget, name_ko=label,
                                  name_en=label)
    prefix = f"{cycle.slug}-pb{n}-"
    now = clock.now()
    Project.objects.bulk_create([
        Project(cycle=cycle, envelope=env, code=prefix + p.project_id, proposal_type=ProposalType.BROAD,
                title=(p.name or p.project_id)[:200], summary=(p.name or p.project_id)[:500],
                category=",".join(p.category)[:60], requested_cost=p.cost, cost=p.cost, feasible=True,
                status=ProjectStatus.ON_BALLOT, submitted_at=now,
                lat=_float(p.extra.get("latitude")), lon=_float(p.extra.get("longitude")))
        for p in pb.projects
    ])
    ImportedProfile.objects.create(envelope=env, filename=filename[:200], text=text.removeprefix("\ufeff"),
                                   code_prefix=prefix, imported_at=now, imported_by=actor)
    audit_record(actor=actor, action="budget.pabulib_import", target=env,
                 details={"file": filename, "projects": len(pb.projects), "votes": len(pb.votes), "budget": pb.budget})
    if cycle.phase == Phase.ALLOCATION:
        _allocate(env, actor)
    return env


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
