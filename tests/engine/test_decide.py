"""Whole decisions for the demo customers, plus "why?" and agent advice."""

from __future__ import annotations

import random
from dataclasses import replace

from tactful.engine.decide import advice_for_agent, decide
from tactful.engine.messages import why_text
from tactful.engine.model import ArmStats
from tactful.engine.policy import Holdout
from tactful.engine.templates import urgency_words

from .factories import (
    NOW,
    bought,
    checkout_ctx,
    ctx,
    customer,
    default_policy,
    demo_catalog,
    event,
    only_rules,
    run,
)

SYM = default_policy().currency_symbol


def test_alice_gets_one_camera_add_on_after_a_resolved_question() -> None:
    decision = run(ctx(customer_id="C001"), customer(bought("CAM-X100", 6)))
    offer = decision.offer
    assert offer is not None
    assert offer.offer_id in {"camera-memory-card", "camera-battery"}
    assert decision.reasons == (f"offer:{offer.offer_id}/{offer.variant_id}",)
    assert offer.decline_label == "No thanks"
    assert offer.final_price <= offer.price
    assert f"{SYM}{offer.final_price}" in offer.message  # the real price, always
    assert urgency_words(offer.message) == []


def test_memory_card_message_names_purchase_price_and_discount() -> None:
    stats = {
        ("camera-memory-card", "ten-off"): ArmStats(accepts=500, declines=10),
        ("camera-memory-card", "plain"): ArmStats(accepts=0, declines=50),
    }
    policy = only_rules(default_policy(), "camera-memory-card")
    decision = run(ctx(), customer(bought("CAM-X100", 6)), arm_stats=stats, policy=policy)
    offer = decision.offer
    assert offer is not None and offer.variant_id == "ten-off"
    assert offer.message == (
        "You bought the Aurora X100 camera last week; add the 64 GB SD memory card "
        f"for {SYM}22.49 (10% off {SYM}24.99)?"
    )
    assert offer.reason == (
        "You bought the Aurora X100 camera last week, and the 64 GB SD memory card works with it."
    )
    assert offer.link == "/cart/add?sku=SD-64&offer=camera-memory-card&variant=ten-off"


def test_bob_on_the_top_plan_gets_no_plan_upgrade() -> None:
    decision = run(ctx(customer_id="C002"), customer(bought("PLAN-BUSINESS", 90), cid="C002"))
    assert decision.offer is None
    assert decision.reasons == ("none:no_candidates",)


def test_carol_who_returned_the_card_gets_no_card() -> None:
    snapshot = customer(bought("CAM-X100", 40), bought("SD-64", 35, status="returned"), cid="C003")
    decision = run(ctx(customer_id="C003"), snapshot)
    assert decision.offer is None or decision.offer.target_sku != "SD-64"


def test_dan_with_a_late_delivery_gets_nothing() -> None:
    context = ctx(customer_id="C004", open_issues=frozenset({"delivery"}))
    decision = run(context, customer(bought("CAM-X100", 12, status="shipped"), cid="C004"))
    assert decision.reasons == ("gate:open_delivery",)


def test_frank_gets_the_plan_upgrade() -> None:
    decision = run(ctx(customer_id="C006"), customer(bought("PLAN-BASIC", 60), cid="C006"))
    assert decision.offer is not None
    assert decision.offer.target_sku == "PLAN-PRO"
    assert decision.offer.accept_label == "Upgrade"
    assert f"{SYM}12.00" in decision.offer.message


def test_grace_in_the_holdout_never_gets_offers() -> None:
    policy = default_policy(holdout=Holdout(share=1.0, salt="x"))
    decision = run(ctx(customer_id="C007"), customer(bought("CAM-X100", 6), cid="C007"), policy=policy)
    assert decision.reasons == ("gate:holdout",)


def test_ivan_paused_after_two_declines() -> None:
    events = (
        event("declined", 12, "headphones-upgrade", category="headphones"),
        event("declined", 4, "laptop-sleeve", category="sleeve"),
    )
    decision = run(ctx(customer_id="C009"), customer(bought("CAM-X100", 6), events=events, cid="C009"))
    assert decision.reasons == ("suppressed:decline_pause_30d",)


