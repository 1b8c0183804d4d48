"""A counted socket.io client for tests/security: ``Widget`` talks to the assistant
like rasa-webchat (long-polling) and counts every event it emits as a probe
(tests/support/security.py), and ``reply_texts`` joins the texts of its replies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import socketio

from tests.support.security import record


class Widget:
    """A rasa-webchat style socket.io client (long-polling), counting what it emits."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.session_id: Any = None
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", self._on_confirm)

    async def _on_confirm(self, data: Any) -> None:
        self.session_id = data
        await self.confirmed.put(data)

    async def open(self, *session_request: Any, wait: float = 10) -> Any:
        """Connect and emit session_request with ``session_request`` as its arguments;
        return the confirmed session id."""
        await self.sio.connect(self.url, socketio_path="/socket.io/", transports=["polling"])
        await self.emit("session_request", *session_request)
        return await asyncio.wait_for(self.confirmed.get(), wait)

    async def close(self) -> None:
        await self.sio.disconnect()

    async def emit(self, event: str, *args: Any) -> None:
        """Emit ``event`` with exactly ``args`` as its arguments (none, or a JSON null, alike)."""
        record("socketio")
        # python-socketio spreads a tuple into the event's arguments.
        await self.sio.emit(event, tuple(args))

    async def send(self, *args: Any) -> None:
        await self.emit("user_uttered", *args)

    async def say(self, text: Any, custom_data: Any = None, **extra: Any) -> list[Any]:
        body = {"message": text, "session_id": self.session_id, **extra}
        if custom_data is not None:
            body["customData"] = custom_data
        await self.send(body)
        return await self.collect()

    async def collect(self, first_timeout: float = 30.0, quiet: float = 1.0) -> list[Any]:
        """Every reply until none arrives for ``quiet`` seconds ([] if none within ``first_timeout``)."""
        replies: list[Any] = []
        try:
            replies.append(await asyncio.wait_for(self.replies.get(), first_timeout))
            while True:
                replies.append(await asyncio.wait_for(self.replies.get(), quiet))
        except asyncio.TimeoutError:
            return replies

    async def collect_until(self, done: Callable[[Any], bool], timeout: float = 30.0) -> list[Any]:
        """Replies up to and including the first one ``done`` accepts; raises on timeout."""
        replies: list[Any] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no expected reply within {timeout}s; got {replies}")
            reply = await asyncio.wait_for(self.replies.get(), left)
            replies.append(reply)
            if done(reply):
                return replies


def reply_texts(replies: list[Any]) -> str:
    return "\n".join(str(r.get("text", "")) if isinstance(r, dict) else str(r) for r in replies)
