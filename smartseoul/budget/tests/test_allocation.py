"""The allocation rules against pabutools called directly, the tie rule, and the explanations."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares

from smartseoul.lib import allocation as A


def _instance(seed: int, *, max_projects: int = 12, max_voters: int = 40, distinct: bool = False):
    rnd = random.Random(seed)
    m = rnd.randint(1, max_projects)
    ids = [f"p{i:02d}" for i in range(m)]
    if distinct:  # distinct costs and vote counts: no ties for any rule
        costs = rnd.sample(range(1, 60), m)
    else:
        costs = [rnd.choice([0, 1, 2, 3, 5, 10, 20]) * rnd.choice([1, 10]) for _ in range(m)]
    ballots = [rnd.sample(ids, rnd.randint(1, m)) for _ in range(rnd.randint(0, max_voters))]
    budget = rnd.randint(0, sum(costs) + 5)
    votes = {p: sum(p in b for b in ballots) for p in ids}
    cands = [A.Candidate(p, c, votes[p], submitted=rnd.randint(0, 3)) for p, c in zip(ids, costs, strict=True)]
    return ids, costs, ballots, budget, cands


def _pabutools(ids, costs, ballots, budget):
    projects = {p: Project(p, c) for p, c in zip(ids, costs, strict=True)}
    inst = Instance(projects.values(), budget_limit=budget)
    prof = ApprovalProfile([ApprovalBallot([projects[x] for x in b]) for b in ballots], instance=inst)
    return inst, prof


@pytest.mark.parametrize("seed", range(120))
def test_greedy_and_mes_equal_pabutools_with_the_same_tie_rule(seed: int) -> None:
    ids, costs, ballots, budget, cands = _instance(seed)
    inst, prof = _pabutools(ids, costs, ballots, budget)
    tb = A.pabutools_tie_breaking(cands)
    profile = A.ApprovalProfile.from_ballots(ballots, ids)

    greedy_direct = {p.name for p in greedy_utilitarian_welfare(inst, prof, sat_class=Cost_Sat, tie_breaking=tb)}
    assert A.greedy(cands, budget).funded_set() == greedy_direct

    mes_direct = {p.name for p in method_of_equal_shares(inst, prof, sat_class=Cost_Sat, tie_breaking=tb)}
    assert set(A.mes(cands, budget, profile, completion=False).params["mes_funded"]) == mes_direct

    params = {"sat_class": Cost_Sat, "tie_breaking": tb}
    completed = completion_by_rule_combination(inst, prof, [method_of_equal_shares, greedy_utilitarian_welfare],
                                               [params, params])
    assert A.mes(cands, budget, profile).funded_set() == {p.name for p in completed}


def test_without_ties_results_equal_pabutools_defaults() -> None:
    """With distinct costs and vote counts the rule order is strict, so pabutools' own default
    (lexicographic) tie-breaking gives the same result."""
    checked = 0
    seed = 1000
    while checked < 40:
        seed += 1
        ids, costs, ballots, budget, cands = _instance(seed, distinct=True)
        votes = [c.votes for c in cands]
        if len(set(votes)) != len(votes):
            continue
        inst, prof = _pabutools(ids, costs, ballots, budget)
        profile = A.ApprovalProfile.from_ballots(ballots, ids)
        assert A.greedy(cands, budget).funded_set() == {
            p.name for p in greedy_utilitarian_welfare(inst, prof, sat_class=Cost_Sat)}
        completed = completion_by_rule_combination(inst, prof, [method_of_equal_shares, greedy_utilitarian_welfare],
                                                   [{"sat_class": Cost_Sat}, {"sat_class": Cost_Sat}])
        assert A.mes(cands, budget, profile).funded_set() == {p.name for p in completed}
        checked += 1


def test_tie_rule_more_votes_then_lower_cost_then_earlier_then_id() -> None:
    # Budget fits exactly one project; all tie on votes unless said otherwise.
    def winner(cands):
        return A.greedy(cands, 100).funded

    assert winner([A.Candidate("b", 100, 5, 0), A.Candidate("a", 100, 4, 0)]) == ["b"]  # more votes
    assert winner([A.Candidate("b", 90, 5, 1), A.Candidate("a", 100, 5, 0)]) == ["b"]  # lower cost
    assert winner([A.Candidate("b", 100, 5, 0), A.Candidate("a", 100, 5, 1)]) == ["b"]  # earlier submission
    assert winner([A.Candidate("b", 100, 5, 0), A.Candidate("a", 100, 5, 0)]) == ["a"]  # smaller id
    assert A.tie_key(A.Candidate("x", 7, 3, 2)) == (-3, 7, 2, "x")


def test_mes_tie_goes_to_the_tie_rule() -> None:
    # Two disjoint groups of equal size and equal costs: equal ρ; only one fits the budget.
    ballots = [["a"]] * 3 + [["b"]] * 3
    profile = A.ApprovalProfile.from_ballots(ballots, ["a", "b"])
    cands = [A.Candidate("a", 50, 3, submitted=2), A.Candidate("b", 50, 3, submitted=1)]
    result = A.mes(cands, 60, profile, completion=False)
    assert result.funded == []  # each group holds 30: neither can pay 50 alone
    result = A.mes(cands, 100, profile)
    assert result.funded == ["b", "a"]  # both affordable with equal ρ; earlier submission first


def test_greedy_skips_what_does_not_fit_and_explains() -> None:
    cands = [A.Candidate("big", 900, 50), A.Candidate("mid", 600, 40), A.Candidate("small", 300, 10)]
    result = A.greedy(cands, 1000)
    assert result.funded == ["big"]
    assert result.remaining == 100
    big, mid, small = (result.decisions[k] for k in ("big", "mid", "small"))
    assert big.reason == A.Reason.FUNDED_GREEDY and big.rank == 1
    assert "rank 1, 50 votes" in big.explanation and "fitted the remaining 1,000 KRW" in big.explanation
    assert mid.reason == A.Reason.NOT_FIT and "did not fit the remaining 100 KRW" in mid.explanation
    assert small.rank == 3 and not small.funded


def test_floor_sets_aside_projects_below_the_minimum() -> None:
    cands = [A.Candidate("a", 100, 50), A.Candidate("b", 100, 9), A.Candidate("c", 100, 10)]
    result = A.greedy(cands, 1000, min_votes=10)
    assert result.funded == ["a", "c"]
    assert result.rule == A.Rule.GREEDY_FLOOR
    assert result.decisions["b"].reason == A.Reason.BELOW_FLOOR
    assert "below the minimum of 10 votes" in result.decisions["b"].explanation


def test_weighted_combines_committee_and_citizen_scores() -> None:
    # a: committee 20, citizens 100 → .45·20 + .55·100 = 64; b: committee 100, citizens 50 → 45 + 27.5 = 72.5
    cands = [A.Candidate("a", 100, 100, committee_score=20), A.Candidate("b", 100, 50, committee_score=100)]
    result = A.weighted(cands, 100, committee_weight=45, citizen_weight=55)
    assert result.funded == ["b"]
    assert result.decisions["b"].detail["score"] == pytest.approx(72.5)
    assert "45% committee, 55% citizens" in result.decisions["b"].explanation
    with pytest.raises(A.AllocationInputError):
        A.weighted([A.Candidate("x", 1, 1, committee_score=101)], 10)


def test_mes_explains_funded_completion_and_losers() -> None:
    ballots = [["a", "b"]] * 6 + [["c"]] * 4
    profile = A.ApprovalProfile.from_ballots(ballots, ["a", "b", "c"])
    cands = [A.Candidate("a", 40, 6), A.Candidate("b", 60, 6), A.Candidate("c", 70, 4)]
    result = A.mes(cands, 100, profile)
    assert result.decisions["a"].reason == A.Reason.FUNDED_MES
    assert "equal-shares round 1" in result.decisions["a"].explanation
    for d in result.decisions.values():
        assert d.explanation
    assert result.spent <= 100
    assert Fraction(result.decisions["a"].detail["rho"]) > 0


def test_bad_input_is_refused() -> None:
    with pytest.raises(A.AllocationInputError):
        A.greedy([A.Candidate("a", -1, 0)], 10)
    with pytest.raises(A.AllocationInputError):
        A.greedy([A.Candidate("a", 1, 0), A.Candidate("a", 2, 0)], 10)
    with pytest.raises(A.AllocationInputError):
        A.ApprovalProfile.from_ballots([["zzz"]], ["a"])
    with pytest.raises(A.AllocationInputError):
        A.mes([A.Candidate("a", 1, 5)], 10, A.ApprovalProfile.from_ballots([["a"]], ["a"]))
    with pytest.raises(A.AllocationInputError):
        A.allocate("mes", [A.Candidate("a", 1, 0)], 10)
