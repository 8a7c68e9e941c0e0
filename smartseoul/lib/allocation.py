"""Participatory-budget allocation rules, framework-free (stdlib + numpy; no Django).

Four rules, each returning an `Allocation` whose every project carries a `Decision` with a
reason code, its numbers and an English explanation:

- `greedy`: projects by votes, most first; a project that does not fit the remaining money is
  skipped and the next one is tried (CONSUL's rule; pabutools' `greedy_utilitarian_welfare`
  with `Cost_Sat`).
- `greedy_floor`: the same, after setting aside projects below a minimum number of votes.
- `mes`: the Method of Equal Shares with `Cost_Sat` (pabutools' `method_of_equal_shares`),
  completed by the greedy rule on the money MES leaves unspent (pabutools'
  `completion_by_rule_combination([method_of_equal_shares, greedy_utilitarian_welfare])`).
- `weighted`: a committee/citizen weighting of scores (e.g. 45/55): committee score 0–100 and
  citizen score = 100 × votes / the most votes of the envelope; greedy by combined score.

Ties are broken by one documented rule (`tie_key`): more votes, then lower cost, then earlier
submission, then the smaller project id. The same order can be handed to pabutools
(`pabutools_tie_breaking`) so that both compute the same outcome on every instance.

Arithmetic is exact (fractions), as in pabutools, so equal affordabilities really tie. MES is
computed on classes of voters with equal remaining money: the supporters of one project are
read with numpy, and only the distinct budgets are handled as fractions. Results equal
pabutools' (tests check this on random instances), at a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np


class Rule(StrEnum):
    GREEDY = "greedy"
    GREEDY_FLOOR = "greedy_floor"
    MES = "mes"
    WEIGHTED = "weighted"


class Reason(StrEnum):
    """Why a project was or was not funded (stable codes; pages translate them)."""

    FUNDED_GREEDY = "funded_greedy"  # fitted the remaining money at its rank
    FUNDED_MES = "funded_mes"  # its supporters could pay equal shares
    FUNDED_COMPLETION = "funded_completion"  # funded by greedy completion after MES
    FUNDED_WEIGHTED = "funded_weighted"  # fitted at its rank by combined score
    FUNDED_OVERRIDE = "funded_override"  # administrator override (reason published)
    NOT_FIT = "not_fit"  # did not fit the money left at its rank
    BELOW_FLOOR = "below_floor"  # fewer votes than the cycle's minimum
    MES_NOT_AFFORDABLE_NOT_FIT = "mes_not_affordable_not_fit"  # supporters' shares too small; then did not fit
    NOT_FUNDED_OVERRIDE = "not_funded_override"  # administrator override (reason published)


TIE_RULE = (
    "Ties are broken by more votes, then lower cost, then earlier submission, then the smaller "
    "project id."
)


class AllocationInputError(ValueError):
    """The input cannot be allocated (e.g. a negative cost, an unknown project in a ballot)."""


@dataclass(frozen=True)
class Candidate:
    """One project standing for allocation in one envelope."""

    id: str
    cost: int
    votes: int = 0  # approvals (approval/knapsack) or points (points vote)
    submitted: int = 0  # submission order: smaller = earlier
    committee_score: Fraction | float | int | None = None  # 0–100, for the weighted rule
    name: str = ""


@dataclass(frozen=True)
class Decision:
    project_id: str
    funded: bool
    reason: Reason
    rank: int  # 1-based position in the order the rule considered the projects
    votes: int
    cost: int
    remaining_before: int  # money left when the project was considered (KRW)
    remaining_after: int
    detail: Mapping[str, Any] = field(default_factory=dict)  # rule-specific numbers (JSON-able)
    explanation: str = ""


@dataclass
class Allocation:
    rule: Rule
    budget: int
    funded: list[str]  # in the order of selection
    decisions: dict[str, Decision]
    params: dict[str, Any] = field(default_factory=dict)
    tie_rule: str = TIE_RULE

    @property
    def spent(self) -> int:
        return sum(self.decisions[p].cost for p in self.funded)

    @property
    def remaining(self) -> int:
        return self.budget - self.spent

    def funded_set(self) -> frozenset[str]:
        return frozenset(self.funded)


# --- ordering --------------------------------------------------------------------------------


def tie_key(c: Candidate) -> tuple[int, int, int, str]:
    """The documented tie rule: more votes, lower cost, earlier submission, smaller id."""
    return (-c.votes, c.cost, c.submitted, c.id)


def greedy_density(c: Candidate) -> Fraction:
    """pabutools' greedy key with Cost_Sat: gain in total satisfaction ÷ cost = votes (0 if free)."""
    return Fraction(c.votes) if c.votes > 0 and c.cost > 0 else Fraction(0)


