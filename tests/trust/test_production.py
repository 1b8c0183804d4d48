"""Production start-up checks (tactful.production) under a controlled environment."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sys
from pathlib import Path

import pytest

from tactful.production import UnsafeConfiguration, check_process, problems_for
from tactful.settings import REPO_ROOT, Settings, load_settings

# The Makefile's development defaults.
DEV_SECRETS = {
    "TACTFUL_JWT_SECRET": "dev-only-jwt-secret-change-me-0123456789",
    "TACTFUL_ACTION_SECRET": "dev-only-action-secret",
    "TACTFUL_HELPDESK_SECRET": "dev-only-helpdesk-secret",
    "TACTFUL_SESSION_SECRET": "dev-only-session-secret",
    "TACTFUL_LINK_SECRET": "dev-only-link-secret",
}
SECRET_NAMES = tuple(DEV_SECRETS)


def _strong() -> str:
    # 48 hex characters: cannot contain any development marker ("test", "example", ...).
    return secrets.token_hex(24)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no TACTFUL_* variables from the caller, in a directory
    whose endpoints.yml (Rasa's default --endpoints) is the production profile's."""
    for name in list(os.environ):
        if name.startswith("TACTFUL_") or name == "RASA_TOKEN":
            monkeypatch.delenv(name)
    shutil.copy(REPO_ROOT / "endpoints.prod.yml", tmp_path / "endpoints.yml")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _set(env: pytest.MonkeyPatch, values: dict[str, str]) -> Settings:
    for name, value in values.items():
        env.setenv(name, value)
    return load_settings()


def _strong_env(production: bool = True) -> dict[str, str]:
    values = {name: _strong() for name in SECRET_NAMES}
    values["TACTFUL_LINK_DELIVERY"] = "webhook"
    values["TACTFUL_LINK_WEBHOOK_URL"] = "https://shop.example.net/hooks/link-codes"
    values["TACTFUL_LINK_WEBHOOK_SECRET"] = _strong()
    values["TACTFUL_TRACKER_DB"] = "postgresql://tactful@db.internal:5432/tracker"
    values["TACTFUL_REDIS_URL"] = "redis://redis.internal:6379/0"
    values["TACTFUL_RABBITMQ_URL"] = "amqp://tactful@rabbitmq.internal:5672/%2F"
    if production:
        values["TACTFUL_ENV"] = "production"
    return values


def _refusal(process: str, settings: Settings, argv: list[str]) -> str:
    with pytest.raises(UnsafeConfiguration) as raised:
        check_process(process, settings, argv)  # type: ignore[arg-type]
    assert isinstance(raised.value, SystemExit)
    message = str(raised.value.code)
    assert message.startswith(f"Refusing to start the {process} process with TACTFUL_ENV=production:")
    return message


def test_rasa_in_production_with_dev_secrets_names_each(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, {**DEV_SECRETS, "TACTFUL_ENV": "production"})
    message = _refusal(
        "rasa", settings, ["rasa", "run", "--enable-api", "--auth-token", "dev-only-rasa-token"]
    )
    for name in (
        "TACTFUL_JWT_SECRET",
        "TACTFUL_ACTION_SECRET",
        "TACTFUL_SESSION_SECRET",
        "TACTFUL_HELPDESK_SECRET",
    ):
        assert name in message
    assert "--auth-token" in message
    assert "TACTFUL_LINK_SECRET" not in message  # not a Rasa process secret
    assert "TACTFUL_JWT_SECRET is a development or placeholder value" in message
    assert "TACTFUL_ACTION_SECRET is shorter than 32 characters" in message


def test_actions_in_production_with_dev_secrets_names_each(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, {**DEV_SECRETS, "TACTFUL_ENV": "production"})
    message = _refusal("actions", settings, [])
    for name in (
        "TACTFUL_JWT_SECRET",
        "TACTFUL_ACTION_SECRET",
        "TACTFUL_LINK_SECRET",
        "TACTFUL_HELPDESK_SECRET",
    ):
        assert name in message
    assert "TACTFUL_LINK_DELIVERY" in message  # no delivery set: the file outbox
    assert "TACTFUL_SESSION_SECRET" not in message


def test_unset_secrets_are_named(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, {"TACTFUL_ENV": "production", "TACTFUL_JWT_SECRET": _strong()})
    # The session and link secrets default to the JWT secret in Settings, but production wants them set.
    message = _refusal("rasa", settings, [])
    assert "TACTFUL_SESSION_SECRET is not set" in message
    assert "TACTFUL_ACTION_SECRET is not set" in message
    assert "TACTFUL_HELPDESK_SECRET is not set" in message
    assert "TACTFUL_JWT_SECRET" not in message
    assert "TACTFUL_LINK_SECRET is not set" in _refusal("actions", settings, [])


@pytest.mark.parametrize("marker", ["change-me", "CHANGEME", "example", "secret123", "Test", "dev-only"])
def test_long_secrets_with_a_placeholder_marker_are_refused(env: pytest.MonkeyPatch, marker: str) -> None:
    values = _strong_env()
    values["TACTFUL_JWT_SECRET"] = _strong() + marker
    settings = _set(env, values)
    assert problems_for("actions", settings) == ["TACTFUL_JWT_SECRET is a development or placeholder value"]


