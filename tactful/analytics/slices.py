"""The holdout comparison and harm by slice (docs/analytics.md, "Slices").

The holdout comparison is sliced by what was fixed at a customer's first
decision (its channel and its week), so each customer is in exactly one
slice and each slice is still a randomised comparison. Harm is sliced by
the conversation's channel and journey stage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tactful.analytics.arms import Exposure
from tactful.analytics.conversations import Conversation, week_of
from tactful.analytics.harm import harm
from tactful.analytics.revenue import WINDOWS, holdout_comparison
from tactful.analytics.sales import Sales

_ARM_FIELDS = ("customers", "revenue_per_customer")


def holdout_by(
    exposed: Mapping[str, Exposure], sales: Sales, follow_up_until: datetime, seed: int, resamples: int
) -> dict[str, list[dict[str, Any]]]:
    slicers: dict[str, Callable[[Exposure], str]] = {
        "channel": lambda exposure: exposure.channel,
        "period": lambda exposure: week_of(exposure.first.date()).isoformat(),
    }
    result: dict[str, list[dict[str, Any]]] = {}
    for name, key_of in slicers.items():
        groups: dict[str, dict[str, Exposure]] = defaultdict(dict)
        for customer, exposure in exposed.items():
            groups[key_of(exposure)][customer] = exposure
        rows = []
        for key, members in sorted(groups.items()):
            for days in WINDOWS:
                full = holdout_comparison(members, sales, follow_up_until, days, seed, resamples)
                rows.append(
                    {
                        "key": key,
                        "days": days,
                        "treated": {field: full["treated"][field] for field in _ARM_FIELDS},
                        "holdout": {field: full["holdout"][field] for field in _ARM_FIELDS},
                        "incremental_revenue_per_customer": full["incremental_revenue_per_customer"],
                    }
                )
        result[name] = rows
    return result


def harm_by(conversations: Sequence[Conversation]) -> dict[str, list[dict[str, Any]]]:
    slicers: dict[str, Callable[[Conversation], str]] = {
        "channel": lambda conversation: conversation.channel,
        "stage": lambda conversation: conversation.stage,
    }
    result: dict[str, list[dict[str, Any]]] = {}
    for name, key_of in slicers.items():
        groups: dict[str, list[Conversation]] = defaultdict(list)
        for conversation in conversations:
            if conversation.counted:
                groups[key_of(conversation)].append(conversation)
        rows = []
        for key, members in sorted(groups.items()):
            section = harm(members)
            del section["method"]
            rows.append({"key": key, **section})
        result[name] = rows
    return result
