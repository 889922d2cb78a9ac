"""The numbers the model-evaluation lesson quotes about its hold-out figure still hold.

The figure (static/js/figures/holdout-spread.js) computes the binomial distribution of the
number of test examples a model with true accuracy p gets right; here scipy does.
"""

import math

import pytest
from scipy.stats import binom


def standard_error(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


def chance_within(p: float, n: int, within: float = 0.03) -> float:
    return sum(binom.pmf(k, n, p) for k in range(n + 1) if abs(k / n - p) <= within + 1e-9)


def test_the_standard_error_halves_when_n_quadruples():
    assert standard_error(0.9, 40) == pytest.approx(0.047, abs=5e-4)
    assert standard_error(0.9, 160) == pytest.approx(0.024, abs=5e-4)
    assert standard_error(0.9, 40) / standard_error(0.9, 160) == pytest.approx(2)
    assert standard_error(0.9, 40) / standard_error(0.9, 640) == pytest.approx(4)


def test_the_chance_of_landing_within_three_points():
    assert chance_within(0.9, 40) == pytest.approx(0.57, abs=0.005)
    assert chance_within(0.9, 160) == pytest.approx(0.77, abs=0.005)
    assert chance_within(0.9, 640) == pytest.approx(0.99, abs=0.005)


def chance_between(p: float, n: int, low: float, high: float) -> float:
    return sum(binom.pmf(k, n, p) for k in range(n + 1) if low - 1e-9 <= k / n <= high + 1e-9)


def test_the_normal_approximations_range_holds_about_95_percent_not_exactly():
    def coverage(p: float, n: int) -> float:
        se = standard_error(p, n)
        return chance_between(p, n, p - 1.96 * se, min(1, p + 1.96 * se))

    assert coverage(0.9, 40) == pytest.approx(0.94, abs=0.005)
    assert coverage(0.99, 10) == pytest.approx(0.90, abs=0.005)
    assert coverage(0.99, 10) < coverage(0.9, 40) < 0.95
