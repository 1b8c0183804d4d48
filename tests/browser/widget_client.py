"""A rasa-webchat style socket.io client for the socket.io channel tests, and their small helpers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import socketio

from tests.browser.conftest import WidgetStack

T = TypeVar("T")
REPLY_TIMEOUT = 30.0
SIGN_IN = "signed in"


class WidgetClient:
    """Speaks the rasa-webchat protocol: session_request, user_uttered, bot_uttered.

    Unlike rasa-webchat it asks for an acknowledgement of each message, which
    tells when the server is done with it: no waiting for a quiet moment.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        # Long-polling only: the websocket transport of python-engineio 4.15
        # needs a newer aiohttp than Rasa's pin (the browser test covers it).
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.session_id: str | None = None
        self.sio.on("bot_uttered", self.replies.put)

    async def __aenter__(self) -> WidgetClient:
        await self.connect({"session_id": None})
        return self

    async def connect(self, request: Any) -> None:
        confirmed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def on_confirm(data: Any) -> None:
            # Like rasa-webchat, keep whatever id the server confirms last.
            self.session_id = data
            if not confirmed.done():
                confirmed.set_result(data)

        self.sio.on("session_confirm", on_confirm)
        await self.sio.connect(self.url, socketio_path="/socket.io/", transports=["polling"])
        await self.sio.emit("session_request", request)
        await asyncio.wait_for(confirmed, 10)

    async def __aexit__(self, *_: object) -> None:
        await self.sio.disconnect()

    async def send(self, data: Any = None) -> None:
        """Emit one message and wait until the server has handled it.

        The server acknowledges an event once its handler returned, and the
        handler returns only after Rasa's whole turn; the acknowledgement
        travels behind the turn's replies on the same connection. So when this
        returns, every reply to ``data`` is in ``replies``.
        """
        await self.sio.call("user_uttered", data, timeout=REPLY_TIMEOUT)

    async def say(self, text: Any, custom_data: Any = None, **extra: Any) -> list[Any]:
        body = {"message": text, "session_id": self.session_id, **extra}
        if custom_data is not None:
            body["customData"] = custom_data
        await self.send(body)
        return self.received()

    def received(self) -> list[Any]:
        """Every reply that arrived since the last call (all handled messages' replies)."""
        replies: list[Any] = []
        while not self.replies.empty():
            replies.append(self.replies.get_nowait())
        return replies


def run(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())


def texts(replies: list[Any]) -> str:
    return "\n".join(str(r.get("text", "")) if isinstance(r, dict) else str(r) for r in replies)


def no_channel_errors(stack: WidgetStack) -> None:
    log = (stack.assistant.workdir / "rasa.log").read_text()
    assert not re.search(r"channels/socketio\.py", log), log[-3000:]
