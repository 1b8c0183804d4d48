"""Replies to an open offer a black-box tester found mishandled, through the real actions.

F4: an unclear reply got no answer at all (so the channel apologised for a failure).
F5: a support question got the offered product's pitch instead of an answer.
"""

from __future__ import annotations

import pytest

from actions.assistance import ActionFallback
from actions.base import NOTHING_ADDED
from actions.checkout import ActionPaymentMethods
from actions.offers import ActionOfferResponse
from actions.returns import RETURN_POLICY, ActionReturnPolicy
from actions.wording import DIDNT_GET_IT
from actions.yes_no import ActionAffirm, ActionDeny
from tactful.services.support import cart_for
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import run_action, said, slot_events
from tests.actions.test_offer_actions import _buttons, _offer_for, _pending_tracker
from tests.support.shop import offer_events

RESPONSES = ("accepted", "declined", "ignored", "opted_out")


def _responses(shop: str) -> dict[str, int]:
    return {kind: len(offer_events(shop, "C001", kind)) for kind in RESPONSES}


@pytest.mark.parametrize(
    ("reply", "action"),
    [
        ("ok", ActionAffirm),
        ("👍", ActionAffirm),
        ("yeah right", ActionAffirm),
        ("not yes", ActionAffirm),
        ("уеѕ", ActionAffirm),  # Cyrillic look-alikes
        ("yes... no", ActionAffirm),
        ("yes!!!! wait no", ActionAffirm),
        ("ok", ActionOfferResponse),
    ],
)
def test_an_ignored_reply_gets_one_honest_line(shop: str, reply: str, action: type) -> None:
    _, pending = _offer_for("C001")
    messages, events = run_action(action(), _pending_tracker(reply, "affirm", "C001", pending))
    assert said(messages) == NOTHING_ADDED
    assert not _buttons(messages)  # no re-pitch
    assert "sure" not in said(messages).lower()
    assert slot_events(events)["pending_offer"] is None
    assert _responses(shop) == {"accepted": 0, "declined": 0, "ignored": 1, "opted_out": 0}
    assert cart_for(lambda: uow_for(shop), "C001").is_empty


def test_the_offers_own_button_title_typed_out_accepts(shop: str) -> None:
    _, pending = _offer_for("C001")
    title = pending["accept_label"]
    messages, _ = run_action(ActionOfferResponse(), _pending_tracker(title, "accept_offer", "C001", pending))
    assert "in your cart" in said(messages)
    assert [line.sku for line in cart_for(lambda: uow_for(shop), "C001").lines] == [pending["target_sku"]]


def test_a_decline_with_a_request_still_says_no_problem_then_answers(shop: str) -> None:
    _, pending = _offer_for("C001")
    text = "no thanks, where is my order?"
    messages, _ = run_action(ActionDeny(), _pending_tracker(text, "deny", "C001", pending))
    assert said(messages).startswith("No problem.")
    assert "Order " in said(messages)
    assert _responses(shop)["declined"] == 1


@pytest.mark.parametrize(
    ("text", "intent", "action", "answer"),
    [
        ("how do returns work?", "return_policy", ActionReturnPolicy, RETURN_POLICY),
        ("can I pay with paypal?", "payment_methods", ActionPaymentMethods, "PayPal"),
        # The NLU is unsure of these (a fallback): the words name the topic.
        ("what does shipping cost?", "nlu_fallback", ActionFallback, "£3.95"),
        ("I want to return my headphones", "nlu_fallback", ActionFallback, "return"),
    ],
)
def test_a_support_question_is_answered_not_met_with_the_pitch(
    shop: str, text: str, intent: str, action: type, answer: str
) -> None:
    _, pending = _offer_for("C001")
    messages, events = run_action(action(), _pending_tracker(text, intent, "C001", pending, turns=3))
    assert answer in said(messages)
    assert DIDNT_GET_IT not in said(messages)
    assert pending["target_name"] not in said(messages) and not _buttons(messages)
    assert slot_events(events)["pending_offer"] is None
    assert _responses(shop) == {"accepted": 0, "declined": 0, "ignored": 1, "opted_out": 0}


def test_no_thanks_but_a_support_question_records_the_no_and_answers_it(shop: str) -> None:
    _, pending = _offer_for("C001")
    text = "no thanks, but how do returns work?"
    messages, _ = run_action(
        ActionFallback(), _pending_tracker(text, "nlu_fallback", "C001", pending, turns=3)
    )
    assert said(messages).startswith("No problem.")
    assert RETURN_POLICY in said(messages)
    assert DIDNT_GET_IT not in said(messages)
    assert _responses(shop)["declined"] == 1


@pytest.mark.parametrize(
    ("text", "intent"),
    [("is it in stock?", "product_question"), ("does it fit my camera?", "compatibility_question")],
)
def test_a_question_about_the_offered_item_still_gets_the_product_answer(
    shop: str, text: str, intent: str
) -> None:
    _, pending = _offer_for("C001")
    messages, events = run_action(ActionOfferResponse(), _pending_tracker(text, intent, "C001", pending))
    assert pending["target_name"] in said(messages)
    assert [b["payload"] for b in _buttons(messages)] == ["/accept_offer", "/decline_offer"]
    assert "pending_offer" not in slot_events(events)
    assert _responses(shop) == {"accepted": 0, "declined": 0, "ignored": 0, "opted_out": 0}
