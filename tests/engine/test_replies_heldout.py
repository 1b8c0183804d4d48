"""The reply classifier against the held-out files, with the DESIGN goals.

* offer_replies.yml was written before the classifier by the classifier's
  author; no entry is copied into its rules (an upper bound).
* offer_replies_blind.yml and offer_replies_final.yml were written blind by two
  other authors who never saw the classifier. Measured before any change, they
  missed two goals (accepts taken as declines 8.3% and 9.1%; false accepts 0.56%
  and 0.62%, from sarcasm, "I'll get back to you" and "y r u ..."). General rule
  fixes followed (no entries copied), so they are no longer independent either;
  they stay here as regression sets. None is used in NLU training.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.engine.replies import classify_offer_reply
from tactful.engine.reply_eval import (
    CLASSES,
    GOAL_ACCEPT_AS_DECLINE,
    GOAL_DECLINE_RECALL,
    GOAL_FALSE_ACCEPT,
    evaluate,
    format_report,
    load_examples,
)

HELDOUT_DIR = Path(__file__).resolve().parents[1] / "heldout"
HELDOUT = HELDOUT_DIR / "offer_replies.yml"
ALL_HELDOUT = sorted(HELDOUT_DIR.glob("offer_replies*.yml"))
MINIMUM = {
    "accept": 100,
    "decline": 100,
    "opt_out": 100,
    "compound_decline": 40,
    "unrelated": 40,
    "why": 20,
}


def test_heldout_file_is_big_enough() -> None:
    examples = load_examples(HELDOUT)
    counts = {label: sum(1 for _, lab in examples if lab == label) for label in CLASSES}
    for label, minimum in MINIMUM.items():
        assert counts[label] >= minimum, (label, counts[label])
    # Casing variants ("no" / "NO") are deliberate; exact repeats are not.
    texts = [t.strip() for t, _ in examples]
    assert len(texts) == len(set(texts)), "duplicate held-out examples"


@pytest.mark.parametrize("path", ALL_HELDOUT, ids=lambda path: path.stem)
def test_heldout_goals(path: Path) -> None:
    report = evaluate(load_examples(path))
    summary = format_report(report)
    print(summary)
    assert report.decline_recall >= GOAL_DECLINE_RECALL, summary
    assert report.accept_as_decline <= GOAL_ACCEPT_AS_DECLINE, summary
    assert report.false_accept <= GOAL_FALSE_ACCEPT, summary


def test_compound_declines_keep_a_remainder() -> None:
    for text, label in load_examples(HELDOUT):
        if label != "compound_decline":
            continue
        result = classify_offer_reply(text)
        if result.kind == "compound_decline":
            assert result.remainder, text
            assert result.remainder.lower() != text.lower()
