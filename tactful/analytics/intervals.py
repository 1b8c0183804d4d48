"""Uncertainty for the offer report: 95 % intervals and variant posteriors.

Revenue per customer is skewed (most customers buy nothing, a few buy a
camera), so its intervals come from a percentile bootstrap rather than a
normal approximation; proportions (harm signals) use Newcombe's interval for a
difference, built from Wilson intervals, which behaves at small counts and
needs no random draws. Every random draw uses a fixed seed, so one store gives
one report (docs/analytics.md, "Uncertainty").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054
SEED = 20_260_501
BOOTSTRAP_RESAMPLES = 2_000
POSTERIOR_DRAWS = 20_000
# Below this many impressions of either variant no verdict is given.
MIN_SHOWN_FOR_VERDICT = 30
CONFIDENT = 0.95
# A bootstrap interval is given only when at most this share of its resamples
# is undefined (a holdout resample that bought nothing): dropping more would
# describe a different, luckier population.
MAX_UNDEFINED_SHARE = 0.025
# Picks per batch of resamples: about 16 MB of indices, whatever the number of customers.
_PICKS_PER_BATCH = 2_000_000

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    estimate: float | None
    low: float | None
    high: float | None
    # Share of the bootstrap resamples where the statistic was undefined.
    undefined_share: float = 0.0

    def as_dict(self, digits: int = 4) -> dict[str, float | None]:
        values = (("estimate", self.estimate), ("low", self.low), ("high", self.high))
        return {name: _round(value, digits) for name, value in values}


NO_INTERVAL = Interval(None, None, None)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _resampled_means(values: Array, rng: np.random.Generator, resamples: int) -> Array:
    """Means of ``resamples`` bootstrap resamples of ``values``."""
    means = np.empty(resamples)
    size = len(values)
    batch = max(1, _PICKS_PER_BATCH // size)
    for start in range(0, resamples, batch):
        count = min(batch, resamples - start)
        picks = rng.integers(0, size, size=(count, size))
        means[start : start + count] = values[picks].mean(axis=1)
    return means


def bootstrap_difference(
    treated: Sequence[float],
    control: Sequence[float],
    statistic: Callable[[Array, Array], Array],
    *,
    seed: int = SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> Interval:
    """Percentile 95 % interval of ``statistic(treated means, control means)``."""
    return bootstrap_differences(treated, control, (statistic,), seed=seed, resamples=resamples)[0]


def bootstrap_differences(
    treated: Sequence[float],
    control: Sequence[float],
    statistics: Sequence[Callable[[Array, Array], Array]],
    *,
    seed: int = SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> list[Interval]:
    """Percentile 95 % intervals of several statistics of the same resamples.

    Each arm is resampled on its own (the arms are independent random samples
    of the customers), and each statistic is applied to the arrays of
    resampled means; resamples where one is undefined (NaN) are dropped for it,
    and when more than ``MAX_UNDEFINED_SHARE`` of them are, the bounds are None.
    """
    if not treated or not control:
        return [NO_INTERVAL for _ in statistics]
    t = np.asarray(treated, dtype=np.float64)
    c = np.asarray(control, dtype=np.float64)
    rng = np.random.default_rng(seed)
    t_means = _resampled_means(t, rng, resamples)
    c_means = _resampled_means(c, rng, resamples)
    return [_percentile(statistic, t, c, t_means, c_means) for statistic in statistics]


def _percentile(
    statistic: Callable[[Array, Array], Array], t: Array, c: Array, t_means: Array, c_means: Array
) -> Interval:
    estimate = float(statistic(np.array([t.mean()]), np.array([c.mean()]))[0])
    if math.isnan(estimate):
        return NO_INTERVAL
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = statistic(t_means, c_means)
    defined = draws[np.isfinite(draws)]
    undefined = 1.0 - len(defined) / len(draws)
    if not len(defined) or undefined > MAX_UNDEFINED_SHARE:
        return Interval(estimate, None, None, undefined)
    low, high = np.percentile(defined, [2.5, 97.5])
    return Interval(estimate, float(low), float(high), undefined)


def difference_of_means(t: Array, c: Array) -> Array:
    return t - c


def relative_lift_pct(t: Array, c: Array) -> Array:
    """(treated − control) / control in per cent; NaN where control is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c > 0, (t - c) / np.where(c > 0, c, 1.0) * 100.0, np.nan)


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95 % interval of a proportion."""
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_difference(a_successes: int, a_trials: int, b_successes: int, b_trials: int) -> Interval:
    """Newcombe's hybrid score 95 % interval of p_a − p_b (his method 10)."""
    if a_trials == 0 or b_trials == 0:
        return NO_INTERVAL
    p_a, p_b = a_successes / a_trials, b_successes / b_trials
    low_a, high_a = wilson(a_successes, a_trials)
    low_b, high_b = wilson(b_successes, b_trials)
    estimate = p_a - p_b
    low = estimate - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = estimate + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return Interval(estimate, max(-1.0, low), min(1.0, high))


def prob_b_better(
    a_shown: int,
    a_accepted: int,
    b_shown: int,
    b_accepted: int,
    *,
    seed: int = SEED,
    draws: int = POSTERIOR_DRAWS,
) -> float:
    """P(acceptance of B > acceptance of A) under Beta(1 + accepts, 1 + others) posteriors."""
    return posterior_comparison(a_shown, a_accepted, b_shown, b_accepted, seed=seed, draws=draws)[0]


def posterior_comparison(
    a_shown: int,
    a_accepted: int,
    b_shown: int,
    b_accepted: int,
    *,
    seed: int = SEED,
    draws: int = POSTERIOR_DRAWS,
) -> tuple[float, Interval]:
    """P(B > A) and the 95 % credible interval of rate B − rate A, from the same paired draws."""
    rng = np.random.default_rng(seed)
    a = rng.beta(1 + a_accepted, 1 + max(a_shown - a_accepted, 0), size=draws)
    b = rng.beta(1 + b_accepted, 1 + max(b_shown - b_accepted, 0), size=draws)
    difference = b - a
    low, high = np.percentile(difference, [2.5, 97.5])
    # The posterior mean (not the raw difference, which can fall outside the interval at small counts).
    estimate = (1 + b_accepted) / (2 + b_shown) - (1 + a_accepted) / (2 + a_shown)
    return float((b > a).mean()), Interval(estimate, float(low), float(high))


def verdict(name_a: str, name_b: str, a_shown: int, b_shown: int, probability: float) -> str:
    """Plain words for a variant comparison."""
    if min(a_shown, b_shown) < MIN_SHOWN_FOR_VERDICT:
        return "not enough data yet"
    if probability >= CONFIDENT:
        return f"{name_b} better with 95 % probability"
    if probability <= 1 - CONFIDENT:
        return f"{name_a} better with 95 % probability"
    return "no clear difference yet"
