"""The holdout the report compares against: sticky, and close to its share at scale."""

from __future__ import annotations

import math

import pytest

from tactful.engine.holdout import in_holdout

IDS = [f"customer-{n}" for n in range(100_000)]


@pytest.mark.parametrize("share", [0.05, 0.10, 0.5])
def test_the_holdout_is_within_four_standard_errors_of_its_share_on_100000_ids(share: float) -> None:
    held = sum(in_holdout(customer, "analytics-salt", share) for customer in IDS)
    # A fair hash gives a binomial share: 4 standard errors is 0.0028 at 10 % (about 1 in 15,000
    # to fail by chance), where "one point" would let a biased hash pass.
    assert abs(held / len(IDS) - share) <= 4 * math.sqrt(share * (1 - share) / len(IDS))


def test_the_holdout_is_sticky_on_100000_ids() -> None:
    first = [in_holdout(customer, "analytics-salt", 0.10) for customer in IDS]
    # Asked again, and in another order: the same answer for every id.
    again = {customer: in_holdout(customer, "analytics-salt", 0.10) for customer in reversed(IDS)}
    assert first == [again[customer] for customer in IDS]
