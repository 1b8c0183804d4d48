"""How much of the conversation Rasa sends the action server with each action call.

Rasa 3.6.21 serialises every event of the tracker it loaded, which is the
latest session (``tactful.channels.tracker_store``), and sends them all. Our
actions read only some kinds from that list (``actions/turn.py``,
``actions/handoff.py``, ``tactful/handoff/summary.py``):

* ``session_started``: the session's start names the conversation;
* ``user``: turn counts, repeated fallbacks (the intent's name), the owner
  check (the metadata) and the transcript a handoff carries (the text);
* ``bot``: the transcript a handoff carries;
* ``restart``: where rasa-sdk's ``events_after_latest_restart`` begins.

Everything else (each ``action``, ``slot``, ``user_featurization`` ...) is
only sent from the latest user message on, so the current turn is complete,
while slots, the latest message, the active loop and the paused flag come in
the tracker state as before. An earlier user message goes without what only
the NLU needed (its intent ranking, its tokens, the copy of its text and
metadata inside the parse data), which is most of its size. Only the events
that are sent are serialised. The action call then grows with the chat's
messages and by little per message, not with every event Rasa logged
(docs/architecture.md, "One tracker load per message"). Anything that needs
the full event list, such as rasa-sdk's ``applied_events`` for forms, must
widen ``KEPT_KINDS``; anything that reads more of an earlier user message
must widen ``KEPT_USER_FIELDS`` or ``KEPT_PARSE_FIELDS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

KEPT_KINDS = frozenset({"session_started", "user", "bot", "restart"})
KEPT_USER_FIELDS = frozenset(
    {"event", "timestamp", "metadata", "text", "parse_data", "input_channel", "message_id"}
)
KEPT_PARSE_FIELDS = frozenset({"intent", "entities"})


def _earlier_user_message(data: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in data.items() if key in KEPT_USER_FIELDS}
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        kept["parse_data"] = {key: value for key, value in parse_data.items() if key in KEPT_PARSE_FIELDS}
    return kept


def call_events(events: Sequence[Event]) -> list[dict[str, Any]]:
    """The events an action call carries: the kept kinds, and everything from the latest user message on."""
    latest_user = next(
        (index for index in range(len(events) - 1, -1, -1) if events[index].type_name == "user"), 0
    )
    sent: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        if index >= latest_user:
            sent.append(event.as_dict())
        elif event.type_name == "user":
            sent.append(_earlier_user_message(event.as_dict()))
        elif event.type_name in KEPT_KINDS:
            sent.append(event.as_dict())
    return sent


class CallView:
    """What ``RemoteAction._action_call_format`` reads of a tracker, with the call's events only.

    Rasa's method asks the tracker for its state with every event
    serialised; this view answers with Rasa's own state and the events of
    ``call_events``, so the events that are not sent are never serialised.
    """

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self._tracker = tracker
        self.sender_id = tracker.sender_id

    def current_state(self, event_verbosity: EventVerbosity = EventVerbosity.NONE) -> dict[str, Any]:
        state: dict[str, Any] = self._tracker.current_state(EventVerbosity.NONE)
        if event_verbosity != EventVerbosity.NONE:
            state["events"] = call_events(list(self._tracker.events))
        return state
