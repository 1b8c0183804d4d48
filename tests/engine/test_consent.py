"""Consent: the latest opt-out / opt-in event wins, on every channel."""

from __future__ import annotations

from dataclasses import replace

from tactful.engine.consent import is_opted_out

from .factories import bought, ctx, customer, event, run


def test_no_consent_events_means_offers_allowed() -> None:
    assert not is_opted_out([])


def test_opt_out_blocks_every_offer() -> None:
    events = (event("opted_out", 3, offer_id=None, category=None),)
    decision = run(ctx(), customer(bought("CAM-X100", 6), events=events))
    assert decision.offer is None
    assert decision.reasons == ("consent:opted_out",)


def test_opt_in_after_opt_out_restores_offers() -> None:
    events = (
        event("opted_out", 10, offer_id=None, category=None),
        event("opted_in", 2, offer_id=None, category=None),
    )
    assert not is_opted_out(events)
    assert run(ctx(), customer(bought("CAM-X100", 6), events=events)).offer is not None


def test_opt_out_after_opt_in_wins() -> None:
    events = (
        event("opted_in", 10, offer_id=None, category=None),
        event("opted_out", 1, offer_id=None, category=None),
    )
    assert is_opted_out(events)


def test_order_of_events_in_the_tuple_does_not_matter_only_time() -> None:
    events = [
        event("opted_out", 1, offer_id=None, category=None),
        event("opted_in", 5, offer_id=None, category=None),
    ]
    assert is_opted_out(events)


def test_equal_timestamps_the_later_recorded_event_wins() -> None:
    out = event("opted_out", 1, offer_id=None, category=None)
    back_in = replace(out, kind="opted_in")
    assert not is_opted_out([out, back_in])
    assert is_opted_out([back_in, out])


def test_opt_out_on_another_channel_counts() -> None:
    sms = replace(event("opted_out", 1, offer_id=None, category=None), channel="twilio")
    decision = run(ctx(channel="socketio"), customer(bought("CAM-X100", 6), events=(sms,)))
    assert decision.reasons == ("consent:opted_out",)
