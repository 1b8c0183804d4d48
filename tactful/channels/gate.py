"""The one check every customer message passes before the bot sees it.

In order, on one read of the conversation:

1. **Rates.** Messages per conversation and per verified customer, per
   minute (``Limits``), counted in Redis when ``TACTFUL_REDIS_URL`` is set so
   the limits hold across replicas.
2. **Ownership.** A conversation belongs to the first verified customer who
   wrote in it. A message with another customer's identity, or with none
   where one was verified, is refused: it never inherits that conversation's
   pending offer, pause or handoff (docs/security.md).
3. **Pause.** While a person handles the conversation the message is stored
   without running the bot (``conversations.log_paused``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels import conversations
from tactful.channels.conversations import ConversationState
from tactful.channels.inbound import customer_of
from tactful.identity import first_verified_customer as owner_of
from tactful.ratelimit import AsyncCounter, CounterUnavailable
from tactful.settings import Limits

logger = logging.getLogger(__name__)

VerdictKind = Literal["ok", "paused", "rate_limited", "other_customer", "signed_out"]
RATE_WINDOW_SECONDS = 60

REFUSALS: dict[str, str] = {
    "rate_limited": "You're sending messages faster than I can answer them. Please wait a minute and try again.",
    "other_customer": "This chat belongs to another signed-in customer. Please start a new chat.",
    "signed_out": (
        "This chat belongs to a signed-in customer. Please sign in again to continue it, or start a new chat."
    ),
}


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    state: ConversationState | None = None

    @property
    def refused(self) -> bool:
        return self.kind in REFUSALS

    @property
    def refusal(self) -> str:
        return REFUSALS.get(self.kind, "")


def real_store(agent: Agent) -> TrackerStore:
    """The configured tracker store itself.

    Rasa wraps it in a FailSafeTrackerStore that, on any error, answers from an
    empty in-memory store: read through that, an unreachable database would
    look like a new conversation and let anyone in. Read directly, the error
    reaches the pipeline, which answers with an apology (fail closed).
    """
    store = agent.tracker_store
    return getattr(store, "_tracker_store", store)


def first_verified_customer(tracker: DialogueStateTracker) -> str | None:
    # No secret: only identities the channels stored count here, never a raw token.
    return owner_of((event.metadata for event in tracker.events if isinstance(event, UserUttered)), None)


class ConversationGate:
    def __init__(self, counter: AsyncCounter, limits: Limits) -> None:
        self._counter = counter
        self._limits = limits

    async def _over_rate(self, sender_id: str, customer: str | None) -> bool:
        checks = [(f"sender:{sender_id}", self._limits.messages_per_sender_per_minute)]
        if customer is not None:
            checks.append((f"customer:{customer}", self._limits.messages_per_customer_per_minute))
        try:
            for key, limit in checks:
                if await self._counter.hit(key, RATE_WINDOW_SECONDS) > limit:
                    return True
        except CounterUnavailable:
            # Availability over strictness for chat rates: the counters are a
            # flood guard, and a Redis outage must not silence every customer.
            logger.warning("rate counters unavailable; message from %s let through", sender_id)
        return False

    async def admit(self, agent: Agent | None, message: UserMessage) -> Verdict:
        customer = customer_of(message.metadata)
        if await self._over_rate(message.sender_id, customer):
            return Verdict("rate_limited")
        if agent is None:
            return Verdict("ok")
        tracker = await real_store(agent).retrieve_full_tracker(message.sender_id)
        if tracker is None:
            return Verdict("ok")
        owner = first_verified_customer(tracker)
        if owner is not None and owner != customer:
            logger.warning("refused a message for %s: not its verified customer", message.sender_id)
            return Verdict("other_customer" if customer is not None else "signed_out")
        if not tracker.is_paused():
            return Verdict("ok", conversations.state_of(tracker, paused=False))
        state = await conversations.log_paused(agent, message)
        return Verdict("paused" if state.paused else "ok", state)
