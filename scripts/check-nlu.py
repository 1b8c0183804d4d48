"""Fail when the NLU model scores below its floors on the held-out examples.

Usage: python scripts/check-nlu.py [results/nlu/intent_report.json]

`make nlu-test` writes the report (`rasa test nlu` on tests/nlu_heldout.yml)
and then runs this. The floors were set once, after the first measurement
(model trained 2026-12-03 from data/ with config.yml, DIET seed 7), at that
score minus 0.05, rounded down to a multiple of 0.05; they stay fixed so a
change that makes the model worse on unseen wordings fails. Raise a floor when
the model gets better for good; never lower one to make a run pass.

First measurement (F1 per intent, weighted F1 overall; 94 examples):
    overall 0.807 (accuracy 0.766)
    consent: affirm 0.824, deny 0.952, stop_offers 0.667, resume_offers 0.769,
             why_offer 0.800, accept_offer 0.500, decline_offer 0.667
    handoff: human_handoff 0.941, frustrated 0.909
    topics:  order_status 0.875, delivery_problem 0.769, return_policy 0.750,
             start_return 1.000, cancel_order 0.600
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_REPORT = Path("results/nlu/intent_report.json")
OVERALL_WEIGHTED_F1 = 0.75
INTENT_F1: dict[str, float] = {
    # Consent: a wrong guess here shows, hides or records offers against the customer's word.
    "affirm": 0.75,
    "deny": 0.90,
    "stop_offers": 0.60,
    "resume_offers": 0.70,
    "why_offer": 0.75,
    "accept_offer": 0.45,
    "decline_offer": 0.60,
    # Asking for a person.
    "human_handoff": 0.85,
    "frustrated": 0.85,
    # Support topics.
    "order_status": 0.80,
    "delivery_problem": 0.70,
    "return_policy": 0.70,
    "start_return": 0.95,
    "cancel_order": 0.55,
}


def failures(report: dict[str, object]) -> list[str]:
    """One line per floor the report falls below (empty when all hold)."""
    problems: list[str] = []
    weighted = report.get("weighted avg")
    overall = float(weighted.get("f1-score", 0.0)) if isinstance(weighted, dict) else 0.0
    if overall < OVERALL_WEIGHTED_F1:
        problems.append(f"overall weighted F1 {overall:.3f} < {OVERALL_WEIGHTED_F1:.2f}")
    for intent, floor in INTENT_F1.items():
        scores = report.get(intent)
        if not isinstance(scores, dict):
            problems.append(f"{intent}: no held-out examples in the report")
            continue
        f1 = float(scores.get("f1-score", 0.0))
        if f1 < floor:
            problems.append(f"{intent}: F1 {f1:.3f} < {floor:.2f}")
    return problems


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_REPORT
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"check-nlu: cannot read {path}: {error}", file=sys.stderr)
        return 2
    weighted = report.get("weighted avg") or {}
    print(
        f"held-out NLU: weighted F1 {float(weighted.get('f1-score', 0.0)):.3f} (floor {OVERALL_WEIGHTED_F1:.2f})"
    )
    for intent, floor in INTENT_F1.items():
        scores = report.get(intent) or {}
        print(f"  {intent:<18} F1 {float(scores.get('f1-score', 0.0)):.3f} (floor {floor:.2f})")
    problems = failures(report)
    for problem in problems:
        print(f"check-nlu: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
