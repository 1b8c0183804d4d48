"""How many new socket.io connections a client address may open (README "Limits")."""

from __future__ import annotations

import logging
from typing import Any

from socketio import AsyncServer

from tactful.ratelimit import AsyncCounter, CounterUnavailable

logger = logging.getLogger(__name__)
CONNECTIONS_WINDOW_SECONDS = 60


def limit_handshakes(sio: AsyncServer, counter: AsyncCounter, per_minute: int) -> None:
    """At most ``per_minute`` new connections a minute per client address.

    Counted at engine.io's handshake, which every socket.io connection starts
    with: a client that opens engine.io sessions and never connects to
    socket.io is held to the same limit. A refused handshake gets engine.io's
    401 and no session.
    """
    socketio_handshake = sio.eio.handlers["connect"]

    async def handshake(eio_sid: str, environ: dict[str, Any]) -> Any:
        request = environ.get("sanic.request")
        client = getattr(request, "ip", None) or "unknown"
        try:
            count = await counter.hit(f"socketio-connect:{client}", CONNECTIONS_WINDOW_SECONDS)
        except CounterUnavailable:
            count = 0  # the limits' store is down: let people chat
        if count > per_minute:
            logger.warning("socket.io: too many connections from %s", client)
            return False
        return await socketio_handshake(eio_sid, environ)

    sio.eio.on("connect", handshake)
