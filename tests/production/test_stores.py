"""The one-URL lock store and event broker (tactful/channels/stores.py) against
the real Redis and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from tactful.channels.stores import PikaUrlEventBroker, RedisUrlLockStore, StoreConfigurationError, amqp_parts
from tests.production.profile import RABBITMQ_URL, REDIS_URL


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("amqp://tactful:s3cr%40t@rabbit.internal:5673/shop", ("rabbit.internal", 5673, "tactful", "s3cr@t")),
        ("amqps://u:p@rabbit.internal/", ("rabbit.internal", 5671, "u", "p")),
        ("amqp://rabbit.internal", ("rabbit.internal", 5672, "guest", "guest")),
    ],
)
def test_an_amqp_url_is_split_into_what_pika_wants(url: str, parts: tuple[str, int, str, str]) -> None:
    assert amqp_parts(url) == parts


@pytest.mark.parametrize(
    "url", ["", "rabbit.internal:5672", "http://rabbit.internal", "amqp://", "amqp://h:port/"]
)
def test_an_unusable_amqp_url_is_refused_by_setting_name(url: str) -> None:
    with pytest.raises(StoreConfigurationError, match="TACTFUL_RABBITMQ_URL"):
        amqp_parts(url)


@pytest.mark.parametrize("url", [None, "", "127.0.0.1:6379", "http://127.0.0.1:6379"])
def test_an_unusable_redis_url_is_refused_by_setting_name(url: str | None) -> None:
    with pytest.raises(StoreConfigurationError, match="TACTFUL_REDIS_URL"):
        RedisUrlLockStore(EndpointConfig(url=url))


def test_the_lock_store_uses_the_database_its_url_names() -> None:
    conversation = f"rest:stores-{uuid.uuid4().hex}"
    store = RedisUrlLockStore(EndpointConfig(url=REDIS_URL, key_prefix="tactfultest"))
    ticket = store.issue_ticket(conversation, 30)
    try:
        key = f"tactfultest:lock:{conversation}"
        assert redis.Redis.from_url(REDIS_URL).exists(key) == 1
        # The database number in the URL is the one used (not Rasa's default, 1).
        assert redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/1").exists(key) == 0
        assert store.get_lock(conversation).tickets[0].number == ticket
    finally:
        store.cleanup(conversation, ticket)
    assert store.get_lock(conversation) is None


def test_the_event_broker_publishes_to_its_queue_from_one_url() -> None:
    import aio_pika

    queue_name = f"tactful_events_stores_{uuid.uuid4().hex[:12]}"
    sender = f"rest:stores-{uuid.uuid4().hex[:8]}"

    async def scenario() -> list[dict]:
        broker = await PikaUrlEventBroker.from_endpoint_config(
            EndpointConfig(url=RABBITMQ_URL, queues=[queue_name], raise_on_failure=True)
        )
        assert broker is not None and broker.host == "127.0.0.1"
        received: list[dict] = []
        connection = await aio_pika.connect(RABBITMQ_URL)
        try:
            broker.publish({"sender_id": sender, "event": "user", "text": "hi"})
            channel = await connection.channel()
            queue = await channel.get_queue(queue_name, ensure=True)
            for _ in range(100):
                message = await queue.get(no_ack=True, fail=False)
                if message is not None:
                    received.append(json.loads(message.body))
                    break
                await asyncio.sleep(0.1)
            await channel.queue_delete(queue_name)
        finally:
            await broker.close()
            await connection.close()
        return received

    assert asyncio.run(scenario()) == [{"sender_id": sender, "event": "user", "text": "hi"}]
