"""The moment gate: every "no offer" condition of docs/architecture.md, one at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tactful.engine.gates import conversation_gate
from tactful.engine.holdout import in_holdout
from tactful.engine.policy import Channels, Frustration, Holdout

from .factories import bought, checkout_ctx, ctx, customer, default_policy, run


def test_the_right_moment_passes_the_gate() -> None:
    assert conversation_gate(ctx(), default_policy()) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"user_turns": 1}, "gate:first_turn"),
        ({"user_turns": 0}, "gate:first_turn"),
        ({"open_issues": frozenset({"complaint"})}, "gate:open_complaint"),
        ({"open_issues": frozenset({"return"})}, "gate:open_return"),
        ({"open_issues": frozenset({"refund"})}, "gate:open_refund"),
        ({"open_issues": frozenset({"cancellation"})}, "gate:open_cancellation"),
        ({"open_issues": frozenset({"delivery"})}, "gate:open_delivery"),
        ({"open_issues": frozenset({"payment"})}, "gate:open_payment"),
        ({"frustrated": True}, "gate:frustrated"),
        ({"consecutive_fallbacks": 2}, "gate:fallbacks"),
        ({"handoff": True}, "gate:handoff"),
        ({"customer_id": None}, "gate:unverified"),
        ({"moment": "other"}, "gate:moment"),
        ({"moment": "cart_question"}, "gate:moment"),
    ],
)
def test_each_gate_blocks_and_names_itself(changes: dict[str, object], code: str) -> None:
    decision = run(ctx(**changes), customer(bought("CAM-X100", 6)))
    assert decision.offer is None
    assert code in decision.reasons


def test_one_fallback_is_below_the_threshold() -> None:
    assert conversation_gate(ctx(consecutive_fallbacks=1), default_policy()) == []


def test_fallback_threshold_comes_from_the_policy() -> None:
    policy = default_policy(frustration=Frustration(fallbacks=3))
    assert conversation_gate(ctx(consecutive_fallbacks=2), policy) == []
    assert conversation_gate(ctx(consecutive_fallbacks=3), policy) == ["gate:fallbacks"]


def test_every_failing_condition_is_reported() -> None:
    codes = conversation_gate(
        ctx(user_turns=1, frustrated=True, open_issues=frozenset({"delivery", "refund"})),
        default_policy(),
    )
    assert codes == ["gate:first_turn", "gate:open_delivery", "gate:open_refund", "gate:frustrated"]


def test_checkout_needs_a_cart_question() -> None:
    policy = default_policy()
    assert conversation_gate(checkout_ctx("CAM-X200"), policy) == []
    assert conversation_gate(checkout_ctx("CAM-X200", moment="resolved_request"), policy) == ["gate:moment"]


def test_unknown_stage_never_gets_an_offer() -> None:
    assert "gate:moment" in conversation_gate(ctx(stage="browsing"), default_policy())


def test_channel_switched_off() -> None:
    policy = default_policy(channels=Channels(default=True, switches=(("twilio", False),)))
    assert conversation_gate(ctx(channel="twilio"), policy) == ["gate:channel_off"]
    assert conversation_gate(ctx(channel="slack"), policy) == []


def test_unlisted_channel_follows_the_default() -> None:
    policy = default_policy(channels=Channels(default=False, switches=(("socketio", True),)))
    assert conversation_gate(ctx(channel="telegram"), policy) == ["gate:channel_off"]
    assert conversation_gate(ctx(channel="socketio"), policy) == []


def test_holdout_customer_is_gated() -> None:
    policy = default_policy(holdout=Holdout(share=0.5, salt="s"))
    inside = next(f"C{i}" for i in range(1000) if in_holdout(f"C{i}", "s", 0.5))
    outside = next(f"C{i}" for i in range(1000) if not in_holdout(f"C{i}", "s", 0.5))
    assert conversation_gate(ctx(customer_id=inside), policy) == ["gate:holdout"]
    assert conversation_gate(ctx(customer_id=outside), policy) == []


def test_gate_stops_before_reading_customer_data() -> None:
    # Unverified: no personal data is touched, the snapshot may be None.
    decision = run(ctx(customer_id=None), None)
    assert decision.reasons == ("gate:unverified",)


def test_missing_customer_data_means_no_offer() -> None:
    decision = run(ctx(), None)
    assert decision.offer is None
    assert decision.reasons == ("none:no_customer_data",)


def test_policy_defaults_are_used_when_not_given() -> None:
    policy = replace(default_policy(), frustration=Frustration())
    assert policy.frustration.fallbacks == 2
