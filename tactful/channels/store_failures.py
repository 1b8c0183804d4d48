"""A tracker store that cannot be read or written fails the message, never the memory of it.

Rasa wraps the configured tracker store in a ``FailSafeTrackerStore``: on any
error it logs, answers a read with "no such conversation" and keeps a write
in process memory. While the database is down (a PostgreSQL restart, say), a
turn that started before the outage then gets a normal reply although its
messages were never stored, and a turn read as "new" runs without the
conversation's history (its owner, its pending offer). Found by the fault
tests (tests/faults/).

``fail_closed`` sets the wrapper's own error callback to re-raise, so the
error reaches the message pipeline, which answers with the apology
(tactful/channels/pipeline.py): nothing the customer was answered is lost.
"""

from __future__ import annotations

from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.exceptions import RasaException


class TrackerStoreUnavailable(RasaException):  # type: ignore[misc]  # rasa ships no type information
    """The conversation could not be read or stored; this message fails, the process goes on."""


def _raise(error: Exception) -> None:
    raise TrackerStoreUnavailable(f"the tracker store failed: {type(error).__name__}") from error


def fail_closed(store: TrackerStore | None) -> None:
    """Make Rasa's fail-safe wrapper re-raise instead of falling back to memory (idempotent)."""
    if isinstance(store, FailSafeTrackerStore):
        store._on_tracker_store_error = _raise
