"""A real local helpdesk: an HTTP server in a thread that checks each webhook's
signature, refuses a request id it has already seen (as we ask helpdesks to),
and keeps the events it accepted; and signs calls to the agent endpoints. It
can answer 500 or stop listening, to play a helpdesk that is down."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tactful.signing import SIGNATURE_HEADER, SignatureError, signed_headers, verify
from tests.support.assistant import Assistant, start_assistant
from tests.support.http import post_json


@dataclass
class Received:
    event: dict[str, Any]
    headers: dict[str, str]
    body: bytes


@dataclass
class HelpdeskReceiver:
    secret: str
    port: int = 0
    # "ok", "fail" (answer 500) or "slow" (answer after ``delay``).
    mode: str = "ok"
    delay: float = 0.0
    events: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    request_ids: set[str] = field(default_factory=set)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tactful"

    def start(self) -> HelpdeskReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.mode == "fail":
                    self._answer(500, b'{"error":"helpdesk down"}')
                    return
                if receiver.mode == "slow":
                    time.sleep(receiver.delay)
                try:
                    receiver.accept(dict(self.headers.items()), body)
                except SignatureError as error:
                    receiver.rejected.append(error.message)
                    self._answer(error.status, error.message.encode())
                    return
                self._answer(202, b'{"ok":true}')

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        # allow_reuse_address lets a stopped receiver come back on the same port.
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def accept(self, headers: dict[str, str], body: bytes) -> None:
        """Keep the event if it is signed and its id is new; else raise SignatureError."""
        request_id = verify(self.secret, headers, body)
        with self._lock:
            if request_id in self.request_ids:
                raise SignatureError(409, "replayed request")
            self.request_ids.add(request_id)
            self.events.append(Received(json.loads(body), headers, body))

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def of_type(self, kind: str, conversation_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                r.event
                for r in self.events
                if r.event.get("type") == kind
                and (conversation_id is None or r.event.get("conversation_id") == conversation_id)
            ]

    def wait_for(
        self, kind: str, conversation_id: str | None = None, count: int = 1, timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of_type(kind, conversation_id)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(
            f"expected {count} {kind} event(s) for {conversation_id}, got {self.of_type(kind)}"
        )


def signed_call(
    secret: str | None, body: Any, timestamp: float | None = None, signature: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """The bytes and headers of a helpdesk call signed with ``secret`` (None: unsigned).

    ``signature`` replaces the real one, to play a forger.
    """
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers: dict[str, str] = {}
    if secret is not None:
        headers.update(signed_headers(secret, data, now=timestamp))
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return data, headers


def signed_post(
    url: str, secret: str | None, body: Any, timestamp: float | None = None, signature: str | None = None
) -> tuple[int, Any]:
    """POST as a helpdesk would: signed afresh, so each call has a new request id."""
    data, headers = signed_call(secret, body, timestamp, signature)
    return post_json(url, data, headers, timeout=30)


# REST and the helpdesk endpoints: all a handoff test talks to.
HANDOFF_CREDENTIALS = """\
tactful.channels.rest.ValidatedRestInput:
tactful.channels.helpdesk.HelpdeskInput:
"""


@contextmanager
def receiving(secret: str) -> Iterator[HelpdeskReceiver]:
    """A local helpdesk receiver that checks every signature with ``secret``."""
    receiver = HelpdeskReceiver(secret).start()
    try:
        yield receiver
    finally:
        receiver.stop()


@contextmanager
def staffed_assistant(
    workdir: Path, receiver: HelpdeskReceiver, secret: str, policy: str, **extra_env: str
) -> Iterator[Assistant]:
    """A running assistant whose handoffs go to ``receiver`` (fast retries for tests)."""
    (workdir / "credentials.yml").write_text(HANDOFF_CREDENTIALS)
    (workdir / "policy.yml").write_text(policy)
    env = {
        "TACTFUL_CREDENTIALS": str(workdir / "credentials.yml"),
        "TACTFUL_POLICY_FILE": str(workdir / "policy.yml"),
        "TACTFUL_HELPDESK_URL": receiver.url,
        "TACTFUL_HELPDESK_SECRET": secret,
        "TACTFUL_HELPDESK_TIMEOUT": "2",
        "TACTFUL_HELPDESK_RETRY_SECONDS": "0.5",
        **extra_env,
    }
    with start_assistant(workdir, extra_env=env) as running:
        yield running
