"""The one check every customer message passes before the bot sees it.

In order:

1. **Rates.** Messages per conversation and per verified customer, per
   minute (``Limits``), counted in Redis when ``TACTFUL_REDIS_URL`` is set so
   the limits hold across replicas.
2. **Ownership.** A conversation belongs to the first verified customer who
   wrote in it. A message with another customer's identity, or with none
   where one was verified, is refused: it never inherits that conversation's
   pending offer, pause or handoff (docs/security.md). A first look at the
   stored owner (``screen``, before the lock) turns strangers away early: their
   messages count against a budget of their own, so they can neither spend
   the owner's per-conversation rate nor queue on the conversation's lock.
3. **Pause.** While a person handles the conversation the message is stored
   without running the bot.

Ownership and pause are decided by ``check``, which the pipeline calls while
it holds the conversation's lock, on the one read of the conversation that
Rasa then goes on with (docs/architecture.md, "One tracker load per message").
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
from tactful.channels.tracker_store import SafeSQLTrackerStore
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


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    # The conversation's latest session as read for the check (None: a new
    # conversation), and whether Rasa may go on with it instead of reading again.
    tracker: DialogueStateTracker | None
    reusable: bool


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


async def known_owner(agent: Agent | None, sender_id: str) -> str | None:
    """The conversation's stored owner, read without its lock (None: none known yet).

    Only a first look: ``ConversationGate.check`` decides under the lock. Other
    stores keep no owner row, and there ``check`` finds the owner in the events.
    Raises when the tracker store cannot be read.
    """
    store = real_store(agent) if agent is not None else None
    if not isinstance(store, SafeSQLTrackerStore):
        return None
    return await store.known_owner(sender_id)


def _refusal(customer: str | None) -> Verdict:
    return Verdict("other_customer" if customer is not None else "signed_out")


class ConversationGate:
    def __init__(self, counter: AsyncCounter, limits: Limits) -> None:
        self._counter = counter
        self._limits = limits

    async def screen(self, agent: Agent | None, message: UserMessage) -> Verdict | None:
        """Rates, and a first look at the stored owner; None: go on to ``check``.

        Runs before the conversation's lock. A message refused here counts
        against the conversation's refusal budget, not its own rate.
        """
        sender_id, customer = message.sender_id, customer_of(message.metadata)
        if customer is not None and await self._over(
            f"customer:{customer}", self._limits.messages_per_customer_per_minute, sender_id
        ):
            return Verdict("rate_limited")
        refusal = await self._stranger(agent, sender_id, customer)
        key = f"{'refused' if refusal else 'sender'}:{sender_id}"
        if await self._over(key, self._limits.messages_per_sender_per_minute, sender_id):
            return Verdict("rate_limited")
        return refusal

    async def _over(self, key: str, limit: int, sender_id: str) -> bool:
        try:
            return await self._counter.hit(key, RATE_WINDOW_SECONDS) > limit
        except CounterUnavailable:
            # Availability over strictness for chat rates: the counters are a
            # flood guard, and a Redis outage must not silence every customer.
            logger.warning("rate counters unavailable; message from %s let through", sender_id)
            return False

    @staticmethod
    async def _stranger(agent: Agent | None, sender_id: str, customer: str | None) -> Verdict | None:
        """The refusal for a message to a conversation another customer already owns."""
        try:
            owner = await known_owner(agent, sender_id)
        except Exception:  # noqa: BLE001 - only a first look: ``check`` reads again and fails closed
            logger.warning("could not look up the owner of %s before the lock", sender_id)
            return None
        if owner is None or owner == customer:
            return None
        logger.warning("refused a message for %s: not its verified customer", sender_id)
        return _refusal(customer)

    async def check(self, agent: Agent, message: UserMessage) -> Checked:
        """Ownership and pause, on one read; the caller holds the conversation's lock.

        Reads the configured store itself (``real_store``): an error reaches
        the caller, which fails closed. A paused conversation gets the message
        stored here, without the bot.
        """
        customer = customer_of(message.metadata)
        store = real_store(agent)
        if isinstance(store, SafeSQLTrackerStore):
            tracker, owner = await store.load_for_message(message.sender_id, customer)
            reusable = True
        else:
            # Another store: the owner is in the events of every session.
            tracker = await store.retrieve_full_tracker(message.sender_id)
            owner = first_verified_customer(tracker) if tracker is not None else None
            reusable = False
        if owner is not None and owner != customer:
            logger.warning("refused a message for %s: not its verified customer", message.sender_id)
            return Checked(_refusal(customer), tracker, False)
        if tracker is None:
            return Checked(Verdict("ok"), None, reusable)
        if not tracker.is_paused():
            return Checked(Verdict("ok", conversations.state_of(tracker, paused=False)), tracker, reusable)
        state = await conversations.store_paused(agent, tracker, message)
        return Checked(Verdict("paused", state), tracker, False)

    async def admit(self, agent: Agent | None, message: UserMessage) -> Verdict:
        """``screen``, then ``check`` under the conversation's lock (for callers that run no bot after it)."""
        screened = await self.screen(agent, message)
        if screened is not None:
            return screened
        if agent is None:
            return Verdict("ok")
        async with agent.lock_store.lock(message.sender_id):
            return (await self.check(agent, message)).verdict
