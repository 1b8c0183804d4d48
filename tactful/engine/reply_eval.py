"""Evaluate the reply classifier on a labelled file (the held-out set).

The goals come from DESIGN ("Consent to buy"): a wrong accept puts something in
a cart the customer did not ask for, so it is held far tighter than a wrong
decline, which only loses one sale.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from tactful.engine.replies import (
    ACCEPT,
    COMPOUND,
    DECLINE,
    OPT_OUT,
    UNRELATED,
    WHY,
    ReplyClass,
    classify_offer_reply,
)

CLASSES = (ACCEPT, DECLINE, OPT_OUT, COMPOUND, UNRELATED, WHY)
GOAL_DECLINE_RECALL = 0.97
GOAL_ACCEPT_AS_DECLINE = 0.03
GOAL_FALSE_ACCEPT = 0.005


@dataclass
class Report:
    total: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[tuple[str, str, ReplyClass]] = field(default_factory=list)

    def count(self, truth: str) -> int:
        return sum(n for (t, _), n in self.confusion.items() if t == truth)

    def precision(self, label: str) -> float:
        predicted = sum(n for (_, p), n in self.confusion.items() if p == label)
        return self.confusion[(label, label)] / predicted if predicted else 1.0

    def recall(self, label: str) -> float:
        actual = self.count(label)
        return self.confusion[(label, label)] / actual if actual else 1.0

    @property
    def decline_recall(self) -> float:
        """Declines (plain and compound) recorded as a decline."""
        actual = self.count(DECLINE) + self.count(COMPOUND)
        hits = sum(
            n for (t, p), n in self.confusion.items() if t in (DECLINE, COMPOUND) and p in (DECLINE, COMPOUND)
        )
        return hits / actual if actual else 1.0

    @property
    def accept_as_decline(self) -> float:
        """Share of real accepts not taken as accept."""
        actual = self.count(ACCEPT)
        misses = actual - self.confusion[(ACCEPT, ACCEPT)]
        return misses / actual if actual else 0.0

    @property
    def false_accept(self) -> float:
        """Share of everything that is not an accept but was taken as one."""
        others = self.total - self.count(ACCEPT)
        wrong = sum(n for (t, p), n in self.confusion.items() if p == ACCEPT and t != ACCEPT)
        return wrong / others if others else 0.0

    def goals_met(self) -> dict[str, bool]:
        return {
            f"decline recall >= {GOAL_DECLINE_RECALL}": self.decline_recall >= GOAL_DECLINE_RECALL,
            f"accepts taken as not-accept <= {GOAL_ACCEPT_AS_DECLINE}": self.accept_as_decline
            <= GOAL_ACCEPT_AS_DECLINE,
            f"non-accepts taken as accept <= {GOAL_FALSE_ACCEPT}": self.false_accept <= GOAL_FALSE_ACCEPT,
        }


def load_examples(path: str | Path) -> list[tuple[str, str]]:
    """(text, label) pairs from a YAML mapping of label -> list of texts."""
    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    examples: list[tuple[str, str]] = []
    for label, texts in data.items():
        if label not in CLASSES:
            raise ValueError(f"{path}: unknown class {label!r}")
        examples.extend((str(text), label) for text in texts)
    return examples


def evaluate(examples: list[tuple[str, str]]) -> Report:
    report = Report()
    for text, truth in examples:
        result = classify_offer_reply(text)
        report.total += 1
        report.confusion[(truth, result.kind)] += 1
        if result.kind != truth:
            report.errors.append((text, truth, result))
    return report


def format_report(report: Report) -> str:
    lines = [f"{'class':<17}{'n':>5}{'precision':>11}{'recall':>8}"]
    for label in CLASSES:
        lines.append(
            f"{label:<17}{report.count(label):>5}{report.precision(label):>11.3f}{report.recall(label):>8.3f}"
        )
    lines.append("")
    lines.append(f"decline recall (decline+compound recorded as decline): {report.decline_recall:.3f}")
    lines.append(f"accepts taken as not-accept: {report.accept_as_decline:.3%}")
    lines.append(f"non-accepts taken as accept: {report.false_accept:.3%}")
    for goal, met in report.goals_met().items():
        lines.append(f"  [{'ok' if met else 'MISSED'}] {goal}")
    return "\n".join(lines)
