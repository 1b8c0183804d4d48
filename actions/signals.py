"""Note a harm signal (frustration, fallback, handoff) for the offer report.

Best effort: the report loses one signal rather than the customer losing a reply.
"""

from __future__ import annotations

import logging

from actions import runtime
from actions.turn import Turn
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.signals import record_signal
from tactful.store.kinds import SignalKind

logger = logging.getLogger(__name__)
SIGNAL_TIMEOUT = 2.0


async def note_signal(turn: Turn, kind: SignalKind) -> None:
    try:
        await run_blocking(
            record_signal,
            runtime.new_uow,
            kind,
            turn.channel,
            turn.conversation_id,
            utcnow(),
            timeout=SIGNAL_TIMEOUT,
        )
    except Exception:  # noqa: BLE001 - analytics must never break the chat
        logger.exception("could not record the %s signal for %s", kind, turn.conversation_id)
