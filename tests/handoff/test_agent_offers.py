"""Offers an agent makes count toward the same caps, under the same lock."""

from __future__ import annotations

import pytest

from tactful import wiring
from tactful.services.agent_offers import AgentOfferRequest
from tactful.services.clock import utcnow
from tests.support.shop import offer_events


def offer(
    customer: str, conversation: str, offer_id: str = "camera-memory-card", variant: str = "plain"
) -> AgentOfferRequest:
    return AgentOfferRequest(customer, conversation, "socketio", "support", offer_id, variant)


def test_an_agent_offer_is_recorded_then_the_conversation_cap_holds(handoff_env: str) -> None:
    service = wiring.agent_offers()
    first = service.record(offer("C001", "web-1:1"), utcnow())
    assert first.recorded and first.offer is not None
    assert first.offer.target_sku == "SD-128" and "128 GB" in first.offer.message
    (impression,) = offer_events(handoff_env, "C001", "impression")
    assert (impression.source, impression.offer_id, impression.conversation_id) == (
        "agent",
        "camera-memory-card",
        "web-1:1",
    )
    second = service.record(offer("C001", "web-1:1", variant="discount"), utcnow())
    assert not second.recorded
    assert "cap:conversation" in second.reasons
    assert "already shown in this conversation" in second.explanation
    # Every attempt is logged as a decision, the refused one included.
    decisions = offer_events(handoff_env, "C001", "decision")
    assert [d.reasons for d in decisions] == [["offer:camera-memory-card/plain"], list(second.reasons)]
    assert len(offer_events(handoff_env, "C001", "impression")) == 1


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        ("C007", "gate:holdout"),
        ("C008", "consent:opted_out"),
        ("C009", "suppressed:decline_pause_30d"),
        ("C005", "agent:not_eligible"),
        ("NOPE", "gate:unverified"),
    ],
)
def test_holdout_consent_declines_and_eligibility_still_apply(
    handoff_env: str, customer: str, reason: str
) -> None:
    result = wiring.agent_offers().record(offer(customer, "web-2:1"), utcnow())
    assert not result.recorded
    assert reason in result.reasons
    assert not [e for e in offer_events(handoff_env, customer, "impression") if e.source == "agent"]


def test_an_unknown_offer_or_variant_is_refused(handoff_env: str) -> None:
    service = wiring.agent_offers()
    assert service.record(offer("C001", "web-3:1", offer_id="free-lunch"), utcnow()).unknown_offer
    assert service.record(offer("C001", "web-3:1", variant="zzz"), utcnow()).unknown_offer
    assert offer_events(handoff_env, "C001") == []
