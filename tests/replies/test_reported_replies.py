"""Replies a black-box tester reported misread (opt-outs, support questions), as regression tests.

The wordings are the tester's, not taken from any evaluation set.
"""

from __future__ import annotations

import pytest

from actions.routing import SUPPORT_ACTIONS
from tactful.replies import ReplyClassifier, ReplyLabel, classify_consent_request
from tactful.replies.text import normalize
from tactful.replies.topics import support_topic
from tactful.replies.vetoes import opts_out_in_passing
from tests.replies.test_evaluation_sets import ROOT

ACCEPT, DECLINE, OPT_OUT = ReplyLabel.ACCEPT, ReplyLabel.DECLINE, ReplyLabel.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "hi, I'm not interested in any promotions or add-ons",
        "no marketing please",
        "I hate being upsold",
        "can you not push products on me",
        "no add-ons please",
        "I'm not interested in any promotions",
        "unsubscribe",
        "arrêtez les suggestions",
        "keine Angebote mehr bitte",
        # Beside the reported ones: a request put as a question, and "discount" offers.
        "can you stop sending me offers?",
        "stop sending me discount offers",
    ],
)
def test_opt_out_wordings_opt_out_with_no_offer_open(text: str) -> None:
    assert classify_consent_request(text) == "opt_out"


@pytest.mark.parametrize(
    "text",
    [
        "stop the order",
        "cancel my order",
        "handoff",
        "stop",
        "no",
        "I don't want the blue one",
        "no promotions code worked",
        "my promo code doesn't work",
        "unsubscribe me from the Pro plan",
        "can I use my promo code again?",
        "don't you have any deals?",
        "I don't want the add-on",
    ],
)
def test_other_requests_opt_no_one_out_with_no_offer_open(text: str) -> None:
    assert classify_consent_request(text) is None


@pytest.mark.parametrize(
    ("text", "opts_out"),
    [
        ("hi, I'm not interested in any promotions or add-ons", True),
        ("no more offers please, where is my order?", True),
        ("I hate being upsold", True),
        ("unsubscribe", True),
        # Asking for deals, or a stop word in another clause, is no opt-out.
        ("are there any deals on cameras? I hate paying full price", False),
        ("stop, what is the best deal on memory cards", False),
        ("I am tired of waiting for my order, any deals?", False),
        ("do you have any offers on tripods?", False),
        ("I don't want the extras in my cart, remove them", False),
        ("my promo code does not work", False),
        ("I hate this camera", False),
    ],
)
def test_said_in_passing_only_a_clause_that_stops_suggestions_opts_out(text: str, opts_out: bool) -> None:
    # Checked on every message whatever the NLU heard, so it must be stricter than the stop intent.
    assert opts_out_in_passing(normalize(text)) is opts_out


@pytest.mark.parametrize(
    "text",
    [
        "unsubscribe",
        "no. stop.",
        "no thanks and stop pushing products on me",
        "arrêtez les suggestions",
        "keine Angebote mehr bitte",
        "I hate being upsold",
    ],
)
def test_opt_out_wordings_said_to_an_offer_opt_out(classifier: ReplyClassifier, text: str) -> None:
    assert classifier.classify(text).label is OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "stop the order",
        "cancel my order",
        "handoff",
        "no",
        "no promotions code worked",
        "I don't want the add-on",
    ],
)
def test_other_replies_to_an_offer_do_not_opt_out(classifier: ReplyClassifier, text: str) -> None:
    assert classifier.classify(text).label is not OPT_OUT


@pytest.mark.parametrize(
    "text", ["ok", "👍", "yeah right", "not yes", "уеѕ", "Add to cart", "yes... no", "yes!!!! wait no"]
)
def test_unclear_replies_neither_accept_nor_decline(classifier: ReplyClassifier, text: str) -> None:
    # The model alone cannot tell a typed button title from a yes; the action
    # reads the offer's own titles (tests/actions/test_reported_offer_replies.py).
    assert classifier.classify(text).label not in (ACCEPT, DECLINE, OPT_OUT)


def test_the_request_after_a_no_starts_after_the_conjunction(classifier: ReplyClassifier) -> None:
    result = classifier.classify("no thanks, but how do returns work?")
    assert result.label is ReplyLabel.DECLINE_PLUS_REQUEST
    assert result.remainder == "how do returns work"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how do returns work?", "return_policy"),
        ("I want to return my headphones", "start_return"),
        ("what does shipping cost?", "shipping_info"),
        ("can I pay with paypal?", "payment_methods"),
        ("where is my order?", "order_status"),
        ("my parcel is late", "delivery_problem"),
        ("cancel my order please", "cancel_order"),
        ("can I talk to a person", "human_handoff"),
        ("my promo code doesn't work", "coupon"),
        ("how much is it?", None),
        ("is it in stock?", None),
        ("does it fit my camera?", None),
        ("tell me more", None),
    ],
)
def test_support_topics_are_named_and_item_questions_are_not(text: str, intent: str | None) -> None:
    assert support_topic(text) == intent


def test_every_support_route_is_the_rule_for_that_intent() -> None:
    rules = (ROOT / "data" / "rules.yml").read_text(encoding="utf-8")
    for intent, action in SUPPORT_ACTIONS.items():
        assert f"{{intent: {intent}}}, {{action: {action}}}" in rules, intent
