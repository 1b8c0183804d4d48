"""Customer identity from signed HS256 tokens (PyJWT).

The shop's backend signs a short-lived token whose ``sub`` is the customer id.
Anything else (slots, entities, sender ids) is never trusted as identity.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 3600
LEEWAY_SECONDS = 10


@dataclass(frozen=True)
class VerifiedIdentity:
    customer_id: str
    cart_id: str | None
    expires_at: int


class IdentityError(ValueError):
    """The token is missing, malformed, expired or badly signed."""


def issue_token(
    customer_id: str,
    secret: str,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    cart_id: str | None = None,
    now: float | None = None,
) -> str:
    if not secret:
        raise IdentityError("no signing secret configured (set TACTFUL_JWT_SECRET)")
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {"sub": customer_id, "iat": issued, "exp": issued + ttl_seconds}
    if cart_id:
        claims["cart"] = cart_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def verify_token(token: object, secret: str | None) -> VerifiedIdentity:
    """Return the verified identity, or raise IdentityError saying why."""
    if not secret:
        raise IdentityError("no signing secret configured")
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise IdentityError("token missing or not a string")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as error:
        raise IdentityError("token expired") from error
    except jwt.PyJWTError as error:
        raise IdentityError(f"invalid token: {error}") from error
    except UnicodeError as error:  # PyJWT encodes the token first; a lone surrogate fails there
        raise IdentityError("token is not valid text") from error
    # RFC 7519 NumericDate is a JSON number; PyJWT would also take "1900000000".
    if any(not _is_number(claims[name]) for name in ("exp", "iat", "nbf") if name in claims):
        raise IdentityError("invalid token: a time claim is not a number")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 64:
        raise IdentityError("token subject is not a customer id")
    cart = claims.get("cart")
    return VerifiedIdentity(
        customer_id=subject,
        cart_id=cart if isinstance(cart, str) else None,
        expires_at=int(claims["exp"]),
    )


# The metadata key under which a channel stores the identity it verified.
# Channels keep only ``customer_token`` from what a client sends and replace it
# with this, so a client can never set it and the token is never stored.
IDENTITY_KEY = "tactful_identity"
TOKEN_KEY = "customer_token"


def identity_to_metadata(identity: VerifiedIdentity | None) -> dict[str, object]:
    """What a channel stores with a message instead of the token."""
    if identity is None:
        return {}
    return {
        IDENTITY_KEY: {
            "customer_id": identity.customer_id,
            "cart_id": identity.cart_id,
            "expires_at": identity.expires_at,
        }
    }


def _stored_identity(value: object) -> VerifiedIdentity | None:
    if not isinstance(value, dict):
        return None
    customer_id, cart_id, expires_at = value.get("customer_id"), value.get("cart_id"), value.get("expires_at")
    if not isinstance(customer_id, str) or not customer_id or not isinstance(expires_at, int):
        return None
    return VerifiedIdentity(customer_id, cart_id if isinstance(cart_id, str) else None, expires_at)


def identity_from_metadata(metadata: object, secret: str | None) -> VerifiedIdentity | None:
    """The verified identity of a message: the one its channel stored, else its token.

    Channels verify the token on arrival (``tactful.channels.inbound``); a
    token is still accepted here for callers that talk to the actions directly.
    """
    if not isinstance(metadata, dict):
        return None
    stored = _stored_identity(metadata.get(IDENTITY_KEY))
    if stored is not None:
        return stored
    token = metadata.get(TOKEN_KEY)
    if token is None:
        return None
    try:
        return verify_token(token, secret)
    except IdentityError:
        return None


def first_verified_customer(message_metadata: Iterable[object], secret: str | None) -> str | None:
    """Whose conversation this is: the customer of its first verified message (docs/security.md).

    ``message_metadata`` is the metadata of the conversation's user messages, in order.
    """
    for metadata in message_metadata:
        identity = identity_from_metadata(metadata, secret)
        if identity is not None:
            return identity.customer_id
    return None