def test_judy_at_checkout_gets_a_cart_related_add_on() -> None:
    decision = run(checkout_ctx("CAM-X200", customer_id="C010"), customer(cid="C010"))
    assert decision.offer is not None
    assert decision.offer.offer_id in {"checkout-memory-card", "camera-bag"}


def test_trace_explains_every_step() -> None:
    decision = run(ctx(), customer(bought("CAM-X100", 6)))
    text = "\n".join(decision.trace)
    for step in ("gate:", "consent:", "caps:", "rule camera-memory-card", "rank:", "chose"):
        assert step in text


def test_no_offer_decisions_carry_reason_codes_and_a_trace() -> None:
    decision = run(ctx(user_turns=1), customer(bought("CAM-X100", 6)))
    assert decision.reasons == ("gate:first_turn",)
    assert decision.trace[-1] == "no offer: gate:first_turn"


def test_decide_uses_only_injected_time_and_randomness() -> None:
    context, snapshot = ctx(), customer(bought("CAM-X100", 6))
    catalog, policy = demo_catalog(), default_policy()
    first = decide(context, snapshot, catalog, policy, {}, (), NOW, random.Random(42))
    second = decide(context, snapshot, catalog, policy, {}, (), NOW, random.Random(42))
    assert first == second


def test_why_text_gives_the_reason_and_the_way_out() -> None:
    decision = run(ctx(), customer(bought("CAM-X100", 6)))
    assert decision.offer is not None
    text = why_text(decision.offer)
    assert text.startswith(decision.offer.reason)
    assert "stop suggesting things" in text


def _advise(context, snapshot, **kw):  # type: ignore[no-untyped-def]
    policy = kw.pop("policy", default_policy())
    return advice_for_agent(context, snapshot, demo_catalog(), policy, {}, (), NOW, random.Random(1))


def test_agent_may_mention_one_offer_once_solved() -> None:
    context = ctx(handoff=True, moment="other", channel="agent")
    advice = _advise(context, customer(bought("LAP-13", 3)))
    assert not advice.do_not_pitch
    assert advice.offer is not None and advice.offer.offer_id == "laptop-sleeve"
    assert "Reason:" in advice.text and advice.offer.reason in advice.text


def test_agent_told_not_to_pitch_during_a_complaint() -> None:
    context = ctx(handoff=True, open_issues=frozenset({"complaint"}))
    advice = _advise(context, customer(bought("LAP-13", 3)))
    assert advice.do_not_pitch and advice.offer is None
    assert advice.reasons == ("gate:open_complaint",)
    assert advice.text.startswith("Do not pitch:")
    assert "complaint" in advice.text


def test_agent_told_not_to_pitch_to_a_frustrated_customer() -> None:
    advice = _advise(ctx(handoff=True, frustrated=True), customer(bought("LAP-13", 3)))
    assert advice.do_not_pitch and "gate:frustrated" in advice.reasons


def test_agent_advice_keeps_consent_caps_and_holdout() -> None:
    opted_out = customer(bought("LAP-13", 3), events=(event("opted_out", 1, None, category=None),))
    assert _advise(ctx(handoff=True), opted_out).reasons == ("consent:opted_out",)
    shown_here = customer(
        bought("LAP-13", 3), events=(event("impression", 0.01, "x", conversation_id="conv-1"),)
    )
    assert "cap:conversation" in _advise(ctx(handoff=True), shown_here).reasons
    held = default_policy(holdout=Holdout(share=1.0, salt="x"))
    assert _advise(ctx(handoff=True), customer(bought("LAP-13", 3)), policy=held).reasons == ("gate:holdout",)


def test_agent_advice_for_unverified_customer() -> None:
    advice = _advise(ctx(handoff=True, customer_id=None), None)
    assert advice.do_not_pitch and advice.reasons == ("gate:unverified",)


def test_handoff_blocks_the_bot_itself() -> None:
    decision = run(replace(ctx(), handoff=True), customer(bought("LAP-13", 3)))
    assert decision.reasons == ("gate:handoff",)
