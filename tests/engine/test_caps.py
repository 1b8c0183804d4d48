"""Frequency caps, by moving the injected clock just inside and just outside."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tactful.engine.caps import caps_allow
from tactful.engine.model import OfferEvent

from .factories import NOW, bought, ctx, customer, default_policy, event, only_rules, run

SECOND = 1 / 86400


def _shown(days_ago: float, offer_id: str = "laptop-sleeve", conversation: str = "old") -> OfferEvent:
    return event("impression", days_ago, offer_id, category="sleeve", conversation_id=conversation)


def test_one_offer_per_conversation() -> None:
    events = (_shown(0.01, conversation="conv-1"),)
    decision = run(ctx(conversation_id="conv-1"), customer(bought("CAM-X100", 6), events=events))
    assert decision.offer is None
    assert "cap:conversation" in decision.reasons


def test_another_conversation_is_not_capped_by_the_first() -> None:
    events = (_shown(0.01, conversation="conv-1"),)
    decision = run(ctx(conversation_id="conv-2"), customer(bought("CAM-X100", 6), events=events))
    assert decision.offer is not None


@pytest.mark.parametrize(
    ("older_days", "capped"),
    [(7 - SECOND * 10, True), (7.0, False), (7 + SECOND, False)],
)
def test_two_per_rolling_seven_days(older_days: float, capped: bool) -> None:
    events = (_shown(older_days, "a"), _shown(1, "b"))
    decision = run(ctx(), customer(bought("CAM-X100", 6), events=events))
    assert ("cap:weekly" in decision.reasons) is capped
    assert (decision.offer is None) is capped


def test_ignored_offers_count_as_shown() -> None:
    events = (
        _shown(2, "a"),
        event("ignored", 2, "a", category="sleeve"),
        _shown(1, "b"),
        event("ignored", 1, "b", category="sleeve"),
    )
    assert "cap:weekly" in run(ctx(), customer(bought("CAM-X100", 6), events=events)).reasons


def test_decisions_without_impressions_do_not_count() -> None:
    events = tuple(event("decision", d, None, category=None) for d in (0.1, 0.2, 0.3))
    assert run(ctx(), customer(bought("CAM-X100", 6), events=events)).offer is not None


@pytest.mark.parametrize(("days_ago", "capped"), [(30 - SECOND * 10, True), (30.0, False), (31, False)])
def test_same_offer_once_per_thirty_days(days_ago: float, capped: bool) -> None:
    policy = only_rules(default_policy(), "laptop-sleeve")
    events = (_shown(days_ago, "laptop-sleeve"),)
    decision = run(ctx(), customer(bought("LAP-13", 3), events=events), policy=policy)
    if capped:
        assert decision.offer is None
        assert decision.reasons == ("cap:same_offer_30d",)
    else:
        assert decision.offer is not None


def test_same_offer_cap_leaves_other_offers_open() -> None:
    events = (_shown(10, "camera-memory-card"), _shown(10, "camera-battery"))
    decision = run(ctx(), customer(bought("CAM-X100", 6), bought("LAP-13", 3), events=events))
    assert decision.offer is not None
    assert decision.offer.offer_id == "laptop-sleeve"


def test_caps_allow_rechecks_everything_for_the_store() -> None:
    policy = default_policy()
    ok, codes = caps_allow([], "conv-1", "laptop-sleeve", NOW, policy)
    assert ok and codes == []
    events = [_shown(0.1, "laptop-sleeve", "conv-1")]
    ok, codes = caps_allow(events, "conv-1", "laptop-sleeve", NOW, policy)
    assert not ok
    assert codes == ["cap:conversation", "cap:same_offer_30d"]


def test_caps_allow_sees_the_race_winner() -> None:
    # Two servers decided for one customer in parallel; the first recorded its
    # impression. Under the store's lock, the second re-check must now fail.
    policy = default_policy()
    events = [_shown(3, "x", "conv-a"), _shown(0.0, "laptop-sleeve", "conv-b")]
    ok, codes = caps_allow(events, "conv-c", "camera-bag", NOW, policy)
    assert not ok and codes == ["cap:weekly"]


def test_caps_allow_checks_consent_and_declines() -> None:
    policy = default_policy()
    events = [
        event("opted_out", 1, None, category=None),
        event("declined", 5, "camera-bag", category="bag"),
    ]
    ok, codes = caps_allow(events, "c", "camera-bag", NOW, policy, category="bag")
    assert not ok
    assert codes == ["consent:opted_out", "suppressed:declined_90d", "suppressed:category_14d"]


def test_events_from_the_future_count_as_now() -> None:
    # A peer server's clock runs slightly ahead; its impression must still count.
    future = event("impression", -0.001, "x", conversation_id="conv-1")
    ok, codes = caps_allow([future], "conv-2", "y", NOW, default_policy())
    assert ok  # only one impression: under the weekly cap of 2
    ok, _ = caps_allow([future, future], "conv-2", "y", NOW, default_policy())
    assert not ok


def test_zero_cap_means_no_offers() -> None:
    from dataclasses import replace

    from tactful.engine.policy import Caps

    policy = default_policy(caps=replace(default_policy().caps, per_conversation=0))
    assert isinstance(policy.caps, Caps)
    assert "cap:conversation" in run(ctx(), customer(bought("CAM-X100", 6)), policy=policy).reasons


def test_window_arithmetic_uses_the_injected_clock() -> None:
    events = (_shown(1, "a"), _shown(2, "b"))
    snapshot = customer(bought("CAM-X100", 6), events=events)
    assert run(ctx(), snapshot).offer is None
    later = NOW + timedelta(days=6)  # the older impression is now exactly 8 days old
    assert run(ctx(), snapshot, now=later).offer is not None


def test_same_conversation_events_count_however_old() -> None:
    # The store passes every event of the current conversation (CustomerSnapshot
    # contract), even one older than the usual history window.
    events = (_shown(200, "x", conversation="conv-1"),)
    decision = run(ctx(conversation_id="conv-1"), customer(bought("CAM-X100", 6), events=events))
    assert "cap:conversation" in decision.reasons


def test_required_history_covers_the_longest_window() -> None:
    from dataclasses import replace

    from tactful.engine.history import required_history_days

    policy = default_policy()
    assert required_history_days(policy) == 120
    longer = replace(policy, declines=replace(policy.declines, offer_suppression_days=180))
    assert required_history_days(longer) == 210
