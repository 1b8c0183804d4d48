"""Harm after the decision point: the same conversation's opt-outs, frustration,
fallbacks and handoffs, compared two ways (docs/analytics.md, "Harm"):

* with an offer against without one (descriptive: the gates choose who gets one);
* treated customers against holdout customers (randomised: the causal one).

Both count signals from the conversation's first decision, so neither group
starts later than the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tactful.analytics.arms import Exposure
from tactful.analytics.conversations import HARM_SIGNALS, Conversation
from tactful.analytics.intervals import newcombe_difference
from tactful.analytics.measures import ratio

ANY = "any"
SIGNALS = (*HARM_SIGNALS, ANY)
# Which side of a comparison a conversation is on (True is the first side), or None: left out.
Side = Callable[[Conversation], bool | None]
METHOD = (
    "share of conversations with the signal at or after their first decision (or first offer, if"
    " earlier); difference with Newcombe's 95 % hybrid score interval"
)


def _compare(
    conversations: Iterable[Conversation], side: Side
) -> tuple[dict[bool, int], dict[bool, dict[str, int]]]:
    totals = {True: 0, False: 0}
    hits: dict[bool, dict[str, int]] = {True: dict.fromkeys(SIGNALS, 0), False: dict.fromkeys(SIGNALS, 0)}
    for conversation in conversations:
        if not conversation.counted:
            continue
        group = side(conversation)
        if group is None:
            continue
        totals[group] += 1
        seen = [signal for signal in HARM_SIGNALS if conversation.signalled_after_start(signal)]
        for signal in seen:
            hits[group][signal] += 1
        hits[group][ANY] += 1 if seen else 0
    return totals, hits


def _rows(
    totals: dict[bool, int], hits: dict[bool, dict[str, int]], first: str, second: str
) -> list[dict[str, Any]]:
    rows = []
    for signal in SIGNALS:
        difference = newcombe_difference(hits[True][signal], totals[True], hits[False][signal], totals[False])
        rows.append(
            {
                "signal": signal,
                first: hits[True][signal],
                second: hits[False][signal],
                f"{first}_rate": ratio(hits[True][signal], totals[True]),
                f"{second}_rate": ratio(hits[False][signal], totals[False]),
                "difference": difference.as_dict(4),
            }
        )
    return rows


def harm(conversations: Iterable[Conversation]) -> dict[str, Any]:
    """Conversations with an offer against those with a decision but no offer."""
    totals, hits = _compare(conversations, lambda conversation: bool(conversation.impressions))
    return {
        "with_offer": {"conversations": totals[True], **hits[True]},
        "without_offer": {"conversations": totals[False], **hits[False]},
        "signals": _rows(totals, hits, "with_offer", "without_offer"),
        "method": METHOD + "; not randomised (the gates keep offers from conversations going badly)",
    }


def harm_randomised(conversations: Iterable[Conversation], exposed: Mapping[str, Exposure]) -> dict[str, Any]:
    """Conversations of treated customers against those of holdout customers, offer or not."""

    def treated(conversation: Conversation) -> bool | None:
        exposure = exposed.get(conversation.customer_id or "")
        return None if exposure is None else not exposure.held_out

    totals, hits = _compare(conversations, treated)
    return {
        "treated": {"conversations": totals[True], **hits[True]},
        "holdout": {"conversations": totals[False], **hits[False]},
        "signals": _rows(totals, hits, "treated", "holdout"),
        "method": METHOD + "; randomised by the holdout: conversations of verified customers only",
    }
