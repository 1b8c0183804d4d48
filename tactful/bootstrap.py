"""The composition root: every long-lived service of a process, built once.

In the style of cosmicpython's ``bootstrap.py``: settings come in, wired
services come out, and nothing else in the code base builds a service from
the environment. The action server, the Rasa process (channels, handoff) and
the demo page each use one ``Root``. A test builds its own ``Root`` from its
own ``Settings`` and installs it for the duration of the test (``installed``),
so no cache ever needs clearing.

Services are built lazily, on first use, because a process uses only some of
them (the Rasa process never links accounts; the action server never guards
replays) and a few need settings that only their process must have.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from tactful.dedupe import MemoryRetryFilter, RedisRetryFilter, RetryFilter
from tactful.handoff.adapters import load_adapter
from tactful.handoff.claims import claims_for
from tactful.handoff.retry import Backoff
from tactful.handoff.service import HandoffService
from tactful.linking.codes import link_secret
from tactful.linking.delivery import delivery_for
from tactful.linking.service import LinkingService
from tactful.ratelimit import AsyncCounter, Counter, async_counter_for, counter_for
from tactful.replies import ReplyClassifier
from tactful.services.agent_offers import AgentOffers
from tactful.services.clock import utcnow
from tactful.services.offer_inputs import OfferInputs
from tactful.services.offers import OfferService
from tactful.services.policy_provider import PolicyProvider
from tactful.settings import Settings, load_settings
from tactful.signing import ReplayGuard
from tactful.store.unit_of_work import UnitOfWork, uow_for


class Root:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def new_uow(self) -> UnitOfWork:
        """A unit of work on the shop database (one session, one transaction)."""
        return uow_for(self.settings.shop_db_url, self.settings.db_timeout_seconds)

    @cached_property
    def policy_provider(self) -> PolicyProvider:
        return PolicyProvider(self.settings.policy_file)

    @cached_property
    def offer_inputs(self) -> OfferInputs:
        # One set of engine inputs (ranking cache, stored co-purchase rules)
        # for the bot's and the agents' offers, so a process reads them once.
        return OfferInputs()

    @cached_property
    def offers(self) -> OfferService:
        return OfferService(self.new_uow, self.policy_provider, inputs=self.offer_inputs)

    @cached_property
    def agent_offers(self) -> AgentOffers:
        return AgentOffers(self.new_uow, self.policy_provider, inputs=self.offer_inputs)

    @cached_property
    def replies(self) -> ReplyClassifier:
        return ReplyClassifier()

    @cached_property
    def handoff(self) -> HandoffService:
        helpdesk = self.settings.helpdesk
        return HandoffService(
            self.new_uow,
            load_adapter(helpdesk),
            Backoff(helpdesk.retry_seconds, helpdesk.retry_max_seconds),
            wait_seconds=helpdesk.timeout_seconds * 3,
            # One replica at a time works a handoff (tactful/handoff/claims.py).
            claims=claims_for(
                self.settings.shop_db_url, self.settings.redis_url, self.settings.db_timeout_seconds
            ),
        )

    @cached_property
    def counter(self) -> Counter:
        return counter_for(self.settings.redis_url)

    @cached_property
    def async_counter(self) -> AsyncCounter:
        return async_counter_for(self.settings.redis_url)

    @cached_property
    def linking(self) -> LinkingService:
        return LinkingService(
            self.new_uow,
            delivery_for(self.settings.link_delivery),
            link_secret(self.settings),
            utcnow,
            self.counter,
        )

    @cached_property
    def retry_filter(self) -> RetryFilter:
        ttl = self.settings.messaging.dedupe_ttl_seconds
        if self.settings.redis_url:
            return RedisRetryFilter(self.settings.redis_url, ttl)
        return MemoryRetryFilter(ttl)

    @cached_property
    def replay_guard(self) -> ReplayGuard:
        return ReplayGuard(self.settings.redis_url)


_root: Root | None = None
_lock = threading.Lock()


def root() -> Root:
    """This process's root, built from the environment on first use."""
    global _root
    with _lock:
        if _root is None:
            _root = Root(load_settings())
        return _root


def install(new_root: Root | None) -> None:
    """Make ``new_root`` this process's root (None: build from the environment again)."""
    global _root
    with _lock:
        _root = new_root


@contextmanager
def installed(new_root: Root) -> Iterator[Root]:
    """Use ``new_root`` inside the block, then restore the previous one (for tests)."""
    global _root
    with _lock:
        previous, _root = _root, new_root
    try:
        yield new_root
    finally:
        with _lock:
            _root = previous
