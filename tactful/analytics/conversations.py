"""Fold the period's offer events into one record per conversation.

Every measure is about conversations (an offer, the answer to it and what
happened next all happen in one), so the events are grouped once and each
measure reads the records (docs/analytics.md, "Conversations").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from tactful.analytics.rows import EventRow, HandoffRow
from tactful.store.kinds import (
    ACCEPTED,
    DECISION,
    DECLINED,
    IGNORED,
    IMPRESSION,
    OPTED_OUT,
    SIGNAL_KINDS,
    STAGE_PREFIX,
)

UNKNOWN = "unknown"
RESPONSE_KINDS = (ACCEPTED, DECLINED, IGNORED)
# The harm signals, in report order: opt-outs come from consent events, the
# rest from the signal events (tactful/services/signals.py) and the handoffs table.
HARM_SIGNALS = (OPTED_OUT, *SIGNAL_KINDS)


@dataclass(frozen=True)
class Mark:
    """Something that happened at a point of the conversation (events order by (at, id))."""

    at: datetime
    order: int
    offer_id: str | None = None
    variant_id: str | None = None
    target_sku: str | None = None
    customer_id: str | None = None
    # For an answer: the in-period impression it answers (tie_answers).
    shown: Mark | None = None


@dataclass
class Conversation:
    key: str
    channel: str = UNKNOWN
    customer_id: str | None = None
    decisions: list[tuple[Mark, tuple[str, ...]]] = field(default_factory=list)
    impressions: list[Mark] = field(default_factory=list)
    responses: dict[str, list[Mark]] = field(default_factory=dict)
    signals: dict[str, list[Mark]] = field(default_factory=dict)
    # Answers dropped by tie_answers: "without_impression" and "repeated".
    dropped_answers: Counter[str] = field(default_factory=Counter)

    @property
    def counted(self) -> bool:
        """In the rates and harm measures: a decision or an offer happened here."""
        return bool(self.decisions or self.impressions)

    @property
    def stage(self) -> str:
        """The stage of the decision that made the offer, else of the last decision."""
        chosen = [d for d in self.decisions if d[0].offer_id is not None] or self.decisions
        for _, reasons in reversed(chosen):
            for code in reasons:
                if code.startswith(STAGE_PREFIX):
                    return code.removeprefix(STAGE_PREFIX)
        return UNKNOWN

    @property
    def start(self) -> Mark | None:
        """When an offer was, or could have been, made: the first impression, else the first decision."""
        if self.impressions:
            return self.impressions[0]
        return self.decisions[0][0] if self.decisions else None

    @property
    def week(self) -> str:
        start = self.start
        return week_of(start.at.date()).isoformat() if start else UNKNOWN

    def shown_before(self, mark: Mark) -> Mark | None:
        """The latest impression at or before ``mark`` (what an answer or an opt-out follows)."""
        found = None
        for impression in self.impressions:
            if (impression.at, impression.order) <= (mark.at, mark.order):
                found = impression
        return found

    @property
    def decision_point(self) -> Mark | None:
        """Where harm is counted from, the same for both groups: the first decision (or impression).

        Starting conversations with an offer at their impression instead would skip
        whatever went wrong between an early no-offer decision (gate:first_turn)
        and the offer, and so hide harm (docs/analytics.md, "Harm").
        """
        marks = [self.decisions[0][0]] if self.decisions else []
        marks += self.impressions[:1]
        return min(marks, key=lambda mark: (mark.at, mark.order)) if marks else None

    def signalled_after_start(self, signal: str) -> bool:
        start = self.decision_point
        if start is None:
            return False
        return any(mark.at >= start.at for mark in self.signals.get(signal, ()))

    def tie_answers(self) -> None:
        """Keep only answers to an in-period impression of the same offer and variant, one of each kind.

        An answer whose impression fell before the period (or was never stored)
        would count an accept with no offer behind it; a repeated answer (a
        double click) would count one impression twice.
        """
        answered: set[tuple[int, str]] = set()
        for kind, marks in self.responses.items():
            kept = []
            for mark in marks:
                shown = self._impression_for(mark)
                if shown is None:
                    self.dropped_answers["without_impression"] += 1
                elif (shown.order, kind) in answered:
                    self.dropped_answers["repeated"] += 1
                else:
                    answered.add((shown.order, kind))
                    kept.append(replace(mark, shown=shown))
            self.responses[kind] = kept

    def _impression_for(self, answer: Mark) -> Mark | None:
        found = None
        for impression in self.impressions:
            if (impression.at, impression.order) > (answer.at, answer.order):
                break
            same_variant = answer.variant_id is None or answer.variant_id == impression.variant_id
            if impression.offer_id == answer.offer_id and same_variant:
                found = impression
        return found


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def fold(events: Iterable[EventRow], handoffs: Iterable[HandoffRow]) -> dict[str, Conversation]:
    """One pass over the events (ordered by time) into conversation records."""
    conversations: dict[str, Conversation] = {}
    for row in events:
        # An event stored without a conversation stands alone.
        key = row.conversation_id or f"event:{row.id}"
        conversation = conversations.get(key)
        if conversation is None:
            conversation = conversations[key] = Conversation(key)
        if row.channel and conversation.channel == UNKNOWN:
            conversation.channel = row.channel
        if row.customer_id and conversation.customer_id is None:
            conversation.customer_id = row.customer_id
        mark = Mark(row.at, row.id, row.offer_id, row.variant_id, row.target_sku, row.customer_id)
        if row.kind == DECISION:
            conversation.decisions.append((mark, tuple(row.reasons or ())))
        elif row.kind == IMPRESSION:
            conversation.impressions.append(mark)
        elif row.kind in RESPONSE_KINDS:
            conversation.responses.setdefault(row.kind, []).append(mark)
        elif row.kind in HARM_SIGNALS:
            conversation.signals.setdefault(row.kind, []).append(mark)
    for handoff in handoffs:
        # A stored handoff counts like a handoff signal; the measure is "did
        # one happen", so one seen twice counts once.
        known = conversations.get(handoff.conversation_id)
        if known is not None:
            known.signals.setdefault("handoff", []).append(Mark(handoff.at, 0))
    for conversation in conversations.values():
        conversation.tie_answers()
    return conversations
