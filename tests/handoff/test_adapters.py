"""The signed webhook adapter against a real local HTTP receiver."""

from __future__ import annotations

import pytest

from tactful.handoff.adapters import DeliveryError, SignedWebhookAdapter, load_adapter
from tactful.settings import load_settings
from tests.handoff.conftest import SECRET
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.http import post_json
from tests.support.servers import free_port

EVENT = {"id": "handoff-1", "type": "handoff.created", "summary": {"customer": {"name": "Zoë"}}}


def test_delivers_a_signed_json_event(receiver: HelpdeskReceiver) -> None:
    SignedWebhookAdapter(receiver.url, SECRET, 2).deliver(EVENT)
    (received,) = receiver.events
    assert received.event == EVENT
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Tactful-Event"] == "handoff.created"
    assert received.headers["X-Tactful-Delivery"] == "handoff-1"
    assert receiver.rejected == []


def test_every_attempt_is_signed_afresh_so_a_replay_refusing_receiver_takes_retries(
    receiver: HelpdeskReceiver,
) -> None:
    adapter = SignedWebhookAdapter(receiver.url, SECRET, 2)
    adapter.deliver(EVENT)
    adapter.deliver(EVENT)
    first, second = receiver.events
    assert first.headers["X-Tactful-Delivery"] == second.headers["X-Tactful-Delivery"] == "handoff-1"
    assert len(receiver.request_ids) == 2
    assert receiver.rejected == []


def test_a_replayed_webhook_is_refused_by_the_receiver(receiver: HelpdeskReceiver) -> None:
    SignedWebhookAdapter(receiver.url, SECRET, 2).deliver(EVENT)
    (received,) = receiver.events
    status, _ = post_json(receiver.url, received.body, received.headers)
    assert status == 409 and receiver.rejected == ["replayed request"]
    assert len(receiver.events) == 1


def test_a_receiver_with_another_secret_rejects_it(receiver: HelpdeskReceiver) -> None:
    with pytest.raises(DeliveryError, match="403"):
        SignedWebhookAdapter(receiver.url, "not-the-secret", 2).deliver(EVENT)
    assert receiver.events == [] and receiver.rejected == ["bad signature"]


def test_an_error_answer_is_a_failed_delivery(receiver: HelpdeskReceiver) -> None:
    receiver.mode = "fail"
    with pytest.raises(DeliveryError, match="500"):
        SignedWebhookAdapter(receiver.url, SECRET, 2).deliver(EVENT)


def test_an_unreachable_helpdesk_is_a_failed_delivery() -> None:
    with pytest.raises(DeliveryError, match="unreachable"):
        SignedWebhookAdapter(f"http://127.0.0.1:{free_port()}/x", SECRET, 2).deliver(EVENT)


def test_a_slow_helpdesk_times_out(receiver: HelpdeskReceiver) -> None:
    receiver.mode, receiver.delay = "slow", 2.0
    with pytest.raises(DeliveryError, match="unreachable"):
        SignedWebhookAdapter(receiver.url, SECRET, 0.3).deliver(EVENT)


def test_unconfigured_helpdesk_says_what_to_set() -> None:
    with pytest.raises(DeliveryError, match="TACTFUL_HELPDESK_URL"):
        SignedWebhookAdapter(None, SECRET, 2).deliver(EVENT)
    with pytest.raises(DeliveryError, match="TACTFUL_HELPDESK_SECRET"):
        SignedWebhookAdapter("http://127.0.0.1:9/x", None, 2).deliver(EVENT)


class RecordingAdapter:
    def __init__(self, settings: object) -> None:
        self.settings = settings

    def deliver(self, event: dict) -> None:
        pass


def test_a_custom_adapter_is_loaded_from_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_HELPDESK_ADAPTER", "tests.handoff.test_adapters:RecordingAdapter")
    adapter = load_adapter(load_settings().helpdesk)
    assert isinstance(adapter, RecordingAdapter)
    monkeypatch.setenv("TACTFUL_HELPDESK_ADAPTER", "zendesk")
    with pytest.raises(ValueError, match="package.module:factory"):
        load_adapter(load_settings().helpdesk)
