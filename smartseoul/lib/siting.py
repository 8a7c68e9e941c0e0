"""Maximum coverage: choose k candidates that together cover the most weighted demand (no Django).

The same problem appears twice in city planning:

* facility siting — the *maximal covering location problem* (Church & ReVelle, 1974): a demand
  point is covered when a chosen site lies within a distance; choose k sites;
* route planning — a trip is covered when one chosen route serves both its ends; choose k routes.

`max_coverage` solves it with the greedy algorithm (which guarantees at least 1 − 1/e ≈ 63 % of
the optimum and is usually within a few per cent) followed by an improvement pass of single
swaps, or exactly with a small integer programme (PuLP + CBC) when the instance is small.
`exhaustive_max_coverage` tries every combination and is the reference for tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

EPS = 1e-9
EXACT_MAX_CANDIDATES = 400
EXACT_MAX_ELEMENTS = 20_000


@dataclass(frozen=True)
class CoverageResult:
    chosen: list[int]  # candidate positions, in the order they were picked
    covered_weight: float
    total_weight: float
    method: str  # greedy | greedy+swap | exact | exhaustive
    gains: list[float] = field(default_factory=list)  # weight each chosen candidate covers alone, in order

    @property
    def share(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0


def _as_arrays(sets: Sequence[Sequence[int]] | Sequence[np.ndarray]) -> list[np.ndarray]:
    return [np.unique(np.asarray(s, dtype=np.int64)) for s in sets]


def covered_weight(sets: Sequence[np.ndarray], weights: np.ndarray, chosen: Sequence[int]) -> float:
    if not chosen:
        return 0.0
    elements = np.unique(np.concatenate([sets[c] for c in chosen]))
    return float(weights[elements].sum()) if elements.size else 0.0


def greedy_max_coverage(
    sets: Sequence[np.ndarray], weights: np.ndarray, k: int, *, should_stop: Callable[[], None] | None = None
) -> list[int]:
    """Picks k candidates one by one, each time the one adding the most uncovered weight
    (lazy evaluation: a candidate's gain can only shrink, so stale upper bounds are re-checked)."""
    covered = np.zeros(weights.size, dtype=bool)
    bounds = np.array([float(weights[s].sum()) for s in sets])
    chosen: list[int] = []
    fresh = np.zeros(len(sets), dtype=bool)
    while len(chosen) < min(k, len(sets)):
        if should_stop is not None:
            should_stop()
        fresh[:] = False
        while True:
            order = np.argsort(-bounds, kind="stable")
            best = next((int(c) for c in order if c not in chosen), None)
            if best is None:
                return chosen
            if fresh[best]:
                break
            s = sets[best]
            bounds[best] = float(weights[s][~covered[s]].sum())
            fresh[best] = True
        chosen.append(best)
        covered[sets[best]] = True
        bounds[best] = -1.0
    return chosen


def improve_by_swaps(
    sets: Sequence[np.ndarray], weights: np.ndarray, chosen: list[int], *, max_rounds: int = 50,
    should_stop: Callable[[], None] | None = None,
) -> list[int]:
    """Replaces one chosen candidate by an unchosen one while that raises the covered weight."""
    chosen = list(chosen)
    counts = np.zeros(weights.size, dtype=np.int32)
    for c in chosen:
        counts[sets[c]] += 1
    for _ in range(max_rounds):
        improved = False
        for pos, out in enumerate(list(chosen)):
            if should_stop is not None:
                should_stop()
            counts[sets[out]] -= 1
            loss = float(weights[sets[out]][counts[sets[out]] == 0].sum())
            best, best_gain = out, loss
            for c in range(len(sets)):
                if c in chosen:
                    continue
                s = sets[c]
                gain = float(weights[s][counts[s] == 0].sum())
                if gain > best_gain + EPS * max(1.0, abs(best_gain)):
                    best, best_gain = c, gain
            chosen[pos] = best
            counts[sets[best]] += 1
            improved = improved or best != out
        if not improved:
            break
    return chosen


def exact_max_coverage(sets: Sequence[np.ndarray], weights: np.ndarray, k: int, *, time_limit: int = 60) -> list[int]:
    """The optimum as an integer programme: max Σ w_e·y_e, y_e ≤ Σ_{c∋e} x_c, Σ x_c = k."""
    import warnings

    import pulp

    elements = np.unique(np.concatenate(list(sets))) if sets else np.zeros(0, dtype=np.int64)
    prob = pulp.LpProblem("max_coverage", pulp.LpMaximize)
    if hasattr(prob, "add_variable"):  # PuLP ≥ 3.3 attaches variables to the model
        x = [prob.add_variable(f"x{c}", cat="Binary") for c in range(len(sets))]
        y = {int(e): prob.add_variable(f"y{int(e)}", 0, 1) for e in elements.tolist()}
    else:  # pragma: no cover - older PuLP
        x = [pulp.LpVariable(f"x{c}", cat="Binary") for c in range(len(sets))]
        y = {int(e): pulp.LpVariable(f"y{int(e)}", lowBound=0, upBound=1) for e in elements.tolist()}
    prob += pulp.lpSum(float(weights[e]) * v for e, v in y.items())
    covering: dict[int, list[int]] = {e: [] for e in y}
    for c, s in enumerate(sets):
        for e in s.tolist():
            covering[int(e)].append(c)
    for e, v in y.items():
        prob += v <= pulp.lpSum(x[c] for c in covering[e])
    prob += pulp.lpSum(x) == min(k, len(sets))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the bundled CBC binary is what we want
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    chosen = [c for c in range(len(sets)) if (x[c].value() or 0) > 0.5]
    return sorted(chosen, key=lambda c: -float(weights[sets[c]].sum()))


def exhaustive_max_coverage(sets: Sequence[np.ndarray], weights: np.ndarray, k: int) -> list[int]:
    """Every combination of k candidates (only for small instances: the reference for tests)."""
    best: tuple[int, ...] = ()
    best_w = -1.0
    for combo in itertools.combinations(range(len(sets)), min(k, len(sets))):
        w = covered_weight(sets, weights, combo)
        if w > best_w + EPS:
            best, best_w = combo, w
    return list(best)


def max_coverage(
    sets: Sequence[Sequence[int]] | Sequence[np.ndarray],
    weights: Sequence[float] | np.ndarray,
    k: int,
    *,
    method: str = "auto",
    should_stop: Callable[[], None] | None = None,
) -> CoverageResult:
    """Chooses k of the candidate `sets` (each a list of element ids indexing `weights`).

    method: "greedy" (greedy + swaps), "exact" (integer programme), "exhaustive", or "auto"
    (exact when the instance is small, else greedy + swaps).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    w = np.asarray(weights, dtype=np.float64)
    arrays = _as_arrays(sets)
    total = float(w.sum())
    if method == "auto":
        size = sum(a.size for a in arrays)
        method = "exact" if len(arrays) <= EXACT_MAX_CANDIDATES and size <= EXACT_MAX_ELEMENTS else "greedy"
    if not arrays:
        return CoverageResult([], 0.0, total, method)
    if method == "exact":
        chosen = exact_max_coverage(arrays, w, k)
        # the solver's answer is checked against greedy + swaps: never worse than the heuristic
        heuristic = improve_by_swaps(arrays, w, greedy_max_coverage(arrays, w, k))
        if covered_weight(arrays, w, heuristic) > covered_weight(arrays, w, chosen) + EPS:
            chosen, method = heuristic, "greedy+swap"
    elif method == "exhaustive":
        chosen = exhaustive_max_coverage(arrays, w, k)
    elif method == "greedy":
        chosen = greedy_max_coverage(arrays, w, k, should_stop=should_stop)
        chosen = improve_by_swaps(arrays, w, chosen, should_stop=should_stop)
        method = "greedy+swap"
    else:
        raise ValueError(f"unknown method {method!r}")
    # order by marginal contribution, as a planner reads them
    ordered: list[int] = []
    gains: list[float] = []
    covered = np.zeros(w.size, dtype=bool)
    remaining = list(chosen)
    while remaining:
        best = max(remaining, key=lambda c: (float(w[arrays[c]][~covered[arrays[c]]].sum()), -c))
        gains.append(float(w[arrays[best]][~covered[arrays[best]]].sum()))
        covered[arrays[best]] = True
        ordered.append(best)
        remaining.remove(best)
    return CoverageResult(ordered, covered_weight(arrays, w, ordered), total, method, gains)


@dataclass(frozen=True)
class SitingResult:
    sites: list[int]  # candidate positions
    covered_weight: float
    total_weight: float
    method: str
    site_weight: list[float]  # demand each site covers that earlier sites did not
    covered_demand: np.ndarray  # bool per demand point

    @property
    def share(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0


def maximal_covering_location(
    demand_lats: np.ndarray, demand_lons: np.ndarray, demand_weights: np.ndarray,
    site_lats: np.ndarray, site_lons: np.ndarray, *, k: int, radius_m: float, method: str = "auto",
    should_stop: Callable[[], None] | None = None,
) -> SitingResult:
    """Chooses k sites covering the most demand within `radius_m` (great-circle distance)."""
    from .hexgrid import haversine_m

    if radius_m <= 0:
        raise ValueError("the coverage distance must be positive")
    dl = np.asarray(demand_lats, dtype=np.float64)
    dn = np.asarray(demand_lons, dtype=np.float64)
    sets = []
    for la, lo in zip(np.asarray(site_lats, dtype=np.float64), np.asarray(site_lons, dtype=np.float64), strict=True):
        sets.append(np.nonzero(haversine_m(la, lo, dl, dn) <= radius_m)[0])
    result = max_coverage(sets, demand_weights, k, method=method, should_stop=should_stop)
    covered = np.zeros(dl.size, dtype=bool)
    for c in result.chosen:
        covered[sets[c]] = True
    return SitingResult(result.chosen, result.covered_weight, result.total_weight, result.method,
                        result.gains, covered)
