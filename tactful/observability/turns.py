"""One customer message's way through the pipeline, as metrics and log context.

``observed_turn`` wraps a turn: its log lines carry the conversation id, and
when it ends ``tactful_turns_total`` and ``tactful_turn_seconds`` record it.
Code deep inside the turn reports an apology with ``apologised`` instead of
passing a flag back up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from tactful.observability import metrics
from tactful.observability.context import conversation


@dataclass
class ObservedTurn:
    channel: str
    outcome: str = "ok"

    def settle(self, kind: str, refused: bool) -> None:
        """The outcome from the gate's verdict, unless the customer already got the apology."""
        if self.outcome == "apology":
            return
        self.outcome = "refused" if refused else "paused" if kind == "paused" else "ok"


logger = logging.getLogger(__name__)
_turn: ContextVar[ObservedTurn | None] = ContextVar("tactful_turn", default=None)


@contextmanager
def observed_turn(channel: str | None, conversation_id: str | None) -> Iterator[ObservedTurn]:
    started = time.perf_counter()
    turn = ObservedTurn(channel or "unknown")
    token = _turn.set(turn)
    try:
        with conversation(conversation_id):
            try:
                yield turn
            except Exception:
                # The channel's own handler turns this into an error answer.
                turn.outcome = "apology"
                metrics.error("pipeline")
                raise
            finally:
                # Still inside the conversation's context, so the line carries its id.
                seconds = time.perf_counter() - started
                metrics.turn(turn.channel, turn.outcome, seconds)
                logger.info("turn on %s: %s in %.3f s", turn.channel, turn.outcome, seconds)
    finally:
        _turn.reset(token)


def apologised(component: str) -> None:
    """The customer got the apology because ``component`` failed."""
    metrics.error(component)
    turn = _turn.get()
    if turn is not None:
        turn.outcome = "apology"


@contextmanager
def observed_action(action: str, conversation_id: str | None) -> Iterator[None]:
    """One custom action on the action server: its time, whether it raised, its log context."""
    started = time.perf_counter()
    failed = False
    with conversation(conversation_id):
        try:
            yield
        except Exception:
            failed = True
            logger.exception("action %s failed", action)
            raise
        finally:
            seconds = time.perf_counter() - started
            metrics.action(action, seconds, failed)
            logger.info("action %s in %.3f s", action, seconds)
