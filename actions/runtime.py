"""Per-process wiring of the services the actions use.

Only factories and caches live here; every database session is opened and
closed inside one service call.
"""

from __future__ import annotations

import functools

from tactful.services.offers import OfferService
from tactful.services.policy_provider import PolicyProvider
from tactful.settings import Settings, load_settings
from tactful.store.unit_of_work import UnitOfWork, uow_for


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def new_uow() -> UnitOfWork:
    current = settings()
    return uow_for(current.shop_db_url, current.db_timeout_seconds)


@functools.lru_cache(maxsize=1)
def policy_provider() -> PolicyProvider:
    return PolicyProvider(settings().policy_file)


@functools.lru_cache(maxsize=1)
def offer_service() -> OfferService:
    return OfferService(new_uow, policy_provider())
