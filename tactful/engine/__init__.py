"""Tactful's offer engine: pure Python, no Rasa, no database.

Inputs are plain frozen dataclasses (``model``) and a validated ``Policy``;
the output is a ``Decision`` with reason codes and a trace. See docs/policy.md.
Mining (numpy/scipy) lives in ``tactful.engine.mining`` and is imported on demand.

The decision itself is ``from tactful.engine.decide import decide``; it is not
re-exported here, because the name would hide the ``decide`` module (and break
``mock.patch("tactful.engine.decide....")``).
"""

from tactful.engine.caps import caps_allow
from tactful.engine.consent import is_opted_out
from tactful.engine.decide import AgentAdvice, advice_for_agent
from tactful.engine.history import required_history_days
from tactful.engine.holdout import in_holdout
from tactful.engine.messages import why_text
from tactful.engine.model import (
    ArmStats,
    CartLine,
    ConversationContext,
    CoPurchaseRule,
    CustomerSnapshot,
    Decision,
    Offer,
    OfferEvent,
    Product,
    Purchase,
)
from tactful.engine.policy import Policy, PolicyError, parse_policy_text, policy_from_data

__all__ = [
    "AgentAdvice",
    "ArmStats",
    "CartLine",
    "CoPurchaseRule",
    "ConversationContext",
    "CustomerSnapshot",
    "Decision",
    "Offer",
    "OfferEvent",
    "Policy",
    "PolicyError",
    "Product",
    "Purchase",
    "advice_for_agent",
    "caps_allow",
    "in_holdout",
    "is_opted_out",
    "parse_policy_text",
    "policy_from_data",
    "required_history_days",
    "why_text",
]
