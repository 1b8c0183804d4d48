"""Code delivery adapters: the outbox file and the signed webhook."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tactful.linking.delivery import OutboxDelivery, WebhookDelivery, delivery_for
from tactful.settings import load_settings
from tactful.signing import SignatureError, verify


def test_outbox_appends_one_private_json_line_per_code(tmp_path: Path) -> None:
    path = tmp_path / "var" / "outbox.jsonl"
    outbox = OutboxDelivery(path)
    outbox.send("alice@example.com", "123456")
    outbox.send("bob@example.com", "654321")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["to"], line["code"]) for line in lines] == [
        ("alice@example.com", "123456"),
        ("bob@example.com", "654321"),
    ]
    assert "123456" in lines[0]["text"] and "10 minutes" in lines[0]["text"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture
def mailer() -> Iterator[tuple[str, list[tuple[dict, str]]]]:
    """A mailer that checks the shared scheme; each entry is (body, request id or the refusal)."""
    received: list[tuple[dict, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                outcome = verify("mailer-secret", self.headers, body)
            except SignatureError as error:
                outcome = f"refused: {error.message}"
            received.append((json.loads(body), outcome))
            self.send_response(202 if self.path == "/send" else 500)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_the_code_signed(mailer: tuple[str, list]) -> None:
    url, received = mailer
    delivery = WebhookDelivery(f"{url}/send", "mailer-secret")
    delivery.send("alice@example.com", "123456")
    delivery.send("alice@example.com", "123456")
    [(body, first_id), (_, second_id)] = received
    # Signed with the shared scheme, and a resend is a new request (a fresh id).
    assert not first_id.startswith("refused") and not second_id.startswith("refused")
    assert first_id != second_id
    assert body["type"] == "account_link_code"
    assert (body["to"], body["code"], body["expires_in_minutes"]) == ("alice@example.com", "123456", 10)


def test_a_mailer_with_another_secret_refuses_the_code(mailer: tuple[str, list]) -> None:
    url, received = mailer
    WebhookDelivery(f"{url}/send", "not-the-secret").send("alice@example.com", "123456")
    [(_, outcome)] = received
    assert outcome == "refused: bad signature"


def test_webhook_failure_raises_so_the_caller_can_log_it(mailer: tuple[str, list]) -> None:
    url, _ = mailer
    with pytest.raises(OSError):
        WebhookDelivery(f"{url}/broken", "mailer-secret").send("alice@example.com", "123456")


def test_delivery_is_chosen_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TACTFUL_LINK_DELIVERY", "TACTFUL_LINK_WEBHOOK_URL", "TACTFUL_LINK_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TACTFUL_LINK_OUTBOX", str(tmp_path / "o.jsonl"))
    outbox = delivery_for(load_settings().link_delivery)
    assert isinstance(outbox, OutboxDelivery) and outbox.path == tmp_path / "o.jsonl"
    monkeypatch.setenv("TACTFUL_LINK_WEBHOOK_URL", "https://mailer.example/send")
    with pytest.raises(ValueError, match="SECRET"):
        delivery_for(load_settings().link_delivery)
    monkeypatch.setenv("TACTFUL_LINK_WEBHOOK_SECRET", "s")
    assert isinstance(delivery_for(load_settings().link_delivery), WebhookDelivery)
    monkeypatch.setenv("TACTFUL_LINK_DELIVERY", "pigeon")
    with pytest.raises(ValueError, match="pigeon"):
        load_settings()
