"""Rasa's dialogue states of a conversation, extended per message instead of rebuilt.

To predict each action, Rasa 3.6.21's policies ask the tracker for its
``past_states``: the tracker's applied events are worked out, the tracker is
replayed from its first event, and a state is built before every action in
it. ``RulePolicy`` and ``MemoizationPolicy`` do that several times per
message over the whole session, so in a long chat it was the largest cost
that grew with the chat (bench/profile_turn.py; docs/architecture.md, "Long
chats").

A state before an action depends only on the events applied before it, so
the states of a prefix of the applied events never change. Here each
conversation keeps, per kind of request, its replayed tracker and its states
(``Progress``); a call whose events start with those events builds states
for the new events only. Events are the same when they are the same object
(events added during this message) or come from the same stored row
(``tactful.channels.event_rows``), so the progress of one message carries
over to the next. The loop that builds the states is Rasa's
``Domain.states_for_tracker_history``, step by step.

Two events change an earlier event instead of the tracker: a
``DefinePrevUserUtteredFeaturization`` or an ``EntitiesAdded`` edits the
latest user message (whether its text or intent is featurised, its
entities), and Rasa builds every state from the message as it is at the
time. So the progress notes how each user message its states saw looked
(``Seen``), and is rebuilt when one of them has been edited since. States are
copied on the way out as far as Rasa's featurizers edit them (``_handed_out``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels.event_rows import same_start
from tactful.channels.lru import BoundedLRU

State = dict[str, Any]
# States a process keeps over all conversations (about a kilobyte each); the least
# recently used conversation's progress goes first.
KEPT_STATES = 100_000
# After these, a tracker's applied events are no longer its earlier applied
# events plus the new ones (DialogueStateTracker.applied_events).
HISTORY_EDITS = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)


class Seen:
    """What the two editing events change in a user message, as it was when first seen."""

    def __init__(self, message: UserUttered) -> None:
        # The message itself is held, so its id stays its own.
        self.message = message
        self.use_text = message.use_text_for_featurization
        self.entities = len(message.entities)

    def unchanged(self) -> bool:
        return (
            self.message.use_text_for_featurization == self.use_text
            # EntitiesAdded only ever appends.
            and len(self.message.entities) == self.entities
        )


@dataclass(frozen=True)
class Request:
    """What a progress was built for: a later call must ask the same."""

    domain: Domain
    omit_unset_slots: bool
    ignore_rule_only_turns: bool
    rule_only_data: dict[str, Any] | None
    max_event_history: int | None

    def same_as(self, other: Request) -> bool:
        return (
            self.domain is other.domain
            and self.omit_unset_slots == other.omit_unset_slots
            and self.ignore_rule_only_turns == other.ignore_rule_only_turns
            and self.rule_only_data == other.rule_only_data
            and self.max_event_history == other.max_event_history
        )


@dataclass
class Progress:
    request: Request
    # ``replay`` has had exactly ``applied`` applied; ``states`` holds the states
    # Rasa's loop appended for them, and the two values it carries between steps.
    replay: DialogueStateTracker
    events: list[Event] = field(default_factory=list)
    applied: list[Event] = field(default_factory=list)
    has_loops: bool = False
    states: list[State] = field(default_factory=list)
    last_ml_action: Any = None
    turn_was_hidden: bool = False
    seen: dict[int, Seen] = field(default_factory=dict)

    def applied_now(self, events: list[Event]) -> list[Event] | None:
        """The applied events after ``events``, when they are the kept ones plus the new events."""
        if self.has_loops or not same_start(self.events, events):
            return None
        new = events[len(self.events) :]
        if any(isinstance(event, HISTORY_EDITS) for event in new):
            return None
        return self.applied + new

    def unedited(self) -> bool:
        return all(seen.unchanged() for seen in self.seen.values())

    def step(self, hide_rule_turn: bool) -> tuple[State | None, Any, bool]:
        """One pass of Rasa's loop at the replay as it is: the state it appends
        (None for a hidden rule turn) and the two carried values after it."""
        request, replay, domain = self.request, self.replay, self.request.domain
        last_ml_action, turn_was_hidden = self.last_ml_action, self.turn_was_hidden
        if request.ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action = domain._get_prev_action_sub_state(replay)
            if not replay.followup_action and not replay.latest_action_name == replay.active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return None, last_ml_action, turn_was_hidden
        state = domain.get_active_state(replay, omit_unset_slots=request.omit_unset_slots)
        if request.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, request.rule_only_data)
            if self.states:
                domain._substitute_rule_only_user_input(state, self.states[-1])
            if last_ml_action:
                state[PREVIOUS_ACTION] = last_ml_action
        return domain._clean_state(state), last_ml_action, turn_was_hidden

    def extend(self, applied: list[Event]) -> None:
        for event in applied[len(self.applied) :]:
            if isinstance(event, ActionExecuted):
                state, self.last_ml_action, self.turn_was_hidden = self.step(event.hide_rule_turn)
                if state is not None:
                    self.states.append(state)
                    self._note_message()
            self.replay.update(event)
        self.applied = applied

    def _note_message(self) -> None:
        message = self.replay.latest_message
        if message is not None and id(message) not in self.seen:
            self.seen[id(message)] = Seen(message)

    def states_now(self) -> list[State]:
        """Every state, the one for the tracker as it is now last, as handed out."""
        final, _, _ = self.step(hide_rule_turn=False)
        return _handed_out(self.states if final is None else [*self.states, final])


def _handed_out(states: list[State]) -> list[State]:
    """``states`` as copies Rasa's featurizers may edit: they delete keys from a
    state's user part (tracker_featurizers.py), and no other part. A user part
    two states share stays shared in the copies, as in Rasa's own list."""
    users: dict[int, dict[str, Any]] = {}
    copies = []
    for state in states:
        copied = dict(state)
        user = state.get(USER)
        if user is not None:
            copied[USER] = users.get(id(user)) or users.setdefault(id(user), dict(user))
        copies.append(copied)
    return copies


class PastStates:
    """``DialogueStateTracker.past_states`` with each conversation's progress kept."""

    def __init__(self, kept_states: int = KEPT_STATES) -> None:
        self._progress: BoundedLRU[tuple[str, bool], Progress] = BoundedLRU(
            kept_states, lambda progress: len(progress.states)
        )

    def __call__(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        request = Request(
            domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data, tracker._max_event_history
        )
        key = (tracker.sender_id, ignore_rule_only_turns)
        events = list(tracker.events)
        # Taken out while it is extended, so a failure leaves nothing half done behind.
        progress = self._progress.pop(key)
        if progress is not None and (
            tracker.is_rule_tracker or not progress.request.same_as(request) or not progress.unedited()
        ):
            progress = None
        applied = progress.applied_now(events) if progress is not None else None
        if progress is None or applied is None:
            applied = tracker.applied_events()
            if progress is None or not same_start(progress.applied, applied):
                progress = Progress(request, tracker.init_copy())
            progress.has_loops = any(isinstance(event, ActiveLoop) and event.name for event in events)
        progress.extend(applied)
        progress.events = events
        states = progress.states_now()
        if not tracker.is_rule_tracker:
            self._progress.put(key, progress)
        return states


def install_on(tracker_class: type[DialogueStateTracker]) -> functools.partialmethod[list[State]]:
    """A ``past_states`` method for ``tracker_class`` backed by one ``PastStates``:
    the tracker comes as the first argument, then Rasa's own arguments."""
    return functools.partialmethod(PastStates())
