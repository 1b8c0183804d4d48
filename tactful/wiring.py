"""The handoff's handle on its process's composition root (tactful.bootstrap).

Used by the Rasa-side channels (pause, helpdesk) and the handoff actions.
"""

from __future__ import annotations

from tactful import bootstrap
from tactful.handoff.service import HandoffService
from tactful.services.agent_offers import AgentOffers
from tactful.settings import HelpdeskSettings
from tactful.store.unit_of_work import UnitOfWork


def helpdesk_settings() -> HelpdeskSettings:
    return bootstrap.root().settings.helpdesk


def new_uow() -> UnitOfWork:
    return bootstrap.root().new_uow()


def agent_offers() -> AgentOffers:
    return bootstrap.root().agent_offers


def handoff_service() -> HandoffService:
    return bootstrap.root().handoff
