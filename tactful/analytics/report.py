"""The offer report as one JSON-ready dict (the contract in docs/analytics.md, "JSON").

The dashboard reads this shape: add keys freely, never
rename or drop one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tactful.analytics.arms import exposures
from tactful.analytics.conversations import fold
from tactful.analytics.harm import harm, harm_randomised
from tactful.analytics.intervals import (
    BOOTSTRAP_RESAMPLES,
    MAX_UNDEFINED_SHARE,
    MIN_SHOWN_FOR_VERDICT,
    SEED,
)
from tactful.analytics.measures import (
    acceptance_over_time,
    by_attribute,
    by_offer,
    no_offer_reasons,
    rates,
    variants,
)
from tactful.analytics.revenue import CROSS_SELL_DAYS, WINDOWS, cross_sell, holdout_comparison
from tactful.analytics.rows import stream_events, stream_handoffs, stream_sales
from tactful.analytics.sales import accepted_targets, collect_sales, follow_up_end
from tactful.analytics.slices import harm_by, holdout_by
from tactful.engine.policy_model import Policy
from tactful.store.unit_of_work import UnitOfWork

SCHEMA_VERSION = 1


class ReportError(ValueError):
    """The report was asked for something it cannot compute (e.g. an empty period)."""


def build_report(
    uow: Callable[[], UnitOfWork],
    policy: Policy,
    since: datetime,
    until: datetime,
    *,
    generated_at: datetime | None = None,
    seed: int = SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> dict[str, Any]:
    """Every measure of the offers shown in [since, until), naive UTC datetimes.

    Orders are read past ``until`` (up to the longest window, never past
    ``generated_at``) so customers first seen late in the period still get
    complete revenue windows once enough time has passed.
    """
    if since >= until:
        raise ReportError(f"the period is empty: since {since:%Y-%m-%d %H:%M} is not before until")
    now = generated_at or datetime.utcnow()
    follow_up_until = follow_up_end(until, now, max(WINDOWS + (CROSS_SELL_DAYS,)))
    holdout = policy.holdout
    with uow() as work:
        # Streamed and folded as the rows arrive (docs/analytics.md, "Cost").
        folded = fold(stream_events(work.session, since, until), stream_handoffs(work.session, since, until))
        conversations = list(folded.values())
        exposed, assignment = exposures(conversations, holdout.salt, holdout.share)
        sales = collect_sales(
            stream_sales(work.session, since, follow_up_until),
            exposed,
            accepted_targets(conversations),
            until,
        )
    dropped: Counter[str] = Counter(without_impression=0, repeated=0)
    for conversation in conversations:
        dropped.update(conversation.dropped_answers)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": now.isoformat(timespec="seconds"),
        "period": {
            "since": since.isoformat(timespec="seconds"),
            "until": until.isoformat(timespec="seconds"),
            "orders_read_until": follow_up_until.isoformat(timespec="seconds"),
        },
        "empty": not conversations and not sales.in_period,
        "overall": rates(conversations),
        "by": {
            "offer": by_offer(conversations, with_variant=False),
            "variant": by_offer(conversations, with_variant=True),
            "channel": by_attribute(conversations, lambda c: c.channel),
            "stage": by_attribute(conversations, lambda c: c.stage),
            "period": by_attribute(conversations, lambda c: c.week),
        },
        "acceptance_over_time": acceptance_over_time(conversations),
        "holdout": {
            str(days): holdout_comparison(exposed, sales, follow_up_until, days, seed, resamples)
            for days in WINDOWS
        },
        "holdout_assignment": assignment,
        "holdout_by": holdout_by(exposed, sales, follow_up_until, seed, resamples),
        "cross_sell": cross_sell(conversations, sales, follow_up_until),
        "harm": {**harm(conversations), "randomised": harm_randomised(conversations, exposed)},
        "harm_by": harm_by(conversations),
        "variants": variants(conversations, seed),
        "no_offer_reasons": no_offer_reasons(conversations),
        "dropped_answers": dict(dropped),
        "settings": {
            "holdout_share": holdout.share,
            "seed": seed,
            "bootstrap_resamples": resamples,
            "max_undefined_resample_share": MAX_UNDEFINED_SHARE,
            "min_shown_for_verdict": MIN_SHOWN_FOR_VERDICT,
            "interval_level": 0.95,
            "money": "floats rounded to cents",
        },
    }
