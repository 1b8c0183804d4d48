"""A handed-off REST conversation: a queued agent reply reaches only that conversation's
own customer (never another customer or an anonymous caller on the same sender, on any
path spelling), typed payloads cannot end the pause, and a signed helpdesk call cannot
be replayed.
"""

from __future__ import annotations

import uuid

import pytest

from tactful.channels.pause import ACK_DELIVERED
from tests.security.conftest import HELPDESK_SECRET
from tests.security.helpers import fresh, hand_over_rest, helpdesk_reply
from tests.support.assistant import Assistant
from tests.support.helpdesk import HelpdeskReceiver, signed_call
from tests.support.security import REST_PATH, post_json, request
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e


def test_a_queued_agent_reply_goes_only_to_the_rest_conversations_customer(
    store_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver
) -> None:
    assistant = store_assistant
    sender = fresh("handoff")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C004")
    order = order_ids_of(assistant.shop_db_url, "C004")[0]
    agent_text = f"Sam from support here: order {order} left our depot today ({uuid.uuid4().hex[:8]})."
    status, answer = helpdesk_reply(assistant, conversation, agent_text)
    assert (status, answer["status"]) == (200, "queued")  # REST cannot be pushed to

    intruders = {
        "other-customer": {"customer_token": assistant.token("C005")},
        "no-token": {},
        "garbage": {"customer_token": "x.y.z"},
        "expired-own": {"customer_token": assistant.token("C004", ttl=-120)},
    }
    for label, metadata in intruders.items():
        for path in (REST_PATH, REST_PATH + "/", REST_PATH + "?x=1"):
            body = {"sender": sender, "message": "any news?", "metadata": metadata}
            reply = request(assistant.rasa_url, "POST", path, body)
            assert reply.status == 403, (label, path, reply)
            assert "belongs to" in reply.json()["error"]
            assert "Sam from support" not in reply.text and order not in reply.text, (label, reply)
    # Refused messages are neither stored nor forwarded to the helpdesk.
    assert helpdesk_receiver.of_type("handoff.message", conversation) == []
    stored = [e["text"] for e in assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert stored == ["hello", "I want to talk to a human"]

    answer = assistant.say(sender, "any news?", "C004")
    assert [m["text"] for m in answer] == [agent_text, ACK_DELIVERED]
    later = assistant.say(sender, "thanks", "C004")
    assert [m["text"] for m in later] == [ACK_DELIVERED], "the agent's reply is delivered once"
    forwarded = helpdesk_receiver.wait_for("handoff.message", conversation, count=2)
    assert [e["message"]["text"] for e in forwarded] == ["any news?", "thanks"]


TYPED = ["/restart", "/ /restart", "/\t/restart", "// restart", " /session_start", "/ / /restart"]


def test_typed_payloads_cannot_end_a_pause(
    main_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver
) -> None:
    # Regression: "/ /restart" became "/restart" (an intent) after the slashes were stripped.
    assistant = main_assistant
    sender = fresh("paused")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C002")
    for text in TYPED:
        assert [m["text"] for m in assistant.say(sender, text, "C002")] == [ACK_DELIVERED], text
        assert assistant.tracker(sender)["paused"], text
    forwarded = helpdesk_receiver.wait_for("handoff.message", conversation, count=len(TYPED))
    assert not [e for e in forwarded if e["message"]["text"].lstrip().startswith("/")], forwarded


def test_a_signed_helpdesk_call_sent_twice_is_refused_the_second_time(
    main_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver
) -> None:
    assistant = main_assistant
    sender = fresh("replay")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C006")
    url = f"{assistant.rasa_url}/webhooks/helpdesk/reply"
    data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation, "text": "One reply."})
    assert post_json(url, data, headers)[0] == 200
    assert post_json(url, data, headers) == (409, {"error": "replayed request"})
    assert post_json(url, data, headers)[0] == 409
    # The same text signed afresh (a new request id) is a new call.
    assert helpdesk_reply(assistant, conversation, "One reply.")[0] == 200
    delivered = [m["text"] for m in assistant.say(sender, "ok", "C006")]
    assert delivered == ["One reply.", "One reply.", ACK_DELIVERED]

    handback = f"{assistant.rasa_url}/webhooks/helpdesk/handback"
    data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation})
    assert post_json(handback, data, headers)[0] == 200
    assert post_json(handback, data, headers) == (409, {"error": "replayed request"})
