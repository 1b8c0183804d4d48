"""One fault under load: inject it, keep the load running, lift it, wait for recovery.

Records are told apart by the phase the load was in when each message was
sent: ``<fault>:fault`` (injected), ``<fault>:recovery`` (lifted, not yet
answered normally in every chat) and ``<fault>:after`` (recovered).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tests.faults.load import Load, Record

RECOVERY_TIMEOUT = 60.0


@dataclass
class FaultRun:
    name: str
    records: list[Record]
    recovery_seconds: float | None
    hold_seconds: float
    # Surely down (monotonic clock): from the end of ``inject`` to the start of
    # ``lift`` (for a restart, the span of ``inject`` itself). A request wholly
    # inside saw only the outage; one across an edge may have been served before or after it.
    down_from: float
    down_until: float
    # Whether the shop database (the offer state) was unreadable during the outage.
    offer_state_down: bool = False

    def phase(self, suffix: str) -> list[Record]:
        return [record for record in self.records if record.phase == f"{self.name}:{suffix}"]

    def inside_outage(self) -> list[Record]:
        return [r for r in self.records if r.started >= self.down_from and r.finished <= self.down_until]

    def summary(self) -> dict[str, Any]:
        kinds = [record.kind for record in self.records]
        return {
            "messages_sent": len(self.records),
            "normal_replies": kinds.count("normal"),
            "apologies": kinds.count("apology"),
            "errors": kinds.count("error"),
            "answers_inside_outage": len(self.inside_outage()),
            "fault_held_seconds": round(self.hold_seconds, 2),
            "recovery_seconds": None if self.recovery_seconds is None else round(self.recovery_seconds, 2),
            "slowest_answer_seconds": round(
                max((r.finished - r.started for r in self.records), default=0), 2
            ),
            **(
                {"offers_while_offer_state_unreadable": sum(r.offer for r in self.inside_outage())}
                if self.offer_state_down
                else {}
            ),
            "error_samples": [
                f"{r.status} {r.error or r.reply_text[:120]}" for r in self.records if r.kind == "error"
            ][:5],
        }


def drill(
    load: Load,
    name: str,
    inject: Callable[[], None],
    lift: Callable[[], None],
    hold: float = 3.0,
    settle: float = 3.0,
    down_until: Literal["inject", "lift"] = "lift",
    offer_state_down: bool = False,
) -> FaultRun:
    """``down_until``: the service is back once ``inject`` returns (a restart) or once ``lift`` has."""
    mark = load.mark()
    load.phase = f"{name}:fault"
    began = time.monotonic()
    inject()
    injected = time.monotonic()
    time.sleep(hold)
    lifting = time.monotonic()
    lift()
    lifted = time.monotonic()
    load.phase = f"{name}:recovery"
    recovery = _wait_for_recovery(load, mark, lifted, len(load.customers))
    load.phase = f"{name}:after"
    time.sleep(settle)
    load.phase = f"{name}:done"
    _wait_until_every_chat_moved_on(load, mark, f"{name}:done", len(load.customers))
    records = [record for record in load.since(mark) if record.phase.startswith(f"{name}:")]
    records = [record for record in records if record.phase != f"{name}:done"]
    down = (began, injected) if down_until == "inject" else (injected, lifting)
    return FaultRun(name, records, recovery, lifted - began, *down, offer_state_down)


def _wait_for_recovery(load: Load, mark: int, lifted: float, chats: int) -> float | None:
    """Seconds from lifting the fault until every chat had a normal answer to a message sent after it."""
    deadline = lifted + RECOVERY_TIMEOUT
    while time.monotonic() < deadline:
        first: dict[int, float] = {}
        for record in load.since(mark):
            if record.kind == "normal" and record.started >= lifted:
                first[record.chat] = min(first.get(record.chat, record.finished), record.finished)
        if len(first) == chats:
            return max(first.values()) - lifted
        time.sleep(0.1)
    return None


def _wait_until_every_chat_moved_on(load: Load, mark: int, phase: str, chats: int) -> None:
    # Each chat sends one message at a time: once it has an answer in ``phase``,
    # every message it sent before has been answered (or has timed out).
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if len({record.chat for record in load.since(mark) if record.phase == phase}) == chats:
            return
        time.sleep(0.1)
