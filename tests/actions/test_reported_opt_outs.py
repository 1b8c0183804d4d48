"""Opt-out wordings a black-box tester found missed (F3), and the ones that must not opt out.

"Stop suggesting things" in any words turns offers off everywhere, whatever
intent the NLU gives the message; a stop said to an open offer opts out.
"""

from __future__ import annotations

import pytest

from actions.assistance import ActionFallback, ActionHumanHandoff
from actions.checkout import ActionCoupon
from actions.linking import ActionLinkAccount
from actions.offering import OPT_OUT_CONFIRMATION
from actions.offers import ActionStopOffers
from actions.orders import ActionCancelOrder, ActionOrderStatus
from actions.smalltalk import ActionSmalltalk
from actions.yes_no import ActionDeny
from tests.actions.conftest import make_tracker, run_action, said
from tests.actions.test_offer_actions import CONVERSATION_START, _offer_for, _pending_tracker
from tests.support.shop import offer_events


def _no_offer_tracker(text: str, intent: str):  # type: ignore[no-untyped-def]
    return make_tracker(text, intent, "C001", earlier_user_turns=2, session_start=CONVERSATION_START)


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("hi, I'm not interested in any promotions or add-ons", "nlu_fallback", ActionFallback),
        ("hi, I'm not interested in any promotions or add-ons", "greet", ActionSmalltalk),
        ("no marketing please", "nlu_fallback", ActionFallback),
        ("I hate being upsold", "nlu_fallback", ActionFallback),
        ("can you not push products on me", "nlu_fallback", ActionFallback),
        ("no add-ons please", "nlu_fallback", ActionFallback),
        ("I'm not interested in any promotions", "nlu_fallback", ActionFallback),
        ("unsubscribe", "link_account", ActionLinkAccount),
    ],
)
def test_opt_out_wordings_before_any_offer_turn_offers_off(
    shop: str, text: str, intent: str, action: type
) -> None:
    messages, _ = run_action(action(), _no_offer_tracker(text, intent))
    assert said(messages) == OPT_OUT_CONFIRMATION
    assert len(offer_events(shop, "C001", "opted_out")) == 1
    # The next conversation, on any channel, gets no offer.
    _, pending = _offer_for("C001")
    assert pending is None


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("where is my order? and no more offers please", "order_status", ActionOrderStatus),
        ("stop the ads, where's my order?", "nlu_fallback", ActionFallback),
        ("no marketing please. where is my order?", "greet", ActionSmalltalk),
    ],
)
def test_an_opt_out_beside_a_support_request_opts_out_and_answers(
    shop: str, text: str, intent: str, action: type
) -> None:
    messages, _ = run_action(action(), _no_offer_tracker(text, intent))
    assert OPT_OUT_CONFIRMATION in said(messages) and "Aurora X100" in said(messages)
    assert len(offer_events(shop, "C001", "opted_out")) == 1


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("unsubscribe", "link_account", ActionLinkAccount),
        ("no. stop.", "deny", ActionDeny),
        ("no thanks and stop pushing products on me", "nlu_fallback", ActionFallback),
        ("arrêtez les suggestions", "stop_offers", ActionStopOffers),
        ("keine Angebote mehr bitte", "nlu_fallback", ActionFallback),
    ],
)
def test_opt_out_wordings_said_to_an_offer_opt_out(shop: str, text: str, intent: str, action: type) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(action(), _pending_tracker(text, intent, "C001", pending))
    assert said(messages) == OPT_OUT_CONFIRMATION
    assert len(offer_events(shop, "C001", "opted_out")) == 1
    assert len(offer_events(shop, "C001", "ignored")) == 0


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("stop the ads, where's my order?", "order_status", ActionOrderStatus),
        ("stop the ads, where's my order?", "nlu_fallback", ActionFallback),
        ("stop suggesting things and tell me where my order is", "stop_offers", ActionStopOffers),
    ],
)
def test_an_opt_out_with_a_request_said_to_an_offer_opts_out_and_answers(
    shop: str, text: str, intent: str, action: type
) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(action(), _pending_tracker(text, intent, "C001", pending))
    answer = said(messages)
    assert OPT_OUT_CONFIRMATION in answer and "Aurora X100" in answer
    assert len(offer_events(shop, "C001", "opted_out")) == 1
    # The answer to the request makes no offer: the opt-out came first.
    assert len(offer_events(shop, "C001", "impression")) == 1


@pytest.mark.parametrize(
    "text", ["stop the shipping offers", "stop sending me offers about return insurance"]
)
@pytest.mark.parametrize("offer_open", [True, False])
def test_what_an_opt_out_names_is_no_request(shop: str, text: str, offer_open: bool) -> None:
    """Topic words inside the opt-out's own clause are what it stops, not a question."""
    if offer_open:
        _, pending = _offer_for("C001")
        tracker = _pending_tracker(text, "nlu_fallback", "C001", pending)
    else:
        tracker = _no_offer_tracker(text, "nlu_fallback")
    messages, _ = run_action(ActionFallback(), tracker)
    assert said(messages) == OPT_OUT_CONFIRMATION
    assert len(offer_events(shop, "C001", "opted_out")) == 1


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("stop the order", "cancel_order", ActionCancelOrder),
        ("cancel my order", "cancel_order", ActionCancelOrder),
        ("handoff", "human_handoff", ActionHumanHandoff),
        ("stop", "deny", ActionDeny),
        ("no", "deny", ActionDeny),
        ("I don't want the blue one", "deny", ActionDeny),
        ("no promotions code worked", "nlu_fallback", ActionFallback),
        ("my promo code doesn't work", "coupon", ActionCoupon),
    ],
)
def test_other_requests_opt_no_one_out(shop: str, text: str, intent: str, action: type) -> None:
    messages, _ = run_action(action(), _no_offer_tracker(text, intent))
    assert OPT_OUT_CONFIRMATION not in said(messages)
    assert offer_events(shop, "C001", "opted_out") == []


def test_a_coupon_complaint_said_to_an_offer_does_not_opt_out(shop: str) -> None:
    _, pending = _offer_for("C001")
    tracker = _pending_tracker("no promotions code worked", "nlu_fallback", "C001", pending)
    messages, _ = run_action(ActionFallback(), tracker)
    assert OPT_OUT_CONFIRMATION not in said(messages)
    assert offer_events(shop, "C001", "opted_out") == []
