"""The offer decision: one offer or none, with reason codes and a trace.

Order (docs/architecture.md, "The offer rules"): the moment -> consent -> caps -> decline
suppressions -> eligibility per rule -> candidates -> ranking. The checks that
block every offer run first and stop early; per-offer checks run per candidate.
Time and randomness are injected so a decision can be replayed exactly.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from tactful.engine import reasons as R
from tactful.engine.candidates import build_candidates
from tactful.engine.caps import customer_caps
from tactful.engine.consent import is_opted_out
from tactful.engine.gates import conversation_gate
from tactful.engine.messages import build_offer
from tactful.engine.model import (
    ArmStats,
    ConversationContext,
    CoPurchaseRule,
    CustomerSnapshot,
    Decision,
    Offer,
    Product,
)
from tactful.engine.policy_model import Policy
from tactful.engine.ranking import rank
from tactful.engine.suppression import pause_end

NO_CUSTOMER_DATA = "none:no_customer_data"


def _unique(codes: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _none(reasons: Sequence[str], trace: list[str]) -> Decision:
    codes = _unique(reasons)
    trace.append("no offer: " + ", ".join(codes))
    return Decision(offer=None, reasons=codes, trace=tuple(trace))


def decide(
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    policy: Policy,
    arm_stats: Mapping[tuple[str, str], ArmStats],
    mined: Sequence[CoPurchaseRule],
    now: datetime,
    rng: random.Random,
) -> Decision:
    trace = [
        f"context: stage={ctx.stage} moment={ctx.moment} channel={ctx.channel} "
        f"turns={ctx.user_turns} cart={[line.sku for line in ctx.cart]}"
    ]
    gate = conversation_gate(ctx, policy)
    if gate:
        trace.append("gate: " + "; ".join(R.describe(code) for code in gate))
        return _none(gate, trace)
    trace.append("gate: the moment is right")
    if customer is None:
        trace.append("customer data unavailable: no personal offers")
        return _none([NO_CUSTOMER_DATA], trace)

    events = customer.events
    if is_opted_out(events):
        trace.append("consent: the customer opted out of offers")
        return _none([R.CONSENT_OPTED_OUT], trace)
    trace.append("consent: offers allowed")

    capped = customer_caps(events, ctx.conversation_id, now, policy)
    end = pause_end(events, policy.declines)
    if end is not None and now < end:
        capped.append(R.SUPPRESSED_PAUSE)
        trace.append(f"declines: offers paused until {end.isoformat()}")
    if capped:
        trace.append("caps: " + "; ".join(R.describe(code) for code in capped))
        return _none(capped, trace)
    trace.append("caps: within conversation and weekly caps; no decline pause")

    found = build_candidates(ctx, customer, catalog, policy, mined, now)
    trace.extend(found.trace)
    if not found.candidates:
        return _none(found.blocked or [R.NONE_NO_CANDIDATES], trace)

    scored = rank(found.candidates, arm_stats, policy.default_margin_rate, rng)
    for s in scored:
        trace.append(
            f"rank: {s.candidate.offer_id}/{s.candidate.variant_id} "
            f"p~{s.sampled_p:.3f} x margin {s.margin:.2f} = {s.value:.3f}"
        )
    best = scored[0].candidate
    offer = build_offer(best, policy, now)
    code = R.offer_code(offer.offer_id, offer.variant_id)
    trace.append(f"chose {offer.offer_id}/{offer.variant_id}: {offer.message}")
    return Decision(offer=offer, reasons=(code,), trace=tuple(trace))


@dataclass(frozen=True)
class AgentAdvice:
    """What the helpdesk summary tells a human agent about offers."""

    offer: Offer | None
    do_not_pitch: bool
    reasons: tuple[str, ...]
    text: str


def advice_for_agent(
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    policy: Policy,
    arm_stats: Mapping[tuple[str, str], ArmStats],
    mined: Sequence[CoPurchaseRule],
    now: datetime,
    rng: random.Random,
) -> AgentAdvice:
    """The one offer an agent may mention once the problem is solved, or "do not pitch".

    The agent's offer is imagined at the point the problem is solved: the handoff
    itself and the moment no longer block it, and neither does the first-turn rule
    (the agent speaks later). Open problems, frustration, consent, holdout, caps
    and declines all still apply, and an agent's offer counts toward the caps.
    """
    moment = "cart_question" if ctx.stage == "checkout" else "resolved_request"
    solved = replace(ctx, moment=moment, handoff=False, user_turns=max(ctx.user_turns, 2))
    decision = decide(solved, customer, catalog, policy, arm_stats, mined, now, rng)
    if decision.offer is not None:
        offer = decision.offer
        text = (
            f"Once the problem is solved you may mention one offer: {offer.message} "
            f"Reason: {offer.reason} Mention it once; if they say no, drop it."
        )
        return AgentAdvice(offer, False, decision.reasons, text)
    why = "; ".join(R.describe(code) for code in decision.reasons)
    return AgentAdvice(None, True, decision.reasons, f"Do not pitch: {why}.")
