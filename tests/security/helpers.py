"""Helpers shared by the security test modules: fresh sender names, hand-written JSON
bodies, the check that the Rasa server is still alive and answering, the user texts a
REST conversation stored, and handing a REST conversation over to the helpdesk
receiver and replying to it as a signed agent.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tactful.settings import load_settings
from tests.security.conftest import HELPDESK_SECRET
from tests.support.assistant import Assistant, texts
from tests.support.helpdesk import HelpdeskReceiver, signed_call
from tests.support.security import post_json, rasa_answers, rest
from tests.support.security_processes import is_running, listening_child, port_of

LIMITS = load_settings().limits
RETURNS = "30 days"  # in every answer about the return policy
SIGN_IN = "signed in"
HANDED_OVER = "passing you to a person"


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def raw_json(text: str) -> bytes:
    """A JSON body written by hand, so its escapes (\\ud800, \\u0000) reach the server as typed."""
    return text.encode()


def assert_alive(assistant: Assistant) -> None:
    """The Rasa process still runs, answers its health request and a normal message."""
    pid = listening_child(port_of(assistant.rasa_url))
    assert pid is not None and is_running(pid), "the Rasa server process is gone"
    assert rasa_answers(assistant.rasa_url)
    reply = rest(assistant.rasa_url, {"sender": fresh("alive"), "message": "what is your return policy"})
    assert reply.status == 200, reply
    assert RETURNS in reply.text


def user_texts(assistant: Assistant, sender: str, channel: str = "rest") -> list[str]:
    return [e["text"] for e in assistant.tracker(sender, channel)["events"] if e.get("event") == "user"]


def _no_conversation(assistant: Assistant, sender: str) -> bool:
    return user_texts(assistant, sender) == []


# -- handoffs ----------------------------------------------------------------------------


def helpdesk_reply(assistant: Assistant, conversation: str, text: str) -> tuple[int, Any]:
    data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation, "text": text})
    return post_json(f"{assistant.rasa_url}/webhooks/helpdesk/reply", data, headers, timeout=30)


def created_for(receiver: HelpdeskReceiver, prefix: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [e for e in receiver.of_type("handoff.created") if e["conversation_id"].startswith(prefix)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no handoff.created for {prefix}")


def hand_over_rest(assistant: Assistant, receiver: HelpdeskReceiver, sender: str, customer: str) -> str:
    assistant.say(sender, "hello", customer)
    assert HANDED_OVER in texts(assistant.say(sender, "I want to talk to a human", customer))
    assert assistant.tracker(sender)["paused"]
    return created_for(receiver, f"rest:{sender}:")["conversation_id"]
