"""Offer rates by slice, acceptance over time, no-offer reasons and variant tests.

Rates are counted over conversation records (tactful/analytics/conversations.py);
every definition is in docs/analytics.md, "Rates".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tactful.analytics.conversations import Conversation, Mark
from tactful.analytics.intervals import posterior_comparison, verdict
from tactful.store.kinds import ACCEPTED, DECLINED, IGNORED, OPTED_OUT, STAGE_PREFIX

# Which impressions (and the answers to them) a slice keeps.
ArmFilter = Callable[[Mark], bool]
ANSWER_FIELDS: tuple[tuple[str, str, str], ...] = (
    (ACCEPTED, "accepts", "acceptance_rate"),
    (DECLINED, "declines", "decline_rate"),
    (IGNORED, "ignores", "ignore_rate"),
)


def ratio(numerator: int, denominator: int) -> float | None:
    """None, not 0, when nothing was counted: "no data" is not "never"."""
    return round(numerator / denominator, 4) if denominator else None


def rates(
    conversations: Iterable[Conversation], arm: ArmFilter | None = None, pool: int | None = None
) -> dict[str, Any]:
    """The rates of a set of conversations, or of one offer/variant (``arm``) in them.

    For an arm, "conversations" are those where it was shown and the offer
    rate is its share of the ``pool`` of all conversations with a decision.
    """
    conversation_count = decisions = offered = offers = opt_outs = 0
    answers: Counter[str] = Counter()
    for conversation in conversations:
        if not conversation.counted:
            continue
        keep = arm or _any
        shown = [mark for mark in conversation.impressions if keep(mark)]
        if arm is not None and not shown:
            continue
        conversation_count += 1
        decisions += sum(1 for mark, _ in conversation.decisions if arm is None or keep(mark))
        offered += 1 if shown else 0
        offers += len(shown)
        for kind, _, _ in ANSWER_FIELDS:
            # Answers are tied to their in-period impression (Conversation.tie_answers).
            answers[kind] += sum(
                1 for mark in conversation.responses.get(kind, ()) if keep(mark.shown or mark)
            )
        for opt_out in conversation.signals.get(OPTED_OUT, ()):
            before = conversation.shown_before(opt_out)
            opt_outs += 1 if before is not None and keep(before) else 0
    result: dict[str, Any] = {
        "conversations": conversation_count,
        "decisions": decisions,
        "offered_conversations": offered,
        "offers": offers,
        "offer_rate": ratio(offered, conversation_count if pool is None else pool),
    }
    for kind, count_name, rate_name in ANSWER_FIELDS:
        result[count_name] = answers[kind]
        result[rate_name] = ratio(answers[kind], offers)
    result["opt_outs"] = opt_outs
    result["opt_out_rate"] = ratio(opt_outs, offers)
    return result


def _any(mark: Mark) -> bool:
    return True


def by_attribute(
    conversations: Sequence[Conversation], attribute: Callable[[Conversation], str]
) -> list[dict[str, Any]]:
    """Rates per value of a conversation attribute (channel, stage, week)."""
    groups: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        if conversation.counted:
            groups[attribute(conversation)].append(conversation)
    return [{"key": key, **rates(members)} for key, members in sorted(groups.items())]


def by_offer(conversations: Sequence[Conversation], with_variant: bool) -> list[dict[str, Any]]:
    """Rates per offer (or per "offer/variant"), over every conversation shown it."""
    pool = sum(1 for c in conversations if c.counted)
    # One pass: each arm gets only the conversations it was shown in.
    shown_in: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        for key in sorted({_arm_key(mark, with_variant) for mark in conversation.impressions}):
            shown_in[key].append(conversation)
    rows = []
    for key, members in sorted(shown_in.items()):
        row = {"key": key, **rates(members, _arm_filter(key, with_variant), pool)}
        if with_variant:
            row["offer"], row["variant"] = key.split("/", 1)
        rows.append(row)
    return rows


def _arm_key(mark: Mark, with_variant: bool) -> str:
    offer = mark.offer_id or "?"
    return f"{offer}/{mark.variant_id or 'default'}" if with_variant else offer


def _arm_filter(key: str, with_variant: bool) -> ArmFilter:
    return lambda mark: _arm_key(mark, with_variant) == key


def acceptance_over_time(conversations: Iterable[Conversation]) -> list[dict[str, Any]]:
    """Impressions and accepts per offer and day, each accept on its impression's day."""
    offers: Counter[tuple[str, str]] = Counter()
    accepts: Counter[tuple[str, str]] = Counter()
    for conversation in conversations:
        for mark in conversation.impressions:
            offers[(mark.offer_id or "?", mark.at.date().isoformat())] += 1
        for accept in conversation.responses.get(ACCEPTED, ()):
            day = (accept.shown or accept).at.date().isoformat()
            accepts[(accept.offer_id or "?", day)] += 1
    return [
        {
            "offer": offer,
            "day": day,
            "offers": offers[(offer, day)],
            "accepts": accepts[(offer, day)],
            "rate": ratio(accepts[(offer, day)], offers[(offer, day)]),
        }
        for offer, day in sorted(set(offers) | set(accepts))
    ]


def no_offer_reasons(conversations: Iterable[Conversation]) -> list[dict[str, Any]]:
    """How often each reason code kept an offer away (a decision may give several)."""
    counts: Counter[str] = Counter()
    for conversation in conversations:
        for mark, reasons in conversation.decisions:
            if mark.offer_id is None:
                counts.update(code for code in reasons if not code.startswith(STAGE_PREFIX))
    return [{"reason": reason, "count": count} for reason, count in sorted(counts.items(), key=_by_count)]


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def variants(conversations: Iterable[Conversation], seed: int) -> list[dict[str, Any]]:
    """Each variant of an offer against the offer's first variant (by name), as Beta posteriors.

    Counted per conversation: "shown" is conversations shown the variant and
    "accepted" those that accepted it. Repeated impressions in one conversation
    are one customer's one moment, not independent trials; counting them would
    make the posterior narrower than the evidence.
    """
    shown: Counter[tuple[str, str]] = Counter()
    accepted: Counter[tuple[str, str]] = Counter()
    for conversation in conversations:
        shown.update({_variant_key(mark) for mark in conversation.impressions})
        accepted.update(
            {_variant_key(mark.shown or mark) for mark in conversation.responses.get(ACCEPTED, ())}
        )
    per_offer: dict[str, list[str]] = defaultdict(list)
    for offer, variant in sorted(shown):
        per_offer[offer].append(variant)
    rows = []
    for offer, names in sorted(per_offer.items()):
        baseline = names[0]
        a = (shown[(offer, baseline)], accepted[(offer, baseline)])
        for other in names[1:]:
            b = (shown[(offer, other)], accepted[(offer, other)])
            probability, difference = posterior_comparison(a[0], a[1], b[0], b[1], seed=seed)
            rows.append(
                {
                    "offer": offer,
                    "variant_a": baseline,
                    "variant_b": other,
                    "a": {"shown": a[0], "accepted": a[1], "rate": ratio(a[1], a[0])},
                    "b": {"shown": b[0], "accepted": b[1], "rate": ratio(b[1], b[0])},
                    "prob_b_better": round(probability, 4),
                    "difference": difference.as_dict(4),
                    "unit": "conversation",
                    "verdict": verdict(baseline, other, a[0], b[0], probability),
                }
            )
    return rows


def _variant_key(mark: Mark) -> tuple[str, str]:
    return (mark.offer_id or "?", mark.variant_id or "default")
