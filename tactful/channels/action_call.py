"""How much of the conversation Rasa sends the action server with each action call.

Rasa 3.6.21 sends every event of the tracker it loaded, which is the latest
session (``tactful.channels.tracker_store``). Our actions read only some kinds
from that list (``actions/turn.py``, ``actions/handoff.py``,
``tactful/handoff/summary.py``):

* ``session_started``: the session's start names the conversation;
* ``user``: turn counts, repeated fallbacks, order numbers typed, the owner
  check and the channel of the latest message;
* ``bot``: the transcript a handoff carries;
* ``restart``: where rasa-sdk's ``events_after_latest_restart`` begins.

Everything else (each ``action``, ``slot``, ``user_featurization`` ...) is
only sent from the latest user message on, so the current turn is complete,
while slots, the latest message, the active loop and the paused flag come in
the tracker state as before. The action call then grows with the chat's
messages, not with every event Rasa logged (docs/architecture.md, "One
tracker load per message"). Anything that needs the full event list, such as
rasa-sdk's ``applied_events`` for forms, must widen ``KEPT_KINDS``.
"""

from __future__ import annotations

from typing import Any

KEPT_KINDS = frozenset({"session_started", "user", "bot", "restart"})


def slim_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events an action call carries: the kept kinds, and everything from the latest user message on."""
    latest_user = next(
        (index for index in range(len(events) - 1, -1, -1) if events[index].get("event") == "user"), 0
    )
    return [
        event
        for index, event in enumerate(events)
        if index >= latest_user or event.get("event") in KEPT_KINDS
    ]


def slim_call(call: dict[str, Any]) -> dict[str, Any]:
    """``call`` (RemoteAction's request body) with its tracker's events slimmed."""
    tracker = call.get("tracker")
    if isinstance(tracker, dict) and isinstance(tracker.get("events"), list):
        tracker["events"] = slim_events(tracker["events"])
    return call
