"""The production profile's start-up checks refuse each missing piece, naming it."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tactful.production import UnsafeConfiguration, backend_problems, check_process, rasa_endpoints_argument
from tactful.settings import REPO_ROOT, Settings, load_settings

PROD_ENDPOINTS = str(REPO_ROOT / "endpoints.prod.yml")


def _strong() -> str:
    return secrets.token_hex(24)


def _env(**overrides: str) -> dict[str, str]:
    values = {
        "TACTFUL_ENV": "production",
        "TACTFUL_JWT_SECRET": _strong(),
        "TACTFUL_ACTION_SECRET": _strong(),
        "TACTFUL_SESSION_SECRET": _strong(),
        "TACTFUL_HELPDESK_SECRET": _strong(),
        "TACTFUL_TRACKER_DB": "postgresql://tactful:pw@db.internal:5432/tracker",
        "TACTFUL_REDIS_URL": "redis://redis.internal:6379/0",
        "TACTFUL_RABBITMQ_URL": "amqp://tactful:pw@rabbitmq.internal:5672/%2F",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value}


def _argv(endpoints: str = PROD_ENDPOINTS) -> list[str]:
    return ["rasa", "run", "--endpoints", endpoints, "--enable-api", "--auth-token", _strong()]


def _refusal(settings: Settings, argv: list[str]) -> str:
    with pytest.raises(UnsafeConfiguration) as raised:
        check_process("rasa", settings, argv)
    message = str(raised.value.code)
    assert message.startswith("Refusing to start the rasa process with TACTFUL_ENV=production:")
    return message


def test_the_full_production_profile_starts() -> None:
    check_process("rasa", load_settings(_env()), _argv())


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("TACTFUL_TRACKER_DB", "", "TACTFUL_TRACKER_DB must be a postgresql:// URL"),
        (
            "TACTFUL_TRACKER_DB",
            "/var/lib/tactful/tracker.db",
            "TACTFUL_TRACKER_DB must be a postgresql:// URL",
        ),
        ("TACTFUL_TRACKER_DB", "sqlite:///tracker.db", "TACTFUL_TRACKER_DB must be a postgresql:// URL"),
        ("TACTFUL_REDIS_URL", "", "TACTFUL_REDIS_URL must be a redis:// URL"),
        ("TACTFUL_REDIS_URL", "127.0.0.1:6379", "TACTFUL_REDIS_URL must be a redis:// URL"),
        ("TACTFUL_RABBITMQ_URL", "", "TACTFUL_RABBITMQ_URL must be an amqp:// URL"),
        ("TACTFUL_RABBITMQ_URL", "http://rabbitmq:15672", "TACTFUL_RABBITMQ_URL must be an amqp:// URL"),
    ],
)
def test_each_missing_service_is_refused_by_name(setting: str, value: str, expected: str) -> None:
    message = _refusal(load_settings(_env(**{setting: value})), _argv())
    assert expected in message
    # Only that one problem: the message points at what to fix.
    assert message.count("\n  - ") == 1, message


def _endpoints(tmp_path: Path, drop: str | None = None, **replace: str) -> str:
    """endpoints.prod.yml with one entry removed or its type replaced."""
    import yaml

    content = yaml.load((REPO_ROOT / "endpoints.prod.yml").read_text(), Loader=yaml.BaseLoader)
    if drop:
        del content[drop]
    for key, kind in replace.items():
        content[key]["type"] = kind
    path = tmp_path / "endpoints.yml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"drop": "lock_store"}, "lacks a Redis lock_store (lock_store)"),
        ({"lock_store": "in_memory"}, "lacks a Redis lock_store (lock_store)"),
        ({"lock_store": "tactful.channels.nowhere.Store"}, "lacks a Redis lock_store (lock_store)"),
        ({"drop": "event_broker"}, "lacks a pika event_broker (event_broker)"),
        ({"event_broker": "sql"}, "lacks a pika event_broker (event_broker)"),
        ({"drop": "tracker_store"}, "lacks a SQL tracker_store (tracker_store)"),
        ({"tracker_store": "redis"}, "lacks a SQL tracker_store (tracker_store)"),
    ],
)
def test_an_endpoints_file_without_each_shared_store_is_refused(
    tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    path = _endpoints(tmp_path, **change)
    message = _refusal(load_settings(_env()), _argv(path))
    assert expected in message
    assert "use endpoints.prod.yml" in message


def test_rasas_own_store_types_count(tmp_path: Path) -> None:
    path = _endpoints(tmp_path, lock_store="redis", event_broker="pika", tracker_store="sql")
    assert backend_problems(load_settings(_env()), path) == []


def test_the_development_endpoints_file_is_refused_in_production() -> None:
    message = _refusal(load_settings(_env()), _argv(str(REPO_ROOT / "endpoints.yml")))
    assert "lacks a Redis lock_store" in message
    assert "lacks a pika event_broker" in message


def test_an_unreadable_endpoints_file_is_refused(tmp_path: Path) -> None:
    message = _refusal(load_settings(_env()), _argv(str(tmp_path / "missing.yml")))
    assert "rasa run --endpoints: cannot read" in message


def test_the_endpoints_argument_is_read_as_rasa_reads_it() -> None:
    assert rasa_endpoints_argument(["rasa", "run", "--endp", "x.yml"]) == "x.yml"
    assert rasa_endpoints_argument(["rasa", "run", "--endpoints=y.yml"]) == "y.yml"
    assert rasa_endpoints_argument(["rasa", "run"]) == "endpoints.yml"


def test_the_rasa_api_without_a_token_is_still_refused() -> None:
    argv = ["rasa", "run", "--endpoints", PROD_ENDPOINTS, "--enable-api"]
    assert "rasa run --auth-token (RASA_TOKEN) is not set" in _refusal(load_settings(_env()), argv)


def test_outside_production_the_services_are_optional(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings({**_env(TACTFUL_ENV="development"), "TACTFUL_REDIS_URL": ""})
    check_process("rasa", settings, ["rasa", "run"])
    assert not [r for r in caplog.records if "TACTFUL_REDIS_URL" in r.getMessage()]


def test_the_settings_have_defaults_for_the_profile() -> None:
    backends = load_settings({}).backends
    assert backends.event_queue == "tactful_events"
    assert backends.action_url == "http://127.0.0.1:5055/webhook"
    assert backends.rabbitmq_url is None
    assert (
        load_settings({"TACTFUL_ACTION_PORT": "6000"}).backends.action_url == "http://127.0.0.1:6000/webhook"
    )