def krw(amount: int | Fraction) -> str:
    return f"{round(amount):,} KRW"


def _check(candidates: Sequence[Candidate], budget: int) -> None:
    if budget < 0:
        raise AllocationInputError("The budget cannot be negative.")
    seen: set[str] = set()
    for c in candidates:
        if c.cost < 0:
            raise AllocationInputError(f"Project {c.id} has a negative cost.")
        if c.votes < 0:
            raise AllocationInputError(f"Project {c.id} has a negative vote count.")
        if c.id in seen:
            raise AllocationInputError(f"Project {c.id} appears twice.")
        seen.add(c.id)


# --- greedy family ---------------------------------------------------------------------------


def _greedy_pass(
    ordered: Sequence[Candidate],
    remaining: int,
    *,
    start_rank: int,
    funded_reason: Reason,
    skipped_reason: Reason,
    score: Mapping[str, Fraction] | None = None,
) -> tuple[list[str], dict[str, Decision], int]:
    funded: list[str] = []
    decisions: dict[str, Decision] = {}
    for rank, c in enumerate(ordered, start=start_rank):
        before = remaining
        detail: dict[str, Any] = {}
        if score is not None:
            detail["score"] = float(score[c.id])
        if c.cost <= remaining:
            remaining -= c.cost
            funded.append(c.id)
            text = (
                f"Funded: rank {rank}, {c.votes:,} votes; its cost {krw(c.cost)} fitted the remaining "
                f"{krw(before)}."
            )
            decisions[c.id] = Decision(c.id, True, funded_reason, rank, c.votes, c.cost, before, remaining,
                                       detail, text)
        else:
            text = (
                f"Not funded: rank {rank}, {c.votes:,} votes; its cost {krw(c.cost)} did not fit the "
                f"remaining {krw(before)} after the projects ranked above it were funded."
            )
            decisions[c.id] = Decision(c.id, False, skipped_reason, rank, c.votes, c.cost, before, remaining,
                                       detail, text)
    return funded, decisions, remaining


def greedy(candidates: Sequence[Candidate], budget: int, *, min_votes: int = 0) -> Allocation:
    """Most votes first; a project that does not fit is skipped (CONSUL). `min_votes` sets a floor."""
    _check(candidates, budget)
    eligible = [c for c in candidates if c.votes >= min_votes] if min_votes > 0 else list(candidates)
    ordered = sorted(eligible, key=lambda c: (-greedy_density(c), tie_key(c)))
    funded, decisions, _ = _greedy_pass(
        ordered, budget, start_rank=1, funded_reason=Reason.FUNDED_GREEDY, skipped_reason=Reason.NOT_FIT
    )
    below = sorted((c for c in candidates if c.id not in decisions), key=tie_key)
    for rank, c in enumerate(below, start=len(ordered) + 1):
        text = f"Not funded: {c.votes:,} votes, below the minimum of {min_votes:,} votes."
        decisions[c.id] = Decision(c.id, False, Reason.BELOW_FLOOR, rank, c.votes, c.cost, 0, 0,
                                   {"min_votes": min_votes}, text)
    rule = Rule.GREEDY_FLOOR if min_votes > 0 else Rule.GREEDY
    params: dict[str, Any] = {"min_votes": min_votes} if min_votes > 0 else {}
    return Allocation(rule, budget, funded, decisions, params)


