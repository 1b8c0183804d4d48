"""New socket.io connections per client address are limited at engine.io's handshake.

A client that opens engine.io sessions and never connects to socket.io is
held to the same limit as one that connects (TACTFUL_RATE_SESSIONS_PER_MINUTE),
on an assistant of its own with a limit of 4 a minute.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import socketio

from tests.support.assistant import Assistant, start_assistant

pytestmark = pytest.mark.e2e

LIMIT = 4
WINDOW_SECONDS = 60  # tactful.channels.socket_limits.CONNECTIONS_WINDOW_SECONDS: fixed windows on the clock


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    env = {"TACTFUL_RATE_SESSIONS_PER_MINUTE": str(LIMIT), "TACTFUL_REDIS_URL": ""}
    with start_assistant(tmp_path_factory.mktemp("handshakes"), extra_env=env) as running:
        yield running


def handshake(url: str) -> tuple[int, bytes]:
    """A bare engine.io v4 polling handshake, as any HTTP client can send it."""
    try:
        with urllib.request.urlopen(f"{url}/socket.io/?EIO=4&transport=polling", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_bare_handshakes_beyond_the_limit_get_no_session(assistant: Assistant) -> None:
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < 15:  # all of this test's handshakes in one counting window
        time.sleep(left + 0.2)
    answers = [handshake(assistant.rasa_url) for _ in range(LIMIT + 2)]
    assert [status for status, _ in answers[:LIMIT]] == [200] * LIMIT
    assert all(b'"sid"' in body for _, body in answers[:LIMIT])
    assert [status for status, _ in answers[LIMIT:]] == [401, 401]
    assert not any(b'"sid"' in body for _, body in answers[LIMIT:])

    async def connect() -> None:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(assistant.rasa_url, socketio_path="/socket.io/", transports=["polling"])
        finally:
            await client.disconnect()

    # A real client from the same address is held to the same count.
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(connect())
