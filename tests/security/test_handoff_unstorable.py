"""Signed helpdesk calls with values no store can hold, on both tracker stores: an
unstorable conversation id gets 404 on every endpoint and never stops the assistant, and
an agent reply with NUL or a lone surrogate still reaches the customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tactful.channels.pause import ACK_DELIVERED
from tests.security.conftest import HELPDESK_SECRET
from tests.security.helpers import RETURNS, fresh, hand_over_rest, helpdesk_reply
from tests.support.assistant import Assistant, texts
from tests.support.helpdesk import HelpdeskReceiver, signed_call
from tests.support.security import post_json

pytestmark = pytest.mark.e2e

UNSTORABLE_IDS = {
    "surrogate": "\ud800",
    "surrogate-in-key": "rest:alice\udfff:1",
    "nul": "a\u0000b",
    "nul-in-key": "rest:a\u0000b:1",
}


def _unstorable_cases() -> Iterator[Any]:
    for store in ("sqlite", "postgresql"):
        for label, conversation in UNSTORABLE_IDS.items():
            yield pytest.param(store, conversation, id=f"{store}-{label}")


@pytest.mark.parametrize("endpoint", ["reply", "handback", "offer"])
@pytest.mark.parametrize(("store", "conversation"), _unstorable_cases())
def test_signed_helpdesk_calls_for_an_unstorable_conversation_id_get_404(
    request: pytest.FixtureRequest, store: str, conversation: str, endpoint: str
) -> None:
    assistant: Assistant = request.getfixturevalue(f"{'main' if store == 'sqlite' else 'pg'}_assistant")
    body = {
        "conversation_id": conversation,
        "text": "hi",
        "offer_id": "camera-memory-card",
        "variant_id": "plain",
    }
    data, headers = signed_call(HELPDESK_SECRET, body)
    status, answer = post_json(f"{assistant.rasa_url}/webhooks/helpdesk/{endpoint}", data, headers)
    assert (status, answer) == (404, {"error": "no handoff for this conversation"})


def test_signed_helpdesk_calls_with_unstorable_ids_never_stop_the_assistant(
    store_assistant: Assistant,
) -> None:
    for conversation in UNSTORABLE_IDS.values():
        for endpoint in ("reply", "handback", "offer"):
            data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation, "text": "hi"})
            post_json(f"{store_assistant.rasa_url}/webhooks/helpdesk/{endpoint}", data, headers)
    assert RETURNS in texts(store_assistant.say(fresh("after"), "what is your return policy"))


ODD_AGENT_TEXTS = {"nul": "Hello\u0000 from Sam", "surrogate": "Hello from\ud800 Sam"}


def _odd_agent_cases() -> Iterator[Any]:
    for store in ("sqlite", "postgresql"):
        for label, text in ODD_AGENT_TEXTS.items():
            yield pytest.param(store, text, id=f"{store}-{label}")


@pytest.mark.parametrize(("store", "agent_text"), _odd_agent_cases())
def test_an_agent_reply_with_nul_or_a_surrogate_reaches_the_customer(
    request: pytest.FixtureRequest, helpdesk_receiver: HelpdeskReceiver, store: str, agent_text: str
) -> None:
    assistant: Assistant = request.getfixturevalue(f"{'main' if store == 'sqlite' else 'pg'}_assistant")
    sender = fresh("odd-agent")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C003")
    status, answer = helpdesk_reply(assistant, conversation, agent_text)
    assert status == 200, answer
    delivered = [m["text"] for m in assistant.say(sender, "hi?", "C003")]
    assert len(delivered) == 2 and delivered[1] == ACK_DELIVERED, delivered
    assert delivered[0].startswith("Hello") and delivered[0].endswith("Sam"), delivered
    assert assistant.tracker(sender)["paused"]
