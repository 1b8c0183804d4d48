"""The validating REST channel, against the real Rasa server."""

from __future__ import annotations

import pytest

from tests.support.assistant import Assistant, texts

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([{"sender": "a", "message": "hi"}], "JSON object"),
        ({"message": "hi"}, "'sender'"),
        ({"sender": "", "message": "hi"}, "'sender'"),
        ({"sender": "x", "message": 42}, "'message'"),
        ({"sender": "x", "message": {"text": "hi"}}, "'message'"),
        ({"sender": "x"}, "'message'"),
        ({"sender": "x", "message": "   "}, "empty"),
        ({"sender": "x", "message": "hi", "metadata": "token"}, "'metadata'"),
        ({"sender": "x" * 500, "message": "hi"}, "at most"),
        ("just a string", "JSON object"),
    ],
)
def test_malformed_bodies_get_400_with_a_clear_error(
    assistant: Assistant, body: object, expected: str
) -> None:
    status, payload = assistant.post("/webhooks/rest/webhook", body)
    assert status == 400
    assert expected in payload["error"]


def test_invalid_json_gets_400(assistant: Assistant) -> None:
    status, payload = assistant.post("/webhooks/rest/webhook", b"{not json")
    assert status == 400
    assert "JSON" in payload["error"]


def test_no_message_is_filed_under_a_shared_default_conversation(assistant: Assistant) -> None:
    assistant.post("/webhooks/rest/webhook", {"message": "hello"})
    assistant.say("rest-alpha", "hello")
    assistant.say("rest-beta", "what is your return policy")
    default = assistant.tracker("default")
    assert not [e for e in default["events"] if e.get("event") == "user"]
    alpha = [e["text"] for e in assistant.tracker("rest-alpha")["events"] if e.get("event") == "user"]
    beta = [e["text"] for e in assistant.tracker("rest-beta")["events"] if e.get("event") == "user"]
    assert alpha == ["hello"]
    assert beta == ["what is your return policy"]


def test_valid_message_gets_an_answer(assistant: Assistant) -> None:
    messages = assistant.say("rest-valid", "what is your return policy")
    assert "30 days" in texts(messages)