def weighted(
    candidates: Sequence[Candidate], budget: int, *, committee_weight: int = 45, citizen_weight: int = 55
) -> Allocation:
    """Greedy by combined score = (wc × committee score + wv × citizen score) / (wc + wv).

    The committee score is 0–100 (a project without one counts 0); the citizen score is
    100 × votes / the most votes any project of the envelope received.
    """
    _check(candidates, budget)
    if committee_weight < 0 or citizen_weight < 0 or committee_weight + citizen_weight == 0:
        raise AllocationInputError("The weights must be non-negative and not both zero.")
    top = max((c.votes for c in candidates), default=0)
    scores: dict[str, Fraction] = {}
    for c in candidates:
        committee = Fraction(str(c.committee_score)) if c.committee_score is not None else Fraction(0)
        if not 0 <= committee <= 100:
            raise AllocationInputError(f"Project {c.id}: the committee score must be between 0 and 100.")
        citizen = Fraction(100 * c.votes, top) if top else Fraction(0)
        scores[c.id] = (committee_weight * committee + citizen_weight * citizen) / (committee_weight + citizen_weight)
    ordered = sorted(candidates, key=lambda c: (-scores[c.id], tie_key(c)))
    funded, decisions, _ = _greedy_pass(
        ordered, budget, start_rank=1, funded_reason=Reason.FUNDED_WEIGHTED, skipped_reason=Reason.NOT_FIT,
        score=scores,
    )
    for pid, d in list(decisions.items()):
        s = scores[pid]
        verdict = "Funded" if d.funded else "Not funded"
        fit = (f"its cost {krw(d.cost)} fitted the remaining {krw(d.remaining_before)}" if d.funded else
               f"its cost {krw(d.cost)} did not fit the remaining {krw(d.remaining_before)}")
        text = (f"{verdict}: rank {d.rank}, combined score {float(s):.2f} ({committee_weight}% committee, "
                f"{citizen_weight}% citizens; {d.votes:,} votes); {fit}.")
        decisions[pid] = Decision(d.project_id, d.funded, d.reason, d.rank, d.votes, d.cost, d.remaining_before,
                                  d.remaining_after, d.detail, text)
    return Allocation(Rule.WEIGHTED, budget, funded, decisions,
                      {"committee_weight": committee_weight, "citizen_weight": citizen_weight})


# --- Method of Equal Shares ------------------------------------------------------------------


@dataclass
class ApprovalProfile:
    """Approval ballots in compact form: for each project, the indices of its supporters."""

    n_voters: int
    supporters: dict[str, np.ndarray]

    @classmethod
    def from_ballots(cls, ballots: Iterable[Iterable[str]], project_ids: Iterable[str]) -> ApprovalProfile:
        ids = list(project_ids)
        known = set(ids)
        lists: dict[str, list[int]] = {p: [] for p in ids}
        n = 0
        for n, ballot in enumerate(ballots, start=1):
            for p in set(ballot):
                if p not in known:
                    raise AllocationInputError(f"A ballot names the unknown project {p!r}.")
                lists[p].append(n - 1)
        return cls(n, {p: np.asarray(v, dtype=np.int64) for p, v in lists.items()})

    @classmethod
    def from_matrix(cls, voter_index: np.ndarray, project_index: np.ndarray, project_ids: Sequence[str],
                    n_voters: int) -> ApprovalProfile:
        """From parallel arrays of (voter, project) approvals (deduplicated by the caller)."""
        order = np.argsort(project_index, kind="stable")
        pi = project_index[order]
        vi = voter_index[order].astype(np.int64)
        bounds = np.searchsorted(pi, np.arange(len(project_ids) + 1))
        return cls(n_voters, {p: vi[bounds[k]:bounds[k + 1]] for k, p in enumerate(project_ids)})

    def votes(self) -> dict[str, int]:
        return {p: int(v.size) for p, v in self.supporters.items()}


