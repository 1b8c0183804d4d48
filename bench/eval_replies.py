"""Measure the offer-reply classifier on a labelled set of replies.

    python bench/eval_replies.py tests/blind/set_a.yml [more files]

A set is YAML, either ``items: [{text, label, ...}]`` or ``{label: [texts]}``
(optionally under ``examples:``). Labels are those of tactful.replies.ReplyLabel.
It prints the goals of the consent rules (README "Reading replies to offers"):

* decline recall: true declines (with or without another request) read as a
  decline, a decline with a request, or an opt-out (all record the no);
* accepts read as declines;
* any non-accept read as an accept;
* requests for information (question) read as accepts: a count;

then accuracy and the confusion of labels.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tactful.replies import ReplyClassifier, ReplyLabel  # noqa: E402

NO_LABELS = {ReplyLabel.DECLINE, ReplyLabel.DECLINE_PLUS_REQUEST, ReplyLabel.OPT_OUT}
TRUE_DECLINES = {ReplyLabel.DECLINE, ReplyLabel.DECLINE_PLUS_REQUEST}


def load_set(path: Path) -> list[tuple[str, ReplyLabel]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(document, dict) and "items" in document:
        return [(str(item["text"]), ReplyLabel(item["label"])) for item in document["items"]]
    groups = document.get("examples", document) if isinstance(document, dict) else {}
    return [(str(text), ReplyLabel(label)) for label, texts in groups.items() for text in texts or []]


def measure(pairs: list[tuple[str, ReplyLabel]], classifier: ReplyClassifier) -> dict[str, object]:
    confusion: Counter[tuple[str, str]] = Counter()
    mistakes = []
    for text, truth in pairs:
        got = classifier.classify(text).label
        confusion[(truth.value, got.value)] += 1
        if got is not truth:
            mistakes.append({"text": text, "truth": truth.value, "got": got.value})

    def count(truths: set[ReplyLabel], gots: set[ReplyLabel]) -> int:
        return sum(n for (t, g), n in confusion.items() if ReplyLabel(t) in truths and ReplyLabel(g) in gots)

    accepts = {ReplyLabel.ACCEPT}
    non_accepts = set(ReplyLabel) - accepts
    total_declines = count(TRUE_DECLINES, set(ReplyLabel))
    total_accepts = count(accepts, set(ReplyLabel))
    total_non_accepts = count(non_accepts, set(ReplyLabel))
    return {
        "replies": len(pairs),
        "accuracy": round(sum(n for (t, g), n in confusion.items() if t == g) / max(1, len(pairs)), 4),
        "decline_recall": round(count(TRUE_DECLINES, NO_LABELS) / max(1, total_declines), 4),
        "accepts_read_as_declines": round(count(accepts, NO_LABELS) / max(1, total_accepts), 4),
        "non_accepts_read_as_accepts": round(count(non_accepts, accepts) / max(1, total_non_accepts), 4),
        "questions_read_as_accepts": count({ReplyLabel.QUESTION}, accepts),
        "confusion": {f"{t}->{g}": n for (t, g), n in sorted(confusion.items())},
        "mistakes": mistakes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--mistakes", action="store_true", help="list every misread reply")
    args = parser.parse_args()
    classifier = ReplyClassifier()
    for path in args.files:
        result = measure(load_set(path), classifier)
        if not args.mistakes:
            result.pop("mistakes")
        print(json.dumps({"file": str(path), **result}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
