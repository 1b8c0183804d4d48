"""A request cannot claim what it is not given: typed intents with entities claim no
identity, the body cannot choose the channel, metadata over the limit is refused, and
only a verified identity is stored (never the token, unknown keys or a client-sent
tactful_identity).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.security.helpers import LIMITS, SIGN_IN, _no_conversation, fresh, user_texts
from tests.support.assistant import Assistant
from tests.support.security import rest

pytestmark = pytest.mark.e2e

TYPED_IDENTITY = [
    '/order_status{"customer_id": "C001"}',
    '/ /order_status{"customer_id": "C001"}',
    '/\t/order_status{"customer_id": "C001"}',
    ' //order_status{"customer_id":"C001"}',
]


@pytest.mark.parametrize("typed", TYPED_IDENTITY)
def test_typed_intents_with_entities_claim_no_identity(main_assistant: Assistant, typed: str) -> None:
    # Regression: slashes and spaces together left a typed intent payload intact.
    sender = fresh("typed")
    reply = rest(main_assistant.rasa_url, {"sender": sender, "message": typed})
    assert reply.status == 200, reply
    assert "D-C001" not in reply.text
    tracker = main_assistant.tracker(sender)
    assert tracker["slots"].get("customer_id") in (None, "")
    assert not [t for t in user_texts(main_assistant, sender) if t.lstrip().startswith("/")]


# -- the body cannot choose the channel ------------------------------------------------


@pytest.mark.parametrize("claimed", ["telegram", "slack", "twilio", "socketio", "cmdline", "\ud800"])
def test_input_channel_in_the_body_is_ignored(store_assistant: Assistant, claimed: str) -> None:
    sender = fresh("channel")
    body = {"sender": sender, "message": "link my account", "input_channel": claimed}
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert "On our website, signing in links the chat to your account" in reply.text
    events = store_assistant.tracker(sender)["events"]
    channels = {e.get("input_channel") for e in events if e.get("event") == "user"}
    assert channels == {"rest"}
    assert store_assistant.tracker(sender)["latest_input_channel"] == "rest"


# -- metadata -------------------------------------------------------------------------------


def test_metadata_over_the_limit_gets_400(store_assistant: Assistant) -> None:
    sender = fresh("big-meta")
    for metadata in (
        {"pad": "x" * LIMITS.metadata_bytes},
        {"customer_token": store_assistant.token("C002"), "pad": "é" * (LIMITS.metadata_bytes // 2)},
        {"nested": [[["x" * 100] * 10] * 5]},
    ):
        reply = rest(store_assistant.rasa_url, {"sender": sender, "message": "hi", "metadata": metadata})
        assert reply.status == 400, reply
        assert "'metadata' must be at most" in reply.json()["error"]
    assert _no_conversation(store_assistant, sender)


def test_only_a_verified_identity_is_stored_never_the_token_nor_unknown_keys(
    store_assistant: Assistant,
) -> None:
    sender = fresh("stored-meta")
    token = store_assistant.token("C002")
    metadata = {
        "customer_token": token,
        "zz_unknown_key": "zz-unknown-value",
        "tactful_identity": {"customer_id": "C004", "cart_id": "cart-C004", "expires_at": 9_999_999_999},
        "customer_id": "C004",
    }
    reply = rest(store_assistant.rasa_url, {"sender": sender, "message": "hi", "metadata": metadata})
    assert reply.status == 200, reply
    tracker = store_assistant.tracker(sender)
    stored = json.dumps(tracker)
    assert token not in stored
    assert token.split(".")[1] not in stored  # not even the claims part
    assert "zz_unknown_key" not in stored and "zz-unknown-value" not in stored
    assert "C004" not in stored
    (user,) = [e for e in tracker["events"] if e.get("event") == "user"]
    assert user["metadata"]["tactful_identity"]["customer_id"] == "C002"


@pytest.mark.parametrize(
    "identity",
    [
        {"customer_id": "C001", "cart_id": None, "expires_at": 9_999_999_999},
        {"customer_id": "C001", "expires_at": 9_999_999_999},
        "C001",
    ],
    ids=["full", "no-cart", "string"],
)
def test_a_client_sent_tactful_identity_is_ignored(store_assistant: Assistant, identity: Any) -> None:
    sender = fresh("fake-identity")
    reply = rest(
        store_assistant.rasa_url,
        {"sender": sender, "message": "where is my order?", "metadata": {"tactful_identity": identity}},
    )
    assert reply.status == 200, reply
    assert SIGN_IN in reply.text
    assert "D-C001" not in reply.text
    (user,) = [e for e in store_assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert "tactful_identity" not in (user.get("metadata") or {})
