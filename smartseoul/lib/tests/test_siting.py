from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.lib import siting


def _random_instance(seed: int, n_sets: int = 9, n_elements: int = 30) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    sets = [rng.choice(n_elements, size=rng.integers(1, 8), replace=False) for _ in range(n_sets)]
    weights = rng.integers(1, 20, size=n_elements).astype(float)
    return sets, weights


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_exact_equals_exhaustive(seed: int, k: int) -> None:
    sets, weights = _random_instance(seed)
    exact = siting.max_coverage(sets, weights, k, method="exact")
    brute = siting.max_coverage(sets, weights, k, method="exhaustive")
    assert exact.covered_weight == pytest.approx(brute.covered_weight)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 3))
def test_greedy_with_swaps_is_never_better_than_optimum_and_at_least_63_percent(seed: int, k: int) -> None:
    sets, weights = _random_instance(seed, n_sets=7, n_elements=20)
    greedy = siting.max_coverage(sets, weights, k, method="greedy")
    brute = siting.max_coverage(sets, weights, k, method="exhaustive")
    assert greedy.covered_weight <= brute.covered_weight + 1e-9
    assert greedy.covered_weight >= (1 - 1 / np.e) * brute.covered_weight - 1e-9


def test_swap_pass_fixes_the_classic_greedy_trap() -> None:
    # greedy takes the big middle set first, then can add only one side; the optimum takes both sides
    sets = [np.array([0, 1, 2, 3]), np.array([0, 1, 4]), np.array([2, 3, 5])]
    weights = np.array([1, 1, 1, 1, 1.5, 1.5])
    plain = siting.greedy_max_coverage(sets, weights, 2)
    assert siting.covered_weight(sets, weights, plain) == pytest.approx(5.5)
    result = siting.max_coverage(sets, weights, 2, method="greedy")
    assert sorted(result.chosen) == [1, 2]
    assert result.covered_weight == pytest.approx(7.0)
    assert result.share == pytest.approx(1.0)


def test_maximal_covering_location_equals_exhaustive_search() -> None:
    rng = np.random.default_rng(7)
    d_lat = rng.uniform(37.50, 37.60, 60)
    d_lon = rng.uniform(126.95, 127.05, 60)
    w = rng.integers(1, 100, 60).astype(float)
    s_lat = rng.uniform(37.50, 37.60, 10)
    s_lon = rng.uniform(126.95, 127.05, 10)
    for k in (1, 2, 3):
        auto = siting.maximal_covering_location(d_lat, d_lon, w, s_lat, s_lon, k=k, radius_m=2_000)
        brute = siting.maximal_covering_location(
            d_lat, d_lon, w, s_lat, s_lon, k=k, radius_m=2_000, method="exhaustive"
        )
        assert auto.covered_weight == pytest.approx(brute.covered_weight)
        assert len(auto.sites) == k
        assert float(w[auto.covered_demand].sum()) == pytest.approx(auto.covered_weight)
        assert sum(auto.site_weight) == pytest.approx(auto.covered_weight)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        siting.max_coverage([np.array([0])], np.array([1.0]), 0)
    with pytest.raises(ValueError):
        siting.maximal_covering_location(
            np.zeros(1), np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), k=1, radius_m=0
        )
