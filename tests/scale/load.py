"""The load driver: many concurrent conversations over REST and socket.io through nginx.

Each conversation sends its turns one after the other (the next message only
when the reply to the last one has arrived), so the tracker must hold exactly
the sent texts in the sent order. Conversations run all at once, so every demo
customer writes in many conversations on both replicas at the same time.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15 (installed with the python-socketio 5.9 pin) builds
    # aiohttp >= 3.10's ClientWSTimeout for its websocket transport; Rasa pins
    # aiohttp 3.9.5, whose ws_connect takes the same close timeout as a number.
    # Without this the client's websocket transport cannot connect at all.
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close

REST_PATH = "/webhooks/rest/webhook"
# socket.io has no "end of reply" marker: a reply is complete once the bot has
# been quiet this long after its first message.
QUIET_SECONDS = 1.5
REPLY_TIMEOUT = 120.0
APOLOGY_MARK = "something went wrong on my side"


@dataclass(frozen=True)
class Script:
    """Who talks and what they say; ``answer`` replies to an offer if one is shown."""

    kind: str  # "support", "checkout", "plain" or "handoff"
    customer: str
    opening: tuple[str, ...]
    answer: str | None = None
    closing: str = ""


@dataclass
class Conversation:
    script: Script
    channel: str  # "rest" or "socketio"
    transport: str = "http"  # "http", "polling" or "websocket"
    conversation_id: str = ""
    affinity: str = ""
    sent: list[str] = field(default_factory=list)
    replies: list[list[dict[str, Any]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    offered: bool = False
    error: str | None = None
    seconds: float = 0.0

    @property
    def apologies(self) -> int:
        return sum(APOLOGY_MARK in (m.get("text") or "") for reply in self.replies for m in reply)


def has_offer(messages: list[dict[str, Any]]) -> bool:
    return any(m.get("buttons") or m.get("quick_replies") for m in messages)


def scripts(count: int) -> list[Script]:
    """``count`` scripts cycling over the demo stories (README, "Demo customers")."""
    where = "where is my order?"
    pool = [
        Script("support", "C001", ("hi", where), answer="no thanks"),
        Script("support", "C001", ("hello", where), answer="yes please"),
        Script("support", "C006", ("hi", where), answer="yes please"),
        Script("support", "C006", ("hey", where), answer="no thanks"),
        Script("checkout", "C010", ("hi", "what's in my cart?"), answer="yes please"),
        Script("checkout", "C010", ("hello", "what's in my cart?"), answer="no thanks"),
        Script("plain", "C002", ("hi", where)),
        Script("plain", "C003", ("hi", where)),
        Script("plain", "C004", ("hi", where)),
        Script("plain", "C005", ("hi", "what's the price of the 128 GB SD card?")),
        Script("plain", "C007", ("hi", where)),
        Script("plain", "C008", ("hi", where)),
        Script("plain", "C009", ("hi", where)),
        Script("plain", "C011", ("hi", where)),
    ]
    return [script for script, _ in zip(itertools.cycle(pool), range(count))]


def handoff_script() -> Script:
    return Script("handoff", "C005", ("hello", "I want to talk to a human"), closing="")


def plan(count: int, handoffs: int = 1) -> list[Conversation]:
    """Half REST, half socket.io (half of those on long-polling, half on websocket)."""
    conversations: list[Conversation] = []
    for index, script in enumerate(scripts(count - handoffs)):
        if index % 2 == 0:
            conversations.append(Conversation(script, "rest"))
        else:
            transport = "polling" if index % 4 == 1 else "websocket"
            conversations.append(Conversation(script, "socketio", transport))
    conversations += [Conversation(handoff_script(), "rest") for _ in range(handoffs)]
    return conversations


def next_messages(conversation: Conversation) -> list[str]:
    """The turns after the opening, given what the bot said so far."""
    script = conversation.script
    follow = [script.answer] if conversation.offered and script.answer else []
    return follow + ([script.closing] if script.closing else [])


class RestChat:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str, conversation: Conversation):
        self.session, self.url, self.token, self.conversation = (
            session,
            base_url + REST_PATH,
            token,
            conversation,
        )
        conversation.conversation_id = f"rest:scale-{uuid.uuid4().hex[:16]}"

    async def say(self, text: str) -> list[dict[str, Any]]:
        sender = self.conversation.conversation_id.split(":", 1)[1]
        body = {"sender": sender, "message": text, "metadata": {"customer_token": self.token}}
        async with self.session.post(self.url, json=body) as response:
            self.conversation.statuses.append(response.status)
            payload = await response.json(content_type=None)
        if response.status != 200:
            raise AssertionError(f"REST {response.status}: {payload}")
        return list(payload)

    async def close(self) -> None:
        pass


class SocketChat:
    def __init__(self, base_url: str, token: str, conversation: Conversation):
        self.base_url, self.token, self.conversation = base_url, token, conversation
        conversation.affinity = uuid.uuid4().hex[:12]
        # Its own HTTP session, closed with the chat (engineio leaves the one it makes open).
        self.http = aiohttp.ClientSession()
        # Rasa runs NLU on its event loop, so under this load even the
        # connect packet may wait longer than engineio's default 5 s.
        self.client = socketio.AsyncClient(
            reconnection=False, http_session=self.http, request_timeout=REPLY_TIMEOUT
        )
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.session_token = ""
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.confirmed = confirmed

        @self.client.on("bot_uttered")  # type: ignore[misc]
        async def on_bot(data: dict[str, Any]) -> None:
            await self.inbox.put(data)

        @self.client.on("session_confirm")  # type: ignore[misc]
        async def on_session(token: Any) -> None:
            if not confirmed.done():
                confirmed.set_result(str(token))

    async def open(self) -> None:
        url = f"{self.base_url}?affinity={self.conversation.affinity}"
        await self.client.connect(
            url, transports=[self.conversation.transport], socketio_path="socket.io", wait_timeout=60
        )
        await self.client.emit("session_request", {"session_id": None})
        self.session_token = await asyncio.wait_for(self.confirmed, REPLY_TIMEOUT)
        self.conversation.conversation_id = f"socketio:{self.session_token.split('.')[0]}"

    async def say(self, text: str) -> list[dict[str, Any]]:
        data = {
            "message": text,
            "session_id": self.session_token,
            "customData": {"customer_token": self.token},
        }
        await self.client.emit("user_uttered", data)
        replies = [await asyncio.wait_for(self.inbox.get(), REPLY_TIMEOUT)]
        while True:
            try:
                replies.append(await asyncio.wait_for(self.inbox.get(), QUIET_SECONDS))
            except asyncio.TimeoutError:
                return replies

    async def close(self) -> None:
        try:
            await self.client.disconnect()
        finally:
            await self.http.close()


async def run_one(
    conversation: Conversation, base_url: str, token: str, session: aiohttp.ClientSession
) -> None:
    started = time.monotonic()
    chat: RestChat | SocketChat
    try:
        if conversation.channel == "rest":
            chat = RestChat(session, base_url, token, conversation)
        else:
            chat = SocketChat(base_url, token, conversation)
        try:
            if isinstance(chat, SocketChat):
                await chat.open()
            pending = list(conversation.script.opening)
            while pending:
                text = pending.pop(0)
                conversation.sent.append(text)
                reply = await chat.say(text)
                conversation.replies.append(reply)
                conversation.offered = conversation.offered or has_offer(reply)
                if not pending and len(conversation.sent) == len(conversation.script.opening):
                    pending = next_messages(conversation)
        finally:
            await chat.close()
    except Exception as error:  # noqa: BLE001 - recorded and asserted on by the test
        conversation.error = f"{type(error).__name__}: {error}"
    conversation.seconds = time.monotonic() - started


async def drive(conversations: list[Conversation], base_url: str, token_for: Callable[[str], str]) -> float:
    """Run every conversation at once; return the wall time in seconds."""
    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(
            *(run_one(c, base_url, token_for(c.script.customer), session) for c in conversations)
        )
    return time.monotonic() - started
