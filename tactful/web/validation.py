"""Reading and validating the page's JSON requests.

Every problem becomes a 4xx with one clear sentence in ``{"error": ...}``;
nothing a visitor sends can produce a 500.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

MAX_BODY_BYTES = 16 * 1024


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_response(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def json_object(request: web.Request) -> dict[str, Any]:
    # Requiring a JSON content type also stops cross-site HTML forms, which
    # cannot send one without a CORS preflight this server never grants.
    if request.content_type != "application/json":
        raise BadRequest("send the request body as JSON (Content-Type: application/json)", status=415)
    raw = await request.content.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest(f"the request body must be at most {MAX_BODY_BYTES} bytes", status=413)
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def string_field(body: dict[str, Any], name: str, max_length: int = 64) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{name}' must be a non-empty string")
    if len(value) > max_length:
        raise BadRequest(f"'{name}' must be at most {max_length} characters")
    return value.strip()


def int_field(body: dict[str, Any], name: str, minimum: int, maximum: int) -> int:
    value = body.get(name)
    # bool is an int in Python; true/false is not a quantity.
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"'{name}' must be a whole number")
    if not minimum <= value <= maximum:
        raise BadRequest(f"'{name}' must be between {minimum} and {maximum}")
    return value
