"""When the NLU cannot place a message (the fallback), a support topic its words name
still gets that topic's answer; anything else gets "didn't get that" as before."""

from __future__ import annotations

import pytest

from actions.assistance import ActionFallback
from actions.returns import RETURN_POLICY
from actions.wording import DIDNT_GET_IT
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, said


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("what does shipping cost?", "£3.95"),
        ("how do refunds work", RETURN_POLICY),
        ("can I pay with paypal", "PayPal"),
    ],
)
def test_a_support_topic_in_the_words_gets_its_answer(shop: str, text: str, answer: str) -> None:
    messages, _ = run_action(ActionFallback(), make_tracker(text, "nlu_fallback", "C001"))
    assert answer in said(messages)
    assert DIDNT_GET_IT not in said(messages)


def test_a_return_named_in_the_words_still_asks_and_starts_nothing(shop: str) -> None:
    messages, _ = run_action(
        ActionFallback(), make_tracker("I want to return my headphones", "nlu_fallback", "C001")
    )
    assert "haven't started a return" in said(messages)
    with uow_for(shop) as work:
        assert work.returns.open_for_order("D-C001-1") is None


@pytest.mark.parametrize("text", ["are you a human?", "blorp wibble", "the weather is nice"])
def test_anything_else_is_still_not_understood(shop: str, text: str) -> None:
    messages, events = run_action(ActionFallback(), make_tracker(text, "nlu_fallback", "C001"))
    assert said(messages) == DIDNT_GET_IT
    assert not [e for e in events if e.get("event") == "pause"]  # no handoff on a keyword
