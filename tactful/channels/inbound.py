"""What every channel does to a customer's input before Rasa sees it.

* Text loses what no database or model should get: NUL and other control
  characters, and lone UTF-16 surrogates (valid JSON, invalid UTF-8).
* Typed intent payloads (``/restart``, ``/greet{"customer_id": "C7"}``) become
  plain text, so users cannot restart a paused conversation or set slots
  through entities. Only the exact payloads of our own buttons pass.
* Client metadata is cut to the one key the assistant reads,
  ``customer_token``; the token is verified here and replaced by the identity
  it proves (``tactful.identity.IDENTITY_KEY``), so no token is stored in the
  tracker and no client can set the identity key itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tactful.identity import TOKEN_KEY, identity_from_metadata, identity_to_metadata

BUTTON_PAYLOADS = frozenset({"/accept_offer", "/decline_offer", "/affirm", "/deny"})
# C0 controls but tab, newline and carriage return; DEL; lone surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_TOKEN_CHARS = 4096


class BadInput(ValueError):
    """Input a channel refuses; the message is safe to show the client."""


def clean_text(text: str) -> str:
    return _UNSTORABLE.sub("", text)


def neutralise_payload(text: str) -> str:
    """Keep our own button payloads; make any other typed payload plain text."""
    stripped = text.strip()
    if stripped in BUTTON_PAYLOADS:
        return stripped
    if stripped.startswith("/"):
        # Slashes and spaces together: "/ /restart" must not leave "/restart".
        return stripped.lstrip("/ \t\r\n") or "?"
    return text


def message_text(raw: object, max_chars: int) -> str:
    """The text to hand to Rasa; raises BadInput for a missing, empty or long one."""
    if not isinstance(raw, str):
        raise BadInput("'message' is required and must be a string")
    if len(raw) > max_chars:
        raise BadInput(f"'message' must be at most {max_chars} characters")
    text = clean_text(raw)
    if not text.strip():
        raise BadInput("'message' must not be empty")
    return neutralise_payload(text)


def client_metadata(raw: object, max_bytes: int) -> dict[str, Any]:
    """The metadata keys a client may send, size-checked; raises BadInput."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadInput("'metadata' must be a JSON object when given")
    try:
        size = len(json.dumps(raw, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError, RecursionError):
        raise BadInput("'metadata' is not plain JSON") from None
    if size > max_bytes:
        raise BadInput(f"'metadata' must be at most {max_bytes} bytes")
    token = raw.get(TOKEN_KEY)
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_CHARS and token.isascii():
        return {TOKEN_KEY: token}
    return {}


def verified_metadata(metadata: dict[str, Any], jwt_secret: str | None) -> dict[str, Any]:
    """The metadata to store: the identity a valid token proves, or nothing."""
    token = metadata.get(TOKEN_KEY)
    if token is None:
        return {}
    return identity_to_metadata(identity_from_metadata({TOKEN_KEY: token}, jwt_secret))


def customer_of(metadata: object) -> str | None:
    """The verified customer of a message whose metadata a channel built."""
    identity = identity_from_metadata(metadata, None)
    return identity.customer_id if identity else None
