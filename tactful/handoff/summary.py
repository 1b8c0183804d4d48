"""The summary a helpdesk receives when a conversation is handed over.

Pure functions over plain data: the service gathers the facts from the store
and the engine, the actions give the transcript (Rasa's JSON events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from tactful.engine.decide import AgentAdvice
from tactful.services.views import OrderView

SUMMARY_VERSION = 1
LAST_MESSAGES = 10
MAX_TEXT_CHARS = 1000
REASONS = {
    "requested": "the customer asked for a person",
    "frustration": "the customer is frustrated",
    "fallbacks": "the assistant did not understand the customer twice in a row",
}
# Intents that say how the chat went, not what it is about.
_NOT_A_TOPIC = frozenset(
    {
        "human_handoff",
        "frustrated",
        "nlu_fallback",
        "greet",
        "goodbye",
        "thanks",
        "affirm",
        "deny",
        "bot_challenge",
        "out_of_scope",
    }
)


@dataclass(frozen=True)
class TranscriptLine:
    author: str  # "customer", "assistant" or "agent"
    text: str
    at: datetime | None


@dataclass(frozen=True)
class CustomerFacts:
    id: str
    name: str | None
    email: str | None
    region: str | None


@dataclass(frozen=True)
class ShownOffer:
    """One offer event of this customer, as the summary needs it."""

    kind: str  # impression, accepted, declined, ignored
    offer_id: str | None
    variant_id: str | None
    category: str | None
    target_sku: str | None
    price: Decimal | None
    at: datetime
    conversation_id: str | None
    source: str


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z (the store keeps naive UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def transcript(events: Iterable[Mapping[str, Any]], limit: int = LAST_MESSAGES) -> list[TranscriptLine]:
    """The last ``limit`` messages of the session in Rasa's JSON event format."""
    lines: list[TranscriptLine] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            lines = []
        text = event.get("text")
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            continue
        stamp = event.get("timestamp")
        at = datetime.fromtimestamp(float(stamp), timezone.utc) if stamp else None
        if kind == "user":
            author = "customer"
        else:
            metadata = event.get("metadata") or {}
            author = "agent" if metadata.get("source") == "agent" else "assistant"
        lines.append(TranscriptLine(author, _clip(text), at))
    return lines[-limit:]


def session_intents(events: Iterable[Mapping[str, Any]]) -> list[str]:
    intents: list[str] = []
    for event in events:
        if event.get("event") == "session_started":
            intents = []
        if event.get("event") == "user":
            name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if name:
                intents.append(str(name))
    return intents


def topic_of(last_topic: str | None, intents: Sequence[str]) -> str | None:
    """What the chat is about: the last topic an action settled, else the last real intent."""
    if last_topic:
        return last_topic
    return next((intent for intent in reversed(intents) if intent not in _NOT_A_TOPIC), None)


def customer_json(customer: CustomerFacts | None) -> dict[str, Any]:
    if customer is None:
        return {"verified": False}
    return {
        "verified": True,
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "region": customer.region,
    }


def order_json(order: OrderView | None) -> dict[str, Any] | None:
    if order is None:
        return None
    return {
        "id": order.id,
        "status": order.status,
        "late": order.late,
        "placed_at": iso(order.placed_at),
        "shipped_at": iso(order.shipped_at),
        "delivered_at": iso(order.delivered_at),
        "expected_delivery": iso(order.expected_delivery),
        "items": [{"name": name, "quantity": quantity} for name, quantity in order.items],
        "total": str(order.total),
    }


def _why_not(outcome: str, here: bool, at: datetime) -> str:
    day = at.date().isoformat()
    if outcome == "declined":
        return f"declined on {day}; the offer stays off for 90 days and its category for 14"
    if outcome == "accepted":
        return f"accepted on {day}; the customer already has it"
    if here:
        return "already shown in this conversation (one offer per conversation)"
    return f"shown on {day}; the same offer is shown at most once in 30 days"


def offers_json(events: Sequence[ShownOffer], conversation_id: str) -> list[dict[str, Any]]:
    """Offers shown in this conversation (with what happened) and offers declined elsewhere.

    Every entry is something the agent must not pitch again; ``why`` says why.
    """
    listed: dict[tuple[str | None, str | None, bool], dict[str, Any]] = {}
    for event in events:
        here = event.conversation_id == conversation_id
        key = (event.offer_id, event.variant_id, here)
        if event.kind == "impression":
            listed[key] = {
                "offer_id": event.offer_id,
                "variant_id": event.variant_id,
                "category": event.category,
                "target_sku": event.target_sku,
                "price": str(event.price) if event.price is not None else None,
                "shown_at": iso(event.at),
                "shown_by": event.source,
                "in_this_conversation": here,
                "outcome": "shown",
                "at": event.at,
            }
        elif event.kind in ("accepted", "declined", "ignored") and key in listed:
            listed[key]["outcome"] = event.kind
            listed[key]["at"] = event.at
    result = []
    for entry in listed.values():
        if not entry["in_this_conversation"] and entry["outcome"] != "declined":
            continue
        at = entry.pop("at")
        entry["do_not_pitch"] = True
        entry["why"] = _why_not(entry["outcome"], entry["in_this_conversation"], at)
        result.append(entry)
    return result


def advice_json(advice: AgentAdvice | None) -> dict[str, Any]:
    if advice is None:
        return {
            "do_not_pitch": True,
            "offer": None,
            "reasons": ["advice:unavailable"],
            "text": "Do not pitch: the offer engine could not be asked.",
        }
    offer = advice.offer
    return {
        "do_not_pitch": advice.do_not_pitch,
        "offer": None
        if offer is None
        else {
            "offer_id": offer.offer_id,
            "variant_id": offer.variant_id,
            "kind": offer.kind,
            "target_sku": offer.target_sku,
            "target_name": offer.target_name,
            "price": str(offer.price),
            "final_price": str(offer.final_price),
            "discount_percent": str(offer.discount_percent),
            "message": offer.message,
            "reason": offer.reason,
            "link": offer.link,
        },
        "reasons": list(advice.reasons),
        "text": advice.text,
    }


@dataclass(frozen=True)
class SummaryInput:
    conversation_id: str
    channel: str
    reason: str
    stage: str
    requested_at: datetime
    customer: CustomerFacts | None
    topic: str | None
    intents: tuple[str, ...]
    order: OrderView | None
    open_issues: tuple[str, ...]
    messages: tuple[TranscriptLine, ...]
    offers: tuple[ShownOffer, ...]
    advice: AgentAdvice | None


def build_summary(facts: SummaryInput) -> dict[str, Any]:
    return {
        "version": SUMMARY_VERSION,
        "conversation_id": facts.conversation_id,
        "channel": facts.channel,
        "reason": facts.reason,
        "reason_text": REASONS.get(facts.reason, facts.reason),
        "stage": facts.stage,
        "requested_at": iso(facts.requested_at),
        "customer": customer_json(facts.customer),
        "topic": facts.topic,
        "recent_intents": list(facts.intents[-LAST_MESSAGES:]),
        "order": order_json(facts.order),
        "open_issues": sorted(facts.open_issues),
        "last_messages": [
            {"from": line.author, "text": line.text, "at": iso(line.at)} for line in facts.messages
        ],
        "offers": offers_json(facts.offers, facts.conversation_id),
        "advice": advice_json(facts.advice),
    }
