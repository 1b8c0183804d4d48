"""Offers through the real actions: timing, answers, consent, and records."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.checkout import ActionCartQuestion
from actions.offers import ActionOfferResponse, ActionStopOffers, ActionWhyOffer
from actions.orders import ActionOrderStatus
from actions.returns import ActionReturnPolicy
from actions.yes_no import ActionAffirm, ActionDeny
from tactful.services.support import cart_for
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, said, slot_events
from tests.support.roots import rebuild_root
from tests.support.shop import offer_events

CONVERSATION_START = 1_700_000_000.0


def _offer_for(customer: str, intent: str = "order_status", text: str = "where is my order?", turns: int = 1):
    action = ActionCartQuestion() if intent == "cart_question" else ActionOrderStatus()
    tracker = make_tracker(text, intent, customer, earlier_user_turns=turns, session_start=CONVERSATION_START)
    messages, events = run_action(action, tracker)
    return messages, slot_events(events).get("pending_offer")


def _buttons(messages: list[dict]) -> list[dict]:
    return [button for message in messages for button in message.get("buttons") or []]


def _pending_tracker(text: str, intent: str, customer: str, pending: dict, turns: int = 2):
    return make_tracker(
        text,
        intent,
        customer,
        slots={"pending_offer": pending},
        earlier_user_turns=turns,
        session_start=CONVERSATION_START,
    )


def test_no_offer_on_the_first_turn(shop: str) -> None:
    messages, pending = _offer_for("C001", turns=0)
    assert pending is None
    assert not _buttons(messages)
    decisions = offer_events(shop, "C001", "decision")
    assert "gate:first_turn" in decisions[-1].reasons


def test_offer_after_a_resolved_request_has_reason_price_and_two_buttons(shop: str) -> None:
    messages, pending = _offer_for("C001")
    assert pending is not None and pending["target_sku"] in {"SD-64", "SD-128", "BAT-X", "BAG-CAM"}
    offer_text = messages[-1]["text"]
    assert "Aurora X100" in offer_text  # the reason
    assert pending["final_price"].split(".")[0] in offer_text.replace(",", "")  # the real price
    buttons = _buttons(messages)
    assert [button["payload"] for button in buttons] == ["/accept_offer", "/decline_offer"]
    assert buttons[1]["title"] == "No thanks"
    impressions = offer_events(shop, "C001", "impression")
    assert len(impressions) == 1 and impressions[0].channel == "rest"


def test_accepting_puts_the_item_in_the_cart_and_confirms(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, events = run_action(
        ActionOfferResponse(), _pending_tracker("/accept_offer", "accept_offer", "C001", pending)
    )
    assert "in your cart" in said(messages)
    assert slot_events(events)["pending_offer"] is None
    cart = cart_for(lambda: uow_for(shop), "C001")
    assert [line.sku for line in cart.lines] == [pending["target_sku"]]
    assert len(offer_events(shop, "C001", "accepted")) == 1


@pytest.mark.parametrize("reply", ["no thanks", "not now", "I'm good", "maybe later", "/decline_offer"])
def test_a_decline_gets_one_short_line_and_is_recorded(shop: str, reply: str) -> None:
    _, pending = _offer_for("C001")
    intent = "decline_offer" if reply.startswith("/") else "deny"
    action = ActionOfferResponse() if intent == "decline_offer" else ActionDeny()
    messages, _ = run_action(action, _pending_tracker(reply, intent, "C001", pending))
    assert len(messages) == 1
    assert "sure" not in said(messages).lower()
    assert len(offer_events(shop, "C001", "declined")) == 1
    assert cart_for(lambda: uow_for(shop), "C001").is_empty


def test_an_unclear_yes_counts_as_no(shop: str) -> None:
    _, pending = _offer_for("C001")
    run_action(ActionAffirm(), _pending_tracker("hmm, maybe, not sure", "affirm", "C001", pending))
    assert cart_for(lambda: uow_for(shop), "C001").is_empty
    assert not offer_events(shop, "C001", "accepted")


def test_compound_reply_records_the_decline_and_answers_the_question(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(
        ActionOrderStatus(),
        _pending_tracker("no thanks, but when does my order ship?", "order_status", "C001", pending, turns=3),
    )
    assert len(offer_events(shop, "C001", "declined")) == 1
    assert "Order " in said(messages)
    assert not _buttons(messages)


def test_an_ignored_offer_is_recorded_and_not_chased(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(
        ActionReturnPolicy(),
        _pending_tracker("what is your return policy", "return_policy", "C001", pending, turns=3),
    )
    assert len(offer_events(shop, "C001", "ignored")) == 1
    assert not _buttons(messages)  # at most one offer per conversation
    assert "30 days" in said(messages)


def test_why_am_i_seeing_this_gives_the_reason(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(
        ActionWhyOffer(), _pending_tracker("why am I seeing this?", "why_offer", "C001", pending)
    )
    assert pending["reason"] in said(messages)


def test_stop_suggesting_things_turns_offers_off_everywhere(shop: str) -> None:
    messages, _ = run_action(
        ActionStopOffers(),
        make_tracker("stop suggesting things", "stop_offers", "C001", earlier_user_turns=1),
    )
    assert len(messages) == 1 and "no more suggestions" in said(messages)
    assert len(offer_events(shop, "C001", "opted_out")) == 1
    tracker = make_tracker(
        "where is my order?", "order_status", "C001", earlier_user_turns=2, channel="slack"
    )
    later, _ = run_action(ActionOrderStatus(), tracker)
    assert not _buttons(later)


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        ("C004", "gate:open_delivery"),
        ("C007", "gate:holdout"),
        ("C008", "consent:opted_out"),
        ("C009", "suppressed:decline_pause_30d"),
        ("C002", None),
    ],
)
def test_customers_who_must_not_get_an_offer_do_not(shop: str, customer: str, reason: str | None) -> None:
    messages, pending = _offer_for(customer)
    assert pending is None and not _buttons(messages)
    if reason is not None:
        decisions = offer_events(shop, customer, "decision")
        if decisions:
            assert reason in decisions[-1].reasons


def test_checkout_offer_relates_to_the_cart(shop: str) -> None:
    messages, pending = _offer_for("C010", intent="cart_question", text="what's in my cart?")
    assert pending is not None
    assert "X200" in messages[-1]["text"]


def test_a_broken_policy_file_means_no_offer_but_support_works(
    shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "policy.yml"
    bad.write_text("caps:\n  per_conversation: -1\n")
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(bad))
    rebuild_root()
    messages, pending = _offer_for("C001")
    assert pending is None
    assert "Aurora X100" in said(messages)
    from actions import runtime

    assert runtime.policy_provider().status().ok is False


def test_basic_plan_customer_is_offered_pro_and_accepting_gives_the_upgrade_link(shop: str) -> None:
    messages, pending = _offer_for("C006")
    assert pending is not None and pending["target_sku"] == "PLAN-PRO"
    assert "Pro" in messages[-1]["text"]
    accepted, _ = run_action(ActionAffirm(), _pending_tracker("yes please", "affirm", "C006", pending))
    assert "upgrade" in said(accepted).lower() and "PLAN-PRO" in said(accepted)
    assert cart_for(lambda: uow_for(shop), "C006").is_empty  # an upgrade is a link, not a cart line


def test_an_offer_accepted_twice_or_by_someone_else_is_no_longer_available(shop: str) -> None:
    _, pending = _offer_for("C001")
    accept = _pending_tracker("/accept_offer", "accept_offer", "C001", pending)
    run_action(ActionOfferResponse(), accept)
    again, _ = run_action(ActionOfferResponse(), accept)
    assert "isn't available any more" in said(again)
    other, _ = run_action(
        ActionOfferResponse(), _pending_tracker("/accept_offer", "accept_offer", "C005", pending)
    )
    assert "isn't available any more" in said(other)
    assert len(offer_events(shop, "C001", "accepted")) == 1
    assert not offer_events(shop, "C005", "accepted")
    assert [line.quantity for line in cart_for(lambda: uow_for(shop), "C001").lines] == [1]
    assert cart_for(lambda: uow_for(shop), "C005").is_empty
