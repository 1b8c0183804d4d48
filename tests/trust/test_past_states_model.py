"""The trained model predicts the same with kept dialogue states as with Rasa's own.

All of tests/test_stories.yml is played as one long conversation, event by
event, the way Rasa's processor grows a tracker; before every action the
model's prediction (action, confidence, policy) is taken with
tactful.channels.past_states installed and with Rasa's own past_states.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from tactful.channels import past_states

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = REPO_ROOT / "models" / "tactful.tar.gz"


def rasa_past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rasa 3.6.21's DialogueStateTracker.past_states."""
    states: list[dict[str, Any]] = domain.states_for_tracker_history(
        self, omit_unset_slots, ignore_rule_only_turns, rule_only_data
    )
    return states


@pytest.fixture(scope="module")
def agent() -> Agent:
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}")
    return Agent.load(str(MODEL))


def story_events(domain: Domain) -> list[Event]:
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(REPO_ROOT / "domain.yml"),
        training_data_paths=[str(REPO_ROOT / "tests" / "test_stories.yml")],
    )
    trackers = TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0
    ).generate_story_trackers()
    return [
        event
        for tracker in trackers
        for event in tracker.events
        if event.type_name != "action" or getattr(event, "action_name", None) != "action_session_start"
    ]


def test_a_long_conversation_is_predicted_alike(agent: Agent, monkeypatch: pytest.MonkeyPatch) -> None:
    domain = agent.domain
    assert domain is not None
    # The stories twice over: a chat as long as the benchmark's 100-turn ones.
    events = story_events(domain) + story_events(domain)
    kept = past_states.install_on(DialogueStateTracker)

    def predict(tracker: DialogueStateTracker, method: Any) -> tuple[str | None, float, str | None]:
        monkeypatch.setattr(DialogueStateTracker, "past_states", method)
        prediction = agent.processor._predict_next_with_tracker(tracker)
        best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
        return domain.action_names_or_texts[best], round(prediction.max_confidence, 6), prediction.policy_name

    tracker = DialogueStateTracker.from_events("rest:long-story", [], domain.slots)
    predictions = 0
    for event in events:
        if isinstance(event, ActionExecuted) and len(tracker.events) > 0:
            assert predict(tracker, kept) == predict(tracker, rasa_past_states)
            predictions += 1
        tracker.update(event)
    # Every story's actions, in one conversation of well over a hundred events.
    assert predictions > 200
    assert len(tracker.events) > 300