def mes(candidates: Sequence[Candidate], budget: int, profile: ApprovalProfile, *, completion: bool = True
        ) -> Allocation:
    """Method of Equal Shares (Cost_Sat), then greedy completion on the money left.

    Every voter starts with budget / n. A project is affordable when its supporters can pay
    its cost; among affordable projects the one whose heaviest equal share is the smallest
    fraction of its cost (the smallest ρ) wins; its supporters pay min(their money, ρ × cost).
    Ties go by `tie_key`. The vote counts on `candidates` must match the profile.
    """
    _check(candidates, budget)
    by_id = {c.id: c for c in candidates}
    for c in candidates:
        if c.id not in profile.supporters:
            raise AllocationInputError(f"Project {c.id} is not in the ballot profile.")
        if int(profile.supporters[c.id].size) != c.votes:
            raise AllocationInputError(f"Project {c.id}: {c.votes} votes given, the ballots hold "
                                       f"{profile.supporters[c.id].size}.")
    n = profile.n_voters
    decisions: dict[str, Decision] = {}
    funded: list[str] = []
    remaining = budget
    if n == 0:
        mes_funded: list[str] = []
        money_left: dict[str, Fraction] = {c.id: Fraction(0) for c in candidates}
    else:
        mes_funded, rounds, money_left = _mes_rounds(candidates, budget, profile)
        for round_no, (pid, rho, share) in enumerate(rounds, start=1):
            c = by_id[pid]
            before = remaining
            remaining -= c.cost
            funded.append(pid)
            text = (f"Funded in equal-shares round {round_no}: its {c.votes:,} supporters could share its cost "
                    f"{krw(c.cost)}, each paying at most {krw(share)} of their equal share "
                    f"(remaining money {krw(before)}).")
            decisions[pid] = Decision(pid, True, Reason.FUNDED_MES, round_no, c.votes, c.cost, before, remaining,
                                      {"round": round_no, "rho": str(rho), "max_payment": float(share)}, text)
    rest = [c for c in candidates if c.id not in decisions]
    ordered = sorted(rest, key=lambda c: (-greedy_density(c), tie_key(c)))
    if completion:
        done, greedy_decisions, remaining = _greedy_pass(
            ordered, remaining, start_rank=len(funded) + 1, funded_reason=Reason.FUNDED_COMPLETION,
            skipped_reason=Reason.MES_NOT_AFFORDABLE_NOT_FIT,
        )
        funded.extend(done)
    else:
        greedy_decisions = {
            c.id: Decision(c.id, False, Reason.MES_NOT_AFFORDABLE_NOT_FIT, rank, c.votes, c.cost, remaining,
                           remaining)
            for rank, c in enumerate(ordered, start=len(funded) + 1)
        }
    for pid, d in greedy_decisions.items():
        left = money_left.get(pid, Fraction(0))
        detail = {**d.detail, "supporters_money": float(left)}
        if d.funded:
            text = (f"Funded in the completion phase: its supporters' remaining equal shares ({krw(left)}) could not "
                    f"cover its cost {krw(d.cost)}, but with {d.votes:,} votes (rank {d.rank}) it fitted the "
                    f"money left, {krw(d.remaining_before)}.")
        else:
            text = (f"Not funded: its supporters' remaining equal shares ({krw(left)}) could not cover its cost "
                    f"{krw(d.cost)}, and in the completion phase (rank {d.rank}, {d.votes:,} votes) it did not fit "
                    f"the money left, {krw(d.remaining_before)}.")
        decisions[pid] = Decision(pid, d.funded, d.reason, d.rank, d.votes, d.cost, d.remaining_before,
                                  d.remaining_after, detail, text)
    return Allocation(Rule.MES, budget, funded, decisions,
                      {"completion": completion, "mes_funded": list(mes_funded), "voters": n})


