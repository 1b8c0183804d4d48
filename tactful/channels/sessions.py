"""socket.io session ids that only the server can issue.

The widget keeps the id it was given (rasa-webchat stores it in the
browser) and asks for it again when the page reloads. The id is
``<random>.<signature>``: the random part names the conversation
(``socketio:<random>``) and the HMAC signature proves this server issued
it, so a client cannot pick ``rest:alice`` or a Slack user's id, nor
guess another visitor's conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_TOKEN = re.compile(r"([a-f0-9]{32})\.([a-f0-9]{32})")


class SessionIds:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("socket.io session ids need TACTFUL_SESSION_SECRET (or TACTFUL_JWT_SECRET)")
        self._key = hmac.new(secret.encode(), b"tactful-socketio-session", hashlib.sha256).digest()

    def _sign(self, local_id: str) -> str:
        return hmac.new(self._key, local_id.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> tuple[str, str]:
        """(token for the client, the conversation's own id)."""
        local_id = secrets.token_hex(16)
        return f"{local_id}.{self._sign(local_id)}", local_id

    def verify(self, token: object) -> str | None:
        """The conversation's own id if ``token`` is one this server issued."""
        if not isinstance(token, str):
            return None
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        local_id, signature = match.groups()
        return local_id if hmac.compare_digest(signature, self._sign(local_id)) else None
