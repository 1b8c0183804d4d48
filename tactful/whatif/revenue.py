"""Expected revenue of a replay, with its uncertainty.

Each offer shown earns its price with the probability that the customer
accepts it. That probability is uncertain: it is drawn from the arm's Beta
posterior (``ResponseModel.beta``). The same draws price both policies, so
the interval of the difference reflects only what differs between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from tactful.whatif.simulate import Arm, ResponseModel

INTERVAL = (2.5, 97.5)


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": round(self.mean, 2), "low": round(self.low, 2), "high": round(self.high, 2)}


def _estimate(samples: np.ndarray[Any, np.dtype[np.float64]]) -> Estimate:
    low, high = np.percentile(samples, INTERVAL)
    return Estimate(float(samples.mean()), float(low), float(high))


def expected_revenue(
    old_value: Mapping[Arm, Decimal],
    new_value: Mapping[Arm, Decimal],
    responses: ResponseModel,
    draws: int,
    seed: int,
) -> tuple[Estimate, Estimate, Estimate]:
    """Expected accepted-offer revenue of the old policy, the new one, and new minus old."""
    rng = np.random.default_rng(seed)
    old = np.zeros(draws)
    new = np.zeros(draws)
    for arm in sorted(set(old_value) | set(new_value)):
        accepts, declines = responses.beta(arm)
        p_accept = rng.beta(accepts, declines, size=draws)
        old += p_accept * float(old_value.get(arm, 0))
        new += p_accept * float(new_value.get(arm, 0))
    return _estimate(old), _estimate(new), _estimate(new - old)
