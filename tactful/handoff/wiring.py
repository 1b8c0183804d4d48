"""Per-process wiring of the handoff service (Rasa server and action server).

Factories are cached; ``reset()`` clears them so tests can change the
environment between cases.
"""

from __future__ import annotations

import functools

from tactful.handoff.adapters import load_adapter
from tactful.handoff.config import HelpdeskSettings, load_helpdesk_settings
from tactful.handoff.retry import Backoff
from tactful.handoff.service import HandoffService
from tactful.services.agent_offers import AgentOffers
from tactful.services.policy_provider import PolicyProvider
from tactful.settings import load_settings
from tactful.store.unit_of_work import UnitOfWork, uow_for


@functools.lru_cache(maxsize=1)
def helpdesk_settings() -> HelpdeskSettings:
    return load_helpdesk_settings()


def new_uow() -> UnitOfWork:
    settings = load_settings()
    return uow_for(settings.shop_db_url, settings.db_timeout_seconds)


@functools.lru_cache(maxsize=1)
def agent_offers() -> AgentOffers:
    return AgentOffers(new_uow, PolicyProvider(load_settings().policy_file))


@functools.lru_cache(maxsize=1)
def handoff_service() -> HandoffService:
    settings = helpdesk_settings()
    return HandoffService(
        new_uow,
        load_adapter(settings),
        Backoff(settings.retry_seconds, settings.retry_max_seconds),
        wait_seconds=settings.timeout_seconds * 3,
    )


def reset() -> None:
    for factory in (helpdesk_settings, agent_offers, handoff_service):
        factory.cache_clear()
