"""Log lines of every process: JSON objects (production) or plain text (development).

A JSON line holds ``time``, ``level``, ``logger``, ``message``, ``role`` (rasa,
actions, web) and ``conversation_id`` when the line belongs to a conversation
(tactful.observability.context). No personal data: the current conversation's
raw id and any ``token=`` query value are replaced in the message, and an
exception is logged by its type and stack only, because exception messages
(a database error's parameters, say) may quote customer data.

Rasa and Sanic install their own handlers while the Rasa process starts, so
``configure_logging`` re-formats every handler it finds and is called again
once the server starts (tactful/observability/rasa_routes.py).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import datetime, timezone

from tactful.observability.context import current, set_hash_key
from tactful.settings import Settings

_TOKEN = re.compile(r"((?:auth_)?token=)[^&\s\"']+", re.IGNORECASE)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(role)s %(conversation_id)s] %(message)s"


class ContextFilter(logging.Filter):
    """Adds role and conversation id, and takes personal data out of the message."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "tactful_clean", False):
            return True
        conversation = current()
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call must not lose the line
            message = str(record.msg)
        if conversation is not None:
            message = message.replace(conversation.raw, conversation.logged)
        record.msg, record.args = _TOKEN.sub(r"\1***", message), None
        record.role = self.role
        record.conversation_id = conversation.logged if conversation is not None else "-"
        record.tactful_clean = True
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "role": getattr(record, "role", None),
        }
        conversation = getattr(record, "conversation_id", "-")
        if conversation != "-":
            line["conversation_id"] = conversation
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, stack = record.exc_info
            line["error"] = f"{kind.__module__}.{kind.__qualname__}"
            line["stack"] = "".join(traceback.format_tb(stack))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("role", "-")
        record.__dict__.setdefault("conversation_id", "-")
        return super().format(record)


def _handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    found: dict[int, logging.Handler] = {}
    for logger in loggers:
        for handler in logger.handlers:
            found[id(handler)] = handler
    return list(found.values())


def configure_logging(settings: Settings, role: str) -> None:
    """Format every log handler of this process as ``settings.log_format`` says (idempotent)."""
    set_hash_key(settings.session_secret)
    logging.captureWarnings(True)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
        root.setLevel(settings.log_level)
    formatter: logging.Formatter = JsonFormatter() if settings.log_format == "json" else TextFormatter()
    for handler in _handlers():
        handler.setFormatter(formatter)
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter(role))
