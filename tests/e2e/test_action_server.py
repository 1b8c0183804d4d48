"""The action server: shared secret, localhost binding, health and degraded mode."""

from __future__ import annotations

import json
import re
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.assistant import ACTION_SECRET, Assistant
from tests.support.servers import base_env, free_port, running

pytestmark = pytest.mark.e2e

CALL = {"next_action": "action_smalltalk", "sender_id": "x", "tracker": {}, "domain": {}, "version": "3.6.2"}


def _post(url: str) -> int:
    request = urllib.request.Request(url, json.dumps(CALL).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _health(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/health", timeout=30) as response:
        return json.loads(response.read())


def test_calls_without_the_shared_secret_are_rejected(assistant: Assistant) -> None:
    assert _post(f"{assistant.action_url}/webhook") == 401
    assert _post(f"{assistant.action_url}/webhook?token=wrong") == 401
    assert _post(f"{assistant.action_url}/webhook?token={ACTION_SECRET}") != 401


def test_health_reports_offers_on_with_a_valid_policy(assistant: Assistant) -> None:
    health = _health(assistant.action_url)
    assert (health["status"], health["offers"]) == ("ok", "on")


def test_the_action_server_listens_on_localhost_only(assistant: Assistant) -> None:
    port = int(assistant.action_url.rsplit(":", 1)[1])
    outside = _non_loopback_address()
    if outside is None:
        pytest.skip("this machine has no non-loopback IPv4 address to probe from")
    with socket.socket() as probe:
        probe.settimeout(3)
        assert probe.connect_ex((outside, port)) != 0


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("10.255.255.255", 1))  # no packet is sent; this picks the outgoing interface
            address = udp.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@contextmanager
def _own_action_server(assistant: Assistant, workdir: Path, **env: str) -> Iterator[str]:
    """A second action server on the assistant's settings (with ``env`` over them); yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(
        [sys.executable, "-m", "tactful.action_server", "--port", str(port)],
        base_env(**{**assistant.env, "TACTFUL_ACTION_PORT": str(port), **env}),
        workdir / "actions.log",
        f"{url}/health",
        timeout=60,
    ):
        yield url


def test_the_reply_classifier_is_trained_at_start_not_on_the_first_reply(
    assistant: Assistant, tmp_path: Path
) -> None:
    log = tmp_path / "actions.log"
    # No call reaches this server: only the start-up warm-up can train the classifier.
    with _own_action_server(assistant, tmp_path):
        deadline = time.monotonic() + 30
        while "offer-reply classifier trained" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.2)


def test_a_bad_policy_makes_health_degraded_with_the_reason(assistant: Assistant, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("version: 1\noffers:\n  - id: x\n    kind: upsell\n    surprise: 1\n")
    with _own_action_server(assistant, tmp_path, TACTFUL_POLICY_FILE=str(policy)) as url:
        health = _health(url)
    assert health["status"] == "degraded" and health["offers"] == "off"
    assert re.search(r"policy\.yml:\d+: ", health["detail"])  # file and line
    assert "surprise" in health["detail"]  # the offending key
