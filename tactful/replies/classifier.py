"""The decider: the model's ranking, filtered by the safe-direction vetoes."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tactful.replies import vetoes
from tactful.replies.labels import EVENT_FOR, ReplyLabel
from tactful.replies.model import ReplyModel, load_examples
from tactful.replies.text import normalize

# Our own buttons: their payloads are exact, no model needed.
PAYLOADS = {
    "/accept_offer": ReplyLabel.ACCEPT,
    "/decline_offer": ReplyLabel.DECLINE,
    "/stop_offers": ReplyLabel.OPT_OUT,
    "/why_offer": ReplyLabel.WHY,
}
# NLU intents that contradict a yes: with one of them the reply cannot accept.
NEGATIVE_INTENTS = frozenset({"deny", "decline_offer", "stop_offers", "why_offer", "frustrated"})
NO_LABELS = (ReplyLabel.DECLINE, ReplyLabel.DECLINE_PLUS_REQUEST)
# The model's share for "no" above which a hedged or negated reply counts as one.
NO_LEAN_SHARE = 0.2
UNCLEAR_FALLBACKS = frozenset({ReplyLabel.QUESTION, ReplyLabel.IGNORED, ReplyLabel.WHY})
_CLAUSES = re.compile(r"[.!?;]+\s*|,\s*|\s+(?:but|and|also)\s+")
# "no thanks, but how do returns work?": the request starts after the conjunction.
_LEADING_CONJUNCTION = re.compile(r"^(?:but|and|also|though|however)\b[\s,]*", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyClass:
    label: ReplyLabel
    # For decline_plus_request: the customer's other request, in their words.
    remainder: str | None = None
    # What decided it, for the decision trace.
    cues: tuple[str, ...] = ()
    probabilities: Mapping[ReplyLabel, float] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.label.value

    @property
    def event_kind(self) -> str | None:
        """The offer response to record, or None while the choice stays open."""
        return EVENT_FOR[self.label]

    @property
    def is_accept(self) -> bool:
        return self.label is ReplyLabel.ACCEPT


def _allowed(label: ReplyLabel, norm: str, intent: str | None) -> bool:
    if label is ReplyLabel.ACCEPT:
        return vetoes.clear_yes(norm) and intent not in NEGATIVE_INTENTS
    if label is ReplyLabel.OPT_OUT:
        return vetoes.opts_out(norm)
    if label in (ReplyLabel.DECLINE, ReplyLabel.DECLINE_PLUS_REQUEST):
        return not vetoes.only_acknowledges(norm)
    return True


def _leans_no(norm: str, probabilities: Mapping[ReplyLabel, float]) -> bool:
    no_share = sum(probabilities.get(label, 0.0) for label in NO_LABELS)
    return no_share >= NO_LEAN_SHARE and vetoes.says_no_somehow(norm) and not vetoes.only_acknowledges(norm)


def _remainder(text: str) -> str | None:
    parts = [part.strip() for part in _CLAUSES.split(text.strip()) if part and part.strip()]
    return _LEADING_CONJUNCTION.sub("", " ".join(parts[1:])) or None


class ReplyClassifier:
    def __init__(self, model_factory: Callable[[], ReplyModel] | None = None) -> None:
        self._factory = model_factory or (lambda: ReplyModel(load_examples()))
        self._model: ReplyModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> ReplyModel:
        # Trained once, on first use, by whichever thread gets here first.
        with self._lock:
            if self._model is None:
                self._model = self._factory()
            return self._model

    def classify(self, text: str, nlu_intent: str | None = None) -> ReplyClass:
        """Read the customer's message that follows an offer."""
        stripped = (text or "").strip()
        payload = PAYLOADS.get(stripped.lower())
        if payload is not None:
            return ReplyClass(payload, cues=("button",))
        norm = normalize(stripped)
        if not norm:
            return ReplyClass(ReplyLabel.IGNORED, cues=("empty",))
        probabilities = self.model.probabilities(norm)
        ranked = sorted(probabilities, key=lambda label: probabilities[label], reverse=True)
        vetoed = [label for label in ranked if not _allowed(label, norm, nlu_intent)]
        candidates = [label for label in ranked if label not in vetoed]
        if ranked[0] is ReplyLabel.ACCEPT and ReplyLabel.ACCEPT in vetoed:
            # A yes we could not confirm is unclear, and unclear adds nothing
            # without recording a no either (docs/architecture.md, "Consent").
            candidates = [label for label in candidates if label in UNCLEAR_FALLBACKS]
        chosen = candidates[0] if candidates else ReplyLabel.IGNORED
        if (
            chosen is ReplyLabel.IGNORED
            and ranked[0] is not ReplyLabel.ACCEPT
            and _leans_no(norm, probabilities)
        ):
            # "maybe some other day": a no in other words. Reading it as a no
            # keeps the offer away; reading it as ignored could bring it back.
            chosen = max(NO_LABELS, key=lambda label: probabilities.get(label, 0.0))
        rule_cues: tuple[str, ...] = ()
        if chosen is not ReplyLabel.OPT_OUT and vetoes.clearly_opts_out(norm):
            # Words that opt out with no offer open ("unsubscribe", "no more offers")
            # must not do less with one open; a stop said to the offer opts out too.
            chosen, rule_cues = ReplyLabel.OPT_OUT, ("rule:opt_out",)
        cues = (
            f"model:{ranked[0].value}",
            *(f"veto:{label.value}" for label in vetoed if label is ranked[0]),
            *rule_cues,
        )
        remainder = _remainder(stripped) if chosen is ReplyLabel.DECLINE_PLUS_REQUEST else None
        return ReplyClass(chosen, remainder, cues, probabilities)


def classify_consent_request(text: str) -> str | None:
    """ "opt_out", "opt_in" or None for a message when no offer is open.

    Only words about suggestions or offers count here: "stop" on its own,
    "stop the order" or "handoff" opt no one out.
    """
    stripped = (text or "").strip().lower()
    if stripped == "/stop_offers":
        return "opt_out"
    if stripped in ("/start_offers", "/opt_in", "/resume_offers"):
        return "opt_in"
    norm = normalize(stripped)
    if vetoes.opts_out_anywhere(norm):
        return "opt_out"
    if vetoes.opts_in(norm):
        return "opt_in"
    return None
