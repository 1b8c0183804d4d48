"""socket.io channel for the website widget that never errors on bad input.

The stock channel raises on a malformed ``customData`` string and trusts any
``session_id`` a client sends. This one:

* issues the session ids itself, signed (``tactful.channels.sessions``), and
  files each conversation as ``socketio:<id>``; a client that asks for any
  other id gets a fresh one;
* accepts a message only with the session id its own socket was given;
* limits packet size, message length, metadata size and new connections per
  client address (README "Limits"), and answers anything malformed with a
  short message instead of an error;
* when the signed-in customer differs from the one the conversation belongs
  to, moves the socket to a new conversation (the widget stores the new id),
  so nobody inherits another customer's chat;
* lets a socket that resumes a conversation a customer owns hear its replies
  only once one of its messages proves it is that customer: holding the
  session id alone never opens another customer's replies; and when a
  customer signs in to a conversation nobody owned, sockets that joined it
  before stop hearing it (``tactful.channels.socket_rooms``).

With TACTFUL_REDIS_URL set, emits go through Redis (``share_emits``), so a
reply reaches the customer's socket whichever replica sends it.

It also states which page origins may connect. The stock server disables
python-engineio's origin handling (``cors_allowed_origins=[]``): it sends no
CORS headers, so a page on another port cannot use socket.io's long-polling
transport (the first one socket.io-client tries), and it accepts a WebSocket
from any site. With origins configured, engineio answers CORS for those pages
and refuses connections from every other page.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from tactful import bootstrap
from tactful.channels import conversations
from tactful.channels import socket_rooms as rooms
from tactful.channels.gate import known_owner
from tactful.channels.ids import conversation_key
from tactful.channels.inbound import BadInput, client_metadata, customer_of, message_text, verified_metadata
from tactful.channels.pipeline import Admitted, MessagePipeline, pipeline_for
from tactful.channels.sessions import SessionIds
from tactful.channels.socket_limits import limit_handshakes
from tactful.channels.startup import cap_request_size, check_rasa_process
from tactful.settings import WebSettings

logger = logging.getLogger(__name__)
UNREADABLE = "Sorry, I couldn't read that message. Please try again."
SESSION_EXPIRED = "Your chat session expired. Please reload the page."
NEW_CHAT = "You're signed in differently now, so this is a new chat."


def parse_custom_data(raw: Any) -> dict[str, Any]:
    """customData as a dict; anything unreadable becomes {} (anonymous)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, TypeError, RecursionError):
            return {}
    return raw if isinstance(raw, dict) else {}


def allowed_origins(configured: Any, web: WebSettings) -> list[str]:
    """Page origins allowed to connect.

    Order: TACTFUL_WEB_ORIGINS, then ``cors_allowed_origins`` from
    credentials.yml, then the demo page on TACTFUL_WEB_PORT (both the
    127.0.0.1 and the localhost spelling, since a browser treats them as two
    origins).
    """
    if web.origins:
        return list(web.origins)
    if isinstance(configured, str):
        return _clean(configured.split(","))
    if isinstance(configured, Iterable):
        return _clean(str(item) for item in configured)
    return [f"http://127.0.0.1:{web.port}", f"http://localhost:{web.port}"]


def _clean(origins: Iterable[str]) -> list[str]:
    return [origin.strip().rstrip("/") for origin in origins if origin.strip()]


@dataclass
class Session:
    token: str  # what the widget stores and sends back
    key: str  # the conversation id, socketio:<id>


