"""How the actions treat each kind of reply to an open offer (real trackers, real store)."""

from __future__ import annotations

import pytest

from actions.offers import ActionOfferResponse, ActionResumeOffers, ActionStopOffers
from actions.smalltalk import ActionSmalltalk
from tactful.services.support import cart_for
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, said, slot_events
from tests.actions.test_offer_actions import CONVERSATION_START, _buttons, _offer_for, _pending_tracker
from tests.support.shop import offer_events

RESPONSES = ("accepted", "declined", "ignored")


def _responses(shop: str, customer: str) -> dict[str, int]:
    return {kind: len(offer_events(shop, customer, kind)) for kind in RESPONSES}


def test_a_question_about_the_offer_is_answered_and_the_choice_stays_open(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, events = run_action(
        ActionOfferResponse(),
        _pending_tracker("what is it? how much again?", "product_question", "C001", pending),
    )
    text = said(messages)
    assert pending["target_name"] in text
    assert [b["payload"] for b in _buttons(messages)] == ["/accept_offer", "/decline_offer"]
    # Nothing recorded, nothing added, and the offer is still the pending one.
    assert "pending_offer" not in slot_events(events)
    assert _responses(shop, "C001") == {"accepted": 0, "declined": 0, "ignored": 0}
    assert not cart_for(lambda: uow_for(shop), "C001").lines


@pytest.mark.parametrize("reply", ["thanks", "great, thanks", "hmm ok", "ok", "🙂"])
def test_a_thank_you_or_bare_ok_is_ignored_not_declined_and_adds_nothing(shop: str, reply: str) -> None:
    _, pending = _offer_for("C001")
    _, events = run_action(ActionSmalltalk(), _pending_tracker(reply, "thanks", "C001", pending))
    assert slot_events(events)["pending_offer"] is None
    assert _responses(shop, "C001") == {"accepted": 0, "declined": 0, "ignored": 1}
    assert not cart_for(lambda: uow_for(shop), "C001").lines


@pytest.mark.parametrize(
    "reply", ["I'd like to know more", "I'll take a look", "I'll get my husband to check"]
)
def test_information_and_maybes_never_fill_the_cart(shop: str, reply: str) -> None:
    _, pending = _offer_for("C001")
    run_action(ActionOfferResponse(), _pending_tracker(reply, "affirm", "C001", pending))
    assert not cart_for(lambda: uow_for(shop), "C001").lines
    assert offer_events(shop, "C001", "accepted") == []


def test_yes_please_with_a_question_mark_accepts(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(
        ActionOfferResponse(), _pending_tracker("Yes, please?", "affirm", "C001", pending)
    )
    assert "in your cart" in said(messages)
    assert [line.sku for line in cart_for(lambda: uow_for(shop), "C001").lines] == [pending["target_sku"]]


@pytest.mark.parametrize("text", ["stop", "stop the order", "handoff", "go on, tell me more"])
def test_without_an_offer_a_bare_stop_opts_no_one_out(shop: str, text: str) -> None:
    tracker = make_tracker(
        text, "stop_offers", "C001", earlier_user_turns=2, session_start=CONVERSATION_START
    )
    messages, _ = run_action(ActionStopOffers(), tracker)
    assert "stop suggesting things" in said(messages)
    assert offer_events(shop, "C001", "opted_out") == []


def test_without_an_offer_words_about_suggestions_opt_out(shop: str) -> None:
    tracker = make_tracker(
        "please stop suggesting things",
        "stop_offers",
        "C001",
        earlier_user_turns=2,
        session_start=CONVERSATION_START,
    )
    messages, _ = run_action(ActionStopOffers(), tracker)
    assert "no more suggestions" in said(messages)
    assert len(offer_events(shop, "C001", "opted_out")) == 1


def test_stop_said_to_the_offer_opts_out(shop: str) -> None:
    _, pending = _offer_for("C001")
    messages, _ = run_action(ActionOfferResponse(), _pending_tracker("stop", "stop_offers", "C001", pending))
    assert "no more suggestions" in said(messages)
    assert len(offer_events(shop, "C001", "opted_out")) == 1


@pytest.mark.parametrize(
    ("text", "opted_out", "opted_in"),
    [
        ("I never want to see a suggestion again", 1, 0),
        ("you can suggest things again", 0, 1),
        ("whatever", 0, 0),
    ],
)
def test_turning_suggestions_back_on_follows_the_words_not_the_intent(
    shop: str, text: str, opted_out: int, opted_in: int
) -> None:
    tracker = make_tracker(
        text, "resume_offers", "C001", earlier_user_turns=2, session_start=CONVERSATION_START
    )
    run_action(ActionResumeOffers(), tracker)
    assert len(offer_events(shop, "C001", "opted_out")) == opted_out
    assert len(offer_events(shop, "C001", "opted_in")) == opted_in
