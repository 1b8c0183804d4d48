"""Who hears a socket.io conversation: the sockets in its room, on every replica.

A conversation's replies, agent replies included, are emitted to a room named
after the conversation (``tactful.channels.socketio``). While nobody has
signed in to a conversation, a socket holding its session id joins the room at
once, as it holds nothing personal. When a customer signs in there, the room
is emptied (``seal``), so a socket that joined while it was anonymous does not
go on hearing the customer's replies (docs/security.md). The message pipeline
runs the seal once the customer is stored as the owner, under the
conversation's lock and before any reply; a socket that asks for the session
after that sees the owner and stays out until it proves it is the customer.
"""

from __future__ import annotations

import inspect
from typing import Any

from socketio import AsyncRedisManager, AsyncServer


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


class SealingRedisManager(AsyncRedisManager):  # type: ignore[misc]  # python-socketio is untyped
    """python-socketio's Redis manager, whose room close can keep one socket in the room.

    A close is published and every server, this one included, carries it out
    when it reads it back. A socket put back in the room right after
    publishing would be taken out again then; so the close names the socket
    to keep, and the server that holds it puts it back as it closes the room.
    """

    async def seal(self, room: str, namespace: str, keep_sid: str) -> None:
        await self._publish(
            {
                "method": "close_room",
                "room": room,
                "namespace": namespace,
                "keep": keep_sid,
                "host_id": self.host_id,
            }
        )

    async def _handle_close_room(self, message: dict[str, Any]) -> None:
        keep, namespace, room = message.get("keep"), message.get("namespace") or "/", message.get("room")
        # Only a socket still in the room goes back: one moved to another chat meanwhile stays out.
        stays = (
            bool(keep) and message.get("host_id") == self.host_id and room in self.get_rooms(keep, namespace)
        )
        await super()._handle_close_room(message)
        if stays:
            await maybe_await(self.enter_room(keep, namespace, room))


async def seal(sio: AsyncServer, sid: str, room: str, namespace: str) -> None:
    """Takes every socket out of ``room`` on every replica, except ``sid``.

    Through Redis the close is carried out as each server reads it; replies
    emitted afterwards are published behind it, so no server delivers them to
    a socket it has not taken out yet. Without Redis it is done at once.
    """
    if isinstance(sio.manager, SealingRedisManager):
        await sio.manager.seal(room, namespace, sid)
        return
    await sio.close_room(room, namespace=namespace)
    await enter(sio, sid, room, namespace)
