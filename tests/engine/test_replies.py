"""Reply classifier on dev examples (kept apart from tests/heldout/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.engine.replies import classify_consent_request, classify_offer_reply
from tactful.engine.reply_eval import load_examples

DEV: dict[str, list[str]] = {
    "accept": [
        "yes",
        "yeah please add it",
        "Yesss 🙌",
        "sure, put one in",
        "ok, I'll buy it",
        "okay 👌",
        "definitely!",
        "go ahead please",
        "that sounds fair, yes",
        "add it to the basket please",
        "Yup, I'll get the bag",
        "yes please, the discounted one",
        "alright let's do this",
    ],
    "decline": [
        "no",
        "Nope!",
        "nah mate",
        "no thanks!!",
        "not at the moment",
        "I'm fine for now",
        "maybe next time",
        "hmm, I'll have a think",
        "ok thanks",
        "cool thanks",
        "yes... no, actually",
        "sure but not today",
        "ok but later",
        "yes? what is it",
        "umm",
        "probably not",
        "too much money",
        "I already own one",
        "nah, pass",
        "yes no",
        "I guess so",
        "yes if it fits",
        "not this offer",
    ],
    "opt_out": [
        "stop",
        "STOP!!",
        "please stop suggesting stuff",
        "no more suggestions thanks",
        "quit the upselling",
        "I don't want promotions",
        "dont recommend me anything ever again",
        "enough with the ads",
        "unsubscribe me",
        "turn suggestions off",
        "I'm sick of the recommendations",
        "no thanks, and no more offers",
    ],
    "compound_decline": [
        "no thanks, when is my delivery?",
        "Nope - I need a refund for order 5512",
        "not now. can you help me with my invoice?",
        "I'm good thanks, how do I change my address",
        "nah, is my parcel on its way?",
    ],
    "unrelated": [
        "where's my package",
        "I need to return a lens",
        "hello",
        "can I speak with someone",
        "what time do you open tomorrow?",
        "my password doesn't work",
    ],
    "why": [
        "why?",
        "why are you suggesting this",
        "how come I'm getting this offer?",
        "what's this for?",
        "why did I get a recommendation",
    ],
}


@pytest.mark.parametrize(("text", "label"), [(t, label) for label, texts in DEV.items() for t in texts])
def test_dev_examples(text: str, label: str) -> None:
    assert classify_offer_reply(text).kind == label, classify_offer_reply(text)


def test_dev_examples_are_not_copied_from_heldout() -> None:
    heldout = Path(__file__).parents[1] / "heldout" / "offer_replies.yml"
    held = {t.strip().lower() for t, _ in load_examples(heldout)}
    dev = {t.strip().lower() for texts in DEV.values() for t in texts}
    # A few one-word replies ("no", "stop", "why?") are unavoidable in both.
    assert len(held & dev) <= 6, sorted(held & dev)


@pytest.mark.parametrize(
    ("payload", "label"),
    [
        ("/accept_offer", "accept"),
        ("/decline_offer", "decline"),
        ("/stop_offers", "opt_out"),
        ("/why_offer", "why"),
    ],
)
def test_button_payloads_map_directly(payload: str, label: str) -> None:
    assert classify_offer_reply(payload).kind == label


def test_compound_decline_keeps_the_request_in_the_customers_words() -> None:
    result = classify_offer_reply("No thanks. Where is Order 77?")
    assert result.kind == "compound_decline"
    assert result.remainder == "Where is Order 77?"
    assert result.event_kind == "declined"


@pytest.mark.parametrize(
    ("kind", "event"),
    [
        ("yes please", "accepted"),
        ("no thanks", "declined"),
        ("stop suggesting things", "opted_out"),
        ("where is my order", "ignored"),
        ("why am I seeing this", None),
    ],
)
def test_event_kind_to_record(kind: str, event: str | None) -> None:
    assert classify_offer_reply(kind).event_kind == event


@pytest.mark.parametrize("intent", ["deny", "stop_offers", "why_offer"])
def test_nlu_intent_never_lets_a_conflicting_yes_through(intent: str) -> None:
    assert classify_offer_reply("sure why not", nlu_intent=intent).kind != "accept"


@pytest.mark.parametrize("text", ["hmm", "idk", "ok thanks", "maybe", "what"])
def test_affirm_intent_never_turns_unclear_into_accept(text: str) -> None:
    assert classify_offer_reply(text, nlu_intent="affirm").kind != "accept"


def test_intent_hints_move_unclear_replies_only() -> None:
    assert classify_offer_reply("meh whatever", nlu_intent="stop_offers").kind in (
        "opt_out",
        "decline",
    )
    assert classify_offer_reply("blorp", nlu_intent="stop_offers").kind == "opt_out"
    assert classify_offer_reply("blorp", nlu_intent="why_offer").kind == "why"
    assert classify_offer_reply("blorp", nlu_intent="order_status").kind == "unrelated"
    assert classify_offer_reply("yes please", nlu_intent="affirm").kind == "accept"


def test_empty_reply_is_not_a_yes() -> None:
    assert classify_offer_reply("   ").kind == "decline"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please stop suggesting products", "opt_out"),
        ("no more recommendations for me", "opt_out"),
        ("opt me out of offers", "opt_out"),
        ("you can turn suggestions back on", "opt_in"),
        ("start recommending things again", "opt_in"),
        ("opt in", "opt_in"),
        ("stop", None),  # bare "stop" outside an offer is ambiguous
        ("how do I stop my subscription", None),
        ("where is my order", None),
        ("don't turn offers back on", "opt_out"),
    ],
)
def test_consent_requests_outside_an_offer(text: str, expected: str | None) -> None:
    assert classify_consent_request(text) == expected
