"""A tiny JSON-over-HTTP client for tests (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def post_json(
    url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, Any]:
    """POST ``body`` (JSON, or raw bytes as given); return (status, decoded reply).

    Error statuses are returned, not raised; a reply that is not JSON comes back
    as text.
    """
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"null")
        except json.JSONDecodeError:
            return error.code, payload.decode(errors="replace")
