"""A steady background load: a few concurrent REST chats of signed-in customers.

Each chat runs short support conversations (a greeting, a question about the
order, a thanks) in new conversations, one message at a time, and records
every answer with the phase the test set when the message was sent.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from tactful.identity import issue_token
from tests.support.http import post_json

Kind = Literal["normal", "apology", "error"]
SCRIPT = ("hi", "where is my order?", "thanks, that's all")
# The pipeline's apology (tactful/channels/pipeline.py) and Rasa's refusals that ask to retry.
APOLOGY_MARKERS = ("something went wrong", "try again")
REQUEST_TIMEOUT = 30.0
OFFER_PAYLOAD = "/accept_offer"


@dataclass
class Record:
    phase: str
    chat: int
    customer: str
    sender: str
    text: str
    started: float
    finished: float
    status: int | None
    replies: list[dict[str, Any]]
    error: str | None = None

    @property
    def reply_text(self) -> str:
        return "\n".join(str(message.get("text") or "") for message in self.replies)

    @property
    def offer(self) -> bool:
        return any(
            button.get("payload") == OFFER_PAYLOAD
            for message in self.replies
            for button in message.get("buttons") or []
        )

    @property
    def kind(self) -> Kind:
        if self.status != 200 or not self.replies:
            return "error"
        lowered = self.reply_text.lower()
        if any(marker in lowered for marker in APOLOGY_MARKERS):
            return "apology"
        return "normal"


@dataclass
class Load:
    rasa_url: str
    jwt_secret: str
    customers: tuple[str, ...]
    label: str
    pause: float = 0.15
    phase: str = "warmup"
    records: list[Record] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def start(self) -> None:
        for chat, customer in enumerate(self.customers):
            thread = threading.Thread(target=self._chat, args=(chat, customer), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)

    def mark(self) -> int:
        with self._lock:
            return len(self.records)

    def since(self, mark: int) -> list[Record]:
        with self._lock:
            return list(self.records[mark:])

    def send(self, chat: int, customer: str, sender: str, text: str) -> Record:
        token = issue_token(customer, self.jwt_secret, ttl_seconds=3600)
        body = {"sender": sender, "message": text, "metadata": {"customer_token": token}}
        phase, started = self.phase, time.monotonic()
        status: int | None = None
        replies: list[dict[str, Any]] = []
        error = None
        try:
            status, answer = post_json(
                self.rasa_url + "/webhooks/rest/webhook", body, timeout=REQUEST_TIMEOUT
            )
            if isinstance(answer, list):
                replies = answer
            else:
                error = f"not a list of messages: {str(answer)[:200]}"
        except Exception as problem:  # noqa: BLE001 - a timeout or a dropped connection is a finding
            error = f"{type(problem).__name__}: {problem}"
        record = Record(
            phase, chat, customer, sender, text, started, time.monotonic(), status, replies, error
        )
        with self._lock:
            self.records.append(record)
        return record

    def _chat(self, chat: int, customer: str) -> None:
        while not self._stop.is_set():
            sender = f"{self.label}-{customer}-{next(self._ids)}"
            for text in SCRIPT:
                if self._stop.is_set():
                    return
                self.send(chat, customer, sender, text)
                time.sleep(self.pause)
