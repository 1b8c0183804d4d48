"""Who hears a socket.io conversation: the sockets in its room, on every replica.

A conversation's replies, agent replies included, are emitted to a room named
after the conversation (``tactful.channels.socketio``). While nobody has
signed in to a conversation, a socket holding its session id joins the room at
once, as it holds nothing personal. When a customer signs in there, the room
is emptied first (``seal``), so a socket that joined while it was anonymous
does not go on hearing the customer's replies (docs/security.md).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

from socketio import AsyncServer

# How long ``seal`` waits for its own server to carry out the close that went
# through Redis; afterwards it goes on, and at worst the customer's socket is
# taken out too and joins again with its next signed message.
SEAL_WAIT_SECONDS = 1.0


async def maybe_await(result: Any) -> None:
    # python-socketio is pinned to 5.9, where enter_room is synchronous; from
    # 5.10 it is a coroutine that must be awaited or every bot reply is lost
    # (rasa#13027).
    if inspect.isawaitable(result):
        await result


def in_room(sio: AsyncServer, sid: str, room: str, namespace: str) -> bool:
    """Whether this server's socket ``sid`` is in ``room`` now.

    Asked of the server rather than remembered: a ``seal`` on another replica
    takes the socket out of the room without telling this one's session.
    """
    return room in (sio.rooms(sid, namespace=namespace) or [])


async def enter(sio: AsyncServer, sid: str, room: str, namespace: str) -> None:
    await maybe_await(sio.enter_room(sid, room, namespace=namespace))


async def seal(sio: AsyncServer, sid: str, room: str, namespace: str) -> None:
    """Takes every socket out of ``room`` on every replica, then puts ``sid`` back.

    With python-socketio's Redis manager the close is published and each
    server, this one included, carries it out when it reads it back; waiting
    for that here keeps it from taking ``sid`` out again after it rejoined.
    Replies emitted afterwards are published behind the close, so no other
    server delivers them to a socket it has not taken out yet.
    """
    await sio.close_room(room, namespace=namespace)
    deadline = time.monotonic() + SEAL_WAIT_SECONDS
    while in_room(sio, sid, room, namespace) and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    await enter(sio, sid, room, namespace)
