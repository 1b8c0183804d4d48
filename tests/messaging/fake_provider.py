"""A local stand-in for the providers' APIs: one server that records every call.

One HTTP server in a thread serves all four providers under path prefixes
(point TACTFUL_<PROVIDER>_API_BASE at ``base_url(provider)``). Each call is
checked against the provider's documented request format (provider_api.py); a
call that breaks it is still recorded, with the problems in ``Call.errors``,
so a test can assert that none was malformed. The test credentials and
``Call`` live in provider_api.py and are importable from here as well.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.messaging.provider_api import (
    CHECKS,
    FACEBOOK_PAGE_TOKEN,
    SLACK_TOKEN,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    Call,
    answer,
)

__all__ = [
    "FACEBOOK_PAGE_TOKEN",
    "SLACK_TOKEN",
    "TELEGRAM_TOKEN",
    "TWILIO_SID",
    "TWILIO_TOKEN",
    "Call",
    "FakeProvider",
    "running_fake_provider",
]


class FakeProvider:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def base_url(self, provider: str) -> str:
        return {
            "slack": f"{self.url}/slack/api",
            "facebook": f"{self.url}/facebook/v19.0",
            "twilio": f"{self.url}/twilio",
            "telegram": f"{self.url}/telegram",
        }[provider]

    def start(self) -> FakeProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def messages(self, provider: str, recipient: str) -> list[Call]:
        """Calls that deliver a message (not button acks) to ``recipient``."""
        with self._lock:
            return [
                call
                for call in self.calls
                if call.provider == provider
                and call.method in ("chat.postMessage", "me/messages", "Messages.json", "sendMessage")
                and call.recipient == recipient
            ]

    def errors(self) -> list[str]:
        with self._lock:
            return [f"{call.provider} {call.method}: {error}" for call in self.calls for error in call.errors]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                status, answer = fake.handle(
                    parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, raw
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def handle(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any]]:
        for prefix, check in CHECKS:
            if path.startswith(prefix):
                call = check(path[len(prefix) :], query, headers, raw)
                self.record(call)
                return (400 if call.errors else 200), answer(call)
        return 404, {"error": "unknown path"}


@contextmanager
def running_fake_provider() -> Iterator[FakeProvider]:
    fake = FakeProvider().start()
    try:
        yield fake
    finally:
        fake.stop()
