"""The Prometheus metrics every process exposes on ``GET /metrics``.

Counters live in the process's default registry, so each replica counts its
own traffic and a dashboard (or the scale-out test) sums over replicas. Every
label has a bounded set of values (docs/observability.md, "Metrics"): never a
conversation id, a customer id or any text a customer wrote.
"""

from __future__ import annotations

import re

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

# Chat turns take from a few milliseconds (a refusal) to seconds (a slow database).
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

TURNS = Counter("tactful_turns", "Customer messages the pipeline handled, by outcome", ["channel", "outcome"])
TURN_SECONDS = Histogram(
    "tactful_turn_seconds", "Time to answer one customer message", ["channel"], buckets=_LATENCY_BUCKETS
)
ACTION_SECONDS = Histogram(
    "tactful_action_seconds", "Time one custom action took", ["action"], buckets=_LATENCY_BUCKETS
)
ACTION_ERRORS = Counter("tactful_action_errors", "Custom actions that raised", ["action"])
DECISIONS = Counter("tactful_decisions", "Offer decisions, by their first reason code", ["reason"])
OFFERS = Counter("tactful_offers", "Offers shown, by offer id from the policy", ["offer"])
OFFER_REPLIES = Counter(
    "tactful_offer_replies", "Replies to a shown offer, as the reader labelled them", ["reply"]
)
CONSENT = Counter("tactful_consent_changes", "Customers turning offers off or on", ["choice"])
HANDOFFS = Counter("tactful_handoffs", "Handoffs to a person, by what happened", ["outcome"])
ERRORS = Counter("tactful_errors", "Failures a customer may notice, by component", ["component"])

TURN_OUTCOMES = frozenset({"ok", "refused", "paused", "apology"})
# A reason code is "family:detail" from tactful/engine/reasons.py; offers carry their
# id ("offer:<id>/<variant>"), which tactful_offers_total already counts.
_REASON = re.compile(r"[a-z_]{1,32}:[a-z0-9_]{1,48}")
_OFFER_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def bounded(value: str, pattern: re.Pattern[str] = _NAME) -> str:
    """``value`` if it has the shape a label value may have, else "other"."""
    return value if pattern.fullmatch(value) else "other"


def turn(channel: str, outcome: str, seconds: float) -> None:
    channel = bounded(channel)
    TURNS.labels(channel, outcome if outcome in TURN_OUTCOMES else "other").inc()
    TURN_SECONDS.labels(channel).observe(seconds)


def action(name: str, seconds: float, failed: bool) -> None:
    name = bounded(name)
    ACTION_SECONDS.labels(name).observe(seconds)
    if failed:
        ACTION_ERRORS.labels(name).inc()


def decision(reasons: tuple[str, ...] | list[str], offer_id: str | None) -> None:
    """One offer decision; shown offers are also counted by offer id."""
    if offer_id is not None:
        DECISIONS.labels("offer").inc()
        OFFERS.labels(bounded(offer_id, _OFFER_ID)).inc()
        return
    first = reasons[0] if reasons else "none"
    DECISIONS.labels(bounded(first, _REASON) if first != "none" else first).inc()


def offer_reply(label: str) -> None:
    OFFER_REPLIES.labels(bounded(label)).inc()


def consent(opted_in: bool) -> None:
    CONSENT.labels("opt_in" if opted_in else "opt_out").inc()


def handoff(outcome: str) -> None:
    HANDOFFS.labels(bounded(outcome)).inc()


def error(component: str) -> None:
    ERRORS.labels(bounded(component)).inc()


def exposition(registry: CollectorRegistry = DEFAULT_REGISTRY) -> tuple[bytes, str]:
    """The body and content type of ``GET /metrics``."""
    return generate_latest(registry), CONTENT_TYPE_LATEST
