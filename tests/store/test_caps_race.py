"""The caps hold when many conversations of one customer race on two servers.

Two real action-server OS processes share one shop database. 200 concurrent
rounds of `action_order_status` for the same customer (each a moment where an
offer may be made) go to both servers at once; afterwards the database must
hold exactly the impressions the caps allow.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from tactful.identity import issue_token
from tests.support.policies import write_policy
from tests.support.servers import base_env, free_port, running
from tests.support.shop import offer_events

pytestmark = pytest.mark.slow

SECRET = "race-jwt-secret-0123456789abcdef"
ACTION_SECRET = "race-action-secret"
ROUNDS = 200
CUSTOMER = "C001"


SESSION_STARTED = time.time() - 60  # one session start: the same sender is one conversation


def _tracker(sender: str, token: str) -> dict:
    started = SESSION_STARTED
    metadata = {"customer_token": token}
    latest = {
        "text": "where is my order?",
        "intent": {"name": "order_status", "confidence": 0.99},
        "entities": [],
        "metadata": metadata,
    }
    greet = {"intent": {"name": "greet", "confidence": 1.0}, "text": "hi", "metadata": metadata}
    return {
        "sender_id": sender,
        "slots": {},
        "latest_message": latest,
        "events": [
            {"event": "session_started", "timestamp": started},
            {
                "event": "user",
                "text": "hi",
                "parse_data": greet,
                "input_channel": "rest",
                "metadata": metadata,
            },
            {"event": "action", "name": "action_smalltalk"},
            {
                "event": "user",
                "text": "where is my order?",
                "parse_data": latest,
                "input_channel": "rest",
                "metadata": metadata,
            },
        ],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }


def _call(url: str, sender: str, token: str) -> dict:
    body = {
        "next_action": "action_order_status",
        "sender_id": sender,
        "tracker": _tracker(sender, token),
        "domain": {},
        "version": "3.6.2",
    }
    request = urllib.request.Request(
        f"{url}/webhook?token={ACTION_SECRET}",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def _race(demo_db_url: str, tmp_path: Path, senders: list[str]) -> list[dict]:
    env = base_env(
        TACTFUL_SHOP_DB_URL=demo_db_url,
        TACTFUL_JWT_SECRET=SECRET,
        TACTFUL_ACTION_SECRET=ACTION_SECRET,
        # The test policy's caps (tests/support/policies.py): 1 per conversation, 2 per 7 days.
        TACTFUL_POLICY_FILE=str(write_policy(tmp_path / "policy.yml")),
        TACTFUL_DB_TIMEOUT="30",
    )
    token = issue_token(CUSTOMER, SECRET)
    with ExitStack() as stack:
        urls = []
        for index in range(2):
            port = free_port()
            stack.enter_context(
                running(
                    [sys.executable, "-m", "tactful.action_server", "--port", str(port)],
                    env,
                    tmp_path / f"actions-{index}.log",
                    f"http://127.0.0.1:{port}/health",
                    timeout=90,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        with ThreadPoolExecutor(max_workers=24) as pool:
            futures = [pool.submit(_call, urls[i % 2], sender, token) for i, sender in enumerate(senders)]
            return [future.result() for future in futures]


def _offers_shown(results: list[dict]) -> int:
    return sum(
        1
        for result in results
        for response in result.get("responses", [])
        if any(button.get("payload") == "/accept_offer" for button in response.get("buttons") or [])
    )


def test_one_conversation_racing_on_two_servers_gets_one_offer(demo_db_url: str, tmp_path: Path) -> None:
    results = _race(demo_db_url, tmp_path, ["race-shared"] * ROUNDS)
    impressions = offer_events(demo_db_url, CUSTOMER, "impression")
    assert len(impressions) == 1
    assert _offers_shown(results) == 1
    decisions = offer_events(demo_db_url, CUSTOMER, "decision")
    assert len(decisions) == ROUNDS
    assert sum("cap:conversation" in (d.reasons or []) for d in decisions) == ROUNDS - 1


def test_many_conversations_racing_on_two_servers_respect_the_weekly_cap(
    demo_db_url: str, tmp_path: Path
) -> None:
    results = _race(demo_db_url, tmp_path, [f"race-{index}" for index in range(ROUNDS)])
    impressions = offer_events(demo_db_url, CUSTOMER, "impression")
    assert len(impressions) == 2  # at most 2 per customer per rolling 7 days
    assert len({event.conversation_id for event in impressions}) == 2  # at most 1 per conversation
    assert len({event.offer_id for event in impressions}) == 2  # the same offer at most once per 30 days
    assert _offers_shown(results) == 2
    assert len(offer_events(demo_db_url, CUSTOMER, "decision")) == ROUNDS
