"""What the one-load tests share: real tracker stores, the domain, and a read counter."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    Event,
)
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels.tracker_store import SafeSQLTrackerStore
from tactful.identity import VerifiedIdentity, identity_to_metadata

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = REPO_ROOT / "models" / "tactful.tar.gz"


def identity(customer: str) -> dict[str, object]:
    return identity_to_metadata(VerifiedIdentity(customer, None, 1_900_000_000))


class Reads:
    """Counts the statements that read a conversation's events (a tracker load)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.loads = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith("SELECT events."):
            self.loads += 1


def save(store: SafeSQLTrackerStore, domain: Domain, sender: str, *events: Event) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, list(events), domain.slots)))
