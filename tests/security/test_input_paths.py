"""Every path spelling the Sanic router sends to the REST handler gets the same checks
(body shape and size limits) on both tracker stores; other spellings are not found and
other methods are refused, and neither reaches any conversation.
"""

from __future__ import annotations

import json

import pytest

from tests.security.helpers import LIMITS, _no_conversation, assert_alive, fresh, user_texts
from tests.support.assistant import Assistant
from tests.support.security import REST_PATH, request

pytestmark = pytest.mark.e2e

GREETING = "Hi! I can help"

# Spellings Sanic routes to the REST handler, and ones it does not.
HANDLED = [
    REST_PATH,
    REST_PATH + "/",
    REST_PATH + "?x=1",
    REST_PATH + "/?sender=x&message=hi",
    REST_PATH + "//",
]
UNROUTED = ["/" + REST_PATH, REST_PATH.upper(), "/Webhooks/Rest/Webhook", "/webhooks//rest/webhook"]
OTHER_METHODS = ["HEAD", "GET", "PUT", "PATCH", "DELETE"]


def _bodies(sender: str) -> dict[str, bytes]:
    return {
        "array": json.dumps([{"sender": sender, "message": "hi"}]).encode(),
        "long-message": json.dumps({"sender": sender, "message": "a" * 50_000}).encode(),
        "over-message-limit": json.dumps(
            {"sender": sender, "message": "a" * (LIMITS.message_chars + 1)}
        ).encode(),
        "oversize-body": json.dumps(
            {"sender": sender, "message": "hi", "pad": "x" * LIMITS.body_bytes}
        ).encode(),
        "over-request-limit": b"x" * (LIMITS.request_bytes + 1),
        "valid": json.dumps({"sender": sender, "message": "hi"}).encode(),
    }


# What the REST handler answers to each body (sizes from tactful.settings.Limits).
EXPECTED = {
    "array": (400, "JSON object"),
    # 50,000 characters make a body over TACTFUL_MAX_BODY_BYTES (16 KiB): refused by size first.
    "long-message": (413, "at most"),
    "over-message-limit": (400, "'message' must be at most"),
    "oversize-body": (413, "at most"),
    "over-request-limit": (413, None),  # Sanic's own limit, before any handler
    "valid": (200, GREETING),
}


@pytest.mark.parametrize("path", HANDLED)
def test_every_path_the_rest_handler_serves_gets_the_same_checks(
    store_assistant: Assistant, path: str
) -> None:
    sender = fresh("path")
    for kind, body in _bodies(sender).items():
        reply = request(store_assistant.rasa_url, "POST", path, body)
        status, needle = EXPECTED[kind]
        assert reply.status == status, (kind, reply)
        if needle:
            assert needle in reply.text, (kind, reply)
    # Only the one valid body reached the conversation.
    assert user_texts(store_assistant, sender) == ["hi"]
    assert_alive(store_assistant)


@pytest.mark.parametrize("path", UNROUTED)
def test_other_spellings_are_not_found_and_reach_nobody(main_assistant: Assistant, path: str) -> None:
    sender = fresh("unrouted")
    for kind, body in _bodies(sender).items():
        reply = request(main_assistant.rasa_url, "POST", path, body)
        assert reply.status in (404, 413), (kind, reply)  # 413: Sanic's whole-request limit
        assert GREETING not in reply.text
    assert _no_conversation(main_assistant, sender)


@pytest.mark.parametrize("method", [*OTHER_METHODS, "OPTIONS"])
def test_other_methods_are_refused_and_reach_nobody(main_assistant: Assistant, method: str) -> None:
    sender = fresh("method")
    for path in [*HANDLED, *UNROUTED]:
        for kind, body in _bodies(sender).items():
            reply = request(main_assistant.rasa_url, method, path, body)
            assert reply.status < 500, (method, path, kind, reply)
            if method != "OPTIONS":  # OPTIONS is CORS's preflight: an empty 200
                assert reply.status in (404, 405, 413), (method, path, kind, reply)
            assert GREETING not in reply.text
    assert _no_conversation(main_assistant, sender)
    assert_alive(main_assistant)
