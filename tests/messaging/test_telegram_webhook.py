"""The one-off CLI that points Telegram at the bot (Rasa itself never calls setWebhook)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tactful.channels.messaging import telegram_webhook
from tests.messaging.fake_provider import TELEGRAM_TOKEN, FakeProvider, running_fake_provider


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    with running_fake_provider() as provider:
        monkeypatch.setenv("TACTFUL_TELEGRAM_API_BASE", provider.base_url("telegram"))
        monkeypatch.setenv("TACTFUL_TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
        monkeypatch.setenv("TACTFUL_TELEGRAM_SECRET_TOKEN", "s3cret_token-1")
        monkeypatch.delenv("TACTFUL_PUBLIC_URL", raising=False)
        yield provider


def test_set_registers_the_webhook_url_with_the_secret_token(fake: FakeProvider) -> None:
    assert telegram_webhook.main(["set", "https://bot.example.com/"]) == 0
    [call] = fake.calls
    assert call.errors == []
    assert call.method == "setWebhook"
    assert call.body["url"] == "https://bot.example.com/webhooks/telegram/webhook"
    assert call.body["secret_token"] == "s3cret_token-1"
    assert call.body["allowed_updates"] == ["message", "callback_query"]


def test_info_and_delete(fake: FakeProvider) -> None:
    assert telegram_webhook.main(["info"]) == 0
    assert telegram_webhook.main(["delete"]) == 0
    assert [call.method for call in fake.calls] == ["getWebhookInfo", "deleteWebhook"]


def test_set_needs_a_url_and_a_secret(fake: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    assert telegram_webhook.main(["set"]) == 2
    monkeypatch.setenv("TACTFUL_PUBLIC_URL", "https://bot.example.com")
    monkeypatch.delenv("TACTFUL_TELEGRAM_SECRET_TOKEN")
    assert telegram_webhook.main(["set"]) == 2
    assert fake.calls == []
