"""A cycle from proposals to implementation, with the vote cast through the voting module."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pabutools.election import Cost_Sat
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares
from PIL import Image

from smartseoul.budget import selectors, services
from smartseoul.budget.errors import BudgetErrorCode
from smartseoul.budget.models import AllocationRun, Project, ProjectStatus
from smartseoul.core.errors import DomainError
from smartseoul.core.models import AuditEvent, Notification
from smartseoul.lib import allocation as A

pytestmark = pytest.mark.django_db


def _voters(make_user: Any, n: int, district: str = "11110", verification: int = 1) -> list[Any]:
    return [make_user(district=district, verification=verification) for _ in range(n)]


def test_full_cycle_with_mes_equals_pabutools_on_the_exported_file(on_ballot: Any, make_user: Any,
                                                                   budget_admin: Any, budget_official: Any) -> None:
    cycle, env, projects = on_ballot([400_000_000, 300_000_000, 500_000_000, 200_000_000], rule="mes")
    codes = [p.code for p in projects]
    patterns = [[0, 1], [0, 1], [0, 2], [2], [2, 3], [1, 3], [0], [3]]
    for voter, pattern in zip(_voters(make_user, len(patterns)), patterns, strict=True):
        receipt = services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[codes[i] for i in pattern])
        assert receipt["tracker"]
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    run = AllocationRun.objects.get(envelope=env, is_current=True)
    assert run.voters == len(patterns) and run.source == f"voting:{env.vote_id}"
    funded = set(Project.objects.filter(envelope=env, status=ProjectStatus.FUNDED).values_list("code", flat=True))
    assert run.spent <= env.amount

    # The published file, parsed by pabutools, gives the same winners with pabutools' own rules.
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="implementation")
    text = selectors.pabulib_export(env)
    instance, profile = parse_pabulib_from_string(text)
    assert int(instance.budget_limit) == env.amount and len(profile) == len(patterns)
    cands = [A.Candidate(p.code, p.cost, p.votes, submitted=i) for i, p in
             enumerate(Project.objects.filter(envelope=env).order_by("submitted_at", "code"))]
    tb = A.pabutools_tie_breaking(cands)
    params = {"sat_class": Cost_Sat, "tie_breaking": tb}
    direct = completion_by_rule_combination(instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
                                            [params, params])
    assert {p.name for p in direct} == funded
    selected = {p.name for p in instance if instance.project_meta[p].get("selected") == "1"}
    assert selected == funded

    # Every outcome carries its explanation; the proposer is told.
    for o in run.outcomes.all():
        assert o.explanation
    assert Notification.objects.filter(kind="budget.result").exists()


def test_greedy_cycle_equals_pabutools_greedy(on_ballot: Any, make_user: Any, budget_admin: Any) -> None:
    cycle, env, projects = on_ballot([600_000_000, 500_000_000, 300_000_000], rule="greedy")
    codes = [p.code for p in projects]
    for voter, pattern in zip(_voters(make_user, 5), [[0, 1], [0, 1], [1, 2], [1], [2]], strict=True):
        services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[codes[i] for i in pattern])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    funded = set(Project.objects.filter(envelope=env, status=ProjectStatus.FUNDED).values_list("code", flat=True))
    instance, profile = parse_pabulib_from_string(selectors.pabulib_export(env))
    assert {p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)} == funded
    # votes: p1 4, p0 2, p2 2 → p1 (500M) then p0 (600M) does not fit, p2 (300M) fits
    assert funded == {codes[1], codes[2]}
    outcome = selectors.project_outcome(projects[0])
    assert outcome is not None and "did not fit" in outcome.explanation


def test_knapsack_ballot_over_the_envelope_is_refused(on_ballot: Any, make_user: Any) -> None:
    _cycle, env, projects = on_ballot([600_000_000, 500_000_000, 300_000_000], vote_method="knapsack")
    voter = make_user(district="11110")
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[projects[0].code, projects[1].code])
    assert err.value.code == BudgetErrorCode.OVER_ENVELOPE
    assert "11억 원" in err.value.message and "10억 원" in err.value.message  # amounts as people read them
    from smartseoul.voting.selectors import vote_results

    assert vote_results(env.vote_id)["total_ballots"] == 0  # nothing stored
    receipt = services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[projects[0].code,
                                                                                 projects[2].code])
    assert receipt["tracker"]


def test_knapsack_limit_is_also_enforced_by_the_vote_itself(on_ballot: Any, make_user: Any) -> None:
    from smartseoul.voting.selectors import vote_option_ids_by_key
    from smartseoul.voting.services import ballot_cast

    _cycle, env, projects = on_ballot([600_000_000, 500_000_000], vote_method="knapsack")
    ids = vote_option_ids_by_key(env.vote_id)
    with pytest.raises(DomainError) as err:
        ballot_cast(vote_id=env.vote_id, voter=make_user(), choices=[ids[p.code] for p in projects])
    assert err.value.code == "over_budget"


def test_second_ballot_and_unverified_voter_are_refused(on_ballot: Any, make_user: Any) -> None:
    _cycle, env, projects = on_ballot([100, 200])
    voter = make_user()
    services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[projects[0].code])
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[projects[1].code])
    assert err.value.code == "already_voted"
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=make_user(verification=0), envelope_id=env.pk, project_codes=[projects[1].code])
    assert err.value.code == "verification_required"
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=make_user(), envelope_id=env.pk, project_codes=["nope"])
    assert err.value.code == BudgetErrorCode.NOT_ON_BALLOT


def test_residents_only_district_envelope(make_cycle: Any, make_user: Any, budget_admin: Any,
                                          budget_official: Any) -> None:
    cycle = make_cycle(residents_only=True, envelopes=[("district", 1_000_000_000, "11110", "")])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
    proposer = make_user(district="11110")
    ps = [services.project_submit(user=proposer, cycle_id=cycle.pk, proposal_type="district", title=f"Local {i}",
                                  summary="A district project for Jongno", requested_cost=100_000_000,
                                  district_code="11110") for i in range(2)]
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="review")
    for p in ps:
        services.project_review(actor=budget_official, project_id=p.pk, feasible=True, cost=100_000_000)
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="deliberation")
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="vote")
    env = cycle.envelopes.get()
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=make_user(district="11110"), envelope_id=env.pk, project_codes=[ps[0].code])
    assert err.value.code == "resident_required"
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=make_user(district="11680", verification=2), envelope_id=env.pk,
                             project_codes=[ps[0].code])
    assert err.value.code == "wrong_district"
    assert services.ballot_cast(user=make_user(district="11110", verification=2), envelope_id=env.pk,
                                project_codes=[ps[0].code])["tracker"]


def test_override_needs_a_written_reason_and_is_public_and_audited(on_ballot: Any, make_user: Any,
                                                                    budget_admin: Any) -> None:
    cycle, env, projects = on_ballot([600_000_000, 500_000_000, 300_000_000])
    codes = [p.code for p in projects]
    for voter, pattern in zip(_voters(make_user, 3), [[0], [0], [1]], strict=True):
        services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[codes[i] for i in pattern])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    p1 = Project.objects.get(code=codes[1])
    assert p1.status == ProjectStatus.NOT_FUNDED  # 600M funded, 500M does not fit
    with pytest.raises(DomainError) as err:
        services.outcome_override(actor=budget_admin, project_id=p1.pk, funded=True, reason="because")
    assert err.value.code == BudgetErrorCode.REASON_REQUIRED
    with pytest.raises(DomainError) as err:
        services.outcome_override(actor=budget_admin, project_id=p1.pk, funded=True,
                                  reason="The district found matching funds for part of the cost.")
    assert err.value.code == BudgetErrorCode.OVER_ENVELOPE
    with pytest.raises(DomainError) as err:
        services.outcome_override(actor=make_user(role="official"), project_id=p1.pk, funded=False,
                                  reason="An official who is not an administrator tries this.")
    assert err.value.code == BudgetErrorCode.NOT_ALLOWED
    p0 = Project.objects.get(code=codes[0])
    services.outcome_override(actor=budget_admin, project_id=p0.pk, funded=False,
                              reason="The site was sold; the project cannot be built this year.")
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="implementation")
    reasons = [o.reason for o in selectors.overrides(cycle)]
    assert reasons == ["The site was sold; the project cannot be built this year."]
    assert AuditEvent.objects.filter(action="budget.override", target_id=str(p0.pk)).exists()
    assert Project.objects.get(pk=p0.pk).status == ProjectStatus.NOT_FUNDED


def _jpeg_with_exif() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    img = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def test_implementation_updates_with_photo(on_ballot: Any, make_user: Any, budget_admin: Any,
                                           budget_official: Any) -> None:
    cycle, env, projects = on_ballot([100, 200])
    services.ballot_cast(user=make_user(), envelope_id=env.pk, project_codes=[projects[0].code])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="implementation")
    p = Project.objects.get(pk=projects[0].pk)
    assert p.status == ProjectStatus.FUNDED
    with pytest.raises(DomainError) as err:
        services.implementation_update_add(actor=budget_official, project_id=p.pk, status="completed", progress=50,
                                           note="Finished the work")
    assert err.value.code == BudgetErrorCode.BAD_UPDATE
    with pytest.raises(DomainError):
        services.implementation_update_add(actor=make_user(), project_id=p.pk, status="in_progress", progress=10,
                                           note="A citizen cannot post this")
    u = services.implementation_update_add(actor=budget_official, project_id=p.pk, status="in_progress", progress=30,
                                           note="Work started on site", photo=_jpeg_with_exif())
    with Image.open(u.photo.path) as img:
        assert not img.getexif()
    p.refresh_from_db()
    assert (p.implementation_status, p.progress) == ("in_progress", 30)


def test_phase_rules_and_bad_input_change_nothing(make_cycle: Any, make_user: Any, budget_admin: Any,
                                                  budget_official: Any) -> None:
    cycle = make_cycle()
    citizen = make_user()
    with pytest.raises(DomainError) as err:
        services.project_submit(user=citizen, cycle_id=cycle.pk, proposal_type="broad", title="Too early",
                                summary="Submitted before the phase opens", requested_cost=100)
    assert err.value.code == BudgetErrorCode.WRONG_PHASE
    with pytest.raises(DomainError):
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="vote")  # skips phases
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
    with pytest.raises(DomainError) as err:
        services.project_submit(user=make_user(verification=0), cycle_id=cycle.pk, proposal_type="broad",
                                title="Unverified", summary="An unverified proposer tries", requested_cost=100)
    assert err.value.code == BudgetErrorCode.VERIFICATION_REQUIRED
    for bad in ({"requested_cost": 0}, {"proposal_type": "nope"}, {"title": "x"}, {"lat": 35.1, "lon": 129.0}):
        args = {"proposal_type": "broad", "title": "A fine title", "summary": "A long enough summary",
                "requested_cost": 100, **bad}
        with pytest.raises(DomainError):
            services.project_submit(user=citizen, cycle_id=cycle.pk, **args)
    assert not cycle.projects.exists()
    p = services.project_submit(user=citizen, cycle_id=cycle.pk, proposal_type="broad", title="A fine title",
                                summary="A long enough summary", requested_cost=100, lat=37.5729, lon=126.9794)
    from smartseoul.core.geography import locate

    place = locate(37.5729, 126.9794)
    assert place is not None and p.district_code == place.district_code
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="review")
    with pytest.raises(DomainError) as err:
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="deliberation")
    assert err.value.details["pending"] == 1
    with pytest.raises(DomainError) as err:
        services.project_review(actor=budget_official, project_id=p.pk, feasible=False, note="no")
    assert err.value.code == BudgetErrorCode.BAD_REVIEW
    with pytest.raises(DomainError) as err:
        services.project_review(actor=budget_official, project_id=p.pk, feasible=True, cost=2_000_000_000)
    assert err.value.code == BudgetErrorCode.BAD_REVIEW  # more than the whole envelope
    assert Project.objects.get(pk=p.pk).status == ProjectStatus.SUBMITTED
    services.project_review(actor=budget_official, project_id=p.pk, feasible=False,
                            note="The site belongs to the national government.")
    assert Notification.objects.filter(recipient=citizen, kind="budget.review").exists()


def test_committee_scores_feed_the_weighted_rule(make_cycle: Any, make_user: Any, budget_admin: Any,
                                                 budget_official: Any) -> None:
    cycle = make_cycle(rule="weighted", committee_weight=45, citizen_weight=55)
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
    proposer = make_user()
    ps = [services.project_submit(user=proposer, cycle_id=cycle.pk, proposal_type="broad", title=f"Weighted {i}",
                                  summary="A project with a committee score", requested_cost=600_000_000)
          for i in range(2)]
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="review")
    for p in ps:
        services.project_review(actor=budget_official, project_id=p.pk, feasible=True, cost=600_000_000)
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="deliberation")
    members = [make_user(capabilities=("budget_committee",)) for _ in range(2)]
    with pytest.raises(DomainError):
        services.committee_score_set(member=make_user(), project_id=ps[0].pk, score=50)
    with pytest.raises(DomainError):
        services.committee_score_set(member=members[0], project_id=ps[0].pk, score=101)
    for m in members:
        services.committee_score_set(member=m, project_id=ps[0].pk, score=20)
        services.committee_score_set(member=m, project_id=ps[1].pk, score=100)
    services.committee_score_set(member=members[1], project_id=ps[1].pk, score=90)  # changes the score
    assert Project.objects.get(pk=ps[1].pk).committee_score == 95
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="vote")
    env = cycle.envelopes.get()
    for v, pick in zip(_voters(make_user, 3), [0, 0, 1], strict=True):
        services.ballot_cast(user=v, envelope_id=env.pk, project_codes=[ps[pick].code])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    # ps0: .45·20 + .55·100 = 64; ps1: .45·95 + .55·50 = 70.25 → ps1 wins, ps0 does not fit
    assert Project.objects.get(pk=ps[1].pk).status == ProjectStatus.FUNDED
    assert Project.objects.get(pk=ps[0].pk).status == ProjectStatus.NOT_FUNDED


def test_points_vote_and_rules(make_cycle: Any, on_ballot: Any, make_user: Any, budget_admin: Any) -> None:
    with pytest.raises(DomainError) as err:
        make_cycle(slug="pts-mes", rule="mes", vote_method="points")
    assert err.value.code == BudgetErrorCode.BAD_RULE
    cycle, env, projects = on_ballot([600_000_000, 500_000_000], vote_method="points", points_per_voter=10)
    with pytest.raises(DomainError) as err:
        services.ballot_cast(user=make_user(), envelope_id=env.pk, points={projects[0].code: 11})
    assert err.value.code == BudgetErrorCode.OVER_POINTS
    services.ballot_cast(user=make_user(), envelope_id=env.pk, points={projects[0].code: 3, projects[1].code: 7})
    services.ballot_cast(user=make_user(), envelope_id=env.pk, points={projects[0].code: 2})
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    assert {p.code: p.votes for p in Project.objects.filter(envelope=env)} == {projects[0].code: 5,
                                                                                projects[1].code: 7}
