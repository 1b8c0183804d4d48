"""Whole conversations over REST for every demo customer: when offers appear,
what they say, and what is recorded. `rasa test` cannot check these because it
runs no actions and carries no metadata."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from tests.support.assistant import Assistant, texts
from tests.support.shop import offer_events, order_ids_of

pytestmark = pytest.mark.e2e
_ids = itertools.count()


def _sender(customer: str) -> str:
    return f"offer-{customer}-{next(_ids)}"


def _buttons(messages: list[dict]) -> list[dict]:
    return [button for message in messages for button in message.get("buttons") or []]


def _chat(
    assistant: Assistant, customer: str, question: str = "where is my order?"
) -> tuple[str, list[dict]]:
    sender = _sender(customer)
    first = assistant.say(sender, "hi", customer=customer)
    assert not _buttons(first), "never an offer on the first turn"
    return sender, assistant.say(sender, question, customer=customer)


def test_alice_gets_one_relevant_offer_and_no_thanks_ends_it(assistant: Assistant) -> None:
    sender, reply = _chat(assistant, "C001")
    assert any(order_id in texts(reply) for order_id in order_ids_of(assistant.shop_db_url, "C001"))
    buttons = _buttons(reply)
    assert [button["payload"] for button in buttons] == ["/accept_offer", "/decline_offer"]
    assert buttons[1]["title"] == "No thanks"
    offer = reply[-1]["text"]
    assert "X100" in offer and "£" in offer
    declined = assistant.say(sender, "/decline_offer", customer="C001")
    assert len(declined) == 1 and "sure" not in texts(declined).lower()
    later = assistant.say(sender, "what's the price of the 128 GB SD card?", customer="C001")
    assert "£39.99" in texts(later)
    assert not _buttons(later)
    assert len(offer_events(assistant.shop_db_url, "C001", "declined")) >= 1


def test_checkout_customer_gets_a_cart_related_offer_and_accepting_fills_the_cart(
    assistant: Assistant,
) -> None:
    sender, reply = _chat(assistant, "C010", "what's in my cart?")
    assert "Aurora X200 camera" in texts(reply)
    assert _buttons(reply), "a cart question in checkout is the moment for an add-on"
    accepted = assistant.say(sender, "yes please", customer="C010")
    assert "in your cart" in texts(accepted) or "upgrade" in texts(accepted)
    cart = assistant.say(sender, "what's in my cart now?", customer="C010")
    assert texts(cart).count("×") >= 2
    assert not _buttons(cart), "at most one offer per conversation"


def test_plan_customer_is_offered_the_next_tier(assistant: Assistant) -> None:
    _, reply = _chat(assistant, "C006")
    assert _buttons(reply) and "Pro" in reply[-1]["text"]
    impressions = offer_events(assistant.shop_db_url, "C006", "impression")
    assert [event.target_sku for event in impressions] == ["PLAN-PRO"]


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        ("C002", None),
        ("C004", "gate:open_delivery"),
        ("C005", None),
        ("C007", "gate:holdout"),
        ("C008", "consent:opted_out"),
        ("C009", "suppressed:decline_pause_30d"),
    ],
)
def test_customers_who_must_not_be_pitched_are_not(
    assistant: Assistant, customer: str, reason: str | None
) -> None:
    seeded = len(offer_events(assistant.shop_db_url, customer, "impression"))
    _, reply = _chat(assistant, customer)
    assert not _buttons(reply)
    assert len(offer_events(assistant.shop_db_url, customer, "impression")) == seeded
    if reason:
        decisions = offer_events(assistant.shop_db_url, customer, "decision")
        assert decisions and reason in decisions[-1].reasons


def test_returned_item_is_never_offered_again(assistant: Assistant) -> None:
    _chat(assistant, "C003")
    impressions = offer_events(assistant.shop_db_url, "C003", "impression")
    assert all(event.target_sku != "SD-64" for event in impressions)


def test_unshipped_order_can_be_cancelled_after_confirmation(assistant: Assistant) -> None:
    sender, reply = _chat(assistant, "C011", "please cancel my order")
    assert "Do you want me to cancel it?" in texts(reply)
    done = assistant.say(sender, "yes", customer="C011")
    assert "is cancelled" in texts(done)


def test_anonymous_visitors_get_no_offer(assistant: Assistant) -> None:
    sender = _sender("anon")
    assistant.say(sender, "hi")
    reply = assistant.say(sender, "how much is the X200 camera?")
    assert "£749.00" in texts(reply)
    assert not _buttons(reply)


def test_stop_suggesting_things_is_confirmed_and_holds_across_conversations(assistant: Assistant) -> None:
    sender = _sender("C001")
    assistant.say(sender, "hi", customer="C001")
    stop = assistant.say(sender, "please stop suggesting things to me", customer="C001")
    assert len(stop) == 1 and "no more suggestions" in texts(stop)
    sender2, reply = _chat(assistant, "C001", "how much is the 64 GB SD card?")
    assert not _buttons(reply)
    back = assistant.say(sender2, "you can suggest things again", customer="C001")
    assert "suggest" in texts(back)


def test_support_carries_on_when_the_shop_database_breaks_mid_conversation(assistant: Assistant) -> None:
    database = assistant.shop_db_url.removeprefix("sqlite:///")
    sender = _sender("C006")
    assistant.say(sender, "hi", customer="C006")
    # Break the shop database under the running servers (their pooled
    # connections included): the tables the answers and offers read vanish.
    _rename_tables(database, "", "_broken")
    try:
        general = assistant.say(sender, "what is your return policy?", customer="C006")
        assert "30 days" in texts(general)
        assert not _buttons(general)
        orders = assistant.say(sender, "where is my order?", customer="C006")
        assert "can't look that up right now" in texts(orders)
    finally:
        _rename_tables(database, "_broken", "")
    recovered = assistant.say(sender, "where is my order?", customer="C006")
    assert any(order_id in texts(recovered) for order_id in order_ids_of(assistant.shop_db_url, "C006"))


def _rename_tables(database: str, old_suffix: str, new_suffix: str) -> None:
    with sqlite3.connect(database, timeout=30) as connection:
        for table in ("orders", "order_lines", "customers"):
            connection.execute(f"ALTER TABLE {table}{old_suffix} RENAME TO {table}{new_suffix}")
