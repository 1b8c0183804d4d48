"""Every measure of the offer report against hand-computed values, on SQLite and PostgreSQL.

The event log and its story are in tests/analytics/event_log.py.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tactful.analytics.render import format_report, to_csv
from tactful.analytics.report import ReportError, build_report
from tactful.store.unit_of_work import uow_for
from tests.analytics.event_log import POLICY, SINCE, UNTIL, seed

# Long enough after the period that every window of every exposed customer is complete:
# orders are read up to min(until + 90 days, generated) = 2026-07-30.
GENERATED = datetime(2026, 8, 15, 9, 0)


def _report(url: str, **options: Any) -> dict[str, Any]:
    return build_report(lambda: uow_for(url), POLICY, SINCE, UNTIL, generated_at=GENERATED, **options)


@pytest.fixture()
def report(db_url: str) -> dict[str, Any]:
    seed(db_url)
    return _report(db_url)


def _rates(conversations, decisions, offered, offers, offer_rate, answers, opt_outs):  # type: ignore[no-untyped-def]
    """The rates dict for counts; answer rates are over ``offers``."""
    accepts, declines, ignores = answers
    rate = (lambda n: round(n / offers, 4)) if offers else (lambda n: None)
    return {
        "conversations": conversations,
        "decisions": decisions,
        "offered_conversations": offered,
        "offers": offers,
        "offer_rate": offer_rate,
        "accepts": accepts,
        "acceptance_rate": rate(accepts),
        "declines": declines,
        "decline_rate": rate(declines),
        "ignores": ignores,
        "ignore_rate": rate(ignores),
        "opt_outs": opt_outs,
        "opt_out_rate": rate(opt_outs),
    }


def test_overall_rates(report: dict[str, Any]) -> None:
    # c1..c7 (c0 is before the period): 7 conversations, one decision each; offers in c1, c2, c6:
    # offer rate 3/7 = 0.4286; accepts c1, c6 = 2/3; declined c2 1/3; ignored c2 1/3;
    # the opt-out in c2 follows its impression: 1/3.
    assert report["overall"] == _rates(7, 7, 3, 3, 0.4286, (2, 1, 1), 1)
    assert report["period"] == {
        "since": "2026-01-01T00:00:00",
        "until": "2026-05-01T00:00:00",
        "orders_read_until": "2026-07-30T00:00:00",
    }
    assert report["generated_at"] == "2026-08-15T09:00:00" and report["empty"] is False


def test_rates_by_offer_and_variant(report: dict[str, Any]) -> None:
    by_offer = {row.pop("key"): row for row in report["by"]["offer"]}
    # bat shown in c6 only: offer rate 1/7 = 0.1429, accepted 1/1.
    # sd shown in c1 and c2: 2/7 = 0.2857; c1 accepted, c2 ignored, declined and opted out: each 1/2.
    assert by_offer == {
        "bat": _rates(1, 1, 1, 1, 0.1429, (1, 0, 0), 0),
        "sd": _rates(2, 2, 2, 2, 0.2857, (1, 1, 1), 1),
    }
    by_variant = {row.pop("key"): row for row in report["by"]["variant"]}
    assert by_variant["sd/a"] == {"offer": "sd", "variant": "a", **_rates(1, 1, 1, 1, 0.1429, (1, 0, 0), 0)}
    assert by_variant["sd/b"] == {"offer": "sd", "variant": "b", **_rates(1, 1, 1, 1, 0.1429, (0, 1, 1), 1)}
    assert by_variant["bat/a"]["acceptance_rate"] == 1.0 and len(by_variant) == 3


def test_rates_by_channel_stage_and_week(report: dict[str, Any]) -> None:
    channel = {row.pop("key"): row for row in report["by"]["channel"]}
    # web: c1, c2, c4, c5 -> offered c1, c2: 2/4; telegram: c3, c6, c7 -> offered c6: 1/3.
    assert channel == {
        "telegram": _rates(3, 3, 1, 1, 0.3333, (1, 0, 0), 0),
        "web": _rates(4, 4, 2, 2, 0.5, (1, 1, 1), 1),
    }
    stage = {row.pop("key"): row for row in report["by"]["stage"]}
    # support: c1, c2, c4, c5, c7 -> 2/5; checkout: c3, c6 -> 1/2.
    assert stage == {
        "checkout": _rates(2, 2, 1, 1, 0.5, (1, 0, 0), 0),
        "support": _rates(5, 5, 2, 2, 0.4, (1, 1, 1), 1),
    }
    week = {row.pop("key"): row for row in report["by"]["period"]}
    # Weeks start on Monday: 02-02 holds c2, c3; 04-20 holds c1, c4, c5; 04-27 holds c6, c7.
    assert week == {
        "2026-02-02": _rates(2, 2, 1, 1, 0.5, (0, 1, 1), 1),
        "2026-04-20": _rates(3, 3, 1, 1, 0.3333, (1, 0, 0), 0),
        "2026-04-27": _rates(2, 2, 1, 1, 0.5, (1, 0, 0), 0),
    }


def test_acceptance_over_time_and_no_offer_reasons(report: dict[str, Any]) -> None:
    assert report["acceptance_over_time"] == [
        {"offer": "bat", "day": "2026-04-27", "offers": 1, "accepts": 1, "rate": 1.0},
        {"offer": "sd", "day": "2026-02-02", "offers": 1, "accepts": 0, "rate": 0.0},
        {"offer": "sd", "day": "2026-04-20", "offers": 1, "accepts": 1, "rate": 1.0},
    ]
    # c3 cap:weekly; c4 gate:holdout; c5 gate:holdout + gate:first_turn; c7 none:no_candidates.
    # Stage codes are not reasons.
    assert report["no_offer_reasons"] == [
        {"reason": "gate:holdout", "count": 2},
        {"reason": "cap:weekly", "count": 1},
        {"reason": "gate:first_turn", "count": 1},
        {"reason": "none:no_candidates", "count": 1},
    ]


def test_holdout_counts_every_exposed_customer_buyers_or_not(report: dict[str, Any]) -> None:
    thirty, ninety = report["holdout"]["30"], report["holdout"]["90"]
    # 30 days from the first decision: T1 40.00 (o1; o2 returned), T2 60.00 (o3; o4 is 46 days
    # later), T3 0 (o5 came before T3's first decision). Revenue 100.00 over 3 customers = 33.33,
    # 2 orders -> AOV 50.00. U1 never had a decision: in neither arm.
    assert thirty["treated"] == {
        "customers": 3,
        "buyers": 2,
        "orders": 2,
        "revenue": 100.0,
        "revenue_per_customer": 33.33,
        "average_order_value": 50.0,
    }
    # H1 50.00 (o6), H2 nothing: 50.00 / 2 = 25.00 per customer, one order of 50.00.
    holdout_arm = {
        "customers": 2,
        "buyers": 1,
        "orders": 1,
        "revenue": 50.0,
        "revenue_per_customer": 25.0,
        "average_order_value": 50.0,
    }
    assert thirty["holdout"] == holdout_arm
    # 100/3 - 25 = 8.33 per customer; x 3 treated = 25.00; 8.333/25 = 33.33 %.
    assert thirty["incremental_revenue_per_customer"]["estimate"] == 8.33
    assert thirty["incremental_revenue"]["estimate"] == 25.0
    assert thirty["incremental_sales_pct"]["estimate"] == 33.33
    # 90 days add o4 for T2: 130.00 over 3 = 43.33, 3 orders -> AOV 43.33; lift 18.33,
    # x 3 = 55.00, 18.333/25 = 73.33 %.
    assert ninety["treated"]["revenue"] == 130.0 and ninety["treated"]["orders"] == 3
    assert ninety["treated"]["revenue_per_customer"] == 43.33
    assert ninety["treated"]["average_order_value"] == 43.33
    assert ninety["holdout"] == holdout_arm
    assert ninety["incremental_revenue_per_customer"]["estimate"] == 18.33
    assert ninety["incremental_revenue"]["estimate"] == 55.0
    assert ninety["incremental_sales_pct"]["estimate"] == 73.33
    for comparison in (thirty, ninety):
        for name in ("incremental_revenue_per_customer", "incremental_revenue"):
            part = comparison[name]
            assert part["low"] <= part["estimate"] <= part["high"], (name, part)
        # A holdout resample of two customers is {H2, H2} (bought nothing) with probability 1/4:
        # far more than 2.5 % of the lift resamples are undefined, so the bounds are null.
        assert abs(comparison["incremental_sales_pct_undefined_resamples"] - 0.25) < 0.04
        assert comparison["incremental_sales_pct"]["low"] is None
        assert comparison["incremental_sales_pct"]["high"] is None
        assert "intent-to-treat" in comparison["method"]
        # Every first decision (the latest is 04-28) is at least 90 days before 07-30: all complete.
        assert comparison["cohort"]["exposed"] == 5 and comparison["cohort"]["complete_windows"] == 5
    assert thirty["cohort"]["first_decision_by"] == "2026-06-30T00:00:00"
    assert ninety["cohort"]["first_decision_by"] == "2026-05-01T00:00:00"
    # Every arm comes from the stored decisions (gate:holdout for H1 and H2) and agrees with the hash.
    assert report["holdout_assignment"] == {
        "from_decisions": 5,
        "from_hash": 0,
        "mixed": 0,
        "disagree_with_hash": 0,
    }


def test_cross_sell_conversion(report: dict[str, Any]) -> None:
    # c1's accept of SD-64 is followed by o1 (SD-64, paid, 2 hours later); c6's accept of
    # BAT-X is followed by no BAT-X order: 1 of 2.
    assert report["cross_sell"] == {
        "accepted": 2,
        "paid": 1,
        "conversion": 0.5,
        "days": 30,
        "unverified": 0,
        "follow_up_incomplete": 0,
        "follow_up_until": "2026-07-30T00:00:00",
        "by_offer": [
            {"offer": "bat", "accepted": 1, "paid": 0, "conversion": 0.0},
            {"offer": "sd", "accepted": 1, "paid": 1, "conversion": 1.0},
        ],
    }


def test_harm_after_an_offer_against_conversations_without_one(report: dict[str, Any]) -> None:
    harm = report["harm"]
    # With an offer: c1, c2, c6; c2 opts out and is frustrated after its offer.
    # Without: c3, c4, c5, c7; c3 falls back after its decision, c4 is handed off (a table row
    # and a signal, counted once); c7's fallback came before its decision.
    assert harm["with_offer"] == {
        "conversations": 3,
        "opted_out": 1,
        "frustrated": 1,
        "fallback": 0,
        "handoff": 0,
        "any": 1,
    }
    assert harm["without_offer"] == {
        "conversations": 4,
        "opted_out": 0,
        "frustrated": 0,
        "fallback": 1,
        "handoff": 1,
        "any": 2,
    }
    signals = {row["signal"]: row for row in harm["signals"]}
    assert (
        signals["opted_out"]["with_offer_rate"] == 0.3333
        and signals["opted_out"]["without_offer_rate"] == 0.0
    )
    # 0/3 - 1/4 = -0.25; 1/3 - 2/4 = -0.1667.
    assert signals["fallback"]["difference"]["estimate"] == -0.25
    assert signals["any"]["difference"]["estimate"] == -0.1667
    for row in signals.values():
        difference = row["difference"]
        assert -1 <= difference["low"] <= difference["estimate"] <= difference["high"] <= 1


def test_variants_compare_with_a_posterior(report: dict[str, Any]) -> None:
    (row,) = report["variants"]
    assert (row["offer"], row["variant_a"], row["variant_b"]) == ("sd", "a", "b")
    assert row["a"] == {"shown": 1, "accepted": 1, "rate": 1.0}
    assert row["b"] == {"shown": 1, "accepted": 0, "rate": 0.0}
    # A ~ Beta(2, 1), B ~ Beta(1, 2): P(B > A) = 4 * integral of (1 - b) b^2 / 2 = 1/6.
    assert abs(row["prob_b_better"] - 1 / 6) < 0.01
    assert row["verdict"] == "not enough data yet"


def test_the_report_is_deterministic_and_writes_json_and_csv(db_url: str) -> None:
    seed(db_url)
    first, second = _report(db_url), _report(db_url)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert _report(db_url, seed=7) != first  # the seed is what fixes the intervals
    text = format_report(first)
    assert "offers shown                   3  (offer rate 42.9%)" in text
    assert "incremental revenue per customer  8.33" in text
    assert "sd: a 1/1 vs b 0/1" in text and "not enough data yet" in text
    lines = to_csv(first).splitlines()
    assert lines[0] == "section,group,key,measure,value"
    assert "overall,,,offer_rate,0.4286" in lines
    assert "by,channel,web,offer_rate,0.5" in lines
    assert "holdout,30 days,treated,revenue_per_customer,33.33" in lines
    assert "harm,fallback,,difference_estimate,-0.25" in lines
    assert "variants,sd,a vs b,verdict,not enough data yet" in lines


def test_an_empty_store_reports_no_data(db_url: str) -> None:
    report = _report(db_url)
    assert report["empty"] is True
    assert report["overall"]["conversations"] == 0 and report["overall"]["offer_rate"] is None
    assert report["holdout"]["30"]["treated"]["revenue_per_customer"] is None
    assert report["holdout"]["30"]["incremental_revenue_per_customer"] == {
        "estimate": None,
        "low": None,
        "high": None,
    }
    assert report["cross_sell"]["conversion"] is None and report["variants"] == []
    assert "No data for this period" in format_report(report)
    assert to_csv(report).startswith("section,group,key,measure,value\n")


def test_an_empty_period_is_refused(sqlite_url: str) -> None:
    with pytest.raises(ReportError, match="the period is empty"):
        build_report(lambda: uow_for(sqlite_url), POLICY, UNTIL, SINCE)
