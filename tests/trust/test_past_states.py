"""Dialogue states kept per conversation (tactful.channels.past_states) equal Rasa's own.

Rasa's ``Domain.states_for_tracker_history`` is the reference: every
comparison runs it on the same tracker. The domain here has what the shop's
domain lacks (slots that shape the dialogue, a form, entities), so every kind
of state is covered.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels.past_states import PastStates, State
from tactful.channels.tracker_store import SafeSQLTrackerStore

RICH_DOMAIN = """
version: "3.1"
intents: [greet, order_status, affirm, deny, give_email]
entities: [order_number, email]
slots:
  order_number:
    type: text
    mappings: [{type: from_entity, entity: order_number}]
  verified:
    type: bool
    mappings: [{type: custom}]
  tier:
    type: categorical
    values: [gold, silver]
    mappings: [{type: custom}]
  email:
    type: text
    influence_conversation: false
    mappings: [{type: from_entity, entity: email}]
forms:
  contact_form:
    required_slots: [email]
responses:
  utter_greet: [{text: "Hello"}]
  utter_ask_email: [{text: "Your email?"}]
actions: [action_lookup, action_offer]
"""
ACTIONS = ("action_lookup", "action_offer", "utter_greet", "contact_form", "action_listen")
INTENTS = ("greet", "order_status", "affirm", "deny", "give_email")


def rasa_states(
    tracker: DialogueStateTracker,
    domain: Domain,
    omit: bool = False,
    ignore: bool = False,
    rule_only: Any = None,
) -> list[State]:
    """What Rasa 3.6.21's DialogueStateTracker.past_states returns, called on the domain directly."""
    states: list[State] = domain.states_for_tracker_history(tracker, omit, ignore, rule_only)
    return states


@pytest.fixture(scope="module")
def rich_domain() -> Domain:
    return Domain.from_yaml(RICH_DOMAIN)


def random_event(rng: random.Random, clock: list[float]) -> Event:
    clock[0] += 1.0
    at = clock[0]
    intent = rng.choice(INTENTS)
    makers: list[Callable[[], Event]] = [
        lambda: ActionExecuted("action_listen", timestamp=at),
        lambda: UserUttered(
            f"text {intent}",
            {"name": intent, "confidence": 0.9},
            [{"entity": "order_number", "value": "1234", "start": 0, "end": 4}] if rng.random() < 0.3 else [],
            timestamp=at,
        ),
        lambda: ActionExecuted(rng.choice(ACTIONS), timestamp=at, hide_rule_turn=rng.random() < 0.2),
        lambda: SlotSet(
            rng.choice(["order_number", "verified", "tier", "email"]),
            rng.choice([None, "gold", True, "x"]),
            timestamp=at,
        ),
        lambda: ActiveLoop(rng.choice(["contact_form", None]), timestamp=at),
        lambda: BotUttered("Hello", timestamp=at),
        lambda: FollowupAction("action_lookup", timestamp=at),
        lambda: DefinePrevUserUtteredFeaturization(rng.random() < 0.5, timestamp=at),
        lambda: EntitiesAdded([{"entity": "email", "value": "a@b.c"}], timestamp=at),
        lambda: LoopInterrupted(rng.random() < 0.5, timestamp=at),
        lambda: ActionExecutionRejected("contact_form", timestamp=at),
        lambda: ActionReverted(timestamp=at),
        lambda: UserUtteranceReverted(timestamp=at),
        lambda: Restarted(timestamp=at),
        lambda: SessionStarted(timestamp=at),
    ]
    # Mostly ordinary turns; the rare events that rewrite history now and then.
    weights = [8, 8, 8, 4, 2, 3, 1, 2, 1, 1, 1, 1, 1, 0.3, 0.3]
    return rng.choices(makers, weights)[0]()


RULE_ONLY = {"slots": ["verified"], "loops": ["contact_form"]}
# RulePolicy's request, and the ML policies' (MemoizationPolicy): rule-only turns and features left out.
REQUESTS = {"rules": (False, None), "ml": (True, RULE_ONLY)}


@pytest.mark.parametrize("request_kind", sorted(REQUESTS))
@pytest.mark.parametrize("seed", range(40))
def test_states_extended_event_by_event_equal_rasas(
    rich_domain: Domain, seed: int, request_kind: str
) -> None:
    ignore, rule_only = REQUESTS[request_kind]
    rng = random.Random(seed)
    kept = PastStates()
    clock = [1000.0]
    tracker = DialogueStateTracker.from_events(f"rest:seed{seed}", [], rich_domain.slots)
    compared = 0
    for _ in range(80):
        tracker.update(random_event(rng, clock))
        for omit in (False, True):
            expected = rasa_states(tracker, rich_domain, omit, ignore, rule_only)
            states = kept(tracker, rich_domain, omit, ignore, rule_only)
            # Where a form's repeated action has undone the latest user message,
            # replaying a later featurization event edits an older message, so
            # Rasa's own answer changes from one call to the next; only a
            # history that Rasa answers the same way before and after is compared.
            if expected != rasa_states(tracker, rich_domain, omit, ignore, rule_only):
                continue
            assert states == expected
            assert shared_parts(states) == shared_parts(expected)
            compared += 1
    assert compared >= 150


def shared_parts(states: list[State]) -> list[tuple[int, str, int, str]]:
    """Which parts of which states are one object, as positions (Rasa's featurizers edit them in place)."""
    first_seen: dict[int, tuple[int, str]] = {}
    shared = []
    for index, state in enumerate(states):
        for name, part in state.items():
            earlier = first_seen.setdefault(id(part), (index, name))
            if earlier != (index, name):
                shared.append((*earlier, index, name))
    return shared


