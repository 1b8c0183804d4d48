"""The moment gate (docs/architecture.md, "The moment"): is this a time to suggest anything?

Every failing condition is reported (not only the first), so analytics can see
that a frustrated customer with an open delivery problem was skipped for both.
"""

from __future__ import annotations

from tactful.engine import reasons as R
from tactful.engine.holdout import in_holdout
from tactful.engine.model import ConversationContext
from tactful.engine.policy_model import Policy

# The stage decides which moment may carry an offer.
_MOMENT_FOR_STAGE = {"support": "resolved_request", "checkout": "cart_question"}


def conversation_gate(ctx: ConversationContext, policy: Policy) -> list[str]:
    """Reason codes that forbid an offer right now (empty: the moment is right)."""
    blocked: list[str] = []
    if ctx.user_turns <= 1:
        blocked.append(R.GATE_FIRST_TURN)
    blocked.extend(R.gate_open_issue(issue) for issue in sorted(ctx.open_issues))
    if ctx.frustrated:
        blocked.append(R.GATE_FRUSTRATED)
    if ctx.consecutive_fallbacks >= policy.frustration.fallbacks:
        blocked.append(R.GATE_FALLBACKS)
    if ctx.handoff:
        blocked.append(R.GATE_HANDOFF)
    if ctx.customer_id is None:
        blocked.append(R.GATE_UNVERIFIED)
    elif in_holdout(ctx.customer_id, policy.holdout.salt, policy.holdout.share):
        blocked.append(R.GATE_HOLDOUT)
    if not policy.channels.offers_on(ctx.channel):
        blocked.append(R.GATE_CHANNEL_OFF)
    if _MOMENT_FOR_STAGE.get(ctx.stage) != ctx.moment:
        blocked.append(R.GATE_MOMENT)
    return blocked
