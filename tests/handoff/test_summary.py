"""The helpdesk summary, built from plain data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tactful.engine.decide import AgentAdvice
from tactful.engine.model import Offer
from tactful.handoff.summary import (
    CustomerFacts,
    ShownOffer,
    SummaryInput,
    TranscriptLine,
    advice_json,
    build_summary,
    offers_json,
    session_intents,
    topic_of,
    transcript,
)
from tactful.services.views import OrderView

NOW = datetime(2026, 3, 1, 12, 0, 0)
EVENTS = [
    {"event": "session_started", "timestamp": 100.0},
    {"event": "user", "text": "old session", "timestamp": 101.0},
    {"event": "session_started", "timestamp": 200.0},
    {"event": "user", "text": "where is order 12345?", "timestamp": 201.0,
     "parse_data": {"intent": {"name": "order_status"}}},
    {"event": "bot", "text": "It was delivered.", "timestamp": 202.0},
    {"event": "bot", "text": "I'm on it.", "timestamp": 203.0, "metadata": {"source": "agent"}},
    {"event": "user", "text": "I want a human", "timestamp": 204.0,
     "parse_data": {"intent": {"name": "human_handoff"}}},
    {"event": "bot", "text": "", "timestamp": 205.0},
]  # fmt: skip


def test_transcript_keeps_the_current_session_and_who_said_what() -> None:
    lines = transcript(EVENTS)
    assert [(line.author, line.text) for line in lines] == [
        ("customer", "where is order 12345?"),
        ("assistant", "It was delivered."),
        ("agent", "I'm on it."),
        ("customer", "I want a human"),
    ]
    assert transcript(EVENTS, limit=2)[0].text == "I'm on it."
    assert lines[0].at is not None and lines[0].at.year == 1970


def test_topic_prefers_the_settled_topic_then_the_last_real_intent() -> None:
    intents = session_intents(EVENTS)
    assert intents == ["order_status", "human_handoff"]
    assert topic_of("delivery_problem", intents) == "delivery_problem"
    assert topic_of(None, intents) == "order_status"
    assert topic_of(None, ["greet", "human_handoff"]) is None


def _shown(kind: str, offer_id: str, conversation: str, minute: int) -> ShownOffer:
    return ShownOffer(
        kind,
        offer_id,
        "a",
        "memory_card",
        "SD-128",
        Decimal("39.99"),
        NOW.replace(minute=minute),
        conversation,
        "bot",
    )


def test_offers_list_this_conversations_offers_and_declines_elsewhere_all_do_not_pitch() -> None:
    events = [
        _shown("impression", "card", "here", 1),
        _shown("ignored", "card", "here", 2),
        _shown("impression", "bag", "earlier", 3),
        _shown("declined", "bag", "earlier", 4),
        _shown("impression", "tripod", "earlier", 5),  # shown elsewhere, not declined: not listed
    ]
    listed = offers_json(events, "here")
    assert [(o["offer_id"], o["outcome"], o["in_this_conversation"]) for o in listed] == [
        ("card", "ignored", True),
        ("bag", "declined", False),
    ]
    assert all(o["do_not_pitch"] for o in listed)
    assert "this conversation" in listed[0]["why"]
    assert "declined on 2026-03-01" in listed[1]["why"]


def test_advice_carries_the_offer_and_reason_or_do_not_pitch() -> None:
    offer = Offer(
        offer_id="card", variant_id="a", kind="cross_sell", target_sku="SD-128", target_name="128 GB card",
        category="memory_card", price=Decimal("39.99"), discount_percent=Decimal("0"),
        final_price=Decimal("39.99"), message="Add the card?", reason="You bought a camera.",
        accept_label="Add", link="/cart/add?sku=SD-128",
    )  # fmt: skip
    pitch = advice_json(AgentAdvice(offer, False, ("offer:card/a",), "Mention it once."))
    assert pitch["do_not_pitch"] is False
    assert pitch["offer"]["reason"] == "You bought a camera."
    assert pitch["offer"]["final_price"] == "39.99"
    quiet = advice_json(AgentAdvice(None, True, ("gate:frustrated",), "Do not pitch: frustrated."))
    assert quiet == {
        "do_not_pitch": True,
        "offer": None,
        "reasons": ["gate:frustrated"],
        "text": "Do not pitch: frustrated.",
    }
    assert advice_json(None)["do_not_pitch"] is True


def test_build_summary_has_every_section() -> None:
    order = OrderView(
        id="12345", status="delivered", placed_at=NOW, shipped_at=NOW, delivered_at=NOW, expected_delivery=None,
        items=(("Aurora X100 camera", 1),), total=Decimal("499.00"), late=False,
    )  # fmt: skip
    summary = build_summary(
        SummaryInput(
            conversation_id="web-1:200",
            channel="socketio",
            reason="requested",
            stage="support",
            requested_at=NOW,
            customer=CustomerFacts("C001", "Alice Archer", "alice@example.com", "United Kingdom"),
            topic="order_status",
            intents=("order_status", "human_handoff"),
            order=order,
            open_issues=("delivery",),
            messages=(TranscriptLine("customer", "hi", NOW),),
            offers=(),
            advice=None,
        )
    )
    assert summary["version"] == 1
    assert summary["customer"] == {
        "verified": True,
        "id": "C001",
        "name": "Alice Archer",
        "email": "alice@example.com",
        "region": "United Kingdom",
    }
    assert summary["reason_text"] == "the customer asked for a person"
    assert summary["requested_at"] == "2026-03-01T12:00:00Z"
    assert summary["order"]["items"] == [{"name": "Aurora X100 camera", "quantity": 1}]
    assert summary["order"]["total"] == "499.00"
    assert summary["last_messages"] == [{"from": "customer", "text": "hi", "at": "2026-03-01T12:00:00Z"}]
    assert summary["open_issues"] == ["delivery"]
    assert summary["advice"]["do_not_pitch"] is True
