"""Every channel runs the Rasa process's production checks, whichever channels are enabled."""

from __future__ import annotations

import pytest

from tactful.channels.helpdesk import HelpdeskInput
from tactful.channels.rest import ValidatedRestInput
from tactful.channels.socketio import ValidatedSocketIOInput
from tactful.production import UnsafeConfiguration
from tests.support.roots import fresh_root

DEV = {
    "TACTFUL_ENV": "production",
    "TACTFUL_JWT_SECRET": "dev-only-jwt-secret-change-me-0123456789",
    "TACTFUL_ACTION_SECRET": "dev-only-action-secret",
}


@pytest.mark.parametrize("channel", [ValidatedRestInput, HelpdeskInput, ValidatedSocketIOInput])
def test_each_channel_refuses_a_production_start_on_development_secrets(
    monkeypatch: pytest.MonkeyPatch, channel: type
) -> None:
    for name, value in DEV.items():
        monkeypatch.setenv(name, value)
    with fresh_root(), pytest.raises(UnsafeConfiguration, match="TACTFUL_JWT_SECRET"):
        channel.from_credentials({})
