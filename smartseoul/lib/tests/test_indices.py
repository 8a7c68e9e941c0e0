"""Worked examples for the S-DoT indices (DESIGN.md §5)."""

from __future__ import annotations

import math

import pytest

from smartseoul.lib import indices

PM10 = [[30, "good"], [80, "normal"], [150, "bad"], [None, "very_bad"]]
PM25 = [[15, "good"], [35, "normal"], [75, "bad"], [None, "very_bad"]]
UV = [[2, "low"], [5, "moderate"], [7, "high"], [10, "very_high"], [None, "extreme"]]
HEAT = {"persistence_days": 2, "levels": [["warning", 35.0], ["advisory", 33.0]]}
NOISE = {"day_start": 6, "night_start": 22, "zones": {"road_a": {"day": 65, "night": 55}}}


@pytest.mark.parametrize(
    ("value", "grade"),
    [(0, "good"), (30, "good"), (31, "normal"), (80, "normal"), (81, "bad"), (150, "bad"), (151, "very_bad")],
)
def test_pm10_boundaries(value: int, grade: str) -> None:
    assert indices.dust_grade(value, None, pm10_bands=PM10, pm25_bands=PM25) == grade


@pytest.mark.parametrize(
    ("value", "grade"),
    [(15, "good"), (16, "normal"), (35, "normal"), (36, "bad"), (75, "bad"), (76, "very_bad")],
)
def test_pm25_boundaries(value: int, grade: str) -> None:
    assert indices.dust_grade(None, value, pm10_bands=PM10, pm25_bands=PM25) == grade


def test_announced_grade_is_the_worse_of_the_two() -> None:
    assert indices.dust_grade(25, 40, pm10_bands=PM10, pm25_bands=PM25) == "bad"
    assert indices.dust_grade(151, 10, pm10_bands=PM10, pm25_bands=PM25) == "very_bad"
    assert indices.dust_grade(None, None, pm10_bands=PM10, pm25_bands=PM25) is None
    with pytest.raises(ValueError):
        indices.dust_grade(-1, None, pm10_bands=PM10, pm25_bands=PM25)


def _feels_by_hand(t: float, tw: float) -> float:
    return -0.2442 + 0.55399 * tw + 0.45535 * t - 0.0022 * tw**2 + 0.00278 * tw * t + 3.0


def test_wet_bulb_matches_stulls_published_example() -> None:
    # Stull (2011), J. Appl. Meteor. Climatol. 50: T = 20 °C, RH = 50 % gives Tw = 13.7 °C.
    assert indices.wet_bulb_stull(20, 50) == pytest.approx(13.7, abs=0.05)


@pytest.mark.parametrize(
    ("t", "rh", "tw", "expected"),
    [
        # T, RH, Tw (Stull), feels-like worked on paper from the KMA formula:
        # 20 °C/50 %: -0.2442 + 7.5891 + 9.1070 - 0.4129 + 0.7617 + 3 = 19.80
        (20.0, 50.0, 13.699, 19.80),
        # 33 °C/50 %: -0.2442 + 13.7810 + 15.0266 - 1.3614 + 2.2821 + 3 = 32.48
        (33.0, 50.0, 24.876, 32.48),
        # 35 °C/70 %: -0.2442 + 16.7599 + 15.9373 - 2.0135 + 2.9436 + 3 = 36.38
        (35.0, 70.0, 30.253, 36.38),
    ],
)
def test_feels_like_worked_examples(t: float, rh: float, tw: float, expected: float) -> None:
    assert indices.wet_bulb_stull(t, rh) == pytest.approx(tw, abs=0.001)
    assert _feels_by_hand(t, tw) == pytest.approx(expected, abs=0.01)
    assert indices.feels_like_summer(t, rh) == pytest.approx(expected, abs=0.01)


def test_humidity_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        indices.wet_bulb_stull(30, 120)


def test_heat_wave_needs_two_days_in_a_row() -> None:
    assert indices.heat_wave_level([34.0], HEAT) is None  # one day is not enough
    assert indices.heat_wave_level([30.0, 34.0], HEAT) is None  # yesterday below
    assert indices.heat_wave_level([34.0, 33.0], HEAT) == "advisory"  # 33 is reached (≥)
    assert indices.heat_wave_level([34.0, 32.9], HEAT) is None
    assert indices.heat_wave_level([36.0, 35.0], HEAT) == "warning"
    assert indices.heat_wave_level([36.0, 34.0], HEAT) == "advisory"  # warning needs both days ≥ 35
    assert indices.heat_wave_level([20.0, 36.0, 35.5], HEAT) == "warning"  # only the last two count
    three_days = {**HEAT, "persistence_days": 3}
    assert indices.heat_wave_level([34.0, 34.0], three_days) is None


@pytest.mark.parametrize(
    ("uv", "level"),
    [
        (0, "low"),
        (2.4, "low"),
        (2.5, "moderate"),
        (5, "moderate"),
        (6, "high"),
        (7, "high"),
        (8, "very_high"),
        (10, "very_high"),
        (11, "extreme"),
        (15.2, "extreme"),
    ],
)
def test_uv_levels(uv: float, level: str) -> None:
    assert indices.uv_level(uv, UV) == level


def test_noise_limits_by_day_and_night() -> None:
    assert indices.noise_limit("road_a", 6, NOISE) == 65
    assert indices.noise_limit("road_a", 21, NOISE) == 65
    assert indices.noise_limit("road_a", 22, NOISE) == 55
    assert indices.noise_limit("road_a", 3, NOISE) == 55
    assert indices.noise_exceedance(70, "road_a", 23, NOISE) == 15
    assert indices.noise_exceedance(60, "road_a", 12, NOISE) == 0
    with pytest.raises(ValueError):
        indices.noise_limit("nowhere", 12, NOISE)
    assert math.isclose(indices.noise_exceedance(65.5, "road_a", 12, NOISE), 0.5)