def test_strong_configuration_passes(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, _strong_env())
    assert settings.is_production
    token = _strong()
    for argv in (
        ["rasa", "run", "--enable-api", "--auth-token", token],
        ["rasa", "run", "--enable-api", f"--auth-token={token}"],
        ["rasa", "run"],  # no HTTP API, no token needed
    ):
        assert problems_for("rasa", settings, argv) == []
        check_process("rasa", settings, argv)
    assert problems_for("actions", settings) == []
    check_process("actions", settings, [])


def test_webhook_url_alone_selects_webhook_delivery(env: pytest.MonkeyPatch) -> None:
    values = _strong_env()
    del values["TACTFUL_LINK_DELIVERY"]
    assert problems_for("actions", _set(env, values)) == []


def test_outbox_delivery_is_refused_even_with_a_webhook_url(env: pytest.MonkeyPatch) -> None:
    values = {**_strong_env(), "TACTFUL_LINK_DELIVERY": " Outbox "}
    message = _refusal("actions", _set(env, values), [])
    assert "TACTFUL_LINK_DELIVERY is the file outbox" in message


def test_enable_api_without_auth_token_is_named(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, _strong_env())
    message = _refusal("rasa", settings, ["rasa", "run", "--enable-api"])
    assert "rasa run --auth-token (RASA_TOKEN) is not set" in message
    # A flag with no value counts as missing too.
    assert "--auth-token" in _refusal("rasa", settings, ["rasa", "run", "--enable-api", "--auth-token"])
    weak = _refusal("rasa", settings, ["rasa", "run", "--enable-api", "--auth-token", "short"])
    assert "rasa run --auth-token (RASA_TOKEN) is shorter than 32 characters" in weak


def test_check_process_reads_sys_argv_by_default(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, _strong_env())
    env.setattr(sys, "argv", ["rasa", "run", "--enable-api", "--cors", "*"])
    with pytest.raises(UnsafeConfiguration, match="--auth-token"):
        check_process("rasa", settings)
    env.setattr(sys, "argv", ["rasa", "run", "--enable-api", "--auth-token", _strong()])
    check_process("rasa", settings)


def test_check_process_loads_settings_when_none_given(env: pytest.MonkeyPatch) -> None:
    _set(env, {**DEV_SECRETS, "TACTFUL_ENV": " Production "})
    with pytest.raises(UnsafeConfiguration, match="TACTFUL_JWT_SECRET"):
        check_process("actions", argv=[])


@pytest.mark.parametrize(
    "argv",
    [
        ["rasa", "run", "--enable"],
        ["rasa", "run", "--enable-a", "--auth", "x"],
        ["rasa", "run", "--enable-ap"],
    ],
)
def test_abbreviated_enable_api_still_requires_a_strong_token(
    env: pytest.MonkeyPatch, argv: list[str]
) -> None:
    settings = _set(env, _strong_env())
    assert any("--auth-token" in problem for problem in problems_for("rasa", settings, argv))


@pytest.mark.parametrize("form", ["separate", "joined"])
def test_short_auth_token_flag_is_read(env: pytest.MonkeyPatch, form: str) -> None:
    settings = _set(env, _strong_env())
    token = _strong()
    argv = ["rasa", "run", "--enable-api"] + (["-t", token] if form == "separate" else [f"-t{token}"])
    assert problems_for("rasa", settings, argv) == []


def test_web_is_always_refused_in_production(env: pytest.MonkeyPatch) -> None:
    settings = _set(env, _strong_env())
    message = _refusal("web", settings, [])
    assert "the demo page (tactful.web.server)" in message
    assert "must not run in production" in message


@pytest.mark.parametrize("environment", [None, "development", "staging", "prod"])
@pytest.mark.parametrize("process", ["rasa", "actions", "web"])
def test_outside_production_never_raises(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, environment: str | None, process: str
) -> None:
    values = dict(DEV_SECRETS)
    if environment is not None:
        values["TACTFUL_ENV"] = environment
    settings = _set(env, values)
    assert not settings.is_production
    assert problems_for(process, settings, ["rasa", "run", "--enable-api"])  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="tactful.production"):
        check_process(process, settings, ["rasa", "run", "--enable-api"])  # type: ignore[arg-type]
    warnings = [record.getMessage() for record in caplog.records if record.name == "tactful.production"]
    if process == "web":
        assert warnings == []
    else:
        assert warnings and all(warning.startswith("not fit for production: ") for warning in warnings)
        assert any("TACTFUL_JWT_SECRET" in warning for warning in warnings)


def test_outside_production_with_nothing_set_never_raises(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    for process in ("rasa", "actions", "web"):
        check_process(process, settings, ["rasa", "run", "--enable-api"])  # type: ignore[arg-type]


def test_webhook_delivery_without_its_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _strong_env()
    values["TACTFUL_LINK_WEBHOOK_SECRET"] = ""
    with pytest.raises(UnsafeConfiguration, match="TACTFUL_LINK_WEBHOOK_SECRET is not set"):
        check_process("actions", _set(monkeypatch, values), argv=[])