def test_states_handed_out_can_be_edited_without_harm(rich_domain: Domain) -> None:
    kept = PastStates()
    tracker = DialogueStateTracker.from_events("rest:edit", [], rich_domain.slots)
    rng, clock = random.Random(99), [0.0]
    for _ in range(40):
        tracker.update(random_event(rng, clock))
        states = kept(tracker, rich_domain)
        # What Rasa's featurizers do to the states they are given
        # (rasa/core/featurizers/tracker_featurizers.py): delete the text, the
        # intent or the entities of a state's user part, and drop the last state.
        for state in states:
            for key in ("text", "intent", "entities"):
                state.get("user", {}).pop(key, None)
        states.pop()
    assert kept(tracker, rich_domain) == rasa_states(tracker, rich_domain)


class CountedStates:
    """Counts the states a domain builds, to see what was kept and what was rebuilt."""

    def __init__(self, domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
        self.built = 0
        build = domain.get_active_state

        def counted(*args: Any, **kwargs: Any) -> State:
            self.built += 1
            return build(*args, **kwargs)

        monkeypatch.setattr(domain, "get_active_state", counted)


def a_turn(intent: str, action: str, at: float) -> list[Event]:
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(f"say {intent}", {"name": intent, "confidence": 1.0}, timestamp=at + 0.1),
        ActionExecuted(action, timestamp=at + 0.2),
        SlotSet("tier", "gold" if intent == "affirm" else "silver", timestamp=at + 0.3),
        BotUttered("ok", timestamp=at + 0.4),
    ]


def test_progress_carries_over_a_save_and_a_load(
    rich_domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SafeSQLTrackerStore(db=str(tmp_path / "tracker.db"), domain=rich_domain)
    counted = CountedStates(rich_domain, monkeypatch)
    kept = PastStates()
    try:
        tracker = DialogueStateTracker.from_events("rest:carry", [], rich_domain.slots)
        for number in range(20):
            for event in a_turn(INTENTS[number % len(INTENTS)], ACTIONS[number % 3], 10.0 * number):
                tracker.update(event)
        asyncio.run(store.save(tracker))
        loaded = asyncio.run(store.retrieve("rest:carry"))
        assert loaded is not None
        assert kept(loaded, rich_domain) == rasa_states(loaded, rich_domain)
        # The next message: loaded again from the store, with one more turn.
        for event in a_turn("deny", "action_offer", 500.0):
            loaded.update(event)
        asyncio.run(store.save(loaded))
        again = asyncio.run(store.retrieve("rest:carry"))
        assert again is not None
        counted.built = 0
        states = kept(again, rich_domain)
        # Two actions in the new turn and the state now: nothing older is rebuilt.
        assert counted.built == 3
        assert states == rasa_states(again, rich_domain)
    finally:
        store.engine.dispose()


def test_the_same_rows_of_another_store_are_not_taken_for_these(rich_domain: Domain, tmp_path: Path) -> None:
    """Two stores, the same conversation id, the same row ids, different events."""
    kept = PastStates()
    stores = [SafeSQLTrackerStore(db=str(tmp_path / f"{name}.db"), domain=rich_domain) for name in "ab"]
    try:
        for store, intent in zip(stores, ("affirm", "deny"), strict=True):
            tracker = DialogueStateTracker.from_events(
                "rest:twin", a_turn(intent, "action_lookup", 1.0), rich_domain.slots
            )
            asyncio.run(store.save(tracker))
        for store in stores:
            loaded = asyncio.run(store.retrieve("rest:twin"))
            assert loaded is not None
            assert kept(loaded, rich_domain) == rasa_states(loaded, rich_domain)
    finally:
        for store in stores:
            store.engine.dispose()


def test_a_rewritten_history_is_rebuilt(rich_domain: Domain) -> None:
    kept = PastStates()
    events = [event for number in range(5) for event in a_turn("greet", "utter_greet", 10.0 * number)]
    tracker = DialogueStateTracker.from_events("rest:rewrite", events, rich_domain.slots)
    assert kept(tracker, rich_domain) == rasa_states(tracker, rich_domain)
    # Undoing the last user message drops events the kept progress had applied.
    tracker.update(UserUtteranceReverted(timestamp=100.0))
    assert kept(tracker, rich_domain) == rasa_states(tracker, rich_domain)
    other = DialogueStateTracker.from_events(
        "rest:rewrite", events[:7] + a_turn("deny", "action_offer", 200.0), rich_domain.slots
    )
    assert kept(other, rich_domain) == rasa_states(other, rich_domain)


def test_memory_is_bounded_by_states_kept(rich_domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = PastStates(kept_states=30)
    counted = CountedStates(rich_domain, monkeypatch)
    events = [event for number in range(10) for event in a_turn("greet", "utter_greet", 10.0 * number)]
    first, second = (
        DialogueStateTracker.from_events(sender, events, rich_domain.slots)
        for sender in ("rest:one", "rest:two")
    )
    kept(first, rich_domain)
    kept(first, rich_domain)
    assert counted.built == 21 + 1  # 20 actions and the state now; then only the state now
    kept(second, rich_domain)  # 20 more states kept: the first conversation's are let go
    expected = rasa_states(first, rich_domain)
    counted.built = 0
    assert kept(first, rich_domain) == expected
    assert counted.built == 21  # rebuilt from the start
