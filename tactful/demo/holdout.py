"""Which customers fall in the sticky holdout group (never shown offers).

bucket = int(sha256(f"{salt}:{customer_id}").hexdigest(), 16) % 10000, and a
customer is held out when bucket < share * 10000. The demo needs C007 in the
group and every other demo customer out; with the default salt
"tactful-demo" that is not so (C006 is in, C007 out), so the demo policy uses
DEMO_HOLDOUT_SALT: the first "tactful-demo-N" that holds out exactly C007
under this hash and also under the engine's variant of it (first 8 digest
bytes, big-endian); tests/store/test_demo.py checks both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

BUCKETS = 10_000
DEFAULT_SHARE = 0.10
DEMO_HOLDOUT_SALT = "tactful-demo-1399"


def holdout_bucket(customer_id: str, salt: str) -> int:
    digest = hashlib.sha256(f"{salt}:{customer_id}".encode()).hexdigest()
    return int(digest, 16) % BUCKETS


def in_holdout(customer_id: str, salt: str = DEMO_HOLDOUT_SALT, share: float = DEFAULT_SHARE) -> bool:
    return holdout_bucket(customer_id, salt) < share * BUCKETS


def held_out(
    customer_ids: Iterable[str], salt: str = DEMO_HOLDOUT_SALT, share: float = DEFAULT_SHARE
) -> list[str]:
    """The ids in ``customer_ids`` that the holdout group would swallow."""
    return [cid for cid in customer_ids if in_holdout(cid, salt, share)]
