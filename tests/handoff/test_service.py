"""The handoff service against a real demo database (SQLite and PostgreSQL)
and a real local helpdesk receiver."""

from __future__ import annotations

from datetime import timedelta

from tactful import wiring
from tactful.engine.model import ConversationContext
from tactful.handoff.delivery import FIRST_ATTEMPT_GRACE
from tactful.handoff.intake import HandoffRequest
from tactful.handoff.summary import TranscriptLine
from tactful.services.clock import utcnow
from tactful.store.unit_of_work import uow_for
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.shop import order_ids_of


def request_for(
    customer: str | None, conversation: str, reason: str = "requested", **extra: object
) -> HandoffRequest:
    context = ConversationContext(customer_id=customer, conversation_id=conversation, channel="rest")
    fields: dict = dict(
        conversation_id=conversation,
        channel="rest",
        customer_id=customer,
        reason=reason,
        topic="order_status",
        intents=("order_status", "human_handoff"),
        messages=(
            TranscriptLine("customer", "where is my order", None),
            TranscriptLine("customer", "a human please", None),
        ),
        open_issues=(),
        mentioned_orders=(),
        stage="support",
        advice=wiring.agent_offers().advise(context, utcnow()),
    )
    fields.update(extra)
    return HandoffRequest(**fields)


def start(request: HandoffRequest) -> tuple[int, bool]:
    service = wiring.handoff_service()
    handoff_id = service.create(request, utcnow())
    return handoff_id, service.deliver(handoff_id)


def test_summary_reaches_the_helpdesk_with_customer_order_messages_and_advice(
    handoff_env: str, receiver: HelpdeskReceiver
) -> None:
    handoff_id, delivered = start(request_for("C001", "web-1:100"))
    assert delivered
    (event,) = receiver.of_type("handoff.created")
    assert event["id"] == f"handoff-{handoff_id}"
    assert event["conversation_id"] == "web-1:100"
    summary = event["summary"]
    assert summary["customer"]["id"] == "C001" and summary["customer"]["name"] == "Alice Archer"
    assert summary["topic"] == "order_status"
    assert summary["order"]["id"] == order_ids_of(handoff_env, "C001")[0]
    assert [m["text"] for m in summary["last_messages"]] == ["where is my order", "a human please"]
    assert summary["offers"] == []
    advice = summary["advice"]
    assert advice["do_not_pitch"] is False
    assert advice["offer"]["offer_id"] == "camera-memory-card"
    assert advice["offer"]["target_sku"] == "SD-128"
    assert "You bought the Aurora X100" in advice["offer"]["reason"]
    assert wiring.handoff_service().find("web-1:100").status == "active"


def test_the_mentioned_order_wins_over_the_latest(handoff_env: str, receiver: HelpdeskReceiver) -> None:
    orders = order_ids_of(handoff_env, "C001")
    start(request_for("C001", "web-2:100", mentioned_orders=("999999", orders[-1])))
    assert receiver.of_type("handoff.created")[0]["summary"]["order"]["id"] == orders[-1]


def test_declined_offers_are_listed_and_the_advice_is_do_not_pitch(
    handoff_env: str, receiver: HelpdeskReceiver
) -> None:
    start(request_for("C009", "web-3:100"))
    summary = receiver.of_type("handoff.created")[0]["summary"]
    assert {(o["offer_id"], o["outcome"]) for o in summary["offers"]} == {
        ("camera-battery", "declined"),
        ("plan-upgrade", "declined"),
    }
    assert all(o["do_not_pitch"] for o in summary["offers"])
    assert summary["advice"]["do_not_pitch"] is True
    assert "suppressed:decline_pause_30d" in summary["advice"]["reasons"]


def test_an_anonymous_customer_gets_no_customer_data(handoff_env: str, receiver: HelpdeskReceiver) -> None:
    start(request_for(None, "web-4:100", reason="fallbacks"))
    summary = receiver.of_type("handoff.created")[0]["summary"]
    assert summary["customer"] == {"verified": False}
    assert summary["order"] is None
    assert summary["reason"] == "fallbacks"
    assert summary["advice"]["do_not_pitch"] is True and "gate:unverified" in summary["advice"]["reasons"]


def test_helpdesk_down_keeps_everything_queued_then_retry_delivers_in_order(
    handoff_env: str, receiver: HelpdeskReceiver
) -> None:
    service = wiring.handoff_service()
    receiver.mode = "fail"
    handoff_id, delivered = start(request_for("C001", "web-5:100"))
    assert not delivered
    assert service.forward("web-5:100", "hello? anyone?", utcnow()) == "queued"
    with uow_for(handoff_env) as work:
        row = work.handoffs.get(handoff_id)
        assert (row.status, row.attempts) == ("pending", 2)
        assert "500" in row.last_error
    receiver.mode = "ok"
    # Due at once? No: each failure set a backoff (0.2 s, then 0.4 s).
    deadline = utcnow() + timedelta(seconds=10)
    while not receiver.of_type("handoff.message") and utcnow() < deadline:
        service.retry_pending(utcnow())
    assert [e["type"] for e in (r.event for r in receiver.events)] == ["handoff.created", "handoff.message"]
    assert receiver.of_type("handoff.message")[0]["message"]["text"] == "hello? anyone?"
    assert service.find("web-5:100").status == "active"
    assert service.retry_pending(utcnow()) == 0  # nothing left to send
    assert len(receiver.events) == 2


def test_retry_leaves_a_brand_new_handoff_to_its_first_attempt(
    handoff_env: str, receiver: HelpdeskReceiver
) -> None:
    service = wiring.handoff_service()
    handoff_id = service.create(request_for("C001", "web-6:100"), utcnow())
    assert service.retry_pending(utcnow()) == 0
    assert receiver.events == []
    assert service.retry_pending(utcnow() + FIRST_ATTEMPT_GRACE + timedelta(seconds=1)) == 1
    assert receiver.of_type("handoff.created")[0]["handoff_id"] == handoff_id


def test_messages_while_handed_over_reach_the_helpdesk(handoff_env: str, receiver: HelpdeskReceiver) -> None:
    service = wiring.handoff_service()
    start(request_for("C001", "web-7:100"))
    assert service.forward("web-7:100", "first", utcnow()) == "delivered"
    assert service.forward("web-7:100", "second", utcnow()) == "delivered"
    texts = [e["message"]["text"] for e in receiver.of_type("handoff.message", "web-7:100")]
    assert texts == ["first", "second"]
    assert service.forward("no-such:1", "hello", utcnow()) == "no_handoff"


def test_replies_held_for_the_customer_are_taken_once_and_close_ends_it(
    handoff_env: str, receiver: HelpdeskReceiver
) -> None:
    service = wiring.handoff_service()
    handoff_id, _ = start(request_for("C001", "web-8:100"))
    service.add_for_customer(handoff_id, "Hi, I'm Sam.", "agent", False, utcnow())
    service.add_for_customer(handoff_id, "pushed already", "agent", True, utcnow())
    service.add_for_customer(handoff_id, "Back to the bot.", "system", False, utcnow())
    assert service.take_for_customer("web-8:100") == ["Hi, I'm Sam.", "Back to the bot."]
    assert service.take_for_customer("web-8:100") == []
    service.close(handoff_id, utcnow())
    info = service.find("web-8:100")
    assert info.status == "closed" and not info.is_open
    assert service.forward("web-8:100", "after handback", utcnow()) == "no_handoff"
