"""Handoff tests: a real local helpdesk receiver and a real demo database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.helpdesk import HelpdeskReceiver
from tests.support.roots import fresh_root

SECRET = "handoff-test-secret-0123456789"
# A small policy of our own, so these tests do not move when the shop's
# policy.yml changes. The salt holds out exactly C007 among the demo customers.
POLICY = """\
version: 1
holdout:
  share: 0.10
  salt: tactful-demo-1399
mining:
  enabled: false
offers:
  - id: camera-memory-card
    kind: cross_sell
    trigger: {owns_category: [camera]}
    target: {sku: SD-128}
    reason: "You bought the {trigger_name} {since}; a spare card means you never run out of space."
    variants:
      - id: plain
        message: "Add the {target_name} for {final_price}?"
      - id: discount
        discount_percent: 10
        message: "Add the {target_name} for {final_price} ({discount} off)?"
"""


@pytest.fixture
def receiver() -> Iterator[HelpdeskReceiver]:
    running = HelpdeskReceiver(SECRET).start()
    yield running
    running.stop()


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(POLICY, encoding="utf-8")
    return path


@pytest.fixture
def handoff_env(
    demo_db_url: str, receiver: HelpdeskReceiver, policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The handoff wiring pointed at a fresh demo database and the local receiver."""
    monkeypatch.setenv("TACTFUL_SHOP_DB_URL", demo_db_url)
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(policy_file))
    monkeypatch.setenv("TACTFUL_HELPDESK_URL", receiver.url)
    monkeypatch.setenv("TACTFUL_HELPDESK_SECRET", SECRET)
    monkeypatch.setenv("TACTFUL_HELPDESK_TIMEOUT", "2")
    monkeypatch.setenv("TACTFUL_HELPDESK_RETRY_SECONDS", "0.2")
    with fresh_root():
        yield demo_db_url
