"""Pure parts of the page backend and the socket.io channel (no servers)."""

from __future__ import annotations

import pytest

from tactful.channels.socketio import allowed_origins, parse_custom_data
from tactful.settings import load_settings
from tactful.web.config import ConfigError, load_web_config
from tactful.web.cookies import read_session, sign_session

KEY = b"k" * 32


def test_a_signed_session_reads_back() -> None:
    assert read_session(KEY, sign_session(KEY, "C001", 60, now=1000), now=1030) == "C001"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "C001",
        "C001.99999999999.deadbeef",
        sign_session(b"other-key" * 4, "C001", 60, now=1000),
        sign_session(KEY, "C001", 60, now=1000).replace("C001", "C002"),
        sign_session(KEY, "C001", 60, now=1000) + "0",
        "a.b.c.d",
        "x" * 500,
    ],
)
def test_forged_or_malformed_sessions_read_as_none(value: str | None) -> None:
    assert read_session(KEY, value, now=1030) is None


def test_an_expired_session_reads_as_none() -> None:
    assert read_session(KEY, sign_session(KEY, "C001", 60, now=1000), now=1061) is None


def test_a_customer_id_with_separators_cannot_be_signed() -> None:
    with pytest.raises(ValueError):
        sign_session(KEY, "C001.9999", 60)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"customer_token": "t"}, {"customer_token": "t"}),
        ('{"customer_token": "t"}', {"customer_token": "t"}),
        ("{not json", {}),
        ("[1, 2]", {}),
        ([1, 2], {}),
        (42, {}),
        (None, {}),
        ("[" * 100_000, {}),
    ],
)
def test_custom_data_is_a_dict_or_nothing(raw: object, expected: dict) -> None:
    assert parse_custom_data(raw) == expected


def test_allowed_origins_precedence() -> None:
    env = load_settings({"TACTFUL_WEB_PORT": "8080"}).web
    assert allowed_origins(None, env) == ["http://127.0.0.1:8080", "http://localhost:8080"]
    assert allowed_origins(["https://shop.example/"], env) == ["https://shop.example"]
    assert allowed_origins("https://a.example, https://b.example", env) == [
        "https://a.example",
        "https://b.example",
    ]
    listed = load_settings({"TACTFUL_WEB_PORT": "8080", "TACTFUL_WEB_ORIGINS": "http://h:1"}).web
    assert allowed_origins(["https://x.example"], listed) == ["http://h:1"]
    # Nothing configured: the demo page on its default port.
    assert allowed_origins(None, load_settings({}).web) == ["http://127.0.0.1:8080", "http://localhost:8080"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "TACTFUL_JWT_SECRET"),
        ({"TACTFUL_JWT_SECRET": "short"}, "TACTFUL_JWT_SECRET"),
        ({"TACTFUL_JWT_SECRET": "s" * 32, "TACTFUL_RASA_URL": "ftp://x"}, "TACTFUL_RASA_URL"),
        ({"TACTFUL_JWT_SECRET": "s" * 32, "TACTFUL_TOKEN_TTL": "soon"}, "TACTFUL_TOKEN_TTL"),
        ({"TACTFUL_JWT_SECRET": "s" * 32, "TACTFUL_TOKEN_TTL": "86400"}, "TACTFUL_TOKEN_TTL"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_web_config(env)


def test_the_rasa_url_defaults_to_the_rasa_port() -> None:
    config = load_web_config({"TACTFUL_JWT_SECRET": "s" * 32, "TACTFUL_RASA_PORT": "5123"})
    assert config.rasa_url == "http://127.0.0.1:5123"
    assert config.token_ttl_seconds == 900
    assert config.cookie_key != config.jwt_secret.encode()
