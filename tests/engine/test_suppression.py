"""Decline suppressions: offer 90 d, category 14 d, pause after 2 declines in 30 d."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tactful.engine.model import OfferEvent
from tactful.engine.policy import Declines
from tactful.engine.suppression import is_paused, pause_end

from .factories import NOW, bought, ctx, customer, default_policy, event, only_rules, run

SECOND = 1 / 86400


def _declined(days_ago: float, offer_id: str, category: str) -> OfferEvent:
    return event("declined", days_ago, offer_id, category=category)


@pytest.mark.parametrize(("days_ago", "blocked"), [(90 - SECOND * 10, True), (90.0, False)])
def test_declined_offer_is_off_for_ninety_days(days_ago: float, blocked: bool) -> None:
    policy = only_rules(default_policy(), "laptop-sleeve")
    events = (_declined(days_ago, "laptop-sleeve", "other-category"),)
    decision = run(ctx(), customer(bought("LAP-13", 3), events=events), policy=policy)
    assert ("suppressed:declined_90d" in decision.reasons) is blocked
    assert (decision.offer is None) is blocked


@pytest.mark.parametrize(("days_ago", "blocked"), [(14 - SECOND * 10, True), (14.0, False)])
def test_declined_category_is_off_for_fourteen_days(days_ago: float, blocked: bool) -> None:
    policy = only_rules(default_policy(), "laptop-sleeve")
    # A different offer in the same category ("sleeve") was declined.
    events = (_declined(days_ago, "some-other-sleeve-offer", "sleeve"),)
    decision = run(ctx(), customer(bought("LAP-13", 3), events=events), policy=policy)
    assert ("suppressed:category_14d" in decision.reasons) is blocked


def test_two_declines_within_thirty_days_pause_everything() -> None:
    events = (_declined(20, "a", "x"), _declined(5, "b", "y"))
    decision = run(ctx(), customer(bought("CAM-X100", 6), bought("LAP-13", 3), events=events))
    assert decision.offer is None
    assert decision.reasons == ("suppressed:decline_pause_30d",)


@pytest.mark.parametrize(("since_second", "paused"), [(30 - SECOND * 10, True), (30.0, False), (31, False)])
def test_pause_lasts_thirty_days_from_the_second_decline(since_second: float, paused: bool) -> None:
    declines = Declines()
    events = [_declined(since_second + 10, "a", "x"), _declined(since_second, "b", "y")]
    assert is_paused(events, NOW, declines) is paused


def test_declines_thirty_days_apart_do_not_pause() -> None:
    events = [_declined(40, "a", "x"), _declined(10, "b", "y")]
    assert pause_end(events, Declines()) is None


def test_declines_just_under_thirty_days_apart_pause() -> None:
    events = [_declined(40 - SECOND * 10, "a", "x"), _declined(10, "b", "y")]
    end = pause_end(events, Declines())
    assert end == NOW - timedelta(days=10) + timedelta(days=30)


def test_ignored_offers_are_not_declines() -> None:
    events = (
        event("ignored", 3, "a", category="x"),
        event("ignored", 2, "b", category="y"),
    )
    decision = run(ctx(), customer(bought("CAM-X100", 6), events=events))
    assert decision.offer is not None


def test_pause_thresholds_come_from_the_policy() -> None:
    declines = Declines(pause_after=3, pause_window_days=30, pause_days=10)
    two = [_declined(3, "a", "x"), _declined(2, "b", "y")]
    assert not is_paused(two, NOW, declines)
    three = [*two, _declined(1, "c", "z")]
    assert is_paused(three, NOW, declines)
    assert not is_paused(three, NOW + timedelta(days=9, hours=1), declines)
