"""Property test: no sequence of events breaks a cap, a suppression or an opt-out.

A simulated store records what the engine decides (impressions) and what the
customer answers, while the clock moves and conversations start. Afterwards the
recorded impressions are checked against every rule, independently of the
engine's own code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful.engine.caps import caps_allow
from tactful.engine.decide import decide
from tactful.engine.history import required_history_days
from tactful.engine.model import CoPurchaseRule, Offer, OfferEvent
from tactful.engine.policy import Channels, Holdout, Policy
from tests.support.policies import shop_policies

from .factories import NOW, bought, ctx, customer, default_policy, demo_catalog, only_rules

ENGINE_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Equal margins (10.00 each) so Thompson sampling spreads offers over every rule;
# with real margins the headphones upgrade would crowd out the interesting cases.
CATALOG = {sku: replace(p, margin_rate=Decimal(10) / p.price) for sku, p in demo_catalog().items()}
# A small pool of offers makes repeats and category clashes common, so every
# rule below gets exercised within a few hundred examples.
POLICY = only_rules(default_policy(), "camera-memory-card", "camera-battery", "laptop-sleeve")
# The same rules under the numbers of the shop's policy.yml and of a copy with
# every number changed: the invariants hold for whatever numbers a shop picks.
POLICIES = {
    "tests": POLICY,
    **{
        name: replace(shop, offers=POLICY.offers, channels=Channels(), holdout=Holdout(share=0.0, salt="x"))
        for name, shop in shop_policies().items()
    },
}
# SD-128 shares the memory_card category with the curated SD-64 offer, so the
# 14-day category suppression is exercised too.
MINED = (CoPurchaseRule("CAM-X100", "SD-128", 0.02, 0.4, 2.5),)

# Short gaps put several chats inside one cap window; week-to-month jumps land
# between the windows (7, 14, 30, 90 days), and long jumps let them all expire.
# "chat" opens a new conversation and decides.
answers = st.sampled_from(["none", "ignored", "ignored", "accepted", "declined"])
actions = st.one_of(
    st.tuples(st.just("chat"), st.integers(min_value=0, max_value=2), answers),
    st.tuples(st.just("chat"), st.integers(min_value=0, max_value=2), answers),
    st.tuples(st.just("decide"), st.integers(min_value=0, max_value=2), answers),
    st.tuples(st.just("advance"), st.integers(min_value=0, max_value=72), st.just("none")),
    st.tuples(st.just("advance"), st.integers(min_value=24 * 7, max_value=24 * 35), st.just("none")),
    st.tuples(st.just("advance"), st.integers(min_value=0, max_value=24 * 100), st.just("none")),
    st.tuples(st.just("respond"), st.just(0), st.sampled_from(["accepted", "declined", "ignored"])),
    st.tuples(st.just("consent"), st.just(0), st.sampled_from(["opted_out", "opted_in"])),
)


@dataclass
class Store:
    now: datetime = NOW
    conversation: int = 0
    events: list[OfferEvent] = field(default_factory=list)
    pending: Offer | None = None

    def add(self, kind: str, offer: Offer | None = None) -> None:
        self.events.append(
            OfferEvent(
                kind=kind,
                offer_id=offer.offer_id if offer else None,
                variant_id=offer.variant_id if offer else None,
                category=offer.category if offer else None,
                at=self.now,
                conversation_id=f"conv-{self.conversation}",
                channel="socketio",
            )
        )

    def snapshot_events(self, policy: Policy) -> tuple[OfferEvent, ...]:
        """What the store hands the engine (the CustomerSnapshot contract): the
        required history, every event of this conversation, the latest consent."""
        horizon = timedelta(days=required_history_days(policy))
        here = f"conv-{self.conversation}"
        consent = [e for e in self.events if e.kind in ("opted_out", "opted_in")]
        latest_consent = consent[-1] if consent else None
        return tuple(
            e
            for e in self.events
            if self.now - e.at < horizon or e.conversation_id == here or e is latest_consent
        )


def _simulate(steps: list[tuple[str, int, str]], seed: int, policy: Policy) -> Store:
    store = Store()
    rng = random.Random(seed)
    channels = ["socketio", "slack", "twilio"]
    for action, number, answer in steps:
        if action == "advance":
            store.now += timedelta(hours=number)
        elif action in ("decide", "chat"):
            if action == "chat":
                store.conversation += 1
                store.pending = None
            # Purchases stay "recent" so rules keep firing as the clock moves.
            snapshot = customer(
                bought("CAM-X100", 6),
                bought("HP-100", 20),
                bought("LAP-13", 10),
                bought("PLAN-BASIC", 45),
                events=store.snapshot_events(policy),
            )
            snapshot = type(snapshot)(
                customer_id=snapshot.customer_id,
                region=snapshot.region,
                purchases=tuple(
                    type(p)(p.sku, p.category, store.now - (NOW - p.at), p.status, p.quantity)
                    for p in snapshot.purchases
                ),
                events=snapshot.events,
            )
            context = ctx(
                conversation_id=f"conv-{store.conversation}",
                channel=channels[number],
            )
            decision = decide(context, snapshot, CATALOG, policy, {}, MINED, store.now, rng)
            store.add("decision")
            if decision.offer is not None:
                ok, codes = caps_allow(
                    snapshot.events,
                    context.conversation_id,
                    decision.offer.offer_id,
                    store.now,
                    policy,
                    category=decision.offer.category,
                )
                assert ok, (decision.offer.offer_id, codes)
                store.add("impression", decision.offer)
                store.pending = decision.offer
                if answer != "none":
                    store.add(answer, decision.offer)
                    store.pending = None
        elif action == "respond" and store.pending is not None:
            store.add(answer, store.pending)
            store.pending = None
        elif action == "consent":
            store.add(answer)
    return store


def _check_invariants(events: list[OfferEvent], policy: Policy) -> None:
    caps, declines = policy.caps, policy.declines
    for index, shown in enumerate(events):
        if shown.kind != "impression":
            continue
        before = events[:index]
        t = shown.at
        impressions = [e for e in before if e.kind == "impression"]
        # At most per_conversation (1) offers per conversation, this one included.
        here = [e for e in impressions if e.conversation_id == shown.conversation_id]
        assert len(here) + 1 <= caps.per_conversation
        # At most max (2) per rolling window of days (7), this one included.
        week = [e for e in impressions if t - e.at < timedelta(days=caps.per_customer_window.days)]
        assert len(week) + 1 <= caps.per_customer_window.max
        # The same offer at most once per same_offer_days (30).
        assert not [
            e
            for e in impressions
            if e.offer_id == shown.offer_id and t - e.at < timedelta(days=caps.same_offer_days)
        ]
        # Never while opted out.
        consent = [e for e in before if e.kind in ("opted_out", "opted_in")]
        assert not consent or consent[-1].kind == "opted_in"
        # Declines: offer 90 d, category 14 d, pause 30 d after 2 declines in 30 d
        # (or whatever numbers the policy holds).
        declined = [e for e in before if e.kind == "declined"]
        for d in declined:
            if d.offer_id == shown.offer_id:
                assert t - d.at >= timedelta(days=declines.offer_suppression_days)
            if d.category == shown.category:
                assert t - d.at >= timedelta(days=declines.category_suppression_days)
        times = sorted(d.at for d in declined)
        run = declines.pause_after
        for first, last in zip(times, times[run - 1 :], strict=False):
            if last - first < timedelta(days=declines.pause_window_days):
                assert t >= last + timedelta(days=declines.pause_days)


@pytest.mark.parametrize("numbers", sorted(POLICIES))
@ENGINE_SETTINGS
@given(steps=st.lists(actions, min_size=10, max_size=80), seed=st.integers(0, 2**16))
def test_no_sequence_breaks_caps_suppressions_or_opt_out(
    numbers: str, steps: list[tuple[str, int, str]], seed: int
) -> None:
    policy = POLICIES[numbers]
    store = _simulate(steps, seed, policy)
    _check_invariants(store.events, policy)


def test_simulation_does_make_offers() -> None:
    # Guard against a vacuous property: a plain run must show several offers.
    steps: list[tuple[str, int, str]] = []
    for _ in range(10):
        steps += [("chat", 0, "ignored"), ("advance", 24 * 8, "none")]
    store = _simulate(steps, 1, POLICY)
    shown = [e for e in store.events if e.kind == "impression"]
    assert len(shown) >= 5
    _check_invariants(store.events, POLICY)