def _mes_rounds(
    candidates: Sequence[Candidate], budget: int, profile: ApprovalProfile
) -> tuple[list[str], list[tuple[str, Fraction, Fraction]], dict[str, Fraction]]:
    """The MES rounds. Returns funded ids, (id, ρ, max payment) per round, and each project's
    supporters' money at the end."""
    n = profile.n_voters
    class_budget: list[Fraction] = [Fraction(budget, n)]
    class_of_value: dict[Fraction, int] = {class_budget[0]: 0}
    voter_class = np.zeros(n, dtype=np.int64)
    # Cost_Sat gives a free project no satisfaction: pabutools leaves it to the completion.
    live = {c.id: c for c in candidates if c.cost > 0 and c.votes > 0}
    stale: dict[str, Fraction] = {pid: Fraction(1, c.votes) for pid, c in live.items()}  # cost / (cost × votes)
    funded: list[str] = []
    rounds: list[tuple[str, Fraction, Fraction]] = []

    def classes_of(pid: str) -> tuple[np.ndarray, np.ndarray]:
        return np.unique(voter_class[profile.supporters[pid]], return_counts=True)

    while live:
        best: Fraction | None = None
        tied: list[str] = []
        for pid in sorted(live, key=lambda p: stale[p]):
            if best is not None and stale[pid] > best:
                break
            c = live[pid]
            cls, counts = classes_of(pid)
            budgets = [class_budget[k] for k in cls.tolist()]
            available = sum((b * int(m) for b, m in zip(budgets, counts.tolist(), strict=True)), Fraction(0))
            if available < c.cost:
                del live[pid]
                continue
            paid = Fraction(0)
            left = c.votes
            rho: Fraction | None = None
            for b, m in sorted(zip(budgets, counts.tolist(), strict=True), key=lambda t: t[0]):
                share = (c.cost - paid) / left
                if share <= b:
                    rho = share / c.cost
                    break
                paid += b * m
                left -= m
            assert rho is not None  # noqa: S101  (narrows the type: available >= cost guarantees a class that can pay its share)
            stale[pid] = rho
            if best is None or rho < best:
                best, tied = rho, [pid]
            elif rho == best:
                tied.append(pid)
        if best is None:
            break
        winner = min(tied, key=lambda p: tie_key(live[p]))
        c = live.pop(winner)
        share = best * c.cost
        funded.append(winner)
        rounds.append((winner, best, share))
        cls = np.unique(voter_class[profile.supporters[winner]])
        mapping = np.arange(len(class_budget), dtype=np.int64)
        for k in cls.tolist():
            new_value = class_budget[k] - min(class_budget[k], share)
            target = class_of_value.get(new_value)
            if target is None:
                target = len(class_budget)
                class_budget.append(new_value)
                class_of_value[new_value] = target
                mapping = np.append(mapping, target)
            mapping[k] = target
        sup = profile.supporters[winner]
        voter_class[sup] = mapping[voter_class[sup]]
    money_left: dict[str, Fraction] = {}
    for c in candidates:
        if c.id in funded or c.votes == 0:
            money_left[c.id] = Fraction(0)
            continue
        cls, counts = classes_of(c.id)
        money_left[c.id] = sum((class_budget[k] * m for k, m in zip(cls.tolist(), counts.tolist(), strict=True)),
                               Fraction(0))
    return funded, rounds, money_left


# --- one entry point -------------------------------------------------------------------------


def allocate(
    rule: Rule | str,
    candidates: Sequence[Candidate],
    budget: int,
    *,
    profile: ApprovalProfile | None = None,
    min_votes: int = 0,
    committee_weight: int = 45,
    citizen_weight: int = 55,
) -> Allocation:
    rule = Rule(rule)
    if rule is Rule.GREEDY:
        return greedy(candidates, budget)
    if rule is Rule.GREEDY_FLOOR:
        return greedy(candidates, budget, min_votes=min_votes)
    if rule is Rule.WEIGHTED:
        return weighted(candidates, budget, committee_weight=committee_weight, citizen_weight=citizen_weight)
    if profile is None:
        raise AllocationInputError("The Method of Equal Shares needs the approval ballots.")
    return mes(candidates, budget, profile)


def pabutools_tie_breaking(candidates: Sequence[Candidate]) -> Any:
    """Our tie rule as a pabutools TieBreakingRule (projects are named by their id)."""
    from pabutools.tiebreaking import TieBreakingRule

    keys = {c.id: tie_key(c) for c in candidates}
    return TieBreakingRule(lambda _inst, _prof, proj: keys[proj.name])