class ValidatedSocketIOInput(SocketIOInput):  # type: ignore[misc]  # rasa ships no type information
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        check_rasa_process()
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ValidatedSocketIOInput)
        channel.origins = tuple(
            allowed_origins((credentials or {}).get("cors_allowed_origins"), bootstrap.root().settings.web)
        )
        return channel

    # Empty: the stock behaviour (no CORS handling). Set by from_credentials.
    origins: tuple[str, ...] = ()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = bootstrap.root().settings
        pipeline = pipeline_for(on_new_message)
        ids = SessionIds(settings.session_secret or "")
        connections = bootstrap.root().async_counter
        blueprint: Blueprint = super().blueprint(on_new_message)
        cap_request_size(blueprint)
        sio = self.sio
        assert sio is not None
        sio.eio.max_http_buffer_size = settings.limits.body_bytes
        if settings.redis_url:
            share_emits(blueprint, sio, settings.redis_url, settings.backends.socketio_channel)
        if self.origins:
            # Read by engineio on every request, so setting it after the stock
            # blueprint built the server is enough.
            sio.eio.cors_allowed_origins = list(self.origins)
            logger.info("socket.io accepts pages from %s", ", ".join(self.origins))
        namespace = self.namespace or "/"
        sessions: dict[str, Session] = {}

        async def enter(sid: str, session: Session) -> Session:
            # In the conversation's room, the socket receives its replies (see the module docstring).
            await rooms.enter(sio, sid, session.key, namespace)
            return session

        async def join(sid: str, token: str, local_id: str, owned: bool = False) -> Session:
            previous = sessions.get(sid)
            session = Session(token, conversation_key(self.name(), local_id))
            sessions[sid] = session
            if previous is not None:
                await rooms.maybe_await(sio.leave_room(sid, previous.key, namespace=namespace))
            if not owned:
                await enter(sid, session)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)
            return session

        limit_handshakes(sio, connections, settings.limits.sessions_per_client_per_minute)

        @sio.on("session_request", namespace=self.namespace)  # type: ignore[misc]  # python-socketio (rasa's sio) is untyped
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            local_id = ids.verify(requested)
            if local_id is None or not self.session_persistence:
                await join(sid, *ids.issue())
                return
            key = conversation_key(self.name(), local_id)
            owner = await _stored_owner(key)
            await join(sid, str(requested), local_id, owned=owner is not None)
            if owner is None and await _stored_owner(key) is not None:
                # A customer signed in meanwhile: read again after joining, so either this
                # socket sees the owner and leaves, or it joined before the owner was stored
                # and the sign-in's seal, which comes after, takes it out.
                await rooms.maybe_await(sio.leave_room(sid, key, namespace=namespace))

        @sio.on("disconnect", namespace=self.namespace)  # type: ignore[misc]  # python-socketio (rasa's sio) is untyped
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)  # type: ignore[misc]  # python-socketio (rasa's sio) is untyped
        async def handle_message(sid: str, data: Any = None, *_extra: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            session = sessions.get(sid)
            if not isinstance(data, dict) or session is None:
                await output.send_text_message(sid, UNREADABLE if session else SESSION_EXPIRED)
                return
            if self.session_persistence and data.get("session_id") != session.token:
                await output.send_text_message(sid, SESSION_EXPIRED)
                return
            raw = data.get("message")
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                # rasa-webchat sends its initPayload when the chat first opens,
                # with no message when none is configured: nothing to answer.
                return
            try:
                text = message_text(raw, settings.limits.message_chars)
                metadata = client_metadata(
                    parse_custom_data(data.get(self.metadata_key)), settings.limits.metadata_bytes
                )
            except BadInput:
                await output.send_text_message(sid, UNREADABLE)
                return
            metadata = verified_metadata(metadata, settings.jwt_secret)
            customer = customer_of(metadata)
            sealing = None
            if not rooms.in_room(sio, sid, session.key, namespace):
                if await _stored_owner(session.key) == customer:
                    await enter(sid, session)
                else:
                    # Resumed by someone who is not its customer: this socket starts its own chat.
                    session = await join(sid, *ids.issue())
                    await output.send_text_message(sid, NEW_CHAT)
            elif customer is not None and await _stored_owner(session.key) is None:
                # A customer signs in to a chat nobody owned: sockets that joined it while it
                # was anonymous stop hearing it. Done by the pipeline once the owner is
                # stored, under the lock and before any reply: a socket resuming the chat
                # after that sees the owner and stays out (session_request).
                sealing = functools.partial(rooms.seal, sio, sid, session.key, namespace)
            await self._deliver(pipeline, output, session.key, text, metadata, sid, join, ids, sealing)

        return blueprint

    async def _deliver(
        self,
        pipeline: MessagePipeline,
        output: SocketIOOutput,
        key: str,
        text: str,
        metadata: dict[str, Any],
        sid: str,
        join: Callable[[str, str, str], Awaitable[Session]],
        ids: SessionIds,
        admitted: Admitted | None = None,
    ) -> None:
        verdict = await pipeline(
            UserMessage(text, output, key, input_channel=self.name(), metadata=metadata), admitted
        )
        if verdict.kind == "rate_limited":
            await output.send_text_message(sid, verdict.refusal)
        elif verdict.refused:
            # Another customer's conversation: this socket starts its own.
            session = await join(sid, *ids.issue())
            await output.send_text_message(sid, NEW_CHAT)
            await pipeline(
                UserMessage(text, output, session.key, input_channel=self.name(), metadata=metadata)
            )


def share_emits(blueprint: Blueprint, sio: AsyncServer, redis_url: str, channel: str) -> None:
    """Carry every emit through Redis, so it reaches a socket on any replica.

    python-socketio's Redis manager publishes each emit and every server
    delivers it to its own sockets in the room: an agent's reply posted to
    one replica reaches the customer's socket on another. The stock server
    starts the manager's listener on its first connection; starting it with
    the server means no emit published before then is missed.
    """
    manager = rooms.SealingRedisManager(redis_url, channel=channel)
    manager.set_server(sio)
    sio.manager = manager

    @blueprint.listener("after_server_start")  # type: ignore[misc]  # sanic's decorators are untyped
    async def listen(_app: Any, _loop: Any) -> None:
        if not sio.manager_initialized:
            sio.manager_initialized = True
            sio.manager.initialize()


UNKNOWN_OWNER = "<unknown>"  # never a customer id (ids are validated), so it matches nobody


async def _stored_owner(key: str) -> str | None:
    """The conversation's stored owner; UNKNOWN_OWNER when the store cannot say (fails closed)."""
    try:
        return await known_owner(conversations.current_agent(), key)
    except Exception:  # noqa: BLE001 - unreadable: treated as owned by someone else
        logger.warning("socket.io: could not look up the owner of %s", key)
        return UNKNOWN_OWNER
