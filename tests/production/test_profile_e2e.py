"""The production profile end to end: two Rasa replicas started with
``--endpoints endpoints.prod.yml`` and TACTFUL_ENV=production against the local
PostgreSQL, Redis and RabbitMQ (tests/production/profile.py).

Checked: the conversation lives in PostgreSQL and continues on the other
replica, the Rasa API refuses calls without its token, every event reaches the
RabbitMQ queue, a conversation locked in Redis by another replica waits for
it, and an agent's reply posted to replica B reaches a socket on replica A.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tactful.handoff.adapters import SignedWebhookAdapter
from tactful.handoff.intake import HandoffRequest
from tactful.handoff.retry import Backoff
from tactful.handoff.service import HandoffService
from tactful.services.clock import utcnow
from tactful.store.unit_of_work import uow_for
from tests.production.profile import RABBITMQ_URL, REDIS_URL, Profile, start_profile
from tests.support.helpdesk import signed_post
from tests.support.http import post_json

pytestmark = pytest.mark.e2e
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Profile]:
    with start_profile(tmp_path_factory.mktemp("production-profile"), replicas=2) as running:
        yield running


def say(profile: Profile, replica: int, sender: str, message: str, customer: str = "C001") -> list[dict]:
    status, replies = post_json(
        profile.rasa_urls[replica] + "/webhooks/rest/webhook",
        {
            "sender": sender,
            "message": message,
            "metadata": {"customer_token": profile.customer_token(customer)},
        },
    )
    assert status == 200, (status, replies)
    return list(replies)


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def tracker_rows(profile: Profile, conversation: str) -> list[dict[str, Any]]:
    engine = create_engine(profile.tracker_db_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": conversation},
            )
            return [{"event": row.type_name, **json.loads(row.data)} for row in rows]
    finally:
        engine.dispose()


async def _queued_events(queue_name: str, conversation: str, wanted: int) -> list[dict[str, Any]]:
    import aio_pika

    found: list[dict[str, Any]] = []
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                if len([e for e in found if e.get("event") == "user"]) >= wanted:
                    return found
                await asyncio.sleep(0.2)
                continue
            event = json.loads(message.body)
            if event.get("sender_id") == conversation:
                found.append(event)
    return found


def test_a_conversation_is_kept_in_postgresql_and_published_to_rabbitmq(profile: Profile) -> None:
    sender = f"prod-{uuid.uuid4().hex[:10]}"
    conversation = f"rest:{sender}"
    assert say(profile, 0, sender, "where is my order?")
    # The next message goes to the other replica: the same conversation goes on.
    assert say(profile, 1, sender, "thanks")
    stored = tracker_rows(profile, conversation)
    users = [row["text"] for row in stored if row["event"] == "user"]
    assert users == ["where is my order?", "thanks"]
    assert any(row["event"] == "bot" for row in stored)

    published = asyncio.run(_queued_events(profile.queue, conversation, wanted=2))
    assert [e["text"] for e in published if e.get("event") == "user"] == users
    assert any(e.get("event") == "bot" for e in published)
    # What the queue carries is what the tracker store holds, event for event.
    assert len(published) == len(stored)


def test_the_rasa_api_refuses_calls_without_its_token(profile: Profile) -> None:
    for base in profile.rasa_urls:
        tracker = f"{base}/conversations/rest:nobody/tracker"
        assert get(tracker)[0] == 401
        assert get(f"{tracker}?token=wrong-{uuid.uuid4().hex}")[0] == 401
        assert get(f"{tracker}?token={profile.rasa_token}")[0] == 200
        assert get(f"{base}/status")[0] == 401


def test_a_conversation_locked_in_redis_by_another_replica_waits_for_it(profile: Profile) -> None:
    from rasa.utils.endpoints import EndpointConfig

    from tactful.channels.stores import RedisUrlLockStore

    sender = f"locked-{uuid.uuid4().hex[:10]}"
    conversation = f"rest:{sender}"
    # Another replica is working on this conversation: it holds ticket 0.
    other_replica = RedisUrlLockStore(EndpointConfig(url=REDIS_URL))
    ticket = other_replica.issue_ticket(conversation, 60)
    answered: list[list[dict]] = []
    request = threading.Thread(target=lambda: answered.append(say(profile, 0, sender, "hello")))
    request.start()
    try:
        # Replica 0 queues behind it, in the same Redis lock.
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            lock = other_replica.get_lock(conversation)
            if lock is not None and len(lock.tickets) >= 2:
                break
            assert time.monotonic() < deadline, "the Rasa server never queued in the Redis lock"
            time.sleep(0.1)
        assert not answered  # still waiting for the other replica
    finally:
        other_replica.cleanup(conversation, ticket)
    request.join(WAIT_SECONDS + 30)
    assert answered and answered[0]
    assert other_replica.get_lock(conversation) is None  # released once answered


class WidgetClient:
    """The rasa-webchat protocol over long-polling (tests/browser/test_socketio_channel.py)."""

    def __init__(self, url: str) -> None:
        import socketio

        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.sio.on("bot_uttered", self.replies.put)

    async def start(self) -> str:
        confirmed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.sio.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
        await self.sio.connect(self.url, socketio_path="/socket.io/", transports=["polling"])
        await self.sio.emit("session_request", {"session_id": None})
        return str(await asyncio.wait_for(confirmed, WAIT_SECONDS))


def _open_handoff(profile: Profile, conversation: str) -> None:
    """A handoff in the shared shop database, as the handoff action leaves it."""
    service = HandoffService(
        lambda: uow_for(profile.shop_db_url), SignedWebhookAdapter(None, "unused", 1), Backoff(1, 1)
    )
    service.create(
        HandoffRequest(
            conversation_id=conversation,
            channel="socketio",
            customer_id=None,
            reason="requested",
            topic=None,
            intents=("human_handoff",),
            messages=(),
            open_issues=(),
            mentioned_orders=(),
            stage="support",
            advice=None,
        ),
        utcnow(),
    )


def test_an_agent_reply_sent_through_replica_b_reaches_a_socket_on_replica_a(profile: Profile) -> None:
    replica_a, replica_b = profile.rasa_urls

    async def scenario() -> Any:
        client = WidgetClient(replica_a)
        session = await client.start()
        try:
            # A handoff's conversation id: the sender, ":", the session's start second.
            conversation = f"socketio:{session.split('.')[0]}:{int(time.time())}"
            await asyncio.to_thread(_open_handoff, profile, conversation)
            status, body = await asyncio.to_thread(
                signed_post,
                f"{replica_b}/webhooks/helpdesk/reply",
                profile.env["TACTFUL_HELPDESK_SECRET"],
                {"conversation_id": conversation, "text": "Hi, this is Sam from support."},
            )
            assert (status, body.get("status")) == (200, "sent"), body
            return await asyncio.wait_for(client.replies.get(), WAIT_SECONDS)
        finally:
            await client.sio.disconnect()

    reply = asyncio.run(scenario())
    assert reply["text"] == "Hi, this is Sam from support."


def test_no_replica_logged_an_error(profile: Profile) -> None:
    for log in sorted(Path(profile.workdir).glob("rasa-*.log")):
        content = log.read_text(errors="replace")
        assert "Traceback" not in content, content[-3000:]
