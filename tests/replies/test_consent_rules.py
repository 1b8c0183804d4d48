"""The consent rules (README "Reading replies to offers"), on the examples they name.

These wordings come from the rules themselves, not from any evaluation set.
"""

from __future__ import annotations

import pytest

from tactful.replies import ReplyClassifier, ReplyLabel, classify_consent_request
from tactful.replies.model import ReplyModel, TrainingDataError, load_examples

ACCEPT, DECLINE, DPR = ReplyLabel.ACCEPT, ReplyLabel.DECLINE, ReplyLabel.DECLINE_PLUS_REQUEST
QUESTION, IGNORED, OPT_OUT, WHY = ReplyLabel.QUESTION, ReplyLabel.IGNORED, ReplyLabel.OPT_OUT, ReplyLabel.WHY


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Only a clear yes accepts; a trailing question mark does not flip it.
        ("Yes, please?", ACCEPT),
        ("Yes if you would please.", ACCEPT),
        ("Sure, why not?", ACCEPT),
        # A request for information never accepts.
        ("what is it?", QUESTION),
        ("I'd like to know more", QUESTION),
        ("how much again?", QUESTION),
        ("tell me more", QUESTION),
        # Neither yes nor no: nothing added, nothing declined.
        ("I'll take a look", IGNORED),
        ("I'll get my husband to check", IGNORED),
        ("thanks", IGNORED),
        ("great, thanks", IGNORED),
        ("hmm ok", IGNORED),
        ("ok", IGNORED),
        ("🙂", IGNORED),
        # Ways of saying no.
        ("no thanks", DECLINE),
        ("not now", DECLINE),
        ("maybe later", DECLINE),
        ("I'm good", DECLINE),
        ("Not at this time. Are there any hotels in the area?", DPR),
        # Opting out takes words about suggestions, or a stop said to the offer.
        ("stop suggesting things", OPT_OUT),
        ("stop", OPT_OUT),
        ("stop the order", IGNORED),
        ("handoff", IGNORED),
        ("why am I seeing this?", WHY),
    ],
)
def test_the_named_examples(classifier: ReplyClassifier, text: str, label: ReplyLabel) -> None:
    assert classifier.classify(text).label is label, classifier.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "what is it?",
        "I'd like to know more",
        "I'll take a look",
        "I'll get my husband to check",
        "ok",
        "maybe",
        "yes but not now",
        "yeah right",
        "sure, when pigs fly",
        "I'll get it somewhere else",
        "not sure, what does it do?",
        # A request for information never accepts, even after a yes word.
        "sure, tell me more",
        "yes, more details please",
        "yes, but how much?",
        "yes please, how long is the warranty?",
        "yes! does it come in black?",
    ],
)
def test_nothing_unclear_is_an_accept(classifier: ReplyClassifier, text: str) -> None:
    assert classifier.classify(text).label is not ACCEPT


@pytest.mark.parametrize("text", ["thanks", "ok", "👍", "cheers!", "lol", "ok thanks"])
def test_an_acknowledgement_is_never_a_decline(classifier: ReplyClassifier, text: str) -> None:
    assert classifier.classify(text).label not in (DECLINE, DPR, OPT_OUT)


@pytest.mark.parametrize(
    ("payload", "label"),
    [("/accept_offer", ACCEPT), ("/decline_offer", DECLINE), ("/stop_offers", OPT_OUT), ("/why_offer", WHY)],
)
def test_our_buttons_are_read_exactly(classifier: ReplyClassifier, payload: str, label: ReplyLabel) -> None:
    result = classifier.classify(payload)
    assert result.label is label and result.cues == ("button",)


def test_a_decline_with_a_request_keeps_the_request(classifier: ReplyClassifier) -> None:
    result = classifier.classify("No thanks. Where is my order?")
    assert result.label is DPR
    assert result.remainder == "Where is my order"
    assert result.event_kind == "declined"


def test_a_negative_intent_blocks_an_accept(classifier: ReplyClassifier) -> None:
    assert classifier.classify("sure why not", nlu_intent="deny").label is not ACCEPT


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("stop suggesting things", "opt_out"),
        ("please no more offers", "opt_out"),
        ("you can suggest things again", "opt_in"),
        ("stop", None),
        ("stop the order", None),
        ("handoff", None),
        ("go on, tell me more", None),
        ("don't you have any deals?", None),
        ("/stop_offers", "opt_out"),
    ],
)
def test_consent_outside_an_offer_needs_words_about_suggestions(text: str, answer: str | None) -> None:
    assert classify_consent_request(text) == answer


def test_the_training_pool_loads_and_every_label_has_examples() -> None:
    labels = {label for _, label in load_examples()}
    assert labels == set(ReplyLabel)


def test_a_bad_training_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "pool.yml"
    bad.write_text("examples:\n  maybe_yes: [hello]\n")
    with pytest.raises(TrainingDataError, match="unknown label 'maybe_yes'"):
        load_examples(bad)
    with pytest.raises(TrainingDataError):
        ReplyModel([])
