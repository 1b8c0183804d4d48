"""The pieces on their own: settings, log lines, conversation ids, label values."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from tactful.observability import metrics
from tactful.observability.context import conversation, loggable_id, set_hash_key
from tactful.observability.logs import ContextFilter, JsonFormatter
from tactful.settings import SettingsError, load_settings


def test_log_format_defaults_by_environment_and_refuses_nonsense() -> None:
    assert load_settings({}).log_format == "text"
    assert load_settings({"TACTFUL_ENV": "production"}).log_format == "json"
    assert load_settings({"TACTFUL_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="TACTFUL_LOG_FORMAT"):
        load_settings({"TACTFUL_LOG_FORMAT": "xml"})


def test_ids_that_name_a_person_are_hashed_with_the_key() -> None:
    set_hash_key("key-one")
    phone = loggable_id("twilio:+447700900123")
    assert phone.startswith("twilio:h-") and "447700900123" not in phone
    assert loggable_id("twilio:+447700900123") == phone
    assert loggable_id("socketio:" + "a" * 32) == "socketio:" + "a" * 32
    set_hash_key("key-two")
    assert loggable_id("twilio:+447700900123") != phone
    assert loggable_id("no-channel").startswith("h-")


def _line(record: logging.LogRecord) -> dict:
    ContextFilter("rasa").filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_json_line_carries_the_conversation_and_drops_personal_data() -> None:
    detail = "customer C001 wrote secret text"  # as a database error quotes its parameters
    try:
        raise ValueError(detail)
    except ValueError:
        exc_info = sys.exc_info()
    with conversation("rest:alice@example.com"):
        record = logging.LogRecord(
            "tactful.x",
            logging.ERROR,
            __file__,
            1,
            "no reply for %s; url /t?token=%s",
            ("rest:alice@example.com", "abc.def"),
            exc_info,
        )
        line = _line(record)
    text = json.dumps(line)
    assert line["conversation_id"].startswith("rest:h-") and line["role"] == "rasa"
    assert line["error"] == "builtins.ValueError" and "stack" in line
    for secret in ("alice@example.com", "abc.def", "C001", "secret text"):
        assert secret not in text
    assert {"time", "level", "logger", "message"} <= set(line)


def test_label_values_stay_bounded() -> None:
    assert metrics.bounded("rest") == "rest"
    assert metrics.bounded("Robert'); DROP TABLE") == "other"
    before = metrics.DECISIONS.labels("other")._value.get()
    metrics.decision(("gate:open_" + "x" * 200,), None)
    assert metrics.DECISIONS.labels("other")._value.get() == before + 1
