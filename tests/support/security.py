"""Counted raw HTTP probes for tests/security: ``request`` sends exactly the method,
path and body given to a local server, ``rest`` posts to the REST channel, and
``post_json`` is tests.support.http.post_json, counted.

Every request a security test sends goes through ``request`` (here) or ``Widget``
(tests/support/security_widget.py) so the run can report how many probes and fuzz
cases it made (``PROBES``). The processes behind an assistant are in
tests/support/security_processes.py, its stores in tests/support/security_stores.py.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.support import http as http_support

REST_PATH = "/webhooks/rest/webhook"
# Kinds: "http" (requests), "socketio" (events emitted), "fuzz_case" (hypothesis examples).
PROBES: Counter[str] = Counter()


def record(kind: str, count: int = 1) -> None:
    PROBES[kind] += count


# -- HTTP ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def encode(body: Any) -> bytes:
    """Bytes as given; anything else as JSON (lone surrogates become \\udXXX escapes)."""
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def request(
    base_url: str,
    method: str,
    path: str,
    body: Any = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    kind: str = "http",
) -> Reply:
    """Send exactly ``method path`` (no normalising of the path) to a local server.

    ``kind`` names what the request is counted as ("http" probes, "health" checks)."""
    parts = urllib.parse.urlsplit(base_url)
    assert parts.hostname == "127.0.0.1", "security probes only go to local servers"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        data = encode(body)
        try:
            connection.request(
                method,
                path,
                body=data or None,
                headers={"Content-Type": "application/json", **(headers or {})},
            )
        except (BrokenPipeError, ConnectionResetError):
            # A server may answer a too-large body (413) and close before
            # reading all of it; its answer is still waiting in the socket.
            pass
        answer = connection.getresponse()
        record(kind)
        return Reply(answer.status, answer.read())
    finally:
        connection.close()


def post_json(
    url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, Any]:
    """tests.support.http.post_json, counted."""
    record("http")
    return http_support.post_json(url, body, headers, timeout)


def rest(base_url: str, body: Any, path: str = REST_PATH, method: str = "POST") -> Reply:
    return request(base_url, method, path, body)


def rasa_answers(base_url: str) -> bool:
    """The Rasa server's health answer (GET /)."""
    try:
        reply = request(base_url, "GET", "/", timeout=10, kind="health")
    except OSError:
        return False
    return reply.status == 200 and b"Hello from Rasa" in reply.body
