"""Reading a customer's reply to an offer (docs/architecture.md, "Consent").

A trained classifier (``model``) decides; a few hand rules (``vetoes``) can
only move its answer toward the safe side: away from accepting, away from
opting out of everything, away from recording a decline for a thank-you.
Training data lives in ``training/offer_replies.yml``.
"""

from tactful.replies.classifier import ReplyClass, ReplyClassifier, classify_consent_request
from tactful.replies.labels import ReplyLabel

__all__ = ["ReplyClass", "ReplyClassifier", "ReplyLabel", "classify_consent_request"]
