"""Intervals, posteriors and verdicts against published and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from tactful.analytics.intervals import (
    bootstrap_difference,
    difference_of_means,
    newcombe_difference,
    posterior_comparison,
    prob_b_better,
    relative_lift_pct,
    verdict,
    wilson,
)


def test_wilson_matches_newcombe_1998() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 -> 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson(0, 0) == (0.0, 1.0)


def test_newcombe_difference_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, method 10: 56/70 - 48/80 = 0.2, 0.0524 to 0.3339.
    interval = newcombe_difference(56, 70, 48, 80)
    assert round(interval.estimate or 0, 4) == 0.2
    assert (round(interval.low or 0, 4), round(interval.high or 0, 4)) == (0.0524, 0.3339)
    assert newcombe_difference(1, 3, 0, 0).estimate is None


def test_bootstrap_is_seeded_and_contains_the_estimate() -> None:
    treated = [0.0] * 60 + [40.0] * 30 + [120.0] * 10  # mean 24.00
    control = [0.0] * 70 + [40.0] * 25 + [120.0] * 5  # mean 16.00
    first = bootstrap_difference(treated, control, difference_of_means, seed=11, resamples=1000)
    assert first == bootstrap_difference(treated, control, difference_of_means, seed=11, resamples=1000)
    assert first != bootstrap_difference(treated, control, difference_of_means, seed=12, resamples=1000)
    assert first.estimate == pytest.approx(8.0)
    assert first.low is not None and first.high is not None
    assert first.low < 8.0 < first.high
    # The standard error of the difference is about 5.0 here, so the interval spans about +-10.
    assert 5 < first.high - first.estimate < 15 and 5 < first.estimate - first.low < 15
    lift = bootstrap_difference(treated, control, relative_lift_pct, seed=11, resamples=1000)
    assert lift.estimate == pytest.approx(50.0)  # (24 - 16) / 16
    assert lift.low is not None and lift.high is not None and lift.low < 50.0 < lift.high


def test_bootstrap_without_an_arm_or_a_baseline_has_no_estimate() -> None:
    assert bootstrap_difference([], [1.0], difference_of_means).estimate is None
    assert bootstrap_difference([5.0], [0.0, 0.0], relative_lift_pct).estimate is None


def test_a_lift_with_too_many_undefined_resamples_has_no_bounds() -> None:
    # Holdout [0, 0, 0, 10]: a resample buys nothing with probability (3/4)^4 = 31.6 %.
    lift = bootstrap_difference(
        [10.0, 20.0], [0.0, 0.0, 0.0, 10.0], relative_lift_pct, seed=3, resamples=2000
    )
    assert lift.estimate == pytest.approx(500.0)  # (15 - 2.5) / 2.5
    assert lift.low is None and lift.high is None
    assert lift.undefined_share == pytest.approx(0.316, abs=0.03)
    # Holdout of 40 with 10 buyers: (3/4)^40 < 0.001 % undefined, so bounds are given.
    kept = bootstrap_difference([10.0] * 40, [0.0] * 30 + [10.0] * 10, relative_lift_pct, seed=3)
    assert kept.low is not None and kept.high is not None and kept.undefined_share < 0.025


def test_the_credible_interval_of_a_difference() -> None:
    # Beta(2, 1) against Beta(1, 2): posterior mean difference 1/3 - 2/3 = -1/3.
    probability, difference = posterior_comparison(1, 1, 1, 0)
    assert probability == pytest.approx(1 / 6, abs=0.01)
    assert difference.estimate == pytest.approx(-1 / 3)
    assert difference.low is not None and difference.high is not None
    # B - A = U + V - 1 with U, V independent Beta(1, 2) (1 - A is Beta(1, 2)): the same
    # quantiles from independent draws of that form.
    rng = np.random.default_rng(99)
    check = rng.beta(1, 2, 200_000) + rng.beta(1, 2, 200_000) - 1
    low, high = np.percentile(check, [2.5, 97.5])
    assert difference.low == pytest.approx(low, abs=0.02) and difference.high == pytest.approx(high, abs=0.02)
    # 200 each: 20 against 60 accepts, difference about 0.2 with a standard error of about 0.04.
    _, wide = posterior_comparison(200, 20, 200, 60)
    assert wide.low is not None and wide.high is not None
    assert 0.1 < wide.low < 0.2 < wide.high < 0.3


def test_posterior_probability_of_known_cases() -> None:
    # Beta(1, 1) against Beta(1, 1): a coin toss.
    assert prob_b_better(0, 0, 0, 0) == pytest.approx(0.5, abs=0.01)
    # Beta(2, 1) against Beta(1, 2): P(B > A) = 1/6 (see test_report.py).
    assert prob_b_better(1, 1, 1, 0) == pytest.approx(1 / 6, abs=0.01)
    assert prob_b_better(200, 20, 200, 60) > 0.999


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((200, 20), (200, 60), "B better with 95 % probability"),
        ((200, 60), (200, 20), "A better with 95 % probability"),
        ((200, 20), (200, 22), "no clear difference yet"),
        ((10, 1), (10, 9), "not enough data yet"),
    ],
)
def test_verdicts(a: tuple[int, int], b: tuple[int, int], expected: str) -> None:
    probability = prob_b_better(a[0], a[1], b[0], b[1])
    assert verdict("A", "B", a[0], b[0], probability) == expected
