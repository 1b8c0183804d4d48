"""The sticky holdout group: customers who never get offers, for measurement.

Membership is a pure function of the salt and the customer id, so it is the same
on every server and every day without storing anything. Changing the salt
reshuffles the group (do that only when starting a new measurement period).
"""

from __future__ import annotations

import hashlib

_BUCKETS = 10_000


def holdout_bucket(customer_id: str, salt: str) -> int:
    """A stable bucket in [0, 10000) for this customer and salt."""
    digest = hashlib.sha256(f"{salt}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % _BUCKETS


def in_holdout(customer_id: str, salt: str, share: float) -> bool:
    """True if the customer is in the holdout share (0.10 = 10%)."""
    return holdout_bucket(customer_id, salt) < round(share * _BUCKETS)
