"""The action server's handle on its composition root (tactful.bootstrap).

Actions are built by rasa-sdk without arguments, so they reach their services
through the process's root; tests install a root of their own.
"""

from __future__ import annotations

from tactful import bootstrap
from tactful.replies import ReplyClassifier
from tactful.services.offers import OfferService
from tactful.services.policy_provider import PolicyProvider
from tactful.settings import Settings
from tactful.store.unit_of_work import UnitOfWork


def settings() -> Settings:
    return bootstrap.root().settings


def new_uow() -> UnitOfWork:
    return bootstrap.root().new_uow()


def policy_provider() -> PolicyProvider:
    return bootstrap.root().policy_provider


def offer_service() -> OfferService:
    return bootstrap.root().offers


def reply_classifier() -> ReplyClassifier:
    return bootstrap.root().replies
